# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark socket_facts against ss, Ansible's own floor, pyroute2 and psutil.

    source scripts/env.sh
    python benchmarks/run.py                      # 10k, 50k, 100k sockets, 5 repetitions (~15 min)
    python benchmarks/run.py --quick              # 10k only, 3 repetitions (~1 min)
    python benchmarks/run.py --sizes 20000 --repeat 3 --profile

Needs root (it creates network namespaces named ndss-bench-<pid>-<N>, fills
each with N established loopback TCP sockets held by several
benchmarks/hold_sockets.py processes, and removes everything at the end,
also on error or Ctrl-C). Within each repetition the contenders run one
after another in a fixed order (A B C ... A B C ...), so slow drifts of the
machine hit all of them alike; median and minimum are reported.

Results go to benchmarks/results/<date>.json (or --out); a Markdown table
is printed. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import math
import os
import platform
import pstats
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.path.join(ROOT, '.venv')
VENV_PY = os.path.join(VENV, 'bin', 'python')
PY = VENV_PY if os.access(VENV_PY, os.X_OK) else sys.executable
MODULE = os.path.join(ROOT, 'plugins', 'modules', 'socket_facts.py')
ASSERT_MODULE = os.path.join(ROOT, 'plugins', 'modules', 'socket_assert.py')
HOLD = os.path.join(HERE, 'hold_sockets.py')
INPROC = os.path.join(HERE, 'inproc.py')
FLOOR = os.path.join(HERE, 'floor_module.py')
# the floor module once more, shipping and importing socket_assert's code: Ansible's cost of that code alone
FLOOR_CODE_IMPORT = 'from ansible_collections.netdiag.ss.plugins.module_utils._assert import evaluate  # noqa: F401\n'
CALLBACKS = os.path.join(HERE, 'callback_plugins')
PER_PROCESS = 18000          # sockets per hold_sockets.py process (open-file hard limit is 20000)
BASE_PORT = 20000
FIELDS = ['local_address', 'local_port', 'peer_address', 'peer_port', 'state']
# socket_assert: 20 rules as a fleet policy has them (the role's baseline and rules of one's own)
ASSERT_RULES = [
    {'name': 'no telnet', 'ss_args': '-tl sport = :23'},
    {'name': 'no rsh', 'ss_args': '-tl sport = :514'},
    {'name': 'no rlogin', 'ss_args': '-tl sport = :513'},
    {'name': 'no rexec', 'ss_args': '-tl sport = :512'},
    {'name': 'no finger', 'ss_args': '-tl sport = :79'},
    {'name': 'no plain ftp', 'ss_args': '-tl sport = :21'},
    {'name': 'no tftp', 'ss_args': '-ul sport = :69'},
    {'name': 'no X11 over TCP', 'ss_args': '-tl sport >= :6000 sport <= :6063'},
    {'name': 'no portmapper on public addresses', 'ss_args': '-tul sport = :111 not src 127.0.0.0/8 not src [::1]'},
    {'name': 'no small services', 'ss_args': '-tul ( sport = :7 or sport = :9 or sport = :13 or sport = :19 )'},
    {'name': 'no talk', 'ss_args': '-ul ( sport = :517 or sport = :518 )'},
    {'name': 'no XDMCP', 'ss_args': '-ul sport = :177'},
    {'name': 'no old database', 'ss_args': '-t state established dst 10.0.0.5:5432'},
    {'name': 'nothing on 8080', 'ss_args': '-tl sport = :8080'},
    {'name': 'no connections to 203.0.113.0/24', 'ss_args': '-t dst 203.0.113.0/24'},
    {'name': 'no redis in the open', 'ss_args': '-tl sport = :6379 not src 127.0.0.1'},
    {'name': 'no memcached', 'ss_args': '-tul sport = :11211'},
    {'name': 'no SMB', 'ss_args': '-tl ( sport = :445 or sport = :139 )'},
    {'name': 'the service listens', 'ss_args': '-tl sport >= :20000 sport < :20016', 'expect': 'present'},
    {'name': 'connections within capacity', 'ss_args': '-t state established', 'max': 1000000},
]
REF_REPEAT = 3               # pyroute2 / psutil are slow at 100k: at most this many runs


def log(msg):
    sys.stderr.write('[%s] %s\n' % (time.strftime('%H:%M:%S'), msg))
    sys.stderr.flush()


def bench_env():
    """Environment for every child: the project venv, the collection, a silent stdout callback."""
    env = dict(os.environ)
    env['PATH'] = os.path.join(VENV, 'bin') + os.pathsep + env.get('PATH', '')
    coll = os.path.join(VENV, 'collections')
    env['ANSIBLE_COLLECTIONS_PATH'] = coll
    env['ANSIBLE_COLLECTIONS_SCAN_SYS_PATH'] = 'false'
    if coll not in env.get('PYTHONPATH', '').split(os.pathsep):
        env['PYTHONPATH'] = coll + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    env['ANSIBLE_INVENTORY_UNPARSED_WARNING'] = 'false'
    env['ANSIBLE_PYTHON_INTERPRETER'] = PY
    # ad-hoc `ansible` ignores stdout_callback unless callbacks are loaded
    env['ANSIBLE_LOAD_CALLBACK_PLUGINS'] = '1'
    env['ANSIBLE_STDOUT_CALLBACK'] = 'ndss_null'
    env['ANSIBLE_CALLBACK_PLUGINS'] = CALLBACKS
    env['ANSIBLE_NOCOLOR'] = '1'
    env['ANSIBLE_RETRY_FILES_ENABLED'] = 'false'
    env.pop('ANSIBLE_PIPELINING', None)
    return env


