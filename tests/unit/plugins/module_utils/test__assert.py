# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compliance rules: checking them before anything is read, one matcher for many rules, judging the counts."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _assert
from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._schema import MATCHES
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_UNIX


@pytest.mark.parametrize('rules, message', [
    ([], 'give at least one rule'),
    ('no', 'give at least one rule'),
    (['x'], 'rule 1: "x" is not a dict'),
    ([True], 'rule 1: true is not a dict'),
    ([{'name': True}], 'rule 1: name must be text, not true'),
    ([{'filter': 'sport = :23'}], 'rule 1 has no name'),
    ([{'name': 'ok'}, {'name': '  ', 'filter': 'sport = :23'}], 'rule 2 has no name ("  " is blank'),
    ([{'name': '\t\n'}], 'rule 1 has no name ("\\t\\n" is blank'),
    ([{'name': 2049}], 'rule 1: name must be text, not 2049'),
    ([{'name': 'a', 'filter': 'sprt = :23'}], 'rule "a": filter: "sprt" is not a keyword here at word 1'),
    ([{'name': 'a', 'bogus': 1}], 'rule "a": unknown key(s) bogus'),
    ([{'name': 'a', 'processes': True}], 'cannot ask for details'),
    ([{'name': 'a', 'ss_args': '-t sport = :22', 'filter': 'dport = :22'}], 'rule "a": option filter='),
    ([{'name': 'a', 'ss_args': '-tp'}], 'leave out detail options'),
    ([{'name': 'a', 'ss_args': '-N other'}], '-N other: every rule reads the namespace of the module'),
    ([{'name': 'a', 'ss_args': '-t -D /tmp/x'}], 'rule "a": ss_args: -D writes a capture of the TCP table, which this'),
    ([{'name': 'a', 'ss_args': '-tE'}], 'rule "a": ss_args: -E listens for closed sockets, which this module does not'),
    ([{'name': 'a', 'expect': 'maybe'}], 'expect must be absent or present, not "maybe"'),
    ([{'name': 'a', 'expect': True}], 'expect must be absent or present, not true'),     # YAML's yes
    # only a missing (null) expect means absent: false, 0, "" and [] are mistakes, not absent
    ([{'name': 'a', 'expect': False}], 'rule "a": expect must be absent or present, not false'),
    ([{'name': 'a', 'expect': 0}], 'rule "a": expect must be absent or present, not 0'),
    ([{'name': 'a', 'expect': []}], 'rule "a": expect must be absent or present, not []'),
    ([{'name': 'a', 'expect': ''}], 'rule "a": expect must be absent or present, not ""'),
    # a rule that can never fail
    ([{'name': 'a', 'expect': 'present', 'min': 0}], 'rule "a": expect: present contradicts min: 0'),
    ([{'name': 'a', 'expect': 'present', 'min': 0, 'max': 3}], 'rule "a": expect: present contradicts min: 0'),
    ([{'name': 'a', 'min': 0}], 'rule "a": min: 0 without max allows any number of sockets'),
    ([{'name': 'a', 'expect': 'absent', 'min': 0}], 'rule "a": min: 0 without max allows any number of sockets'),
    ([{'name': 'a', 'min': 3, 'max': 2}], 'min 3 is more than max 2'),
    ([{'name': 'a', 'min': -1}], 'min must be a whole number of sockets, 0 or more, not -1'),
    ([{'name': 'a', 'expect': 'present', 'min': True}], 'min must be a whole number of sockets, 0 or more, not true'),
    ([{'name': 'a', 'max': 'few'}], 'max must be a whole number of sockets, 0 or more, not "few"'),
    ([{'name': 'a', 'expect': 'present', 'min': 1.5}], 'min must be a whole number of sockets, 0 or more, not 1.5'),
    ([{'name': 'a', 'expect': 'absent', 'min': 1}], 'expect: absent contradicts min: 1'),
    ([{'name': 'a', 'min': 0}], 'min: 0 without max allows any number of sockets'),
    ([{'name': 'a', 'expect': 'present', 'max': 0}], 'contradicts max: 0'),
    ([{'name': 'a', 'process': {'nme': 'x'}}], 'process: unknown key(s) nme'),
    ([{'name': 'a', 'process': {'pid': 'one'}}], 'process: pid "one" is not a process id (a whole number, 1 to 4194304)'),
    ([{'name': 'a', 'process': {'pid': True}}], 'process: pid true is not a process id'),
    # int() would make these a pid that the rule then looks for (25883.9 -> 25883), or one no process has
    ([{'name': 'a', 'process': {'pid': 25883.9}}], 'rule "a": process: pid 25883.9 is not a process id'),
    ([{'name': 'a', 'process': {'pid': '25883.9'}}], 'rule "a": process: pid "25883.9" is not a process id'),
    ([{'name': 'a', 'allow_process': {'pid': 0}}], 'rule "a": allow_process: pid 0 is not a process id'),
    ([{'name': 'a', 'process': {'pid': -7}}], 'rule "a": process: pid -7 is not a process id'),
    ([{'name': 'a', 'process': {'pid': 4194305}}], 'rule "a": process: pid 4194305 is not a process id'),
    ([{'name': 'a', 'process': {'pid': '+-7'}}], 'rule "a": process: pid "+-7" is not a process id'),
    ([{'name': 'a', 'process': {'pid': '\u0663'}}], 'rule "a": process: pid "\u0663" is not a process id'),
    ([{'name': 'a', 'process': {'user': -1}}], 'rule "a": process: user -1 is not a user (a name, or a uid: 0 or more)'),
    ([{'name': 'a', 'process': {'user': 4294967295}}], 'rule "a": process: user 4294967295 is not a user'),
    ([{'name': 'a', 'process': {'user': ''}}], 'rule "a": process: user "" is not a user (a name, or a uid'),
    ([{'name': 'a', 'process': {'user': 'a\x00b'}}], 'rule "a": process: user "a\\u0000b" is not a user'),
    ([{'name': 'a', 'process': {'user': 0.5}}], 'rule "a": process: user 0.5 is not a user (a name, or a uid'),
    ([{'name': 'a', 'process': [False]}], 'process: false is not a dict with keys name, user, pid'),
    ([{'name': 'a', 'allow_process': {'name': None}}], 'allow_process: name null is not text'),
    ([{'name': 'a', 'process': {'user': True}}], 'process: user true is not a user (a name, or a uid'),
    # a quoted negative uid was looked up as a name: only a warning, and a condition that matches nothing
    ([{'name': 'a', 'process': {'user': '-1'}}], 'rule "a": process: user "-1" is not a user (a name, or a uid'),
    # the kernel keeps 15 bytes of a process name: a longer one (systemd-resolved) is never matched, and an absent
    # rule with it passed whatever held the socket
    ([{'name': 'a', 'process': {'name': 'systemd-resolved'}}],
     'rule "a": process: name "systemd-resolved" is longer than the 15 bytes the kernel keeps of a process name, so no '
     'process has it; write "systemd-resolve", as ss -p and socket_facts show it'),
    # counted in the name's bytes, not in its text form: the kernel cut this one inside a character (16 bytes here)
    ([{'name': 'a', 'process': {'name': 'nginx-\u043f\u0440\u043e\u043a\\xd1\\xd0'}}],
     'rule "a": process: name "nginx-\u043f\u0440\u043e\u043a\\\\xd1\\\\xd0" is longer than the 15 bytes the kernel keeps of a '
     'process name, so no process has it; write "nginx-\u043f\u0440\u043e\u043a\\\\xd1", as ss -p and socket_facts show it'),
    ([{'name': 'a', 'allow_process': {'name': ''}}], 'rule "a": allow_process: name "" is empty: no process has it'),
    # a filter template that came out empty selected every socket of the rule's tables
    ([{'name': 'a', 'ss_args': '-tl', 'filter': ''}], 'rule "a": filter is empty: give the expression'),
    ([{'name': 'a', 'filter': '  '}], 'rule "a": filter is empty: give the expression'),
    # selection keys are raw data in a rule: checked like the module options of the same name
    ([{'name': 'a', 'listening': 'maybe'}], 'rule "a": listening must be true or false, not "maybe"'),
    ([{'name': 'a', 'kernel_filter': 2}], 'rule "a": kernel_filter must be true or false, not 2'),
    ([{'name': 'a', 'filter': True}], 'rule "a": filter must be text, not true'),
    ([{'name': 'a', 'ss_args': ['-t', True]}], 'rule "a": ss_args must be text, not ["-t", true]'),
    ([{'name': 'a', 'tables': [True]}], 'rule "a": tables must be a list of names, not [true]'),
    ([{'name': 'a', 'states': {'listening': True}}], 'rule "a": states must be a list of names, not {"listening": true}'),
    ([{'name': 'a', 'allow_process': {'name': 'x'}, 'expect': 'present'}], 'goes with expect: absent'),
    ([{'name': 'a', 'tables': ['tcp']}, {'name': 'a', 'tables': ['udp']}], 'names must be unique'),
])
def test_bad_rules_name_the_rule_and_the_word(rules, message):
    with pytest.raises(ArgsError) as info:
        _assert.parse_rules(rules)
    assert message in str(info.value)


