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
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
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


@pytest.fixture(autouse=True)
def privileged(monkeypatch):
    """The kernel would let this process close sockets (whoever runs the unit tests): tests of the privilege check
    replace it."""
    monkeypatch.setattr(_kill, 'close_denied', lambda: None, raising=False)


@pytest.fixture
def sockets(monkeypatch):
    box = {'records': []}

    def fake_select(request, lookups=None, planner=None):
        return Selection([dict(r) for r in box['records']], [], [], None)
    monkeypatch.setattr(_kill, 'select', fake_select)
    # the kernel answers the probe (a SOCK_DESTROY no socket matches) as one that can close sockets
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([_ack(errno.ENOENT, 1)]))
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


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_without_privilege_every_socket_fails_and_nothing_is_sent(sockets, monkeypatch, check_mode):
    """The kernel checks CAP_NET_ADMIN only after it found the socket (sock_diag_destroy), so no probe can tell: the
    capability is read before anything is sent, and check mode predicts the same EPERM failures."""
    sockets['records'] = [_rec(5000, 1), _rec(5001, 2)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}), environ={}, held={})
    monkeypatch.undo()
    monkeypatch.setattr(_kill, 'select', lambda request, **kw: pytest.fail('read again'), raising=False)
    monkeypatch.setattr(_kill, 'has_capability', lambda cap, *a: False, raising=False)
    monkeypatch.setattr(_kill, '_netns_owner', lambda *a: 'own', raising=False)
    monkeypatch.setattr(nl, 'open_socket', lambda: pytest.fail('a sock_diag socket was opened'))
    result = _kill.kill(plan, check_mode=check_mode)
    assert not result['changed'] and result['killed'] == [] and [r['error'] for r in result['not_closed']] == ['EPERM'] * 2
    assert result['not_closed'][0]['message'].startswith('not permitted: closing sockets needs CAP_NET_ADMIN')
    assert [r['local_port'] for r in result['survivors']] == [5000, 5001] and len(_kill.failures(result)) == 2


@pytest.mark.parametrize('owner, effective, euid, denied', [
    ('own', True, 0, None),
    ('own', False, 0, 'CAP_NET_ADMIN in the namespace'),
    ('above', True, 0, 'another user namespace'),       # root of a user namespace sharing the host's network
    (('below', 0), False, 0, None),                     # owner of the namespace's user namespace (cap_capable)
    (('below', 1000), False, 0, 'CAP_NET_ADMIN in the namespace'),
    (('below', 1000), True, 0, None),
    (None, True, 0, None),                              # no ns ioctls (old kernel): CapEff decides
    (None, False, 0, 'CAP_NET_ADMIN in the namespace'),
])
def test_privilege_is_decided_as_the_kernel_does(monkeypatch, owner, effective, euid, denied):
    monkeypatch.undo()
    monkeypatch.setattr(_kill, 'has_capability', lambda cap, *a: effective)
    monkeypatch.setattr(_kill, '_netns_owner', lambda *a: owner)
    monkeypatch.setattr(_kill.os, 'geteuid', lambda: euid)
    got = _kill.close_denied()
    assert got == denied if denied is None else denied in got


def test_netns_owner_of_this_process():
    """The ns ioctls on the live kernel: in the initial user namespace (the identity uid map), a process that did not
    enter another network namespace is in one its own user namespace owns."""
    owner = _kill._netns_owner()
    with open('/proc/self/uid_map') as fh:
        initial = fh.read().split() == ['0', '0', '4294967295']
    if initial:
        assert owner in ('own', None)
    else:
        assert owner in ('own', 'above', None) or owner[0] == 'below'


def test_probe_asks_for_a_cookie_no_socket_has(sockets, monkeypatch):
    """The probe must not be answered by any socket: a BPF sk_lookup program can hand the kernel's lookup any
    listener for 0.0.0.0:0, so only the cookie check keeps it from being closed (cookies start at 1)."""
    sockets['records'] = [_rec(5000, 1)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}), environ={}, held={})
    fake = FakeSock([_ack(errno.ENOENT, 1), _ack(0, 2)])
    monkeypatch.setattr(nl, 'open_socket', lambda: fake)
    sockets['records'] = []                         # what a fresh read finds afterwards
    assert [r['local_port'] for r in _kill.kill(plan)['killed']] == [5000]
    probe = fake.sent[0][16:]
    assert struct.unpack_from('=BB', probe) == (AF_INET, 6) and probe[8:44] == bytes(36)
    assert struct.unpack_from('=III', probe, 44) == (0, 0, 0)           # interface 0, cookie 0 (not NOCOOKIE)
    for answer, text in ((errno.EPERM, 'security module'), (0, 'answered 0'), (errno.EINVAL, 'EINVAL')):
        fake = FakeSock([_ack(answer, 1)])
        monkeypatch.setattr(nl, 'open_socket', lambda: fake)
        with pytest.raises(SocketToolError, match=text):
            _kill.kill(plan)
        assert len(fake.sent) == 1 and fake.closed


