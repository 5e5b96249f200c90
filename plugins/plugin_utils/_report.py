# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
# Controller side only (Python 3.11+, standard library only).
"""The fleet compliance report: socket_assert results of many hosts as JSON, JUnit XML and HTML.

The input is the dict a role builds on the controller after running
netdiag.ss.socket_assert on every host (with report_only and
ignore_unreachable)::

    {'title': str, 'generated': str,
     'rules': [rule name, ...],                       # the policy, in its order
     'hosts': {name: {'status': 'ok', 'result': <socket_assert's result>}
                   | {'status': 'unreachable' | 'error', 'msg': str}}}

build() checks it (a ReportError says what is wrong, and where) and returns
the report model, a plain dict that is also exactly what report.json holds:
one cell per host and rule, rules of the policy first, then the rules that
only some hosts added (a host that does not have a rule has a
not_applicable cell there), with counts per host, per rule and in all.
to_json(), to_junit() and to_html() render a model; render() does both steps.
"""

from __future__ import annotations

import html
import json
import math
import re
import xml.etree.ElementTree as ET

from ansible_collections.netdiag.ss.plugins.module_utils._errors import kind, shown

SCHEMA = 'netdiag.ss.compliance_report/1'
FORMATS = ('json', 'junit', 'html')

HOST_INPUT_STATUSES = ('ok', 'unreachable', 'error')
# a host's status in the model: ok hosts become passed or failed
HOST_STATUSES = ('passed', 'failed', 'unreachable', 'error')
# a cell's status: one host, one rule
CELL_STATUSES = ('passed', 'failed', 'not_applicable', 'unreachable', 'error')
RULE_KEYS = ('name', 'passed', 'decided', 'expect', 'count', 'hidden_holders', 'offenders', 'offenders_total', 'lines')

_MAX_DEPTH = 32


class ReportError(ValueError):
    """The report dict is not what the renderers need; the message says where (a path) and what."""

    def __init__(self, path, message):
        self.path = path
        self.problem = message
        super().__init__(f'{path}: {message}' if path else message)


# ---------------------------------------------------------------------------- input checking

_IDENTIFIER = re.compile(r'[A-Za-z_][A-Za-z0-9_]*\Z')


def _key(path, key):
    """path.key, or path["key"] (JSON quoting) for a key that is not an identifier (most host names)."""
    if _IDENTIFIER.match(key):
        return f'{path}.{key}'
    return f'{path}[{json.dumps(key, ensure_ascii=False)}]'


def _plain(value, path, depth=0):
    """A deep copy of JSON-like data as plain dict / list / str / int / float / bool / None.

    Ansible hands filters its own subclasses (lazily templated containers, tagged
    strings); a copy made through their public interface is safe to keep, to
    render and to json.dumps.
    """
    if depth > _MAX_DEPTH:
        raise ReportError(path, f'nested more than {_MAX_DEPTH} levels deep')
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ReportError(path, f'{value!r} cannot be written as JSON')
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ReportError(path, f'key {shown(k)} is {kind(k)}; keys must be strings')
            out[str(k)] = _plain(v, _key(path, k), depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, f'{path}[{i}]', depth + 1) for i, v in enumerate(value)]
    raise ReportError(path, f'{shown(value)} is {kind(value)}, which is not JSON data')


def _need(mapping, key, path, check, what):
    if key not in mapping:
        raise ReportError(path, f'{key} is missing ({what})')
    value = mapping[key]
    if not check(value):
        raise ReportError(f'{path}.{key}', f'must be {what}, not {kind(value)} {shown(value)}')
    return value


def _is_text(value):
    return isinstance(value, str)


def _is_name(value):
    return isinstance(value, str) and value.strip() != ''


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_bool(value):
    return isinstance(value, bool)


def _is_list(value):
    return isinstance(value, list)


def _is_dict(value):
    return isinstance(value, dict)


