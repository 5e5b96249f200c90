# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compliance report: checking the input, the model and totals, and the JSON, JUnit and HTML renderings."""

from __future__ import annotations

import copy
import html.parser
import json
import re
import time
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.netdiag.ss.plugins.plugin_utils import _report
from ansible_collections.netdiag.ss.plugins.plugin_utils._report import ReportError

HEADER = 'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess'


def sock(port, proc='nginx', addr='0.0.0.0'):
    return {'netid': 'tcp', 'state': 'LISTEN', 'recv_q': 0, 'send_q': 128, 'local_address': addr, 'local_port': port,
            'peer_address': '0.0.0.0', 'peer_port': 0, 'processes': [{'name': proc, 'pid': 100 + port, 'fd': 3}]}


def line(port, proc='nginx', addr='0.0.0.0'):
    return f'tcp   LISTEN 0      128 {addr}:{port} 0.0.0.0:*    users:(("{proc}",pid={100 + port},fd=3))'


def passed(name, expect='absent', count=0):
    return {'name': name, 'passed': True, 'expect': expect, 'count': count, 'offenders': [], 'offenders_total': 0,
            'lines': []}


def failed(name, ports=(), proc='apache2', expect='absent', count=None, total=None):
    offenders = [sock(p, proc) for p in ports]
    return {'name': name, 'passed': False, 'expect': expect, 'count': len(ports) if count is None else count,
            'offenders': offenders, 'offenders_total': len(ports) if total is None else total,
            'lines': [HEADER] + [line(p, proc) for p in ports] if ports else []}


def ok(*rules):
    failed_rules = [r['name'] for r in rules if not r['passed']]
    return {'status': 'ok', 'result': {'rules': list(rules), 'failed_rules': failed_rules, 'passed': not failed_rules,
                                       'changed': False, 'warnings': []}}


POLICY = ['no telnet', 'only nginx on https', 'sshd listening']


def sample():
    """Every status: a passing host, a failing one, one without a rule and with an extra one, unreachable, error."""
    return {
        'title': 'Socket compliance',
        'generated': '2026-12-02T10:00:00Z',
        'rules': list(POLICY),
        'hosts': {
            'web1': ok(passed('no telnet'), failed('only nginx on https', [443, 8443]), passed('sshd listening', 'present', 1)),
            'web2': ok(passed('no telnet'), passed('only nginx on https'), passed('sshd listening', 'present', 1)),
            'db1': {'status': 'unreachable', 'msg': 'Failed to connect to the host via ssh: No route to host'},
            'db2': ok(failed('no telnet', [23], 'inetd'), passed('sshd listening', 'present', 1),
                      failed('postgres only on 5432', [5433], 'postgres')),
            'x': {'status': 'error', 'msg': 'rule "bad": unknown key(s) frobnicate\nsecond line'},
        },
    }


def cells(model, host):
    return dict((c['rule'], c['status']) for h in model['hosts'] if h['name'] == host for c in h['cells'])


# ---------------------------------------------------------------------------- the model

def test_statuses_of_hosts_and_cells():
    model = _report.build(sample())
    assert [(h['name'], h['status']) for h in model['hosts']] == [
        ('web1', 'failed'), ('web2', 'passed'), ('db1', 'unreachable'), ('db2', 'failed'), ('x', 'error')]
    assert [r['name'] for r in model['rules']] == POLICY + ['postgres only on 5432']
    assert [r['in_policy'] for r in model['rules']] == [True, True, True, False]
    assert cells(model, 'web1') == {'no telnet': 'passed', 'only nginx on https': 'failed', 'sshd listening': 'passed',
                                    'postgres only on 5432': 'not_applicable'}
    assert cells(model, 'db2') == {'no telnet': 'failed', 'only nginx on https': 'not_applicable',
                                   'sshd listening': 'passed', 'postgres only on 5432': 'failed'}
    assert set(cells(model, 'db1').values()) == {'unreachable'} and len(cells(model, 'db1')) == 4
    assert set(cells(model, 'x').values()) == {'error'}
    db1 = model['hosts'][2]
    assert db1['msg'] == 'Failed to connect to the host via ssh: No route to host'
    assert model['hosts'][0]['msg'] is None
    assert model['passed'] is False


