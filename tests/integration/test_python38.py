# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collector really runs on Python 3.8, the oldest target Python of ansible-core 2.19.

Runs build_request/select under python3.8 (standard library only, no
Ansible installed there) inside the test namespace and compares the records
with what the module returns under the test's Python.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import warnings

import pytest

from conftest import COLLECTIONS, run_module

SCRIPT = r'''
import json, sys
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._select import select
params = json.loads(sys.argv[1])
sel = select(build_request(params))
print(json.dumps({'records': sel.records, 'unsupported': sel.unsupported, 'version': list(sys.version_info[:2])}))
'''


def _python38():
    candidates = glob.glob('/root/.pyenv/versions/3.8*/bin/python3.8') + ['/usr/bin/python3.8']
    for exe in candidates:
        if os.path.exists(exe):
            return exe
    return None


@pytest.mark.parametrize('args', [
    {'ss_args': '-tan'}, {'ss_args': '-xap'}, {'ss_args': '-ao'}, {'ss_args': '-tanT'},
    {'ss_args': '-tan', 'filter': '( sport = :5001 or dport = :5001 ) and not dev ndveth0'},
    {'ss_args': '-tan', 'filter': 'src 127.0.0.1', 'kernel_filter': False},
    {'ss_args': '-xa', 'filter': 'src *.sock or src @*'},
])
def test_same_records_on_python38(netns, sockets, args):
    exe = _python38()
    if exe is None:
        pytest.skip('no Python 3.8 on this machine')
    params = dict(args, netns=netns.name)
    for attempt in range(3):   # two processes read the kernel one after the other: retry a transient difference
        a, b = _both(exe, params)
        if a == b:
            break
        warnings.warn('attempt %d on Python 3.8 differed' % (attempt + 1))
    assert a == b


def _both(exe, params):
    proc = subprocess.run([exe, '-I', '-c', 'import sys; sys.path.insert(0, %r)\n' % COLLECTIONS + SCRIPT, json.dumps(params)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    old = json.loads(proc.stdout)
    assert old['version'] == [3, 8]
    new = run_module('socket_facts', dict(params, lines=False))
    strip = ('timer_expires_ms', 'timer_retrans')   # timers move between the two runs
    norm = [[dict((k, v) for k, v in r.items() if k not in strip) for r in recs]
            for recs in (old['records'], new['ansible_facts']['sockets'])]
    # the two processes' own netlink diag sockets differ; leave them out
    return [[r for r in recs if not (r['netid'] == 'nl' and r['local_address'] == '4' and r['local_port'])] for recs in norm]
