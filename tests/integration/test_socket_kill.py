# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_kill on real sockets, only inside network namespaces these tests create (one per test).

Each test builds a fresh namespace holding tests/integration/sockets_fixture.py's socket zoo
(TCP listeners 5001-5006 and connections to them, UDP 5101-5103, unix, packet, netlink), so
closing sockets never touches anything else. The real ss is the oracle for what a selection holds.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import warnings

import pytest

from conftest import COLLECTIONS, NamespaceProcess, Netns, SocketFixture, need_root, run_module, run_ss

MPTCP_PORT = 5201          # sockets_fixture.py's MPTCP listener (its TCP subflow listener shows in -t)
KEY = ('netid', 'state', 'local_address', 'local_port', 'peer_address', 'peer_port')


@pytest.fixture
def zoo():
    need_root()
    ns = Netns('kill')
    fx = SocketFixture(ns)
    yield ns, fx
    fx.stop()
    ns.remove()


def _rows(ns, argv):
    """ss's rows for argv as (state, local address:port, peer address:port), whatever columns ss chose to show."""
    rc, lines, err = run_ss(ns, ['-n'] + argv)
    assert rc == 0, err
    header = lines[0].split()
    skip = int(header[0] == 'Netid')
    single_state = 'State' not in header[:2]
    rows = []
    for line in lines[1:]:
        tokens = line.split()[skip:]
        if single_state:
            tokens = ['?'] + tokens
        rows.append((tokens[0], tokens[3], tokens[4]))
    return sorted(rows)


def _key(rec, state=True):
    local = ('[%s]' % rec['local_address'] if rec['family'] == 'inet6' and rec['local_address'] != '*' else rec['local_address'])
    peer = ('[%s]' % rec['peer_address'] if rec['family'] == 'inet6' and rec['peer_address'] != '*' else rec['peer_address'])
    if rec.get('interface'):
        local += '%' + rec['interface']         # ss: bound to a device
    return (rec['state'] if state else '?', '%s:%s' % (local, rec['local_port'] or '*'), '%s:%s' % (peer, rec['peer_port'] or '*'))


def _plain(endpoint):
    """ADDRESS:PORT with a v4-mapped IPv6 address written as IPv4."""
    return endpoint.replace('[::ffff:', '').replace(']:', ':') if endpoint.startswith('[::ffff:') else endpoint


def _kill(ns, args, **extra):
    return run_module('socket_kill', dict({'ss_args': args, 'netns': ns.name, 'max_kill': 1000}, **extra), check=False)


APP = r'''
import json, socket, sys
l = socket.socket(); l.bind(('127.0.0.1', 7001)); l.listen(1)
c = socket.create_connection(('127.0.0.1', 7001)); a, _ = l.accept()
print(json.dumps({'client': c.getsockname()[1]}), flush=True)
sys.stdin.readline()
out = {}
for name, s in (('server', a), ('client', c)):
    try:
        s.send(b'x'); s.recv(1)
        out[name] = 'open'
    except OSError as e:
        out[name] = e.errno
print(json.dumps(out), flush=True)
sys.stdin.read()
'''


def test_application_sees_the_close(zoo):
    """The killed side's application gets ECONNABORTED, its peer ECONNRESET."""
    ns, _fx = zoo
    app = NamespaceProcess(ns, [sys.executable, '-c', APP])
    try:
        result = _kill(ns, '-t', filter='sport = :7001')
        assert result['changed'] and [r['local_port'] for r in result['killed']] == [7001]
        app.proc.stdin.write(b'go\n')
        app.proc.stdin.flush()
        seen = json.loads(app.proc.stdout.readline())
    finally:
        app.stop()
    import errno
    assert seen == {'server': errno.ECONNABORTED, 'client': errno.ECONNRESET}


# (ss arguments, what closes): each selection runs on a fresh zoo, ss says what it selects
SELECTIONS = [
    ('-t sport = :5001', 'established connections of one listener'),
    ('-t dport = :5001', 'their client sides'),
    ('-t state established src 127.0.0.1', 'by address'),
    ('-t state close-wait', 'stuck CLOSE-WAIT'),
    ('-t state fin-wait-2', 'FIN-WAIT-2'),
    ('-t state time-wait', 'TIME-WAIT'),
    ('-t state listening sport = :5002', 'a listener, named'),
    ('-6 -t state established', 'IPv6 connections'),
    ('-u -a sport = :5101', 'a UDP socket'),
    ('-u dst 127.0.0.1', 'a connected UDP socket'),
    ('-t ( sport = :5001 or dport = :5005 ) and not dst 127.0.0.1:9', 'a combination'),
]


