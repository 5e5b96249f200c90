# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Enter a named network namespace (like `ss -N NAME`), never creating one."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, NamespaceError, shown

NETNS_RUN_DIR = '/var/run/netns'
CLONE_NEWNET = 0x40000000


def bad_name(name):
    """Why `name` cannot name a namespace (not a plain file name: empty, '.', '..', with '/' or NUL), or None."""
    if not name or '/' in name or name in ('.', '..') or '\0' in name:
        return 'netns: %s is not a valid namespace name: give the name of a file in %s, as ip netns lists them' \
            % (shown(name), NETNS_RUN_DIR)
    return None


def check_name(name):
    """Refuse a namespace option that names no namespace (ArgsError), before anything is read: an empty name (a
    template that came out empty) would read the host's own namespace. None (no option) passes."""
    why = bad_name(name) if name is not None else None
    if why:
        raise ArgsError(why)


def netns_path(name):
    """Path of a named namespace; rejects names that are not plain file names."""
    why = bad_name(name)
    if why:
        raise NamespaceError(why)
    return os.path.join(NETNS_RUN_DIR, name)


def enter(name):
    """Switch this process into network namespace `name` (from /var/run/netns)."""
    path = netns_path(name)
    try:
        # O_NONBLOCK: a FIFO (or a device) put there by mistake fails at setns(), it cannot block the open
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_CLOEXEC', 0) | getattr(os, 'O_NONBLOCK', 0))
    except FileNotFoundError:
        raise NamespaceError('netns: network namespace "%s" does not exist (%s not found); '
                             'it is never created by this module' % (name, path))
    except OSError as exc:
        raise NamespaceError('netns: cannot open %s: %s' % (path, exc.strerror))
    try:
        if hasattr(os, 'setns'):  # Python 3.12+
            try:
                os.setns(fd, CLONE_NEWNET)
            except OSError as exc:
                raise _cannot_enter(name, exc.errno)
        else:
            libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6', use_errno=True)
            if libc.setns(fd, CLONE_NEWNET) != 0:
                raise _cannot_enter(name, ctypes.get_errno())
    finally:
        os.close(fd)


def _cannot_enter(name, err):
    """The error for a setns() that failed; EPERM says which privilege it takes."""
    if err == errno.EPERM:
        if os.geteuid() != 0:
            return NamespaceError('netns: cannot enter "%s": not root: entering a network namespace needs CAP_SYS_ADMIN, '
                                  'and nothing was read; run with become: true' % name)
        return NamespaceError('netns: cannot enter "%s": without CAP_SYS_ADMIN: entering a network namespace needs it, '
                              'and nothing was read' % name)
    if err == errno.EINVAL:
        return NamespaceError('netns: cannot enter "%s": %s is not a network namespace (setns: %s), and nothing was read'
                              % (name, netns_path(name), os.strerror(err)))
    return NamespaceError('netns: cannot enter "%s": %s' % (name, os.strerror(err)))


__all__ = ['enter', 'netns_path', 'bad_name', 'check_name', 'NETNS_RUN_DIR', 'CLONE_NEWNET']