def test_missing_and_extra_rules_per_host():
    model = _report.build(sample())
    db2 = model['hosts'][3]
    assert db2['missing_rules'] == ['only nginx on https'] and db2['extra_rules'] == ['postgres only on 5432']
    web1 = model['hosts'][0]
    assert web1['missing_rules'] == [] and web1['extra_rules'] == []
    # an extra rule is not missing on hosts that do not have it: it is simply not applicable there
    assert web1['counts'] == {'passed': 2, 'failed': 1, 'not_applicable': 1, 'unreachable': 0, 'error': 0}


def test_totals():
    model = _report.build(sample())
    assert model['totals'] == {
        'hosts': 5, 'hosts_checked': 3, 'hosts_passed': 1, 'hosts_failed': 2, 'hosts_unreachable': 1,
        'hosts_error': 1, 'rules': 4,
        'cells': {'passed': 6, 'failed': 3, 'not_applicable': 3, 'unreachable': 4, 'error': 4},
    }
    per_rule = dict((r['name'], r['counts']) for r in model['rules'])
    assert per_rule['no telnet'] == {'passed': 2, 'failed': 1, 'not_applicable': 0, 'unreachable': 1, 'error': 1}
    assert per_rule['only nginx on https'] == {'passed': 1, 'failed': 1, 'not_applicable': 1, 'unreachable': 1,
                                               'error': 1}
    assert per_rule['postgres only on 5432'] == {'passed': 0, 'failed': 1, 'not_applicable': 2, 'unreachable': 1,
                                                 'error': 1}
    # every cell is counted once: rows and columns add up to the grand total
    total = model['totals']['cells']
    for status in _report.CELL_STATUSES:
        assert sum(h['counts'][status] for h in model['hosts']) == total[status]
        assert sum(r['counts'][status] for r in model['rules']) == total[status]
    assert sum(total.values()) == len(model['hosts']) * len(model['rules'])
    assert [(h['name'], c['rule']) for h, c in _report.failed_cells(model)] == [
        ('web1', 'only nginx on https'), ('db2', 'no telnet'), ('db2', 'postgres only on 5432')]


def test_checked_cells_carry_the_rule_result():
    model = _report.build(sample())
    cell = model['hosts'][0]['cells'][1]
    # decided and hidden_holders, left out by this result, are those of a rule without process conditions
    assert cell == {'rule': 'only nginx on https', 'status': 'failed', 'expect': 'absent', 'count': 2,
                    'decided': True, 'hidden_holders': 0,
                    'offenders_total': 2, 'offenders': [sock(443, 'apache2'), sock(8443, 'apache2')],
                    'lines': [HEADER, line(443, 'apache2'), line(8443, 'apache2')]}
    assert model['hosts'][2]['cells'][0] == {'rule': 'no telnet', 'status': 'unreachable', 'expect': None,
                                             'count': None, 'decided': None, 'hidden_holders': None,
                                             'offenders_total': None, 'offenders': [], 'lines': []}


def test_all_passed_and_edge_sizes():
    report = {'title': 'T', 'generated': 'g', 'rules': ['a'], 'hosts': {'h': ok(passed('a'))}}
    model = _report.build(report)
    assert model['passed'] is True and model['totals']['hosts_passed'] == 1
    # a report of no host checked nothing: not passed (the HTML page says "No hosts in this report" as a failure)
    assert _report.build({'title': '', 'generated': '', 'rules': [], 'hosts': {}})['passed'] is False
    # a host whose rules were all removed passes with nothing checked
    model = _report.build({'title': 'T', 'generated': 'g', 'rules': ['a'], 'hosts': {'h': ok()}})
    assert model['hosts'][0]['status'] == 'passed' and model['hosts'][0]['missing_rules'] == ['a']
    # an unreachable host fails the report even when every checked host passed
    report['hosts']['u'] = {'status': 'unreachable'}
    model = _report.build(report)
    assert model['passed'] is False and model['hosts'][1]['msg'] == ''


def test_input_is_not_changed_and_order_is_kept():
    report = sample()
    before = copy.deepcopy(report)
    model = _report.build(report)
    assert report == before
    reordered = dict(reversed(list(report['hosts'].items())))
    model2 = _report.build(dict(report, hosts=reordered))
    assert [h['name'] for h in model2['hosts']] == [h['name'] for h in model['hosts']][::-1]
    # the model shares nothing with the input
    model['hosts'][0]['cells'][1]['offenders'][0]['local_port'] = 1
    assert report == before


