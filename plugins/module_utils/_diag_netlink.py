# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""netlink sock_diag: the dump request and the netlink_diag_msg decoder."""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32, SockId, attr_map, each, skmem
from ansible_collections.netdiag.ss.plugins.module_utils._schema import MATCHES, SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_NETLINK, SS_CLOSE

NDIAG_PROTO_ALL = 255
NDIAG_SHOW_MEMINFO = 0x01
NDIAG_SHOW_GROUPS = 0x02
NETLINK_DIAG_MEMINFO = 0
NETLINK_DIAG_GROUPS = 1
_ULONG = struct.Struct('=L')     # ss reads the first unsigned long of the groups bitmap

NETLINK_REQ = struct.Struct('=BBHIIII')
NETLINK_MSG = struct.Struct('=BBBBiiIIII')  # port ids are signed: autobound ids are negative, as ss prints them


def netlink_request(details=frozenset()):
    show = NDIAG_SHOW_MEMINFO | (NDIAG_SHOW_GROUPS if 'extended' in details else 0)
    return NETLINK_REQ.pack(AF_NETLINK, NDIAG_PROTO_ALL, 0, 0, show, 0xffffffff, 0xffffffff)


def decode_netlink(messages, ctx, out):
    unpack = NETLINK_MSG.unpack_from
    match = ctx.match
    append = out.append
    size = 16 + NETLINK_MSG.size
    for buf, off, mlen in each(messages):
        if mlen < size:
            continue        # shorter than any netlink_diag_msg the kernel sends: not a socket
        _family, stype, proto, state, portid, dst_portid, dst_group, inode, c0, c1 = unpack(buf, off + 16)
        rq = wq = 0
        for atype, aoff, alen in nl.iter_attrs(buf, off + 44, off + mlen):
            if atype == NETLINK_DIAG_MEMINFO and alen >= 12:
                rq = U32.unpack_from(buf, aoff)[0]
                wq = U32.unpack_from(buf, aoff + 8)[0]
        connected = state == 1
        # ss filters netlink sockets with remote address 0 and remote port -1
        hit = True
        if match is not None:
            hit = match(SockView(AF_NETLINK, 'nl', SS_CLOSE, proto, 0, portid, -1))
            if not hit:
                continue
        rec = {
            'netid': 'nl', 'state': 'UNCONN', 'recv_q': rq, 'send_q': wq,
            'local_address': str(proto), 'local_port': portid,
            'peer_address': str(dst_group) if connected else '*',
            'peer_port': dst_portid if connected else None,
            'interface': None, 'family': 'netlink',
            'uid': None, 'inode': inode, 'cookie': (c1 << 32) | c0,
        }
        if ctx.identity:
            rec[SOCKID] = SockId(AF_NETLINK, stype, b'', b'', 0, 0, 0, rec['cookie'], inode)
        if ctx.details:
            netlink_details(rec, attr_map(buf, off + 44, off + mlen), ctx.details)
        if ctx.tagged:
            rec[MATCHES] = hit
        append(rec)


def netlink_details(rec, attrs, details):
    """Add the detail keys to a netlink record, from its attributes {type: bytes}."""
    if 'extended' in details:
        groups = attrs.get(NETLINK_DIAG_GROUPS)
        rec['extended'] = {'groups': _ULONG.unpack_from(groups)[0] if groups and len(groups) >= _ULONG.size else 0}
    if 'memory' in details:
        rec['skmem'] = skmem(attrs.get(NETLINK_DIAG_MEMINFO))


def dump_netlink(sock, table, tables, states, ctx, out, bytecode=None, inet_families=None):
    if AF_NETLINK in ctx.families and states & (1 << SS_CLOSE):
        decode_netlink(nl.dump(sock, netlink_request(ctx.details), 'netlink'), ctx, out)


__all__ = ['netlink_request', 'decode_netlink', 'netlink_details', 'dump_netlink']