def _check_rule(raw, path):
    """One entry of socket_assert's result.rules -> its checked fields."""
    if not isinstance(raw, dict):
        raise ReportError(path, f'must be a rule result (a dict with {", ".join(RULE_KEYS)}), not {kind(raw)}')
    name = _need(raw, 'name', path, _is_name, 'a non-empty string')
    path = f'{path} (rule {json.dumps(name, ensure_ascii=False)})'
    passed = _need(raw, 'passed', path, _is_bool, 'true or false')
    expect = _need(raw, 'expect', path, _is_text, 'a string: absent, present, at least N, ...')
    count = _need(raw, 'count', path, _is_count, 'a whole number, 0 or more')
    # a rule with process conditions whose outcome hangs on holders that could not be seen (socket_assert without
    # root) fails as not decided; results of rules without process conditions may leave both out
    decided = raw.get('decided', True)
    if not _is_bool(decided):
        raise ReportError(f'{path}.decided', f'must be true or false, not {kind(decided)} {shown(decided)}')
    if passed and not decided:
        raise ReportError(f'{path}.decided', 'is false but the rule passed (a rule not decided fails)')
    hidden = raw.get('hidden_holders', 0)
    if not _is_count(hidden):
        raise ReportError(f'{path}.hidden_holders', f'must be a whole number, 0 or more, not {kind(hidden)} {shown(hidden)}')
    offenders = raw.get('offenders', [])
    if not isinstance(offenders, list):
        raise ReportError(f'{path}.offenders', f'must be a list of socket records, not {kind(offenders)}')
    for i, rec in enumerate(offenders):
        if not isinstance(rec, dict):
            raise ReportError(f'{path}.offenders[{i}]', f'must be a socket record (a dict), not {kind(rec)}')
    total = raw.get('offenders_total', len(offenders))
    if not _is_count(total):
        raise ReportError(f'{path}.offenders_total', f'must be a whole number, 0 or more, not {kind(total)} {shown(total)}')
    if total < len(offenders):
        raise ReportError(f'{path}.offenders_total', f'is {total}, less than the {len(offenders)} offenders given')
    lines = raw.get('lines', [])
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise ReportError(f'{path}.lines', 'must be a list of strings (the offenders as ss prints them)')
    return {'name': name, 'passed': passed, 'decided': decided, 'expect': expect, 'count': count, 'hidden_holders': hidden,
            'offenders': offenders, 'offenders_total': total, 'lines': lines}


def _check_result(result, path):
    """socket_assert's result -> its rules, checked (rules, and failed_rules / passed when given)."""
    if not isinstance(result, dict):
        raise ReportError(path, f"must be socket_assert's result (a dict with rules, failed_rules, passed), not {kind(result)}")
    raw_rules = _need(result, 'rules', path, _is_list, 'a list of rule results')
    rules = []
    seen = set()
    for i, raw in enumerate(raw_rules):
        rule = _check_rule(raw, f'{path}.rules[{i}]')
        if rule['name'] in seen:
            raise ReportError(f'{path}.rules[{i}]', f'rule {json.dumps(rule["name"], ensure_ascii=False)} is reported twice')
        seen.add(rule['name'])
        rules.append(rule)
    failed = [r['name'] for r in rules if not r['passed']]
    if 'failed_rules' in result:
        given = result['failed_rules']
        if not isinstance(given, list) or not all(isinstance(n, str) for n in given):
            raise ReportError(f'{path}.failed_rules', 'must be a list of rule names')
        if sorted(given) != sorted(failed):
            raise ReportError(f'{path}.failed_rules', f'says {shown(given)} but the rules that failed are {shown(failed)}')
    if 'passed' in result:
        if not isinstance(result['passed'], bool):
            raise ReportError(f'{path}.passed', f'must be true or false, not {kind(result["passed"])}')
        if result['passed'] != (not failed):
            raise ReportError(f'{path}.passed', f'is {str(result["passed"]).lower()} but {len(failed)} rule(s) failed')
    return rules


def _check_host(raw, path):
    if not isinstance(raw, dict):
        raise ReportError(path, f'must be a dict with status (ok, unreachable or error), not {kind(raw)}')
    status = raw.get('status')
    if status not in HOST_INPUT_STATUSES:
        if 'status' not in raw:
            raise ReportError(path, 'status is missing (ok, unreachable or error)')
        raise ReportError(f'{path}.status', f'must be ok, unreachable or error, not {shown(status)}')
    if status == 'ok':
        if 'result' not in raw:
            raise ReportError(path, "result is missing (socket_assert's result, for status ok)")
        return {'status': status, 'msg': None, 'rules': _check_result(raw['result'], f'{path}.result')}
    msg = raw.get('msg', '')
    if msg is None:
        msg = ''
    if not isinstance(msg, str):
        raise ReportError(f'{path}.msg', f'must be a string, not {kind(msg)}')
    return {'status': status, 'msg': msg, 'rules': None}


