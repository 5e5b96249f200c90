# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The user-space evaluator (ss run_ssfilter) on socket views, and on returned records."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import CgroupCond
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bytecode import compile_bytecode, run_bytecode
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import make_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AF_VSOCK

from filters import P, inet, parse_bound


def test_matcher_inet_v4_v6_mapped():
    m = make_matcher(P('src 10.0.0.0/8'))
    assert m(inet('10.1.2.3', 1))
    assert not m(inet('11.1.2.3', 1))
    assert m(inet('::ffff:10.1.2.3', 1))            # v4-mapped rule
    assert m(inet('a01:203::', 1))                 # family-blind compare (B-7)
    m = make_matcher(P('src [::ffff:10.0.0.1]'))
    assert m(inet('::ffff:10.0.0.1', 1)) and not m(inet('10.0.0.1', 1))
    m = make_matcher(P('src [::]:22'))
    assert m(inet('0.0.0.0', 22))                  # B-7 as observed with TCPDIAG_FILE
    assert not run_bytecode(compile_bytecode(P('src [::]:22')), inet('0.0.0.0', 22))
    m = make_matcher(P('sport = -1'))
    assert m(inet('1.1.1.1', 5))
    m = make_matcher(P('sport < 70000'))
    assert m(inet('1.1.1.1', 5000))
    assert not run_bytecode(compile_bytecode(P('sport < 70000')), inet('1.1.1.1', 5000))   # B-6


def test_matcher_ss1_dump_cases():
    rows = [inet('0.0.0.0', 22, '0.0.0.0', 0, ), inet('10.0.0.1', 22, '10.0.0.1', 36266),
            inet('10.0.0.1', 36266, '10.0.0.1', 22), inet('10.0.0.1', 22, '10.0.0.2', 50312)]
    cases = [
        ('src 0.0.0.0 or src 10.0.0.1 and dst 10.0.0.2', [3]),
        ('dst 10.0.0.2 and src 10.0.0.1 or src 0.0.0.0', [0, 3]),
        ('not sport = 22 and dport = 22', [2]),
        ('! ( sport = 22 or dport = 22 )', []),
        ('sport > 22', [2]), ('sport >= 22', [0, 1, 2, 3]), ('sport lt 36266', [0, 1, 3]),
        ('dport != 22', [0, 1, 3]), ('dport ne :22', [0, 1, 3]), ('src 10.0.0/24', [1, 2, 3]), ('src 10/8', [1, 2, 3]),
        ('src 10.0.0', []), ('dst 10.0.0.2:50312', [3]), ('dst 10.0.0.2:*', [3]), ('dst 10.0.0.2/0:50312', [3]),
        ('src *:22', [0, 1, 3]), ('src inet6:*:22', [0, 1, 3]), ('src any:22', [0, 1, 3]), ('src [::]:22', [0]),
        ('fwmark = 0', [0, 1, 2, 3]), ('dev 0', [0, 1, 2, 3]), ('src 0/0', [0, 1, 2, 3]), ('sport = -1', [0, 1, 2, 3]),
        ('fwmark != 0', []), ('dev lo', []), ('autobound', [2]),
    ]
    for text, want in cases:
        m = make_matcher(P(text), ephemeral_range=(32768, 60999))
        assert [i for i, r in enumerate(rows) if m(r)] == want, text


def test_matcher_dev_mark_cgroup_auto():
    view = inet('1.2.3.4', 40000, ifindex=1, mark=0x123, cgroup_id=77)
    assert make_matcher(P('dev lo'))(view)
    assert make_matcher(P('fwmark 0x23/0xff'))(view)
    assert not make_matcher(P('fwmark 0x23'))(view)
    assert make_matcher(CgroupCond(77))(view)
    assert make_matcher(P('autobound'), ephemeral_range=(32768, 60999))(view)
    assert not make_matcher(P('autobound'), ephemeral_range=(1024, 4999))(view)


