# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""inet sock_diag (tcp, udp, mptcp, dccp, sctp, raw): the dump request and the inet_diag_msg decoder."""

from __future__ import annotations

import struct
import sys

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32, U64, SockId
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, INET_PROTOCOLS, STATE_NAMES, TABLE_BY_NAME, TIMER_NAMES,
)

INET_DIAG_REQ_BYTECODE = 1
INET_DIAG_REQ_PROTOCOL = 3
INET_DIAG_SHUTDOWN = 8
INET_DIAG_SKV6ONLY = 11
INET_DIAG_MARK = 15
INET_DIAG_CGROUP_ID = 21

INET_REQ = struct.Struct('=BBBBI48s')
_V6_ANY = b'\0' * 16


def inet_request(family, table, states, bytecode=None, ext=0):
    """inet_diag_req_v2 (+ bytecode, + protocol attribute for MPTCP)."""
    proto = INET_PROTOCOLS[table]
    payload = INET_REQ.pack(family, proto & 0xff, ext, 0, states, b'')
    if bytecode:
        payload += nl.rtattr(INET_DIAG_REQ_BYTECODE, bytecode)
    if proto > 255:
        payload += nl.rtattr(INET_DIAG_REQ_PROTOCOL, U32.pack(proto))
    return payload


# inet_diag_msg per family: AF_INET addresses are the first 4 of 16 bytes; ports are big-endian
# (swapped below on little-endian hosts); cookie[0] (low) and cookie[1] read as one native 64-bit value
INET4_MSG = struct.Struct('=BBBBHH4s12x4s12xIQIIIII')
INET6_MSG = struct.Struct('=BBBBHH16s16sIQIIIII')
_BIG_ENDIAN = sys.byteorder == 'big'


def decode_inet(chunks, table, ctx, out):
    """Decode the inet_diag_msg replies of one dump into records appended to `out`.

    The hot loop of the collector: one struct unpack per socket, cached
    address strings, and a record only for sockets the filter keeps.
    """
    netid = TABLE_BY_NAME[table].netid
    match = ctx.match
    families = ctx.families
    needs_attrs = ctx.needs_attrs
    timers = ctx.timers
    identity = ctx.identity
    protocol = INET_PROTOCOLS[table]
    v4get = ctx._v4.get
    v6get = ctx._v6.get
    append = out.append
    unpack4 = INET4_MSG.unpack_from
    unpack6 = INET6_MSG.unpack_from
    for buf, msgs in chunks:
        for off, mlen in msgs:
            family = buf[off + 16]
            if family not in families:
                continue
            (family, state, timer, retrans, sport, dport, src, dst, ifindex, cookie,
             expires, rq, wq, uid, inode) = (unpack4 if family == AF_INET else unpack6)(buf, off + 16)
            if _BIG_ENDIAN:
                cookie = ((cookie & 0xffffffff) << 32) | (cookie >> 32)
            else:   # ports are big-endian on the wire
                sport = ((sport & 0xff) << 8) | (sport >> 8)
                dport = ((dport & 0xff) << 8) | (dport >> 8)
            v6only = None
            mark = cgroup = 0
            if needs_attrs or (family == AF_INET6 and (src == _V6_ANY or dst == _V6_ANY)):
                for atype, aoff, alen in nl.iter_attrs(buf, off + 16 + 72, off + mlen):
                    if atype == INET_DIAG_SKV6ONLY and alen >= 1:
                        v6only = buf[aoff]
                    elif atype == INET_DIAG_MARK and alen >= 4:
                        mark = U32.unpack_from(buf, aoff)[0]
                    elif atype == INET_DIAG_CGROUP_ID and alen >= 8:
                        cgroup = U64.unpack_from(buf, aoff)[0]
            if match is not None and not match(SockView(family, table, state, src, dst, sport, dport, ifindex, mark, cgroup)):
                continue
            if family == AF_INET:
                laddr = v4get(src) or ctx.v4(src)
                raddr = v4get(dst) or ctx.v4(dst)
            else:
                laddr = ('::' if v6only else '*') if src == _V6_ANY else (v6get(src) or ctx.v6(src))
                raddr = ('::' if v6only else '*') if dst == _V6_ANY else (v6get(dst) or ctx.v6(dst))
            rec = {
                'netid': netid, 'state': STATE_NAMES[state] if state < 12 else 'UNKNOWN',
                'recv_q': rq, 'send_q': wq,
                'local_address': laddr, 'local_port': sport,
                'peer_address': raddr, 'peer_port': dport,
                'interface': ctx.ifname(ifindex) if ifindex else None,
                'family': 'inet' if family == AF_INET else 'inet6',
                'uid': uid, 'inode': inode, 'cookie': cookie,
            }
            if timers:
                if timer:
                    rec['timer'] = TIMER_NAMES.get(timer, 'unknown')
                    rec['timer_expires_ms'] = expires
                    rec['timer_retrans'] = retrans
                else:
                    rec['timer'] = rec['timer_expires_ms'] = rec['timer_retrans'] = None
            if identity:
                rec[SOCKID] = SockId(family, protocol, bytes(src).ljust(16, b'\0'), bytes(dst).ljust(16, b'\0'),
                                     sport, dport, ifindex, cookie, inode)
            append(rec)


def dump_inet(sock, table, tables, states, ctx, out, bytecode=None, inet_families=(AF_INET, AF_INET6)):
    for family in inet_families:
        if family in ctx.families:
            decode_inet(nl.dump(sock, inet_request(family, table, states, bytecode), table), table, ctx, out)


__all__ = ['inet_request', 'decode_inet', 'dump_inet', 'INET_DIAG_REQ_BYTECODE', 'INET_DIAG_REQ_PROTOCOL',
           'INET_DIAG_SHUTDOWN', 'INET_DIAG_SKV6ONLY', 'INET_DIAG_MARK', 'INET_DIAG_CGROUP_ID']
