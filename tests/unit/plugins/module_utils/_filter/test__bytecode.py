# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""inet_diag bytecode: the programs ss sends, the kernel's execution rule, and its validation (kernel_model)."""

from __future__ import annotations

import socket
import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import (
    And, AutoBound, CgroupCond, HostCond, MarkCond, Not, Or, PortRange,
)
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bytecode import compile_bytecode, run_bytecode
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import make_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_UNSPEC

from filters import FakeLookups, P, inet, parse_bound, v4, v6
from kernel_model import BytecodeError, audit_bytecode

hypothesis = pytest.importorskip('hypothesis')
st = hypothesis.strategies


@pytest.mark.parametrize('text, payload', [
    ('sport = :5555', '07101400 00000000 b3150000 00000000'),
    ('dport >= :1000', '04080c00 0000e803'),
    ('dport < :1000', '04080c00 0000e803 01040800'),
    ('sport > 10', '03080c00 00000a00 01040800'),
    ('src 127.0.0.1/8', '07101400 02080000 ffffffff 7f000001'),
    ('dst [::1]', '081c2000 0a800000 ffffffff 00000000 00000000 00000000 00000001'),
    ('src 127.0.0.1 or src 127.0.0.2',
     '07101400 02200000 ffffffff 7f000001 01041400 07101400 02200000 ffffffff 7f000002'),
    ('not src 127.0.0.1', '07101400 02200000 ffffffff 7f000001 01040800'),
    ('autobound', '06040800'),
    ('fwmark = 0x23/0xff', '0a0c1000 23000000 ff000000'),
    ('src 127.0.0.1 and sport = :5555', '07102400 02200000 ffffffff 7f000001 07101400 00000000 b3150000 00000000'),
    ('( src 127.0.0.1 and dport = :5555 ) or sport = :5555',
     '07102400 02200000 ffffffff 7f000001 08101400 00000000 b3150000 00000000 01041400 '
     '07101400 00000000 b3150000 00000000'),
    ('not ( sport = :1 or sport = :2 )',
     '07101400 00000000 01000000 00000000 01041400 07101400 00000000 02000000 00000000 01040800'),
    ('sport = :1 and not dport = :2',
     '07102800 00000000 01000000 00000000 08101400 00000000 02000000 00000000 01040800'),
    # observed with strace on ss 6.1.0 during development
    ('src 0/0', '07101400 02000000 ffffffff 00000000'),
    ('src all', '07101400 00000000 ffffffff 00000000'),
    ('src any:22', '07101400 00000000 16000000 00000000'),
    ('src inet6:all', '071c2000 0a000000 ffffffff 00000000 00000000 00000000 00000000'),
    ('dport = -5', '08101400 00000000 fbffffff 00000000'),
    ('sport > 70000', '03080c00 00007011 01040800'),
    ('src 10.1', '07101400 02200000 ffffffff 0a010000'),
    ('fwmark 0x100000001', '0a0c1000 01000000 ffffffff'),
])
def test_bytecode_payloads(text, payload):
    prog = compile_bytecode(P(text))
    assert prog.hex() == payload.replace(' ', '')
    audit_bytecode(prog)


def test_bytecode_cgroup():
    prog = compile_bytecode(CgroupCond(0x1234567890))
    assert prog == bytes.fromhex('0d0c1000') + struct.pack('=Q', 0x1234567890)
    audit_bytecode(prog)


def test_bytecode_dev_is_compiled_unlike_ss():
    """ss sends no program for `dev` (B-29); we emit the kernel's DEV_COND: {9, 8, 12} + u32 ifindex."""
    prog = compile_bytecode(P('dev lo'))
    assert prog.hex() == '09080c00' + struct.pack('=I', socket.if_nametoindex('lo')).hex()
    audit_bytecode(prog)
    both = compile_bytecode(P('sport = 22 and not dev lo'))
    audit_bytecode(both)
    for ifindex, sport, expected in ((0, 22, True), (1, 22, False), (1, 23, False)):
        view = SockView(AF_INET, 'tcp', 1, bytes(4), bytes(4), sport, 0, ifindex)
        assert run_bytecode(both, view) is expected


def test_bytecode_none_cases():
    assert compile_bytecode(None) is None
    assert compile_bytecode(P('src unix:/x')) is None
    # too long for the 16-bit offsets
    big = ' or '.join(['src [::%x]' % i for i in range(1, 2400)])
    assert compile_bytecode(P(big)) is None


def test_bytecode_b3_fixed():
    node = parse_bound(['src multi.test'], lookups=FakeLookups({'multi.test': [(AF_INET, v4('127.0.0.1')),
                                                                               (AF_INET6, v6('::1'))]}))
    prog = compile_bytecode(node)
    audit_bytecode(prog)
    assert prog.hex() == ('07101400 02200000 ffffffff 7f000001 01042000 '
                          '071c2000 0a800000 ffffffff 00000000 00000000 00000000 00000001').replace(' ', '')
    assert run_bytecode(prog, inet('::1', 1)) and run_bytecode(prog, inet('127.0.0.1', 1))
    assert not run_bytecode(prog, inet('127.0.0.2', 1))


