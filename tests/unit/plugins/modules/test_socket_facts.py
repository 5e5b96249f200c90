# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_facts' main(): module arguments in, the JSON result out, with the kernel faked.

The collector is replaced by a function returning fixed records, so these
tests check the module's own work: the argument spec, the request it
builds, warnings, errors and the shape of the result. Real sockets are
compared with ss in tests/integration.
"""

from __future__ import annotations

import collections
import json
import os
import sys

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.netdiag.ss.plugins.module_utils import _select
from ansible_collections.netdiag.ss.plugins.modules import socket_facts

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'module_utils'))
from uapi import FakeSock, destroy_msg, done, inet_msg  # noqa: E402  (test helpers beside the module_utils tests)

LISTENER = {'netid': 'tcp', 'state': 'LISTEN', 'recv_q': 0, 'send_q': 128, 'local_address': '0.0.0.0', 'local_port': 22,
            'peer_address': '0.0.0.0', 'peer_port': 0, 'interface': None, 'family': 'inet', 'uid': 0, 'inode': 411,
            'cookie': 7}


@pytest.fixture
def kernel(monkeypatch):
    """A fake collector: records what select() asked for, answers with `kernel.records`."""
    class Kernel(object):
        records = [dict(LISTENER)]
        unsupported = collections.OrderedDict()
        asked = None
    k = Kernel()

    def fake_collect(tables, families, states, **kw):
        k.asked = dict(kw, tables=tables, families=families, states=states)
        return [dict(r) for r in k.records], k.unsupported
    monkeypatch.setattr(_select, 'collect', fake_collect)
    return k


def run(args, capsys):
    """Run main() with args; return (exit code, result dict).

    Once controller code is imported in this process (as tests/unit/plugins/filter do), ansible-core 2.19
    sends module warnings to the controller's display (stderr) instead of the result: they are put back
    under `warnings` here, so that tests see them either way.
    """
    with patch_module_args(args):
        with pytest.raises(SystemExit) as info:
            socket_facts.main()
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    if '[WARNING]' in captured.err and 'warnings' not in result:
        result['warnings'] = [' '.join(captured.err.split())]     # the display may wrap long lines
    return info.value.code, result


def test_listing(kernel, capsys):
    rc, result = run({'ss_args': '-tln'}, capsys)
    assert rc == 0 and result['changed'] is False
    assert result['ansible_facts']['sockets'] == [LISTENER]
    assert result['ansible_facts']['socket_summary'] == {
        'total': 1, 'by_netid': {'tcp': 1}, 'by_state': {'LISTEN': 1}, 'by_netid_state': {'tcp': {'LISTEN': 1}}}
    assert result['lines'] == ['State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',   # as ss glues them
                               'LISTEN 0      128          0.0.0.0:22        0.0.0.0:*']
    assert kernel.asked['tables'] == ('tcp',) and kernel.asked['states'] == (1 << 10) | (1 << 7)
    assert result['unsupported_tables'] == []


def test_structured_options_fields_and_no_lines(kernel, capsys):
    rc, result = run({'tables': ['tcp'], 'listening': True, 'fields': ['local_port', 'state'], 'lines': False,
                      'filter': 'sport = :22', 'kernel_filter': False}, capsys)
    assert rc == 0 and result['ansible_facts']['sockets'] == [{'local_port': 22, 'state': 'LISTEN'}]
    assert 'lines' not in result and kernel.asked['bytecode'] is None and kernel.asked['match'] is not None


def test_warnings_reach_the_user(kernel, capsys):
    kernel.unsupported = collections.OrderedDict([('sctp', 'table sctp is not supported by this kernel')])
    rc, result = run({'ss_args': '-S', 'filter': 'sport = :1 or sport = :2 and dport = :3'}, capsys)
    assert rc == 0 and result['unsupported_tables'] == ['sctp']
    warnings = json.dumps(result['warnings'])      # plain strings, or ansible-core 2.19's warning summaries
    assert 'left to right' in warnings and 'sctp is not supported' in warnings


@pytest.mark.parametrize('args, message', [
    ({'ss_args': '-t', 'filter': 'sport = 22 )'}, 'filter: ")" closes a parenthesis that was never opened at word 4'),
    ({'ss_args': '-K'}, 'socket_kill'),
    ({'ss_args': '-a', 'listening': True}, 'listening=true contradicts "-a"'),
    ({'fields': ['bogus']}, 'value of fields must be one or more of'),
    ({'netns': 'no-such-namespace-for-this-test'}, 'does not exist'),
])
def test_bad_input_fails_with_a_message_and_reads_nothing(kernel, capsys, args, message):
    rc, result = run(args, capsys)
    assert rc == 1 and result['failed'] and message in result['msg'] and 'Traceback' not in result['msg']
    assert kernel.asked is None


def test_summary_only(kernel, capsys, monkeypatch):
    from ansible_collections.netdiag.ss.plugins.module_utils import _summary
    stats = {'total': 9, 'tcp': {'total': 1, 'estab': 0, 'closed': 0, 'orphaned': 0, 'timewait': 0},
             'transport': dict((k, {'total': 0, 'ipv4': 0, 'ipv6': 0}) for k in ('raw', 'udp', 'tcp', 'inet', 'frag'))}
    monkeypatch.setattr(_summary, 'read_summary', lambda: stats)
    rc, result = run({'summary': True}, capsys)
    assert rc == 0 and result['ansible_facts']['socket_stats'] == stats and result['ansible_facts']['sockets'] == []
    assert result['lines'][0] == 'Total: 9' and kernel.asked is None


# ---------------------------------------------------------------- -E, -D and from_dump

class FakeTime(object):
    """Stands in for the time module in _events: wait() moves this clock on, so no test waits."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now


