# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Collect sockets over NETLINK_SOCK_DIAG and decode them into flat records.

One decoder per request kind (inet, unix, packet, netlink). Decoders read
fixed headers with struct.unpack_from straight from the receive buffer and
build a record dict only for sockets that pass the filter. Structures are
decoded by received length, so shorter (older) or longer (newer) kernel
structs do not break anything.

With identity=True every record also keeps the kernel's identity of its
socket (a SockId under the private key 'sockid'), so that a later request
(SOCK_DESTROY) addresses exactly the socket that was selected.

Adding a table: write a request builder, a decoder and a dump function of
the same shape as the ones below and register the dump function in GROUPS.
"""

from __future__ import annotations

import collections
import socket
import struct
import sys

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._errors import DumpInterrupted, TableNotSupported
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID, unix_display, unix_name_text
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, ETH_P_ALL, INET_PROTOCOLS, SS_CLOSE, STATE_NAMES,
    TABLE_BY_NAME, TIMER_NAMES,
)

INET_DIAG_REQ_BYTECODE = 1
INET_DIAG_REQ_PROTOCOL = 3
INET_DIAG_SHUTDOWN = 8
INET_DIAG_SKV6ONLY = 11
INET_DIAG_MARK = 15
INET_DIAG_CGROUP_ID = 21

UDIAG_SHOW_NAME = 0x01
UDIAG_SHOW_PEER = 0x04
UDIAG_SHOW_RQLEN = 0x10
UDIAG_SHOW_UID = 0x40
UNIX_DIAG_NAME = 0
UNIX_DIAG_PEER = 2
UNIX_DIAG_RQLEN = 4
UNIX_DIAG_UID = 7

PACKET_SHOW_INFO = 0x01
PACKET_SHOW_MEMINFO = 0x10
PACKET_DIAG_INFO = 0
PACKET_DIAG_UID = 5
PACKET_DIAG_MEMINFO = 6

NDIAG_PROTO_ALL = 255
NDIAG_SHOW_MEMINFO = 0x01
NETLINK_DIAG_MEMINFO = 0

INET_REQ = struct.Struct('=BBBBI48s')
UNIX_REQ = struct.Struct('=BBHIIIII')
UNIX_MSG = struct.Struct('=BBBBIII')
PACKET_REQ = struct.Struct('=BBHIIII')
PACKET_MSG = struct.Struct('=BBHIII')
NETLINK_REQ = struct.Struct('=BBHIIII')
NETLINK_MSG = struct.Struct('=BBBBiiIIII')  # port ids are signed: autobound ids are negative, as ss prints them
_U32 = struct.Struct('=I')
_U64 = struct.Struct('=Q')
_U32X2 = struct.Struct('=II')

UNIX_TABLE_BY_TYPE = {1: 'unix_stream', 2: 'unix_dgram', 5: 'unix_seqpacket'}
PACKET_TABLE_BY_TYPE = {3: 'packet_raw', 2: 'packet_dgram'}
_V6_ANY = b'\0' * 16

# The kernel's identity of a socket, as a later request must give it back:
# inet: family, IP protocol, the 16-byte source and destination (IPv4 in the
# first 4), ports, bound interface and cookie (struct inet_diag_sockid);
# unix, packet, netlink: family, inode and cookie (protocol: the socket type).
SockId = collections.namedtuple('SockId', 'family protocol src dst sport dport ifindex cookie inode')


class Context(object):
    """What every decoder needs: the filter, the family set, options, caches."""

    def __init__(self, families, match=None, needs_attrs=False, timers=False, identity=False, lookups=None):
        self.families = families
        self.timers = timers                # ss -o: add timer fields to inet records
        self.match = match                  # callable(SockView) -> bool, or None
        self.needs_attrs = needs_attrs      # filter reads mark / cgroup id
        self.identity = identity            # keep each socket's SockId under SOCKID
        self.lookups = lookups or HostLookups()
        self._v4 = {}
        self._v6 = {}
        self._ifnames = {}

    def v4(self, raw):
        s = self._v4.get(raw)
        if s is None:
            s = self._v4[raw] = socket.inet_ntop(socket.AF_INET, raw)
        return s

    def v6(self, raw):
        s = self._v6.get(raw)
        if s is None:
            s = self._v6[raw] = socket.inet_ntop(socket.AF_INET6, raw)
        return s

    def ifname(self, index):
        if not index:
            return None
        name = self._ifnames.get(index)
        if name is None:
            name = self._ifnames[index] = self.lookups.ifname(index)
        return name


def _each(chunks):
    """(buf, offset, length) of every message in the chunks of a dump (for the small tables)."""
    for buf, msgs in chunks:
        for off, mlen in msgs:
            yield buf, off, mlen


# ------------------------------------------------------------------ inet
def inet_request(family, table, states, bytecode=None, ext=0):
    """inet_diag_req_v2 (+ bytecode, + protocol attribute for MPTCP)."""
    proto = INET_PROTOCOLS[table]
    payload = INET_REQ.pack(family, proto & 0xff, ext, 0, states, b'')
    if bytecode:
        payload += nl.rtattr(INET_DIAG_REQ_BYTECODE, bytecode)
    if proto > 255:
        payload += nl.rtattr(INET_DIAG_REQ_PROTOCOL, _U32.pack(proto))
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
                        mark = _U32.unpack_from(buf, aoff)[0]
                    elif atype == INET_DIAG_CGROUP_ID and alen >= 8:
                        cgroup = _U64.unpack_from(buf, aoff)[0]
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


# ------------------------------------------------------------------ unix
def unix_request(states):
    return UNIX_REQ.pack(AF_UNIX, 0, 0, states, 0,
                         UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID, 0xffffffff, 0xffffffff)


def decode_unix(messages, tables, ctx, out):
    """Decode unix_diag_msg replies; keep only the types in `tables`."""
    unpack = UNIX_MSG.unpack_from
    match = ctx.match
    append = out.append
    for buf, off, mlen in _each(messages):
        _family, stype, state, _pad, inode, c0, c1 = unpack(buf, off + 16)
        table = UNIX_TABLE_BY_TYPE.get(stype, 'unix_dgram')
        if table not in tables:
            continue
        name = b''
        peer = 0
        rq = wq = 0
        uid = None
        for atype, aoff, alen in nl.iter_attrs(buf, off + 32, off + mlen):
            if atype == UNIX_DIAG_NAME:
                name = bytes(buf[aoff:aoff + alen])
            elif atype == UNIX_DIAG_PEER and alen >= 4:
                peer = _U32.unpack_from(buf, aoff)[0]
            elif atype == UNIX_DIAG_RQLEN and alen >= 8:
                rq, wq = _U32X2.unpack_from(buf, aoff)
            elif atype == UNIX_DIAG_UID and alen >= 4:
                uid = _U32.unpack_from(buf, aoff)[0]
        netid = TABLE_BY_NAME[table].netid
        if match is not None and not match(SockView(AF_UNIX, netid, state, unix_display(name), b'', inode, peer)):
            continue
        rec = {
            'netid': netid, 'state': STATE_NAMES[state] if state < 12 else 'UNKNOWN',
            'recv_q': rq, 'send_q': wq,
            'local_address': unix_name_text(name) or '*', 'local_port': inode,
            'peer_address': '*', 'peer_port': peer,
            'interface': None, 'family': 'unix',
            'uid': uid, 'inode': inode, 'cookie': (c1 << 32) | c0,
        }
        if ctx.identity:
            rec[SOCKID] = SockId(AF_UNIX, stype, b'', b'', 0, 0, 0, rec['cookie'], inode)
        append(rec)


def dump_unix(sock, table, tables, states, ctx, out, bytecode=None, inet_families=None):
    if AF_UNIX in ctx.families:
        decode_unix(nl.dump(sock, unix_request(states), 'unix'), tables, ctx, out)


# ------------------------------------------------------------------ packet
def packet_request():
    return PACKET_REQ.pack(AF_PACKET, 0, 0, 0, PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO, 0xffffffff, 0xffffffff)


def decode_packet(messages, tables, ctx, out):
    unpack = PACKET_MSG.unpack_from
    match = ctx.match
    append = out.append
    for buf, off, mlen in _each(messages):
        _family, stype, proto, inode, c0, c1 = unpack(buf, off + 16)
        table = PACKET_TABLE_BY_TYPE.get(stype)
        if table not in tables:
            continue
        ifindex = 0
        rq = 0
        uid = None
        for atype, aoff, alen in nl.iter_attrs(buf, off + 32, off + mlen):
            if atype == PACKET_DIAG_INFO and alen >= 4:
                ifindex = _U32.unpack_from(buf, aoff)[0]
            elif atype == PACKET_DIAG_MEMINFO and alen >= 4:
                rq = _U32.unpack_from(buf, aoff)[0]
            elif atype == PACKET_DIAG_UID and alen >= 4:
                uid = _U32.unpack_from(buf, aoff)[0]
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


# ------------------------------------------------------------------ netlink
def netlink_request():
    return NETLINK_REQ.pack(AF_NETLINK, NDIAG_PROTO_ALL, 0, 0, NDIAG_SHOW_MEMINFO, 0xffffffff, 0xffffffff)


def decode_netlink(messages, ctx, out):
    unpack = NETLINK_MSG.unpack_from
    match = ctx.match
    append = out.append
    for buf, off, mlen in _each(messages):
        _family, stype, proto, state, portid, dst_portid, dst_group, inode, c0, c1 = unpack(buf, off + 16)
        rq = wq = 0
        for atype, aoff, alen in nl.iter_attrs(buf, off + 44, off + mlen):
            if atype == NETLINK_DIAG_MEMINFO and alen >= 12:
                rq = _U32.unpack_from(buf, aoff)[0]
                wq = _U32.unpack_from(buf, aoff + 8)[0]
        connected = state == 1
        # ss filters netlink sockets with remote address 0 and remote port -1
        if match is not None and not match(SockView(AF_NETLINK, 'nl', SS_CLOSE, proto, 0, portid, -1)):
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
        append(rec)


def dump_netlink(sock, table, tables, states, ctx, out, bytecode=None, inet_families=None):
    if AF_NETLINK in ctx.families and states & (1 << SS_CLOSE):
        decode_netlink(nl.dump(sock, netlink_request(), 'netlink'), ctx, out)


# ------------------------------------------------------------------ driver
# Dump groups in ss's output order: (group name, tables it covers, dump function or None if not decoded yet).
GROUPS = (
    ('netlink', ('netlink',), dump_netlink),
    ('packet', ('packet_raw', 'packet_dgram'), dump_packet),
    ('unix', ('unix_stream', 'unix_dgram', 'unix_seqpacket'), dump_unix),
    ('raw', ('raw',), None),
    ('udp', ('udp',), dump_inet),
    ('tcp', ('tcp',), dump_inet),
    ('dccp', ('dccp',), dump_inet),
    ('sctp', ('sctp',), dump_inet),
    ('vsock', ('vsock_stream', 'vsock_dgram'), None),
    ('tipc', ('tipc',), None),
    ('xdp', ('xdp',), None),
    ('mptcp', ('mptcp',), dump_inet),
)
_RETRIES = 5


def collect(tables, families, states, bytecode=None, inet_families=(AF_INET, AF_INET6), match=None,
            needs_attrs=False, timers=False, identity=False, lookups=None):
    """Dump the given tables in ss's order; return (records, {unsupported group: why}).

    tables         ss table names to list; families: AF numbers to keep;
    states         the kernel's state mask; inet_families: which inet dumps
                   to send (ss sends one when -4/-6 came last);
    bytecode       the compiled filter sent with every inet dump, or None;
    match          callable(SockView) -> bool run on every socket, or None;
    needs_attrs    the filter reads marks or cgroup ids;
    timers         add the -o timer keys; identity: keep each SockId.
    A group this kernel (or this version) cannot list is skipped and named,
    in ss's order, in the second value.
    """
    ctx = Context(set(families), match=match, needs_attrs=needs_attrs, timers=timers, identity=identity,
                  lookups=lookups)
    selected = set(tables)
    out = []
    unsupported = collections.OrderedDict()
    sock = nl.open_socket()
    try:
        for group, group_tables, dumper in GROUPS:
            wanted = [t for t in group_tables if t in selected]
            if not wanted:
                continue
            if dumper is None:
                unsupported[group] = 'table %s is not implemented yet by this collection; it was skipped' % group
                continue
            for attempt in range(_RETRIES):
                part = []
                try:
                    dumper(sock, group, set(wanted), states, ctx, part, bytecode=bytecode, inet_families=inet_families)
                except DumpInterrupted:
                    # the table changed while we read it: read it again on a fresh socket
                    sock.close()
                    sock = nl.open_socket()
                    if attempt == _RETRIES - 1:
                        raise
                    continue
                except TableNotSupported as exc:
                    unsupported[group] = str(exc)
                    sock.close()
                    sock = nl.open_socket()
                    part = []
                out.extend(part)
                break
    finally:
        sock.close()
    return out, unsupported


__all__ = ['Context', 'SockId', 'collect', 'decode_inet', 'decode_unix', 'decode_packet', 'decode_netlink',
           'inet_request', 'unix_request', 'packet_request', 'netlink_request', 'GROUPS']