def test_tuples_and_subclasses_are_accepted():
    class Tagged(str):
        pass

    class Lazy(dict):
        pass
    report = sample()
    report['title'] = Tagged('Tagged title')
    report['rules'] = tuple(report['rules'])
    report['hosts'] = Lazy(report['hosts'])
    model = _report.build(report)
    # plain types, not the subclasses (pylint would have isinstance(), which is exactly what is not meant here)
    assert model['title'].__class__ is str and model['title'] == 'Tagged title' and model['rules'].__class__ is list


# ---------------------------------------------------------------------------- bad input

def _set(path, value):
    """A mutation of sample(): set (or with value=KeyError, delete) the item at path."""
    def mutate(report):
        target = report
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return report
    return mutate


RULE0 = ('hosts', 'web1', 'result', 'rules', 0)
W1 = 'report.hosts.web1.result'

BAD = [
    (lambda r: ['not', 'a', 'dict'], 'the report must be a dict with title, generated, rules and hosts, not a list'),
    (_set(('title',), KeyError), 'report: title is missing (a string)'),
    (_set(('generated',), 20261202), 'report.generated: must be a string (when the report was made), not a number 20261202'),
    (_set(('rules',), 'no telnet'), 'report.rules: must be a list of rule names, in policy order, not a string'),
    (_set(('rules',), ['a', 'a']), 'report.rules[1]: rule "a" is listed twice'),
    (_set(('rules',), ['a', '  ']), 'report.rules[1]: must be a rule name (a non-empty string), not a string'),
    (_set(('hosts',), ['web1']), 'report.hosts: must be a dict of host name -> host result, not a list'),
    (_set(('hosts',), {'': {'status': 'unreachable'}}), 'report.hosts[""]: a host name must not be empty'),
    (_set(('hosts', 'web1'), 'ok'), 'report.hosts.web1: must be a dict with status'),
    (_set(('hosts', 'web1', 'status'), KeyError), 'report.hosts.web1: status is missing (ok, unreachable or error)'),
    (_set(('hosts', 'web1', 'status'), 'down'), 'report.hosts.web1.status: must be ok, unreachable or error, not "down"'),
    (_set(('hosts', 'web1', 'result'), KeyError), 'report.hosts.web1: result is missing'),
    (_set(('hosts', 'web1', 'result'), None), W1 + ": must be socket_assert's result"),
    (_set(('hosts', 'web1', 'result', 'rules'), KeyError), W1 + ': rules is missing (a list of rule results)'),
    (_set(('hosts', 'db1', 'msg'), 42), 'report.hosts.db1.msg: must be a string, not a number'),
    (_set(RULE0, 'no telnet'), W1 + '.rules[0]: must be a rule result (a dict with name, passed,'),
    (_set(RULE0 + ('name',), KeyError), W1 + '.rules[0]: name is missing (a non-empty string)'),
    (_set(RULE0 + ('passed',), 'yes'), W1 + '.rules[0] (rule "no telnet").passed: must be true or false, not a string "yes"'),
    (_set(RULE0 + ('expect',), KeyError), W1 + '.rules[0] (rule "no telnet"): expect is missing'),
    (_set(RULE0 + ('count',), -1), W1 + '.rules[0] (rule "no telnet").count: must be a whole number, 0 or more, not a number -1'),
    (_set(RULE0 + ('count',), True), W1 + '.rules[0] (rule "no telnet").count: must be a whole number, 0 or more, not a bool true'),
    (_set(RULE0 + ('name',), None), W1 + '.rules[0].name: must be a non-empty string, not null'),
    (_set(RULE0 + ('offenders',), {}), W1 + '.rules[0] (rule "no telnet").offenders: must be a list of socket records'),
    (_set(RULE0 + ('decided',), 'no'), W1 + '.rules[0] (rule "no telnet").decided: must be true or false, not a string "no"'),
    (_set(RULE0 + ('decided',), False), W1 + '.rules[0] (rule "no telnet").decided: is false but the rule passed'),
    (_set(RULE0 + ('hidden_holders',), -1),
     W1 + '.rules[0] (rule "no telnet").hidden_holders: must be a whole number, 0 or more, not a number -1'),
    (_set(RULE0 + ('offenders',), ['x']), W1 + '.rules[0] (rule "no telnet").offenders[0]: must be a socket record'),
    (_set(RULE0 + ('offenders_total',), 'many'), W1 + '.rules[0] (rule "no telnet").offenders_total: must be a whole number'),
    (_set(('hosts', 'web1', 'result', 'rules', 1, 'offenders_total'), 1),
     W1 + '.rules[1] (rule "only nginx on https").offenders_total: is 1, less than the 2 offenders given'),
    (_set(RULE0 + ('lines',), [1]), W1 + '.rules[0] (rule "no telnet").lines: must be a list of strings'),
    (_set(('hosts', 'web1', 'result', 'rules', 2, 'name'), 'no telnet'), W1 + '.rules[2]: rule "no telnet" is reported twice'),
    (_set(('hosts', 'web1', 'result', 'failed_rules'), []),
     W1 + '.failed_rules: says [] but the rules that failed are ["only nginx on https"]'),
    (_set(('hosts', 'web1', 'result', 'failed_rules'), 'x'), W1 + '.failed_rules: must be a list of rule names'),
    (_set(('hosts', 'web1', 'result', 'passed'), True), W1 + '.passed: is true but 1 rule(s) failed'),
    (_set(('hosts', 'web1', 'result', 'passed'), 'no'), W1 + '.passed: must be true or false, not a string'),
    (_set(RULE0 + ('offenders',), [{'when': {1, 2}}]),
     W1 + '.rules[0].offenders[0].when: {1, 2} is a set, which is not JSON data'),
    (_set(RULE0 + ('offenders',), [{'when': object()}]), 'is an object, which is not JSON data'),
    (_set(RULE0 + ('offenders',), [{1: 'x'}]), W1 + '.rules[0].offenders[0]: key 1 is a number; keys must be strings'),
    (_set(RULE0 + ('offenders',), [{'x': float('nan')}]), 'offenders[0].x: nan cannot be written as JSON'),
    (_set(RULE0 + ('offenders',), [{'x': float('-inf')}]), 'offenders[0].x: -inf cannot be written as JSON'),
]