def _check_report(report):
    """The input dict, copied and checked -> (title, generated, policy rule names, {host: checked host})."""
    if not isinstance(report, dict):
        raise ReportError('', f'the report must be a dict with title, generated, rules and hosts, not {kind(report)}')
    report = _plain(report, 'report')
    title = _need(report, 'title', 'report', _is_text, 'a string')
    generated = _need(report, 'generated', 'report', _is_text, 'a string (when the report was made)')
    policy = _need(report, 'rules', 'report', _is_list, 'a list of rule names, in policy order')
    seen = set()
    for i, name in enumerate(policy):
        if not _is_name(name):
            raise ReportError(f'report.rules[{i}]', f'must be a rule name (a non-empty string), not {kind(name)} {shown(name)}')
        if name in seen:
            raise ReportError(f'report.rules[{i}]', f'rule {json.dumps(name, ensure_ascii=False)} is listed twice')
        seen.add(name)
    hosts = _need(report, 'hosts', 'report', _is_dict, 'a dict of host name -> host result')
    checked = {}
    for name, raw in hosts.items():
        path = _key('report.hosts', name)
        if not name.strip():
            raise ReportError(path, 'a host name must not be empty')
        checked[name] = _check_host(raw, path)
    return title, generated, policy, checked


# ---------------------------------------------------------------------------- the model (report.json)

def _counts():
    return dict((status, 0) for status in CELL_STATUSES)


def _cell(rule, status, result=None):
    if result is None:
        return {'rule': rule, 'status': status, 'expect': None, 'count': None, 'decided': None, 'hidden_holders': None,
                'offenders_total': None, 'offenders': [], 'lines': []}
    return {'rule': rule, 'status': status, 'expect': result['expect'], 'count': result['count'],
            'decided': result['decided'], 'hidden_holders': result['hidden_holders'],
            'offenders_total': result['offenders_total'], 'offenders': result['offenders'], 'lines': result['lines']}


def build(report):
    """Check the report dict and return the model: a plain dict, exactly what report.json holds.

    Raises ReportError. Hosts keep the order of report['hosts']; columns are the
    policy's rules in order, then rules that only some hosts have, in the order
    they first appear.
    """
    title, generated, policy, hosts = _check_report(report)
    columns = list(policy)
    known = set(policy)
    for host in hosts.values():
        for rule in host['rules'] or ():
            if rule['name'] not in known:
                known.add(rule['name'])
                columns.append(rule['name'])
    in_policy = set(policy)
    rule_counts = dict((name, _counts()) for name in columns)
    total_cells = _counts()
    host_totals = dict((status, 0) for status in HOST_STATUSES)
    out_hosts = []
    for name, host in hosts.items():
        counts = _counts()
        cells = []
        if host['rules'] is None:
            status = host['status']
            for rule in columns:
                cells.append(_cell(rule, status))
            extra, missing = [], []
        else:
            by_name = dict((r['name'], r) for r in host['rules'])
            for rule in columns:
                result = by_name.get(rule)
                if result is None:
                    cells.append(_cell(rule, 'not_applicable'))
                else:
                    cells.append(_cell(rule, 'passed' if result['passed'] else 'failed', result))
            extra = [r['name'] for r in host['rules'] if r['name'] not in in_policy]
            missing = [rule for rule in policy if rule not in by_name]
            status = 'failed' if any(c['status'] == 'failed' for c in cells) else 'passed'
        for cell in cells:
            counts[cell['status']] += 1
            rule_counts[cell['rule']][cell['status']] += 1
            total_cells[cell['status']] += 1
        host_totals[status] += 1
        out_hosts.append({'name': name, 'status': status, 'msg': host['msg'], 'extra_rules': extra,
                          'missing_rules': missing, 'counts': counts, 'cells': cells})
    totals = {
        'hosts': len(out_hosts),
        'hosts_checked': host_totals['passed'] + host_totals['failed'],
        'hosts_passed': host_totals['passed'],
        'hosts_failed': host_totals['failed'],
        'hosts_unreachable': host_totals['unreachable'],
        'hosts_error': host_totals['error'],
        'rules': len(columns),
        'cells': total_cells,
    }
    return {
        'schema': SCHEMA,
        'title': title,
        'generated': generated,
        'passed': bool(out_hosts) and host_totals['passed'] == len(out_hosts),     # a report of no host checked nothing
        'totals': totals,
        'rules': [{'name': name, 'in_policy': name in in_policy, 'counts': rule_counts[name]} for name in columns],
        'hosts': out_hosts,
    }


def failed_cells(model):
    """(host, cell) for every failed cell, hosts and rules in model order."""
    return [(host, cell) for host in model['hosts'] for cell in host['cells'] if cell['status'] == 'failed']


