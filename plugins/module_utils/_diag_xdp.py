# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""xdp sock_diag: the dump request and the xdp_diag_msg decoder.

Layouts: linux/xdp_diag.h. As ss 6.1.0 (misc/ss.c xdp_show, xdp_show_sock,
xdp_stats_print, xdp_show_ring, xdp_show_umem, xdp_show_stats):

* the request has no state mask: the table is dumped only when the xdp
  family is selected and UNCONN (SS_CLOSE) is among the states, and every
  socket is UNCONN; the netid is always 'xdp';
* Recv-Q is SK_MEMINFO_RMEM_ALLOC (0 without XDP_DIAG_MEMINFO), Send-Q 0;
* a socket bound to a device prints 'IFNAME:' and 'q<QUEUE>' (its queue
  id); an unbound one (ifindex 0) prints '*' with no delimiter and no port;
  the peer is always '*' with no port;
* the filter sees the queue id as the local port, the device as the bound
  interface, addresses, remote port, mark and cgroup as 0 (run_ssfilter on
  ss's zeroed sockstat).

Records: local_address is the interface name (as ss prints it; 'if<N>' for
an index that no longer exists) or '*' when unbound, local_port the queue id
(null when unbound, where ss prints nothing), interface the same name (null
when unbound), peer_address '*', peer_port null. -e: `extended` holds the
rings (entries), the umem, its fill and completion rings and the
statistics; -m: `skmem`.

ss asks for every attribute (INFO, RING_CFG, UMEM, MEMINFO, STATS); this
request asks for RING_CFG, UMEM and STATS only with -e (the row needs INFO,
with the uid, and MEMINFO). An attribute shorter than its struct is
treated as absent; a longer one (a newer kernel's) is read for the known
fields.
"""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._cparse import to_s32
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32, U32X2, SockId, attr_map, each, skmem
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_XDP, SS_CLOSE

XDP_SHOW_INFO = 0x01
XDP_SHOW_RING_CFG = 0x02
XDP_SHOW_UMEM = 0x04
XDP_SHOW_MEMINFO = 0x08
XDP_SHOW_STATS = 0x10
XDP_DIAG_INFO = 1
XDP_DIAG_UID = 2
XDP_DIAG_RX_RING = 3
XDP_DIAG_TX_RING = 4
XDP_DIAG_UMEM = 5
XDP_DIAG_UMEM_FILL_RING = 6
XDP_DIAG_UMEM_COMPLETION_RING = 7
XDP_DIAG_MEMINFO = 8
XDP_DIAG_STATS = 9
XDP_DU_F_ZEROCOPY = 1

XDP_REQ = struct.Struct('=BBHIIII')         # struct xdp_diag_req: family, protocol, pad, ino, show, cookie[2]
XDP_MSG = struct.Struct('=BBHIII')          # struct xdp_diag_msg: family, type, pad, ino, cookie[2]
XDP_UMEM = struct.Struct('=QIIIIIIII')      # struct xdp_diag_umem
XDP_STATS = struct.Struct('=QQQQQQ')        # struct xdp_diag_stats
UMEM_FIELDS = ('size', 'id', 'num_pages', 'chunk_size', 'headroom', 'ifindex', 'queue_id', 'flags', 'refs')
STATS_FIELDS = ('rx_dropped', 'rx_invalid', 'rx_full', 'fill_ring_empty', 'tx_invalid', 'tx_ring_empty')
# extended key -> attribute of each ring (struct xdp_diag_ring: u32 entries)
RINGS = (('ring_rx', XDP_DIAG_RX_RING), ('ring_tx', XDP_DIAG_TX_RING), ('ring_fill', XDP_DIAG_UMEM_FILL_RING),
         ('ring_completion', XDP_DIAG_UMEM_COMPLETION_RING))


def xdp_request(details=frozenset()):
    show = XDP_SHOW_INFO | XDP_SHOW_MEMINFO
    if 'extended' in details:
        show |= XDP_SHOW_RING_CFG | XDP_SHOW_UMEM | XDP_SHOW_STATS
    return XDP_REQ.pack(AF_XDP, 0, 0, 0, show, 0, 0)


def decode_xdp(messages, ctx, out):
    unpack = XDP_MSG.unpack_from
    size = 16 + XDP_MSG.size
    match = ctx.match
    append = out.append
    for buf, off, mlen in each(messages):
        if mlen < size:
            continue        # shorter than any xdp_diag_msg the kernel sends: not a socket
        _family, stype, _pad, inode, c0, c1 = unpack(buf, off + 16)
        ifindex = queue = rq = 0
        uid = None
        for atype, aoff, alen in nl.iter_attrs(buf, off + size, off + mlen):
            if atype == XDP_DIAG_INFO and alen >= 8:
                ifindex, queue = U32X2.unpack_from(buf, aoff)
            elif atype == XDP_DIAG_UID and alen >= 4:
                uid = U32.unpack_from(buf, aoff)[0]
            elif atype == XDP_DIAG_MEMINFO and alen >= 4:
                rq = U32.unpack_from(buf, aoff)[0]
        lport = to_s32(queue)      # ss's int lport
        if match is not None and not match(SockView(AF_XDP, 'xdp', SS_CLOSE, 0, 0, lport, 0, ifindex)):
            continue
        name = ctx.ifname(ifindex)
        rec = {
            'netid': 'xdp', 'state': 'UNCONN', 'recv_q': rq, 'send_q': 0,
            'local_address': name or '*', 'local_port': queue if ifindex else None,
            'peer_address': '*', 'peer_port': None,
            'interface': name, 'family': 'xdp',
            'uid': uid, 'inode': inode, 'cookie': (c1 << 32) | c0,
        }
        if ctx.identity:
            rec[SOCKID] = SockId(AF_XDP, stype, b'', b'', 0, 0, ifindex, rec['cookie'], inode)
        if ctx.details:
            xdp_details(rec, attr_map(buf, off + size, off + mlen), ctx.details)
        append(rec)


def xdp_details(rec, attrs, details):
    """Add the detail keys to an xdp record, from its attributes {type: bytes}."""
    if 'extended' in details:
        ext = {}
        for key, atype in RINGS:
            ring = attrs.get(atype)
            ext[key] = {'entries': U32.unpack_from(ring)[0]} if ring is not None and len(ring) >= 4 else None
        umem = attrs.get(XDP_DIAG_UMEM)
        if umem is not None and len(umem) >= XDP_UMEM.size:
            ext['umem'] = dict(zip(UMEM_FIELDS, XDP_UMEM.unpack_from(umem)))
            ext['umem']['zerocopy'] = bool(ext['umem'].pop('flags') & XDP_DU_F_ZEROCOPY)
        else:
            ext['umem'] = None
        stats = attrs.get(XDP_DIAG_STATS)
        ext['stats'] = dict(zip(STATS_FIELDS, XDP_STATS.unpack_from(stats))) \
            if stats is not None and len(stats) >= XDP_STATS.size else None
        rec['extended'] = ext
    if 'memory' in details:
        rec['skmem'] = skmem(attrs.get(XDP_DIAG_MEMINFO))


def dump_xdp(sock, table, tables, states, ctx, out, bytecode=None, inet_families=None):
    if AF_XDP in ctx.families and states & (1 << SS_CLOSE):
        decode_xdp(nl.dump(sock, xdp_request(ctx.details), 'xdp'), ctx, out)


__all__ = ['xdp_request', 'decode_xdp', 'xdp_details', 'dump_xdp', 'UMEM_FIELDS', 'STATS_FIELDS']