def test_rule_selection_keys_are_converted_like_options():
    """listening: "no" is false (as for the module option), "tcp,udp" a list, ss_args: -4 (a YAML number) the text -4."""
    quoted, plain, number = _assert.parse_rules([
        {'name': 'quoted', 'listening': 'no', 'tables': 'tcp,udp', 'kernel_filter': 'yes'},
        {'name': 'plain', 'listening': False, 'tables': ['tcp', 'udp']},
        {'name': 'number', 'ss_args': -4},
    ])
    assert quoted.request == plain.request._replace(kernel_filter=True)
    assert quoted.request.tables == ('udp', 'tcp') and number.request.families == frozenset((socket.AF_INET,))
    listening = _assert.parse_rules([{'name': 'l', 'listening': 'yes'}])[0]
    assert listening.request == _assert.parse_rules([{'name': 'l', 'listening': True}])[0].request


def test_rules_parse():
    rules = _assert.parse_rules([
        {'name': 'no telnet', 'filter': 'sport = :23', 'states': ['listening']},
        {'name': 'db', 'ss_args': '-t state established dst 10.0.0.5:5432', 'expect': 'present', 'process': {'user': 'root'}},
        {'name': 'nginx', 'ss_args': '-tl sport = :443', 'allow_process': [{'name': 'nginx'}, {'pid': '1'}]},
    ], netns='blue')
    assert [r.name for r in rules] == ['no telnet', 'db', 'nginx'] and rules[0].request.states == 1 << 10
    assert rules[1].process == ({'user': 0},) and rules[2].allow_process == ({'name': 'nginx'}, {'pid': 1})
    union = _assert._union_request(rules, 'blue')
    assert union.netns == 'blue' and 'tcp' in union.tables and 'udp' in union.tables and union.filter is None