def test_check_mode_closes_nothing(sockets, monkeypatch):
    sockets['records'] = [_rec(5000, 1), _rec(5001, 2, state='LISTEN')]
    plan = _kill.plan_kill(build_request({'ss_args': '-ta', 'filter': 'sport >= 5000'}))
    fake = FakeSock([_ack(errno.ENOENT, 1)])
    monkeypatch.setattr(nl, 'open_socket', lambda: fake)
    result = _kill.kill(plan, check_mode=True, diff=True)
    # only the probe is sent: TCP 0.0.0.0:0 -> 0.0.0.0:0 with cookie 0, which no socket has
    (probe,) = [sent[16:] for sent in fake.sent]
    assert probe[8:44] == bytes(36) and struct.unpack_from('=III', probe, 44) == (0, 0, 0) and fake.closed
    assert result['changed'] and [r['local_port'] for r in result['killed']] == [5000]
    assert [r['local_port'] for r in result['survivors']] == [5001]
    assert '5000' in result['diff']['before'] and '5000' not in result['diff']['after']
    assert result['protected'][0]['reason'].startswith('a listener')
    assert _select is not None


def test_check_mode_fails_as_a_run_on_a_kernel_that_cannot_close_sockets(sockets, monkeypatch):
    """Check mode did not send the probe: on a kernel without CONFIG_INET_DIAG_DESTROY it reported every socket
    killed, and the run then failed."""
    sockets['records'] = [_rec(5000, 1)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}))
    for check_mode in (True, False):
        fake = FakeSock([_ack(errno.EOPNOTSUPP, 1)])
        monkeypatch.setattr(nl, 'open_socket', lambda: fake)
        with pytest.raises(SocketToolError, match='this kernel cannot close sockets: it was built without '
                                                  'CONFIG_INET_DIAG_DESTROY'):
            _kill.kill(plan, check_mode=check_mode)
        assert len(fake.sent) == 1 and fake.closed


def test_diff_lines_up_before_and_after(sockets, monkeypatch):
    """The closed socket's wider cells set the columns of both sides: the header and the survivor's line are the
    same before and after, so the diff shows only the closed socket (the header was shown removed and re-added)."""
    sockets['records'] = [_rec(5000, 65001, raddr='203.0.113.200'), _rec(5001, 2, state='LISTEN')]
    plan = _kill.plan_kill(build_request({'ss_args': '-ta', 'filter': 'sport >= 5000'}))
    result = _kill.kill(plan, check_mode=True, diff=True)
    before, after = result['diff']['before'].splitlines(), result['diff']['after'].splitlines()
    assert len(before) == 3 and len(after) == 2
    assert after[0] == before[0] and after[1] in before[1:] and '65001' not in after[1]


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
    sudo left no SSH_CONNECTION (the holders of the selected inodes among those processes: _procs.ancestor_sockets,
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


@pytest.mark.parametrize('diff', [False, True])
def test_a_failed_read_after_closing_still_reports_what_was_closed(sockets, monkeypatch, diff):
    """The fresh read of the selection fails (an interrupted dump, ENOBUFS): the sockets are closed already, so the
    result says so (changed, killed), with survivors null and a warning, not a failure that hides them."""
    from ansible_collections.netdiag.ss.plugins.module_utils._errors import DumpInterrupted
    sockets['records'] = [_rec(5000, 1), _rec(5001, 2)]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport >= 5000'}), environ={}, held={})
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([_ack(errno.ENOENT, 1), _ack(0, 2), _ack(0, 3)]))

    def interrupted(request, lookups=None, planner=None):
        raise DumpInterrupted('tcp')
    monkeypatch.setattr(_kill, 'select', interrupted)
    result = _kill.kill(plan, diff=diff)
    assert result['changed'] and [r['local_port'] for r in result['killed']] == [5000, 5001]
    assert result['survivors'] is None and result['not_closed'] == [] and result['aborted'] == []
    assert len(result['warnings']) == 1 and 'could not be read again' in result['warnings'][0]
    assert str(DumpInterrupted('tcp')) in result['warnings'][0]
    if diff:
        assert result['diff']['after'] == '(not read again)\n' and '127.0.0.1:5001' in result['diff']['before']
    # nothing closed (every SOCK_DESTROY refused): the read's error is the answer, no claim of a close
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([_ack(errno.ENOENT, 1), _ack(errno.EPERM, 2),
                                                             _ack(errno.EPERM, 3)]))
    with pytest.raises(DumpInterrupted):
        _kill.kill(plan, diff=diff)


