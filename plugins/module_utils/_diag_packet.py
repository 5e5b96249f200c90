# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""packet sock_diag: the dump request and the packet_diag_msg decoder (raw and dgram come in one dump)."""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._cparse import to_s32
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32, SockId, attr_map, each, skmem
from ansible_collections.netdiag.ss.plugins.module_utils._schema import MATCHES, SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_PACKET, ETH_P_ALL, SS_CLOSE, TABLE_BY_NAME

PACKET_SHOW_INFO = 0x01
PACKET_SHOW_RING_CFG = 0x04
PACKET_SHOW_FANOUT = 0x08
PACKET_SHOW_MEMINFO = 0x10
PACKET_SHOW_FILTER = 0x20
PACKET_DIAG_INFO = 0
PACKET_DIAG_RX_RING = 2
PACKET_DIAG_TX_RING = 3
PACKET_DIAG_FANOUT = 4
PACKET_DIAG_UID = 5
PACKET_DIAG_MEMINFO = 6
PACKET_DIAG_FILTER = 7

PACKET_INFO = struct.Struct('=IIIIII')      # struct packet_diag_info
PACKET_RING = struct.Struct('=IIIIIII')     # struct packet_diag_ring
RING_FIELDS = ('block_size', 'block_nr', 'frame_size', 'frame_nr', 'retire_tmo', 'sizeof_priv', 'features')
# pdi_flags bits, as ss -e names them
PACKET_FLAGS = ((1, 'running'), (2, 'auxdata'), (4, 'origdev'), (8, 'vnethdr'), (16, 'loss'))
FANOUT_TYPES = ('hash', 'lb', 'cpu', 'roll', 'random', 'qm')
SOCK_FILTER = struct.Struct('=HBBI')        # struct sock_filter

PACKET_REQ = struct.Struct('=BBHIIII')
PACKET_MSG = struct.Struct('=BBHIII')
PACKET_TABLE_BY_TYPE = {3: 'packet_raw', 2: 'packet_dgram'}


def packet_request(details=frozenset()):
    show = PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO
    if 'extended' in details:
        show |= PACKET_SHOW_RING_CFG | PACKET_SHOW_FANOUT
    if 'bpf' in details:
        show |= PACKET_SHOW_FILTER
    return PACKET_REQ.pack(AF_PACKET, 0, 0, 0, show, 0xffffffff, 0xffffffff)


def decode_packet(messages, tables, ctx, out):
    unpack = PACKET_MSG.unpack_from
    match = ctx.match
    append = out.append
    size = 16 + PACKET_MSG.size
    for buf, off, mlen in each(messages):
        if mlen < size:
            continue        # shorter than any packet_diag_msg the kernel sends: not a socket
        _family, stype, proto, inode, c0, c1 = unpack(buf, off + 16)
        table = PACKET_TABLE_BY_TYPE.get(stype)
        if table not in tables:
            continue
        ifindex = 0
        rq = 0
        uid = None
        for atype, aoff, alen in nl.iter_attrs(buf, off + 32, off + mlen):
            if atype == PACKET_DIAG_INFO and alen >= 4:
                ifindex = U32.unpack_from(buf, aoff)[0]
            elif atype == PACKET_DIAG_MEMINFO and alen >= 4:
                rq = U32.unpack_from(buf, aoff)[0]
            elif atype == PACKET_DIAG_UID and alen >= 4:
                uid = U32.unpack_from(buf, aoff)[0]
        netid = TABLE_BY_NAME[table].netid
        # ss filters packet sockets with remote address 0 and remote port 0
        hit = True
        if match is not None:
            # ss's port for it is the device index in an int: -1 for a removed device (4294967295)
            hit = match(SockView(AF_PACKET, netid, SS_CLOSE, proto, 0, to_s32(ifindex), 0, ifindex))
            if not hit:
                continue
        rec = {
            'netid': netid, 'state': 'UNCONN', 'recv_q': rq, 'send_q': 0,
            'local_address': '*' if proto == ETH_P_ALL else '[%d]' % proto,
            'local_port': ifindex, 'peer_address': '*', 'peer_port': None,
            'interface': ctx.ifname(ifindex), 'family': 'link',
            'uid': uid, 'inode': inode, 'cookie': (c1 << 32) | c0,
        }
        if ctx.identity:
            rec[SOCKID] = SockId(AF_PACKET, stype, b'', b'', 0, 0, ifindex, rec['cookie'], inode)
        if ctx.details:
            packet_details(rec, attr_map(buf, off + 32, off + mlen), ctx.details)
        if ctx.tagged:
            rec[MATCHES] = hit
        append(rec)


def _ring(data):
    return dict(zip(RING_FIELDS, PACKET_RING.unpack_from(data))) if data and len(data) >= PACKET_RING.size else None


def packet_details(rec, attrs, details):
    """Add the detail keys to a packet record, from its attributes {type: bytes}."""
    if 'extended' in details:
        info = attrs.get(PACKET_DIAG_INFO)
        fanout = attrs.get(PACKET_DIAG_FANOUT)
        ext = {'version': None, 'copy_thresh': None, 'tstamp': None, 'flags': None}
        if info and len(info) >= PACKET_INFO.size:
            _index, version, _reserve, copy_thresh, tstamp, flags = PACKET_INFO.unpack_from(info)
            ext.update(version=version, copy_thresh=copy_thresh, tstamp=tstamp,
                       flags=[name for bit, name in PACKET_FLAGS if flags & bit])
        ext['ring_rx'] = _ring(attrs.get(PACKET_DIAG_RX_RING))
        ext['ring_tx'] = _ring(attrs.get(PACKET_DIAG_TX_RING))
        if fanout and len(fanout) >= 4:
            value = U32.unpack_from(fanout)[0]
            kind = value >> 16
            ext['fanout'] = {'id': value & 0xffff, 'type': FANOUT_TYPES[kind] if kind < len(FANOUT_TYPES) else '0x%x' % kind}
        else:
            ext['fanout'] = None
        rec['extended'] = ext
    if 'memory' in details:
        rec['skmem'] = skmem(attrs.get(PACKET_DIAG_MEMINFO))
    if 'bpf' in details:
        prog = attrs.get(PACKET_DIAG_FILTER)
        rec['bpf'] = None if prog is None else [list(SOCK_FILTER.unpack_from(prog, i))
                                                for i in range(0, len(prog) - SOCK_FILTER.size + 1, SOCK_FILTER.size)]


def dump_packet(sock, table, tables, states, ctx, out, bytecode=None, inet_families=None):
    if AF_PACKET in ctx.families and states & (1 << SS_CLOSE):
        decode_packet(nl.dump(sock, packet_request(ctx.details), 'packet'), tables, ctx, out)


__all__ = ['packet_request', 'decode_packet', 'packet_details', 'dump_packet', 'PACKET_TABLE_BY_TYPE']