@pytest.mark.parametrize('mutate, message', BAD, ids=[m for _f, m in BAD])
def test_bad_input_says_what_and_where(mutate, message):
    with pytest.raises(ReportError) as info:
        _report.build(mutate(sample()))
    assert str(info.value).startswith(message) or message in str(info.value), str(info.value)


def test_too_deep():
    deep = []
    for _i in range(40):
        deep = [deep]
    report = sample()
    report['hosts']['web1']['result']['rules'][0]['offenders'] = [{'x': deep}]
    with pytest.raises(ReportError, match='nested more than 32 levels deep'):
        _report.build(report)


def test_render_unknown_format():
    with pytest.raises(ReportError, match='unknown format "pdf": use one of json, junit, html'):
        _report.render(sample(), 'pdf')


# ---------------------------------------------------------------------------- hostile names

HOSTILE_HOST = '<script>alert("h")</script>'
HOSTILE_RULE = "only \"nginx\" & 'friends' <b>on</b> https"
UNICODE_HOST = 'wëb-π-服务器'
SOCKET_NAME = '@/tmp/.X11-unix/<img src=x onerror=alert(1)>'
CONTROL = 'evil\x1b[31mred\x00'


def hostile():
    lines = ['Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
             f'u_str LISTEN 0 128 {SOCKET_NAME} 1234 * 0 users:(("<script>",pid=1,fd=3))']
    bad = {'name': HOSTILE_RULE, 'passed': False, 'expect': 'absent', 'count': 1,
           'offenders': [{'netid': 'u_str', 'local_address': SOCKET_NAME, 'processes': [{'name': '<script>'}]}],
           'offenders_total': 1, 'lines': lines}
    return {
        'title': 'Report </title><script>x()</script>',
        'generated': '"2026"',
        'rules': [HOSTILE_RULE, 'π rule'],
        'hosts': {
            HOSTILE_HOST: ok(bad, passed('π rule')),
            UNICODE_HOST: ok(passed(HOSTILE_RULE), failed('π rule', [443], '服务')),
            CONTROL: {'status': 'error', 'msg': 'boom </pre><script>x()</script> \x07'},
        },
    }


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


ALLOWED_TAGS = {'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'h4', 'p', 'ul', 'li', 'b', 'i',
                'span', 'div', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'a', 'article', 'pre', 'footer'}


def parse_html(text):
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser


