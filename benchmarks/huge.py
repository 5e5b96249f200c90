# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Huge hosts: time and peak memory of ss, the collector and socket_facts at 100k and 1M sockets.

    source scripts/env.sh
    python benchmarks/huge.py                          # 100k and 1M sockets, 3 runs each (~15 min)
    python benchmarks/huge.py --sizes 100000 --repeat 3
    python benchmarks/huge.py --before /path/to/other/checkout    # the module of another checkout too

Needs root. For each size N, a namespace from benchmarks/run.py's
SocketNamespace (ndss-bench-<pid>-<N>, N established loopback sockets held
by ceil(N/18000) hold_sockets.py processes, removed at the end). Then, in
turns (A B C ... A B C ...):

* `ss -tan` and `ss -tan` to /dev/null, whole process;
* the collector in-process (inproc.py gather -tan): dump + decode +
  records, and the same with max_sockets 1000;
* socket_facts run directly as Ansible runs it (python socket_facts.py
  ARGS.json), stdout to /dev/null: -tan with lines, without lines, with 5
  fields and no lines, with max_sockets 1000; and -ta with dump_file (-D)
  to a file in a temporary folder.

Whole processes run under /usr/bin/time, which gives wall time and peak
resident memory (%M) of the one process (Linux carries ru_maxrss over
exec(), so measuring a child from this Python process would not do). The
collector reports its own time and VmHWM. Reported: median wall time,
largest peak RSS. Before 1M sockets, MemAvailable must be at least 10 GB.
Results: JSON (--out, default benchmarks/results/huge-<UTC time>.json) and
a Markdown table. See docs/performance.md ("Huge hosts").
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
import run  # noqa: E402  (benchmarks/run.py: SocketNamespace, the environment, the helpers)

FIELDS = run.FIELDS
MAX = 1000
NEED_MB = 10240          # MemAvailable wanted before holding 1M sockets


def mem_available_mb():
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith('MemAvailable:'):
                return int(line.split()[1]) // 1024
    return 0


