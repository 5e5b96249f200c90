# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_assert on the socket zoo: every rule counts exactly the rows ss prints for the same selection.

All of test_filter_differential.py's cases become rules of ONE socket_assert
call (one dump for all of them); the real ss runs once per rule. Rules without a filter are
counted in dumps of their own, beyond the first offenders from the kernel's messages alone.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import warnings

import pytest

from conftest import COLLECTIONS, NamespaceProcess, run_module, run_ss
from test_filter_differential import CASES

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request


def _rule_args(opts, expr):
    words = [w for w in shlex.split(opts) if w != '-o'] + ['-n'] + shlex.split(expr)
    return ' '.join(shlex.quote(w) for w in words)


def _usable(opts, expr):
    try:
        request = build_request({'ss_args': _rule_args(opts, expr)})
    except ArgsError:
        return False
    return not (request.timers or request.details)


RULES = [(opts, expr) for opts, expr in CASES if _usable(opts, expr)]


def _ss_count(ns, args):
    rc, lines, _err = run_ss(ns, shlex.split(args))
    return (len(lines) - 1) if rc == 0 and lines else None


def test_every_rule_counts_what_ss_prints(netns, sockets):
    args = [_rule_args(opts, expr) for opts, expr in RULES]
    theirs = [_ss_count(netns, a) for a in args]
    usable = [(a, n) for a, n in zip(args, theirs) if n is not None]      # ss accepts it (and so does a rule)
    assert len(usable) >= 120
    rules = [{'name': 'r%d %s' % (i, a), 'ss_args': a} for i, (a, _n) in enumerate(usable)]
    for attempt in range(3):    # ss runs a moment after our single dump: a socket may change state in between
        result = run_module('socket_assert', {'rules': rules, 'netns': netns.name, 'report_only': True, 'max_offenders': 0})
        ours = [r['count'] for r in result['rules']]
        expected = [_ss_count(netns, a) for a, _n in usable]
        differ = [(a, o, e) for (a, _n), o, e in zip(usable, ours, expected) if o != e]
        if not differ:
            break
        warnings.warn('attempt %d: %d rules differed, e.g. %s' % (attempt + 1, len(differ), differ[:3]))
    assert differ == []
    assert sum(1 for n in ours if n) >= 90        # the rules really select sockets


def test_process_conditions(netns, sockets):
    pid = sockets.info['pid']
    rules = [
        {'name': 'held by the fixture', 'ss_args': '-tl sport = :5001', 'process': {'pid': pid}},
        {'name': 'held by someone else', 'ss_args': '-tl sport = :5001', 'process': {'pid': pid + 100000}},
        {'name': 'fixture allowed', 'ss_args': '-tl sport = :5001', 'allow_process': {'pid': pid}},
        {'name': 'only nginx', 'ss_args': '-tl sport = :5001', 'allow_process': [{'name': 'nginx'}]},
        {'name': 'root holds it', 'ss_args': '-tl sport = :5001', 'process': {'user': 'root'}},
        {'name': 'at least 5 listeners', 'ss_args': '-tl', 'expect': 'present', 'min': 5},
        {'name': 'at most 2 listeners', 'ss_args': '-tl', 'max': 2},
    ]
    result = run_module('socket_assert', {'rules': rules, 'netns': netns.name, 'report_only': True, 'max_offenders': 3})
    got = dict((r['name'], (r['count'], r['passed'])) for r in result['rules'])
    assert got['held by the fixture'] == (1, False) and got['held by someone else'] == (0, True)
    assert got['fixture allowed'] == (0, True) and got['only nginx'] == (1, False) and got['root holds it'] == (1, False)
    assert got['at least 5 listeners'][1] and not got['at most 2 listeners'][1]
    over = [r for r in result['rules'] if r['name'] == 'at most 2 listeners'][0]
    assert len(over['offenders']) == 3 and over['offenders_total'] == over['count'] > 3
    assert over['lines'][0].startswith('State') and len(over['lines']) == 4
    nginx = [r for r in result['rules'] if r['name'] == 'only nginx'][0]
    assert nginx['offenders'][0]['processes'][0]['pid'] == pid