@pytest.fixture
def multicast(monkeypatch):
    """Destroy events from a fake multicast socket (messages from the UAPI layouts, as in test__events.py)."""
    from ansible_collections.netdiag.ss.plugins.module_utils import _events
    clock = FakeTime()
    state = {'groups': None}
    tcp4 = destroy_msg(rq=5)
    udp6 = destroy_msg(family=10, protocol=17, sport=5600, dport=0, src='::1', dst='::', wq=0xffffffff, cookie=(7, 0))
    listener = destroy_msg(dport=0, dst='0.0.0.0', cookie=(8, 0))
    sock = FakeSock([tcp4, udp6 + listener])

    def open_socket(groups):
        state['groups'] = groups
        return sock

    def wait(sock, timeout):
        clock.now += 0.01 if sock.chunks else timeout
        return bool(sock.chunks)
    monkeypatch.setattr(_events, 'open_event_socket', open_socket)
    monkeypatch.setattr(_events, 'wait_readable', wait)
    monkeypatch.setattr(_events, 'time', clock)
    return state


def test_events_mode(kernel, multicast, capsys):
    rc, result = run({'ss_args': '-Etun', 'events': 2, 'fields': ['netid', 'local_port', 'send_q']}, capsys)
    assert rc == 0 and result['changed'] is False and kernel.asked is None and multicast['groups'] == 0xf
    assert result['ansible_facts'] == {} and result['events_truncated'] is False
    assert result['events'] == [{'netid': 'tcp', 'local_port': 5599, 'send_q': 0},
                                {'netid': 'udp', 'local_port': 5600, 'send_q': -1},
                                {'netid': 'tcp', 'local_port': 5599, 'send_q': 0}]
    assert [line.split()[:2] for line in result['lines']] == [['Netid', 'State'], ['tcp', 'UNCONN'], ['udp', 'UNCONN'],
                                                              ['tcp', 'UNCONN']]


def test_events_mode_with_max_events_and_a_filter(kernel, multicast, capsys):
    rc, result = run({'tables': ['tcp'], 'events': 2, 'max_events': 1, 'filter': 'sport = :5599'}, capsys)
    assert rc == 0 and multicast['groups'] == 0x5 and result['events_truncated'] is True
    assert [e['cookie'] for e in result['events']] == [0x3b5c]
    assert 'more than max_events=1' in json.dumps(result['warnings'])


def _capture_bytes():
    return (inet_msg() + inet_msg(state=1, sport=22, dport=50312, src='10.0.0.1', dst='10.0.0.2', cookie=(5, 0), wq=0)
            + done() + inet_msg(family=10, src='::', dst='::', cookie=(4, 0)) + done())


@pytest.fixture
def netlink(monkeypatch):
    """sock_diag sockets that answer each request with the next answer in `netlink.answers` (a list of datagrams)."""
    from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl

    class Netlink(object):
        answers = []
        socks = []

    def open_socket(groups=0):
        sock = FakeSock(Netlink.answers.pop(0) if Netlink.answers else [])
        Netlink.socks.append(sock)
        return sock
    monkeypatch.setattr(nl, 'open_socket', open_socket)
    Netlink.socks = []
    return Netlink