def check_kill(ns, args, expect_some=True):
    """socket_kill with ss arguments ARGS closes what ss selects (listeners only when named) and nothing else."""
    argv = shlex.split(args)
    everything = ['-a', '-t', '-u']
    rc, _lines, _err = run_ss(ns, ['-n'] + argv)
    if rc != 0:
        # ss rejects it: so must the module, before anything is read or closed
        before = _rows(ns, everything)
        result = _kill(ns, args)
        assert result.get('failed') is True and 'msg' in result and not result.get('killed'), result
        assert _rows(ns, everything) == before
        return
    # the preview (check mode) must select what ss selects; sockets in transient states may move between the two
    # reads, so compare up to three times before closing anything
    for attempt in range(3):
        selected = _rows(ns, argv)
        state = not selected or selected[0][0] != '?'
        preview = _kill(ns, args, _ansible_check_mode=True)
        planned = sorted(_key(r, state) for r in preview['killed'] + preview['aborted'] + preview['maybe_aborted'])
        expected = [row for row in selected if row[0] != 'LISTEN' or 'listening' in args]
        if planned == expected:
            break
        warnings.warn('attempt %d of %s differed: %s vs %s' % (attempt + 1, args, planned, expected))
    assert planned == expected, (planned, expected)
    assert planned or not expect_some
    before_all = _rows(ns, everything)
    result = _kill(ns, args)
    # closing one end of a connection also closes its peer: when both ends are selected, the second is gone already;
    # the kernel refuses the TCP listener of the fixture's MPTCP listening socket (port 5201)
    refused = [r for r in result['not_closed'] if r['error'] == 'EINVAL']
    assert all(r['error'] == 'ENOENT' for r in result['not_closed'] if r not in refused), result.get('msg') or result['not_closed']
    assert all(r['local_port'] == MPTCP_PORT and 'MPTCP' in r['message'] for r in refused)
    closed = sorted(_key(r, state) for r in result['killed'] + result['aborted'] + result['not_closed'] if r not in refused)
    assert closed == sorted(set(planned) - set(_key(r, state) for r in refused))
    # check mode predicted what the run reports: aborted (a UDP port the application bound, outside the ephemeral
    # range) or maybe aborted (a port in the range, which the kernel may have picked itself)
    predicted = set(_key(r, state) for r in preview['aborted'])
    assert predicted <= set(_key(r, state) for r in result['aborted']), (preview['aborted'], result['aborted'])
    assert set(_key(r, state) for r in result['aborted']) <= predicted | set(_key(r, state) for r in preview['maybe_aborted'])
    assert result['maybe_aborted'] == []
    after_all = _rows(ns, everything)
    # every other socket is still there (the peers of closed TCP connections may have moved to CLOSE)
    # (a v4-mapped inet6 end is the same connection as its inet peer's view)
    ends = set((_plain(r[1]), _plain(r[2])) for r in closed)
    ends |= set((b, a) for a, b in ends)
    # closing a listener resets the connections still waiting in its accept queue
    ports = set(r[1].rsplit(':', 1)[1] for r in closed if r[0] in ('LISTEN', '?') and r[2].endswith(':*'))
    untouched = [r for r in before_all if (_plain(r[1]), _plain(r[2])) not in ends and
                 r[0] not in ('SYN-SENT', 'TIME-WAIT', 'FIN-WAIT-1') and
                 r[1].rsplit(':', 1)[1] not in ports and r[2].rsplit(':', 1)[1] not in ports]
    assert [r for r in untouched if r not in after_all] == []
    again = _kill(ns, args)
    assert again['killed'] == [] and [r['error'] for r in again['not_closed']] == ['EINVAL'] * len(refused)
    if result['aborted']:
        # a bound UDP socket survives its abort: reported again, as aborted, every run
        assert sorted(_key(r, state) for r in again['aborted']) == sorted(_key(r, state) for r in result['aborted'])
        assert all(r['netid'] == 'udp' and r['local_port'] for r in result['aborted'])
    else:
        assert again['changed'] is False
        assert all(r['state'] == 'LISTEN' for r in again['survivors'] if r['local_port'] != MPTCP_PORT)


