# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Dump the socket tables again and again while they churn, and say what every dump looked like.

Run inside the namespace: churn_check.py SECONDS HELD_LOW HELD_HIGH SS_ARGS...

For SECONDS (and at least ROUNDS=3 times), select() (what every module runs)
is called for each SS_ARGS in turn. For each result it checks that no cookie is listed twice, and counts
the established sockets with a port in [HELD_LOW, HELD_HIGH) on either side
(the held sockets, which never close: a dump lists each at most once, and
all of them unless the kernel's resume skipped one). It also notes what the collector reported (DumpReport):
repeated sockets it dropped, interrupted reads, tables listed from an
interrupted read. An exception ends nothing: it is recorded and counted.
Prints one JSON object: per SS_ARGS, dumps, errors, repeated cookies in
results, held counts seen, totals seen, the slowest dump, and the
collector's reports.
"""

from __future__ import annotations

import collections
import json
import sys
import time
import traceback

from ansible_collections.netdiag.ss.plugins.module_utils import _select
from ansible_collections.netdiag.ss.plugins.module_utils._collect import DumpReport
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request

REPORTS = []
ROUNDS = 3


class Noted(DumpReport):
    """A DumpReport that select() creates and that we keep, to read after the dump."""

    def __init__(self):
        super(Noted, self).__init__()
        REPORTS.append(self)


def main(argv):
    seconds, low, high = float(argv[1]), int(argv[2]), int(argv[3])
    requests = [(args, build_request({'ss_args': args})) for args in argv[4:]]
    _select.DumpReport = Noted
    out = collections.OrderedDict(
        (args, {'dumps': 0, 'errors': [], 'repeated_cookies': 0, 'held': [], 'totals': [], 'slowest': 0.0,
                'dropped': 0, 'interrupted': 0, 'inconsistent': 0}) for args, _r in requests)
    deadline = time.monotonic() + seconds
    rounds = 0
    while rounds < ROUNDS or time.monotonic() < deadline:
        rounds += 1
        for args, request in requests:
            entry = out[args]
            del REPORTS[:]
            t0 = time.perf_counter()
            try:
                records = _select.select(request).records
            except Exception:       # noqa: BLE001  (recorded: the test fails on it, with the traceback)
                entry['errors'].append(traceback.format_exc()[-2000:])
                continue
            finally:
                entry['dumps'] += 1
                entry['slowest'] = max(entry['slowest'], round(time.perf_counter() - t0, 3))
            cookies = [r['cookie'] for r in records]
            entry['repeated_cookies'] += len(cookies) - len(set(cookies))
            held = sum(1 for r in records if r['state'] == 'ESTAB'
                       and (low <= r['local_port'] < high or low <= (r['peer_port'] or 0) < high))
            entry['held'].append(held)
            entry['totals'].append(len(records))
            for report in REPORTS:
                entry['dropped'] += sum(report.duplicates.values())
                entry['interrupted'] += sum(report.interrupted.values())
                entry['inconsistent'] += len(report.inconsistent)
    for entry in out.values():
        entry['held'] = sorted(set(entry['held']))
        entry['totals'] = [min(entry['totals']), max(entry['totals'])] if entry['totals'] else []
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main(sys.argv)