def test_html_escapes_hostile_names():
    page = _report.render(hostile(), 'html')
    parsed = parse_html(page)
    tags = [t for t, _a in parsed.tags]
    assert set(tags) <= ALLOWED_TAGS, set(tags) - ALLOWED_TAGS
    assert 'script' not in tags and 'img' not in tags and tags.count('title') == 1
    for _tag, attrs in parsed.tags:
        assert not any(name.startswith('on') for name in attrs)
    assert '<script' not in page and '<img' not in page and '<b>on</b>' not in page
    assert html.escape(HOSTILE_HOST) in page and html.escape(HOSTILE_RULE) in page
    assert html.escape(SOCKET_NAME) in page
    # attribute values cannot be broken out of
    assert f'title="{html.escape(HOSTILE_RULE, quote=True)}"' in page
    # the text a reader sees is the names as they are
    text = ''.join(parsed.text)
    assert HOSTILE_HOST in text and HOSTILE_RULE in text and SOCKET_NAME in text and UNICODE_HOST in text
    # non-ASCII stays as is; control characters are shown, not sent
    assert UNICODE_HOST in page and '服务' in page
    assert '\x1b' not in page and '\x00' not in page and '\x07' not in page
    assert 'evil\\x1b[31mred\\x00' in text and '\\x07' in text


def test_junit_escapes_hostile_names():
    text = _report.render(hostile(), 'junit')
    root = ET.fromstring(text.encode('utf-8'))
    suites = root.findall('testsuite')
    assert [s.get('name') for s in suites] == [HOSTILE_HOST, UNICODE_HOST, 'evil\\x1b[31mred\\x00']
    case = suites[0].find('testcase')
    assert case.get('classname') == HOSTILE_HOST and case.get('name') == HOSTILE_RULE
    assert SOCKET_NAME in case.find('failure').text
    assert suites[1].findall('testcase')[1].get('name') == 'π rule'
    assert root.get('name') == 'Report </title><script>x()</script>'
    error = suites[2].find('testcase/error')
    assert error.text == 'boom </pre><script>x()</script> \\x07'


def test_json_keeps_hostile_names_exactly():
    report = hostile()
    text = _report.render(report, 'json')
    assert UNICODE_HOST in text          # not \u-escaped
    data = json.loads(text)
    assert [h['name'] for h in data['hosts']] == [HOSTILE_HOST, UNICODE_HOST, CONTROL]
    assert data['hosts'][0]['cells'][0]['offenders'][0]['local_address'] == SOCKET_NAME
    assert data == _report.build(report)


def test_lone_surrogates():
    report = hostile()
    report['hosts'][UNICODE_HOST]['result']['rules'][1]['lines'][1] += ' \udc80'
    text = _report.render(report, 'json')
    text.encode('utf-8')
    assert '\\udc80' in text and json.loads(text) == _report.build(report)
    for fmt in ('junit', 'html'):
        out = _report.render(report, fmt)
        out.encode('utf-8')
        assert '\\udc80' in out


# ---------------------------------------------------------------------------- JSON

def test_json_round_trip_and_layout():
    report = sample()
    text = _report.render(report, 'json')
    assert text.endswith('}\n') and text.startswith('{\n  "schema": "netdiag.ss.compliance_report/1",\n')
    data = json.loads(text)
    assert data == _report.build(report)
    assert list(data) == ['schema', 'title', 'generated', 'passed', 'totals', 'rules', 'hosts']
    assert list(data['totals']) == ['hosts', 'hosts_checked', 'hosts_passed', 'hosts_failed', 'hosts_unreachable',
                                    'hosts_error', 'rules', 'cells']
    assert list(data['hosts'][0]) == ['name', 'status', 'msg', 'extra_rules', 'missing_rules', 'counts', 'cells']
    assert list(data['hosts'][0]['cells'][0]) == ['rule', 'status', 'expect', 'count', 'decided', 'hidden_holders',
                                                  'offenders_total', 'offenders', 'lines']
    # socket records keep socket_assert's field order
    assert list(data['hosts'][0]['cells'][1]['offenders'][0]) == list(sock(443))
    assert text == _report.render(copy.deepcopy(report), 'json')
    assert text == _report.to_json(json.loads(text))


# ---------------------------------------------------------------------------- JUnit

def junit(report):
    text = _report.render(report, 'junit')
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    return ET.fromstring(text.encode('utf-8'))


