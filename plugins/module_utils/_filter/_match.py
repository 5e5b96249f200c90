# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Evaluate a bound filter the way ss's user space does (misc/ss.c run_ssfilter).

make_matcher(expr)    on decoded sockets (a SockView per socket, made by
                      the collector before it builds a record);
record_matcher(expr)  on the records socket_facts returns, for plugins on
                      the controller. Conditions records cannot answer
                      (fwmark, cgroup, autobound, dev by index, a packet
                      socket's interface by name) are refused with a
                      FilterError naming the word.

For inet tables ss also sends the compiled bytecode to the kernel, so a
live result is ``kernel(expr) and userspace(expr)``: see _bytecode.
"""

from __future__ import annotations

import re
import socket
import sys

from ansible_collections.netdiag.ss.plugins.module_utils._cparse import to_s32
from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, FilterError, shown
from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import (
    And, AutoBound, CgroupCond, DevCond, HostCond, MarkCond, Not, Or, PortRange,
)
from ansible_collections.netdiag.ss.plugins.module_utils._schema import display_bytes
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AF_VSOCK, AF_XDP, ETH_P_ALL, FAMILY_NAMES,
    STATE_NUMBERS, V4_MAPPED_PREFIX,
)

_ABSTRACT_AUTO = re.compile(b'@[0-9a-f]{5}\\Z')


def make_matcher(expr, ephemeral_range=None):
    """Compile a bound AST into callable(SockView) -> bool; None accepts everything.

    ephemeral_range: (low, high) for `autobound` on inet sockets (the target's
    /proc/sys/net/ipv4/ip_local_port_range; see _host.HostLookups).
    """
    if expr is None:
        return lambda view: True
    if ephemeral_range is None and any(isinstance(n, AutoBound) for n in expr.walk()):
        raise ValueError('autobound needs the ephemeral port range')
    return _compile(expr, ephemeral_range, False)


def record_matcher(expr, tables=('tcp', 'udp'), lookups=None):
    """Compile a parsed AST into callable(record) -> bool, for records as socket_facts returns them.

    For plugins away from the target: conditions records cannot answer
    (fwmark, cgroup, autobound, dev by index, a packet socket's interface by
    name) raise a FilterError naming the word; host names, services and netlink protocol names are bound with
    `lookups` (default: the host this runs on), service names for `tables`;
    `dev NAME` compares the record's interface name. The matcher raises
    ArgsError for something that is not such a record. tipc records always
    match: ss never runs the filter on tipc sockets.
    """
    if expr is None:
        return lambda rec: True
    for node in expr.walk():
        why = None
        if isinstance(node, MarkCond):
            why = 'fwmark needs the socket mark, which records do not carry'
        elif isinstance(node, CgroupCond):
            why = 'cgroup needs the socket cgroup id, which records do not carry'
        elif isinstance(node, AutoBound):
            why = 'autobound needs the kernel (whether the port was bound explicitly)'
        elif isinstance(node, DevCond) and _device_number(node.text) not in (None, 0):
            why = 'dev by index needs the target host; use the interface name'
        elif isinstance(node, (HostCond, PortRange)) and node.family == AF_PACKET and node.port_name is not None:
            why = ('a packet socket\'s interface by name needs the target host (records carry its index); '
                   'use the index (link:PROTO:INDEX)')
        if why:
            word = 'autobound' if isinstance(node, AutoBound) else node.path if isinstance(node, CgroupCond) else node.text
            raise FilterError('cannot be evaluated on returned socket records: %s' % why, word, node.pos,
                              'filter on the managed host (the filter option of the module) instead')
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
    bound = bind(expr, tables, lookups, devices=False)
    match = _compile(bound, None, True)
    kernel = _kernel_half(bound)

    def matcher(rec):
        if isinstance(rec, dict) and rec.get('family') == 'tipc':
            return True
        try:
            view = record_view(rec)
            if not match(view):
                return False
            # the kernel's half (an address of the other family, a port past 65535), for what sock_diag listed:
            # socket_facts got those sockets through it; /proc/net's (no cookie) and SCTP's were not
            return (kernel is None or view.family not in (AF_INET, AF_INET6) or rec.get('netid') == 'sctp'
                    or ('cookie' in rec and rec['cookie'] is None) or _run_bytecode(kernel, view))
        except (KeyError, ValueError, TypeError, AttributeError, OSError) as exc:
            raise ArgsError('not a socket record as socket_facts returns it (%s: %s): %s'
                            % (type(exc).__name__, exc, shown(rec, limit=300)))
    return matcher


def _kernel_half(expr):
    """The program whose verdict socket_facts adds to user space's for sockets from sock_diag, or None where the
    kernel decides as user space does (or ss sends no program: `dev` in a filter that differs, B-29)."""
    # imported here, as run_bytecode below: only record_matcher needs the kernel's half, and a module's user-space match
    # should not pay for the compiler
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._bytecode import compile_bytecode, kernel_half_differs
    nodes = list(expr.walk())
    if not kernel_half_differs(nodes) or any(isinstance(n, DevCond) for n in nodes):
        return None
    return compile_bytecode(expr)


def _run_bytecode(program, view):
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._bytecode import run_bytecode
    return run_bytecode(program, view)


def _device_number(text):
    """The index a `dev` operand names by number (N or ifN), or None for a name."""
    m = re.match(r'(?:if)?([0-9]+)\Z', text or '')
    return int(m.group(1)) if m else None


class RecordView(SockView):
    """A SockView made from a returned record; knows the interface by name."""

    __slots__ = ('ifname',)


# a record without `interface` (socket_facts `fields` left it out): `dev` cannot be answered, and must not read as
# "bound to no device"
_NO_INTERFACE = object()


def _ifname(view):
    name = view.ifname
    if name is _NO_INTERFACE:
        raise KeyError('interface')
    return name


def record_view(rec):
    """The SockView of a socket_facts record (raises KeyError/ValueError for a record without the base keys)."""
    fam = FAMILY_NAMES[rec['family']]
    state = STATE_NUMBERS.get(rec['state'], 0)
    sport, dport = rec['local_port'], rec['peer_port']
    ifindex = 0
    if fam in (AF_INET, AF_INET6):
        sys_fam = socket.AF_INET6 if fam == AF_INET6 else socket.AF_INET
        src = _inet_bytes(sys_fam, rec['local_address'])
        dst = _inet_bytes(sys_fam, rec['peer_address'])
    elif fam == AF_UNIX:
        local = rec['local_address']
        src, dst = (b'' if local == '*' else display_bytes(local)), b''
    elif fam == AF_PACKET:
        local = rec['local_address']
        src, dst, dport = (ETH_P_ALL if local == '*' else int(local.strip('[]'))), 0, 0
        ifindex, sport = sport, to_s32(sport)     # ss's port: the device index in an int (-1: a removed device)
    elif fam == AF_NETLINK:
        src, dst, dport = int(rec['local_address']), 0, -1
    elif fam == AF_VSOCK:
        # CIDs ('*' is VMADDR_CID_ANY); ports as ss's ints (VMADDR_PORT_ANY is -1)
        src, dst = _vsock_cid(rec['local_address']), _vsock_cid(rec['peer_address'])
        sport, dport = to_s32(sport), to_s32(dport)
    elif fam == AF_XDP:
        # ss's zeroed addresses; the queue id as the local port (null when unbound: 0)
        src, dst, sport, dport = 0, 0, to_s32(sport or 0), 0
    else:
        src, dst = rec['local_address'], rec['peer_address']
    view = RecordView(fam, rec['netid'], state, src, dst, sport, dport if dport is not None else 0,
                      ifindex)
    view.ifname = rec['interface'] if 'interface' in rec else _NO_INTERFACE
    return view


def _vsock_cid(text):
    return 0xffffffff if text == '*' else int(text)


def _inet_bytes(sys_fam, text):
    if text in ('*', '::'):
        return bytes(16)
    return socket.inet_pton(sys_fam, text)


def _view_data(view, side):
    """The 16 address bytes ss compares for this socket (None: no comparable bytes)."""
    fam = view.family
    val = view.src if side == 'src' else view.dst
    if fam in (AF_INET, AF_INET6):
        return bytes(val).ljust(16, b'\0') if val else bytes(16)
    if fam in (AF_PACKET, AF_NETLINK, AF_VSOCK, AF_XDP):
        # xdp: ss compares its zeroed addresses (so `ss -A xdp src 0.0.0.0/8` lists every xdp socket)
        return (int(val or 0) & 0xffffffff).to_bytes(4, sys.byteorder) + bytes(12)
    return None


def _prefix_test(pfx):
    """One Prefix as test(view family, 16 address bytes) -> bool (ss inet2_addr_match)."""
    bitlen = pfx.bitlen
    mask = ((1 << bitlen) - 1) << (128 - bitlen) if bitlen else 0
    pval = int.from_bytes(pfx.data.ljust(16, b'\0'), 'big') & mask
    is_v4 = pfx.family == AF_INET

    def test(fam, data):
        # ss: a byte-wise prefix match (families not compared), or else, for a
        # v4-mapped IPv6 socket and an IPv4 prefix, a match of the mapped address
        if data is None:
            return False
        if (int.from_bytes(data, 'big') & mask) == pval:
            return True
        if is_v4 and fam == AF_INET6 and data[:12] == V4_MAPPED_PREFIX:
            return (int.from_bytes(data[12:] + bytes(12), 'big') & mask) == pval
        return False
    return test


def _flatten(node, cls):
    """Operands of a left-deep chain of one operator, without recursion."""
    rights = []
    while isinstance(node, cls):
        rights.append(node.right)
        node = node.left
    rights.append(node)
    rights.reverse()
    return rights


def _compile(node, eph, records):
    if isinstance(node, (And, Or)):
        funcs = tuple(_compile(n, eph, records) for n in _flatten(node, type(node)))
        if len(funcs) == 2:
            first, second = funcs
            if isinstance(node, And):
                return lambda v: first(v) and second(v)
            return lambda v: first(v) or second(v)
        if isinstance(node, And):
            return lambda v: all(f(v) for f in funcs)
        return lambda v: any(f(v) for f in funcs)
    if isinstance(node, Not):
        child = _compile(node.child, eph, records)
        return lambda v: not child(v)
    if isinstance(node, HostCond):
        return _compile_host(node)
    if isinstance(node, PortRange):
        port = node.port
        if node.op == '>=':
            return (lambda v: v.sport >= port) if node.side == 'src' else (lambda v: v.dport >= port)
        return (lambda v: v.sport <= port) if node.side == 'src' else (lambda v: v.dport <= port)
    if isinstance(node, DevCond):
        if records:
            name = None if _device_number(node.text) == 0 else node.text
            return lambda v: _ifname(v) == name
        idx = node.ifindex
        return lambda v: (v.ifindex or 0) == idx
    if isinstance(node, MarkCond):
        mark, mask = node.mark, node.mask
        return lambda v: ((v.mark or 0) & mask) == mark
    if isinstance(node, CgroupCond):
        cgid = node.cgroup_id
        return lambda v: (v.cgroup_id or 0) == cgid
    if isinstance(node, AutoBound):
        return _autobound(eph)
    raise TypeError('not a filter node: %r' % (node,))


def _autobound(eph):
    low, high = eph

    def auto(v):
        fam = v.family
        if fam == AF_UNIX:
            name = v.src or b''
            return name == b'' or _ABSTRACT_AUTO.match(name) is not None
        if fam == AF_PACKET:
            return (v.sport or 0) == 0 and (v.src or 0) == 0
        if fam == AF_NETLINK:
            return v.sport < 0
        if fam == AF_VSOCK:
            return v.sport > 1023
        return low <= v.sport <= high
    return auto


def _compile_host(node):
    src = node.side == 'src'
    if node.pattern is not None:
        # imported here: a filter without a unix pattern need not compile the glob engine
        from ansible_collections.netdiag.ss.plugins.module_utils._filter._fnmatch import compile_glob
        glob = compile_glob(node.pattern)

        def unix(v):
            if v.family != AF_UNIX:
                return False   # ss would read the address bytes as a C string pointer
            return glob((v.src if src else v.dst) or b'')
        return unix
    port = node.port
    side = node.side
    tests = [_prefix_test(p) for p in node.prefixes if p.bitlen]
    if len(tests) < len(node.prefixes) or not tests:   # a bitlen-0 alternative matches every address
        if port == -1:
            return lambda v: True
        return (lambda v: v.sport == port) if src else (lambda v: v.dport == port)

    def host(v):
        if port != -1 and port != (v.sport if src else v.dport):
            return False
        data = _view_data(v, side)
        fam = v.family
        for test in tests:
            if test(fam, data):
                return True
        return False
    return host


__all__ = ['make_matcher', 'record_matcher', 'record_view', 'RecordView']