UNDUMPABLE = r"""
import ctypes, json, os, socket, subprocess, sys, time
# PID 1 of a new pid namespace: a root nginx on :5443, whose child shares the socket and is not dumpable (as sshd,
# ssh-agent, a setuid program's), then the module, run as this process's child
listener = socket.socket()
listener.bind(('0.0.0.0', 5443))
listener.listen()
child = os.fork()
if child == 0:
    open('/proc/self/comm', 'w').write('intruder')
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)      # PR_SET_DUMPABLE 0
    time.sleep(60)
    os._exit(0)
open('/proc/self/comm', 'w').write('nginx')
time.sleep(0.3)
proc = subprocess.run([sys.executable, '-m', 'ansible_collections.netdiag.ss.plugins.modules.socket_assert', sys.argv[1]],
                      capture_output=True, text=True)
sys.stdout.write(proc.stdout)
os.kill(child, 9)
"""


@pytest.mark.parametrize('ptrace', [True, False])
def test_a_holder_root_cannot_read_without_cap_sys_ptrace_leaves_the_rule_not_decided(netns, tmp_path, ptrace):
    """Root without CAP_SYS_PTRACE (a container's default) cannot read its own non-dumpable processes: one that shares
    the socket was taken for an outer user namespace's process, and both rules passed as decided."""
    for tool in ('unshare', 'setpriv'):
        if not shutil.which(tool):
            pytest.skip('needs %s (util-linux)' % tool)
    args = tmp_path / 'args.json'
    args.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': {'report_only': True, 'rules': [
        {'name': 'only nginx on 5443', 'ss_args': '-tl sport = :5443', 'allow_process': {'name': 'nginx'}},
        {'name': 'no intruder', 'ss_args': '-tl sport = :5443', 'process': {'name': 'intruder'}}]}}))
    script = tmp_path / 'holder.py'
    script.write_text(UNDUMPABLE)
    drop = [] if ptrace else ['setpriv', '--bounding-set=-sys_ptrace', '--inh-caps=-sys_ptrace']
    proc = subprocess.run(['ip', 'netns', 'exec', netns.name, 'unshare', '--pid', '--fork', '--mount-proc'] + drop
                          + [sys.executable, str(script), str(args)], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=COLLECTIONS), check=False)
    assert proc.returncode == 0 and proc.stdout, proc.stderr[-3000:]
    got = dict((r['name'], (r['passed'], r['decided'])) for r in json.loads(proc.stdout)['rules'])
    if ptrace:      # every holder seen: the intruder breaks both rules
        assert got == {'only nginx on 5443': (False, True), 'no intruder': (False, True)}
    else:           # only nginx seen: neither rule can be decided
        assert got == {'only nginx on 5443': (False, False), 'no intruder': (False, False)}


def test_failing_rules_fail_the_task_with_their_lines(netns, sockets):
    result = run_module('socket_assert', {'filter': 'sport = :5001', 'states': ['listening'], 'name': 'no 5001',
                                          'netns': netns.name}, check=False)
    assert result['failed'] and result['failed_rules'] == ['no 5001']
    assert 'rule "no 5001" failed: expected absent, found 1 socket' in result['msg'] and '0.0.0.0:5001' in result['msg']


@pytest.mark.parametrize('rule, word', [
    ({'name': 'typo', 'filter': 'sprt = :23'}, '"sprt"'), ({'name': 'bad key', 'filtr': 'x'}, 'filtr'),
    ({'name': 'two', 'ss_args': '-t sport = :1', 'filter': 'dport = :1'}, 'give the expression once'),
    # rules that could never fail, or never match a holder (an absent rule with them passed whatever listened)
    ({'name': 'never fails', 'ss_args': '-tl', 'min': 0}, 'min: 0 without max'),
    ({'name': 'present 0', 'ss_args': '-tl', 'expect': 'present', 'min': 0}, 'contradicts min: 0'),
    ({'name': 'uid -1', 'ss_args': '-tl sport = :5001', 'allow_process': {'user': -1}}, 'user -1'),
    ({'name': 'pid', 'ss_args': '-tl sport = :5001', 'process': {'pid': 25883.9}}, 'pid 25883.9'),
    ({'name': 'expect false', 'ss_args': '-tl sport = :5001', 'expect': False}, 'not false'),
])
def test_bad_rules_are_named(netns, rule, word):
    result = run_module('socket_assert', {'rules': [rule], 'netns': netns.name}, check=False)
    assert result.get('failed') and 'rule "%s"' % rule['name'] in result['msg'] and word in result['msg']
    assert 'rules' not in result          # nothing was read