def test_audit_rejects():
    for bad in ['', '0104', '01050800', '01041000', '01040200', '07101000 02200000 ffffffff', '0e040800',
                '07101400 05200000 ffffffff 7f000001', '07101400 02210000 ffffffff 7f000001',
                '07101400 00080000 ffffffff 00000000', '07101400 00000000 ffffffff']:
        with pytest.raises(BytecodeError):
            audit_bytecode(bytes.fromhex(bad.replace(' ', '')))
    with pytest.raises(BytecodeError) as info:
        audit_bytecode(compile_bytecode(MarkCond(1)), net_admin=False)
    assert info.value.errno == 'EPERM'
    with pytest.raises(BytecodeError):
        audit_bytecode(compile_bytecode(CgroupCond(1)), cgroup_supported=False)


LEAVES = [
    'src 10.0.0.1', 'src 10.0.0.0/8', 'dst 10.1.2.3', 'dst 127.0.0.0/8:80', 'src [::1]', 'dst fe80::1/64',
    'src [::ffff:10.0.0.1]', 'src 0.0.0.0', 'src *:22', 'dport = :80', 'sport >= 1024', 'sport < 1024',
    'dport > 70000', 'sport != 22', 'dport <= 4465', 'fwmark 0x10/0xf0', 'fwmark = 3', 'src 0/0', 'dst all',
    'src 10.0.0.0/255.255.0.0:22', 'autobound', 'cgroup /', 'sport = -1', 'dst 2001:db8::/32',
]
ADDRS4 = ['10.0.0.1', '10.1.2.3', '127.0.0.1', '0.0.0.0', '192.0.2.1']
ADDRS6 = ['::1', 'fe80::1', '::ffff:10.0.0.1', '2001:db8::5', '::', '::ffff:127.0.0.1']
PORTS = [0, 22, 80, 1023, 1024, 4464, 4465, 4466, 32768, 65535]


def _leaves(node):
    if isinstance(node, (And, Or)):
        return _leaves(node.left) + _leaves(node.right)
    if isinstance(node, Not):
        return _leaves(node.child)
    return [node]


def _expr_words():
    leaf = st.sampled_from(LEAVES).map(lambda t: t.split(' '))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(['and', 'or', '&&', '||', '&', '|', None]), inner).map(
                lambda t: t[0] + ([t[1]] if t[1] else []) + t[2]),
            inner.map(lambda w: ['not'] + w),
            inner.map(lambda w: ['('] + w + [')']),
        ),
        max_leaves=8)


@st.composite
def _views(draw):
    if draw(st.booleans()):
        fam, src, dst = AF_INET, v4(draw(st.sampled_from(ADDRS4))), v4(draw(st.sampled_from(ADDRS4)))
    else:
        fam, src, dst = AF_INET6, v6(draw(st.sampled_from(ADDRS6))), v6(draw(st.sampled_from(ADDRS6)))
    return (SockView(fam, 'tcp', 1, src, dst, draw(st.sampled_from(PORTS)), draw(st.sampled_from(PORTS)),
                     ifindex=draw(st.sampled_from([0, 1])), mark=draw(st.sampled_from([0, 3, 0x13, 0x10])),
                     cgroup_id=draw(st.sampled_from([0, 2]))),
            draw(st.booleans()))


@hypothesis.settings(max_examples=300, deadline=None,
                     suppress_health_check=[hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.filter_too_much])
@hypothesis.given(_expr_words(), st.lists(_views(), min_size=1, max_size=6))
def test_property_kernel_equals_userspace(words, views):
    """compile + kernel semantics == user-space matcher, whenever every leaf agrees.

    Excluded (socket, expression) pairs: those where some *leaf* predicate is
    decided differently by the kernel and by ss's user space.  By design that
    happens only for:
      * host conditions compared across families (user space is family-blind,
        B-7; e.g. `src 0/0` or `src 0.0.0.0` vs an IPv6 socket, `dst all`
        parsed as AF_UNSPEC is fine but AF_INET `0/0` is not);
      * port ranges with operands > 65535 (kernel truncates to 16 bits, B-6);
      * autobound (kernel: port not explicitly bound; user: ephemeral range, B-30).
    fwmark, cgroup, port equality and same-family prefixes never diverge
    (asserted below).  Under these exclusions the two evaluations must be
    identical, which also proves run(compile(e)) AND user(e) == user(e).
    """
    expr = parse_bound(words)
    prog = compile_bytecode(expr)
    audit_bytecode(prog)
    user = make_matcher(expr, ephemeral_range=(32768, 60999))
    leaves = _leaves(expr)
    for view, locked in views:
        diverging = []
        for leaf in leaves:
            lk = run_bytecode(compile_bytecode(leaf), view, bindport_locked=locked)
            lu = make_matcher(leaf, ephemeral_range=(32768, 60999))(view)
            if lk != lu:
                diverging.append(leaf)
        for leaf in diverging:
            assert isinstance(leaf, (AutoBound, PortRange, HostCond)), leaf
            if isinstance(leaf, PortRange):
                assert leaf.port > 65535
            if isinstance(leaf, HostCond):
                assert any(p.family not in (AF_UNSPEC, view.family) for p in leaf.prefixes), (leaf, view)
        if diverging:
            continue
        assert run_bytecode(prog, view, bindport_locked=locked) == user(view), (words, view)


def test_nesting_at_the_limit_still_works_end_to_end():
    node = parse_bound(['not ' * 199 + 'sport = :22'])
    prog = compile_bytecode(node)
    audit_bytecode(prog)
    view = SockView(AF_INET, 'tcp', 1, bytes(4), bytes(4), 22, 0)
    assert make_matcher(node)(view) is False and run_bytecode(prog, view) is False
