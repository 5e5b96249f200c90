# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_assert's main(): rules in, the JSON result out, with the kernel faked (tests/integration has the real one)."""

from __future__ import annotations

import collections
import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.netdiag.ss.plugins.module_utils import _select
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import SS_CONN
from ansible_collections.netdiag.ss.plugins.modules import socket_assert

TELNET = {'netid': 'tcp', 'state': 'LISTEN', 'recv_q': 0, 'send_q': 5, 'local_address': '0.0.0.0', 'local_port': 23,
          'peer_address': '0.0.0.0', 'peer_port': 0, 'interface': None, 'family': 'inet', 'uid': 0, 'inode': 77,
          'cookie': 7}


@pytest.fixture
def kernel(monkeypatch):
    """A fake collector that runs the module's matcher over fixed sockets."""
    from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
    calls = []

    from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
    from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request

    def program(text):
        # the kernel's program socket_facts sends for this filter
        request = build_request({'filter': text})
        expr, eph = _select._bind(request, HostLookups())
        return _select._plan(request, expr, eph).bytecode
    # the kernel's half, for the programs these tests send: does the telnet listener pass it?
    kernel_says = {program('sport = :23'): True, program('sport = :25'): False}

    def fake_collect(tables, families, states, match=None, tagged=False, **kw):
        calls.append(dict(kw, tables=tables, match=match, states=states))
        out = []
        view = SockView(2, 'tcp', 10, bytes(4), bytes(4), 23, 0)
        if match:
            hit = match(view)
        else:
            hit = kernel_says.get(kw.get('bytecode'), True)
        if hit:
            rec = dict(TELNET)
            if tagged:
                rec['matches'] = hit
            out.append(rec)
        return out, collections.OrderedDict()
    monkeypatch.setattr(_select, 'collect', fake_collect)
    return calls


def run(args, capsys):
    with patch_module_args(args):
        with pytest.raises(SystemExit) as info:
            socket_assert.main()
    return info.value.code, json.loads(capsys.readouterr().out)


def test_rules_pass_and_fail(kernel, capsys):
    rc, result = run({'rules': [{'name': 'no telnet', 'filter': 'sport = :23', 'states': ['listening']},
                                {'name': 'no smtp', 'filter': 'sport = :25'}]}, capsys)
    assert rc == 1 and result['failed'] and result['failed_rules'] == ['no telnet'] and not result['passed']
    assert 'rule "no telnet" failed: expected absent, found 1 socket' in result['msg'] and '0.0.0.0:23' in result['msg']
    assert [r['count'] for r in result['rules']] == [1, 0] and result['changed'] is False
    # one dump for the listeners' rule, one for the connections' (the kernel's program cannot test a state)
    assert [k['states'] for k in kernel] == [1 << 10, SS_CONN] and not any(k['count_after'] for k in kernel)


def test_a_rule_without_a_filter_is_counted_in_a_dump_of_its_own(kernel, capsys):
    rc, result = run({'rules': [{'name': 'no telnet', 'filter': 'sport = :23', 'states': ['listening']},
                                {'name': 'few listeners', 'states': ['listening'], 'max': 5}]}, capsys)
    assert rc == 1 and [r['count'] for r in result['rules']] == [1, 1]
    assert [(bool(call['bytecode']), call['count_after']) for call in kernel] == [(False, 20), (True, None)]


def test_the_source_is_every_rules(kernel, capsys):
    """source, like netns, is the module's: every rule is read from it."""
    run({'rules': [{'name': 'no telnet', 'filter': 'sport = :23'}, {'name': 'an autobound rule', 'filter': 'autobound'}],
         'source': 'proc'}, capsys)
    assert [call['source'] for call in kernel] == ['proc', 'proc']
    run({'filter': 'sport = :25'}, capsys)
    assert kernel[-1]['source'] == 'auto'


def test_report_only_and_ad_hoc(kernel, capsys):
    rc, result = run({'filter': 'sport = :23', 'states': ['listening'], 'report_only': True}, capsys)
    assert rc == 0 and result['passed'] is False and result['rules'][0]['name'] == 'assertion'
    assert result['rules'][0]['offenders'][0]['local_port'] == 23