def test_rules_that_are_good_after_all():
    """What the checks above must not refuse: a null expect is absent, min: 0 goes with a max, whole pids and users
    in any form a playbook writes them (a user name is its uid on this host, as /proc/PID/status gives it)."""
    import pwd
    try:
        nobody = pwd.getpwnam('nobody').pw_uid
    except KeyError:
        nobody = None
    rules = _assert.parse_rules([
        {'name': 'null expect', 'expect': None, 'ss_args': '-tl'},
        {'name': 'at most 3', 'min': 0, 'max': 3},
        {'name': 'whole pids', 'process': [{'pid': '42'}, {'pid': 43.0}, {'pid': 44}]},
        {'name': 'users', 'allow_process': [{'user': 'root'}, {'user': '1000'}, {'user': 0}, {'user': 4294967294}]},
    ] + ([{'name': 'nobody', 'process': {'user': 'nobody'}}] if nobody is not None else []))
    assert rules[0].expect == 'absent' and (rules[1].min, rules[1].max) == (0, 3)
    assert rules[2].process == ({'pid': 42}, {'pid': 43}, {'pid': 44})
    assert rules[3].allow_process == ({'user': 0}, {'user': 1000}, {'user': 0}, {'user': 4294967294})
    if nobody is not None:
        assert rules[4].process == ({'user': nobody},)
    result = _assert._judge(rules[1], [], max_offenders=1)
    assert (result['passed'], result['expect']) == (True, 'at most 3')


def _view(port, state=10, family=AF_INET, table='tcp', dst_port=0):
    addr = bytes(4) if family == AF_INET else bytes(16)
    return SockView(family, table, state, addr, addr, port, dst_port)


def test_one_matcher_tags_each_socket_with_its_rules():
    rules = _assert.parse_rules([
        {'name': 'telnet', 'filter': 'sport = :23', 'states': ['listening']},
        {'name': 'tcp listeners', 'ss_args': '-tl'},
        {'name': 'v6 only', 'ss_args': '-6 -ta'},
        {'name': 'unix', 'ss_args': '-xa'},
    ])
    lookups = HostLookups()
    matcher = _assert._RuleMatcher(rules, lookups, True, _assert._bind_names(rules, None, lookups))
    assert matcher(_view(23)) == (0, 1)
    assert matcher(_view(23, state=1)) == ()
    assert matcher(_view(80, family=AF_INET6)) == (1, 2)
    assert matcher(SockView(AF_UNIX, 'u_str', 1, b'/x', b'', 5, 0)) == (3,)
    assert matcher.bytecode is None        # some rules have no filter: the dump cannot be narrowed
    assert not matcher.needs_attrs and not matcher.has_mark
    two = _assert.parse_rules([{'name': 'a', 'filter': 'sport = :23'}, {'name': 'b', 'filter': 'dport = :25'}])
    only = _assert._RuleMatcher(two, lookups, True, _assert._bind_names(two, None, lookups))
    assert only.bytecode is not None      # the OR of both programs
    marked = _assert.parse_rules([{'name': 'a', 'filter': 'sport = :23'}, {'name': 'm', 'filter': 'fwmark 7'},
                                  {'name': 'c', 'filter': 'cgroup /'}])
    for rules, needs_attrs, has_mark in ((marked, True, True), (marked[2:], True, False), (marked[:1], False, False)):
        some = _assert._RuleMatcher(rules, lookups, True, _assert._bind_names(rules, None, lookups))
        assert (some.needs_attrs, some.has_mark) == (needs_attrs, has_mark)


