# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many module runs at once on one host, in a namespace of their own (see docs/reliability.md, "Concurrency").

Twenty socket_facts runs started together on the socket zoo must agree on every stable socket; and
socket_kill closing connections in batches while socket_facts and socket_assert run over and over must
neither make those fail nor list a socket twice, and must itself close exactly what it selected.
Bounded: a fixed number of runs and connections, all on loopback inside the namespace.
"""

from __future__ import annotations

import collections
import json
import sys
import threading
import time
import warnings

import pytest

from conftest import ModuleProcess, NamespaceProcess, Netns, SocketFixture, need_root, run_module, run_ss

RUNS = 20
# states a socket of the zoo leaves by itself (a SYN that is never answered, TIME-WAIT expiring); a FIN-WAIT-1
# socket's persist timer keeps it still
TRANSIENT = ('SYN-SENT', 'SYN-RECV', 'TIME-WAIT', 'CLOSE', 'LAST-ACK', 'CLOSING')
STABLE_KEYS = ('netid', 'state', 'recv_q', 'send_q', 'local_address', 'local_port', 'peer_address', 'peer_port',
               'interface', 'uid', 'inode', 'cookie', 'processes')
BULK_PORT = 6000


class Started(ModuleProcess):
    """ModuleProcess with its own arguments for the namespace; timings kept for the report."""

    def __init__(self, name, args):
        self.started = time.monotonic()
        super(Started, self).__init__(name, args)


@pytest.fixture(scope='module')
def zoo():
    need_root()
    ns = Netns('conc')
    fx = None
    try:
        fx = SocketFixture(ns)
        yield ns, fx
    finally:
        if fx is not None:
            fx.stop()
        ns.remove()


def _stable(result):
    """The stable sockets of one result, as comparable tuples.

    Left out: sockets in transient states, and sockets with an inode but no holder, which belong to no process of
    the zoo: a run that names a device (glibc's if_indextoname) opens a unix datagram socket for an instant, in the
    namespace, and a run beside it may list it just as it is being closed. (Each module's own sock_diag socket is
    in the netlink table, which -tuxw does not list.)
    """
    return sorted(tuple(json.dumps(s.get(k), sort_keys=True) for k in STABLE_KEYS)
                  for s in result['ansible_facts']['sockets']
                  if s['state'] not in TRANSIENT and (s['processes'] or not s['inode']))


def _twice(sockets):
    """Sockets listed more than once in one result (by the kernel's cookie, or the whole row for /proc ones)."""
    seen = collections.Counter(
        ('cookie', s['netid'], s['cookie']) if s.get('cookie') is not None else
        tuple(json.dumps(s.get(k)) for k in STABLE_KEYS) for s in sockets)
    return [key for key, n in seen.items() if n > 1]


def test_twenty_runs_at_once_agree(zoo):
    """20 socket_facts processes started together return the same stable sockets, holders included."""
    ns, _fx = zoo
    args = {'ss_args': '-tuxwap -e -m', 'netns': ns.name, 'fields': list(STABLE_KEYS) + ['state', 'family', 'extended']}
    for attempt in range(3):
        procs = [Started('socket_facts', args) for _i in range(RUNS)]
        results = [p.result(timeout=300) for p in procs]
        for result in results:
            assert not result.get('failed'), result.get('msg')
            assert _twice(result['ansible_facts']['sockets']) == []
        stable = [_stable(r) for r in results]
        differ = [i for i, s in enumerate(stable) if s != stable[0]]
        if not differ:
            break
        first = set(stable[0])
        other = set(stable[differ[0]])
        warnings.warn('attempt %d: %d of %d runs differ from the first, e.g. %s' % (
            attempt + 1, len(differ), RUNS, sorted(first ^ other)[:4]))
    assert not differ
    assert len(stable[0]) > 50 and any(s[-1] != '[]' for s in stable[0])      # the zoo, with its holders


# RUNS connection pairs to one listener, the client ports reported, held until stdin closes
BULK = r'''
import json, socket, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', %d)); l.listen(1024)
keep = [l]
ports = []
for i in range(int(sys.argv[1])):
    c = socket.create_connection(('127.0.0.1', %d)); a, _ = l.accept()
    keep += [c, a]
    ports.append(c.getsockname()[1])
print(json.dumps({'ports': sorted(ports)}), flush=True)
sys.stdin.read()
''' % (BULK_PORT, BULK_PORT)


def _loop(name, args, until, out, check_each=None):
    """Run module NAME over and over until `until` is set; append (result or exception text) to out."""
    while not until.is_set():
        try:
            result = Started(name, args).result(timeout=300, check=False)
        except AssertionError as exc:          # no JSON: a crash
            result = {'failed': True, 'msg': 'crashed: %s' % exc}
        out.append(result)
        if check_each:
            check_each(result)


def test_kills_while_facts_and_asserts_run(zoo):
    """socket_kill closes batches of connections while socket_facts and socket_assert run concurrently, over and over."""
    ns, _fx = zoo
    pairs = 300
    bulk = NamespaceProcess(ns, [sys.executable, '-c', BULK, str(pairs)])
    try:
        ports = bulk.info['ports']
        before = _stable_rows(ns)
        stop = threading.Event()
        facts, infos, asserts = [], [], []
        rules = [{'name': 'zoo listeners', 'ss_args': '-tl', 'filter': 'sport >= :5001 and sport <= :5006', 'min': 6,
                  'max': 6, 'expect': 'present'},
                 {'name': 'bulk connections', 'ss_args': '-t state established', 'filter': 'dport = :%d' % BULK_PORT,
                  'max': pairs},
                 {'name': 'no telnet', 'filter': 'sport = :23'}]
        workers = [
            threading.Thread(target=_loop, args=('socket_facts', {'ss_args': '-ta', 'netns': ns.name}, stop, facts)),
            threading.Thread(target=_loop, args=('socket_facts', {'ss_args': '-tain', 'netns': ns.name, 'lines': False},
                                                 stop, infos)),
            threading.Thread(target=_loop, args=('socket_assert', {'rules': rules, 'netns': ns.name}, stop, asserts)),
        ]
        for w in workers:
            w.start()
        kills = []
        try:
            batch = 30
            for start in range(0, pairs, batch):
                chosen = ports[start:start + batch]
                expr = 'dport = :%d and sport >= :%d and sport <= :%d' % (BULK_PORT, chosen[0], chosen[-1])
                args = {'ss_args': '-t state established', 'filter': expr, 'netns': ns.name, 'max_kill': batch}
                kills.append((chosen, run_module('socket_kill', args, check=False)))
        finally:
            stop.set()
            for w in workers:
                w.join(timeout=600)
        # every kill closed exactly the client ends it selected, and nothing failed
        for chosen, result in kills:
            assert not result.get('failed'), result.get('msg')
            assert sorted(r['local_port'] for r in result['killed']) == chosen
            assert result['not_closed'] == [] and result['survivors'] == []
        left = run_ss(ns, ['-tnH', 'state', 'established', '( dport = :%d or sport = :%d )' % (BULK_PORT, BULK_PORT)])[1]
        assert left == []
        # the runs beside them: none failed or crashed, none listed a socket twice, the zoo was in every one
        assert len(facts) >= 3 and len(infos) >= 3 and len(asserts) >= 3, (len(facts), len(infos), len(asserts))
        for result in facts + infos:
            assert not result.get('failed'), result.get('msg')
            sockets = result['ansible_facts']['sockets']
            assert _twice(sockets) == []
            listeners = sorted(s['local_port'] for s in sockets if s['state'] == 'LISTEN' and 5001 <= s['local_port'] <= 5006)
            assert listeners == [5001, 5002, 5003, 5004, 5005, 5006]
            bulk_now = [s for s in sockets if s['state'] == 'ESTAB' and BULK_PORT in (s['local_port'], s['peer_port'])]
            assert len(bulk_now) <= 2 * pairs
        for result in asserts:
            assert result['passed'] and not result.get('failed'), result.get('msg')
        # the other sockets of the zoo are untouched
        assert _stable_rows(ns) == before
    finally:
        bulk.stop()


def _stable_rows(ns):
    rc, lines, err = run_ss(ns, ['-tuxanH'])
    assert rc == 0, err
    return sorted(line.split() for line in lines if line.split()[1] not in TRANSIENT and ':%d ' % BULK_PORT not in line + ' ')


def test_two_kills_of_the_same_sockets_at_once(zoo):
    """Two socket_kill runs on one selection: each socket is closed once; the other run finds it gone (ENOENT) and
    neither fails."""
    ns, _fx = zoo
    pairs = 40
    bulk = NamespaceProcess(ns, [sys.executable, '-c', BULK, str(pairs)])
    try:
        args = {'ss_args': '-t state established', 'filter': 'dport = :%d' % BULK_PORT, 'netns': ns.name, 'max_kill': 100}
        procs = [Started('socket_kill', args) for _i in range(2)]
        results = [p.result(timeout=300, check=False) for p in procs]
        for result in results:
            assert not result.get('failed'), result.get('msg')
            assert all(r['error'] == 'ENOENT' for r in result['not_closed'])
        killed = sorted(r['local_port'] for result in results for r in result['killed'])
        assert killed == bulk.info['ports']          # each client end once, by one run or the other
        assert not run_ss(ns, ['-tnH', 'state', 'established', 'dport = :%d' % BULK_PORT])[1]
    finally:
        bulk.stop()