def test_matcher_unix():
    def ux(name, ino=100):
        return SockView(AF_UNIX, 'u_str', 1, name.encode('utf-8', 'surrogateescape'), b'', ino, 0)
    m = make_matcher(P('src unix:/RUN/*'))
    assert m(ux('/run/systemd/notify')) and not m(ux('@/run/x'))
    assert make_matcher(P('src unix:@*'))(ux('@/tmp/.X11-unix/X0'))
    assert make_matcher(P('src unix:*'))(ux(''))
    assert make_matcher(P('src unix:'))(ux('')) and not make_matcher(P('src unix:'))(ux('/x'))
    assert make_matcher(P('dst unix:*'))(ux('/x'))
    assert not make_matcher(P('dst unix:/x'))(ux('/x'))       # peer names are never known (B-12)
    assert make_matcher(P('sport = unix:/x*'))(ux('/xy'))       # B-25: a glob on the local name
    assert make_matcher(P('sport >= unix:1'))(ux('/xy'))        # port -1: always true
    auto = make_matcher(P('autobound'), ephemeral_range=(1, 2))
    assert auto(ux('')) and auto(ux('@0a1b2')) and not auto(ux('@0A1B2')) and not auto(ux('@0a1b23'))
    # bytes, not characters: '?' is one byte, folding is ASCII only, a backslash is not an invalid byte
    assert not make_matcher(P('src unix:?.sock'))(ux('\u00e9.sock')) and make_matcher(P('src unix:??.sock'))(ux('\u00e9.sock'))
    assert not make_matcher(P('src unix:k*'))(ux('\u212a'))
    assert make_matcher(P('src unix:/tmp/?.sock'))(ux('/tmp/\udcff.sock'))
    # a literal backslash: escaped for the lexer and again for fnmatch (as typed after ss in a shell: '\\\\')
    lit = P('src unix:/tmp/' + '\\' * 4 + 'x*')
    assert lit.pattern == b'/tmp/\\\\x*'
    assert make_matcher(lit)(ux('/tmp/\\xff.sock')) and not make_matcher(lit)(ux('/tmp/\udcff.sock'))


def test_matcher_packet_netlink_vsock():
    pk = SockView(AF_PACKET, 'p_raw', 7, 0x0800, None, 2, 0)
    assert make_matcher(P('src link:ip'))(pk) and not make_matcher(P('src link:arp'))(pk)
    assert make_matcher(P('src link:ip:if2'))(pk) and not make_matcher(P('src link:ip:lo'))(pk)
    auto = make_matcher(P('autobound'), ephemeral_range=(1, 2))
    assert auto(SockView(AF_PACKET, 'p_raw', 7, 0, None, 0, 0)) and not auto(pk)
    nl = SockView(AF_NETLINK, 'nl', 7, 0, 0, -4242, 0)
    assert make_matcher(P('src netlink:rtnl'))(nl) and make_matcher(P('src netlink:rtnl:-4242'))(nl)
    assert not make_matcher(P('src netlink:genl'))(nl)
    assert auto(nl) and not auto(SockView(AF_NETLINK, 'nl', 7, 0, 0, 5, 0))
    vs = SockView(AF_VSOCK, 'v_str', 1, 3, 2, 1024, 5000)
    assert make_matcher(P('src vsock:3:1024'))(vs) and not make_matcher(P('src vsock:4'))(vs)
    assert make_matcher(P('dst vsock:2:5000'))(vs) and auto(vs)


@pytest.mark.parametrize('expr,matches', [
    ('src 0.0.0.0', True),        # byte-wise: the first 32 bits of ::ffff:127.0.0.1 are zero
    ('src 127.0.0.1', True),      # else the v4-mapped rule
    ('src 127.0.0.0/8', True),
    ('src 10.0.0.1', False),
    ('not src 0.0.0.0', False),
])
def test_v4_mapped_rule_is_bytewise_or_mapped(expr, matches):
    """ss inet2_addr_match: inet_addr_match() returns 0 on a match, so the mapped test only runs when bytes differ."""
    import socket as _s
    view = SockView(AF_INET6, 'tcp', 1, _s.inet_pton(_s.AF_INET6, '::ffff:127.0.0.1'), bytes(16), 5003, 40000)
    assert make_matcher(parse_bound([expr]))(view) is matches