def _rec(port, pid=None, name='x', **kw):
    rec = {'netid': 'tcp', 'state': 'LISTEN', 'recv_q': 0, 'send_q': 5, 'local_address': '0.0.0.0', 'local_port': port,
           'peer_address': '0.0.0.0', 'peer_port': 0, 'interface': None, 'family': 'inet', 'uid': 0, 'inode': port,
           'cookie': port}
    rec.update(kw)
    return rec


@pytest.mark.parametrize('rule, count, passed, expect', [
    ({'name': 'r'}, 0, True, 'absent'), ({'name': 'r'}, 2, False, 'absent'),
    ({'name': 'r', 'expect': 'present'}, 0, False, 'present'), ({'name': 'r', 'expect': 'present'}, 1, True, 'present'),
    ({'name': 'r', 'max': 1}, 2, False, 'at most 1'), ({'name': 'r', 'expect': 'present', 'min': 2}, 1, False, 'at least 2'),
    ({'name': 'r', 'expect': 'present', 'min': 1, 'max': 3}, 3, True, '1 to 3'),
    # min / max without expect: the range alone (min: 1 was refused as "expect: absent contradicts min: 1")
    ({'name': 'r', 'min': 1, 'max': 1}, 1, True, '1 to 1'), ({'name': 'r', 'min': 1, 'max': 1}, 2, False, '1 to 1'),
    ({'name': 'r', 'min': 1, 'max': 1}, 0, False, '1 to 1'), ({'name': 'r', 'min': 2}, 1, False, 'at least 2'),
    ({'name': 'r', 'min': 1}, 1, True, 'present'), ({'name': 'r', 'min': 0, 'max': 2}, 2, True, 'at most 2'),
])
def test_judge(rule, count, passed, expect):
    (parsed,) = _assert.parse_rules([rule])
    result = _assert._judge(parsed, [_rec(1000 + i, **{MATCHES: (0,)}) for i in range(count)], max_offenders=1)
    assert (result['passed'], result['expect'], result['count']) == (passed, expect, count)
    if result['offenders']:
        assert len(result['offenders']) == 1 and MATCHES not in result['offenders'][0]
        assert result['lines'][0].startswith('Netid State') and len(result['lines']) == 2    # every table, every state
        assert result['offenders_total'] == count     # every selected socket offends (max_offenders: shown)


def test_holder_conditions():
    users = {10: 0, 11: 1000}
    (app, uid, root) = _assert.parse_rules([{'name': 'r', 'process': [{'user': 1000}, {'user': '1000'}, {'user': 'root'}]}])[0].process
    assert _assert._holder_matches({'name': 'nginx', 'pid': 10}, {'name': 'nginx'}, users)
    assert not _assert._holder_matches({'name': 'nginx', 'pid': 10}, {'name': 'nginx', 'pid': 11}, users)
    assert _assert._holder_matches({'name': 'app', 'pid': 11}, app, users)
    assert _assert._holder_matches({'name': 'app', 'pid': 11}, uid, users)
    assert not _assert._holder_matches({'name': 'app', 'pid': 11}, root, users)
    assert _assert._holder_matches({'name': 'init', 'pid': 10}, root, users)
    assert not _assert._holder_matches({'name': 'gone', 'pid': 12}, root, users)


def test_failure_message_names_rules_and_shows_lines():
    telnet = {'name': 'telnet', 'passed': False, 'expect': 'absent', 'count': 1,
              'lines': ['State ...', 'LISTEN 0 5 0.0.0.0:23 0.0.0.0:*']}
    result = {'rules': [{'name': 'ok', 'passed': True}, telnet], 'failed_rules': ['telnet']}
    assert _assert.failure_message(result) == ('1 of 2 rules failed\nrule "telnet" failed: expected absent, found 1 socket:\n'
                                               '  LISTEN 0 5 0.0.0.0:23 0.0.0.0:*')
    assert socket.AF_INET == AF_INET


