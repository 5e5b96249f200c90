# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ss command line as data: getopt rules, tables, families, states.

Expected masks are those iproute2 6.1.0 computes (misc/ss.c); the live
differential tests check the same selections against the real ss.
"""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._query import getopt, inet_dump_families, parse_ss_args
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_PACKET, AF_UNIX, SS_ALL, SS_CONN

ALL_BUT_TIPC = ['netlink', 'packet_raw', 'packet_dgram', 'unix_stream', 'unix_dgram', 'unix_seqpacket', 'raw', 'udp',
                'tcp', 'dccp', 'sctp', 'vsock_stream', 'vsock_dgram', 'xdp', 'mptcp']
INET = ['raw', 'udp', 'tcp', 'dccp', 'sctp', 'mptcp']
UNIX = ['unix_stream', 'unix_dgram', 'unix_seqpacket']
LISTEN_CLOSE = (1 << 10) | (1 << 7)


@pytest.mark.parametrize('args,tables,states', [
    ('', ALL_BUT_TIPC, SS_CONN),
    ('-a', ALL_BUT_TIPC, SS_ALL),
    ('-l', ALL_BUT_TIPC, LISTEN_CLOSE),
    ('-t', ['tcp'], SS_CONN),
    ('-u', ['udp'], 1 << 1),
    ('-tu', ['udp', 'tcp'], SS_CONN),
    ('-x', UNIX, SS_CONN),
    ('-xa', UNIX, SS_ALL),
    ('-4', INET, SS_CONN),
    ('-0', ['packet_raw', 'packet_dgram'], 1 << 7),
    ('-A unix', UNIX, SS_CONN),
    ('-A u_dgr', ['unix_dgram'], SS_CONN),
    ("-a -A 'all,!tcp'", [t for t in ALL_BUT_TIPC if t != 'tcp'], SS_ALL),
    ('-t -A udp', ['udp'], SS_CONN),                 # the first -A clears earlier tables
    ('-t state listening', ['tcp'], 1 << 10),
    ('-tl exclude listening', ['tcp'], SS_ALL & ~(1 << 10)),
    ('-t state established exclude established', ['tcp'], SS_CONN),   # B-20: an empty mask is ignored
    ('-t state bucket', ['tcp'], (1 << 3) | (1 << 6)),
    ('-at state established state listening', ['tcp'], (1 << 1) | (1 << 10)),
    ('--tcp --listening', ['tcp'], LISTEN_CLOSE),
    ('--tc --lis', ['tcp'], LISTEN_CLOSE),           # unambiguous long prefixes
    ('-f inet6 -t', ['tcp'], SS_CONN),
    ('--family=unix', UNIX, SS_CONN),
    ('-x -t', ['unix_stream', 'unix_dgram', 'unix_seqpacket', 'tcp'], SS_CONN),
    ('-tFfile', ['tcp'], SS_CONN),                   # -F takes the rest of the bundle
])
def test_selection(args, tables, states):
    q = parse_ss_args(args).finish()
    assert q.tables() == tables
    assert q.states == states


@pytest.mark.parametrize('args,families,dumps', [
    ('-t', {AF_INET, AF_INET6}, (AF_INET, AF_INET6)),
    ('-t4', {AF_INET}, (AF_INET,)),
    # ss sends only the dump of the last of -4/-6 (docs/differences.md); both are asked for
    ('-46t', {AF_INET, AF_INET6}, (AF_INET, AF_INET6)),
    ('-64t', {AF_INET, AF_INET6}, (AF_INET, AF_INET6)),
    ('-t -f inet6 -f inet', {AF_INET, AF_INET6}, (AF_INET, AF_INET6)),
    ('-t6', {AF_INET6}, (AF_INET6,)),
    ('-x -4', {AF_UNIX, AF_INET}, (AF_INET,)),
    ('-x -t', {AF_UNIX, AF_INET, AF_INET6}, (AF_INET, AF_INET6)),
    ('-0', {AF_PACKET}, (AF_INET, AF_INET6)),
])
def test_families(args, families, dumps):
    q = parse_ss_args(args).finish()
    assert q.families == families and inet_dump_families(q.families) == dumps


def test_positional_words():
    q = parse_ss_args("-o state established '( dport = :ssh or sport = :ssh )' -t")
    assert q.expression == ['( dport = :ssh or sport = :ssh )'] and q.timers and q.tables() == ['tcp']
    opts, rest = getopt(['-t', '--', '-a'])
    assert opts == [('tcp', None)] and rest == ['-a']


@pytest.mark.parametrize('args,message', [
    ('-t state listen', '"listen" is not a state name; did you mean "listening"?'),
    ('-t exclude estab', 'did you mean "established"?'),
    ('-t state', '"state" needs a state name'),
    ('-Y', 'unknown option "-Y"'),
    ('--bogus', 'unknown option "--bogus"'),
    ('--c', 'ambiguous'),
    ('-f inet7', '"inet7" is not a family'),
    ('-A tcp,bogus', '"bogus" is not a socket table'),
    ('-A', 'needs an argument'),
    ('-D a -D b', 'more than one dump file'),
    ('-K', 'socket_kill'),
    ('-F a -F b', 'more than one filter file'),
    ("-t 'unclosed", 'cannot split'),
])
def test_errors_name_the_word(args, message):
    with pytest.raises(ArgsError) as info:
        parse_ss_args(args).finish()
    assert message in str(info.value)


def test_finished_query_cannot_change():
    q = parse_ss_args('-t').finish()
    with pytest.raises(AttributeError, match='finished'):
        q.states = 0
    assert q.finish() is q


SEED_QUERY_IDS = ['all', 'inet', 'tcp', 'mptcp', 'udp', 'raw', 'unix', 'packet', 'netlink', 'unix_dgram', 'unix_stream',
                  'packet_raw', 'packet_dgram', 'unix_seqpacket', 'dccp', 'sctp', 'vsock_stream', 'vsock_dgram', 'tipc', 'xdp']


@pytest.mark.parametrize('name', SEED_QUERY_IDS)
def test_every_query_identifier_of_the_seed(name):
    """-A NAME selects that table or group, and -A all,!NAME removes it again (the seed lists these identifiers)."""
    from ansible_collections.netdiag.ss.plugins.module_utils._vocab import QUERY_GROUPS
    q = parse_ss_args('-a -A %s' % name).finish()
    assert set(q.tables()) == set(QUERY_GROUPS[name])
    if name != 'all':
        rest = parse_ss_args("-a -A 'all,!%s'" % name).finish()
        assert not set(rest.tables()) & set(QUERY_GROUPS[name]) - ({'tipc'} if name != 'tipc' else set())


@pytest.mark.parametrize('args,tables,family', [
    ('--vsock', ['vsock_stream', 'vsock_dgram'], 40), ('--tipc', ['tipc'], 30), ('--xdp', ['xdp'], 44),
    ('-f vsock', ['vsock_stream', 'vsock_dgram'], 40), ('-f xdp', ['xdp'], 44),
    ('--xdp -A tcp', ['tcp', 'xdp'], 44),        # a family option survives -A (ss: filter_af_set, then defaults)
])
def test_vsock_tipc_xdp_are_family_options_that_name_their_tables(args, tables, family):
    """ss: --vsock, --tipc and --xdp are filter_af_set, like -x (preferred family included); they name their tables."""
    q = parse_ss_args(args).finish()
    assert q.tables() == tables and q.preferred_family == family
    assert set(tables) <= q.explicit_tables
    assert not parse_ss_args('-a').finish().explicit_tables & {'vsock_stream', 'vsock_dgram', 'xdp'}


@pytest.mark.parametrize('args, named', [
    ('-A all', set()), ("-a -A 'all,!tcp'", set()), ('-A inet', set()), ('-A inet,sctp', {'sctp'}),
    ('-A sctp,inet', {'sctp'}), ('-A dccp', {'dccp'}), ('-A vsock', {'vsock_stream', 'vsock_dgram'}),
    ('-A all --xdp', {'xdp'}),
])
def test_broad_groups_name_no_table(args, named):
    """`-A all` and `-A inet` ask for no table in particular: one the kernel lacks is not warned about (it is listed
    in unsupported_tables), as a default table; a table named alone, or its family's group, is."""
    q = parse_ss_args(args).finish()
    assert q.explicit_tables & {'sctp', 'dccp', 'vsock_stream', 'vsock_dgram', 'xdp', 'tipc'} == named
