# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""NETLINK_SOCK_DIAG transport: dump requests and their multipart replies, and acknowledged requests.

Standard library only (socket, struct), Python 3.8+.
"""

from __future__ import annotations

import errno
import socket
import struct

from ansible_collections.netdiag.ss.plugins.module_utils._errors import (
    DumpInterrupted, NetlinkError, TableNotSupported,
)

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
SOCK_DESTROY = 21

NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP = 0x300  # NLM_F_ROOT | NLM_F_MATCH

NLMSG_HDR = struct.Struct('=IHHII')
RTA_HDR = struct.Struct('=HH')
_ERR = struct.Struct('=i')

MAGIC_SEQ = 123456
RCVBUF = 4 << 20
_RECV_SIZE = 1 << 16

# errnos meaning "the kernel has no handler for this table"
UNSUPPORTED_ERRNOS = frozenset((errno.ENOENT, errno.EOPNOTSUPP, errno.EPROTONOSUPPORT, errno.EAFNOSUPPORT))


def nlmsg(msg_type, flags, payload, seq=MAGIC_SEQ):
    """Return one netlink message: header + payload (payload padded to 4)."""
    pad = (-len(payload)) & 3
    return NLMSG_HDR.pack(16 + len(payload), msg_type, flags, seq, 0) + payload + b'\0' * pad


def rtattr(attr_type, payload):
    """Return one netlink attribute, padded to 4 bytes."""
    pad = (-len(payload)) & 3
    return RTA_HDR.pack(4 + len(payload), attr_type) + payload + b'\0' * pad


def iter_attrs(buf, off, end):
    """Yield (type, start, length) of each attribute in buf[off:end].

    `type` has NLA_F_NESTED / NLA_F_NET_BYTEORDER removed.
    """
    unpack = RTA_HDR.unpack_from
    while off + 4 <= end:
        alen, atype = unpack(buf, off)
        if alen < 4 or off + alen > end:
            return
        yield atype & 0x3fff, off + 4, alen - 4
        off += (alen + 3) & ~3


def open_socket(groups=0):
    """Open a NETLINK_SOCK_DIAG socket with a large receive buffer, bound to the multicast `groups` (a bit mask)."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | getattr(socket, 'SOCK_CLOEXEC', 0), NETLINK_SOCK_DIAG)
    try:
        try:
            sock.setsockopt(socket.SOL_SOCKET, 33, RCVBUF)  # SO_RCVBUFFORCE (root only)
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        sock.bind((0, groups))
    except Exception:
        sock.close()
        raise
    return sock


def dump(sock, payload, table, msg_type=SOCK_DIAG_BY_FAMILY):
    """Send one dump request; yield (buf, [(offset, length), ...]) for each read.

    Each read holds many replies; yielding them a read at a time (not a
    message at a time) keeps the per-socket cost low. `buf` is reused
    between reads: decode a chunk before asking for the next one; nothing of
    the answer is kept beyond the chunk being decoded, so a dump of any size
    needs one buffer.
    Errors become NetlinkError / TableNotSupported. A dump to read again
    raises DumpInterrupted: the kernel flagged it NLM_F_DUMP_INTR (the table
    changed while it was read), or a read failed with ENOBUFS (the kernel
    could not queue a reply; the dump is stopped: reading on could wait
    forever). When `sock` has an attribute `dump_interrupted` (a callable),
    NLM_F_DUMP_INTR calls it with the table instead, and the dump goes on to
    its end, as ss does: for the caller's last try.
    """
    sock.send(nlmsg(msg_type, NLM_F_REQUEST | NLM_F_DUMP, payload))
    buf = bytearray(_RECV_SIZE)
    recv_into = sock.recv_into
    interrupted = getattr(sock, 'dump_interrupted', None)
    while True:
        n = _recv(recv_into, buf, table)
        if n == 0:
            return
        msgs, finished, intr = _split(buf, n, table)
        if intr:
            if interrupted is None:
                raise DumpInterrupted(table)
            interrupted(table)
        if msgs:
            yield buf, msgs
        if finished:
            return