def undecided(cell):
    """Whether a checked cell failed as not decided (its outcome hangs on holders that could not be seen)."""
    return cell['status'] == 'failed' and cell.get('decided') is False


def expected_found(cell):
    """'expected absent, found 2 sockets' for a checked cell; for one not decided, as socket_assert's message says it:
    'not decided: expected absent, found 0 sockets, and 1 more whose holders may be hidden (...)'."""
    if undecided(cell):
        return f'not decided: {_found(cell)}'
    return _found(cell)


def _found(cell):
    """expected_found() without 'not decided: '."""
    text = f"expected {cell['expect']}, found {_plural(cell['count'], 'socket')}"
    if undecided(cell):
        text += f", and {cell['hidden_holders']} more {_HIDDEN}"
    return text


# why a rule is not decided, as socket_assert says it (without its advice, which depends on the host's user)
_HIDDEN = 'whose holders may be hidden (not every process could be read)'


def _no_lines_note(cell, html=False):
    """What a failed cell without any offending socket says instead of its lines, in JUnit's words or HTML's; None
    when it has offenders (they may all be beyond max_offenders, which _more_note says)."""
    if cell['offenders_total']:
        return None
    why = 'not decided' if undecided(cell) else 'too few sockets'
    if html:
        return f'{why.capitalize()}: there is no offending socket to list.'
    return f'({why}: no offending socket to list)'


def _more_note(cell):
    hidden = cell['offenders_total'] - len(cell['offenders'])
    if hidden > 0:
        return f"... {hidden} more offending socket{'' if hidden == 1 else 's'} not listed (max_offenders)"
    return None


# ---------------------------------------------------------------------------- JSON

def to_json(model):
    """report.json: the model, indent 2, keys in the model's fixed order (not sorted), non-ASCII kept, newline at the end.

    Keys are not sorted: the model's order (summary first, then hosts, cells in
    column order) reads better, and it is deterministic because the model is
    built in a fixed order; socket records keep socket_assert's field order.
    A string that cannot be written as UTF-8 (a lone surrogate) makes the whole
    document ASCII with \\u escapes instead, so the text can always be written.
    """
    text = json.dumps(model, indent=2, ensure_ascii=False)
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        text = json.dumps(model, indent=2, ensure_ascii=True)
    return text + '\n'


# ---------------------------------------------------------------------------- text safe for XML and HTML

# XML 1.0 cannot hold these at all, not even as character references; HTML shows them as garbage
_UNSAFE = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]')


def _safe(text):
    """Text with control characters and lone surrogates written as visible escapes (\\x1b, \\udc80)."""
    text = str(text)
    return _UNSAFE.sub(lambda m: f'\\x{ord(m.group()):02x}' if ord(m.group()) < 0x100 else f'\\u{ord(m.group()):04x}', text)


# ---------------------------------------------------------------------------- JUnit XML

def to_junit(model):
    """report.junit.xml: one testsuite per host, one testcase per rule the host has (classname host, name rule).

    A failed rule is a <failure> (message: expected / found; text: the ss
    lines); an unreachable or errored host is one testcase with an <error>;
    not applicable cells are not test cases, so skipped is always 0.
    """
    root = ET.Element('testsuites', name=_safe(model['title']))
    grand = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for host in model['hosts']:
        name = _safe(host['name'])
        suite = ET.SubElement(root, 'testsuite', name=name)
        props = ET.SubElement(suite, 'properties')
        ET.SubElement(props, 'property', name='generated', value=_safe(model['generated']))
        ET.SubElement(props, 'property', name='status', value=host['status'])
        counts = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
        if host['status'] in ('unreachable', 'error'):
            case_name = 'host unreachable' if host['status'] == 'unreachable' else 'socket_assert error'
            case = ET.SubElement(suite, 'testcase', classname=name, name=case_name)
            msg = host['msg'] or host['status']
            first = msg.strip().splitlines()[0] if msg.strip() else host['status']
            error = ET.SubElement(case, 'error', message=_safe(f"{host['status']}: {first}"), type=host['status'])
            error.text = _safe(msg)
            counts['tests'] += 1
            counts['errors'] += 1
        else:
            for cell in host['cells']:
                if cell['status'] == 'not_applicable':
                    continue
                case = ET.SubElement(suite, 'testcase', classname=name, name=_safe(cell['rule']))
                counts['tests'] += 1
                if cell['status'] == 'failed':
                    counts['failures'] += 1
                    kind = 'not_decided' if undecided(cell) else 'failed'
                    failure = ET.SubElement(case, 'failure', message=_safe(expected_found(cell)), type=kind)
                    text = list(cell['lines'])
                    empty = None if text else _no_lines_note(cell)
                    if empty:
                        text.append(empty)
                    note = _more_note(cell)
                    if note:
                        text.append(note)
                    failure.text = _safe('\n'.join(text))
        for key, value in counts.items():
            suite.set(key, str(value))
            grand[key] += value
    for key, value in grand.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding='unicode') + '\n'


