# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_kill's library with the kernel faked: the guard rails, the SOCK_DESTROY request, per-socket errors.

The destroy request is checked byte for byte against the layout of struct inet_diag_req_v2
(linux/inet_diag.h); the live kernel is in tests/integration/test_socket_kill.py.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _kill, _select
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import SockId
from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, SocketToolError
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._select import Selection
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_UNIX

from uapi import FakeSock, msg


def _rec(lport, rport, state='ESTAB', family='inet', netid='tcp', laddr='127.0.0.1', raddr='127.0.0.1', sid_family=AF_INET):
    sid = SockId(sid_family, 6, socket.inet_aton('127.0.0.1') + bytes(12), socket.inet_aton('127.0.0.1') + bytes(12),
                 lport, rport, 0, lport * 1000, lport)
    return {'netid': netid, 'state': state, 'recv_q': 0, 'send_q': 0, 'local_address': laddr, 'local_port': lport,
            'peer_address': raddr, 'peer_port': rport, 'interface': None, 'family': family, 'uid': 0, 'inode': lport,
            'cookie': lport * 1000, SOCKID: sid}


@pytest.fixture
def sockets(monkeypatch):
    box = {'records': []}

    def fake_select(request, lookups=None, planner=None):
        return Selection([dict(r) for r in box['records']], [], [], None)
    monkeypatch.setattr(_kill, 'select', fake_select)
    return box


def test_destroy_request_layout():
    sid = SockId(AF_INET6, 6, socket.inet_pton(socket.AF_INET6, '::1'), socket.inet_pton(socket.AF_INET6, '::2'),
                 40000, 22, 3, (7 << 32) | 9, 100)
    req = _kill.destroy_request(sid)
    assert len(req) == 56
    family, proto, ext, pad, states = struct.unpack_from('=BBBBI', req)
    assert (family, proto, ext, pad, states) == (AF_INET6, 6, 0, 0, 0)
    assert struct.unpack_from('>HH', req, 8) == (40000, 22) and req[12:28] == sid.src and req[28:44] == sid.dst
    assert struct.unpack_from('=III', req, 44) == (3, 9, 7)
    raw = _kill.destroy_request(sid._replace(family=AF_INET, protocol=255, sport=1))
    assert raw[3] == 1                          # sdiag_raw_protocol: the raw socket's protocol
    mptcp = _kill.destroy_request(sid._replace(protocol=262))
    assert mptcp[1] == 6 and mptcp[56:] == nl.rtattr(3, struct.pack('=I', 262))


@pytest.mark.parametrize('env, expected', [
    ({'SSH_CONNECTION': '10.0.0.9 50000 10.0.0.1 22'},
     (ipaddress.ip_address('10.0.0.9'), 50000, ipaddress.ip_address('10.0.0.1'), 22)),
    ({'SSH_CONNECTION': '::ffff:10.0.0.9 50000 fe80::1%eth0 22'},
     (ipaddress.ip_address('10.0.0.9'), 50000, ipaddress.ip_address('fe80::1'), 22)),
    ({'SSH_CONNECTION': 'junk'}, None), ({}, None),
])
def test_ssh_connection(env, expected):
    assert _kill.ssh_connection(env) == expected


def test_guard_rails(sockets):
    with pytest.raises(ArgsError, match='no filter and no state words'):
        _kill.plan_kill(build_request({'ss_args': '-t'}))
    sockets['records'] = [_rec(5000 + i, 40000 + i) for i in range(12)]
    with pytest.raises(_kill.KillLimitExceeded) as info:
        _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}))
    assert '12 sockets match, more than max_kill (10): nothing was closed' in str(info.value)
    assert len(_kill.plan_kill(build_request({'ss_args': '-t'}), allow_unfiltered=True, max_kill=12).to_kill) == 12