# ---------------------------------------------------------------- holders that may be hidden (not root)
NGINX = {'name': 'nginx', 'pid': 10, 'fd': 3}
OTHER = {'name': 'evil', 'pid': 11, 'fd': 4}


def _held(port, *holders, **kw):
    return _rec(port, processes=list(holders), **kw)


A443 = {'allow_process': {'name': 'nginx'}}
P443 = {'process': {'name': 'nginx'}}


@pytest.mark.parametrize('rule, sockets, hidden, shared, sure, unsure', [
    # allow_process: a visible holder that is not allowed decides; a socket with no visible holder is unsure while
    # some processes could not be read; one whose visible holders are all allowed only when other users' processes are
    # hidden (not root: a root process may share it)
    (A443, [_held(443, NGINX)], False, False, [], []),
    (A443, [_held(443, NGINX)], True, False, [], []),
    (A443, [_held(443, NGINX)], True, True, [], [443]),
    (A443, [_held(443, NGINX, OTHER)], True, True, [443], []),
    (A443, [_held(443)], False, False, [443], []),
    (A443, [_held(443)], True, False, [], [443]),
    (A443, [_held(443)], True, True, [], [443]),
    (A443, [_held(443, inode=0)], True, True, [443], []),     # no process can hold it
    # process: a visible matching holder decides; the others may have a hidden one
    (P443, [_held(443, NGINX), _held(444, OTHER), _held(445)], False, False, [443], []),
    (P443, [_held(443, NGINX), _held(444, OTHER), _held(445)], True, False, [443], [445]),
    (P443, [_held(443, NGINX), _held(444, OTHER), _held(445)], True, True, [443], [444, 445]),
    (P443, [_held(445, inode=0)], True, True, [], []),
    # no process condition: holders do not matter
    ({}, [_held(443), _held(444)], True, True, [443, 444], []),
])
def test_sockets_whose_holders_may_be_hidden(rule, sockets, hidden, shared, sure, unsure):
    (parsed,) = _assert.parse_rules([dict(rule, name='r')])
    got_sure, got_unsure = _assert._by_holders(parsed, sockets, {}, hidden, shared)
    assert [r['local_port'] for r in got_sure] == sure and [r['local_port'] for r in got_unsure] == unsure


@pytest.mark.parametrize('rule, count, unsure, passed, decided', [
    # a rule passes only when every count the hidden holders allow meets it, fails when none does
    ({'name': 'r'}, 0, 0, True, True), ({'name': 'r'}, 0, 2, False, False), ({'name': 'r'}, 1, 2, False, True),
    ({'name': 'r', 'expect': 'present'}, 1, 3, True, True), ({'name': 'r', 'expect': 'present'}, 0, 3, False, False),
    ({'name': 'r', 'expect': 'present'}, 0, 0, False, True),
    ({'name': 'r', 'max': 2}, 1, 1, True, True), ({'name': 'r', 'max': 2}, 1, 2, False, False),
    ({'name': 'r', 'max': 2}, 3, 2, False, True),
    ({'name': 'r', 'expect': 'present', 'min': 2, 'max': 3}, 1, 1, False, False),
    ({'name': 'r', 'expect': 'present', 'min': 2, 'max': 3}, 0, 1, False, True),
])
def test_judge_with_hidden_holders(rule, count, unsure, passed, decided):
    (parsed,) = _assert.parse_rules([rule])
    sure = [_rec(1000 + i, **{MATCHES: (0,)}) for i in range(count)]
    maybe = [_rec(2000 + i, **{MATCHES: (0,)}) for i in range(unsure)]
    result = _assert._judge(parsed, sure, 20, maybe)
    assert (result['passed'], result['decided'], result['count'], result['hidden_holders']) == (passed, decided, count, unsure)
    high = 0 if rule == {'name': 'r'} else rule.get('max')
    if not decided and high is not None and count + unsure > high:
        # perhaps too many: the sockets that count come first, then those that might
        assert [r['local_port'] for r in result['offenders']] == [r['local_port'] for r in sure + maybe]


