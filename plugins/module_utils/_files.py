# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Files a user names (a filter file, a capture): read whole, with a limit, never waiting on one."""

from __future__ import annotations

import errno
import os
import stat

from ansible_collections.netdiag.ss.plugins.module_utils._errors import shown


def read_regular_file(path, limit, error, option, what, opening='cannot read'):
    """The bytes of the regular file at `path`, at most `limit` of them.

    Anything but a regular file (a FIFO, /dev/zero, a directory) is refused
    before it is read (opened without blocking), so nothing can hang or fill
    the memory; a file that grows past the limit while it is read is refused
    too. Errors are `error` (a SocketToolError class), each message starting
    with `option` ("filter_file: ..."); `what` says what the file should hold
    ("the filter expression"), `opening` how a failed open() is put.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_CLOEXEC', 0))
    except OSError as exc:
        # the reason alone: str(exc) would name the path a second time
        raise error('%s: %s %s: %s' % (option, opening, path, exc.strerror or exc))
    except ValueError:   # open() refuses a NUL byte in the path
        raise error('%s: %s %s: a path cannot hold a NUL byte' % (option, opening, shown(path)))
    except TypeError as exc:
        raise error('%s: %s %s: %s' % (option, opening, shown(path), exc))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error('%s: cannot read %s: %s' % (option, path, os.strerror(errno.EISDIR)))
        if not stat.S_ISREG(info.st_mode):
            raise error('%s: %s is not a regular file; give a file that holds %s' % (option, path, what))
        if info.st_size > limit:
            raise error('%s: %s is %d bytes, more than the %d bytes this module reads' % (option, path, info.st_size, limit))
        pieces, total = [], 0
        while True:
            piece = os.read(fd, min(1 << 20, limit + 1 - total))
            if not piece:
                break
            pieces.append(piece)
            total += len(piece)
            if total > limit:
                raise error('%s: %s grew past the %d bytes this module reads' % (option, path, limit))
    except OSError as exc:
        raise error('%s: cannot read %s: %s' % (option, path, exc.strerror or exc))
    finally:
        os.close(fd)
    return b''.join(pieces)
