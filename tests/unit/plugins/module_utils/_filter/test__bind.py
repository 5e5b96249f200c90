# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Binding: the names a parsed filter leaves to the host, looked up through one HostLookups."""

from __future__ import annotations

import os

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import FilterError
from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import CgroupCond, Prefix
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import make_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import parse
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

from filters import FakeLookups, P, inet, parse_bound, v4, v6


def test_host_name_resolution_or():
    lookups = FakeLookups({'multi.test': [(AF_INET, v4('127.0.0.1')), (AF_INET6, v6('::1'))]})
    node = parse_bound(['src multi.test'], lookups=lookups)
    assert [p.family for p in node.prefixes] == [AF_INET, AF_INET6]
    match = make_matcher(node)
    assert match(inet('127.0.0.1', 5)) and match(inet('::1', 5)) and not match(inet('127.0.0.2', 5))


def test_cgroup_operand(tmp_path):
    from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
    mnt = HostLookups().cgroup2_mount()
    node = P('cgroup /')
    assert node == CgroupCond(os.stat(mnt or '/').st_ino)      # the root cgroup (ss: the host's / directory, B-11)
    if mnt:
        assert P('cgroup ' + mnt) == CgroupCond(os.stat(mnt).st_ino)
    with pytest.raises(FilterError, match='cgroup'):
        P('cgroup /no/such/cgroup/here')


def test_service_tables():
    with pytest.raises(FilterError, match='does not look like a port'):
        parse_bound(['sport = :http'], tables=frozenset(['mptcp']))
    assert parse_bound(['sport = :http'], tables=frozenset(['udp', 'tcp'])).port == 80


class Counting(FakeLookups):
    """Counts every look-up."""

    def __init__(self):
        super(Counting, self).__init__({'db.example': [(AF_INET, v4('192.0.2.7'))]})
        self.asked = []

    def ifindex(self, name):
        self.asked.append(('ifindex', name))
        return {'eth0': 2}.get(name, 0)

    def service_port(self, name, protocol):
        self.asked.append(('service', name, protocol))
        return {'postgresql': 5432}.get(name)

    def netlink_protocols(self):
        self.asked.append(('netlink',))
        return {'rtnl': 0, 'mine': 99}

    def cgroup_id(self, path):
        self.asked.append(('cgroup', path))
        if path != '/system.slice':
            raise OSError(2, 'No such file or directory')
        return 1234


def test_parse_looks_nothing_up_and_bind_looks_up_each_name_once():
    words = ['dev eth0 and sport = :postgresql and dst db.example and src netlink:mine and cgroup /system.slice '
             'and src link:ip:eth0 and sport = 22']
    tree = parse(words)
    leaves = [n for n in tree.walk() if not n.children()]
    assert [n.unresolved() for n in leaves] == [True, True, True, True, True, True, False]
    lookups = Counting()
    bound = bind(tree, frozenset(['tcp']), lookups)
    assert not any(n.unresolved() for n in bound.walk())
    assert sorted(lookups.asked) == [('cgroup', '/system.slice'), ('ifindex', 'eth0'), ('ifindex', 'eth0'), ('netlink',),
                                     ('service', 'postgresql', 'tcp')]
    assert all(n.unresolved() for n in leaves[:6])        # the parsed tree is left as it was
    dev, port, dst, nl, cg, link, _plain = [n for n in bound.walk() if not n.children()]
    assert (dev.ifindex, port.port, dst.prefixes, cg.cgroup_id, link.port) == \
        (2, 5432, (Prefix(AF_INET, 32, v4('192.0.2.7')),), 1234, 2)
    assert nl.prefixes == (Prefix(16, 32, (99).to_bytes(4, 'little' if __import__('sys').byteorder == 'little' else 'big')),)
    assert bind(parse(['sport = 22']), frozenset(), Counting()) == parse(['sport = 22'])


@pytest.mark.parametrize('text, word, reason', [
    ('dev nosuch0', 'nosuch0', 'is not a network device name or index'),
    ('cgroup /nope', '/nope', 'is not a cgroup'),
    ('src netlink:theirs', 'netlink:theirs', 'is not a netlink protocol'),
    ('src link:ip:nosuch0', 'link:ip:nosuch0', 'names no network device'),
    ('dst nowhere.example', 'nowhere.example', 'is not an address, prefix or known host name'),
    ('sport = :nosuchsvc', ':nosuchsvc', 'does not look like a port'),
])
def test_binding_errors_name_the_word(text, word, reason):
    words = 'sport = 1 and ' + text
    with pytest.raises(FilterError) as info:
        bind(parse([words]), frozenset(['tcp']), Counting())
    assert info.value.word == word and info.value.position == words.split().index(word) and reason in str(info.value)


def test_grouping_survives_binding():
    """The lint reads `grouped` from a bound tree too."""
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._lint import mixed_and_or_warning
    words = ['( dev eth0 or sport = 1 ) and dport = 2']
    assert mixed_and_or_warning(bind(parse(words), frozenset(['tcp']), Counting())) is None
    assert mixed_and_or_warning(bind(parse(['dev eth0 or sport = 1 and dport = 2']), frozenset(), Counting()))


class _Services(FakeLookups):
    """/etc/services with a UDP-only name (ntp), a name on both (ssh) and one whose numbers differ (odd)."""

    SERVICES = {('ntp', 'udp'): 123, ('ssh', 'tcp'): 22, ('ssh', 'udp'): 22, ('odd', 'tcp'): 7000, ('odd', 'udp'): 7001}

    def service_port(self, name, protocol):
        return self.SERVICES.get((name, protocol))


def test_service_names_are_looked_up_in_each_selected_table():
    """A UDP-only name keeps its UDP number with TCP selected too (ss reads a failed lookup's leftovers there)."""
    lookups = _Services()
    both = frozenset(['tcp', 'udp'])
    assert P('sport = :ntp', tables=both, lookups=lookups).port == 123
    assert P('sport = :ntp', tables=frozenset(['udp']), lookups=lookups).port == 123
    assert P('sport = :ssh', tables=both, lookups=lookups).port == 22
    with pytest.raises(FilterError, match='does not look like a port'):
        P('sport = :ntp', tables=frozenset(['tcp']), lookups=lookups)
    with pytest.raises(FilterError, match='ambiguous port name.*7001 for udp and 7000 for tcp'):
        P('sport = :odd', tables=both, lookups=lookups)