def _udp(lport, rport=0, laddr='127.0.0.1', raddr='0.0.0.0'):
    rec = _rec(lport, rport, state='ESTAB' if rport else 'UNCONN', netid='udp', laddr=laddr, raddr=raddr)
    rec[SOCKID] = rec[SOCKID]._replace(protocol=17)
    return rec


@pytest.mark.parametrize('params', [
    {'ss_args': '-u state established'}, {'ss_args': '-tu state established'}, {'ss_args': '-w state established'},
    {'ss_args': '-4 state established'}, {'tables': ['udp'], 'states': ['established']}, {'ss_args': '-u state connected'},
])
def test_states_that_narrow_nothing_in_one_table_are_refused(sockets, params):
    """UDP and raw sockets are only ESTAB (connected) or UNCONN: `state established` selects every connected one, all
    that -u selects without state words; judged per selected table."""
    sockets['records'] = [_udp(5101, 40000)]
    with pytest.raises(ArgsError, match='select every state ss selects without any') as info:
        _kill.plan_kill(build_request(params), environ={}, held={})
    assert 'udp' in str(info.value) or 'raw' in str(info.value)


@pytest.mark.parametrize('params', [
    {'ss_args': '-u -l'}, {'ss_args': '-u state unconnected'}, {'ss_args': '-t state established'},
    {'ss_args': '-tu state established', 'filter': 'dport = :53'}, {'ss_args': '-tu -l'},
])
def test_states_that_narrow_every_table_are_allowed(sockets, params):
    sockets['records'] = [_udp(5101)]
    assert _kill.plan_kill(build_request(params), environ={}, held={}).to_kill


def _pair(client_port, server_port=22, server_family='inet'):
    """Both ends of one loopback TCP connection (the server's v4-mapped when server_family is inet6)."""
    client = dict(_rec(client_port, server_port), inode=client_port)
    server = dict(_rec(server_port, client_port), inode=server_port * 100 + client_port % 100)
    if server_family == 'inet6':
        server.update(family='inet6', local_address='::ffff:127.0.0.1', peer_address='::ffff:127.0.0.1')
    server[SOCKID] = server[SOCKID]._replace(cookie=server['inode'] * 7)
    return client, server


@pytest.mark.parametrize('server_family', ['inet', 'inet6'])
def test_the_other_end_of_a_held_connection_is_protected(sockets, server_family):
    """Controller and target on one host, no SSH_CONNECTION (become): the ssh client end is held by a process above
    the module; closing the sshd end would reset the same connection."""
    client, server = _pair(40001, server_family=server_family)
    other_client, other_server = _pair(40002)
    sockets['records'] = [client, server, other_client, other_server]
    plan = _kill.plan_kill(build_request({'ss_args': '-t', 'filter': 'sport = :22 or dport = :22'}), environ={},
                           held={client['inode']: 30})
    assert [r['inode'] for r in plan.to_kill] == [other_client['inode'], other_server['inode']]
    assert [(r['inode'], why.split(',')[0].split(' (')[0]) for r, why in plan.protected] == [
        (client['inode'], 'held by process 30'),
        (server['inode'], 'the other end of a protected connection: held by process 30')]


def test_the_other_end_is_found_when_only_it_is_selected(monkeypatch):
    """Only the sshd side is selected (sport = :22): its other end, which the process above holds, is read from the
    whole TCP table to find it."""
    client, server = _pair(40001, server_family='inet6')
    other_client, other_server = _pair(40002)
    reads = []

    def fake_select(request, lookups=None, planner=None):
        reads.append(request)
        if request.filter is None:          # the whole TCP table
            assert request.tables == ('tcp',) and request.families == frozenset((AF_INET, AF_INET6))
            return Selection([dict(r) for r in (client, server, other_client, other_server)], [], [], None)
        return Selection([dict(server), dict(other_server)], [], [], None)
    monkeypatch.setattr(_kill, 'select', fake_select)
    monkeypatch.setattr(_kill, 'ancestor_sockets', lambda: {client['inode']: 30, 999: 30})
    plan = _kill.plan_kill(build_request({'ss_args': '-4t', 'filter': 'sport = :22'}), environ={})
    assert [r['inode'] for r in plan.to_kill] == [other_server['inode']]
    assert [r['inode'] for r, _why in plan.protected] == [server['inode']] and len(reads) == 2
    # the same with SSH_CONNECTION naming the connection, and no process above holding it
    # and nothing above holds a socket: the whole table is not read
    reads.clear()
    monkeypatch.setattr(_kill, 'ancestor_sockets', lambda: {})
    plan = _kill.plan_kill(build_request({'ss_args': '-4t', 'filter': 'sport = :22'}),
                           environ={'SSH_CONNECTION': '127.0.0.1 40001 127.0.0.1 22'})
    assert [r['inode'] for r, why in plan.protected] == [server['inode']] and len(reads) == 1


