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
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32, U64, SockId, attr_map, shutdown_text, skmem
from ansible_collections.netdiag.ss.plugins.module_utils._schema import MATCHES, SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, INET_PROTOCOLS, STATE_NAMES, TABLE_BY_NAME, TIMER_NAMES,
)

INET_DIAG_REQ_BYTECODE = 1
INET_DIAG_REQ_PROTOCOL = 3

# reply attributes (linux/inet_diag.h)
INET_DIAG_MEMINFO = 1
INET_DIAG_INFO = 2
INET_DIAG_VEGASINFO = 3
INET_DIAG_CONG = 4
INET_DIAG_TOS = 5
INET_DIAG_TCLASS = 6
INET_DIAG_SKMEMINFO = 7
INET_DIAG_SHUTDOWN = 8
INET_DIAG_DCTCPINFO = 9
INET_DIAG_PROTOCOL = 10
INET_DIAG_SKV6ONLY = 11
INET_DIAG_LOCALS = 12
INET_DIAG_PEERS = 13
INET_DIAG_MARK = 15
INET_DIAG_BBRINFO = 16
INET_DIAG_CLASS_ID = 17
INET_DIAG_MD5SIG = 18
INET_DIAG_ULP_INFO = 19
INET_DIAG_CGROUP_ID = 21
INET_DIAG_SOCKOPT = 22

# the idiag_ext bits each detail asks for (bit N-1 asks for attribute N)
DETAIL_EXT = {
    'memory': (1 << (INET_DIAG_MEMINFO - 1)) | (1 << (INET_DIAG_SKMEMINFO - 1)),
    'info': (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_VEGASINFO - 1)) | (1 << (INET_DIAG_CONG - 1)),
    'tos': (1 << (INET_DIAG_TOS - 1)) | (1 << (INET_DIAG_TCLASS - 1)),
}
# the reply attributes inet_details reads for each detail option
DETAIL_ATTRS = {
    # what _inet_info.decode_info reads (LOCALS and PEERS: SCTP's, which _diag_sctp decodes with them)
    'info': frozenset((INET_DIAG_INFO, INET_DIAG_VEGASINFO, INET_DIAG_CONG, INET_DIAG_DCTCPINFO, INET_DIAG_BBRINFO,
                       INET_DIAG_MD5SIG, INET_DIAG_ULP_INFO, INET_DIAG_LOCALS, INET_DIAG_PEERS)),
    'extended': frozenset((INET_DIAG_MARK, INET_DIAG_CGROUP_ID, INET_DIAG_SKV6ONLY, INET_DIAG_SHUTDOWN)),
    'cgroup': frozenset((INET_DIAG_CGROUP_ID,)),
    'memory': frozenset((INET_DIAG_SKMEMINFO,)),
    'tos': frozenset((INET_DIAG_TOS, INET_DIAG_TCLASS, INET_DIAG_CLASS_ID)),
    'inet_sockopt': frozenset((INET_DIAG_SOCKOPT,)),
}
# struct inet_diag_sockopt, bit by bit from byte 0 bit 0, as ss --inet-sockopt names them (None: unused)
SOCKOPT_NAMES = ('recverr', 'is_icsk', 'freebind', 'hdrincl', 'mc_loop', 'transparent', 'mc_all', 'nodefrag',
                 'bind_addr_no_port', 'recverr_rfc4884', 'defer_connect')

INET_REQ = struct.Struct('=BBBBI48s')
_V6_ANY = b'\0' * 16


def inet_ext(details):
    """The idiag_ext byte for a set of detail options."""
    ext = 0
    for detail in details:
        ext |= DETAIL_EXT.get(detail, 0)
    return ext