def test_junit_structure_and_counts():
    root = junit(sample())
    assert root.tag == 'testsuites' and root.get('name') == 'Socket compliance'
    suites = root.findall('testsuite')
    assert [s.get('name') for s in suites] == ['web1', 'web2', 'db1', 'db2', 'x']
    for suite in suites:
        cases = suite.findall('testcase')
        assert int(suite.get('tests')) == len(cases)
        assert int(suite.get('failures')) == len(suite.findall('testcase/failure'))
        assert int(suite.get('errors')) == len(suite.findall('testcase/error'))
        assert suite.get('skipped') == '0' and not suite.findall('testcase/skipped')
        assert all(c.get('classname') == suite.get('name') for c in cases)
        props = dict((p.get('name'), p.get('value')) for p in suite.findall('properties/property'))
        assert props['generated'] == '2026-12-02T10:00:00Z'
    for key in ('tests', 'failures', 'errors', 'skipped'):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in suites)
    assert (root.get('tests'), root.get('failures'), root.get('errors')) == ('11', '3', '2')
    # rule test cases, in column order; not applicable cells are not test cases
    assert [c.get('name') for c in suites[0]][1:] == POLICY
    assert [c.get('name') for c in suites[3].findall('testcase')] == ['no telnet', 'sshd listening',
                                                                      'postgres only on 5432']


def test_junit_failure_and_error():
    suites = junit(sample()).findall('testsuite')
    failure = suites[0].findall('testcase')[1].find('failure')
    assert failure.get('message') == 'expected absent, found 2 sockets' and failure.get('type') == 'failed'
    assert failure.text == '\n'.join([HEADER, line(443, 'apache2'), line(8443, 'apache2')])
    assert suites[0].findall('testcase')[0].find('failure') is None
    unreachable = suites[2].findall('testcase')
    assert len(unreachable) == 1 and unreachable[0].get('name') == 'host unreachable'
    error = unreachable[0].find('error')
    assert error.get('type') == 'unreachable'
    assert error.get('message') == 'unreachable: Failed to connect to the host via ssh: No route to host'
    assert error.text == 'Failed to connect to the host via ssh: No route to host'
    errored = suites[4].find('testcase')
    assert errored.get('name') == 'socket_assert error' and errored.find('error').get('type') == 'error'
    assert errored.find('error').get('message') == 'error: rule "bad": unknown key(s) frobnicate'
    assert errored.find('error').text == 'rule "bad": unknown key(s) frobnicate\nsecond line'


def test_junit_failure_without_lines_and_with_more_offenders():
    report = sample()
    rules = report['hosts']['web2']['result']['rules']
    rules[2] = failed('sshd listening', expect='present', count=0)
    rules[1] = failed('only nginx on https', [443], total=30, count=30)
    report['hosts']['web2'] = ok(*rules)
    cases = junit(report).findall('testsuite')[1].findall('testcase')
    assert cases[2].find('failure').get('message') == 'expected present, found 0 sockets'
    assert cases[2].find('failure').text == '(too few sockets: no offending socket to list)'
    assert cases[1].find('failure').get('message') == 'expected absent, found 30 sockets'
    assert cases[1].find('failure').text.endswith('\n... 29 more offending sockets not listed (max_offenders)')


def test_junit_no_placeholder_when_every_offender_is_beyond_max_offenders():
    """max_offenders: 0 lists no offender: the failure says how many there are, not that there are too few."""
    report = sample()
    rules = report['hosts']['web2']['result']['rules']
    rules[1] = dict(failed('only nginx on https'), count=1, offenders_total=1)
    report['hosts']['web2'] = ok(*rules)
    failure = junit(report).findall('testsuite')[1].findall('testcase')[1].find('failure')
    assert failure.get('message') == 'expected absent, found 1 socket'
    assert failure.text == '... 1 more offending socket not listed (max_offenders)'
    # as the page says it
    page = _report.render(report, 'html')
    assert 'Too few sockets' not in page and '... 1 more offending socket not listed (max_offenders)' in page


def not_decided(name, ports=(), expect='absent', count=0, hidden=1):
    """A rule socket_assert could not decide (run without root): count 0, and `hidden` sockets whose holders may be
    hidden; for absent, those sockets are its offenders."""
    rule = dict(failed(name, ports, 'nginx', expect, count), decided=False, hidden_holders=hidden)
    return rule


def undecided_sample():
    report = sample()
    report['hosts']['web2'] = ok(passed('no telnet'), not_decided('only nginx on https', [443]),
                                 not_decided('sshd listening', expect='present', hidden=2))
    return report