@pytest.mark.parametrize('args, message', [
    ({}, 'give rules, or one rule'),
    ({'rules': [{'name': 'x', 'filter': 'sport ='}]}, 'rule "x": filter: expression ends too early'),
    ({'rules': [{'name': 'x'}], 'filter': 'sport = :1'}, 'mutually exclusive'),
    # an empty name (a templated netns that came out empty) read the host's own namespace
    ({'rules': [{'name': 'x', 'filter': 'sport = :1'}], 'netns': ''}, 'netns: "" is not a valid namespace name'),
    ({'filter': 'sport = :1', 'netns': ''}, 'netns: "" is not a valid namespace name'),
    ({'filter': 'sport = :1', 'skip': ['x']}, 'missing parameter(s) required by \'skip\': rules'),
    ({'rules': [{'name': 'x', 'filter': 'sport = :1'}], 'skip': ['x']},
     'rules: every rule given is in skip: give at least one rule to check'),
])
def test_bad_input_reads_nothing(kernel, capsys, args, message):
    rc, result = run(args, capsys)
    assert rc == 1 and message in result['msg'] and not kernel


def test_skip_leaves_rules_out_and_warns_about_a_name_that_names_none(kernel, capsys):
    """An exemption from a shared policy: the rule is not read (a bad one is no error), not checked, not returned; a
    misspelt name skipped nothing, silently."""
    rules = [{'name': 'no telnet', 'filter': 'sport = :23', 'states': ['listening']},
             {'name': 'bad', 'filter': 'sport ='},
             {'name': 'no smtp', 'filter': 'sport = :25'}]
    rc, result = run({'rules': rules, 'skip': ['no telnet', 'bad', 'no telnt']}, capsys)
    assert rc == 0 and result['passed'] and [r['name'] for r in result['rules']] == ['no smtp']
    warnings = json.dumps(result['warnings'])      # plain strings, or ansible-core 2.19's warning summaries
    assert warnings.count('skip: no rule is named') == 1 and ('skip: no rule is named \\"no telnt\\", so it skips '
                                                              'nothing (a misspelt name leaves the rule it meant checked)'
                                                              in warnings), warnings
    # the others keep their numbers in messages
    rc, result = run({'rules': rules + [{'name': 2049, 'filter': 'sport = :1'}], 'skip': ['bad']}, capsys)
    assert rc == 1 and result['msg'] == 'rule 4: name must be text, not 2049'


def test_no_header_in_ss_args_still_gives_lines_header_first(kernel, capsys):
    """-H in a rule's ss_args (pasted from `ss -Htln`): lines had no header, and the failure message, which leaves the
    header out, showed no socket."""
    rc, result = run({'rules': [{'name': 'no telnet', 'ss_args': '-tlH sport = :23'}]}, capsys)
    (rule,) = result['rules']
    assert rc == 1 and rule['lines'][0].startswith('State') and '0.0.0.0:23' in rule['lines'][1]
    assert '0.0.0.0:23' in result['msg']


def test_a_rules_own_warnings_are_given(kernel, capsys):
    """A filter that mixes and/or without parentheses (ss reads it left to right): socket_facts warns, socket_assert
    said nothing."""
    rc, result = run({'rules': [{'name': 'mixed', 'ss_args': '-tl', 'filter': 'sport = :22 or sport = :23 and src 10.0.0.0/8'}],
                      'report_only': True}, capsys)
    warnings = json.dumps(result.get('warnings'))
    assert rc == 0 and 'rule \\"mixed\\": the filter mixes \\"and\\" and \\"or\\"' in warnings, warnings


@pytest.mark.parametrize('value, shown', [(-1, '-1'), (True, 'true')])
def test_a_max_offenders_that_is_no_count_is_refused(capsys, value, shown):
    """A YAML boolean passes Ansible's int type: true was taken as 1 offender (max_kill and max_sockets refuse it)."""
    with patch_module_args({'filter': 'sport = :23', 'max_offenders': value}):
        with pytest.raises(SystemExit):
            socket_assert.main()
    result = json.loads(capsys.readouterr().out)
    assert result['failed'] and result['msg'] == 'max_offenders: %s is not a number of sockets (0 or more)' % shown
