# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark socket_kill against ss -K: closing N established sockets.

    source scripts/env.sh
    python benchmarks/kill.py                     # 10k connections, 5 repetitions (~3 min)
    python benchmarks/kill.py --connections 2000 --repeat 3

Needs root. Every run gets a fresh namespace (ndss-bench-<pid>-<2N>, see
run.py's SocketNamespace) holding N loopback connections to ports from 20000, and
closes their N server ends with the same selection,
'-t state established sport >= :20000 and sport < :20016' (each close also
resets the client end). The namespace is removed after each run. Contenders, in turn within
each repetition:

    ss -K                ss -K with that selection (output captured, not printed)
    module direct        plugins/modules/socket_kill.py with an args file, max_kill: N
    in-process           plan_kill() + kill() without the module's process and JSON
    floor                benchmarks/floor_module.py returning the module's saved result: what
                         Ansible's module code costs for a result that size, with no socket work

The module's own work is its time minus the floor's.

Each contender must close exactly N sockets (checked with ss afterwards).
Results: JSON (benchmarks/results/kill-<date>.json or --out) and a Markdown
table of medians and ratios to ss -K. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the benchmark namespace and environment)

# the listeners' ports (one per holding process, from BASE_PORT); clients use ephemeral ports, far above
SELECTION = '-t state established sport >= :%d and sport < :%d' % (run.BASE_PORT, run.BASE_PORT + 16)
KILL_MODULE = os.path.join(run.ROOT, 'plugins', 'modules', 'socket_kill.py')
INPROC_KILL = r'''
import json, sys, time
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._kill import plan_kill, kill
t0 = time.perf_counter()
plan = plan_kill(build_request({'ss_args': sys.argv[1]}, identity=True), max_kill=10 ** 9)
result = kill(plan)
print(json.dumps({'seconds': time.perf_counter() - t0, 'killed': len(result['killed'])}))
'''


def contenders(tmp, n):
    args = os.path.join(tmp, 'kill-args.json')
    with open(args, 'w') as f:
        json.dump({'ANSIBLE_MODULE_ARGS': {'ss_args': SELECTION, 'max_kill': n}}, f)
    # one untimed module run gives the result the floor returns
    with run.SocketNamespace(2 * n) as ns:
        out = run.sh(['nsenter', '--net=/var/run/netns/%s' % ns.name, run.PY, KILL_MODULE, args])
    saved = os.path.join(tmp, 'kill-result.json')
    with open(saved, 'w') as f:
        f.write(out)
    floor_args = os.path.join(tmp, 'floor-args.json')
    with open(floor_args, 'w') as f:
        json.dump({'ANSIBLE_MODULE_ARGS': {'path': saved}}, f)
    return [
        ('ss_k', 'ss -K %s' % SELECTION, lambda ns: ['ss', '-K'] + SELECTION.split()),
        ('module', 'socket_kill module direct, max_kill: N', lambda ns: [run.PY, KILL_MODULE, args]),
        ('inproc', 'plan_kill + kill in-process', lambda ns: [run.PY, '-c', INPROC_KILL, SELECTION]),
        ('floor', 'floor: a module returning the same result, no socket work', lambda ns: [run.PY, run.FLOOR, floor_args]),
    ]


def one(ns, name, argv):
    """Time one contender closing every server end in a fresh namespace; check that all closed."""
    prefix = ['nsenter', '--net=/var/run/netns/%s' % ns.name]
    t0 = time.perf_counter()
    proc = subprocess.run(prefix + argv, env=run.ENV, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError('%s failed (rc=%d): %s' % (name, proc.returncode, (proc.stderr or proc.stdout)[-2000:]))
    if name == 'floor':
        return dict(seconds=seconds)
    left = run.sh(prefix + ['ss', '-Hn'] + SELECTION.split())
    if left.strip():
        raise RuntimeError('%s left %d sockets open' % (name, len(left.splitlines())))
    sample = dict(seconds=seconds)
    if name == 'inproc':
        sample['seconds_inproc'] = json.loads(proc.stdout.strip().splitlines()[-1])['seconds']
    elif name == 'module':
        killed = len(json.loads(proc.stdout)['killed'])
        if killed != ns.n // 2:
            raise RuntimeError('module reports %d killed, expected %d' % (killed, ns.n // 2))
    return sample


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    ap.add_argument('--connections', type=int, default=10000, help='connections per run (N server ends are closed)')
    ap.add_argument('--repeat', type=int, default=5)
    ap.add_argument('--out', help='result JSON (default benchmarks/results/kill-<UTC date-time>.json)')
    opts = ap.parse_args(argv)
    if os.geteuid() != 0:
        sys.exit('kill.py needs root (network namespaces)')
    run.ENV = run.bench_env()
    n = opts.connections
    samples = {}
    tmp = tempfile.mkdtemp(prefix='ndss-kill-')
    try:
        cs = contenders(tmp, n)
        for rep in range(opts.repeat):
            for name, _label, make in cs:
                with run.SocketNamespace(2 * n) as ns:
                    samples.setdefault(name, []).append(one(ns, name, make(ns)))
            run.log('repetition %d/%d done' % (rep + 1, opts.repeat))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ref = statistics.median(s['seconds'] for s in samples['ss_k'])
    rows = []
    for name, label, _make in cs:
        secs = [s['seconds'] for s in samples[name]]
        rows.append(dict(name=name, label=label, median=statistics.median(secs), min=min(secs),
                         ratio_to_ss=statistics.median(secs) / ref, samples=samples[name]))
    out = dict(date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
               connections=n, selection=SELECTION, repeat=opts.repeat, machine=run.machine_info(), results=rows)
    path = opts.out or os.path.join(run.HERE, 'results', 'kill-%s.json'
                                    % datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ'))
    with open(path, 'w') as f:
        json.dump(out, f, indent=1)
    print('| contender | median s | min s | ratio to ss -K |')
    print('|---|---|---|---|')
    for r in rows:
        print('| %s | %.3f | %.3f | %.2f |' % (r['label'], r['median'], r['min'], r['ratio_to_ss']))
    own = statistics.median(m['seconds'] - f['seconds'] for m, f in zip(samples['module'], samples['floor']))
    print('\nmodule minus floor (its own work, Ansible\'s result handling taken out): median %.3f s, %.2f x ss -K' % (
        own, own / ref))
    out['module_minus_floor'] = dict(median=own, ratio_to_ss=own / ref)
    with open(path, 'w') as f:
        json.dump(out, f, indent=1)
    inproc = [s['seconds_inproc'] for s in samples['inproc']]
    print('in-process call alone (no interpreter start): median %.3f s, %.2f x ss -K' % (
        statistics.median(inproc), statistics.median(inproc) / ref))
    print('results: %s' % path)


if __name__ == '__main__':
    main()
