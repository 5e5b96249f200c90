# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fleet benchmark: the socket_compliance role against one command per host, over namespace hosts.

    source scripts/env.sh
    python benchmarks/fleet.py                    # 50 hosts, forks 5 and 25, 5 repetitions (~5 min)
    python benchmarks/fleet.py --quick            # 10 hosts, forks 5, 2 repetitions (~1 min)
    python benchmarks/fleet.py --profile          # also: time per task (3 more runs of each contender)

Needs root. Builds a fleet of network namespaces ndss-fleet-<pid>-hNN on one
bridge (namespace ndss-fleet-<pid>-lan), each with a handful of listeners
and connections held by a benchmarks/fleet_hold.py process of its own, and
reaches them through the netdiag.ss.netns connection. Contenders, per forks
value:

  command  a playbook with one task per host: ansible.builtin.command: ss -Htan
  role     the whole compliance run: the netdiag.ss.socket_compliance role with
           20 rules (its baseline of 12, 6 of socket_compliance_policy and 2 of
           a socket_compliance_add_* variable), report files included, hosts that
           violate the policy failed (the fleet has 3 such hosts)

Same ansible-core, inventory, interpreter and settings for all (pipelining on,
gather_facts off, stdout callback that prints nothing). Within a repetition
the contenders run one after another, the order reversed every other
repetition (A B C D, D C B A, ...), so load from other work hits all alike.
Every run is checked (untimed): rc, and for the role the report's totals and
each host's failed rules. Reported: median and minimum wall time, the ratio
role / command of the medians at each forks value, and the median of the
ratios of the runs paired within a repetition.

Results go to benchmarks/results/fleet-<UTC date-time>.json (or --out); a
Markdown table is printed. Everything is removed at the end (helpers ended
by PID, namespaces by name), also on error, SIGTERM or Ctrl-C. See
docs/performance.md, "Fleet compliance".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# pylint: disable=wrong-import-position
from run import CALLBACKS, PY, Lab, bench_env, log, machine_info  # noqa: E402

HOLD = os.path.join(HERE, 'fleet_hold.py')
PREFIX = 'ndss-fleet-'
NET = '198.18.0.%d'           # RFC 2544's benchmarking range; host i has .i
PLEN = 24
GROUP = 5                     # hosts come in groups: 2 web, 2 app, 1 database

# The 8 rules of our own, next to the role's baseline of 12 (like benchmarks/run.py's ASSERT_RULES).
POLICY = [
    {'name': 'ssh listens', 'ss_args': '-tl sport = :22', 'expect': 'present'},
    {'name': 'no old database', 'ss_args': '-t state established dst 10.0.0.5:5432'},
    {'name': 'nothing on 8080', 'ss_args': '-tl sport = :8080'},
    {'name': 'no connections to 203.0.113.0/24', 'ss_args': '-t dst 203.0.113.0/24'},
    {'name': 'no redis in the open', 'ss_args': '-tl sport = :6379 not src 127.0.0.1'},
    {'name': 'no memcached', 'ss_args': '-tul sport = :11211'},
]
ADDED = [     # as group_vars would add them (socket_compliance_add_fleet)
    {'name': 'no SMB', 'ss_args': '-tl ( sport = :445 or sport = :139 )'},
    {'name': 'connections within capacity', 'ss_args': '-t state established', 'max': 1000},
]
BASELINE_RULES = 12
# Hosts that break a rule: (host number, kind, endpoint, the rule it fails)
VIOLATIONS = [
    (7, 'tcp', '0.0.0.0:23', 'no telnet'),
    (19, 'tcp', '0.0.0.0:8080', 'nothing on 8080'),
    (33, 'udp', '0.0.0.0:69', 'no tftp'),
]

COMMAND_PLAY = """\
- name: One command per host
  hosts: fleet
  gather_facts: false
  tasks:
    - name: List TCP sockets like ss -Htan
      ansible.builtin.command: ss -Htan
      changed_when: false
"""

ROLE_PLAY = """\
- name: Socket compliance
  hosts: fleet
  gather_facts: false
  roles:
    - role: netdiag.ss.socket_compliance
"""


# ------------------------------------------------------------------ the fleet
def host_name(i):
    return 'h%02d' % i


