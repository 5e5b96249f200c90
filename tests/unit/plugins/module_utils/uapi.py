# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support: netlink messages built by hand from the UAPI layouts, and a fake sock_diag socket.

Layouts: linux/netlink.h (nlmsghdr, nlmsgerr), linux/inet_diag.h
(inet_diag_msg, its attributes), linux/unix_diag.h (unix_diag_msg), linux/vm_sockets_diag.h
(vsock_diag_msg), linux/tipc_netlink.h (the TIPC_NLA_SOCK nest of a tipc
sock_diag reply), linux/xdp_diag.h (xdp_diag_msg and its attributes),
linux/socket.h (__kernel_sockaddr_storage, 128 bytes), linux/in.h and
linux/in6.h (sockaddr_in, sockaddr_in6), linux/sctp.h (struct sctp_info,
368 bytes). Used where a test needs bytes the running kernel does not send
(errors, odd sizes, foreign sequence numbers, tables this kernel has no diag
module for).
"""

from __future__ import annotations

import socket
import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_UNIX, AF_VSOCK, AF_XDP

# linux/unix_diag.h attribute types
UNIX_DIAG_NAME, UNIX_DIAG_PEER, UNIX_DIAG_RQLEN, UNIX_DIAG_UID = 0, 2, 4, 7


def msg(payload, mtype=20, flags=nl.NLM_F_MULTI, seq=nl.MAGIC_SEQ):
    return nl.nlmsg(mtype, flags, payload, seq=seq)


def done(err=0, flags=nl.NLM_F_MULTI):
    return msg(struct.pack('=i', err), mtype=nl.NLMSG_DONE, flags=flags)


def error(err):
    return msg(struct.pack('=i', -err) + b'\0' * 16, mtype=nl.NLMSG_ERROR, flags=0)


def inet_msg(family=AF_INET, state=10, sport=22, dport=0, src='0.0.0.0', dst='0.0.0.0', ifindex=0, cookie=(3, 0),
             rq=0, wq=128, uid=0, inode=411, timer=0, retrans=0, expires=0, attrs=b'', seq=nl.MAGIC_SEQ,
             flags=nl.NLM_F_MULTI):
    fam = socket.AF_INET if family == AF_INET else socket.AF_INET6
    s = socket.inet_pton(fam, src).ljust(16, b'\0')
    d = socket.inet_pton(fam, dst).ljust(16, b'\0')
    body = struct.pack('=BBBB', family, state, timer, retrans) + struct.pack('>HH', sport, dport) + s + d
    body += struct.pack('=III', ifindex, cookie[0], cookie[1]) + struct.pack('=IIIII', expires, rq, wq, uid, inode)
    return msg(body + attrs, seq=seq, flags=flags)


def destroy_msg(family=AF_INET, protocol=6, state=7, sport=5599, dport=54344, src='127.0.0.1', dst='127.0.0.1', rq=0,
                wq=0, cookie=(0x3b5c, 0)):
    """A destroyed socket as the kernel multicasts it to the SKNLGRP_*_DESTROY groups (net/ipv4/inet_diag.c
    inet_diag_handler_get_info): flags, seq and pid 0, uid, inode and timer 0, INET_DIAG_PROTOCOL (10) and, for TCP,
    INET_DIAG_INFO (2, a 280-byte struct tcp_info)."""
    attrs = nl.rtattr(10, bytes([protocol])) + (nl.rtattr(2, b'\x07' + b'\0' * 279) if protocol == 6 else b'')
    return inet_msg(family=family, state=state, sport=sport, dport=dport, src=src, dst=dst, rq=rq, wq=wq, uid=0,
                    inode=0, cookie=cookie, attrs=attrs, seq=0, flags=0)


class FakeSock(object):
    """Stands in for a NETLINK_SOCK_DIAG socket: each recv returns the next chunk."""

    def __init__(self, chunks):
        self.chunks = list(chunks)
        self.sent = []
        self.closed = False

    def send(self, data):
        self.sent.append(data)
        return len(data)

    def recv_into(self, buf):
        data = self.chunks.pop(0)
        buf[:len(data)] = data
        return len(data)

    def close(self):
        self.closed = True


def unix_msg(stype=1, state=10, inode=1234, name=None, peer=None, rq=(0, 5), uid=1000, cookie=(9, 0), attrs=b''):
    if name is not None:
        attrs += nl.rtattr(UNIX_DIAG_NAME, name)
    if peer is not None:
        attrs += nl.rtattr(UNIX_DIAG_PEER, struct.pack('=I', peer))
    attrs += nl.rtattr(UNIX_DIAG_RQLEN, struct.pack('=II', *rq)) + nl.rtattr(UNIX_DIAG_UID, struct.pack('=I', uid))
    return msg(struct.pack('=BBBBIII', AF_UNIX, stype, state, 0, inode, cookie[0], cookie[1]) + attrs)


def vsock_msg(stype=1, state=10, src_cid=3, src_port=1024, dst_cid=0xffffffff, dst_port=0xffffffff, inode=700,
              cookie=(5, 0), shutdown=0, tail=b''):
    """One struct vsock_diag_msg (32 bytes; `tail` stands for fields a newer kernel would append)."""
    return msg(struct.pack('=BBBBIIIIIII', AF_VSOCK, stype, state, shutdown, src_cid, src_port, dst_cid, dst_port, inode,
                           cookie[0], cookie[1]) + tail)


def tipc_sock(stype=1, state=1, node=4711, ref=2000, con=None, publ=False, rcvq=0, sendq=0, drop=0, link_cong=False,
              conn_cong=False, inode=800, uid=0, cookie=0x1234, extra=b''):
    """The TIPC_NLA_SOCK nest of a tipc reply, in the kernel's order (tipc_sk_fill_sock_diag).

    con: None (not connected) or (peer node, peer port[, (name type, name instance)]).
    """
    attrs = nl.rtattr(2, struct.pack('=I', ref)) + nl.rtattr(1, struct.pack('=I', node))
    if con is not None:
        inner = nl.rtattr(2, struct.pack('=I', con[0])) + nl.rtattr(3, struct.pack('=I', con[1]))
        if len(con) > 2:
            inner += nl.rtattr(1, b'') + nl.rtattr(4, struct.pack('=I', con[2][0])) + nl.rtattr(5, struct.pack('=I', con[2][1]))
        attrs += nl.rtattr(3, inner)
    elif publ:
        attrs += nl.rtattr(4, b'')
    attrs += (nl.rtattr(6, struct.pack('=I', stype)) + nl.rtattr(9, struct.pack('=I', state)) + nl.rtattr(7, struct.pack('=I', inode))
              + nl.rtattr(8, struct.pack('=I', uid)) + nl.rtattr(10, struct.pack('=Q', cookie)))
    stat = nl.rtattr(0, struct.pack('=I', rcvq)) + nl.rtattr(1, struct.pack('=I', sendq)) + nl.rtattr(4, struct.pack('=I', drop))
    if link_cong:
        stat += nl.rtattr(2, b'')
    if conn_cong:
        stat += nl.rtattr(3, b'')
    return nl.rtattr(2, attrs + nl.rtattr(5, stat) + extra)


def tipc_msg(*socks, **kw):
    """One tipc reply: no fixed header, the payload is the attributes (a TIPC_NLA_SOCK nest, or none)."""
    return msg(b''.join(socks) if socks else tipc_sock(**kw))


def xdp_msg(ifindex=1, queue=0, uid=0, inode=900, cookie=(7, 0), rmem=0, stype=3, attrs=b''):
    """One struct xdp_diag_msg with XDP_DIAG_INFO (ifindex None: none), XDP_DIAG_UID, XDP_DIAG_MEMINFO and `attrs`."""
    body = struct.pack('=BBHIII', AF_XDP, stype, 0, inode, cookie[0], cookie[1])
    if ifindex is not None:
        body += nl.rtattr(1, struct.pack('=II', ifindex, queue)) + nl.rtattr(2, struct.pack('=I', uid))
    body += nl.rtattr(8, struct.pack('=9I', rmem, 1, 2, 3, 4, 5, 6, 7, 8))
    return msg(body + attrs)


def sockaddr_storage(address, port=0, family=None):
    """struct __kernel_sockaddr_storage (128 bytes) holding a sockaddr_in (family 2: u16 family, be16 port, 4-byte
    address at 4) or a sockaddr_in6 (family 10: u16 family, be16 port, u32 flowinfo, 16-byte address at 8, u32
    scope id); family picks another ss_family with the bytes left 0."""
    if family is None:
        family = AF_INET6 if ':' in address else AF_INET
    if family == AF_INET:
        body = struct.pack('=H', family) + struct.pack('>H', port) + socket.inet_pton(socket.AF_INET, address)
    elif family == AF_INET6:
        body = struct.pack('=H', family) + struct.pack('>H', port) + b'\0' * 4 + socket.inet_pton(socket.AF_INET6, address)
    else:
        body = struct.pack('=H', family)
    return body.ljust(128, b'\0')


# struct sctp_info (linux/sctp.h): (offset, format, field without sctpi_); the sockaddr_storage
# sctpi_p_address is at 168, the whole struct 368 bytes
SCTP_INFO_LAYOUT = {
    'tag': (0, 'I'), 'state': (4, 'I'), 'rwnd': (8, 'I'), 'unackdata': (12, 'H'), 'penddata': (14, 'H'),
    'instrms': (16, 'H'), 'outstrms': (18, 'H'), 'fragmentation_point': (20, 'I'), 'inqueue': (24, 'I'),
    'outqueue': (28, 'I'), 'overall_error': (32, 'I'), 'max_burst': (36, 'I'), 'maxseg': (40, 'I'),
    'peer_rwnd': (44, 'I'), 'peer_tag': (48, 'I'), 'peer_capable': (52, 'B'), 'peer_sack': (53, 'B'),
    'isacks': (56, 'Q'), 'osacks': (64, 'Q'), 'opackets': (72, 'Q'), 'ipackets': (80, 'Q'), 'rtxchunks': (88, 'Q'),
    'outofseqtsns': (96, 'Q'), 'idupchunks': (104, 'Q'), 'gapcnt': (112, 'Q'), 'ouodchunks': (120, 'Q'),
    'iuodchunks': (128, 'Q'), 'oodchunks': (136, 'Q'), 'iodchunks': (144, 'Q'), 'octrlchunks': (152, 'Q'),
    'ictrlchunks': (160, 'Q'), 'p_state': (296, 'i'), 'p_cwnd': (300, 'I'), 'p_srtt': (304, 'I'), 'p_rto': (308, 'I'),
    'p_hbinterval': (312, 'I'), 'p_pathmaxrxt': (316, 'I'), 'p_sackdelay': (320, 'I'), 'p_sackfreq': (324, 'I'),
    'p_ssthresh': (328, 'I'), 'p_partial_bytes_acked': (332, 'I'), 'p_flight_size': (336, 'I'), 'p_error': (340, 'H'),
    's_autoclose': (344, 'I'), 's_adaptation_ind': (348, 'I'), 's_pd_point': (352, 'I'), 's_nodelay': (356, 'B'),
    's_disable_fragments': (357, 'B'), 's_v4mapped': (358, 'B'), 's_frag_interleave': (359, 'B'), 's_type': (360, 'I'),
}


def sctp_info(size=368, p_address=None, **fields):
    """struct sctp_info with the given fields (the rest 0), cut to `size` bytes (an older kernel's shorter struct)."""
    data = bytearray(368)
    for name, value in fields.items():
        off, fmt = SCTP_INFO_LAYOUT[name]
        struct.pack_into('=' + fmt, data, off, value)
    if p_address is not None:
        data[168:296] = sockaddr_storage(*p_address)
    return bytes(data[:size])