def detail_attrs(details):
    """The reply attributes the details need (attr_map keeps only these)."""
    wanted = frozenset()
    for detail in details:
        wanted |= DETAIL_ATTRS.get(detail, frozenset())
    return wanted


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
    details = ctx.details
    wanted = detail_attrs(details) if details else None
    tagged = ctx.tagged
    protocol = INET_PROTOCOLS[table]
    v4get = ctx._v4.get
    v6get = ctx._v6.get
    append = out.append
    unpack4 = INET4_MSG.unpack_from
    unpack6 = INET6_MSG.unpack_from
    for buf, msgs in chunks:
        for off, mlen in msgs:
            if mlen < 88:
                continue        # shorter than any inet_diag_msg the kernel sends: not a socket
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
                mark = cgroup = None        # the first attribute of a type wins, as in attr_map (and iproute2)
                for atype, aoff, alen in nl.iter_attrs(buf, off + 16 + 72, off + mlen):
                    if atype == INET_DIAG_SKV6ONLY and alen >= 1 and v6only is None:
                        v6only = buf[aoff]
                    elif atype == INET_DIAG_MARK and alen >= 4 and mark is None:
                        mark = U32.unpack_from(buf, aoff)[0]
                    elif atype == INET_DIAG_CGROUP_ID and alen >= 8 and cgroup is None:
                        cgroup = U64.unpack_from(buf, aoff)[0]
                mark = mark or 0
                cgroup = cgroup or 0
            hit = True
            if match is not None:
                hit = match(SockView(family, table, state, src, dst, sport, dport, ifindex, mark, cgroup))
                if not hit:
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
            if details:
                inet_details(rec, attr_map(buf, off + 88, off + mlen, wanted), table, state, ctx)
            if tagged:
                rec[MATCHES] = hit
            append(rec)


def _u8(attrs, atype):
    data = attrs.get(atype)
    return data[0] if data else None


def inet_details(rec, attrs, table, state, ctx):
    """Add the detail keys ctx.details asks for to an inet record, from its attributes {type: bytes}."""
    details = ctx.details
    if 'extended' in details or 'cgroup' in details:
        cgroup_id = U64.unpack_from(attrs[INET_DIAG_CGROUP_ID])[0] if len(attrs.get(INET_DIAG_CGROUP_ID, b'')) >= 8 \
            else None
    if 'extended' in details:
        mark = attrs.get(INET_DIAG_MARK)
        shutdown = _u8(attrs, INET_DIAG_SHUTDOWN)
        rec['extended'] = {
            'mark': U32.unpack_from(mark)[0] if mark and len(mark) >= 4 else None,
            'cgroup_id': cgroup_id,
            'cgroup': ctx.cgroup_path(cgroup_id) if cgroup_id else None,
            'v6only': _u8(attrs, INET_DIAG_SKV6ONLY),
            'shutdown': shutdown_text(shutdown) if shutdown is not None else None,
        }
    if 'memory' in details:
        rec['skmem'] = skmem(attrs.get(INET_DIAG_SKMEMINFO))
    if 'info' in details:
        from ansible_collections.netdiag.ss.plugins.module_utils._inet_info import decode_info
        rec['info'] = decode_info(table, attrs, state)
    if 'tos' in details:
        class_id = attrs.get(INET_DIAG_CLASS_ID)
        rec['tos'] = {
            'tos': _u8(attrs, INET_DIAG_TOS),
            'tclass': _u8(attrs, INET_DIAG_TCLASS),
            'class_id': U32.unpack_from(class_id)[0] if class_id and len(class_id) >= 4 else None,
        }
    if 'cgroup' in details:
        rec['cgroup'] = ctx.cgroup_path(cgroup_id) if cgroup_id is not None else None
    if 'inet_sockopt' in details:
        rec['sockopt'] = sockopt_names(attrs.get(INET_DIAG_SOCKOPT))


