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
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32, SockId, each
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_PACKET, ETH_P_ALL, SS_CLOSE, TABLE_BY_NAME

PACKET_SHOW_INFO = 0x01
PACKET_SHOW_MEMINFO = 0x10
PACKET_DIAG_INFO = 0
PACKET_DIAG_UID = 5
PACKET_DIAG_MEMINFO = 6

PACKET_REQ = struct.Struct('=BBHIIII')
PACKET_MSG = struct.Struct('=BBHIII')
PACKET_TABLE_BY_TYPE = {3: 'packet_raw', 2: 'packet_dgram'}


def packet_request():
    return PACKET_REQ.pack(AF_PACKET, 0, 0, 0, PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO, 0xffffffff, 0xffffffff)


def decode_packet(messages, tables, ctx, out):
    unpack = PACKET_MSG.unpack_from
    match = ctx.match
    append = out.append
    for buf, off, mlen in each(messages):
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
        if match is not None and not match(SockView(AF_PACKET, netid, SS_CLOSE, proto, 0, ifindex, 0, ifindex)):
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
        append(rec)


def dump_packet(sock, table, tables, states, ctx, out, bytecode=None, inet_families=None):
    if AF_PACKET in ctx.families and states & (1 << SS_CLOSE):
        decode_packet(nl.dump(sock, packet_request(), 'packet'), tables, ctx, out)


__all__ = ['packet_request', 'decode_packet', 'dump_packet', 'PACKET_TABLE_BY_TYPE']
