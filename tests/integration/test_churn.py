# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Dumps of tables that churn: a namespace holds N established loopback sockets that never close, while
benchmarks/churn.py opens and closes thousands of TCP connections (and unix socket pairs) per second beside them.

Every dump, in-process (select(), as each module runs it) and through the modules as whole processes, must
succeed, list no socket twice (by cookie), and list each held socket (all of them but for the few the kernel's resume of
a dump may skip under churn, which ss cannot see either); socket_assert's count of the held connections must be right
within that; max_sockets must return exactly its number; -E must keep up or say what it lost.

The short run (10k held sockets, a few seconds of churn) is part of the integration stage. The long run (100k held
sockets, a minute of churn) runs only with NDSS_CHURN_LONG=1:

    NDSS_CHURN_LONG=1 pytest tests/integration/test_churn.py -k long -s

Its figures are in docs/reliability.md ("Churn"). The churn rate achieved is printed (run with -s) and recorded
in the JUnit report (property churn_rate).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import pytest

from conftest import COLLECTIONS, ROOT, Netns, need_root, run_module

HERE = os.path.dirname(os.path.abspath(__file__))
HOLD = os.path.join(ROOT, 'benchmarks', 'hold_sockets.py')
CHURN = os.path.join(ROOT, 'benchmarks', 'churn.py')
CHECK = os.path.join(HERE, 'churn_check.py')
PER_PROCESS = 18000         # sockets per hold_sockets.py process (the open-file hard limit is 20000 here)
HOLD_PORT = 20000           # hold_sockets.py process i listens on HOLD_PORT + i
CHURN_PORT = 19999
LIVE = 500                  # churning connections (and unix pairs) alive at any time
MIN_RATE = 500              # connections per second below which the churn did not really happen
MAY_MISS = 5                # held sockets one dump may miss under churn (the kernel's resume; see the test below)

SIZES = {
    # held sockets, seconds of in-process dumps, seconds of -E
    'short': dict(held=10000, seconds=4, events=1),
    'long': dict(held=100000, seconds=50, events=5),
}


