# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for tests on the real kernel: network namespaces built with pyroute2,
a process holding many kinds of sockets inside one, and runners for `ss` and
for our modules (run as whole processes, the way Ansible runs them)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import warnings

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SS = shutil.which('ss')


def _collections_path():
    """A folder holding ansible_collections/netdiag/ss -> this checkout (made if missing)."""
    for entry in os.environ.get('PYTHONPATH', '').split(os.pathsep):
        if entry and os.path.realpath(os.path.join(entry, 'ansible_collections', 'netdiag', 'ss')) == os.path.realpath(ROOT):
            return entry
    base = tempfile.mkdtemp(prefix='ndss-coll-')
    os.makedirs(os.path.join(base, 'ansible_collections', 'netdiag'))
    os.symlink(ROOT, os.path.join(base, 'ansible_collections', 'netdiag', 'ss'))
    return base


COLLECTIONS = _collections_path()


def need_root():
    if os.geteuid() != 0:
        pytest.skip('needs root: builds network namespaces')
    if SS is None:
        pytest.skip('needs the ss binary (iproute2) as the test oracle')
    try:
        import pyroute2  # noqa: F401
    except ImportError:
        pytest.skip('needs pyroute2 to build namespaces')


class Netns(object):
    """A named network namespace and its peer, joined by a veth pair.

    ns:   ndveth0 203.0.113.1/24, lo up.
    peer: ndveth1 up with no address, so SYNs to 203.0.113.2 stay unanswered.
    """

    def __init__(self, tag):
        from pyroute2 import IPRoute, netns
        self.name = 'ndss-%s-%d' % (tag, os.getpid())
        self.peer = self.name + '-p'
        self.peer_addr = '203.0.113.2'
        for name in (self.name, self.peer):
            if name in netns.listnetns():
                netns.remove(name)
            netns.create(name)
        with IPRoute(netns=self.name) as ipr:
            ipr.link('add', ifname='ndveth0', kind='veth', peer={'ifname': 'ndveth1', 'net_ns_fd': self.peer})
            idx = ipr.link_lookup(ifname='ndveth0')[0]
            ipr.addr('add', index=idx, address='203.0.113.1', prefixlen=24)
            ipr.link('set', index=idx, state='up')
            ipr.link('set', index=ipr.link_lookup(ifname='lo')[0], state='up')
        with IPRoute(netns=self.peer) as ipr:
            ipr.link('set', index=ipr.link_lookup(ifname='ndveth1')[0], state='up')

    def exec_argv(self, argv):
        return ['ip', 'netns', 'exec', self.name] + list(argv)

    def remove(self):
        from pyroute2 import netns
        for name in (self.name, self.peer):
            if name in netns.listnetns():
                netns.remove(name)