# ---------------------------------------------------------------------------- HTML

def _h(text):
    """Escaped for HTML text and attribute values."""
    return html.escape(_safe(text), quote=True)


# symbol and word of each cell status (the word is the legend's and the cell's title)
_MARKS = {
    'passed': ('\u2713', 'pass'),
    'failed': ('\u2717', 'fail'),
    'unreachable': ('\u2298', 'unreachable'),
    'error': ('!', 'error'),
    'not_applicable': ('\u2013', 'not applicable'),
}
# a failed cell that is not decided (socket_assert could not see every holder): a failure, shown apart
_UNDECIDED = ('?', 'not decided')

_CSS = """
:root { color-scheme: light; --pass: #f1f6f2; --pass-ink: #7fa78b; --fail: #c8400a; --fail-ink: #fff;
  --unreach: #e4e4e4; --unreach-ink: #444; --error: #f4b93e; --error-ink: #2b1d00; --na-ink: #b8b8b8;
  --line: #dcdfe3; --muted: #6b7280; --ink: #1f2328; --head: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 28px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto,
  "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 17px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: var(--muted); margin: 0 0 14px; }
.verdict { display: inline-block; padding: 6px 12px; border-radius: 6px; font-weight: 600; margin: 0 0 14px; }
.verdict.ok { background: var(--pass); color: #2f5d3e; border: 1px solid #cfe0d3; }
.verdict.bad { background: #fbe9e1; color: #8a2b05; border: 1px solid #f0c4ae; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 0 0 16px; padding: 0; list-style: none; }
.tiles li { border: 1px solid var(--line); border-radius: 8px; padding: 6px 14px; min-width: 92px; background: #fff; }
.tiles b { display: block; font-size: 22px; line-height: 1.2; }
.tiles span { color: var(--muted); font-size: 12px; }
.tiles .t-fail { border-color: var(--fail); }
.tiles .t-fail b { color: var(--fail); }
.tiles .t-error { border-color: #d99a1b; }
.tiles .t-unreach { border-color: #9a9a9a; }
.tiles .zero b { color: var(--na-ink); }
.tiles .zero { border-color: var(--line); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 0 0 12px; padding: 0; list-style: none;
  color: var(--muted); font-size: 13px; }
.legend .c { display: inline-block; width: 30px; height: 22px; line-height: 22px; border-radius: 3px;
  margin-right: 5px; vertical-align: middle; text-align: center; }
.grid { overflow: auto; max-height: calc(100vh - 24px); border: 1px solid var(--line); border-radius: 6px; max-width: 100%;
  width: max-content; }
table.m { border-collapse: separate; border-spacing: 0; font-size: 13px; }
table.m th, table.m td { border-bottom: 1px solid var(--line); border-right: 1px solid var(--line); }
table.m thead th { position: sticky; top: 0; z-index: 2; background: var(--head); font-weight: 600; }
table.m thead th.rule { vertical-align: bottom; padding: 8px 2px; min-width: 40px; }
table.m thead th.rule span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
  max-height: 18em; overflow: hidden; text-overflow: ellipsis; display: inline-block; text-align: left; }
table.m thead th.rule.extra span { font-style: italic; }
table.m th.host { position: sticky; left: 0; z-index: 1; background: #fff; text-align: left; padding: 4px 10px;
  white-space: nowrap; max-width: 22em; overflow: hidden; text-overflow: ellipsis; font-weight: 500; }
table.m thead th.host { z-index: 3; background: var(--head); vertical-align: bottom; }
table.m thead th.sum { vertical-align: bottom; padding: 8px 8px; }
table.m td.sum { padding: 4px 8px; white-space: nowrap; text-align: right; color: var(--muted); }
table.m td.c { text-align: center; width: 40px; min-width: 40px; height: 26px; padding: 0 2px; }
td.c.pass, .legend .pass { background: var(--pass); color: var(--pass-ink); }
td.c.fail, .legend .fail { background: var(--fail); color: var(--fail-ink); font-weight: 700; }
td.c.fail a { color: inherit; text-decoration: none; display: block; line-height: 26px; }
td.c.fail.undecided, .legend .undecided { background: repeating-linear-gradient(135deg, var(--fail) 0 6px, #a8360a 6px 8px); }
td.c.fail a:hover, td.c.fail a:focus, td.c.wide a:hover, td.c.wide a:focus { text-decoration: underline; }
td.c.wide a { color: inherit; text-decoration: none; }
td.c.unreach, .legend .unreach { color: var(--unreach-ink);
  background: repeating-linear-gradient(135deg, var(--unreach) 0 6px, #d2d2d2 6px 8px); }
td.c.error, .legend .error { background: var(--error); color: var(--error-ink); font-weight: 700; }
td.c.na, .legend .na { background: #fff; color: var(--na-ink); }
.legend .na { border: 1px solid var(--line); }
td.c.wide { text-align: left; padding: 0 10px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  max-width: 10px; font-weight: 600; }
tr.passed th.host { color: var(--muted); font-weight: 400; }
tr.failed th.host { box-shadow: inset 4px 0 0 var(--fail); font-weight: 700; }
tr.unreachable th.host { box-shadow: inset 4px 0 0 #9a9a9a; }
tr.error th.host { box-shadow: inset 4px 0 0 #d99a1b; }
tr.failed td.sum { color: var(--fail); font-weight: 700; }
table.m tfoot th, table.m tfoot td { background: var(--head); font-weight: 600; position: sticky; bottom: 0;
  z-index: 2; }
table.m tfoot th.host { z-index: 3; }
tfoot td.n { text-align: center; color: var(--fail); }
tfoot td.n.zero { color: var(--na-ink); font-weight: 400; }
tbody tr:hover th.host, tbody tr:hover td.sum { background: #f2f5fa; }
.note { color: var(--muted); font-size: 13px; margin: 8px 0 0; }
.failure { border: 1px solid var(--line); border-left: 4px solid var(--fail); border-radius: 4px; padding: 8px 12px;
  margin: 0 0 12px; }
.failure:target { outline: 3px solid #0072b2; outline-offset: 2px; }
.failure h4 { margin: 0 0 4px; font-size: 14px; }
.failure .ef { margin: 0 0 6px; }
.failure .ef b { font-weight: 600; }
.notchecked { border-left-color: #9a9a9a; }
.notchecked.error { border-left-color: #d99a1b; }
pre { margin: 0; padding: 8px 10px; background: #f6f8fa; border-radius: 4px; overflow-x: auto;
  font: 12.5px/1.4 ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.back { font-size: 12px; margin-left: 8px; font-weight: 400; }
a { color: #0b5cad; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@media print { .grid { max-height: none; overflow: visible; } table.m thead th, table.m th.host { position: static; } }
"""