@pytest.mark.parametrize('check_mode', [False, True])
def test_dump_file(netlink, capsys, tmp_path, check_mode):
    data = _capture_bytes()
    first = data.index(done()) + len(done())
    netlink.answers = [[data[:first], data[first:]]]
    path = str(tmp_path / 'tcp.dump')
    rc, result = run({'ss_args': '-ta -D %s' % path, '_ansible_check_mode': check_mode}, capsys)
    assert rc == 0 and result['changed'] is True and result['ansible_facts'] == {} and result['lines'] == []
    assert result['dump'] == {'path': path, 'written': not check_mode, 'bytes': len(data), 'messages': 5, 'sockets': 3,
                              'families': ['inet', 'inet6']}
    assert (open(path, 'rb').read() == data) if not check_mode else not tmp_path.joinpath('tcp.dump').exists()


def test_from_dump(netlink, capsys, tmp_path):
    path = tmp_path / 'tcp.dump'
    path.write_bytes(_capture_bytes())
    rc, result = run({'ss_args': '-ta', 'from_dump': str(path), 'filter': 'sport = :22'}, capsys)
    assert rc == 0 and result['changed'] is False
    assert [(s['state'], s['local_address'], s['peer_port']) for s in result['ansible_facts']['sockets']] == [
        ('LISTEN', '0.0.0.0', 0), ('ESTAB', '10.0.0.1', 50312), ('LISTEN', '*', 0)]
    assert result['lines'][1].split() == ['LISTEN', '0', '128', '0.0.0.0:22', '0.0.0.0:*']
    assert all(not s.sent for s in netlink.socks)        # the TCP table came from the file: nothing asked of the kernel


@pytest.mark.parametrize('args, message', [
    ({'ss_args': '-E'}, 'give the events option'),
    ({'ss_args': '-x', 'events': 3}, '-E reports destroyed TCP and UDP sockets'),
    ({'ss_args': '-t sport = :22', 'dump_file': '/tmp/x'}, 'remove the expression'),
    ({'ss_args': '-t', 'dump_file': '/nonexistent-dir/x'}, 'directory /nonexistent-dir does not exist'),
    ({'ss_args': '-t', 'from_dump': '/nonexistent-dir/x'}, 'from_dump: cannot open /nonexistent-dir/x'),
    ({'ss_args': '-t', 'from_dump': '/dev/zero'}, 'is not a regular file'),
    ({'ss_args': '-t', 'events': 3, 'from_dump': '/tmp/x'}, 'cannot be combined'),
])
def test_bad_event_and_dump_input_fails_cleanly(kernel, netlink, capsys, args, message):
    rc, result = run(args, capsys)
    assert rc == 1 and result['failed'] and message in result['msg'] and 'Traceback' not in result['msg']
    assert kernel.asked is None and all(not s.sent for s in netlink.socks)


def test_a_corrupt_capture_fails_with_where(netlink, capsys, tmp_path):
    path = tmp_path / 'tcp.dump'
    path.write_bytes(_capture_bytes()[:120])
    rc, result = run({'ss_args': '-t', 'from_dump': str(path)}, capsys)
    assert rc == 1 and 'is truncated: message 2 (offset 88) announces 88 bytes, and only 32 remain' in result['msg']


def test_max_sockets_lists_the_first_ones_and_says_so(netlink, capsys):
    """Three sockets in the IPv4 dump, max_sockets 2: two listed, truncated, a warning; the IPv6 dump is never sent."""
    ports = (22, 80, 443)
    netlink.answers = [[b''.join(inet_msg(sport=p, cookie=(p, 0)) for p in ports) + done(),
                        inet_msg(family=10, src='::', dst='::', cookie=(4, 0)) + done()]]
    rc, result = run({'ss_args': '-tln', 'max_sockets': 2}, capsys)
    assert rc == 0 and result['truncated'] is True
    assert [s['local_port'] for s in result['ansible_facts']['sockets']] == [22, 80]
    assert result['ansible_facts']['socket_summary']['total'] == 2 and len(result['lines']) == 3
    assert 'more than 2 sockets are selected; the first 2' in json.dumps(result['warnings'])
    assert len(netlink.socks[0].sent) == 1 and netlink.socks[0].closed
    netlink.answers = [[b''.join(inet_msg(sport=p, cookie=(p, 0)) for p in ports) + done(), done()]]
    rc, result = run({'ss_args': '-tln', 'max_sockets': 3}, capsys)
    assert rc == 0 and result['truncated'] is False and len(result['ansible_facts']['sockets']) == 3
