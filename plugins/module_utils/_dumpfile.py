# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Captures of the TCP table in the format `ss -D FILE` writes: writing them, and reading them back.

The format is what the kernel sends, verbatim: the answer to each TCP dump
request (IPv4, then IPv6, unless -4/-6), that is netlink messages
(nlmsghdr + inet_diag_msg + attributes) one after the other, each dump
ending with its NLMSG_DONE. There is no file header.

Writing (dump_file, ss -D): the requests ss sends (state mask, idiag_ext from
-m/-i/--tos, no bytecode), every datagram of the answers written as received.

Reading (from_dump, ss's TCPDIAG_FILE): the whole file is checked before
anything is decoded, so a truncated or corrupt capture is an error that says
where, never a partial listing. Unlike ss, every dump in the file is read
(ss stops at the first NLMSG_DONE and never shows the IPv6 half, B-2), and
the state mask and the family options select sockets as they would on the
kernel (ss ignores them for a file); see docs/differences.md.
"""

from __future__ import annotations

import collections
import errno
import os
import stat
import struct
import tempfile

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._errors import (
    CaptureError, DumpInterrupted, SocketToolError, TableNotSupported, shown, strerror,
)
from ansible_collections.netdiag.ss.plugins.module_utils._files import read_regular_file
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, FAMILY_TEXT

# The largest capture from_dump reads (about 600,000 sockets without details).
MAX_CAPTURE_BYTES = 64 << 20
# Answers a capture may hold: SOCK_DIAG_BY_FAMILY (20), and TCPDIAG_GETSOCK (18), the type of the answers
# to the legacy request that ss falls back to when the inet_diag_req_v2 dump fails.
ANSWER_TYPES = frozenset((nl.SOCK_DIAG_BY_FAMILY, 18))
INET_DIAG_MSG_LEN = 72
_RETRIES = 5
_ERR = struct.Struct('=i')

# A capture read and checked: `data` the file's bytes, `sections` one tuple of (offset, length) of the socket
# messages per dump (each ended by an NLMSG_DONE), in file order.
Capture = collections.namedtuple('Capture', 'name data sections')


def parse_capture(data, name='capture'):
    """Check a capture's bytes and return its Capture (raises CaptureError saying what is wrong, and where)."""
    size = len(data)
    if not size:
        raise CaptureError('%s is empty: a capture (ss -D) holds netlink messages, each dump ending with NLMSG_DONE'
                           % name)
    sections, current = [], []
    off = number = 0
    while off < size:
        number += 1
        where = 'message %d (offset %d)' % (number, off)
        if size - off < nl.NLMSG_HDR.size:
            raise CaptureError('%s is truncated: it ends inside the header of %s (%d of 16 bytes)'
                               % (name, where, size - off))
        mlen, mtype, _flags, _seq, _pid = nl.NLMSG_HDR.unpack_from(data, off)
        if mlen < nl.NLMSG_HDR.size:
            raise CaptureError('%s is corrupt: %s gives its length as %d bytes (a netlink message has at least 16)'
                               % (name, where, mlen))
        end = off + ((mlen + 3) & ~3)
        if end > size:
            raise CaptureError('%s is truncated: %s announces %d bytes, and only %d remain in the file'
                               % (name, where, mlen, size - off))
        if mtype == nl.NLMSG_DONE:
            if mlen >= 20 and _ERR.unpack_from(data, off + 16)[0] < 0:
                err = -_ERR.unpack_from(data, off + 16)[0]
                raise CaptureError('%s records a failed dump: its NLMSG_DONE (%s) carries the error %s (errno %d)'
                                   % (name, where, strerror(err), err))
            sections.append(tuple(current))
            current = []
        elif mtype == nl.NLMSG_ERROR:
            err = -_ERR.unpack_from(data, off + 16)[0] if mlen >= 20 else 0
            raise CaptureError("%s records a failed dump: %s is the kernel's error answer (%s, errno %d)"
                               % (name, where, strerror(err) if err else 'truncated', err))
        elif mtype not in ANSWER_TYPES:
            raise CaptureError('%s is not a capture written by ss -D: %s has type %d, not a sock_diag answer (20)'
                               % (name, where, mtype))
        elif mlen < nl.NLMSG_HDR.size + INET_DIAG_MSG_LEN:
            raise CaptureError('%s is corrupt: %s is %d bytes, too short for a socket (16 + 72 bytes at least)'
                               % (name, where, mlen))
        elif data[off + 16] not in (AF_INET, AF_INET6):
            raise CaptureError('%s is not a TCP capture: %s is a socket of family %d, not inet (2) or inet6 (10)'
                               % (name, where, data[off + 16]))
        else:
            current.append((off, mlen))
        off = end
    if current or not sections:
        raise CaptureError('%s is truncated: no NLMSG_DONE follows its last %d message(s)' % (name, len(current)))
    return Capture(name, data, tuple(sections))


def read_capture(path, limit=MAX_CAPTURE_BYTES):
    """Read and check the capture at `path` (a regular file of at most `limit` bytes); return its Capture.

    A FIFO, a device or anything else that is not a regular file is refused
    before it is read (opened without blocking), so nothing can hang or fill
    the memory.
    """
    data = read_regular_file(path, limit, CaptureError, 'from_dump', 'a capture written by ss -D or dump_file',
                             opening='cannot open')
    return parse_capture(data, 'from_dump: ' + path)


def capture_chunks(capture, states=None, families=None):
    """The capture's sockets as a dump's chunks ([(buf, [(offset, length), ...])], see _netlink.dump).

    Only sockets whose state is in the `states` mask and whose family is in
    `families` (None: every one), as the kernel would select them.
    """
    data = capture.data
    msgs = [(off, mlen) for section in capture.sections for off, mlen in section
            if (states is None or (states >> data[off + 17]) & 1) and (families is None or data[off + 16] in families)]
    return [(data, msgs)]


def dump_families(request):
    """The inet dumps -D sends, in order: those of the family set's inet families."""
    return [family for family in request.inet_families if family in request.families]


class _Tally(object):
    """What a capture holds, counted datagram by datagram as it is written: bytes, messages, NLMSG_DONEs."""

    def __init__(self):
        self.bytes = self.messages = self.dones = 0

    def add(self, datagram):
        """Count one datagram of a dump's answer (already checked by _netlink's reader)."""
        self.bytes += len(datagram)
        unpack = nl.NLMSG_HDR.unpack_from
        off, size = 0, len(datagram)
        while off + nl.NLMSG_HDR.size <= size:
            mlen, mtype = unpack(datagram, off)[:2]
            if mlen < nl.NLMSG_HDR.size:
                break
            self.messages += 1
            if mtype == nl.NLMSG_DONE:
                self.dones += 1
            off += (mlen + 3) & ~3


def stream_tcp(request, write, restart=None, open_socket=None):
    """Send the TCP dump requests of `request` as `ss -D` does; hand every datagram of the answers to write(bytes).

    Requests as ss sends them with -D: the state mask, idiag_ext from the
    -m/-i/--tos details, no bytecode. Nothing is kept here: a datagram is
    handed on as soon as it is read, so a capture of any size needs one
    read buffer. A dump the kernel marks interrupted (or whose read fails
    with ENOBUFS) is read again from the start: restart() is called first,
    so that what was written of it can be thrown away. Returns a _Tally of
    what was written. open_socket() defaults to _netlink.open_socket.
    """
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import inet_ext, inet_request
    ext = inet_ext(request.details)
    for attempt in range(_RETRIES):
        try:
            sock = (open_socket or nl.open_socket)()
        except OSError as exc:
            raise SocketToolError('dump_file: cannot open a sock_diag socket to read the TCP table: %s'
                                  % (exc.strerror or exc))
        tally = _Tally()
        try:
            for family in dump_families(request):
                answers = nl.dump_raw(sock, inet_request(family, 'tcp', request.states, None, ext), 'tcp')
                while True:
                    try:
                        datagram = next(answers)
                    except StopIteration:
                        break
                    except OSError as exc:      # the socket's, not the file's (write() raises those)
                        raise SocketToolError('dump_file: reading the TCP table failed: %s' % (exc.strerror or exc))
                    tally.add(datagram)
                    write(datagram)
            return tally
        except DumpInterrupted:
            if attempt == _RETRIES - 1:
                raise
            if restart is not None:
                restart()
        except TableNotSupported as exc:
            raise SocketToolError('dump_file: this kernel cannot dump the TCP table over sock_diag (%s)'
                                  % os.strerror(exc.errno))
        finally:
            sock.close()
    raise AssertionError('not reached')     # pragma: no cover


def check_target(path):
    """Refuse a dump_file target that is not a regular file (or not there yet) in an existing directory, and, in a
    sticky directory others can write (/tmp), a symbolic link or a file another user put there (as the kernel's
    fs.protected_symlinks and fs.protected_regular refuse them, which a rename over the file would pass by)."""
    if path == '-':
        raise SocketToolError('dump_file: "-" is standard output for ss -D; a module cannot write there, give a path')
    if '\0' in path:
        raise SocketToolError('dump_file: %s has a NUL character, which no file name can hold' % shown(path))
    if path.endswith('/'):
        raise SocketToolError('dump_file: %s ends with "/", a directory; give the path of a file to write' % path)
    try:
        link = os.lstat(path)
    except OSError:
        link = None                     # not there (yet): nothing to follow
    if link is not None and stat.S_ISLNK(link.st_mode):
        _check_shared_directory(path, link.st_uid, 'a symbolic link', 'followed', 'symlinks')
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise SocketToolError('dump_file: cannot write %s: %s' % (path, exc.strerror))
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise SocketToolError('dump_file: %s is not a regular file; give the path of a file to write' % path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise SocketToolError('dump_file: cannot write %s: directory %s does not exist' % (path, directory))
    if info is not None:
        _check_shared_directory(target, info.st_uid, 'a file', 'overwritten', 'regular')
    return target, info


def _check_shared_directory(path, owner, kind, action, sysctl):
    """In a sticky directory that others may write, refuse `path` (`kind`, owned by uid `owner`) when neither this
    user nor the directory's owner owns it, as the kernel's fs.protected_`sysctl` refuses it to ss -D's fopen."""
    try:
        folder = os.stat(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return                          # what is not there is refused, or created, further on
    if not (folder.st_mode & stat.S_ISVTX and folder.st_mode & (stat.S_IWOTH | stat.S_IWGRP)):
        return
    if owner not in (os.geteuid(), folder.st_uid):
        raise SocketToolError(
            'dump_file: %s is %s owned by uid %d in a sticky directory others can write: not %s (the kernel\'s '
            'fs.protected_%s refuses it to ss -D as well); remove it, or write elsewhere'
            % (path, kind, owner, action, sysctl))


def _replace(path, fill):
    """Write `path` at once: fill(file) writes a new file next to it, which is then renamed over it.

    Symbolic links are followed (not another user's in a sticky directory:
    check_target). A file that exists keeps its permissions, extended
    attributes (ACL, security label) and owner, where allowed; a new one gets
    0666 less the umask, as ss's fopen gives it. On any error the new file is removed and the old one is
    left as it was. Returns what fill() returned.
    """
    target, info = check_target(path)
    try:
        # a short name of its own: the file's name plus a prefix could pass NAME_MAX
        fd, tmp = tempfile.mkstemp(prefix='.ndss-', suffix='.tmp', dir=os.path.dirname(target))
    except OSError as exc:
        raise SocketToolError('dump_file: cannot write %s: %s' % (path, exc.strerror))
    try:
        with os.fdopen(fd, 'wb') as f:
            result = fill(f)
            f.flush()
            os.fsync(f.fileno())
        if info is not None:
            os.chmod(tmp, stat.S_IMODE(info.st_mode))
            try:
                os.chown(tmp, info.st_uid, info.st_gid)
            except OSError:
                pass
            _copy_xattrs(target, tmp)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise SocketToolError('dump_file: cannot write %s: %s' % (path, exc.strerror or exc))
        raise
    return result


def _copy_xattrs(source, dest):
    """Give `dest` the extended attributes of `source`: its ACL (whose mask the group bits of the mode only show) and
    its security label. One that cannot be kept fails the write: the capture must not be readable by more users
    than the file it replaces."""
    names = getattr(os, 'listxattr', None)
    if names is None:
        return
    try:
        attrs = names(source)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return                      # the file system has none
        raise
    for name in attrs:
        os.setxattr(dest, name, os.getxattr(source, name))


def dump_to_file(request, check_mode=False, open_socket=None):
    """Dump the TCP table of `request` into request.dump_file (not in check mode); return what was (or would be) written.

    The namespace is entered first (-N), as for a listing. The answers are
    written to the new file as they are read (never held in memory); in
    check mode they are only counted. The result: path, written (false in
    check mode), bytes, messages (with the NLMSG_DONEs), sockets and the
    families dumped.
    """
    check_target(request.dump_file)
    if request.netns:
        from ansible_collections.netdiag.ss.plugins.module_utils._netns import enter
        enter(request.netns)
    if check_mode:
        tally = stream_tcp(request, lambda datagram: None, open_socket=open_socket)
    else:
        def fill(f):
            def restart():
                f.seek(0)
                f.truncate()
            return stream_tcp(request, f.write, restart, open_socket)
        tally = _replace(request.dump_file, fill)
    return {
        'path': request.dump_file,
        'written': not check_mode,
        'bytes': tally.bytes,
        'messages': tally.messages,
        'sockets': tally.messages - tally.dones,
        'families': [FAMILY_TEXT[family] for family in dump_families(request)],
    }


__all__ = ['Capture', 'MAX_CAPTURE_BYTES', 'ANSWER_TYPES', 'parse_capture', 'read_capture', 'capture_chunks',
           'dump_families', 'stream_tcp', 'check_target', 'dump_to_file']
