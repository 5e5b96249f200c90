# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One in-process measurement, run by benchmarks/run.py inside the benchmark namespace.

    inproc.py gather SS_ARGS [MAX_SOCKETS]
                                    our collector: build_query + parse_filter (untimed),
                                    then gather() = dump + decode + records (+ -p lookup),
                                    with max_sockets when given
    inproc.py gather-userspace SS_ARGS   the same with kernel_filter=False
    inproc.py assert RULES_JSON     socket_assert's evaluate() for the rules (parsed untimed)
    inproc.py pyroute2              pyroute2 DiagSocket.get_sock_stats(family=AF_INET)
    inproc.py psutil                psutil.net_connections('tcp')
    inproc.py profile SS_ARGS OUT   cProfile of gather(), stats written to OUT

Prints one JSON object: seconds (the timed call only), count, rss_base_kb
(peak RSS after imports, before the call) and rss_peak_kb (peak RSS of the
process after the call). Peak RSS is VmHWM from /proc/self/status, not
getrusage(RUSAGE_SELF).ru_maxrss: Linux carries ru_maxrss over exec(), so
this process would report the peak of the (larger) run.py that spawned it.
"""

from __future__ import annotations

import json
import resource
import socket
import sys
import time


def _rss():
    """Peak resident set size of this process in KB (VmHWM)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_gather(ss_args, profile_out=None, kernel_filter=True, max_sockets=None):
    """Time select() (bind the filter, dump, decode, processes) for an ss command line; the request is built first."""
    from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
    from ansible_collections.netdiag.ss.plugins.module_utils._select import select
    params = {'ss_args': ss_args, 'kernel_filter': kernel_filter}
    if max_sockets is not None:
        params['max_sockets'] = max_sockets
    request = build_request(params)
    base = _rss()
    if profile_out:
        import cProfile
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        selection = prof.runcall(select, request)
        seconds = time.perf_counter() - t0
        prof.dump_stats(profile_out)
    else:
        t0 = time.perf_counter()
        selection = select(request)
        seconds = time.perf_counter() - t0
    return dict(seconds=seconds, count=len(selection.records), rss_base_kb=base, rss_peak_kb=_rss())


def run_assert(rules_json):
    """Time socket_assert's evaluate() (one union dump, every rule judged); the rules are parsed first."""
    from ansible_collections.netdiag.ss.plugins.module_utils._assert import evaluate, parse_rules
    rules = parse_rules(json.loads(rules_json))
    base = _rss()
    t0 = time.perf_counter()
    result, _warnings = evaluate(rules)
    seconds = time.perf_counter() - t0
    return dict(seconds=seconds, count=sum(r['count'] for r in result['rules']), rss_base_kb=base, rss_peak_kb=_rss())


def run_pyroute2():
    from pyroute2 import DiagSocket
    base = _rss()
    t0 = time.perf_counter()
    with DiagSocket() as ds:
        ds.bind()
        count = len(list(ds.get_sock_stats(family=socket.AF_INET)))
    seconds = time.perf_counter() - t0
    return dict(seconds=seconds, count=count, rss_base_kb=base, rss_peak_kb=_rss())


def run_psutil():
    import psutil
    base = _rss()
    t0 = time.perf_counter()
    count = len(psutil.net_connections('tcp'))
    seconds = time.perf_counter() - t0
    return dict(seconds=seconds, count=count, rss_base_kb=base, rss_peak_kb=_rss())


def main(argv):
    mode = argv[1]
    if mode == 'gather':
        out = run_gather(argv[2], max_sockets=int(argv[3]) if len(argv) > 3 else None)
    elif mode == 'gather-userspace':    # kernel_filter=False: every socket decoded and matched in Python
        out = run_gather(argv[2], kernel_filter=False)
    elif mode == 'profile':
        out = run_gather(argv[2], profile_out=argv[3])
    elif mode == 'assert':              # socket_assert's evaluate() with the rules (JSON) in argv[2]
        out = run_assert(argv[2])
    elif mode == 'pyroute2':
        out = run_pyroute2()
    elif mode == 'psutil':
        out = run_psutil()
    else:
        raise SystemExit('unknown mode %r' % mode)
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main(sys.argv)