NOT_DECIDED = ('not decided: expected absent, found 0 sockets, and 1 more whose holders may be hidden (not every process '
               'could be read)')


def test_not_decided_cells_keep_decided_and_hidden_holders():
    model = _report.build(undecided_sample())
    web2 = model['hosts'][1]
    assert [(c['status'], c['decided'], c['hidden_holders'], c['count']) for c in web2['cells']] == [
        ('passed', True, 0, 0), ('failed', False, 1, 0), ('failed', False, 2, 0), ('not_applicable', None, None, None)]
    assert web2['status'] == 'failed' and model['totals']['cells']['failed'] == 5
    assert json.loads(_report.to_json(model))['hosts'][1]['cells'][1]['decided'] is False
    assert _report.expected_found(web2['cells'][1]) == NOT_DECIDED
    assert _report.expected_found(model['hosts'][0]['cells'][1]) == 'expected absent, found 2 sockets'


def test_junit_says_not_decided():
    cases = junit(undecided_sample()).findall('testsuite')[1].findall('testcase')
    absent = cases[1].find('failure')
    assert absent.get('message') == NOT_DECIDED and absent.get('type') == 'not_decided'
    assert absent.text == '\n'.join([HEADER, line(443, 'nginx')])
    present = cases[2].find('failure')
    assert present.get('message') == ('not decided: expected present, found 0 sockets, and 2 more whose holders may be '
                                      'hidden (not every process could be read)')
    assert present.text == '(not decided: no offending socket to list)'
    assert junit(sample()).findall('testsuite')[0].findall('testcase')[1].find('failure').get('type') == 'failed'


def test_html_says_not_decided():
    page = _report.render(undecided_sample(), 'html')
    assert ('<b>not decided</b>: expected <b>absent</b>, found <b>0 sockets</b>, and <b>1 more</b> whose holders may be '
            'hidden (not every process could be read)') in page
    assert '<b>not decided</b>: expected <b>present</b>, found <b>0 sockets</b>, and <b>2 more</b>' in page
    assert 'Not decided: there is no offending socket to list.' in page and 'Too few sockets' not in page
    assert page.count('<td class="c fail undecided">') == 2 and page.count('<td class="c fail">') == 3
    assert 'title="web2 \u00b7 only nginx on https: not decided (expected absent, found 0 sockets, and 1 more whose' in page
    assert '</span>not decided (fails: some holders could not be seen)</li>' in page
    assert 'not decided' not in _report.render(sample(), 'html')


# ---------------------------------------------------------------------------- HTML

EXTERNAL = re.compile(r'(?i)https?://|//[a-z0-9.-]+\.[a-z]{2,}/|\bsrc\s*=|<link\b|<script\b|@import|url\(|<iframe|<object'
                      r'|<embed|<img\b|<base\b')


def test_html_is_self_contained():
    page = _report.render(sample(), 'html')
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">') and page.endswith('</html>\n')
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    parsed = parse_html(page)
    assert {t for t, _a in parsed.tags} <= ALLOWED_TAGS
    assert all(not a.get('style') for _t, a in parsed.tags)
    ids = [a['id'] for _t, a in parsed.tags if 'id' in a]
    assert len(ids) == len(set(ids))
    hrefs = [a['href'] for t, a in parsed.tags if t == 'a']
    assert hrefs and all(h.startswith('#') and h[1:] in ids for h in hrefs)
    assert ('meta', {'charset': 'utf-8'}) in parsed.tags