def sockopt_names(data, big_endian=_BIG_ENDIAN):
    """The flags set in a struct inet_diag_sockopt (two bytes of 1-bit fields), in SOCKOPT_NAMES order, or None.

    C compilers give a byte's first bitfield its least significant bit on little-endian hosts and its most
    significant bit on big-endian ones (s390x, ppc64): ss reads the struct as compiled, so the order follows.
    """
    if not data or len(data) < 2:
        return None
    return [name for i, name in enumerate(SOCKOPT_NAMES)
            if data[i // 8] & ((0x80 >> (i % 8)) if big_endian else (1 << (i % 8)))]


_COOKIE = struct.Struct('=II')      # idiag_cookie[2] of inet_diag_sockid: 44 bytes into inet_diag_msg


def counting(chunks, ctx, out):
    """The chunks of a dump, for decode_inet, until `out` holds ctx.count_after records; the sockets of the rest are
    only counted (by cookie, in out.beyond), never decoded: a count costs what reading the answers costs.

    Only for a dump whose selection the kernel makes whole (no user-space condition, ctx.match None): every
    inet_diag_msg of the wanted families then counts.
    """
    want = ctx.count_after
    families = ctx.families
    beyond = out.beyond
    cookie = _COOKIE.unpack_from
    for buf, msgs in chunks:
        if len(out) < want:
            yield buf, msgs
            continue
        for off, mlen in msgs:
            if mlen >= 88 and buf[off + 16] in families:
                c0, c1 = cookie(buf, off + 60)
                beyond.add((c1 << 32) | c0)


def dump_inet(sock, table, tables, states, ctx, out, bytecode=None, inet_families=(AF_INET, AF_INET6)):
    ext = inet_ext(ctx.details) if ctx.details else 0
    count = ctx.count_after is not None and ctx.match is None     # out is then a _collect._Counted
    for family in inet_families:
        if family in ctx.families:
            chunks = nl.dump(sock, inet_request(family, table, states, bytecode, ext), table)
            decode_inet(counting(chunks, ctx, out) if count else chunks, table, ctx, out)


def dump_raw(sock, table, tables, states, ctx, out, bytecode=None, inet_families=(AF_INET, AF_INET6)):
    """raw (ss -w): the inet dump with protocol 255.

    raw_diag returns every raw socket of the family whatever the state mask
    (it does not read it, and ss checks no state either), each with
    INET_DIAG_PROTOCOL; id.sport is the socket's protocol (inet_num), which
    ss shows in the port column and decode_inet keeps as local_port; id.dport
    is the port given to connect(). A kernel without raw sock_diag ends the
    dump with ENOENT (TableNotSupported): _collect then reads the table from
    /proc/net (_proc_net) with source=auto, as ss does.
    """
    dump_inet(sock, table, tables, states, ctx, out, bytecode, inet_families)


__all__ = ['inet_request', 'inet_ext', 'detail_attrs', 'DETAIL_ATTRS', 'inet_details', 'decode_inet', 'dump_inet', 'dump_raw', 'DETAIL_EXT', 'SOCKOPT_NAMES',
           'sockopt_names', 'INET4_MSG', 'INET6_MSG', 'INET_REQ',
           'INET_DIAG_REQ_BYTECODE', 'INET_DIAG_REQ_PROTOCOL', 'INET_DIAG_MEMINFO', 'INET_DIAG_INFO', 'INET_DIAG_VEGASINFO',
           'INET_DIAG_CONG', 'INET_DIAG_TOS', 'INET_DIAG_TCLASS', 'INET_DIAG_SKMEMINFO', 'INET_DIAG_SHUTDOWN',
           'INET_DIAG_PROTOCOL', 'INET_DIAG_SKV6ONLY', 'INET_DIAG_MARK', 'INET_DIAG_CLASS_ID', 'INET_DIAG_CGROUP_ID',
           'INET_DIAG_SOCKOPT', 'INET_DIAG_DCTCPINFO', 'INET_DIAG_LOCALS', 'INET_DIAG_PEERS', 'INET_DIAG_BBRINFO',
           'INET_DIAG_MD5SIG', 'INET_DIAG_ULP_INFO']