def test_plan_sorts_protected_listeners_and_other_families(sockets):
    env = {'SSH_CONNECTION': '127.0.0.1 40001 127.0.0.1 22'}
    sockets['records'] = [
        _rec(22, 40001),                                      # Ansible's own connection, server side
        _rec(40001, 22),                                      # ... and its client side (controller == target)
        _rec(22, 0, state='LISTEN', raddr='0.0.0.0'),        # a listener: states did not name it
        _rec(7, 0, state='UNCONN', family='unix', netid='u_dgr', laddr='/run/x', raddr='*', sid_family=AF_UNIX),
        _rec(5000, 40002),
    ]
    plan = _kill.plan_kill(build_request({'ss_args': '-ta', 'filter': 'sport >= 0'}), environ=env)
    assert [r['local_port'] for r in plan.to_kill] == [5000]
    assert [(r['local_port'], why.split(' (')[0].split(':')[0]) for r, why in plan.protected] == \
        [(22, 'the connection Ansible uses'), (40001, 'the connection Ansible uses'), (22, 'a listener')]
    assert [(r['family'], err) for r, err, _why in plan.cannot] == [('unix', errno.EOPNOTSUPP)]
    listeners = _kill.plan_kill(build_request({'ss_args': '-t state listening', 'filter': 'sport >= 0'}), environ=env)
    assert 'LISTEN' in [r['state'] for r in listeners.to_kill] and not listeners.protected[2:]
    exposed = _kill.plan_kill(build_request({'ss_args': '-ta', 'filter': 'sport = :22'}), protect_connection=False,
                              environ=env)
    assert len(exposed.to_kill) == 3 and [why.split(':')[0] for _r, why in exposed.protected] == ['a listener']
    # a raw socket read from /proc/net (no raw sock_diag): no identity the kernel could close it by
    proc_raw = _rec(1, 0, state='UNCONN', netid='raw', raddr='0.0.0.0')
    proc_raw[SOCKID] = proc_raw[SOCKID]._replace(protocol=255, cookie=None)
    sockets['records'] = [dict(proc_raw, cookie=None)]
    plan = _kill.plan_kill(build_request({'ss_args': '-wa', 'filter': 'sport >= 0'}), environ=env)
    assert plan.to_kill == [] and [(r['netid'], err) for r, err, _why in plan.cannot] == [('raw', errno.EOPNOTSUPP)]


def _ack(err, seq):
    return msg(struct.pack('=i', -err) + b'\0' * 16, mtype=nl.NLMSG_ERROR, flags=0, seq=seq)


def test_kill_reports_each_socket(sockets, monkeypatch):
    sockets['records'] = [_rec(5000, 1), _rec(5001, 2), _rec(5002, 3)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}))
    fake = FakeSock([_ack(errno.ENOENT, 1), _ack(0, 2), _ack(errno.ENOENT, 3), _ack(errno.EOPNOTSUPP, 4)])
    monkeypatch.setattr(nl, 'open_socket', lambda: fake)
    sockets['records'] = [_rec(5002, 3)]           # what a fresh read finds afterwards
    result = _kill.kill(plan)
    assert result['changed'] and [r['local_port'] for r in result['killed']] == [5000]
    assert [(r['local_port'], r['error']) for r in result['not_closed']] == [(5001, 'ENOENT'), (5002, 'EOPNOTSUPP')]
    assert 'gone already' in result['not_closed'][0]['message'] and [r['local_port'] for r in result['survivors']] == [5002]
    assert all(SOCKID not in r for r in result['killed'] + result['not_closed'] + result['survivors'])
    assert result['lines'][1].split()[3] == '127.0.0.1:5000' and fake.closed
    destroy = [s for s in fake.sent if nl.NLMSG_HDR.unpack_from(s)[1] == nl.SOCK_DESTROY]
    assert len(destroy) == 4                       # the probe, then one per socket


def test_kill_without_destroy_support_closes_nothing(sockets, monkeypatch):
    sockets['records'] = [_rec(5000, 1)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}))
    fake = FakeSock([_ack(errno.EOPNOTSUPP, 1)])
    monkeypatch.setattr(nl, 'open_socket', lambda: fake)
    with pytest.raises(SocketToolError, match='CONFIG_INET_DIAG_DESTROY'):
        _kill.kill(plan)
    assert len(fake.sent) == 1