def test_a_rule_not_decided_says_why(monkeypatch):
    rule = {'name': 'only nginx', 'passed': False, 'decided': False, 'expect': 'absent', 'count': 0, 'hidden_holders': 1,
            'lines': ['State ...', 'LISTEN 0 5 0.0.0.0:443 0.0.0.0:*']}
    monkeypatch.setattr(_assert.os, 'geteuid', lambda: 65534)
    assert _assert.failure_message({'rules': [rule], 'failed_rules': ['only nginx']}) == (
        '1 of 1 rules failed\nrule "only nginx" not decided: expected absent, found 0 sockets, and 1 more whose holders '
        'may be hidden (not every process could be read; run with become: true):\n  LISTEN 0 5 0.0.0.0:443 0.0.0.0:*')
    monkeypatch.setattr(_assert.os, 'geteuid', lambda: 0)
    assert '(not every process could be read):' in _assert.failure_message({'rules': [rule], 'failed_rules': ['only nginx']})


def test_who_may_hide_a_holder(monkeypatch):
    """Root without CAP_SYS_PTRACE (a container's default) cannot read its own non-dumpable processes (sshd,
    ssh-agent, a setuid program's): such a process may share a socket, so a rule on holders is not decided. It was
    taken for an outer user namespace's process, and the rule passed."""
    class Scan(object):
        denied = {'44'}
    monkeypatch.setattr(_assert, '_process_uids', lambda pids: {int(pid): 0 for pid in pids})    # root's
    monkeypatch.setattr(_assert.os, 'geteuid', lambda: 0)
    for ptrace, hidden in ((False, True), (True, False)):
        monkeypatch.setattr(_assert, 'has_capability', lambda cap, default=False, ptrace=ptrace: ptrace)
        assert _assert._others_hidden(Scan()) is hidden
    # with CAP_SYS_PTRACE, an unreadable process of another user is still one that may share
    monkeypatch.setattr(_assert, '_process_uids', lambda pids: {int(pid): 33 for pid in pids})
    assert _assert._others_hidden(Scan()) is True
    Scan.denied = set()
    monkeypatch.setattr(_assert, 'has_capability', lambda cap, default=False: False)
    assert _assert._others_hidden(Scan()) is False
    monkeypatch.setattr(_assert.os, 'geteuid', lambda: 65534)
    assert _assert._others_hidden(Scan()) is True


def test_a_holder_is_the_user_it_runs_as(tmp_path):
    """A setuid-root program run by nobody runs as root (ps shows root): the effective uid, not the real one."""
    (tmp_path / '7').mkdir()
    (tmp_path / '7' / 'status').write_text('Name:\tx\nUid:\t65534\t0\t0\t0\nGid:\t0\t0\t0\t0\n')
    assert _assert._process_uids([7, 8], proc=str(tmp_path)) == {7: 0, 8: None}


def test_a_refused_fwmark_names_the_rules_that_have_it(monkeypatch):
    from ansible_collections.netdiag.ss.plugins.module_utils._errors import MarkNotPermitted

    def refused(request, lookups=None, planner=None, **kw):
        raise MarkNotPermitted('filter: the kernel evaluates fwmark conditions only for callers with CAP_NET_ADMIN')
    monkeypatch.setattr(_assert, 'select', refused)
    rules = _assert.parse_rules([{'name': 'plain', 'ss_args': '-tl', 'filter': 'sport = :22'},
                                 {'name': 'marked', 'ss_args': '-tl', 'filter': 'fwmark = 0x1'}])
    with pytest.raises(ArgsError, match='^rule "marked": filter: the kernel evaluates fwmark conditions only'):
        _assert.evaluate(rules, lookups=HostLookups())


def test_a_failure_message_says_what_the_holders_had_to_be():
    rules = _assert.parse_rules([{'name': 'only nginx', 'filter': 'sport = :443', 'allow_process': {'name': 'nginx'}},
                                 {'name': 'no sshd on 23', 'filter': 'sport = :23', 'process': {'name': 'sshd'}},
                                 {'name': 'no telnet', 'filter': 'sport = :23'}])
    failed = [{'name': r.name, 'passed': False, 'expect': 'absent', 'count': 2, 'lines': []} for r in rules]
    message = _assert.failure_message({'rules': failed, 'failed_rules': [r.name for r in rules]}, rules)
    assert message.splitlines()[1:] == [
        'rule "only nginx" failed: expected absent, found 2 sockets not held by an allowed process (allow_process)',
        'rule "no sshd on 23" failed: expected absent, found 2 sockets held by a process the rule names (process)',
        'rule "no telnet" failed: expected absent, found 2 sockets']