def timed_rss(argv):
    """(wall seconds, peak RSS KB) of one whole process, from GNU time."""
    proc = subprocess.run(['/usr/bin/time', '-f', 'ndss-time=%e %M'] + argv, env=run.ENV, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    line = [x for x in proc.stderr.splitlines() if x.startswith('ndss-time=')]
    if proc.returncode != 0 or not line:
        raise RuntimeError('%s failed (rc %d): %s' % (' '.join(argv[:6]), proc.returncode, proc.stderr[-2000:]))
    wall, rss = line[-1].split('=')[1].split()
    return dict(seconds=float(wall), rss_peak_kb=int(rss))


def collections_for(checkout, tmp):
    """A folder with ansible_collections/netdiag/ss -> checkout, for PYTHONPATH."""
    base = os.path.join(tmp, 'coll-%d' % abs(hash(checkout)))
    if not os.path.isdir(base):
        os.makedirs(os.path.join(base, 'ansible_collections', 'netdiag'))
        os.symlink(os.path.abspath(checkout), os.path.join(base, 'ansible_collections', 'netdiag', 'ss'))
    return base


def contenders(ns, tmp, before):
    """(name, label, callable() -> {seconds, rss_peak_kb}) for one namespace."""
    nsenter = ['nsenter', '--net=/var/run/netns/%s' % ns.name]
    out = [
        ('ss_tan', 'ss -tan', lambda: timed_rss(nsenter + ['ss', '-tan'])),
        ('gather_tan', 'collector in-process, -tan', lambda: run.inproc(ns.name, 'gather', '-tan')),
        ('gather_max', 'collector in-process, -tan, max_sockets: %d' % MAX,
         lambda: run.inproc(ns.name, 'gather', '-tan', str(MAX))),
    ]
    variants = [
        ('lines', 'lines: true', {'ss_args': '-tan'}),
        ('nolines', 'lines: false', {'ss_args': '-tan', 'lines': False}),
        ('fields', 'fields: [5 fields], lines: false', {'ss_args': '-tan', 'lines': False, 'fields': FIELDS}),
        ('max', 'max_sockets: %d' % MAX, {'ss_args': '-tan', 'max_sockets': MAX}),
        ('dump', '-ta, dump_file (-D)', {'ss_args': '-ta', 'dump_file': os.path.join(tmp, 'tcp.dump')}),
    ]
    trees = [('', run.ROOT)] + ([('before_', before)] if before else [])
    for prefix, checkout in trees:
        module = os.path.join(checkout, 'plugins', 'modules', 'socket_facts.py')
        pythonpath = collections_for(checkout, tmp)
        for tag, label, args in variants:
            if prefix and 'max_sockets' in args:
                continue        # an older checkout may not have the option
            path = run.module_args_file(tmp, prefix + tag, dict(args, netns=ns.name))
            argv = ['env', 'PYTHONPATH=%s' % pythonpath, run.PY, module, path]
            out.append((prefix + 'module_' + tag, ('%smodule direct, %s' % ('before: ' if prefix else '', label)),
                        lambda argv=argv: timed_rss(argv)))
    return out


def run_size(n, repeat, before):
    tmp = tempfile.mkdtemp(prefix='ndss-huge-')
    try:
        if n >= 500000 and mem_available_mb() < NEED_MB:
            raise SystemExit('%d sockets need about %d MB free; MemAvailable is %d MB' % (n, NEED_MB, mem_available_mb()))
        mem0 = mem_available_mb()
        with run.SocketNamespace(n) as ns:
            held_mb = mem0 - mem_available_mb()
            run.log('N=%d: holding the sockets took about %d MB (MemAvailable before and after)' % (n, held_mb))
            cs = contenders(ns, tmp, before)
            samples = dict((name, []) for name, _l, _f in cs)
            for rep in range(repeat):
                t0 = time.perf_counter()
                for name, _label, fn in cs:
                    samples[name].append(fn())
                run.log('N=%d repetition %d/%d: %.1fs' % (n, rep + 1, repeat, time.perf_counter() - t0))
            info = dict(setup_seconds=round(ns.setup_seconds, 1), hold_processes=ns.hold_processes,
                        established=ns.established, ss_tan_rows=ns.ss_tan_rows, held_mb=held_mb)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res = dict(info=info, contenders={})
    for name, label, _fn in cs:
        secs = [s['seconds'] for s in samples[name]]
        res['contenders'][name] = dict(label=label, seconds=secs, median=statistics.median(secs),
                                       rss_peak_kb=max(s['rss_peak_kb'] for s in samples[name]),
                                       count=sorted(set(s['count'] for s in samples[name] if 'count' in s)))
    ss = res['contenders']['ss_tan']['median']
    for entry in res['contenders'].values():
        entry['x_ss_tan'] = entry['median'] / ss
    return res


def markdown(results):
    sizes = list(results['sizes'])
    names = list(results['sizes'][sizes[0]]['contenders'])
    out = ['| Contender | ' + ' | '.join('N=%s: time (× ss) | peak RSS' % s for s in sizes) + ' |',
           '|---|' + '---:|---:|' * len(sizes)]
    for name in names:
        cells = []
        for s in sizes:
            e = results['sizes'][s]['contenders'][name]
            cells.append('%s s (%.2f×) | %d MB' % (run.fmt_s(e['median']), e['x_ss_tan'], round(e['rss_peak_kb'] / 1024.0)))
        out.append('| %s | %s |' % (results['sizes'][sizes[0]]['contenders'][name]['label'], ' | '.join(cells)))
    return '\n'.join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    ap.add_argument('--sizes', default='100000,1000000', help='comma-separated socket counts (even)')
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--before', help='another checkout whose socket_facts module is measured too')
    ap.add_argument('--out', help='result JSON (default benchmarks/results/huge-<UTC date-time>.json)')
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        ap.error('needs root (network namespaces)')
    if not os.access('/usr/bin/time', os.X_OK):
        ap.error('needs GNU time (/usr/bin/time, Debian package time) for the peak memory of a process')
    run.ENV = run.bench_env()
    out = args.out or os.path.join(HERE, 'results', time.strftime('huge-%Y%m%dT%H%M%SZ', time.gmtime()) + '.json')
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)

    def on_term(signum, _frame):
        raise SystemExit('terminated by signal %d' % signum)
    signal.signal(signal.SIGTERM, on_term)
    results = dict(machine=run.machine_info(), config=dict(repeat=args.repeat, before=args.before, max_sockets=MAX),
                   sizes={})
    t0 = time.perf_counter()
    for n in [int(s) for s in args.sizes.split(',') if s.strip()]:
        results['sizes'][str(n)] = run_size(n, args.repeat, args.before)
        with open(out, 'w') as f:        # written after each size: a 1M run that fails keeps the 100k figures
            json.dump(results, f, indent=1)
    results['total_seconds'] = round(time.perf_counter() - t0, 1)
    with open(out, 'w') as f:
        json.dump(results, f, indent=1)
    m = results['machine']
    print('%s, %s cores, %s MB, kernel %s, Python %s, ansible-core %s, %s; %s'
          % (m['cpu'], m['cores'], m['mem_mb'], m['kernel'], m['python'], m['ansible_core'], m['ss'], m['date']))
    print(markdown(results))
    print('\nresults: %s (%.0fs)' % (out, results['total_seconds']))


if __name__ == '__main__':
    main()
