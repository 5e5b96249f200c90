# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: compliance_report
short_description: Render the socket_assert results of many hosts as a JSON, JUnit XML or HTML report
version_added: 0.1.0
author:
  - netdiag.ss developers (@netdiag)
description:
  - Takes one dict that holds the result of M(netdiag.ss.socket_assert) for every host of a play (run with
    O(netdiag.ss.socket_assert#module:report_only=true) and C(ignore_unreachable)), and renders it as one report
    with one cell per host and rule.
  - V(json) is for machines (the report model, with totals), V(junit) for CI systems (Jenkins, GitLab), V(html) a
    self-contained page for people (no script, no external resource).
  - A rule that a host does not have (removed for that host, or added on other hosts only) is V(not applicable) for
    that host; rules that are not in the policy come after the policy's rules.
  - Raises an error that says what is wrong, and where, when the input is not such a dict.
positional: _input, format
options:
  _input:
    description:
      - The report.
      - "C(title) (string): the report's title."
      - "C(generated) (string): when it was made, shown as given."
      - "C(rules) (list of strings): the rule names of the policy, in its order."
      - "C(hosts) (dict): for each host of the play, unreachable ones included, a dict with C(status) V(ok),
        V(unreachable) or V(error). V(ok) hosts have C(result), the result of M(netdiag.ss.socket_assert) (its
        C(rules), and C(failed_rules) and C(passed), which are checked when given; other keys of a registered result
        are ignored). The others may have C(msg), the reason."
    type: dict
    required: true
  format:
    description:
      - The rendering.
      - V(json) is the report model as JSON (indented, keys in a fixed order; see C(docs/compliance-report.md) in the
        collection for its schema).
      - V(junit) is JUnit XML, one C(testsuite) per host and one C(testcase) per rule.
      - V(html) is one HTML page.
    type: str
    choices: [json, junit, html]
    default: json
seealso:
  - module: netdiag.ss.socket_assert
"""

EXAMPLES = r"""
---
# In a play over all hosts: check every host, failing none of them
- name: Check the socket policy
  netdiag.ss.socket_assert:
    rules: "{{ socket_policy }}"
    report_only: true
  register: socket_check
  ignore_unreachable: true
  ignore_errors: true

- name: Note when the report is made (once)
  ansible.builtin.set_fact:
    socket_report_time: "{{ now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ') }}"
  run_once: true
  delegate_to: localhost
  delegate_facts: true

- name: Collect each host's outcome on the controller
  ansible.builtin.set_fact:
    socket_hosts: "{{ socket_hosts | default({}) | combine({item: outcome}) }}"
  vars:
    r: "{{ hostvars[item].socket_check | default({}) }}"
    outcome: >-
      {{ {'status': 'unreachable', 'msg': r.msg | default('')} if r.unreachable | default(false)
         else {'status': 'ok', 'result': r} if r.rules is defined
         else {'status': 'error', 'msg': r.msg | default('no result')} }}
  loop: "{{ ansible_play_batch }}"       # the hosts of this play run, each with its result of this run
  run_once: true
  delegate_to: localhost
  delegate_facts: true

- name: Make the report folder (copy does not make the folder of its dest)
  ansible.builtin.file:
    path: reports
    state: directory
    mode: "0755"
  run_once: true
  delegate_to: localhost

- name: Write the report as JSON, JUnit XML and HTML
  ansible.builtin.copy:
    content: "{{ report | netdiag.ss.compliance_report(item.format) }}"
    dest: "reports/{{ item.file }}"
    mode: "0644"
  vars:
    report:
      title: Socket compliance
      generated: "{{ hostvars['localhost'].socket_report_time }}"
      rules: "{{ socket_policy | map(attribute='name') }}"
      hosts: "{{ hostvars['localhost'].socket_hosts }}"
  loop:
    - {format: json, file: report.json}
    - {format: junit, file: report.junit.xml}
    - {format: html, file: report.html}
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
_value:
  description:
    - The report as text in the chosen O(format), ending with a newline.
  type: string
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.netdiag.ss.plugins.module_utils._errors import shown
from ansible_collections.netdiag.ss.plugins.plugin_utils._report import FORMATS, ReportError, render

_NAME = 'netdiag.ss.compliance_report'


def compliance_report(report: t.Any, format: str = 'json') -> str:  # pylint: disable=redefined-builtin
    """The report dict rendered as json, junit or html."""
    if not isinstance(format, str) or format not in FORMATS:
        raise AnsibleFilterError(f'{_NAME}: the format must be one of {", ".join(FORMATS)}, not {shown(format)}')
    try:
        return render(report, format)
    except ReportError as exc:
        raise AnsibleFilterError(f'{_NAME}: {exc}') from exc


class FilterModule:
    """netdiag.ss.compliance_report."""

    def filters(self) -> dict[str, t.Callable]:
        return {'compliance_report': compliance_report}