def test_html_shows_totals_grid_and_every_failure():
    report = sample()
    page = _report.render(report, 'html')
    parsed = parse_html(page)
    text = ''.join(parsed.text)
    assert '<title>Socket compliance \u2014 2026-12-02T10:00:00Z</title>' in page
    assert 'Generated 2026-12-02T10:00:00Z' in text
    assert '4 of 5 hosts not compliant: 2 failed, 1 unreachable, 1 with errors' in text
    for number, label in ((5, 'hosts'), (1, 'hosts passed'), (2, 'hosts failed'), (1, 'unreachable'), (1, 'errors'),
                          (4, r'rules \(1 not in the policy\)'), (3, 'failed checks')):
        assert re.search(rf'<li[^>]*><b>{number}</b><span>[^<]*{label}</span></li>', page), label
    for word in ('pass', 'fail', 'unreachable', 'error', 'not applicable'):
        assert f'</span>{word}</li>' in page
    # a grid row per host, a column per rule, each cell with its symbol
    rows = re.findall(r'<tr class="(\w+)"><th class="host" scope="row" title="([^"]*)">', page)
    assert rows == [('failed', 'web1'), ('passed', 'web2'), ('unreachable', 'db1'), ('failed', 'db2'), ('error', 'x')]
    assert page.count('<th class="rule" scope="col"') == 3 and page.count('<th class="rule extra" scope="col"') == 1
    assert page.count('<td class="c fail">') == 3 and page.count('<td class="c na"') == 3
    assert page.count('<td class="c pass"') == 6
    assert ('colspan="4"><a href="#n1" title="Failed to connect to the host via ssh: No route to host">'
            '\u2298 unreachable: Failed to connect to the host via ssh: No route to host</a>') in page
    assert '<a href="#n2" title="rule &quot;bad&quot;: unknown key(s) frobnicate\nsecond line">! error: rule' in page
    assert '<article class="failure notchecked unreachable" id="n1">' in page
    # each failed cell: host, rule, expected / found, and its ss lines in a <pre>
    pres = re.findall(r'<pre>(.*?)</pre>', page, re.S)
    for _host, cell in _report.failed_cells(_report.build(report)):
        assert html.escape('\n'.join(cell['lines'])) in pres
    assert 'expected <b>absent</b>, found <b>2 sockets</b>' in page
    assert 'expected <b>absent</b>, found <b>1 socket</b>' in page
    articles = re.findall(r'<article class="failure" id="(f\d+)">\n<h4>\u2717 ([^<]*) <span class="note">on ([^<]*)</span>',
                          page)
    assert articles == [('f1', 'only nginx on https', 'web1'), ('f2', 'no telnet', 'db2'),
                        ('f3', 'postgres only on 5432', 'db2')]
    # the hosts that were not checked, with their whole message; per-host rule changes
    assert 'Hosts not checked (2)' in text and 'rule "bad": unknown key(s) frobnicate\nsecond line' in text
    assert 'db2: not applicable: only nginx on https; added: postgres only on 5432' in text


def test_html_failure_without_lines():
    report = sample()
    report['hosts']['web2'] = ok(passed('no telnet'), passed('only nginx on https'),
                                 failed('sshd listening', expect='present', count=0))
    page = _report.render(report, 'html')
    assert 'expected <b>present</b>, found <b>0 sockets</b>' in page
    assert 'Too few sockets: there is no offending socket to list.' in page


def test_html_all_passed_and_one_host():
    page = _report.render({'title': 'T', 'generated': 'g', 'rules': ['a'], 'hosts': {'only': ok(passed('a'))}}, 'html')
    assert '\u2713 All 1 host passed every rule' in page and 'Failures (0)' in page
    assert 'Hosts not checked' not in page and '<tr class="passed">' in page
    page = _report.render({'title': 'T', 'generated': 'g', 'rules': [], 'hosts': {}}, 'html')
    assert 'No hosts in this report' in page and '<table' not in page


def big(hosts=50, rules=20):
    names = [f'rule {i}' for i in range(rules)]
    out = {}
    for h in range(hosts):
        if h % 17 == 5:
            out[f'host{h}'] = {'status': 'unreachable', 'msg': 'timeout'}
            continue
        out[f'host{h}'] = ok(*[failed(n, [1000 + i]) if (h * 7 + i) % 23 == 0 else passed(n) for i, n in enumerate(names)])
    return {'title': 'Big', 'generated': 'g', 'rules': names, 'hosts': out}


def test_fifty_hosts_twenty_rules():
    report = big()
    start = time.monotonic()
    model = _report.build(report)
    page = _report.to_html(model)
    root = ET.fromstring(_report.to_junit(model).encode('utf-8'))
    assert time.monotonic() - start < 5
    assert model['totals']['hosts'] == 50 and model['totals']['rules'] == 20
    assert page.count('<tr class=') == 50 and page.count('<th class="rule" scope="col"') == 20
    assert len(_report.failed_cells(model)) == model['totals']['cells']['failed'] == int(root.get('failures'))
    assert page.count('<article class="failure" id=') == model['totals']['cells']['failed']
    assert int(root.get('tests')) == model['totals']['cells']['passed'] + model['totals']['cells']['failed'] + 3