@pytest.mark.parametrize('args', [a for a, _what in SELECTIONS])
def test_closes_exactly_what_ss_selects_and_nothing_else(zoo, args):
    ns, _fx = zoo
    check_kill(ns, args)


try:
    import hypothesis
    from strategies import expressions
except ImportError:     # the property test skips itself
    hypothesis = None


if hypothesis is not None:
    @hypothesis.settings(max_examples=int(os.environ.get('NETDIAG_KILL_EXAMPLES', '12')), deadline=None,
                         derandomize=bool(os.environ.get('CI')), suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(expr=expressions(), opts=hypothesis.strategies.sampled_from(
        ['-t', '-u -a', '-tu', '-4t', '-6t', '-t state established', '-ta', '-t state listening', '-t state time-wait',
         '-t exclude established']))
    def test_random_filters_close_what_ss_selects(expr, opts):
        """Random filters from the ss grammar, each on a fresh zoo: closed = ss's selection, the rest untouched."""
        need_root()
        ns = Netns('killp')
        try:
            fx = SocketFixture(ns)
            try:
                check_kill(ns, '%s %s' % (opts, expr), expect_some=False)
            finally:
                fx.stop()
        finally:
            ns.remove()
else:
    def test_random_filters_close_what_ss_selects():
        pytest.skip('needs hypothesis')


def test_max_kill_closes_nothing(zoo):
    ns, _fx = zoo
    before = _rows(ns, ['-t'])
    result = _kill(ns, '-t state established', max_kill=2)
    assert result['failed'] and 'more than max_kill (2): nothing was closed' in result['msg'] and result['count'] > 2
    assert _rows(ns, ['-t']) == before


def test_unfiltered_is_refused(zoo):
    ns, _fx = zoo
    result = run_module('socket_kill', {'ss_args': '-t', 'netns': ns.name}, check=False)
    assert result['failed'] and 'no filter and no state words' in result['msg']


def test_the_connection_ansible_uses_is_protected(zoo):
    ns, _fx = zoo
    facts = run_module('socket_facts', {'ss_args': '-t state established sport = :5002', 'netns': ns.name})['ansible_facts']
    (server,) = facts['sockets']
    env = {'SSH_CONNECTION': '%s %d %s %d' % (server['peer_address'], server['peer_port'], server['local_address'], 5002)}
    result = run_module('socket_kill', {'ss_args': '-t', 'filter': 'sport = :5002 or dport = :5002', 'netns': ns.name},
                        env=env)
    assert result['killed'] == [] and len(result['protected']) == 2 and not result['changed']
    assert all('SSH_CONNECTION' in r['reason'] for r in result['protected'])
    assert len(_rows(ns, ['-t', 'state', 'established', 'sport', '=', ':5002'])) == 1


def test_check_mode_and_diff(zoo):
    ns, _fx = zoo
    before = _rows(ns, ['-t'])
    result = _kill(ns, '-t sport = :5001', _ansible_check_mode=True, _ansible_diff=True)
    assert result['changed'] and result['killed'] and _rows(ns, ['-t']) == before
    assert ':5001' in result['diff']['before'] and all(':5001 ' not in line for line in result['diff']['after'].splitlines()[1:])


def test_listeners_only_when_named(zoo):
    ns, _fx = zoo
    result = _kill(ns, '-ta sport = :5004')
    assert all(r['state'] != 'LISTEN' for r in result['killed'])
    assert [r['state'] for r in result['protected']] == ['LISTEN']


@pytest.mark.skipif(shutil.which('setpriv') is None, reason='needs setpriv (util-linux) to drop privileges')
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_without_privilege_nothing_changes(zoo, check_mode):
    """Without CAP_NET_ADMIN every socket fails with EPERM, nothing is sent, and check mode predicts just that."""
    ns, _fx = zoo
    before = _rows(ns, ['-t'])
    result = run_module('socket_kill', {'ss_args': '-t sport = :5001', '_ansible_check_mode': check_mode}, check=False,
                        prefix=['ip', 'netns', 'exec', ns.name, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'])
    assert result['changed'] is False and result['killed'] == [] and result['not_closed']
    assert all(r['error'] == 'EPERM' and 'CAP_NET_ADMIN' in r['message'] for r in result['not_closed'])
    assert result['failed'] is True and 'could not be closed: EPERM' in result['msg']     # the task fails
    assert _rows(ns, ['-t']) == before
    assert os.geteuid() == 0 and subprocess is not None


@pytest.mark.skipif(shutil.which('unshare') is None, reason='needs unshare (util-linux)')
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_root_of_another_user_namespace_cannot_close_sockets(zoo, check_mode):
    """Root of a user namespace that shares a network namespace it does not own (a rootless container on the host's
    network) has CAP_NET_ADMIN in CapEff, but not where the kernel checks it: both modes report EPERM."""
    ns, _fx = zoo
    before = _rows(ns, ['-t'])
    result = run_module('socket_kill', {'ss_args': '-t sport = :5001', '_ansible_check_mode': check_mode}, check=False,
                        prefix=['ip', 'netns', 'exec', ns.name, 'unshare', '--user', '--map-root-user'])
    assert result['failed'] is True and result['changed'] is False and result['killed'] == [] and result['not_closed']
    assert all(r['error'] == 'EPERM' and 'another user namespace' in r['message'] for r in result['not_closed'])
    assert _rows(ns, ['-t']) == before


def test_a_bound_udp_socket_is_aborted_and_stays(zoo):
    """The kernel aborts a bound UDP socket but keeps it bound until its application closes it: reported as aborted."""
    ns, _fx = zoo
    result = _kill(ns, '-u -a sport = :5101')
    assert result['changed'] and result['killed'] == [] and [r['local_port'] for r in result['aborted']] == [5101]
    assert [r['local_port'] for r in result['survivors']] == [5101]
    assert len(_rows(ns, ['-u', '-a', 'sport', '=', ':5101'])) == 1


HOLDER = r'''
import socket, subprocess, sys
c = socket.create_connection(('127.0.0.1', 5003))
sys.exit(subprocess.call(sys.argv[1:]))       # the module runs as this process's child, as under sshd
'''


def test_a_connection_held_by_a_process_above_the_module_is_protected(zoo):
    """No SSH_CONNECTION (sudo's env_reset drops it under become): the connection is found as sshd holds it, in a
    process the module runs under. Here that process holds a connection to :5003 and runs the module."""
    ns, _fx = zoo
    before = _rows(ns, ['-t', 'state', 'established', 'dport', '=', ':5003'])
    result = run_module('socket_kill', {'ss_args': '-t state established dport = :5003', 'max_kill': 1000},
                        env={'SSH_CONNECTION': ''},
                        prefix=['ip', 'netns', 'exec', ns.name, sys.executable, '-c', HOLDER])
    (held,) = result['protected']
    assert held['peer_port'] == 5003 and held['reason'].startswith('held by process ')
    assert result['killed'] and all(r['inode'] != held['inode'] for r in result['killed'])
    assert len(before) == len(result['killed']) >= 1


def test_under_async_nothing_is_closed_when_the_connection_cannot_be_found(zoo):
    """Ansible's async_wrapper detaches the module from the processes above it (two forks, a new session), and become
    resets SSH_CONNECTION: the connection its parent held (sshd's, here a stand-in's) was closed with the rest."""
    ns, _fx = zoo
    command = os.path.join(os.path.dirname(sys.executable), 'ansible')
    if not os.path.exists(command):
        pytest.skip('needs ansible in this Python environment')
    before = _rows(ns, ['-t', 'state', 'established', 'dport', '=', ':5003'])
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_STDOUT_CALLBACK='default')
    env.pop('SSH_CONNECTION', None)
    args = json.dumps({'ss_args': '-t state established dport = :5003', 'max_kill': 1000})
    proc = subprocess.run(['ip', 'netns', 'exec', ns.name, sys.executable, '-c', HOLDER, command, 'localhost', '-m',
                           'netdiag.ss.socket_kill', '-a', args, '-B', '60', '-P', '1'],
                          capture_output=True, text=True, env=env, timeout=180, check=False)
    assert proc.returncode != 0 and 'protect_connection: under async the module runs detached' in proc.stdout, \
        proc.stdout[-3000:] + proc.stderr[-2000:]
    assert _rows(ns, ['-t', 'state', 'established', 'dport', '=', ':5003']) == before


REUSEPORT = r'''
import json, socket, sys
socks = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(('127.0.0.1', 7300))
    socks.append(s)
print(json.dumps({'ready': True}), flush=True)
sys.stdin.read()
'''


def test_a_socket_the_kernel_cannot_find_by_its_addresses_is_a_failure(zoo):
    """Two UDP sockets in one SO_REUSEPORT group: SOCK_DESTROY looks the socket up by its addresses, finds the same
    member for both requests and refuses the other's cookie (ENOENT). That one is still there: not "gone already",
    and the task fails."""
    ns, _fx = zoo
    group = NamespaceProcess(ns, [sys.executable, '-c', REUSEPORT])
    try:
        result = _kill(ns, '-u -a sport = :7300')
        assert result['failed'] and 'could not be closed: ENOENT' in result['msg']
        (left,) = result['not_closed']
        assert left['error'] == 'ENOENT' and 'still there' in left['message']
        assert len(result['killed'] + result['aborted']) == 1 and left['inode'] in [r['inode'] for r in result['survivors']]
    finally:
        group.stop()


CONNECTED_UDP = r'''
import json, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 7400))
s.connect(('127.0.0.1', 7401))
print(json.dumps({'ready': True}), flush=True)
sys.stdin.read()
'''


def test_a_disconnected_udp_socket_still_bound_is_reported_aborted(zoo):
    """SOCK_DESTROY disconnects a connected UDP socket bound to its address: it stays, unconnected, and no longer
    matches a selection by its peer. Still reported as aborted (it holds its port), not as closed."""
    ns, _fx = zoo
    holder = NamespaceProcess(ns, [sys.executable, '-c', CONNECTED_UDP])
    try:
        result = _kill(ns, '-u dport = :7401')
        assert result['changed'] and result['killed'] == [] and [r['local_port'] for r in result['aborted']] == [7400]
        assert result['survivors'] == []
        assert len(_rows(ns, ['-u', '-a', 'sport', '=', ':7400'])) == 1         # still bound, unconnected
    finally:
        holder.stop()


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'run'])
def test_mptcp_sockets_are_not_closable_and_nothing_is_sent(zoo, check_mode):
    """mptcp_diag has no SOCK_DESTROY (B-34): check mode must not promise to close MPTCP sockets, and a run sends
    nothing for them; both fail, naming them in not_closed (ss -K sends the request, closes nothing, says nothing)."""
    ns, fx = zoo
    if any(s.startswith('mptcp') for s in fx.info.get('skipped', ())):
        pytest.skip('no MPTCP here: %s' % fx.info['skipped'])
    before = _rows(ns, ['-M'])
    result = _kill(ns, '-M state established', _ansible_check_mode=check_mode)
    assert result['failed'] and 'could not be closed: EOPNOTSUPP' in result['msg'], result.get('msg')
    assert result['changed'] is False and result['killed'] == [] and result['aborted'] == []
    assert len(result['not_closed']) == len(before) >= 2, (result['not_closed'], before)
    assert all(r['netid'] == 'mptcp' and r['error'] == 'EOPNOTSUPP' and 'no SOCK_DESTROY' in r['message']
               for r in result['not_closed'])
    assert _rows(ns, ['-M']) == before