def test_a_user_this_host_does_not_have_matches_no_process_with_a_warning(netns, sockets):
    """One policy serves a fleet (nginx may be missing on some hosts): the rule is judged, nothing matches that user,
    and a warning names it, so a typo does not pass unseen."""
    rules = [{'name': 'only nobody-ndss', 'ss_args': '-tl sport = :5001', 'allow_process': {'user': 'nosuchuser-ndss'}},
             {'name': 'none of nobody-ndss', 'ss_args': '-tl sport = :5001', 'process': {'user': 'nosuchuser-ndss'}}]
    result = run_module('socket_assert', {'rules': rules, 'netns': netns.name, 'report_only': True})
    assert [(r['passed'], r['count']) for r in result['rules']] == [(False, 1), (True, 0)]
    texts = [w['event']['msg'] if isinstance(w, dict) else w for w in result.get('warnings') or ()]
    for name, key in (('only nobody-ndss', 'allow_process'), ('none of nobody-ndss', 'process')):
        assert 'rule "%s": %s: user "nosuchuser-ndss" is no user of this host, so no process matches that condition' % (
            name, key) in texts, texts


def test_a_top_level_name_with_rules_is_refused():
    """name names the rule of the top-level options: with rules it was ignored."""
    result = run_module('socket_assert', {'rules': [{'name': 'a', 'ss_args': '-tl sport = :1'}], 'name': 'mine'},
                        check=False)
    assert result.get('failed') and 'mutually exclusive: rules|name' in result['msg'], result['msg']


@pytest.mark.parametrize('max_offenders', [0, 2, 5])
def test_rules_without_a_filter_count_what_ss_prints(netns, sockets, max_offenders):
    """Counted beyond the first max_offenders sockets (at least one) without decoding them: the same counts as ss."""
    args = ['-tan', '-ta state established', '-tuna', '-t state time-wait', '-t exclude listening', '-uan', '-4tan',
            '-6tan', '-xa', '-wa']
    rules = [{'name': a, 'ss_args': a, 'max': 1} for a in args]
    for _attempt in range(3):    # ss runs a moment after our dumps: a socket may change state in between
        result = run_module('socket_assert', {'rules': rules, 'netns': netns.name, 'report_only': True,
                                              'max_offenders': max_offenders})
        got = [(r['count'], r['offenders_total'], len(r['offenders'])) for r in result['rules']]
        want = []
        for a in args:
            n = _ss_count(netns, a)
            want.append((n, n if n > 1 else 0, min(n, max_offenders) if n > 1 else 0))
        if got == want:
            break
    assert got == want
    assert sum(1 for n, _t, _o in got if n > max(1, max_offenders)) >= 3     # counts really went beyond the offenders


@pytest.mark.parametrize('families', [['inet', 'inet6'], ['inet6', 'inet']])
def test_a_rule_with_both_inet_families_sees_the_ipv4_listener(netns, sockets, families):
    """ss -46 dumps only IPv6 (docs/differences.md): a rule naming both families must still find the fixture's IPv4
    listener on :5001, in either order."""
    rules = [{'name': 'nothing on 5001', 'families': families, 'listening': True, 'filter': 'sport = :5001'}]
    result = run_module('socket_assert', {'rules': rules, 'netns': netns.name, 'report_only': True})
    rule = result['rules'][0]
    assert (rule['count'], rule['passed']) == (1, False), rule
    assert rule['offenders'][0]['family'] == 'inet' and rule['offenders'][0]['local_port'] == 5001


CUT_NAME = r"""
import ctypes, json, socket, sys
ctypes.CDLL(None).prctl(15, 'nginx-\u043f\u0440\u043e\u043a\u0441\u0438'.encode(), 0, 0, 0)    # PR_SET_NAME: 15 bytes kept
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen()
print(json.dumps({'port': s.getsockname()[1]}), flush=True)
sys.stdin.read()
"""


def test_a_process_name_the_kernel_cut_inside_a_character_can_be_named(netns):
    """The kernel keeps 15 bytes of a name, also inside a character: socket_facts shows the cut byte as \\xd1, and
    that text form names the process in a rule. It was refused as longer than 15 bytes (counted in its text)."""
    holder = NamespaceProcess(netns, [sys.executable, '-c', CUT_NAME])
    try:
        port = holder.info['port']
        facts = run_module('socket_facts', {'ss_args': '-tlnp sport = :%d' % port, 'netns': netns.name})
        name = facts['ansible_facts']['sockets'][0]['processes'][0]['name']
        assert name == 'nginx-\u043f\u0440\u043e\u043a\\xd1'
        result = run_module('socket_assert', {'netns': netns.name, 'rules': [
            {'name': 'only the proxy', 'ss_args': '-tl sport = :%d' % port, 'allow_process': {'name': name}},
            {'name': 'the proxy listens', 'ss_args': '-tl sport = :%d' % port, 'expect': 'present',
             'process': {'name': name}}]}, check=False)
        assert result.get('passed') is True, result
    finally:
        holder.stop()