def test_without_privilege_every_socket_fails_and_nothing_is_sent(sockets, monkeypatch):
    sockets['records'] = [_rec(5000, 1), _rec(5001, 2)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}))
    fake = FakeSock([_ack(errno.EPERM, 1)])
    monkeypatch.setattr(nl, 'open_socket', lambda: fake)
    result = _kill.kill(plan)
    assert not result['changed'] and [r['error'] for r in result['not_closed']] == ['EPERM', 'EPERM']
    assert 'CAP_NET_ADMIN' in result['not_closed'][0]['message'] and len(fake.sent) == 1


def test_check_mode_closes_nothing(sockets, monkeypatch):
    sockets['records'] = [_rec(5000, 1), _rec(5001, 2, state='LISTEN')]
    plan = _kill.plan_kill(build_request({'ss_args': '-ta', 'filter': 'sport >= 5000'}))
    monkeypatch.setattr(nl, 'open_socket', lambda: pytest.fail('check mode opened a socket'))
    result = _kill.kill(plan, check_mode=True, diff=True)
    assert result['changed'] and [r['local_port'] for r in result['killed']] == [5000]
    assert [r['local_port'] for r in result['survivors']] == [5001]
    assert '5000' in result['diff']['before'] and '5000' not in result['diff']['after']
    assert result['protected'][0]['reason'].startswith('a listener')
    assert _select is not None


def test_no_diff_unless_asked(sockets, monkeypatch):
    sockets['records'] = [_rec(5000, 1)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}))
    assert 'diff' not in _kill.kill(plan, check_mode=True)


def test_source_proc_cannot_close_anything(sockets):
    """SOCK_DESTROY needs sock_diag's identity of a socket (its cookie): none from /proc/net. Refused before reading."""
    sockets['records'] = [_rec(5000, 1)]
    with pytest.raises(ArgsError, match='source: proc cannot close sockets: SOCK_DESTROY names a socket by the identity'):
        _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport = :5000', 'source': 'proc'}))
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport = :5000', 'source': 'netlink'}))
    assert [r['local_port'] for r in plan.to_kill] == [5000]


def test_sockets_auto_read_from_proc_are_reported_not_closed(sockets):
    """source=auto where sock_diag is refused: every socket came from /proc/net, none can be closed; nothing is sent."""
    rec = _rec(5000, 1)
    rec[SOCKID] = rec[SOCKID]._replace(cookie=None)
    sockets['records'] = [dict(rec, cookie=None)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport = :5000'}))
    assert plan.to_kill == [] and [(r['netid'], err) for r, err, _why in plan.cannot] == [('tcp', errno.EOPNOTSUPP)]
    assert 'read from /proc/net' in plan.cannot[0][2]
    result = _kill.kill(plan)
    assert result['changed'] is False and [f['error'] for f in result['not_closed']] == ['EOPNOTSUPP']


def _raw(cookie, laddr='0.0.0.0', raddr='0.0.0.0', ifindex=0, protocol=1):
    rec = _rec(protocol, 0, state='UNCONN', netid='raw', laddr=laddr, raddr=raddr)
    rec[SOCKID] = rec[SOCKID]._replace(protocol=255, src=socket.inet_aton(laddr) + bytes(12),
                                       dst=socket.inet_aton(raddr) + bytes(12), ifindex=ifindex, cookie=cookie)
    return dict(rec, cookie=cookie, inode=cookie)


def test_a_raw_socket_another_could_be_mistaken_for_is_not_closed(sockets):
    """raw_diag's SOCK_DESTROY finds the socket by protocol and addresses, blank ones matching anything (kernel
    raw_v4_match), never by cookie: a raw socket is closed only when no other of its protocol would match.
    (This kernel has no raw sock_diag, so the records are built here; the live kernel is not asked.)"""
    bound = _raw(1, laddr='127.0.0.2')
    sockets['records'] = [bound, _raw(2)]              # an unbound ICMP socket matches any request for ICMP
    plan = _kill.plan_kill(build_request({'ss_args': '-wa', 'filter': 'src 127.0.0.2'}), environ={}, held={})
    # (the fake selection ignores the filter: both are selected; the unbound one matches only itself)
    assert [r['cookie'] for r in plan.to_kill] == [2]
    assert [(r['cookie'], err) for r, err, _why in plan.cannot] == [(1, errno.EOPNOTSUPP)]
    assert 'not its cookie' in plan.cannot[0][2]
    for others in ([_raw(2, laddr='127.0.0.3')],           # bound elsewhere
                   [_raw(2, protocol=17)],                  # another protocol
                   [_raw(2, ifindex=5)]):                   # bound to a device the request does not name
        sockets['records'] = [bound] + others
        plan = _kill.plan_kill(build_request({'ss_args': '-wa', 'filter': 'src 127.0.0.2'}), environ={}, held={})
        assert [r['cookie'] for r in plan.to_kill] == [1, 2] and plan.cannot == []


def test_broad_states_without_a_filter_are_refused(sockets):
    sockets['records'] = [_rec(5000, 1)]
    for params in ({'ss_args': '-ta'}, {'tables': ['tcp'], 'all': True}, {'ss_args': '-t', 'states': ['all']},
                   {'ss_args': '-t', 'exclude_states': ['listening']}, {'ss_args': '-t state connected'}):
        with pytest.raises(ArgsError, match='select every state ss selects without any'):
            _kill.plan_kill(build_request(params))
    for params in ({'ss_args': '-t state established'}, {'ss_args': '-tl'}):
        assert [r['local_port'] for r in _kill.plan_kill(build_request(params), environ={}, held={}).to_kill] == [5000]
    assert _kill.plan_kill(build_request({'ss_args': '-ta'}), allow_unfiltered=True, environ={}, held={}).to_kill


def test_sockets_held_by_the_processes_above_are_protected(sockets):
    """The connection Ansible uses is held by sshd, a process the module runs under: protected also when become's
    sudo left no SSH_CONNECTION (the holders of the selected inodes among those processes: _procs.ancestor_holders,
    tested in test__procs.py with a fake /proc)."""
    sockets['records'] = [_rec(5000, 1), _rec(5001, 2)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}), environ={}, held={5000: 30})
    assert [r['local_port'] for r in plan.to_kill] == [5001]
    assert [(r['local_port'], why.split(',')[0]) for r, why in plan.protected] == [(5000, 'held by process 30')]