def test_check_mode_predicts_a_bound_udp_socket_is_aborted(zoo):
    """Port 5101 was bound by its application (outside the ephemeral range): check mode says aborted, as the run does."""
    ns, _fx = zoo
    preview = _kill(ns, '-u -a sport = :5101', _ansible_check_mode=True)
    assert preview['changed'] and preview['killed'] == [] and preview['maybe_aborted'] == []
    assert [r['local_port'] for r in preview['aborted']] == [5101]
    result = _kill(ns, '-u -a sport = :5101')
    assert [r['local_port'] for r in result['aborted']] == [5101] and result['killed'] == []
    # the zoo's connected UDP client has a port the kernel picked: a run removes it, check mode cannot know it
    preview = _kill(ns, '-u dst 127.0.0.1', _ansible_check_mode=True)
    (maybe,) = preview['maybe_aborted']
    assert preview['killed'] == [] and preview['aborted'] == [] and 32768 <= maybe['local_port'] <= 60999
    result = _kill(ns, '-u dst 127.0.0.1')
    assert [r['local_port'] for r in result['killed']] == [maybe['local_port']] and result['aborted'] == []


@pytest.mark.parametrize('args', ['-u state established', '-tu state established', '-4 state established'])
def test_udp_states_that_narrow_nothing_are_refused(zoo, args):
    """UDP sockets are only connected (ESTAB) or not (UNCONN): `-u state established` is every connected one."""
    ns, _fx = zoo
    before = _rows(ns, ['-a', '-t', '-u'])
    result = run_module('socket_kill', {'ss_args': args, 'netns': ns.name}, check=False)
    assert result['failed'] and 'select every state ss selects without any in the ' in result['msg'], result
    assert 'udp table' in result['msg'] or 'udp tables' in result['msg']
    assert not result.get('killed') and _rows(ns, ['-a', '-t', '-u']) == before


