# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""tipc sock_diag: the dump request and the decoder of its replies (nested attributes only).

Layouts: linux/tipc_sockets_diag.h (the request), linux/tipc_netlink.h (the
attributes). A reply has no fixed header: its payload is one TIPC_NLA_SOCK
nest holding the socket's node address, port id (ref), connection (CON
nest), publication flag, statistics (STAT nest), type, state, inode, uid and
cookie. A reply without TIPC_NLA_SOCK (the kernel sends an empty one for a
socket whose state the mask rejects) is not a socket. As ss 6.1.0 (misc/ss.c
tipc_show, tipc_show_sock, tipc_sock_addr_print, tipc_netid_name):

* the request carries the state mask; the table is dumped whenever it is
  selected (ss does not look at the family set for it);
* ss never runs the filter expression on tipc sockets (tipc_show_sock has
  no run_ssfilter): every socket the kernel returns is listed;
* netid by type: ti_st, ti_dg, ti_rd, ti_sq, else '???'; states are the
  kernel's TCP_* numbers;
* Recv-Q / Send-Q: the receive and send queue lengths (STAT RCVQ / SENDQ);
* local: the node address and the port id ('NODE:REF'); peer: the peer's
  node and port id when connected, else '-' with no port.

Records: local_address is the node (decimal text), local_port the port id;
peer_address the peer node or '-', peer_port the peer port id or null. -e
prints uid, inode and cookie only (base keys), so `extended` is an empty
dict; -m prints nothing (`skmem` stays null). --tipcinfo gives `tipc_info`.
Attributes ss would read without checking (it crashes on a reply without
them) default to 0 here, uid to null.
"""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._cparse import to_s32
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32, U64, SockId, each
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_TIPC, STATE_NAMES

TIPC_NLA_SOCK = 2               # enum tipc_nl_attr
# enum: TIPC_NLA_SOCK_*
TIPC_NLA_SOCK_ADDR = 1
TIPC_NLA_SOCK_REF = 2
TIPC_NLA_SOCK_CON = 3
TIPC_NLA_SOCK_HAS_PUBL = 4
TIPC_NLA_SOCK_STAT = 5
TIPC_NLA_SOCK_TYPE = 6
TIPC_NLA_SOCK_INO = 7
TIPC_NLA_SOCK_UID = 8
TIPC_NLA_SOCK_TIPC_STATE = 9
TIPC_NLA_SOCK_COOKIE = 10
# enum: TIPC_NLA_CON_*
TIPC_NLA_CON_FLAG = 1
TIPC_NLA_CON_NODE = 2
TIPC_NLA_CON_SOCK = 3
TIPC_NLA_CON_TYPE = 4
TIPC_NLA_CON_INST = 5
# enum: TIPC_NLA_SOCK_STAT_* (numbered from 0)
TIPC_NLA_SOCK_STAT_RCVQ = 0
TIPC_NLA_SOCK_STAT_SENDQ = 1
TIPC_NLA_SOCK_STAT_LINK_CONG = 2
TIPC_NLA_SOCK_STAT_CONN_CONG = 3
TIPC_NLA_SOCK_STAT_DROP = 4

TIPC_REQ = struct.Struct('=BBHI')       # struct tipc_sock_diag_req: family, protocol, pad, states
TIPC_NETIDS = {1: 'ti_st', 2: 'ti_dg', 4: 'ti_rd', 5: 'ti_sq'}
# ss's stype_nameg, what --tipcinfo prints after "type:" (ss has no name for 3 and reads past the table above 5)
TIPC_TYPE_NAMES = {1: 'STREAM', 2: 'DGRAM', 4: 'RDM', 5: 'SEQPACKET'}


def tipc_request(states):
    return TIPC_REQ.pack(AF_TIPC, 0, 0, states)


def _nest(buf, start, end):
    """{attribute type: (offset, length)} of the attributes in buf[start:end]."""
    return dict((atype, (aoff, alen)) for atype, aoff, alen in nl.iter_attrs(buf, start, end))


def _u32(buf, attrs, atype, default=0):
    where = attrs.get(atype)
    if where is None or where[1] < 4:
        return default
    return U32.unpack_from(buf, where[0])[0]


def _inner(buf, attrs, atype):
    where = attrs.get(atype)
    return _nest(buf, where[0], where[0] + where[1]) if where is not None else None


def decode_tipc(messages, ctx, out):
    """Decode the tipc replies (every socket is kept: ss does not filter this table)."""
    append = out.append
    for buf, off, mlen in each(messages):
        top = _nest(buf, off + 16, off + mlen)
        if TIPC_NLA_SOCK not in top:
            continue
        attrs = _inner(buf, top, TIPC_NLA_SOCK)
        stat = _inner(buf, attrs, TIPC_NLA_SOCK_STAT) or {}
        con = _inner(buf, attrs, TIPC_NLA_SOCK_CON)
        stype = _u32(buf, attrs, TIPC_NLA_SOCK_TYPE)
        state = _u32(buf, attrs, TIPC_NLA_SOCK_TIPC_STATE)
        inode = _u32(buf, attrs, TIPC_NLA_SOCK_INO)
        cookie = attrs.get(TIPC_NLA_SOCK_COOKIE)
        rec = {
            'netid': TIPC_NETIDS.get(stype, '???'), 'state': STATE_NAMES[state] if state < 12 else 'UNKNOWN',
            'recv_q': _u32(buf, stat, TIPC_NLA_SOCK_STAT_RCVQ), 'send_q': _u32(buf, stat, TIPC_NLA_SOCK_STAT_SENDQ),
            'local_address': str(_u32(buf, attrs, TIPC_NLA_SOCK_ADDR)), 'local_port': _u32(buf, attrs, TIPC_NLA_SOCK_REF),
            'peer_address': str(_u32(buf, con, TIPC_NLA_CON_NODE)) if con is not None else '-',
            'peer_port': _u32(buf, con, TIPC_NLA_CON_SOCK) if con is not None else None,
            'interface': None, 'family': 'tipc',
            'uid': _u32(buf, attrs, TIPC_NLA_SOCK_UID, None), 'inode': inode,
            'cookie': U64.unpack_from(buf, cookie[0])[0] if cookie is not None and cookie[1] >= 8 else 0,
        }
        if ctx.identity:
            rec[SOCKID] = SockId(AF_TIPC, stype, b'', b'', 0, 0, 0, rec['cookie'], inode)
        if ctx.details:
            tipc_details(rec, buf, attrs, stat, con, ctx.details)
        append(rec)


def tipc_details(rec, buf, attrs, stat, con, details):
    """Add the detail keys to a tipc record, from its attributes ({type: (offset, length)} of each nest)."""
    if 'extended' in details:
        rec['extended'] = {}        # ss -e prints uid, inode and cookie: base keys
    if 'tipcinfo' in details:
        stype = _u32(buf, attrs, TIPC_NLA_SOCK_TYPE)
        via = None
        if con is not None and TIPC_NLA_CON_FLAG in con:
            via = {'type': _u32(buf, con, TIPC_NLA_CON_TYPE), 'inst': _u32(buf, con, TIPC_NLA_CON_INST)}
        rec['tipc_info'] = {
            'type': TIPC_TYPE_NAMES.get(stype, 'UNKNOWN'),
            'cong': 'link' if TIPC_NLA_SOCK_STAT_LINK_CONG in stat else 'conn' if TIPC_NLA_SOCK_STAT_CONN_CONG in stat
            else 'none',
            'drop': to_s32(_u32(buf, stat, TIPC_NLA_SOCK_STAT_DROP)),     # the kernel's sk_drops is an int
            'publ': TIPC_NLA_SOCK_HAS_PUBL in attrs,
            'via': via,
        }


def dump_tipc(sock, table, tables, states, ctx, out, bytecode=None, inet_families=None):
    decode_tipc(nl.dump(sock, tipc_request(states), 'tipc'), ctx, out)


__all__ = ['tipc_request', 'decode_tipc', 'tipc_details', 'dump_tipc', 'TIPC_NETIDS', 'TIPC_TYPE_NAMES']
