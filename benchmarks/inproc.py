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
    inproc.py tcpinfo-dicts         CPython's own part of -i: the struct tcp_info of every TCP socket
                                    (read from the kernel untimed) unpacked and made a dict
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


def run_tcpinfo_dicts():
    """Time what no -i collector in CPython avoids: reading the kernel's -tani dump (the request -tani sends, every
    read kept, nothing decoded) and, for each TCP socket, one struct unpack of its tcp_info and one dict of the
    values (the fields tcp_info has; no bitfield split, derived value, address or record). Finding each INFO
    attribute in the reads is not timed."""
    import gc
    from ansible_collections.netdiag.ss.plugins.module_utils import _inet_info, _netlink as nl
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import INET_DIAG_INFO, inet_ext, inet_request
    gc.disable()        # as the collector builds its records
    base = _rss()
    t0 = time.perf_counter()
    reads = []
    with nl.open_socket() as sock:
        for family in (socket.AF_INET, socket.AF_INET6):
            request = inet_request(family, 'tcp', 0xffffffff, ext=inet_ext(('info',)))
            reads.extend((bytes(buf), msgs) for buf, msgs in nl.dump(sock, request, 'tcp'))
    read_seconds = time.perf_counter() - t0
    infos = [(data, aoff) for data, msgs in reads for off, mlen in msgs
             for atype, aoff, _alen in nl.iter_attrs(data, off + 16 + 72, off + mlen) if atype == INET_DIAG_INFO]
    length = min(min(alen for data, msgs in reads for off, mlen in msgs
                     for atype, _aoff, alen in nl.iter_attrs(data, off + 16 + 72, off + mlen) if atype == INET_DIAG_INFO),
                 _inet_info.TCP_INFO_SIZE)
    layout = _inet_info._layout(_inet_info._TCP_LAYOUTS, _inet_info._TCP_FIELDS, length, _inet_info._TCP_BITFIELDS)
    unpack, names = layout.struct.unpack_from, layout.names
    t1 = time.perf_counter()
    dicts = [dict(zip(names, unpack(data, aoff))) for data, aoff in infos]
    dict_seconds = time.perf_counter() - t1
    return dict(seconds=read_seconds + dict_seconds, read_seconds=read_seconds, dict_seconds=dict_seconds,
                count=len(dicts), fields=len(names), rss_base_kb=base, rss_peak_kb=_rss())


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
    elif mode == 'tcpinfo-dicts':
        out = run_tcpinfo_dicts()
    elif mode == 'pyroute2':
        out = run_pyroute2()
    elif mode == 'psutil':
        out = run_psutil()
    else:
        raise SystemExit('unknown mode %r' % mode)
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main(sys.argv)