class NamespaceProcess(object):
    """A helper process run inside a namespace: it prints one JSON line when ready and runs until its stdin closes.

    `info` holds that line; stop() ends the process (by its PID) and removes `tmp`.
    """

    def __init__(self, ns, argv, tmp=None):
        self.tmp = tmp
        self.proc = subprocess.Popen(ns.exec_argv(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError('%s died before it was ready (rc %s)' % (' '.join(argv[:3]), self.proc.wait()))
        self.info = json.loads(line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


class SocketFixture(NamespaceProcess):
    """tests/integration/sockets_fixture.py running inside a namespace."""

    def __init__(self, ns):
        tmp = tempfile.mkdtemp(prefix='ndss-sock-')
        super(SocketFixture, self).__init__(ns, [sys.executable, os.path.join(HERE, 'sockets_fixture.py'), tmp, ns.peer_addr],
                                            tmp)


@pytest.fixture(scope='session')
def netns():
    need_root()
    ns = Netns('t')
    yield ns
    ns.remove()


@pytest.fixture(scope='session')
def sockets(netns):
    fx = SocketFixture(netns)
    yield fx
    fx.stop()


def _module_argv(name, args, env=None, prefix=()):
    """(argv, args file, env) to run plugins/modules/NAME.py as Ansible would; the caller removes the file."""
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, f)
    os.chmod(f.name, 0o644)
    return (list(prefix) + [sys.executable, os.path.join(ROOT, 'plugins', 'modules', name + '.py'), f.name], f.name,
            dict(os.environ, PYTHONPATH=COLLECTIONS, **(env or {})))


def _module_result(name, rc, stdout, stderr, check):
    try:
        result = json.loads(stdout)
    except ValueError:
        raise AssertionError('module %s printed no JSON (rc %d): %s %s' % (name, rc, stdout[-2000:], stderr[-2000:]))
    if check and result.get('failed'):
        raise AssertionError('module %s failed: %s' % (name, result.get('msg')))
    return result


def run_module(name, args, check=True, env=None, prefix=()):
    """Run plugins/modules/NAME.py as Ansible would (a separate Python process, args as JSON).

    env: extra environment variables; prefix: argv to run it under (e.g. ip netns exec NS setpriv ...).
    """
    argv, path, env = _module_argv(name, args, env, prefix)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    finally:
        os.unlink(path)
    return _module_result(name, proc.returncode, proc.stdout, proc.stderr, check)


class ModuleProcess(object):
    """A module started in the background (as run_module runs it); result() waits for it and returns its JSON."""

    def __init__(self, name, args):
        self.name = name
        argv, self.path, env = _module_argv(name, args)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.pid = self.proc.pid

    def result(self, timeout=120, check=True):
        try:
            stdout, stderr = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            stdout, stderr = self.proc.communicate()
            raise AssertionError('module %s did not finish within %d s' % (self.name, timeout))
        finally:
            if os.path.exists(self.path):
                os.unlink(self.path)
        return _module_result(self.name, self.proc.returncode, stdout, stderr, check)


def run_ss(ns, argv, env=None):
    """Run the real ss inside the namespace; return (rc, stdout lines, stderr).

    nsenter --net changes only the network namespace: `ip netns exec` (and
    `ss -N`) also remount /sys, which hides the cgroup2 mount from ss. ss
    prints names as raw bytes; its output is turned into the collection's
    documented text form of bytes (invalid UTF-8 as \\xHH, a backslash as
    \\\\) so that lines compare. argv may hold bytes. env: extra environment
    variables for ss (PROC_ROOT=/proc makes it read /proc/net instead of sock_diag).
    """
    from ansible_collections.netdiag.ss.plugins.module_utils._schema import bytes_text
    proc = subprocess.run(['nsenter', '--net=/var/run/netns/' + ns.name, SS] + list(argv),
                          capture_output=True, timeout=60, check=False, env=dict(os.environ, **(env or {})))
    return proc.returncode, bytes_text(proc.stdout).splitlines(), proc.stderr.decode('utf-8', 'replace')


# ---------------------------------------------------------------- comparing with ss
_OWN_DIAG = re.compile(r'^(4|tcpdiag):(?!0$|kernel$)')
_TIMER = re.compile(r'^timer:\(([a-z]+),([^,]*),(\d+)\)$')
_TIME_PART = re.compile(r'(\d+)min|(\d+)\.(\d{3})(?:ms|sec)|(\d+)sec|(\d+)ms')


def timer_ms(text):
    """Milliseconds from ss's timer text ('1min14sec', '4.796sec', 6.1.0's '4.796ms' = 4.796 s (B-15), '536ms')."""
    total = 0
    for m in _TIME_PART.finditer(text):
        if m.group(1):
            total += int(m.group(1)) * 60000
        elif m.group(2):
            total += int(m.group(2)) * 1000 + int(m.group(3))
        elif m.group(4):
            total += int(m.group(4)) * 1000
        else:
            total += int(m.group(5))
    return total


def comparable(lines, keep=None, normalize=None):
    """Rows as token lists, without the sock_diag socket of the listing tool itself.

    Each tool sees its own NETLINK_SOCK_DIAG socket (protocol 4, port id =
    its pid), never the other's; the kernel's own (4:0) stays. Timer tokens
    become timer:(name,*,retrans) and their times are returned aside.
    """
    rows, times = [], []
    for line in lines:
        tokens = line.split()
        if not tokens or any(_OWN_DIAG.match(t) for t in tokens[:5]) or (keep and not keep(tokens)):
            continue
        if normalize:
            tokens = normalize(tokens)
        row_times = []
        for i, t in enumerate(tokens):
            m = _TIMER.match(t)
            if m:
                tokens[i] = 'timer:(%s,*,%s)' % (m.group(1), m.group(3))
                row_times.append(timer_ms(m.group(2)))
        rows.append(tokens)
        times.append(row_times)
    return rows, times


def _times_close(a, b):
    """Timer values read a moment apart: equal within a second, or within a minute above ten minutes (ss drops seconds there)."""
    return all(abs(x - y) <= (61000 if max(x, y) >= 600000 else 1500) for x, y in zip(a, b))


def compare_once(ns, argv, module_args=None, keep=None, normalize=None, ss_env=None):
    """Run ss and socket_facts once with the same arguments; return (problem or None, ss rows, our rows, result).

    keep: optional predicate on a row's tokens; rows it rejects are left out on both sides
    (for documented differences from ss); normalize: optional function on a row's tokens,
    applied to both sides (for documented differences inside a row); ss_env: extra
    environment variables for ss (see run_ss).
    """
    rc, ss_lines, ss_err = run_ss(ns, argv, ss_env)
    args = {'ss_args': ' '.join(shlex.quote(a) for a in argv), 'netns': ns.name}
    args.update(module_args or {})
    result = run_module('socket_facts', args, check=False)
    if rc != 0:
        # ss rejects these arguments: the module must reject them too, with a message
        if result.get('failed') and 'Traceback' not in result.get('msg', ''):
            return None, [], [], result
        return 'ss failed (rc %d) but the module did not: %s' % (rc, ss_err.strip()[:300]), ss_lines, None, result
    if result.get('failed'):
        return 'module failed: %s' % result.get('msg'), ss_lines, None, result
    ours = result['lines']
    if not ss_lines or ours[0].split()[:2] != ss_lines[0].split()[:2]:
        return 'column choice differs: %r vs %r' % (ours[0], ss_lines[:1]), ss_lines, ours, result
    expected, expected_t = comparable(ss_lines[1:], keep, normalize)
    got, got_t = comparable(ours[1:], keep, normalize)
    for i, (a, b) in enumerate(zip(got, expected)):
        if a != b:
            return 'row %d: ours %s, ss %s' % (i, a, b), expected, got, result
    if len(got) != len(expected):
        return 'ours has %d rows, ss %d: ours %s ss %s' % (len(got), len(expected), got[len(expected):], expected[len(got):]), expected, got, result
    for i, (a, b) in enumerate(zip(got_t, expected_t)):
        if not _times_close(a, b):
            return 'row %d: timer times %s vs ss %s' % (i, a, b), expected, got, result
    return None, expected, got, result


def compare_with_ss(ns, argv, module_args=None, attempts=3, keep=None, normalize=None, ss_env=None):
    """compare_once, retried: two tools cannot dump the kernel at the same instant, so a
    socket that changed between the dumps makes a transient difference (reported as a
    warning). Returns (problem or None, ss rows, our rows, module result)."""
    for attempt in range(attempts):
        outcome = compare_once(ns, argv, module_args, keep, normalize, ss_env)
        if outcome[0] is None:
            return outcome
        warnings.warn('attempt %d of ss %s differed: %s' % (attempt + 1, ' '.join(argv), outcome[0]))
    return outcome