def _plural(n, word):
    return f'{n} {word}{"" if n == 1 else "s"}'


def _tiles(model):
    totals = model['totals']
    extra = sum(1 for rule in model['rules'] if not rule['in_policy'])
    items = [
        ('', totals['hosts'], 'hosts'),
        ('t-pass', totals['hosts_passed'], '\u2713 hosts passed'),
        ('t-fail', totals['hosts_failed'], '\u2717 hosts failed'),
        ('t-unreach', totals['hosts_unreachable'], '\u2298 unreachable'),
        ('t-error', totals['hosts_error'], '! errors'),
        ('', totals['rules'], f'rules ({extra} not in the policy)' if extra else 'rules'),
        ('t-fail', totals['cells']['failed'], 'failed checks'),
    ]
    out = ['<ul class="tiles">']
    for cls, number, label in items:
        classes = ' '.join(c for c in (cls, 'zero' if number == 0 and cls not in ('', 't-pass') else '') if c)
        attr = f' class="{classes}"' if classes else ''
        out.append(f'<li{attr}><b>{number}</b><span>{_h(label)}</span></li>')
    out.append('</ul>')
    return out


def _verdict(model):
    totals = model['totals']
    if not totals['hosts']:
        return '<p class="verdict bad">No hosts in this report</p>'
    if model['passed']:
        return f'<p class="verdict ok">\u2713 All {_plural(totals["hosts"], "host")} passed every rule</p>'
    parts = []
    if totals['hosts_failed']:
        parts.append(f'{totals["hosts_failed"]} failed')
    if totals['hosts_unreachable']:
        parts.append(f'{totals["hosts_unreachable"]} unreachable')
    if totals['hosts_error']:
        parts.append(f'{totals["hosts_error"]} with errors')
    bad = totals['hosts'] - totals['hosts_passed']
    return (f'<p class="verdict bad">\u2717 {bad} of {_plural(totals["hosts"], "host")} not compliant: '
            f'{_h(", ".join(parts))}</p>')