def test_enoent_for_a_socket_still_there_is_a_failure(sockets, monkeypatch):
    """A UDP socket of a SO_REUSEPORT group: the kernel finds a sibling by the addresses and refuses its cookie
    (ENOENT). The second read still finds the socket: not 'gone already', and the task fails for it."""
    sockets['records'] = [_rec(5000, 1), _rec(5001, 2)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}), environ={}, held={})
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([_ack(errno.ENOENT, 1), _ack(errno.ENOENT, 2),
                                                             _ack(errno.ENOENT, 3)]))
    sockets['records'] = [_rec(5001, 2)]
    result = _kill.kill(plan)
    assert [(r['local_port'], r['error']) for r in result['not_closed']] == [(5000, 'ENOENT'), (5001, 'ENOENT')]
    assert 'gone already' in result['not_closed'][0]['message'] and 'still there' in result['not_closed'][1]['message']
    assert [r['local_port'] for r in _kill.failures(result)] == [5001] and not result['changed']


def test_an_error_midway_reports_what_was_closed(sockets, monkeypatch):
    """The netlink socket fails after the first close: that one is reported closed, the others not closed, no
    traceback."""
    sockets['records'] = [_rec(5000, 1), _rec(5001, 2), _rec(5002, 3)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}), environ={}, held={})

    class Failing(FakeSock):
        def recv_into(self, buf):
            if not self.chunks:
                raise OSError(errno.ENOBUFS, 'No buffer space available')
            return super(Failing, self).recv_into(buf)
    fake = Failing([_ack(errno.ENOENT, 1), _ack(0, 2)])             # the probe, the first close, then the error
    monkeypatch.setattr(nl, 'open_socket', lambda: fake)
    sockets['records'] = [_rec(5001, 2), _rec(5002, 3)]
    result = _kill.kill(plan)
    assert result['changed'] and [r['local_port'] for r in result['killed']] == [5000]
    assert [r['local_port'] for r in result['not_closed']] == [5001, 5002] and len(_kill.failures(result)) == 2
    assert all(r['message'].startswith('not closed: closing stopped at an error') for r in result['not_closed'])
    assert [r['error'] for r in result['not_closed']] == ['ENOBUFS', 'ENOBUFS'] and fake.closed