def test_a_listener_counts_its_accept_queue_against_max_kill(zoo):
    """The zoo's listener on 5004 has two connections waiting to be accepted; closing it resets them (as ss -K does)."""
    ns, _fx = zoo
    queued = _rows(ns, ['-t', 'state', 'established', 'dport', '=', ':5004'])
    assert len(queued) == 2
    result = _kill(ns, '-t state listening sport = :5004', max_kill=2)
    assert result['failed'] and result['count'] == 3 and 'the 2 connections waiting in its accept queue' in result['msg']
    assert 'more than max_kill (2): nothing was closed' in result['msg'] and not result.get('killed')
    assert _rows(ns, ['-t', 'state', 'established', 'dport', '=', ':5004']) == queued
    result = _kill(ns, '-t state listening sport = :5004', max_kill=3)
    assert [r['local_port'] for r in result['killed']] == [5004]
    assert _rows(ns, ['-t', 'state', 'established', 'dport', '=', ':5004']) == []


def test_ss_kill_option_is_said_to_be_implied(zoo):
    ns, _fx = zoo
    before = _rows(ns, ['-t'])
    result = _kill(ns, '-K -t sport = :5001')
    assert result['failed'] and result['msg'] == ('ss_args: -K is not needed here: socket_kill always closes the sockets '
                                                  'it selects, as ss -K does; give the selection without it')
    assert _rows(ns, ['-t']) == before