ENV = None


def sh(argv, **kw):
    return subprocess.run(argv, env=ENV, check=True, capture_output=True, text=True, **kw).stdout


# ------------------------------------------------------------------ timing
def timed_process(argv, stdout=subprocess.DEVNULL):
    """Wall time of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=ENV, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        err = proc.stderr.decode('utf-8', 'replace').strip()[-2000:]
        raise RuntimeError('%s failed (rc=%d): %s' % (' '.join(argv), proc.returncode, err))
    return dict(seconds=seconds)


def peak_rss(argv):
    """Peak RSS (KB) of one untimed run, measured by GNU time (None without /usr/bin/time).

    Not from wait4() in this process: Linux carries ru_maxrss over exec(), so
    a child of this Python process would report at least our own peak.
    """
    if not os.access('/usr/bin/time', os.X_OK):
        return None
    proc = subprocess.run(['/usr/bin/time', '-f', 'ndss-rss=%M'] + argv, env=ENV, stdin=subprocess.DEVNULL, check=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in reversed(proc.stderr.splitlines()):
        if line.startswith('ndss-rss='):
            return int(line.split('=')[1])
    return None


def inproc(ns, *args):
    out = sh(['nsenter', '--net=/var/run/netns/%s' % ns, PY, INPROC] + list(args))
    return json.loads(out.strip().splitlines()[-1])


class Contender(object):
    def __init__(self, name, label, run, reference='ss_tan', repeat=None, note='', argv=None):
        self.name = name
        self.label = label
        self.run = run              # callable() -> dict(seconds=..., ...)
        self.argv = argv            # whole-process contenders: the command (for the peak-RSS run)
        self.reference = reference
        self.repeat = repeat
        self.note = note
        self.samples = []


# ------------------------------------------------------------------ namespace with N sockets
class Lab(object):
    """Something built by _start() and removed by close(): with `with`, close() runs also when _start() fails."""

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _start(self):
        raise NotImplementedError

    def close(self):
        raise NotImplementedError


class SocketNamespace(Lab):
    """A fresh network namespace holding n established loopback TCP sockets."""

    def __init__(self, n):
        if n % 2:
            raise ValueError('N must be even (sockets come in connection pairs)')
        self.n = n
        self.name = 'ndss-bench-%d-%d' % (os.getpid(), n)
        self.procs = []
        self.created = False

    def _start(self):
        t0 = time.perf_counter()
        subprocess.run(['ip', 'netns', 'add', self.name], check=True)
        self.created = True
        subprocess.run(['ip', '-n', self.name, 'link', 'set', 'lo', 'up'], check=True)
        nproc = max(1, math.ceil(self.n / PER_PROCESS))
        pairs = self.n // 2
        counts = [2 * (pairs // nproc + (1 if i < pairs % nproc else 0)) for i in range(nproc)]
        for i, count in enumerate(counts):
            self.procs.append(subprocess.Popen(
                ['ip', 'netns', 'exec', self.name, PY, HOLD, str(count), str(BASE_PORT + i)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV))
        held = 0
        for proc in self.procs:
            line = proc.stdout.readline()
            if not line.startswith('READY'):
                raise RuntimeError('hold_sockets.py (pid %d) failed: %r' % (proc.pid, line))
            held += int(line.split()[1])
        self.setup_seconds = time.perf_counter() - t0
        self.hold_processes = len(self.procs)
        estab = sh(['nsenter', '--net=/var/run/netns/%s' % self.name, 'ss', '-Htan', 'state', 'established'])
        self.established = len(estab.splitlines())
        total = sh(['nsenter', '--net=/var/run/netns/%s' % self.name, 'ss', '-Htan'])
        self.ss_tan_rows = len(total.splitlines())
        if held != self.n or self.established != self.n:
            raise RuntimeError('wanted %d sockets, hold processes report %d, ss sees %d established'
                               % (self.n, held, self.established))
        log('namespace %s: %d established sockets in %d processes (%.1fs), ss -tan rows: %d'
            % (self.name, self.established, len(self.procs), self.setup_seconds, self.ss_tan_rows))

    def close(self):
        for proc in self.procs:
            try:
                proc.stdin.close()
            except OSError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []
        if self.created:
            # anything else still living in the namespace we created: kill it by PID
            res = subprocess.run(['ip', 'netns', 'pids', self.name], capture_output=True, text=True, check=False)
            for pid in res.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ValueError, ProcessLookupError):
                    pass
            subprocess.run(['ip', 'netns', 'del', self.name], check=False)
            self.created = False


# ------------------------------------------------------------------ contenders
LISTEN_PORTS = 'ansible_collections/community/general/plugins/modules/listen_ports_facts.py'


def listen_ports_module(library):
    """Put community.general's listen_ports_facts into library; False (and why, logged) when it cannot be had.

    Taken from an installed community.general, else from the `ansible` package on PyPI (pip download into
    benchmarks/results/cache, once). The module needs only ansible.module_utils, so it runs from the library.
    """
    dest = os.path.join(library, 'listen_ports_facts.py')
    for base in [p for p in ENV.get('ANSIBLE_COLLECTIONS_PATH', '').split(':') if p] + sys.path:
        src = os.path.join(base, LISTEN_PORTS)
        if os.path.isfile(src):
            shutil.copy(src, dest)
            return True
    cache = os.path.join(HERE, 'results', 'cache')
    os.makedirs(cache, exist_ok=True)
    wheels = sorted(f for f in os.listdir(cache) if f.startswith('ansible-') and f.endswith('.whl'))
    if not wheels:
        log('listen_ports_facts: downloading the ansible package from PyPI (about 55 MB, once)')
        res = subprocess.run([PY, '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', cache, 'ansible'],
                             capture_output=True, text=True, check=False)
        wheels = sorted(f for f in os.listdir(cache) if f.startswith('ansible-') and f.endswith('.whl'))
        if not wheels:
            log('listen_ports_facts: left out (pip download ansible failed: %s)' % (res.stderr.strip().splitlines() or ['?'])[-1])
            return False
    import zipfile
    with zipfile.ZipFile(os.path.join(cache, wheels[-1])) as whl:
        with whl.open(LISTEN_PORTS) as src, open(dest, 'wb') as out:
            shutil.copyfileobj(src, out)
    return True


def module_args_file(tmp, tag, args):
    path = os.path.join(tmp, 'args-%s.json' % tag)
    with open(path, 'w') as f:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, f)
    return path


def capture_result(tmp, tag, args_path, module=None):
    """Run the module once directly; save its result for the floor module. Returns (path, result)."""
    out = subprocess.run([PY, module or MODULE, args_path], env=ENV, check=False, capture_output=True, text=True).stdout
    result = json.loads(out)
    if result.get('failed'):
        raise RuntimeError('%s failed: %s' % (os.path.basename(module or MODULE), result.get('msg')))
    result.pop('invocation', None)
    path = os.path.join(tmp, 'floor-%s.json' % tag)
    with open(path, 'w') as f:
        json.dump(result, f)
    return path, result


def floor_with_code(library):
    """ndss_floor_code in `library`: floor_module.py with socket_assert's import added (Ansible ships every file
    that import reaches, as for socket_assert, and the module imports them when it runs)."""
    with open(FLOOR) as f:
        source = f.read()
    anchor = 'from ansible.module_utils.basic import AnsibleModule\n'
    if anchor not in source:
        raise RuntimeError('%s: no line %r to add the import after' % (FLOOR, anchor))
    source = source.replace(anchor, anchor + FLOOR_CODE_IMPORT).replace('module: ndss_floor\n', 'module: ndss_floor_code\n')
    with open(os.path.join(library, 'ndss_floor_code.py'), 'w') as f:
        f.write(source)


def ansible_argv(module, args, library=None):
    argv = ['ansible', 'localhost', '-m', module, '-a', json.dumps(args), '-e', 'ansible_python_interpreter=%s' % PY]
    if library:
        argv[2:2] = ['-M', library]
    return argv


def proc(name, label, argv, **kw):
    """A whole-process contender: wall time of running argv."""
    return Contender(name, label, lambda: timed_process(argv), argv=argv, **kw)


def build_contenders(ns, tmp, library, with_filters, repeat):
    """The contenders for one namespace, and the sanity facts learned while preparing them."""
    ss = ['nsenter', '--net=/var/run/netns/%s' % ns.name, 'ss']
    facts = {}
    variants = [
        ('lines', 'lines: true', {'ss_args': '-tan', 'netns': ns.name}),
        ('nolines', 'lines: false', {'ss_args': '-tan', 'netns': ns.name, 'lines': False}),
        ('fields', 'fields: [5 fields], lines: false',
         {'ss_args': '-tan', 'netns': ns.name, 'lines': False, 'fields': FIELDS}),
    ]
    c = [
        proc('ss_tan', 'ss -tan', ss + ['-tan']),
        Contender('gather_tan', 'collector in-process, -tan (dump+decode+records)', lambda: inproc(ns.name, 'gather', '-tan')),
    ]
    floors = {}
    for tag, label, args in variants:
        path = module_args_file(tmp, tag, args)
        floors[tag], result = capture_result(tmp, tag, path)
        facts['module_total_%s' % tag] = result['ansible_facts']['socket_summary']['total']
        c.append(proc('module_%s' % tag, 'module direct, %s' % label, [PY, MODULE, path]))
    if facts['module_total_lines'] != ns.ss_tan_rows:
        raise RuntimeError('socket_facts lists %d sockets, ss -tan %d' % (facts['module_total_lines'], ns.ss_tan_rows))
    for tag, label, args in variants:
        c.append(proc('ansible_%s' % tag, 'ansible -m socket_facts, %s' % label,
                      ansible_argv('netdiag.ss.socket_facts', args), reference='floor_%s' % tag))
        c.append(proc('floor_%s' % tag, 'ansible -m floor (same result), %s' % label,
                      ansible_argv('ndss_floor', {'path': floors[tag]}, library)))
    c += [
        proc('ss_tanp', 'ss -tanp', ss + ['-tanp']),
        proc('module_tanp', 'module direct, ss_args: -tanp',
             [PY, MODULE, module_args_file(tmp, 'tanp', {'ss_args': '-tanp', 'netns': ns.name})], reference='ss_tanp'),
        Contender('gather_tanp', 'collector in-process, -tanp', lambda: inproc(ns.name, 'gather', '-tanp'),
                  reference='ss_tanp'),
        Contender('pyroute2', 'pyroute2 DiagSocket.get_sock_stats(AF_INET), in-process',
                  lambda: inproc(ns.name, 'pyroute2'), repeat=min(repeat, REF_REPEAT)),
        Contender('psutil', "psutil.net_connections('tcp'), in-process",
                  lambda: inproc(ns.name, 'psutil'), repeat=min(repeat, REF_REPEAT)),
    ]
    # -i: tcp_info for every socket (the widest record)
    tani = {'ss_args': '-tani', 'netns': ns.name}
    tani_path = module_args_file(tmp, 'tani', tani)
    floors['tani'], result = capture_result(tmp, 'tani', tani_path)
    facts['module_total_tani'] = result['ansible_facts']['socket_summary']['total']
    c += [
        proc('ss_tani', 'ss -tani', ss + ['-tani']),
        Contender('gather_tani', 'collector in-process, -tani', lambda: inproc(ns.name, 'gather', '-tani'),
                  reference='ss_tani'),
        Contender('tcpinfo_dicts', '-tani dump read + one dict per tcp_info, in-process (no record)',
                  lambda: inproc(ns.name, 'tcpinfo-dicts'), reference='ss_tani'),
        proc('module_tani', 'module direct, ss_args: -tani', [PY, MODULE, tani_path], reference='ss_tani'),
        proc('ansible_tani', 'ansible -m socket_facts, -tani', ansible_argv('netdiag.ss.socket_facts', tani),
             reference='floor_tani'),
        proc('floor_tani', 'ansible -m floor (same result), -tani', ansible_argv('ndss_floor', {'path': floors['tani']}, library)),
    ]
    # socket_assert: 20 rules, one of them selecting every connection
    rules_json = json.dumps(ASSERT_RULES)
    assert_args = {'rules': ASSERT_RULES, 'netns': ns.name}
    assert_path = module_args_file(tmp, 'assert', assert_args)
    floors['assert'], _result = capture_result(tmp, 'assert', assert_path, module=ASSERT_MODULE)
    c += [
        Contender('assert_inproc', 'socket_assert evaluate() in-process, 20 rules',
                  lambda: inproc(ns.name, 'assert', rules_json), reference='ss_tan'),
        proc('module_assert', 'socket_assert module direct, 20 rules', [PY, ASSERT_MODULE, assert_path]),
        proc('ansible_assert', 'ansible -m socket_assert, 20 rules', ansible_argv('netdiag.ss.socket_assert', assert_args),
             reference='floor_assert'),
        proc('floor_assert', 'ansible -m floor (same result), socket_assert', ansible_argv('ndss_floor', {'path': floors['assert']}, library)),
        proc('floor_assert_code', "ansible -m floor shipping socket_assert's code (same result)",
             ansible_argv('ndss_floor_code', {'path': floors['assert']}, library), reference='floor_assert'),
    ]
    # listeners with their processes: socket_facts against community.general.listen_ports_facts (ss -lntup, parsed,
    # then ps twice per listener); listen_ports_facts has no netns option, so ansible itself runs in the namespace
    tulnp = {'ss_args': '-tulnp', 'netns': ns.name}
    c += [
        proc('ss_tulnp', 'ss -tulnp', ss + ['-tulnp']),
        proc('ansible_tulnp', 'ansible -m socket_facts, -tulnp', ansible_argv('netdiag.ss.socket_facts', tulnp),
             reference='ss_tulnp'),
    ]
    if os.path.exists(os.path.join(library, 'listen_ports_facts.py')):
        lpf = ['ip', 'netns', 'exec', ns.name] + ansible_argv('listen_ports_facts', {'command': 'ss'}, library)
        # once directly (untimed), to check that it works here and finds the namespace's listeners
        out = sh(['ip', 'netns', 'exec', ns.name, PY, os.path.join(library, 'listen_ports_facts.py'),
                  module_args_file(tmp, 'listen', {'command': 'ss'})])
        facts['listen_ports_tcp'] = len(json.loads(out)['ansible_facts']['tcp_listen'])
        if facts['listen_ports_tcp'] != ns.hold_processes:
            raise RuntimeError('listen_ports_facts found %d TCP listeners, the namespace has %d'
                               % (facts['listen_ports_tcp'], ns.hold_processes))
        c.append(proc('listen_ports', 'ansible -m community.general.listen_ports_facts', lpf, reference='ss_tulnp'))
    if with_filters:
        dev = {'ss_args': '-tan dev = lo', 'netns': ns.name}
        sport = {'ss_args': '-tan sport = :23', 'netns': ns.name}
        dev_user = dict(dev, kernel_filter=False)
        dev_path = module_args_file(tmp, 'dev', dev)
        dev_user_path = module_args_file(tmp, 'devuser', dev_user)
        sport_path = module_args_file(tmp, 'sport', sport)
        floors['sport'], result = capture_result(tmp, 'sport', sport_path)
        facts['module_total_sport'] = result['ansible_facts']['socket_summary']['total']
        facts['module_total_dev'] = capture_result(tmp, 'dev', dev_path)[1]['ansible_facts']['socket_summary']['total']
        c += [
            proc('ss_dev', 'ss -tan dev = lo', ss + ['-tan', 'dev', '=', 'lo']),
            proc('module_dev', 'module direct, -tan dev = lo', [PY, MODULE, dev_path], reference='ss_dev'),
            Contender('gather_dev', 'collector in-process, -tan dev = lo', lambda: inproc(ns.name, 'gather', '-tan dev = lo'),
                      reference='ss_dev'),
            proc('module_dev_user', 'module direct, -tan dev = lo, kernel_filter: false', [PY, MODULE, dev_user_path],
                 reference='ss_dev'),
            Contender('gather_dev_user', 'collector in-process, -tan dev = lo, kernel_filter: false',
                      lambda: inproc(ns.name, 'gather-userspace', '-tan dev = lo'), reference='ss_dev'),
            proc('ss_sport', 'ss -tan sport = :23', ss + ['-tan', 'sport', '=', ':23']),
            proc('module_sport', 'module direct, -tan sport = :23', [PY, MODULE, sport_path], reference='ss_sport'),
            Contender('gather_sport', 'collector in-process, -tan sport = :23',
                      lambda: inproc(ns.name, 'gather', '-tan sport = :23'), reference='ss_sport'),
            proc('ansible_sport', 'ansible -m socket_facts, -tan sport = :23',
                 ansible_argv('netdiag.ss.socket_facts', sport), reference='floor_sport'),
            proc('floor_sport', 'ansible -m floor (same result), sport = :23',
                 ansible_argv('ndss_floor', {'path': floors['sport']}, library)),
        ]
    # warm caches (pyc, page cache) for the Ansible paths; not timed
    timed_process(ansible_argv('ndss_floor', {'path': floors['nolines']}, library))
    timed_process(ansible_argv('netdiag.ss.socket_facts', {'ss_args': '-tan sport = :23', 'netns': ns.name}))
    return c, facts


def run_size(n, repeat, with_filters, library, profile_dir=None, only=None):
    tmp = tempfile.mkdtemp(prefix='ndss-bench-')
    try:
        with SocketNamespace(n) as ns:
            contenders, facts = build_contenders(ns, tmp, library, with_filters, repeat)
            if only:
                contenders = [c for c in contenders if c.name in only or c.name == 'ss_tan']
            for rep in range(repeat):
                t0 = time.perf_counter()
                for c in contenders:
                    if c.repeat is not None and rep >= c.repeat:
                        continue
                    c.samples.append(c.run())
                log('N=%d repetition %d/%d: %.1fs' % (n, rep + 1, repeat, time.perf_counter() - t0))
            # peak RSS of the whole-process contenders (not Ansible's: its module runs in a grandchild)
            for c in contenders:
                if c.argv and c.argv[0] != 'ansible':
                    rss = peak_rss(c.argv)
                    if rss:
                        c.samples[0]['rss_peak_kb'] = rss
            profiles = profile(ns, tmp, profile_dir) if profile_dir else None
            info = dict(namespace=ns.name, setup_seconds=round(ns.setup_seconds, 2), hold_processes=ns.hold_processes,
                        established=ns.established, ss_tan_rows=ns.ss_tan_rows, **facts)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summarize(contenders, info, profiles)


def summarize(contenders, info, profiles):
    out = dict(info=info, contenders={})
    for c in contenders:
        secs = [s['seconds'] for s in c.samples]
        entry = dict(label=c.label, reference=c.reference, runs=len(secs), seconds=[round(x, 4) for x in secs],
                     median=statistics.median(secs), min=min(secs))
        peaks = [s['rss_peak_kb'] for s in c.samples if 'rss_peak_kb' in s]
        if peaks:
            entry['rss_peak_kb'] = max(peaks)
        bases = [s['rss_base_kb'] for s in c.samples if 'rss_base_kb' in s]
        if bases:
            entry['rss_base_kb'] = max(bases)
        counts = set(s['count'] for s in c.samples if 'count' in s)
        if counts:
            entry['count'] = sorted(counts)
        out['contenders'][c.name] = entry
    ss = out['contenders']['ss_tan']
    for entry in out['contenders'].values():
        entry['x_ss_tan'] = entry['median'] / ss['median']
        ref = out['contenders'].get(entry['reference'])
        entry['x_reference'] = entry['median'] / ref['median'] if ref else None
    if profiles:
        out['profiles'] = profiles
    return out


# ------------------------------------------------------------------ profiles
def top_stats(path, key, limit=15):
    buf = io.StringIO()
    st = pstats.Stats(path, stream=buf)
    st.strip_dirs().sort_stats(key).print_stats(limit)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith('ncalls')), 0)
    return lines[start:]


def profile(ns, tmp, profile_dir):
    os.makedirs(profile_dir, exist_ok=True)
    result = {}
    coll = os.path.join(profile_dir, 'gather-tan-%d.prof' % ns.n)
    inproc(ns.name, 'profile', '-tan', coll)
    result['collector'] = dict(file=coll, tottime=top_stats(coll, 'tottime'), cumtime=top_stats(coll, 'cumulative'))
    for tag, args in (('lines', {'ss_args': '-tan', 'netns': ns.name}),
                      ('nolines', {'ss_args': '-tan', 'netns': ns.name, 'lines': False})):
        mod = os.path.join(profile_dir, 'module-%s-%d.prof' % (tag, ns.n))
        subprocess.run([PY, '-m', 'cProfile', '-o', mod, MODULE, module_args_file(tmp, 'prof-' + tag, args)],
                       env=ENV, check=True, stdout=subprocess.DEVNULL)
        result['module_' + tag] = dict(file=mod, tottime=top_stats(mod, 'tottime'), cumtime=top_stats(mod, 'cumulative', 25))
    return result


# ------------------------------------------------------------------ machine, report
def first_line(argv):
    try:
        return subprocess.run(argv, env=ENV, capture_output=True, text=True, check=False).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return None


def machine_info():
    cpu = None
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    mem = None
    try:
        with open('/proc/meminfo') as f:
            mem = int(f.readline().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    versions = subprocess.run([PY, '-c', 'import sys, importlib.metadata as m\n'
                               'def v(p):\n'
                               '    try: return m.version(p)\n'
                               '    except Exception: return None\n'
                               'print(sys.version.split()[0], v("ansible-core"), v("pyroute2"), v("psutil"))'],
                              env=ENV, capture_output=True, text=True, check=False).stdout.split()
    distro = None
    try:
        with open('/etc/os-release') as f:
            for line in f:
                if line.startswith('PRETTY_NAME='):
                    distro = line.split('=', 1)[1].strip().strip('"')
    except OSError:
        pass
    return dict(cpu=cpu, cores=os.cpu_count(), mem_mb=mem, kernel=platform.release(), os=distro,
                python=versions[0] if versions else None, ansible_core=versions[1] if len(versions) > 1 else None,
                pyroute2=versions[2] if len(versions) > 2 else None, psutil=versions[3] if len(versions) > 3 else None,
                ss=first_line(['ss', '-V']), date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
                stdout_callback='ndss_null (benchmarks/callback_plugins: prints nothing; ANSIBLE_LOAD_CALLBACK_PLUGINS=1)')


ORDER = ['ss_tan', 'gather_tan', 'module_lines', 'module_nolines', 'module_fields',
         'ansible_lines', 'floor_lines', 'ansible_nolines', 'floor_nolines', 'ansible_fields', 'floor_fields',
         'ss_tanp', 'module_tanp', 'gather_tanp', 'ss_tani', 'gather_tani', 'tcpinfo_dicts', 'module_tani', 'ansible_tani', 'floor_tani',
         'assert_inproc', 'module_assert', 'ansible_assert', 'floor_assert', 'floor_assert_code', 'pyroute2', 'psutil',
         'ss_tulnp', 'ansible_tulnp', 'listen_ports',
         'ss_dev', 'module_dev', 'gather_dev', 'module_dev_user', 'gather_dev_user', 'ss_sport', 'module_sport', 'gather_sport', 'ansible_sport', 'floor_sport']

TARGETS = [
    # (id, description, contender, reference, limit, sizes: 'all' or 'largest')
    ('T1-lines', 'ansible socket_facts (lines: true) within 1.3x of the floor', 'ansible_lines', 'floor_lines', 1.3),
    ('T1-nolines', 'ansible socket_facts (lines: false) within 1.3x of the floor', 'ansible_nolines', 'floor_nolines', 1.3),
    ('T1-fields', 'ansible socket_facts (fields, lines: false) within 1.3x of the floor', 'ansible_fields', 'floor_fields', 1.3),
    ('T0-collector', 'collector in-process `-tan` within 1.5x of `ss -tan` (whole process)', 'gather_tan', 'ss_tan', 1.5),
    ('T2-dev', 'module (whole process) `-tan dev = lo` within 2x of `ss -tan dev = lo` (dev runs in the kernel)',
     'module_dev', 'ss_dev', 2.0),
    ('T2-dev-user', 'module (whole process) `dev = lo`, kernel_filter: false (every socket decoded), within 2x of ss',
     'module_dev_user', 'ss_dev', 2.0),
    ('T2-dev-user-inproc', 'collector in-process `dev = lo`, kernel_filter: false, within 2x of ss',
     'gather_dev_user', 'ss_dev', 2.0),
    ('T4-procs', 'collector in-process `-tanp` faster than `ss -tanp`', 'gather_tanp', 'ss_tanp', 1.0),
    ('T6-info-collector', 'collector in-process `-tani` within 1.5x of `ss -tani` (whole process)', 'gather_tani', 'ss_tani',
     1.5),
    ('T6-info-ansible', 'ansible socket_facts `-tani` within 1.3x of the floor', 'ansible_tani', 'floor_tani', 1.3),
    ('T7-assert-collector', 'socket_assert evaluate() in-process, 20 rules, within 1.5x of one `ss -tan` (whole process)',
     'assert_inproc', 'ss_tan', 1.5),
    ('T7-assert-ansible', 'ansible socket_assert, 20 rules, within 1.3x of the floor', 'ansible_assert', 'floor_assert', 1.3),
    ('T3-sport', 'ansible socket_facts `sport = :23` within 1.3x of the floor', 'ansible_sport', 'floor_sport', 1.3),
]


# (id, description, contender): peak RSS at the largest size must stay under MEMORY_LIMIT_MB
MEMORY_TARGETS = [
    ('T5-mem-collector', 'collector in-process `-tan` peak RSS under 250 MB', 'gather_tan'),
    ('T5-mem-module', 'module process `-tan` (lines: true) peak RSS under 250 MB', 'module_lines'),
    ('T5-mem-module-p', 'module process `-tanp` peak RSS under 250 MB', 'module_tanp'),
]
MEMORY_LIMIT_MB = 250

# (id, description, target id, contender, reference): a part of a target's contender that any implementation pays,
# measured in the same run. Where its ratio alone is near or over the target's limit, the limit leaves the rest of
# the work (next to) nothing: docs/performance.md says so with these figures.
BOUNDS = [
    ('B6-info', "reading the `-tani` dump and one dict per tcp_info (no address, record or derived value) / `ss -tani`",
     'T6-info-collector', 'tcpinfo_dicts', 'ss_tani'),
    ('B7-assert', "Ansible's floor module shipping and importing socket_assert's code / the floor",
     'T7-assert-ansible', 'floor_assert_code', 'floor_assert'),
]


def evaluate(results):
    out = []
    largest = max(results['sizes'], key=int)
    for tid, desc, who in MEMORY_TARGETS:
        entry = results['sizes'][largest]['contenders'].get(who)
        if entry and 'rss_peak_kb' in entry:
            mb = entry['rss_peak_kb'] / 1024.0
            out.append(dict(id=tid, size=int(largest), description=desc, value_mb=round(mb, 1), limit=MEMORY_LIMIT_MB,
                            status='MET' if mb < MEMORY_LIMIT_MB else 'MISSED'))
    for tid, desc, who, ref, limit in TARGETS:
        for n, res in results['sizes'].items():
            cs = res['contenders']
            if who in cs and ref in cs:
                ratio = cs[who]['median'] / cs[ref]['median']
                out.append(dict(id=tid, size=int(n), description=desc, ratio=round(ratio, 3), limit=limit,
                                status='MET' if ratio <= limit else 'MISSED'))
    limits = dict((tid, limit) for tid, _desc, _who, _ref, limit in TARGETS)
    for bid, desc, tid, who, ref in BOUNDS:
        for n, res in results['sizes'].items():
            cs = res['contenders']
            if who in cs and ref in cs:
                ratio = cs[who]['median'] / cs[ref]['median']
                out.append(dict(id=bid, size=int(n), description=desc, ratio=round(ratio, 3), limit=limits[tid],
                                status='BOUND of %s: %.0f%% of its limit' % (tid, 100.0 * ratio / limits[tid])))
    return out


def fmt_s(x):
    return '%.3f' % x if x < 10 else '%.2f' % x


def markdown(results):
    sizes = list(results['sizes'])
    names = [n for n in ORDER if any(n in results['sizes'][s]['contenders'] for s in sizes)]
    label = {}
    for s in sizes:
        for k, v in results['sizes'][s]['contenders'].items():
            label[k] = v['label']
    out = ['Median wall time in seconds (× `ss -tan` of the same run); min in the second table.', '',
           '| Contender | ' + ' | '.join('N=%s' % s for s in sizes) + ' |',
           '|---|' + '---:|' * len(sizes)]
    for name in names:
        cells = []
        for s in sizes:
            e = results['sizes'][s]['contenders'].get(name)
            cells.append('%s s (%.2f×)' % (fmt_s(e['median']), e['x_ss_tan']) if e else '')
        out.append('| %s | %s |' % (label[name], ' | '.join(cells)))
    out += ['', '| Contender | ' + ' | '.join('min N=%s' % s for s in sizes) + ' | peak RSS MB (largest N) |',
            '|---|' + '---:|' * (len(sizes) + 1)]
    for name in names:
        cells = []
        for s in sizes:
            e = results['sizes'][s]['contenders'].get(name)
            cells.append('%s s' % fmt_s(e['min']) if e else '')
        e = results['sizes'][sizes[-1]]['contenders'].get(name) or {}
        rss = '%.0f' % (e['rss_peak_kb'] / 1024.0) if 'rss_peak_kb' in e and not name.startswith(('ansible', 'floor')) else ''
        out.append('| %s | %s | %s |' % (label[name], ' | '.join(cells), rss))
    out += ['', '| Target | N | measured | limit | status |', '|---|---:|---:|---:|---|']
    for t in results['targets']:
        if 'ratio' in t:
            out.append('| %s | %d | %.2fx | %.1fx | %s |' % (t['description'], t['size'], t['ratio'], t['limit'], t['status']))
        else:
            out.append('| %s | %d | %.0f MB | %d MB | %s |' % (t['description'], t['size'], t['value_mb'], t['limit'], t['status']))
    return '\n'.join(out)


def main(argv=None):
    global ENV
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    ap.add_argument('--sizes', default='10000,50000,100000', help='comma-separated socket counts (even)')
    ap.add_argument('--repeat', type=int, default=5)
    ap.add_argument('--out', help='result JSON (default benchmarks/results/<UTC date-time>.json)')
    ap.add_argument('--quick', action='store_true', help='10k sockets only, 3 repetitions')
    ap.add_argument('--no-filters', action='store_true', help='skip the filtered queries (run at the largest N)')
    ap.add_argument('--profile', action='store_true', help='cProfile collector and module at the largest N')
    ap.add_argument('--only', help='comma-separated contender names to run (ss_tan always runs), e.g. '
                    'assert_inproc,module_assert,ansible_assert,floor_assert')
    ap.add_argument('--no-listen-ports', action='store_true',
                    help='leave out community.general.listen_ports_facts (else fetched from PyPI if not installed)')
    ap.add_argument('--plot', help='SVG chart of the result (default: docs/images/performance.svg for the default '
                    'sizes and repetitions, else beside the JSON)')
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = '10000', 3
    sizes = [int(s) for s in args.sizes.split(',') if s.strip()]
    if os.geteuid() != 0:
        ap.error('needs root (network namespaces)')
    ENV = bench_env()
    if not args.out:
        args.out = os.path.join(HERE, 'results', time.strftime('%Y%m%dT%H%M%SZ', time.gmtime()) + '.json')
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)

    def on_term(signum, _frame):
        raise SystemExit('terminated by signal %d' % signum)
    signal.signal(signal.SIGTERM, on_term)

    config = dict(sizes=sizes, repeat=args.repeat, ref_repeat=min(args.repeat, REF_REPEAT),
                  fields=FIELDS, python=PY, per_process=PER_PROCESS)
    results = dict(machine=machine_info(), config=config, sizes={})
    library = tempfile.mkdtemp(prefix='ndss-bench-lib-')
    t0 = time.perf_counter()
    try:
        shutil.copy(FLOOR, os.path.join(library, 'ndss_floor.py'))
        floor_with_code(library)
        if not args.no_listen_ports:
            listen_ports_module(library)
        for n in sizes:
            largest = n == max(sizes)
            results['sizes'][str(n)] = run_size(
                n, args.repeat, largest and not args.no_filters, library,
                profile_dir=os.path.join(os.path.dirname(os.path.abspath(args.out)), 'profiles') if args.profile and largest else None,
                only=set(args.only.split(',')) if args.only else None)
    finally:
        shutil.rmtree(library, ignore_errors=True)
    results['total_seconds'] = round(time.perf_counter() - t0, 1)
    results['targets'] = evaluate(results)
    with open(args.out, 'w') as f:
        json.dump(results, f, indent=1)
    m = results['machine']
    print('%s, %s cores, %s MB, kernel %s, Python %s, ansible-core %s, %s; %s'
          % (m['cpu'], m['cores'], m['mem_mb'], m['kernel'], m['python'], m['ansible_core'], m['ss'], m['date']))
    print()
    print(markdown(results))
    for name, prof in (results['sizes'][str(max(sizes))].get('profiles') or {}).items():
        print('\n%s profile (N=%d), by own time:\n%s' % (name, max(sizes), '\n'.join(prof['tottime'])))
    if not args.plot:
        default = args.sizes == ap.get_default('sizes') and args.repeat == ap.get_default('repeat') and not args.only
        args.plot = os.path.join(ROOT, 'docs', 'images', 'performance.svg') if default else args.out[:-5] + '.svg'
    import plot
    with open(args.plot, 'w') as f:
        f.write(plot.render(results))
    print('\nresults: %s (%.0fs); chart: %s' % (args.out, results['total_seconds'], args.plot))


if __name__ == '__main__':
    main()