def test_netlink_view_has_no_remote_port():
    """ss filters netlink sockets with rport -1: `dport = :0` is false, its negation true."""
    view = SockView(AF_NETLINK, 'nl', 7, 0, 0, 0, -1)
    assert make_matcher(parse_bound(['dport = :0']))(view) is False
    assert make_matcher(parse_bound(['not dport = :0']))(view) is True


# ---------------------------------------------------------------------------
# records, for plugins on the controller

def _rec(**kw):
    rec = {'netid': 'tcp', 'state': 'ESTAB', 'recv_q': 0, 'send_q': 0, 'local_address': '10.0.0.1', 'local_port': 22,
           'peer_address': '10.0.0.2', 'peer_port': 50312, 'interface': None, 'family': 'inet', 'uid': 0, 'inode': 1,
           'cookie': 1}
    rec.update(kw)
    return rec


@pytest.mark.parametrize('text, rec, expected', [
    ('sport = :22', _rec(), True),
    ('dst 10.0.0.0/24 and dport > 50000', _rec(), True),
    ('src 10.0.0.2', _rec(), False),
    ('src 127.0.0.1', _rec(family='inet6', local_address='::ffff:127.0.0.1', peer_address='::1'), True),  # v4-mapped
    ('src [::]:22', _rec(family='inet6', local_address='*', peer_address='*', state='LISTEN'), True),
    ('dev lo', _rec(interface='lo'), True),
    ('dev lo', _rec(), False),
    ('dev 0', _rec(), True),
    ('src unix:/run/*.sock', _rec(netid='u_str', family='unix', local_address='/run/a.sock', peer_address='*'), True),
    ('src unix:/tmp/?.sock', _rec(netid='u_str', family='unix', local_address='/tmp/\\xff.sock', peer_address='*'), True),
    ('src unix:@*', _rec(netid='u_str', family='unix', local_address='\\x40rel', peer_address='*'), True),
    ('autobound', _rec(), None),
    ('fwmark 0x1', _rec(), None),
    ('cgroup /', _rec(), None),
    ('dev 2', _rec(), None),
    ('src link:ip:eth0', _rec(), None),     # the controller's eth0 is not the target's
    ('sport = link:lo', _rec(), None),
    ('sport >= link:if2', _rec(), None),
    ('src link:ip:2', _rec(netid='p_dgr', family='link', local_address='[2048]', local_port=2, peer_address='*',
                           peer_port=None, interface='eth0'), True),
    ('src netlink:rtnl', _rec(netid='nl', family='netlink', local_address='0', local_port=-5, peer_address='*',
                              peer_port=None), True),
    ('src link:ip', _rec(netid='p_dgr', family='link', local_address='[2048]', local_port=2, peer_address='*',
                         peer_port=None, interface='eth0'), True),
    ('src link:all', _rec(netid='p_raw', family='link', local_address='*', local_port=0, peer_address='*',
                          peer_port=None), True),
])
def test_record_matcher(text, rec, expected):
    """The same answers as on the kernel's sockets; conditions records cannot answer are refused, naming the word."""
    from ansible_collections.netdiag.ss.plugins.module_utils._errors import FilterError
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import record_matcher
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import parse
    if expected is None:
        with pytest.raises(FilterError, match='cannot be evaluated on returned socket records') as info:
            record_matcher(parse([text]))
        assert info.value.word in text.split()
        return
    assert record_matcher(parse([text]))(rec) is expected       # bound by record_matcher; dev stays a name


def test_record_matcher_says_what_is_not_a_record():
    from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import record_matcher
    match = record_matcher(P('sport = :22'))
    for bad in ({'netid': 'tcp'}, _rec(local_address='not-an-address'), _rec(family='bogus')):
        with pytest.raises(ArgsError, match='not a socket record'):
            match(bad)
