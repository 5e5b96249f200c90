# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Records rendered as the rows ss prints (the live comparison is in tests/integration/test_differential.py)."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._render import format_timer_ms, listing, listings, render, render_groups
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request


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


class FakeNames(HostLookups):
    """Host answers for -r without touching the resolver."""

    def host_name(self, text):
        return {'127.0.0.1': 'localhost'}.get(text)

    def service_name(self, port, protocol=None):
        return {22: 'ssh'}.get(port)

    def ephemeral_range(self):
        return (32768, 60999)

    def netlink_protocols(self):
        return {'rtnl': 0}

    def task_name(self, pid):
        return {4242: 'proc'}.get(pid)


def test_resolve_uses_the_lookups():
    rows = render([_rec(local_address='127.0.0.1', peer_address='127.0.0.1', peer_port=40000, state='ESTAB')],
                  header=False, show_netid=False, show_state=False, resolve=True, lookups=FakeNames())
    assert rows == ['0      128    localhost:ssh localhost:40000']
    nl = _rec(netid='nl', family='netlink', local_address='0', local_port=4242, peer_address='*', peer_port=None)
    assert render([nl], header=False, show_netid=False, show_state=False, services=True, lookups=FakeNames()) == \
        ['0      128    rtnl:proc/4242 *']


def test_resolve_names_the_wildcard_addresses_too():
    """ss -r resolves 0.0.0.0 (and a v6only socket's ::) like any address: an /etc/hosts line names them; '*' stays."""
    class Hosts(FakeNames):
        def host_name(self, text):
            return {'0.0.0.0': 'zero.example', '::': 'any6.example'}.get(text)
    rows = render([_rec(local_address='0.0.0.0', peer_address='*', peer_port=0),
                   _rec(family='inet6', local_address='::', peer_address='*', peer_port=0)],
                  header=False, show_netid=False, show_state=False, resolve=True, lookups=Hosts())
    assert [row.split()[2:] for row in rows] == [['zero.example:ssh', '*:*'], ['any6.example:ssh', '*:*']]


def test_listing_follows_the_request():
    """Netid when several tables are selected, State when several states are, the header unless -H."""
    rec = _rec()
    assert listing(build_request({'ss_args': '-tl'}), [rec])[0].split()[:2] == ['State', 'Recv-Q']
    assert listing(build_request({'ss_args': '-tu'}), [rec])[0].split()[:2] == ['Netid', 'State']
    assert listing(build_request({'ss_args': '-t state listening'}), [rec])[0].split()[0] == 'Recv-Q'
    assert listing(build_request({'ss_args': '-tlH'}), [rec]) == ['LISTEN 0      128    0.0.0.0:22 0.0.0.0:*']


def test_groups_share_the_column_widths_and_each_group_is_rendered_once():
    """socket_kill's diff: before and after line up (the wider peer of one side widens the other), and each group's
    records are rendered once (not again to measure the other group's widths)."""
    short = _rec(state='ESTAB', send_q=0, local_address='10.0.0.1', peer_address='10.0.0.2', peer_port=5)
    wide = _rec(state='ESTAB', send_q=0, local_address='10.0.0.1', peer_address='10.100.200.250', peer_port=65000)
    made = []

    def extra(rec):
        made.append(rec['peer_port'])
        return ''
    before, after = render_groups(([short, wide], [short]), show_netid=False, extra=extra)
    assert sorted(made) == [5, 5, 65000]
    assert before[:2] == after == ['State Recv-Q Send-Q Local Address:Port   Peer Address:Port Process',
                                   'ESTAB 0      0           10.0.0.1:22         10.0.0.2:5']
    assert render([short], show_netid=False) == ['State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
                                                 'ESTAB 0      0           10.0.0.1:22       10.0.0.2:5']
    assert listings(build_request({'ss_args': '-tH state established'}), ([], [short])) == [[], ['0      0      10.0.0.1:22 10.0.0.2:5']]
    assert render_groups(([], []), header=False) == [[], []]


def test_contexts_in_users_and_netlink_rows():
    from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText, users_cell
    rec = _rec(processes=[{'name': 'sshd', 'pid': 1, 'fd': 3, 'context': 'u:r:sshd_t:s0', 'socket_context': None}])
    assert users_cell(rec) == 'users:(("sshd",pid=1,proc_ctx=u:r:sshd_t:s0,fd=3,sock_ctx=unavailable))'
    nl = _rec(netid='nl', family='netlink', context=None)
    assert DetailText(frozenset(['context']))(nl) == ' proc_ctx=unavailable'
