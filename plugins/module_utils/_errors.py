# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Exceptions raised by the collection's library code.

Library code raises; only a module's main() turns these into fail_json.
"""

from __future__ import annotations

import errno as _errno
import os as _os


class SocketToolError(Exception):
    """Root of every error this collection raises on purpose."""


class ArgsError(SocketToolError):
    """An ss command line or a module option is wrong (says which word and why)."""


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
            what, table, _os.strerror(err), err, _errno.errorcode.get(err, '?'))
        super(NetlinkError, self).__init__(msg)


class TableNotSupported(NetlinkError):
    """The running kernel has no sock_diag handler for this table."""

    def __init__(self, err, table, what='dump'):
        super(TableNotSupported, self).__init__(err, table, what)
        self.args = ('table %s is not supported by this kernel (%s); it was skipped' % (table, _os.strerror(err)),)


class DumpInterrupted(SocketToolError):
    """The kernel flagged the dump NLM_F_DUMP_INTR: the table changed while it was read."""

    def __init__(self, table):
        self.table = table
        super(DumpInterrupted, self).__init__(
            'the kernel reported that table %s changed while it was read (NLM_F_DUMP_INTR), '
            'again after several retries; run the task again' % table)


__all__ = ['SocketToolError', 'ArgsError', 'NamespaceError', 'NetlinkError', 'TableNotSupported', 'DumpInterrupted']