def test_evaluate_warns_once_and_judges_hidden_holders(monkeypatch):
    """evaluate() with a /proc scan that could not read every process (faked: the live run as nobody is in
    tests/integration/test_nonroot.py). Port 443's holder is hidden, port 22's (sshd) is visible."""
    from ansible_collections.netdiag.ss.plugins.module_utils import _procs
    from ansible_collections.netdiag.ss.plugins.module_utils._select import Selection
    tags = {}

    def fake_select(request, lookups=None, planner=None, count_after=None):
        if count_after is not None:
            return Selection([], [], [], None)      # the one counting rule, "no telnet": nothing on :23
        return Selection([_rec(port, **{MATCHES: rules}) for port, rules in sorted(tags.items())], [], [], None)

    def fake_holders(inodes, scan=None, **_kw):
        scan.denied.update(['1', '2'])
        return {22: [dict(NGINX, name='sshd')]}
    monkeypatch.setattr(_assert, 'select', fake_select)
    monkeypatch.setattr(_procs, 'find_holders', fake_holders)
    monkeypatch.setattr(_procs.os, 'geteuid', lambda: 65534)
    rules = _assert.parse_rules([{'name': 'only nginx on 443', 'filter': 'sport = :443', 'allow_process': {'name': 'nginx'}},
                                 {'name': 'nginx on 443', 'filter': 'sport = :443', 'process': {'name': 'nginx'},
                                  'expect': 'present'},
                                 {'name': 'only sshd on 22', 'filter': 'sport = :22', 'allow_process': {'name': 'sshd'}},
                                 {'name': 'no telnet', 'filter': 'sport = :23'}])
    tags.update({443: (0, 1), 22: (2,)})
    result, warnings = _assert.evaluate(rules)
    # not root: sshd's socket may be shared with a hidden process too
    assert [(r['name'], r['passed'], r['decided'], r['hidden_holders']) for r in result['rules']] == [
        ('only nginx on 443', False, False, 1), ('nginx on 443', False, False, 1), ('only sshd on 22', False, False, 1),
        ('no telnet', True, True, 0)]
    assert result['failed_rules'] == ['only nginx on 443', 'nginx on 443', 'only sshd on 22'] and not result['passed']
    assert warnings == [
        'not root: the processes of other users are hidden (the open files of 2 processes could not be read): rules with '
        'process conditions ("only nginx on 443", "nginx on 443", "only sshd on 22") select sockets whose holders may not '
        'all be seen; such a rule passes only where no hidden holder could change its outcome, and fails as not decided '
        'otherwise; run with become: true']
    # as root, processes it cannot read that run as root themselves are an outer user namespace's (a container's
    # init seen from inside): only sockets without a visible holder are unsure, and sshd's is judged on its holders
    monkeypatch.setattr(_procs.os, 'geteuid', lambda: 0)
    monkeypatch.setattr(_assert, '_process_uids', lambda pids: dict((pid, 0) for pid in pids))
    result, warnings = _assert.evaluate(rules)
    assert [(r['passed'], r['decided'], r['hidden_holders']) for r in result['rules']] == [
        (False, False, 1), (False, False, 1), (True, True, 0), (True, True, 0)]
    assert warnings == [
        'some processes could not be read even as root (the open files of 2 processes could not be read): rules with '
        'process conditions ("only nginx on 443", "nginx on 443") select sockets whose holders may not all be seen; such '
        'a rule passes only where no hidden holder could change its outcome, and fails as not decided otherwise']
    # root that cannot read other users' processes (a container without CAP_SYS_PTRACE): sshd's socket may be shared
    # with one of them all the same
    monkeypatch.setattr(_assert, '_process_uids', lambda pids: dict((pid, 33) for pid in pids))
    result, warnings = _assert.evaluate(rules)
    assert [(r['passed'], r['decided'], r['hidden_holders']) for r in result['rules']] == [
        (False, False, 1), (False, False, 1), (False, False, 1), (True, True, 0)]
    assert '"only sshd on 22"' in warnings[0]
    # every process read: nothing is unsure, and no warning
    monkeypatch.setattr(_procs, 'find_holders', lambda inodes, scan=None, **_kw: {22: [dict(NGINX, name='sshd')]})
    result, warnings = _assert.evaluate(rules)
    assert [(r['passed'], r['decided'], r['hidden_holders']) for r in result['rules']] == [
        (False, True, 0), (False, True, 0), (True, True, 0), (True, True, 0)] and warnings == []