def _legend(has_extra, has_undecided=False):
    out = ['<ul class="legend">']
    for status, cls in (('passed', 'pass'), ('failed', 'fail'), ('unreachable', 'unreach'), ('error', 'error'),
                        ('not_applicable', 'na')):
        mark, word = _MARKS[status]
        out.append(f'<li><span class="c {cls}">{_h(mark)}</span>{_h(word)}</li>')
        if status == 'failed' and has_undecided:
            out.append(f'<li><span class="c fail undecided">{_UNDECIDED[0]}</span>{_UNDECIDED[1]} '
                       '(fails: some holders could not be seen)</li>')
    if has_extra:
        out.append('<li><i>italic rule</i>: not in the policy, added on some hosts</li>')
    out.append('</ul>')
    return out


_CELL_CLASS = {'passed': 'pass', 'failed': 'fail', 'unreachable': 'unreach', 'error': 'error', 'not_applicable': 'na'}


def _host_summary(host):
    counts = host['counts']
    if host['status'] == 'failed':
        return f'{counts["failed"]} \u2717'
    if host['status'] == 'passed':
        return '\u2713'
    return _MARKS[host['status']][0]


def _grid(model, anchors):
    rules = model['rules']
    out = ['<div class="grid" id="grid"><table class="m">', '<thead><tr><th class="host" scope="col">Host</th>',
           '<th class="sum" scope="col">Failed</th>']
    for rule in rules:
        cls = 'rule' if rule['in_policy'] else 'rule extra'
        out.append(f'<th class="{cls}" scope="col" title="{_h(rule["name"])}"><span>{_h(rule["name"])}</span></th>')
    out.append('</tr></thead><tbody>')
    for host in model['hosts']:
        hname = _h(host['name'])
        out.append(f'<tr class="{host["status"]}"><th class="host" scope="row" title="{hname}">{hname}</th>'
                   f'<td class="sum">{_h(_host_summary(host))}</td>')
        if host['status'] in ('unreachable', 'error'):
            mark, word = _MARKS[host['status']]
            msg = (host['msg'] or '').strip().splitlines()
            text = f'{mark} {word}' + (f': {msg[0]}' if msg else '')
            if rules:
                out.append(f'<td class="c {_CELL_CLASS[host["status"]]} wide" colspan="{len(rules)}">'
                           f'<a href="#{anchors[id(host)]}" title="{_h(host["msg"] or word)}">{_h(text)}</a></td>')
        else:
            for cell in host['cells']:
                mark, word = _UNDECIDED if undecided(cell) else _MARKS[cell['status']]
                tip = f'{host["name"]} \u00b7 {cell["rule"]}: {word}'
                if cell['status'] in ('passed', 'failed'):
                    tip += f' ({_found(cell)})'
                if cell['status'] == 'failed':
                    cls = 'fail undecided' if undecided(cell) else 'fail'
                    out.append(f'<td class="c {cls}"><a href="#{anchors[id(cell)]}" title="{_h(tip)}">'
                               f'{_h(mark)}&#8239;{cell["count"]}</a></td>')
                else:
                    out.append(f'<td class="c {_CELL_CLASS[cell["status"]]}" title="{_h(tip)}">{_h(mark)}</td>')
        out.append('</tr>')
    out.append('</tbody><tfoot><tr><th class="host" scope="row">Hosts failed</th><td class="sum"></td>')
    for rule in rules:
        n = rule['counts']['failed']
        out.append(f'<td class="n{" zero" if not n else ""}">{n}</td>')
    out.append('</tr></tfoot></table></div>')
    return out