SERVER = r"""
import json, socket, sys, threading
l = socket.socket(socket.AF_INET6)
l.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
l.bind(('::', 7600))
l.listen(8)
kept = []
def serve():
    while True:
        kept.append(l.accept()[0])
threading.Thread(target=serve, daemon=True).start()
bystander = socket.create_connection(('127.0.0.1', 7600))
print(json.dumps({'bystander': bystander.getsockname()[1]}), flush=True)
sys.stdin.read()
"""

HOLDER_7600 = HOLDER.replace('5003', '7600')


@pytest.mark.parametrize('selection', ['sport = :7600 or dport = :7600', 'sport = :7600'], ids=['both-ends', 'server-end'])
def test_the_other_end_of_a_connection_held_above_the_module_is_protected(zoo, selection):
    """Controller and target on one host, become (no SSH_CONNECTION): the process above the module holds the client
    end; the server's end of the same connection (v4-mapped here), selected with it or alone, must not be closed
    either, or the connection is reset. Here a server accepts it, and the holder runs the module."""
    ns, _fx = zoo
    server = NamespaceProcess(ns, [sys.executable, '-c', SERVER])
    try:
        result = run_module('socket_kill', {'ss_args': '-t state established', 'filter': selection, 'max_kill': 1000},
                            env={'SSH_CONNECTION': ''},
                            prefix=['ip', 'netns', 'exec', ns.name, sys.executable, '-c', HOLDER_7600])
        ends = [r for r in result['protected'] if r['local_port'] == 7600]
        (end,) = ends
        # found in the whole TCP table (server end alone), or among the selected pair (both ends)
        assert end['peer_port'] != server.info['bystander'] and end['reason'].startswith(
            ('the other end of a connection held by process ', 'the other end of a protected connection: held by process '))
        # the bystander connection (held by the server alone) is closed: one end killed, the other one then gone
        bystander = server.info['bystander']
        closed = [(r['local_port'], r['peer_port']) for r in result['killed'] + result['not_closed']]
        assert (7600, bystander) in closed and result['changed']
        # the holder has exited, closing its end: the server's end got the FIN (CLOSE-WAIT), it was not reset
        assert len(_rows(ns, ['-t', 'state', 'close-wait', 'sport', '=', ':7600', 'dport', '=', ':%d' % end['peer_port']])) == 1
        assert _rows(ns, ['-t', 'state', 'all', 'sport', '=', ':7600', 'dport', '=', ':%d' % bystander]) == []
    finally:
        server.stop()