def fleet_spec(n):
    """{host: {'address', 'tcp', 'udp', 'connect', 'fails'}} for hosts h01..hN.

    Groups of 5: hosts 1-2 web (80, 443; 2 connections to the group's first
    app server), 3-4 app (9000, redis on 127.0.0.1:6379 with 2 local
    connections; 4 connections to the group's database), 5 database (5432,
    an exporter on 127.0.0.1:9187). Every host: sshd on 0.0.0.0:22 and
    [::]:22, ntp (UDP 123), a resolver on 127.0.0.1:53 (UDP), and one ssh
    connection to the next host (a ring). VIOLATIONS add one socket each.
    """
    spec = {}
    for i in range(1, n + 1):
        base = GROUP * ((i - 1) // GROUP)
        kind = (i - 1) % GROUP
        tcp = ['0.0.0.0:22', '[::]:22']
        udp = ['0.0.0.0:123', '127.0.0.1:53']
        connect = {}
        if kind in (0, 1):
            tcp += ['0.0.0.0:80', '0.0.0.0:443']
            connect[(NET % (base + 3)) + ':9000'] = 2
        elif kind in (2, 3):
            tcp += ['0.0.0.0:9000', '127.0.0.1:6379']
            connect[(NET % (base + 5)) + ':5432'] = 4
            connect['127.0.0.1:6379'] = 2
        else:
            tcp += ['0.0.0.0:5432', '127.0.0.1:9187']
        connect[(NET % (i % n + 1)) + ':22'] = 1
        spec[host_name(i)] = {'address': NET % i, 'tcp': tcp, 'udp': udp, 'connect': connect, 'fails': []}
    for i, kind, endpoint, rule in VIOLATIONS:
        if i <= n:
            spec[host_name(i)][kind].append(endpoint)
            spec[host_name(i)]['fails'].append(rule)
    return spec


def expected_tcp_rows(spec):
    """Per host: the rows of `ss -Htan` (listeners, and both ends of every connection) and the established ones."""
    addr_host = dict((s['address'], h) for h, s in spec.items())
    rows = dict((h, len(s['tcp'])) for h, s in spec.items())
    estab = dict((h, 0) for h in spec)
    for h, s in spec.items():
        for endpoint, count in s['connect'].items():
            peer = addr_host.get(endpoint.rpartition(':')[0], h)     # 127.0.0.1: the host itself
            for who in (h, peer):
                rows[who] += count
                estab[who] += count
    return rows, estab


class Fleet(Lab):
    """The namespaces, the bridge and the helper processes; removed again on close()."""

    def __init__(self, n, env):
        self.n = n
        self.env = env
        self.tag = '%s%d' % (PREFIX, os.getpid())
        self.lan = self.tag + '-lan'
        self.spec = fleet_spec(n)
        self.netns = dict((h, '%s-%s' % (self.tag, h)) for h in self.spec)
        self.created = []
        self.helpers = {}

    def _ip(self, batch, netns=None):
        argv = ['ip'] + (['-n', netns] if netns else []) + ['-batch', '-']
        proc = subprocess.run(argv, input=batch, text=True, capture_output=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError('ip %s-batch failed: %s' % ('-n %s ' % netns if netns else '', proc.stderr.strip()))

    def _start(self):
        t0 = time.perf_counter()
        names = [self.lan] + [self.netns[h] for h in self.spec]
        taken = [name for name in names if os.path.exists('/var/run/netns/' + name)]
        if taken:
            raise RuntimeError('namespaces exist already: %s' % ', '.join(taken))
        for name in names:      # one by one, so that close() removes exactly the ones made here
            subprocess.run(['ip', 'netns', 'add', name], check=True)
            self.created.append(name)
        ports = []
        links = []
        for number, host in enumerate(self.spec, 1):
            port = 'p%d' % number
            ports.append(port)
            links.append('link add %s netns %s type veth peer name eth0 netns %s' % (port, self.lan, self.netns[host]))
        self._ip('\n'.join(links) + '\n')
        self._ip('link add br0 type bridge\nlink set br0 up\n'
                 + ''.join('link set %s master br0 up\n' % port for port in ports), netns=self.lan)
        for host, s in self.spec.items():
            self._ip('link set lo up\naddr add %s/%d dev eth0\nlink set eth0 up\n' % (s['address'], PLEN), netns=self.netns[host])
        for host, s in self.spec.items():
            self.helpers[host] = subprocess.Popen(
                ['nsenter', '--net=/var/run/netns/%s' % self.netns[host], PY, HOLD,
                 json.dumps({'tcp': s['tcp'], 'udp': s['udp']})],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=self.env)
        for host, proc in self.helpers.items():
            line = proc.stdout.readline()
            if not line.startswith('READY'):
                raise RuntimeError('fleet_hold.py for %s (pid %d) failed: %r' % (host, proc.pid, line))
        for host, proc in self.helpers.items():
            proc.stdin.write(json.dumps({'connect': self.spec[host]['connect']}) + '\n')
            proc.stdin.flush()
            line = proc.stdout.readline()
            if not line.startswith('CONNECTED'):
                raise RuntimeError('fleet_hold.py for %s (pid %d) could not connect: %r' % (host, proc.pid, line))
        time.sleep(0.5)         # the helpers accept what arrived
        rows, estab = expected_tcp_rows(self.spec)
        self.tcp_rows = {}
        for host in self.spec:
            out = subprocess.run(['nsenter', '--net=/var/run/netns/%s' % self.netns[host], 'ss', '-Htan'],
                                 capture_output=True, text=True, check=True).stdout.splitlines()
            got_estab = sum(1 for line in out if line.startswith('ESTAB'))
            if len(out) != rows[host] or got_estab != estab[host]:
                raise RuntimeError('%s: ss -Htan shows %d rows (%d ESTAB), expected %d (%d)'
                                   % (host, len(out), got_estab, rows[host], estab[host]))
            self.tcp_rows[host] = len(out)
        self.established = estab
        self.setup_seconds = time.perf_counter() - t0
        log('fleet %s: %d hosts, %d-%d TCP sockets each (ss -Htan), %d helper processes (%.1fs)'
            % (self.tag, self.n, min(rows.values()), max(rows.values()), len(self.helpers), self.setup_seconds))

    def close(self):
        for proc in self.helpers.values():
            try:
                proc.stdin.close()
            except OSError:
                pass
        for proc in self.helpers.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()         # by its PID
                proc.wait()
        self.helpers = {}
        for name in reversed(self.created):
            # anything still living in a namespace made here (nsenter children, a stray module): by PID
            res = subprocess.run(['ip', 'netns', 'pids', name], capture_output=True, text=True, check=False)
            for pid in res.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ValueError, ProcessLookupError):
                    pass
            subprocess.run(['ip', 'netns', 'del', name], check=False)
        self.created = []


# ------------------------------------------------------------------ the machine's other sockets
def environment_probe(netns):
    """What other work on the machine adds to every socket dump of every host.

    A TCP sock_diag dump walks the kernel's hash tables, which every network
    namespace of the machine shares: a namespace with a million sockets
    elsewhere makes `ss -tan` in an empty namespace cost a fraction of a
    second, for both contenders alike, and the ratio says less. Returns the
    machine's allocated TCP sockets (/proc/net/sockstat, all namespaces), the
    median time of `ss -Htan` in our bridge namespace (no sockets), and the
    load average.
    """
    alloc = None
    with open('/proc/net/sockstat') as f:
        for line in f:
            if line.startswith('TCP:'):
                words = line.split()
                alloc = int(words[words.index('alloc') + 1])
    times = []
    for _dummy in range(5):
        t0 = time.perf_counter()
        subprocess.run(['nsenter', '--net=/var/run/netns/%s' % netns, 'ss', '-Htan'], stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return dict(tcp_sockets_allocated=alloc, empty_ss_tan_ms=round(1000 * statistics.median(times), 1),
                loadavg=[round(x, 2) for x in os.getloadavg()])


QUIET_SOCKETS = 100000       # above this many TCP sockets on the machine, say that the figures are skewed


# ------------------------------------------------------------------ the runs
def write_inventory(fleet, path, report_dir):
    hosts = dict((h, {'ansible_netns_name': fleet.netns[h]}) for h in fleet.spec)
    inventory = {'fleet': {'hosts': hosts, 'vars': {
        'ansible_connection': 'netdiag.ss.netns',
        'ansible_python_interpreter': PY,
        'socket_compliance_policy': POLICY,
        'socket_compliance_add_fleet': ADDED,
        'socket_compliance_report_dir': report_dir,
    }}}
    with open(path, 'w') as f:
        json.dump(inventory, f, indent=1)


class Contender(object):
    def __init__(self, name, label, play, forks, check, env=None):
        self.env = env              # the environment of its runs (None: the common one)
        self.name = name
        self.label = label
        self.play = play
        self.forks = forks
        self.check = check          # callable(proc) -> None, raises on a wrong outcome
        self.samples = []
        self.profiles = []


def run_playbook(contender, inventory, cwd, env, extra_env=None):
    argv = ['ansible-playbook', '-i', inventory, '--forks', str(contender.forks), contender.play]
    run_env = dict(contender.env or env, **(extra_env or {}))
    started = time.time()
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=run_env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    contender.check(proc)
    return seconds, started


def command_check(proc):
    if proc.returncode != 0:
        raise RuntimeError('command playbook failed (rc=%d): %s' % (proc.returncode, proc.stderr.strip()[-2000:]))


def role_check(fleet, report_dir):
    want_failed = dict((h, s['fails']) for h, s in fleet.spec.items() if s['fails'])
    rules = BASELINE_RULES + len(POLICY) + len(ADDED)

    def check(proc):
        # ansible-playbook exits 2 when hosts failed: exactly the hosts that violate the policy
        if proc.returncode != (2 if want_failed else 0):
            raise RuntimeError('compliance playbook: rc=%d: %s' % (proc.returncode, proc.stderr.strip()[-2000:]))
        with open(os.path.join(report_dir, 'report.json')) as f:
            report = json.load(f)
        totals = report['totals']
        if (totals['hosts'], totals['hosts_failed'], totals['rules']) != (fleet.n, len(want_failed), rules):
            raise RuntimeError('report totals %r, expected %d hosts, %d failed, %d rules'
                               % (totals, fleet.n, len(want_failed), rules))
        for host in report['hosts']:
            failed = [c['rule'] for c in host['cells'] if c['status'] == 'failed']
            if failed != want_failed.get(host['name'], []):
                raise RuntimeError('%s failed %r, expected %r' % (host['name'], failed, want_failed.get(host['name'])))
            count = [c['count'] for c in host['cells'] if c['rule'] == 'connections within capacity']
            if count != [fleet.established[host['name']]]:
                raise RuntimeError('%s: %r established connections in the report, ss shows %d'
                                   % (host['name'], count, fleet.established[host['name']]))
        if proc.stderr.count('violates the socket policy') != len(want_failed):
            raise RuntimeError('expected %d hosts to fail: %s' % (len(want_failed), proc.stderr.strip()[-2000:]))
        for name in ('report.json', 'report.junit.xml', 'report.html'):
            os.remove(os.path.join(report_dir, name))      # the next run must write them again
    return check


def task_profile(path, started, seconds):
    """The ndss_task_times file of one run -> [(label, seconds)], start-up and end included."""
    with open(path) as f:
        data = json.load(f)
    out = [('start-up (until the first task)', data['tasks'][0]['start'] - started if data['tasks'] else seconds)]
    for task in data['tasks']:
        out.append((task['name'], task['seconds']))     # a role's task is named 'ROLE : NAME' already
    out.append(('after the last task (stats, exit)', started + seconds - data['end']))
    return out


def summarize(contenders, repeat):
    out = {}
    for c in contenders:
        secs = list(c.samples)
        entry = dict(label=c.label, forks=c.forks, runs=len(secs), seconds=[round(x, 3) for x in secs],
                     median=statistics.median(secs), min=min(secs))
        if c.profiles:
            labels = [label for label, _s in c.profiles[0]]
            entry['tasks'] = [dict(task=label, median=statistics.median(p[i][1] for p in c.profiles))
                              for i, label in enumerate(labels)]
        out[c.name] = entry
    ratios = {}
    for forks in sorted(set(c.forks for c in contenders)):
        cmd = out.get('command_f%d' % forks)
        for who in ('role', 'before'):
            entry = out.get('%s_f%d' % (who, forks))
            if entry and cmd:
                paired = [r / c for r, c in zip(entry['seconds'], cmd['seconds'])]
                ratios.setdefault(str(forks), {})[who] = dict(
                    ratio_of_medians=entry['median'] / cmd['median'], median_paired=statistics.median(paired),
                    paired=[round(x, 3) for x in paired], ratio_of_minimums=entry['min'] / cmd['min'])
    return out, ratios


def markdown(results):
    out = ['| Contender | forks | median | min | runs |', '|---|---:|---:|---:|---:|']
    for name, e in results['contenders'].items():
        out.append('| %s | %d | %.2f s | %.2f s | %d |' % (e['label'], e['forks'], e['median'], e['min'], e['runs']))
    out += ['', '| forks | role / command (medians) | median of paired ratios | (minimums) | target | status |',
            '|---:|---:|---:|---:|---:|---|']
    target = results['config']['target']
    for forks, by_who in results['ratios'].items():
        for who, r in sorted(by_who.items(), key=lambda kv: kv[0] != 'role'):
            out.append('| %s%s | %.2fx | %.2fx | %.2fx | %.1fx | %s |'
                       % (forks, '' if who == 'role' else ' (role before: %s)' % results['config']['before'],
                          r['ratio_of_medians'], r['median_paired'], r['ratio_of_minimums'], target,
                          'MET' if r['ratio_of_medians'] <= target else 'MISSED'))
    for name, e in results['contenders'].items():
        if 'tasks' in e:
            total = sum(t['median'] for t in e['tasks'])
            out += ['', 'Time per task, %s (forks %d), median of %d runs:' % (e['label'], e['forks'], e['profile_runs']), '',
                    '| Task | seconds | share |', '|---|---:|---:|']
            for t in e['tasks']:
                out.append('| %s | %.2f | %.0f%% |' % (t['task'], t['median'], 100.0 * t['median'] / total))
    return '\n'.join(out)


def collection_env(env, checkout, tmp):
    """env with the collection taken from another checkout (--before): a tree of its own that links to it."""
    tree = os.path.join(tmp, 'before-collections')
    os.makedirs(os.path.join(tree, 'ansible_collections', 'netdiag'))
    os.symlink(os.path.abspath(checkout), os.path.join(tree, 'ansible_collections', 'netdiag', 'ss'))
    out = dict(env, ANSIBLE_COLLECTIONS_PATH=tree)
    kept = [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p and 'collections' not in p]
    out['PYTHONPATH'] = os.pathsep.join([tree] + kept)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    ap.add_argument('--hosts', type=int, default=50, help='fleet size (a multiple of %d, at most 250)' % GROUP)
    ap.add_argument('--forks', default='5,25', help='comma-separated forks values (5 is Ansible\'s default)')
    ap.add_argument('--repeat', type=int, default=5)
    ap.add_argument('--quick', action='store_true', help='10 hosts, forks 5, 2 repetitions')
    ap.add_argument('--profile', action='store_true', help='then time each task (ndss_task_times callback)')
    ap.add_argument('--profile-repeat', type=int, default=3)
    ap.add_argument('--before', metavar='CHECKOUT',
                    help='also run the role of another checkout of the collection (e.g. the main branch), same fleet')
    ap.add_argument('--target', type=float, default=1.2, help='the role within this many times the command playbook')
    ap.add_argument('--out', help='result JSON (default benchmarks/results/fleet-<UTC date-time>.json)')
    args = ap.parse_args(argv)
    if args.quick:
        args.hosts, args.forks, args.repeat = 10, '5', 2
    if args.hosts % GROUP or not 0 < args.hosts <= 250:
        ap.error('--hosts must be a multiple of %d, at most 250' % GROUP)
    forks = [int(f) for f in args.forks.split(',') if f.strip()]
    if os.geteuid() != 0:
        ap.error('needs root (network namespaces)')
    if not args.out:
        args.out = os.path.join(HERE, 'results', 'fleet-' + time.strftime('%Y%m%dT%H%M%SZ', time.gmtime()) + '.json')
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)

    def on_term(signum, _frame):
        raise SystemExit('terminated by signal %d' % signum)
    signal.signal(signal.SIGTERM, on_term)

    env = bench_env()
    env['ANSIBLE_PIPELINING'] = 'True'          # both contenders, every host (and localhost)
    env['ANSIBLE_CALLBACK_PLUGINS'] = CALLBACKS
    env.pop('ANSIBLE_CALLBACKS_ENABLED', None)
    env.pop('ANSIBLE_CONFIG', None)
    tmp = tempfile.mkdtemp(prefix='ndss-fleet-')
    t0 = time.perf_counter()
    try:
        with Fleet(args.hosts, env) as fleet:
            inventory = os.path.join(tmp, 'inventory.json')
            report_dir = os.path.join(tmp, 'report')
            write_inventory(fleet, inventory, report_dir)
            before_env = collection_env(env, args.before, tmp) if args.before else None
            probes = [environment_probe(fleet.lan)]
            plays = {}
            for name, text in (('command', COMMAND_PLAY), ('role', ROLE_PLAY)):
                plays[name] = os.path.join(tmp, '%s.yml' % name)
                with open(plays[name], 'w') as f:
                    f.write(text)
            contenders = []
            for f in forks:
                contenders.append(Contender('command_f%d' % f, 'command playbook (ss -Htan, 1 task)', plays['command'], f,
                                            command_check))
                contenders.append(Contender('role_f%d' % f, 'socket_compliance role (20 rules, report)', plays['role'], f,
                                            role_check(fleet, report_dir)))
                if args.before:
                    contenders.append(Contender('before_f%d' % f, 'socket_compliance role of %s' % args.before, plays['role'],
                                                f, role_check(fleet, report_dir), env=before_env))
            # warm-up, untimed: pyc files, page cache, the report directory
            for c in contenders:
                if c.forks == forks[0]:
                    run_playbook(c, inventory, tmp, env)
            for rep in range(args.repeat):
                t1 = time.perf_counter()
                order = contenders if rep % 2 == 0 else list(reversed(contenders))
                for c in order:
                    c.samples.append(run_playbook(c, inventory, tmp, env)[0])
                log('repetition %d/%d: %.1fs (%s)' % (rep + 1, args.repeat, time.perf_counter() - t1,
                                                      ', '.join('%s %.2fs' % (c.name, c.samples[-1]) for c in contenders)))
            if args.profile:
                times = os.path.join(tmp, 'task-times.json')
                extra = {'ANSIBLE_CALLBACKS_ENABLED': 'ndss_task_times', 'NDSS_TASK_TIMES': times}
                for rep in range(args.profile_repeat):
                    for c in (contenders if rep % 2 == 0 else list(reversed(contenders))):
                        seconds, started = run_playbook(c, inventory, tmp, env, extra)
                        c.profiles.append(task_profile(times, started, seconds))
                    log('profile run %d/%d' % (rep + 1, args.profile_repeat))
            probes.append(environment_probe(fleet.lan))
            contender_results, ratios = summarize(contenders, args.repeat)
            for c in contenders:
                if c.profiles:
                    contender_results[c.name]['profile_runs'] = len(c.profiles)
            fleet_info = dict(hosts=fleet.n, namespaces='%s-hNN' % fleet.tag, setup_seconds=round(fleet.setup_seconds, 1),
                              tcp_rows_per_host=[min(fleet.tcp_rows.values()), max(fleet.tcp_rows.values())],
                              established_per_host=[min(fleet.established.values()), max(fleet.established.values())],
                              udp_per_host=[min(len(s['udp']) for s in fleet.spec.values()),
                                            max(len(s['udp']) for s in fleet.spec.values())],
                              helper_processes=len(fleet.helpers),
                              failing_hosts=dict((h, s['fails']) for h, s in fleet.spec.items() if s['fails']))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    config = dict(hosts=args.hosts, forks=forks, before=args.before, repeat=args.repeat, target=args.target, python=PY,
                  rules=dict(baseline=BASELINE_RULES, policy=POLICY, added=ADDED),
                  settings='ANSIBLE_PIPELINING=True, gather_facts: false, stdout callback ndss_null, '
                           'connection netdiag.ss.netns, no become (ansible-playbook runs as root)')
    results = dict(machine=machine_info(), config=config, fleet=fleet_info, contenders=contender_results, ratios=ratios,
                   environment=dict(start=probes[0], end=probes[-1]), total_seconds=round(time.perf_counter() - t0, 1))
    with open(args.out, 'w') as f:
        json.dump(results, f, indent=1)
    m = results['machine']
    print('%s, %s cores, %s MB, kernel %s, Python %s, ansible-core %s; %s; load average at the end: %s'
          % (m['cpu'], m['cores'], m['mem_mb'], m['kernel'], m['python'], m['ansible_core'], m['date'],
             ' '.join('%.2f' % x for x in os.getloadavg())))
    print('%d hosts, %s TCP sockets per host, %d rules; forks %s; %d repetitions'
          % (args.hosts, '-'.join(str(x) for x in fleet_info['tcp_rows_per_host']), BASELINE_RULES + len(POLICY) + len(ADDED),
             ', '.join(str(f) for f in forks), args.repeat))
    for when, probe in (('start', probes[0]), ('end', probes[-1])):
        print('machine at the %s: %d TCP sockets allocated (all namespaces), ss -Htan in an empty namespace %.0f ms, '
              'load average %s' % (when, probe['tcp_sockets_allocated'], probe['empty_ss_tan_ms'],
                                   ' '.join('%.2f' % x for x in probe['loadavg'])))
    if max(p['tcp_sockets_allocated'] for p in probes) > QUIET_SOCKETS:
        print('WARNING: other namespaces of this machine hold more than %d TCP sockets: every TCP dump of every host '
              'walks them, which adds the same cost to both contenders and skews the ratios toward 1' % QUIET_SOCKETS)
    print()
    print(markdown(results))
    print('\nresults: %s (%.0fs)' % (args.out, results['total_seconds']))


if __name__ == '__main__':
    main()