class ChurnLab(object):
    """A namespace ndss-churn-<pid> with `held` established sockets (hold_sockets.py) and churn.py running."""

    def __init__(self, held):
        self.held = held
        self.procs = []
        self.churn = None
        self.stats = None
        self.ns = Netns('churn')
        try:
            nproc = max(1, int(math.ceil(held / float(PER_PROCESS))))
            pairs = held // 2
            counts = [2 * (pairs // nproc + (1 if i < pairs % nproc else 0)) for i in range(nproc)]
            for i, count in enumerate(counts):
                self.procs.append(subprocess.Popen(self.ns.exec_argv([sys.executable, HOLD, str(count), str(HOLD_PORT + i)]),
                                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
            for proc in self.procs:
                line = proc.stdout.readline()
                if not line.startswith('READY'):
                    raise RuntimeError('hold_sockets.py (pid %d) failed: %r' % (proc.pid, line))
            self.ports = (HOLD_PORT, HOLD_PORT + nproc)
            self.churn = subprocess.Popen(self.ns.exec_argv([sys.executable, CHURN, '--seconds', '600', '--port',
                                                             str(CHURN_PORT), '--live', str(LIVE), '--unix']),
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            ready = json.loads(self.churn.stdout.readline() or 'null')
            if not ready:
                raise RuntimeError('churn.py died before it was ready (rc %s)' % self.churn.wait())
            self.started = time.monotonic()
        except BaseException:
            self.close()
            raise

    def stop_churn(self):
        """Stop churn.py (close its stdin); return its statistics (connections, rate, ...)."""
        if self.churn is not None and self.stats is None:
            self.churn.stdin.close()
            try:
                self.stats = json.loads(self.churn.stdout.readline() or 'null')
                self.churn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.churn.kill()
                self.churn.wait()
        return self.stats

    def close(self):
        self.stop_churn()
        for proc in self.procs:
            proc.stdin.close()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []
        self.ns.remove()


@pytest.fixture(scope='module', params=[
    'short',
    pytest.param('long', marks=pytest.mark.skipif(not os.environ.get('NDSS_CHURN_LONG'),
                                                  reason='the long churn run (100k sockets, about 3 minutes) runs with '
                                                         'NDSS_CHURN_LONG=1')),
])
def lab(request):
    need_root()
    size = SIZES[request.param]
    lab = ChurnLab(size['held'])
    lab.size = size
    yield lab
    lab.close()


def _held(records, ports):
    low, high = ports
    return sum(1 for r in records if r['state'] == 'ESTAB'
               and (low <= r['local_port'] < high or low <= (r['peer_port'] or 0) < high))


def test_dumps_under_churn_never_fail_nor_repeat_a_socket(lab, record_property):
    """select() again and again for -tan, -xa and -tanp (the /proc scan races with closing descriptors)."""
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    proc = subprocess.run(['nsenter', '--net=/var/run/netns/' + lab.ns.name, sys.executable, CHECK,
                           str(lab.size['seconds']), str(lab.ports[0]), str(lab.ports[1]), '-tan', '-xa', '-tanp'],
                          capture_output=True, text=True, env=env, timeout=lab.size['seconds'] * 4 + 120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    sys.stdout.write('\nchurn dumps: %s\n' % json.dumps(report))
    for args, entry in report.items():
        assert entry['errors'] == [], (args, entry['errors'][0])
        assert entry['dumps'] >= 3 and entry['repeated_cookies'] == 0, (args, entry)
        record_property('dumps %s' % args, entry['dumps'])
        record_property('dropped %s' % args, entry['dropped'])
        record_property('interrupted %s' % args, entry['interrupted'])
    for args in ('-tan', '-tanp'):
        # every held socket at most once in every dump (no repeat: checked by cookie above), and all of them in most
        # dumps. The kernel resumes a dump by position in a hash chain, so a socket closed just ahead of that position
        # between two reads can make the next read skip the one after it; ss has the same limit, and the kernel does
        # not flag it (docs/reliability.md, Churn). Seen: one held socket missed by one dump of 27 at 100k held.
        held = report[args]['held']
        assert max(held) == lab.held and min(held) >= lab.held - MAY_MISS, (args, report[args])
        low, high = report[args]['totals']
        assert lab.held - MAY_MISS < low <= high
    # unix: the churn's pairs only (this namespace has no other unix socket): LIVE pairs, and one more pair opened
    # before the oldest is closed, and for an instant a socket or two of a pair being set up or torn down
    assert report['-xa']['totals'][1] <= 2 * (LIVE + 1) + 4


def test_modules_under_churn(lab):
    """socket_facts (whole listing, and max_sockets) and socket_assert, as Ansible runs them, while the table churns."""
    result = run_module('socket_facts', {'ss_args': '-tan', 'netns': lab.ns.name, 'lines': False})
    socks = result['ansible_facts']['sockets']
    assert lab.held - MAY_MISS <= _held(socks, lab.ports) <= lab.held and result['truncated'] is False
    assert len(set(s['cookie'] for s in socks)) == len(socks)
    result = run_module('socket_facts', {'ss_args': '-tan', 'netns': lab.ns.name, 'max_sockets': 1000})
    socks = result['ansible_facts']['sockets']
    assert result['truncated'] is True and len(socks) == 1000 and len(result['lines']) == 1001
    assert len(set(s['cookie'] for s in socks)) == 1000
    assert any('the first 1000' in str(w) for w in result.get('warnings', [])), result.get('warnings')
    # the server side of the held connections, counted exactly while the table churns
    count = lab.held // 2
    rule = {'name': 'held', 'ss_args': '-t state established sport >= :%d sport < :%d' % lab.ports,
            'expect': 'present', 'min': count - MAY_MISS, 'max': count}
    result = run_module('socket_assert', {'rules': [rule], 'netns': lab.ns.name}, check=False)
    assert not result.get('failed'), result.get('msg')
    assert count - MAY_MISS <= result['rules'][0]['count'] <= count


def test_events_under_churn(lab):
    """-E while thousands of sockets are destroyed per second: it succeeds, and says so when it could not keep up."""
    result = run_module('socket_facts', {'ss_args': '-tn', 'netns': lab.ns.name, 'events': lab.size['events'],
                                         'max_events': 1000000, 'lines': False, 'fields': ['cookie', 'state']})
    assert not result.get('failed'), result.get('msg')
    events = result['events']
    assert events and len(set(e['cookie'] for e in events)) == len(events)
    warnings = json.dumps(result.get('warnings', []))
    assert result['events_truncated'] == ('ENOBUFS' in warnings)
    sys.stdout.write('\nchurn events: %d in %d s, truncated: %s\n'
                     % (len(events), lab.size['events'], result['events_truncated']))


# Run in the namespace: a dump with the smallest receive buffer the kernel allows, and -E with that buffer and a reader
# that is late on purpose. Prints what each found, as JSON.
SMALL_BUFFERS = r'''
import json, socket, sys, time
from ansible_collections.netdiag.ss.plugins.module_utils import _events, _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._select import select
low, high = int(sys.argv[1]), int(sys.argv[2])
opened = nl.open_socket

def small(groups=0):
    sock = opened(groups)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)     # the kernel's minimum (about 2 KB)
    return sock
nl.open_socket = small
records = select(build_request({'ss_args': '-tan'})).records
held = sum(1 for r in records if r['state'] == 'ESTAB' and (low <= r['local_port'] < high or low <= r['peer_port'] < high))
late = []

def wait(sock, timeout):
    if not late:
        late.append(1)
        time.sleep(0.3)         # thousands of sockets are destroyed meanwhile: far more than the buffer holds
    return _events.wait_readable(sock, timeout)
events = _events.follow(build_request({'ss_args': '-tn', 'events': 1, 'max_events': 1000000}),
                        open_socket=small, wait=wait)
probe = small()
print(json.dumps({'rcvbuf': probe.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF), 'held': held,
                  'events': len(events.records), 'truncated': events.truncated, 'warnings': events.warnings}))
'''


def test_full_receive_buffers(lab):
    """A dump paces itself: the kernel makes its next reply only when the reader has room, so even the smallest receive
    buffer loses nothing. -E has no such pacing: a late reader overflows the buffer, the kernel drops events and reports
    ENOBUFS, and the listener goes on, returns what it got, and says that events were lost."""
    proc = subprocess.run(['nsenter', '--net=/var/run/netns/' + lab.ns.name, sys.executable, '-c', SMALL_BUFFERS,
                           str(lab.ports[0]), str(lab.ports[1])], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=COLLECTIONS), timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout)
    sys.stdout.write('\nsmall buffers: %s\n' % json.dumps(found))
    assert found['rcvbuf'] < 8192 and found['held'] == lab.held
    assert found['truncated'] and 'ENOBUFS' in found['warnings'][-1] and found['events'] > 0


def test_the_churn_was_real(lab, record_property):
    stats = lab.stop_churn()
    sys.stdout.write('\nchurn: %s\n' % json.dumps(stats))
    record_property('churn_rate', stats['rate'])
    assert stats['rate'] >= MIN_RATE and stats['closed'] > 0 and stats['graceful'] > 0