SK_LOOKUP = r"""
import ctypes, errno, json, os, platform, socket, struct, sys
# A TCP listener on 127.0.0.1:7700 and a BPF sk_lookup program attached to this namespace that hands it every TCP
# lookup the kernel makes for a listener (a catch-all, as a service mesh or a socket-activation proxy installs)
NR_BPF = {'x86_64': 321, 'aarch64': 280}.get(platform.machine())
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    fd = libc.syscall(NR_BPF, cmd, buf, 128)
    if fd < 0:
        raise OSError(ctypes.get_errno(), 'bpf(%d)' % cmd)
    return fd

def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack('<BBhi', code, (src << 4) | dst, off, imm)

l = socket.socket()
l.bind(('127.0.0.1', 7700))
l.listen(8)
try:
    if NR_BPF is None:
        raise OSError(errno.ENOSYS, 'no bpf syscall number for ' + platform.machine())
    sockmap = bpf(0, struct.pack('=IIII', 15, 4, 8, 1))             # BPF_MAP_CREATE: SOCKMAP, one slot
    key, value = ctypes.c_uint32(0), ctypes.c_uint64(l.fileno())
    bpf(2, struct.pack('=IIQQQ', sockmap, 0, ctypes.addressof(key), ctypes.addressof(value), 0))
    prog = b''.join([
        insn(0xbf, 6, 1), insn(0x62, 10, 0, -4, 0),                 # r6 = ctx; *(u32 *)(fp - 4) = 0
        insn(0x18, 1, 1, 0, sockmap), insn(0),                      # r1 = the sockmap
        insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -4), insn(0x85, imm=1),   # r0 = map_lookup_elem(r1, fp - 4)
        insn(0x15, 0, 0, 7, 0),                                     # no socket: pass
        insn(0xbf, 7, 0), insn(0xbf, 1, 6), insn(0xbf, 2, 7), insn(0xb7, 3, imm=0),
        insn(0x85, imm=124),                                        # sk_assign(ctx, sk, 0)
        insn(0xbf, 1, 7), insn(0x85, imm=86),                       # sk_release(sk)
        insn(0xb7, 0, imm=1), insn(0x95),                           # return SK_PASS
    ])
    code, licence = ctypes.create_string_buffer(prog, len(prog)), ctypes.create_string_buffer(b'GPL')
    # BPF_PROG_LOAD: BPF_PROG_TYPE_SK_LOOKUP, expected attach type BPF_SK_LOOKUP
    fd = bpf(5, struct.pack('=IIQQIIQII16sII', 30, len(prog) // 8, ctypes.addressof(code), ctypes.addressof(licence),
                            0, 0, 0, 0, 0, b'', 0, 36))
    netns = os.open('/proc/self/ns/net', os.O_RDONLY)
    link = bpf(28, struct.pack('=IIII', fd, netns, 36, 0))          # BPF_LINK_CREATE on this namespace
except OSError as exc:
    print(json.dumps({'skip': 'cannot attach a BPF sk_lookup program here: %s' % exc}), flush=True)
    sys.exit(0)
print(json.dumps({'ready': True}), flush=True)
sys.stdin.read()
"""


def test_the_probe_closes_nothing_a_bpf_sk_lookup_program_hands_it(zoo):
    """The SOCK_DESTROY probe (for 0.0.0.0:0) goes through the TCP listener lookup, which runs BPF sk_lookup programs:
    a catch-all one answers with its listener. The probe's cookie (0) is no socket's, so the kernel refuses it."""
    ns, _fx = zoo
    helper = NamespaceProcess(ns, [sys.executable, '-c', SK_LOOKUP])
    try:
        if 'skip' in helper.info:
            pytest.skip(helper.info['skip'])
        # the program works: a connection to a port nobody listens on lands on 7700
        probe = subprocess.run(ns.exec_argv([sys.executable, '-c', 'import socket; socket.create_connection(("127.0.0.1", 7999))']),
                               capture_output=True, timeout=30, check=False)
        assert probe.returncode == 0, probe.stderr
        listener = _rows(ns, ['-t', 'state', 'listening', 'sport', '=', ':7700'])
        assert len(listener) == 1
        result = _kill(ns, '-t sport = :5001')
        assert result['changed'] and result['killed'], result.get('msg')
        assert _rows(ns, ['-t', 'state', 'listening', 'sport', '=', ':7700']) == listener
    finally:
        helper.stop()