def test_a_listener_counts_the_connections_in_its_accept_queue(sockets):
    """Closing a listener resets the connections waiting in its accept queue (its Recv-Q): they count against
    max_kill."""
    listener = dict(_rec(5004, 0, state='LISTEN', raddr='0.0.0.0'), recv_q=2)
    sockets['records'] = [listener]
    request = build_request({'ss_args': '-t state listening', 'filter': 'sport = :5004'})
    with pytest.raises(_kill.KillLimitExceeded) as info:
        _kill.plan_kill(request, max_kill=2, environ={}, held={})
    assert info.value.count == 3
    assert str(info.value) == ('1 socket matches, and closing it also resets the 2 connections waiting in its accept '
                               'queue (Recv-Q of a listener): 3 in all, more than max_kill (2): nothing was closed; '
                               'narrow the selection or raise max_kill')
    assert len(_kill.plan_kill(request, max_kill=3, environ={}, held={}).to_kill) == 1


def test_check_mode_predicts_aborted_udp_sockets(sockets, monkeypatch, tmp_path):
    """SOCK_DESTROY only aborts a UDP socket whose port the application bound (SOCK_BINDPORT_LOCK): it stays. A port
    the kernel cannot have picked itself (outside ip_local_port_range, or reserved) was bound so; one inside the
    range may be either."""
    sysctl = tmp_path / 'sys' / 'net' / 'ipv4'
    sysctl.mkdir(parents=True)
    (sysctl / 'ip_local_port_range').write_text('32768\t60999\n')
    (sysctl / 'ip_local_reserved_ports').write_text('40000-40009,45000\n')
    monkeypatch.setattr(_kill, 'HostLookups', lambda: HostLookups(proc=str(tmp_path)))
    bound, reserved, ephemeral, tcp = _udp(5101), _udp(40005, 53), _udp(45001, 53), _rec(5000, 1)
    sockets['records'] = [bound, reserved, ephemeral, tcp]
    plan = _kill.plan_kill(build_request({'ss_args': '-tu -a', 'filter': 'sport >= 0'}), environ={}, held={})
    result = _kill.kill(plan, check_mode=True)
    assert result['changed'] and [r['local_port'] for r in result['killed']] == [5000]
    assert [r['local_port'] for r in result['aborted']] == [5101, 40005]
    assert [r['local_port'] for r in result['maybe_aborted']] == [45001]
    assert len(result['lines']) == 1 + 4
    (sysctl / 'ip_local_port_range').unlink()         # not readable: every UDP socket may be either
    result = _kill.kill(plan, check_mode=True)
    assert result['aborted'] == [] and [r['local_port'] for r in result['maybe_aborted']] == [5101, 40005, 45001]


def test_a_real_run_has_no_maybe(sockets, monkeypatch):
    sockets['records'] = [_udp(5101)]
    plan = _kill.plan_kill(build_request({'ss_args': '-u -a', 'filter': 'sport = :5101'}), environ={}, held={})
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([_ack(errno.ENOENT, 1), _ack(0, 2)]))
    result = _kill.kill(plan)
    assert result['maybe_aborted'] == [] and [r['local_port'] for r in result['aborted']] == [5101]


@pytest.mark.parametrize('args', ['-K -t dport = :22', '-tK', '--kill -t'])
def test_ss_kill_option_is_implied(args):
    with pytest.raises(ArgsError) as info:
        _kill.kill_request({'ss_args': args})
    assert str(info.value) == ('ss_args: -K is not needed here: socket_kill always closes the sockets it selects, as '
                               'ss -K does; give the selection without it')


def test_failure_message_names_each_reason_once():
    gone = {'errno': errno.ENOENT, 'error': 'ENOENT', 'message': 'gone already'}
    denied = {'errno': errno.EPERM, 'error': 'EPERM', 'message': 'Operation not permitted'}
    assert _kill.failure_message({'not_closed': [gone]}) is None
    assert _kill.failure_message({'not_closed': [denied, dict(denied), gone]}) == \
        '2 of the selected sockets could not be closed: EPERM (Operation not permitted)'