def test_rules_share_one_dump_for_listeners_and_one_for_the_rest(monkeypatch):
    """The kernel's program cannot test a state: listener rules (-l) get a dump of their own, or a listener's port
    would bring every connection to that port to user space. Counts and autobound rules each have their own."""
    from ansible_collections.netdiag.ss.plugins.module_utils._select import Selection
    from ansible_collections.netdiag.ss.plugins.module_utils._vocab import LISTEN_AND_CLOSE, STATE_WORDS
    dumps = []

    def fake_select(request, lookups=None, planner=None, count_after=None):
        batch = None
        if planner is not None:
            matcher = planner(request, HostLookups())[0]
            batch = [check[0] for check in matcher.checks]
        dumps.append((batch, request.states, request.tables, count_after is not None, request.filter is None))
        return Selection([], [], [], None)
    monkeypatch.setattr(_assert, 'select', fake_select)
    rules = _assert.parse_rules([
        {'name': 'no telnet', 'ss_args': '-tl sport = :23'},
        {'name': 'no old database', 'ss_args': '-t state established dst 10.0.0.5:5432'},
        {'name': 'no tftp', 'ss_args': '-ul sport = :69'},
        {'name': 'capacity', 'ss_args': '-t state established', 'max': 100},
        {'name': 'nothing on 8080', 'ss_args': '-ta sport = :8080'},
        {'name': 'autobound', 'ss_args': '-ta autobound'},
    ])
    result, _warnings = _assert.evaluate(rules)
    assert result['passed']
    established = STATE_WORDS['established']
    assert dumps == [
        (None, established, ('tcp',), True, True),                                     # the count, counted
        ([0, 2], LISTEN_AND_CLOSE, ('udp', 'tcp'), False, True),                       # the listeners' rules (ss's order)
        ([1, 4], rules[4].request.states | established, ('tcp',), False, True),       # the others
        ([5], rules[5].request.states, ('tcp',), False, True),                          # autobound, alone
    ]
    assert rules[4].request.states & LISTEN_AND_CLOSE         # -a: a rule about both sides goes with the others


def test_a_rule_filter_file_is_a_path_as_the_option_is(tmp_path, monkeypatch):
    """~ and $VARS in a rule's filter_file are expanded as Ansible expands the module's path option."""
    (tmp_path / 'ff.txt').write_text('sport = :23\n')
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setenv('NDSS_DIR', str(tmp_path))
    for path in ('~/ff.txt', '$NDSS_DIR/ff.txt'):
        (rule,) = _assert.parse_rules([{'name': 'a', 'ss_args': '-tl', 'filter_file': path}])
        assert rule.request.filter is not None and rule.request.filter_words == ('sport = :23',)


def test_names_a_host_lacks_fail_with_the_rule_before_any_socket_is_read(monkeypatch):
    """A device, service or cgroup the rule names is looked up before the first dump (in the namespace read)."""
    monkeypatch.setattr(_assert, 'select', lambda *a, **kw: pytest.fail('a socket was read before the names were'))
    rules = _assert.parse_rules([{'name': 'ok', 'ss_args': '-t'}, {'name': 'bad-dev', 'ss_args': '-ta dev nosuchdev0'}])
    with pytest.raises(ArgsError) as info:
        _assert.evaluate(rules)
    assert str(info.value).startswith('rule "bad-dev": ') and '"nosuchdev0"' in str(info.value)


def test_user_names_are_looked_up_and_unknown_ones_match_no_process():
    """A name becomes its uid when the rules are read; a name this host lacks is kept aside and matches nobody."""
    import pwd
    root = pwd.getpwuid(0).pw_name
    (rule,) = _assert.parse_rules([{'name': 'a', 'ss_args': '-tl', 'allow_process': [{'user': root}, {'user': 'nosuchuser-ndss'}]}])
    assert rule.allow_process == ({'user': 0}, {'user': None, _assert.UNKNOWN_USER: 'nosuchuser-ndss'})
    holder = {'pid': 1, 'name': 'init'}
    assert _assert._holder_matches(holder, rule.allow_process[0], {1: 0})
    assert not _assert._holder_matches(holder, rule.allow_process[1], {1: 0})
    assert not _assert._holder_matches(holder, rule.allow_process[1], {1: None})


def test_a_process_name_is_counted_in_its_bytes():
    """A name the kernel cut inside a character (15 bytes, the last \\xd1) is given in the text form socket_facts shows:
    4 characters for that byte. It was refused as longer than 15 bytes, so such a process could not be named."""
    cut = 'nginx-\u043f\u0440\u043e\u043a\\xd1'         # b'nginx-\xd0\xbf\xd1\x80\xd0\xbe\xd0\xba\xd1'
    rules = _assert.parse_rules([{'name': 'a', 'allow_process': {'name': cut}, 'filter': 'sport = :7500'}])
    assert rules[0].allow_process[0]['name'] == cut
    assert _assert.parse_rules([{'name': 'a', 'process': {'name': 'a\\\\b' + 'c' * 12}, 'filter': 'sport = :1'}])  # 15 bytes
