# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ss command line as data: getopt rules, tables, families, states, option merging.

Expected masks are those iproute2 6.1.0 computes (misc/ss.c); the live
differential tests check the same selections against the real ss.
"""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._facts import build_query, read_filter_file, select_fields, summarize
from ansible_collections.netdiag.ss.plugins.module_utils._query import SS_ALL, SS_CONN, getopt, parse_ss_args
from ansible_collections.netdiag.ss.plugins.module_utils._render import format_timer_ms, render
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import AF_INET, AF_INET6, AF_PACKET, AF_UNIX

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
    ('-46t', {AF_INET, AF_INET6}, (AF_INET6,)),      # the last of -4/-6 decides which dump is sent
    ('-64t', {AF_INET, AF_INET6}, (AF_INET,)),
    ('-x -t', {AF_UNIX, AF_INET, AF_INET6}, (AF_INET, AF_INET6)),
    ('-0', {AF_PACKET}, (AF_INET, AF_INET6)),
])
def test_families(args, families, dumps):
    q = parse_ss_args(args).finish()
    assert q.families == families and q.inet_dump_families() == dumps


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
    ('-e', '-e (details) is not supported yet'),
    ('-K', 'socket_kill'),
    ('-F a -F b', 'more than one filter file'),
    ("-t 'unclosed", 'cannot split'),
])
def test_errors_name_the_word(args, message):
    with pytest.raises(ArgsError) as info:
        parse_ss_args(args).finish()
    assert message in str(info.value)


@pytest.mark.parametrize('params,message', [
    ({'listening': True, 'all': True}, 'contradict each other'),
    ({'ss_args': '-a', 'listening': True}, 'listening=True contradicts "-a"'),
    ({'ss_args': '-t state established', 'states': ['listening']}, 'contradicts "state established"'),
    ({'listening': True, 'states': ['established']}, 'contradicts states'),
    ({'ss_args': '-n', 'resolve': True}, 'resolve=true contradicts "-n"'),
    ({'ss_args': '-p', 'processes': False}, 'processes=false contradicts "-p"'),
    ({'ss_args': '-N a', 'netns': 'b'}, 'netns=b contradicts "-N a"'),
    ({'ss_args': '-t sport = :22', 'filter': 'dport = :22'}, 'give the expression once'),
    ({'tables': ['bogus']}, 'tables: "bogus" is not a socket table'),
    ({'families': ['bogus']}, 'families: "bogus" is not a family'),
    ({'states': ['listen']}, 'did you mean "listening"'),
])
def test_option_contradictions(params, message):
    with pytest.raises(ArgsError) as info:
        build_query(params)
    assert message in str(info.value)


def test_structured_options_add_to_ss_args():
    q = build_query({'ss_args': '-t', 'tables': ['udp'], 'families': ['inet'], 'listening': True, 'processes': True})
    assert q.tables() == ['udp', 'tcp'] and q.states == LISTEN_CLOSE and q.processes and q.families == {AF_INET}
    q = build_query({'ss_args': '-p', 'processes': True, 'states': ['established', 'time-wait'], 'exclude_states': ['time-wait']})
    assert q.states == 1 << 1


def test_filter_file(tmp_path):
    f = tmp_path / 'filter'
    f.write_text('# comment\n0 skipped like ss does\nsport = :22\n\nor dport = :22\n')
    assert read_filter_file(str(f)) == ['sport = :22', 'or dport = :22']
    f.write_text('x' * 1022 + '\n')
    with pytest.raises(ArgsError, match='too long'):
        read_filter_file(str(f))
    with pytest.raises(ArgsError, match='cannot read'):
        read_filter_file(str(tmp_path / 'missing'))


@pytest.mark.parametrize('ms,text', [
    (0, ''), (3, '003ms'), (536, '536ms'), (4796, '4.796sec'), (14000, '14sec'), (74000, '1min14sec'),
    (7180950, '119min'), (600000, '10min'), (59999, '59sec'),
])
def test_timer_text(ms, text):
    assert format_timer_ms(ms) == text


def _rec(**kw):
    rec = {'netid': 'tcp', 'state': 'LISTEN', 'recv_q': 0, 'send_q': 128, 'local_address': '0.0.0.0', 'local_port': 22,
           'peer_address': '0.0.0.0', 'peer_port': 0, 'interface': None, 'family': 'inet', 'uid': 0, 'inode': 1, 'cookie': 1}
    rec.update(kw)
    return rec


def test_render_columns_like_ss():
    """The rows of iproute2's own test capture, as `ss -tna` prints them (6.1.0, trailing blanks trimmed)."""
    est = dict(state='ESTAB', send_q=0, local_address='10.0.0.1', peer_address='10.0.0.1')
    lines = render([_rec(), _rec(peer_port=36266, **est), _rec(local_port=36266, peer_port=22, **est),
                    _rec(peer_port=50312, state='ESTAB', send_q=0, local_address='10.0.0.1', peer_address='10.0.0.2')],
                   show_netid=False)
    assert lines == [
        'State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
        'LISTEN 0      128          0.0.0.0:22         0.0.0.0:*',
        'ESTAB  0      0           10.0.0.1:22        10.0.0.1:36266',
        'ESTAB  0      0           10.0.0.1:36266     10.0.0.1:22',
        'ESTAB  0      0           10.0.0.1:22        10.0.0.2:50312',
    ]
    v6 = render([_rec(family='inet6', local_address='*', peer_address='*', interface='eth0')], header=False, show_netid=False)
    assert v6 == ['LISTEN 0      128    *%eth0:22 *:*']
    unix = _rec(netid='u_str', family='unix', local_address='/run/x', local_port=99, peer_address='*', peer_port=0)
    assert render([unix], header=False, show_state=False, show_netid=False) == ['0      128    /run/x 99 * 0']


def test_summary_and_fields():
    recs = [_rec(), _rec(state='ESTAB'), _rec(netid='udp', state='UNCONN')]
    assert summarize(recs) == {'total': 3, 'by_netid': {'tcp': 2, 'udp': 1}, 'by_state': {'LISTEN': 1, 'ESTAB': 1, 'UNCONN': 1},
                               'by_netid_state': {'tcp': {'LISTEN': 1, 'ESTAB': 1}, 'udp': {'UNCONN': 1}}}
    assert select_fields(recs[:1], ['state', 'local_port']) == [{'state': 'LISTEN', 'local_port': 22}]
    with pytest.raises(ArgsError, match='unknown field'):
        select_fields(recs, ['bogus'])


def test_fwmark_without_privilege_says_what_to_do(monkeypatch):
    """Without CAP_NET_ADMIN the kernel refuses a program with MARK_COND (EPERM): say so, and how to fix it."""
    import errno
    from ansible_collections.netdiag.ss.plugins.module_utils import _collect
    from ansible_collections.netdiag.ss.plugins.module_utils._errors import NetlinkError
    from ansible_collections.netdiag.ss.plugins.module_utils._facts import gather, parse_filter

    def refuse(*args, **kwargs):
        raise NetlinkError(errno.EPERM, 'tcp')
    monkeypatch.setattr(_collect, 'collect', refuse)
    q = parse_filter(build_query({'ss_args': '-tn', 'filter': 'fwmark = 0x23'}))
    with pytest.raises(ArgsError, match='CAP_NET_ADMIN.*become: true'):
        gather(q)
    q = parse_filter(build_query({'ss_args': '-tn', 'filter': 'sport = :22'}))
    with pytest.raises(NetlinkError):
        gather(q)