def dump_raw(sock, payload, table, msg_type=SOCK_DIAG_BY_FAMILY):
    """Send one dump request; yield every datagram of the answer as bytes, verbatim (what `ss -D` writes).

    The last datagram holds the NLMSG_DONE. Errors, NLM_F_DUMP_INTR and
    ENOBUFS are raised as by dump() (always), so a failed or interrupted
    dump yields no DONE.
    """
    sock.send(nlmsg(msg_type, NLM_F_REQUEST | NLM_F_DUMP, payload))
    buf = bytearray(_RECV_SIZE)
    while True:
        n = _recv(sock.recv_into, buf, table)
        if n == 0:
            raise NetlinkError(errno.EBADMSG, table)     # the answer ended without NLMSG_DONE
        _msgs, finished, intr = _split(buf, n, table)
        if intr:
            raise DumpInterrupted(table)
        yield bytes(buf[:n])
        if finished:
            return


def _recv(recv_into, buf, table):
    """One read of a dump's answer; ENOBUFS (a reply the kernel could not queue) raises DumpInterrupted."""
    try:
        return recv_into(buf)
    except OSError as exc:
        if exc.errno == errno.ENOBUFS:
            raise DumpInterrupted(table, overrun=True)
        raise


def _split(buf, n, table):
    """Validate the messages of one read; return ([(offset, length)], dump finished, a message flagged NLM_F_DUMP_INTR)."""
    unpack = NLMSG_HDR.unpack_from
    msgs = []
    append = msgs.append
    intr = False
    off = 0
    while off + 16 <= n:
        mlen, mtype, flags, seq, _pid = unpack(buf, off)
        if mlen < 16 or off + mlen > n:
            raise NetlinkError(errno.EBADMSG, table)
        if seq == MAGIC_SEQ:
            if flags & NLM_F_DUMP_INTR:
                intr = True
            if mtype == NLMSG_DONE:
                # A dump that failed before its first message carries the
                # error in DONE's payload (e.g. -ENOENT: no handler for it).
                if mlen >= 20:
                    _raise_errno(-_ERR.unpack_from(buf, off + 16)[0], table, allow_zero=True)
                return msgs, True, intr
            if mtype == NLMSG_ERROR:
                if mlen < 20:
                    raise NetlinkError(errno.EBADMSG, table)     # an error answer without its errno
                _raise_errno(-_ERR.unpack_from(buf, off + 16)[0], table, allow_zero=True)
                return msgs, True, intr
            append((off, mlen))
        off += (mlen + 3) & ~3
    return msgs, False, intr


def _raise_errno(err, table, allow_zero=False):
    if err == 0 and allow_zero:
        return
    if err in UNSUPPORTED_ERRNOS:
        raise TableNotSupported(err, table)
    if err > 0:
        raise NetlinkError(err, table)


def request_ack(sock, msg_type, payload, table, seq=MAGIC_SEQ + 1):
    """Send one request with NLM_F_ACK (e.g. SOCK_DESTROY) and return the errno of its answer (0: done).

    Replies to other sequence numbers are skipped. A malformed reply raises
    NetlinkError(EBADMSG).
    """
    sock.send(nlmsg(msg_type, NLM_F_REQUEST | NLM_F_ACK, payload, seq=seq))
    buf = bytearray(_RECV_SIZE)
    unpack = NLMSG_HDR.unpack_from
    while True:
        n = sock.recv_into(buf)
        if n == 0:
            raise NetlinkError(errno.EBADMSG, table, 'request')
        off = 0
        while off + 16 <= n:
            mlen, mtype, _flags, rseq, _pid = unpack(buf, off)
            if mlen < 16 or off + mlen > n:
                raise NetlinkError(errno.EBADMSG, table, 'request')
            if rseq == seq and mtype == NLMSG_ERROR:
                if mlen < 20:
                    raise NetlinkError(errno.EBADMSG, table, 'request')
                return -_ERR.unpack_from(buf, off + 16)[0]
            off += (mlen + 3) & ~3


__all__ = ['NETLINK_SOCK_DIAG', 'SOCK_DIAG_BY_FAMILY', 'SOCK_DESTROY', 'NLMSG_ERROR', 'NLMSG_DONE',
           'NLM_F_REQUEST', 'NLM_F_MULTI', 'NLM_F_ACK', 'NLM_F_DUMP', 'NLM_F_DUMP_INTR', 'NLMSG_HDR', 'RTA_HDR',
           'MAGIC_SEQ', 'UNSUPPORTED_ERRNOS', 'nlmsg', 'rtattr', 'iter_attrs', 'open_socket', 'dump', 'dump_raw',
           'request_ack']
