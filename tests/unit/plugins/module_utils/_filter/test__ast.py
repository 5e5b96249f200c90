# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AST nodes: equal when they mean the same condition, unresolved until bound."""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import (
    And, AutoBound, CgroupCond, DevCond, HostCond, MarkCond, Not, Or, PortRange, Prefix,
)
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_UNSPEC


def test_equality_ignores_how_it_was_written():
    any22 = (Prefix(AF_UNSPEC, 0, bytes(4)),)
    assert HostCond('src', AF_UNSPEC, 22, any22, text=':22', pos=2) == HostCond('src', AF_UNSPEC, 22, any22, text='22')
    assert MarkCond(1, text='0x1', pos=1) == MarkCond(1) and hash(MarkCond(1)) == hash(MarkCond(1, text='1'))
    assert And(AutoBound(0), Not(DevCond(1, 'lo'))) == And(AutoBound(), Not(DevCond(1, 'if1')))
    assert And(AutoBound(), AutoBound()) != Or(AutoBound(), AutoBound())


def test_unresolved_until_bound():
    assert DevCond(None, 'eth0').unresolved() and not DevCond(2, 'eth0').unresolved()
    assert DevCond(None, 'eth0') != DevCond(None, 'eth1')
    assert CgroupCond(None, '/x').unresolved() and not CgroupCond(5, '/x').unresolved()
    assert PortRange('src', '>=', None, port_name='ssh').unresolved()
    named = HostCond('dst', AF_INET, -1, (), host_name='db.example')
    assert named.unresolved() and repr(named) == 'DCond(host=db.example, port=*)'
    bound = named.resolved(prefixes=(Prefix(AF_INET, 32, b'\x7f\0\0\x01'),))
    assert not bound.unresolved() and repr(bound) == 'DCond(host=127.0.0.1/32, port=*)'
    assert [type(n).__name__ for n in Not(And(AutoBound(), named)).walk()] == ['Not', 'And', 'AutoBound', 'HostCond']
