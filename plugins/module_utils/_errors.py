# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Exceptions raised by the collection's library code.

Library code raises; only a module's main() (or a plugin's entry point)
turns these into fail_json / AnsibleFilterError. Everything a user can get
wrong is an ArgsError; everything the host refuses is a SocketToolError.
Messages show the user's values with shown(): as they are written in YAML
or JSON (true, false, null, "text"), not as Python prints them.

    SocketToolError
        ArgsError            bad option, ss command line or rule
            OptionElsewhere  an ss option whose job another module does (-K), or none (-h, -V)
            MarkNotPermitted a filter program with fwmark, which the kernel evaluates only for CAP_NET_ADMIN
            FilterError      bad filter expression (names the word)
            CaptureError     a capture file (ss -D format) that cannot be read or is corrupt
        NamespaceError       a named network namespace cannot be entered
        NetlinkError         the kernel refused a sock_diag request (errno)
            TableNotSupported    no sock_diag handler for a table
        DumpInterrupted      a table kept changing while it was read, or its dump lost replies (ENOBUFS)
"""

from __future__ import annotations

import errno as _errno
from collections.abc import Mapping as _Mapping
import json as _json
import os as _os
import re as _re


def shown(value, limit=80):
    """A value as a message shows it: as written in YAML or JSON (true, false, null, "text", [1, 2]), not Python's repr.

    Values JSON cannot hold (sets, bytes, objects) fall back to repr(); long texts are cut to `limit` characters.
    """
    try:
        text = _json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def kind(value):
    """What a value is, in the words of YAML and JSON (null, a bool, a number, a string, a list, a dict)."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a bool'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, _Mapping):
        return 'a dict'
    if isinstance(value, (list, tuple)):
        return 'a list'
    name = type(value).__name__
    return 'an %s' % name if name[:1].lower() in 'aeiou' else 'a %s' % name


def strerror(err):
    """os.strerror() for any number a kernel answer can carry ('Unknown error N' where the C library has no text).

    An errno read from a netlink message is any 32-bit value: os.strerror() raises OverflowError past INT_MAX.
    """
    try:
        return _os.strerror(err)
    except (OverflowError, ValueError):
        return 'Unknown error %d' % err


class SocketToolError(Exception):
    """Root of every error this collection raises on purpose."""


class ArgsError(SocketToolError):
    """An ss command line, a module option or a filter is wrong (says which word and why)."""


class OptionElsewhere(ArgsError):
    """An ss option whose job is done elsewhere, or not by a module (-K: socket_kill; -h, -V); `option` names it."""

    def __init__(self, message, option):
        super(OptionElsewhere, self).__init__(message)
        self.option = option


class MarkNotPermitted(ArgsError):
    """The kernel refused a filter program with an fwmark condition: it evaluates marks only for CAP_NET_ADMIN."""


_LINE_BREAK = 'a line break does not separate words (ss splits a FILTER at spaces and TABs): write the filter on one ' \
    'line, or as a folded YAML block (>)'


class FilterError(ArgsError):
    """A filter expression is wrong.

    word      the offending token (None at the end of the expression)
    position  0-based index of that token (the message counts words from 1)
    hint      a suggestion, or None
    reason    what is wrong with the word
    """

    def __init__(self, reason, word=None, position=None, hint=None):
        self.reason = reason
        self.word = word
        self.position = position
        self.hint = hint
        super(FilterError, self).__init__(self._render())

    def _render(self):
        hint = self.hint
        if self.word is None:
            text = 'filter: %s' % self.reason
            if self.position is not None:
                text += ' at word %d (end of expression)' % (self.position + 1)
        else:
            word = self.word
            if '\n' in word or '\r' in word:
                # a YAML block (|) keeps its line breaks, and ss splits words at spaces and TABs only
                word = word.replace('\r', '\\r').replace('\n', '\\n')
                hint = '; '.join(h for h in (_LINE_BREAK, hint) if h)
            text = 'filter: "%s" %s' % (word, self.reason)
            if self.position is not None:
                text += ' at word %d' % (self.position + 1)
        if hint:
            text += '; %s' % hint
        return text

    def __str__(self):
        return self._render()

    def shifted(self, count):
        """The same error with its positions counted `count` words later (an expression after state words, whose
        positions count from the start of the whole FILTER)."""
        if not count:
            return self
        reason = _re.sub(r'at word (\d+)', lambda m: 'at word %d' % (int(m.group(1)) + count), self.reason)
        return FilterError(reason, self.word, None if self.position is None else self.position + count, self.hint)


class CaptureError(ArgsError):
    """A capture file (what `ss -D` writes) cannot be read, or is truncated or corrupt (says where)."""


class NamespaceError(SocketToolError):
    """A named network namespace cannot be entered."""


class NetlinkError(SocketToolError):
    """The kernel answered a sock_diag request with an error.

    errno: the positive errno value; table: the ss table name asked for.
    """

    def __init__(self, err, table, what='dump'):
        self.errno = err
        self.table = table
        msg = '%s of table %s failed: %s (errno %d %s)' % (
            what, table, strerror(err), err, _errno.errorcode.get(err, '?'))
        super(NetlinkError, self).__init__(msg)


class TableNotSupported(NetlinkError):
    """The running kernel has no sock_diag handler for this table."""

    def __init__(self, err, table, what='dump'):
        super(TableNotSupported, self).__init__(err, table, what)
        self.args = ('table %s is not supported by this kernel (%s); it was skipped' % (table, strerror(err)),)


class DumpInterrupted(SocketToolError):
    """A dump that must be read again: the kernel flagged it NLM_F_DUMP_INTR (the table changed while it was read),
    or a read of it failed with ENOBUFS (the kernel could not queue a reply: the dump lost part of its answer)."""

    def __init__(self, table, overrun=False):
        self.table = table
        self.overrun = overrun
        if overrun:
            msg = ('the kernel could not queue its answer to the dump of table %s (ENOBUFS: out of memory or receive '
                   'buffer), again after several retries; run the task again' % table)
        else:
            msg = ('the kernel reported that table %s changed while it was read (NLM_F_DUMP_INTR), '
                   'again after several retries; run the task again' % table)
        super(DumpInterrupted, self).__init__(msg)


__all__ = ['shown', 'kind', 'strerror', 'SocketToolError', 'ArgsError', 'OptionElsewhere', 'MarkNotPermitted',
           'FilterError', 'CaptureError', 'NamespaceError', 'NetlinkError',
           'TableNotSupported', 'DumpInterrupted']