def _failures(model, anchors):
    cells = failed_cells(model)
    out = [f'<h2 id="failures">Failures ({len(cells)})</h2>']
    if not cells:
        out.append('<p class="note">No rule failed on a host that was checked.</p>')
        return out
    current = None
    for host, cell in cells:
        if host is not current:
            current = host
            out.append(f'<h3>{_h(host["name"])} <span class="note">{_plural(host["counts"]["failed"], "failed rule")}'
                       f'</span></h3>')
        lines = list(cell['lines'])
        note = _more_note(cell)
        mark = _UNDECIDED[0] if undecided(cell) else _MARKS['failed'][0]
        out.append(f'<article class="failure" id="{anchors[id(cell)]}">')
        out.append(f'<h4>{mark} {_h(cell["rule"])} <span class="note">on {_h(host["name"])}</span>'
                   f'<a class="back" href="#grid">\u2191 grid</a></h4>')
        found = f'expected <b>{_h(cell["expect"])}</b>, found <b>{_plural(cell["count"], "socket")}</b>'
        if undecided(cell):
            found = f'<b>not decided</b>: {found}, and <b>{cell["hidden_holders"]} more</b> {_h(_HIDDEN)}'
        out.append(f'<p class="ef">{found}</p>')
        if lines:
            out.append(f'<pre>{_h(chr(10).join(lines))}</pre>')
        elif not cell['offenders_total']:
            out.append(f'<p class="note">{_h(_no_lines_note(cell, html=True))}</p>')
        if note:
            out.append(f'<p class="note">{_h(note)}</p>')
        out.append('</article>')
    return out


def _not_checked(model, anchors):
    hosts = [h for h in model['hosts'] if h['status'] in ('unreachable', 'error')]
    if not hosts:
        return []
    out = [f'<h2 id="notchecked">Hosts not checked ({len(hosts)})</h2>']
    for host in hosts:
        mark, word = _MARKS[host['status']]
        out.append(f'<article class="failure notchecked {host["status"]}" id="{anchors[id(host)]}"><h4>{_h(mark)} '
                   f'{_h(host["name"])} <span class="note">{_h(word)}</span><a class="back" href="#grid">\u2191 grid</a></h4>')
        out.append(f'<pre>{_h(host["msg"] or "(no message)")}</pre></article>')
    return out


def _differences(model):
    hosts = [h for h in model['hosts'] if h['extra_rules'] or h['missing_rules']]
    if not hosts:
        return []
    out = ['<h2 id="differences">Per-host rule changes</h2><ul>']
    for host in hosts:
        parts = []
        if host['missing_rules']:
            parts.append('not applicable: ' + ', '.join(host['missing_rules']))
        if host['extra_rules']:
            parts.append('added: ' + ', '.join(host['extra_rules']))
        out.append(f'<li><b>{_h(host["name"])}</b>: {_h("; ".join(parts))}</li>')
    out.append('</ul>')
    return out


def to_html(model):
    """report.html: one self-contained page (inline CSS, no script, no external resource)."""
    # in-page links: failed cells to their details (f1, f2 ...), hosts not checked to their message (n1 ...)
    anchors = dict((id(cell), f'f{i}') for i, (_host, cell) in enumerate(failed_cells(model), 1))
    not_checked = [host for host in model['hosts'] if host['status'] in ('unreachable', 'error')]
    anchors.update((id(host), f'n{i}') for i, host in enumerate(not_checked, 1))
    title = model['title']
    out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f'<title>{_h(title)} \u2014 {_h(model["generated"])}</title>', f'<style>{_CSS}</style>', '</head>', '<body>',
           f'<h1>{_h(title)}</h1>', f'<p class="meta">Generated {_h(model["generated"])}</p>', _verdict(model)]
    out.extend(_tiles(model))
    if model['hosts']:
        out.extend(_legend(any(not r['in_policy'] for r in model['rules']),
                           any(undecided(cell) for _host, cell in failed_cells(model))))
        out.extend(_grid(model, anchors))
        out.extend(_failures(model, anchors))
        out.extend(_not_checked(model, anchors))
        out.extend(_differences(model))
    out.append('<footer>netdiag.ss.compliance_report \u00b7 '
               f'{_h(_plural(model["totals"]["rules"], "rule"))} on {_h(_plural(model["totals"]["hosts"], "host"))}'
               '</footer>')
    out.extend(['</body>', '</html>'])
    return '\n'.join(out) + '\n'


# ---------------------------------------------------------------------------- entry point

_RENDERERS = {'json': to_json, 'junit': to_junit, 'html': to_html}


def render(report, fmt='json'):
    """The report dict rendered as json, junit or html (a str). Raises ReportError."""
    if fmt not in _RENDERERS:
        raise ReportError('', f'unknown format {shown(fmt)}: use one of {", ".join(FORMATS)}')
    return _RENDERERS[fmt](build(report))


__all__ = ['SCHEMA', 'FORMATS', 'HOST_STATUSES', 'CELL_STATUSES', 'ReportError', 'build', 'failed_cells',
           'expected_found', 'undecided', 'to_json', 'to_junit', 'to_html', 'render']
