# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: compliance_host_status
short_description: One host's entry of a socket compliance report, from its registered socket_assert result
version_added: 0.1.0
description:
  - Turns what M(netdiag.ss.socket_assert) returned for a host (registered with C(report_only=true),
    C(ignore_unreachable=true) and C(failed_when=false), as the C(netdiag.ss.socket_compliance) role does) into the
    host entry that P(netdiag.ss.compliance_report#filter) reads, C({status, result}) or C({status, msg}).
  - V(ok) when the module ran (its rules may have failed), V(unreachable) when the host could not be reached,
    V(error) when the module failed (a bad rule, no sock_diag, ...) or never ran on the host. The message of an error
    ends with the last 2000 characters of what the module printed (C(module_stderr), C(module_stdout)) when it
    returned no result (a crash, an interpreter that is not Python).
author:
  - netdiag.ss developers (@netdiag)
options:
  _input:
    description:
      - The registered result, or the host's variables (C(hostvars[host])) with O(key) naming the registered variable.
    type: raw
    required: true
  key:
    description:
      - When the input is a host's variables, the name of the registered variable.
    type: str
seealso:
  - plugin: netdiag.ss.compliance_report
    plugin_type: filter
"""

EXAMPLES = r"""
---
- name: The entries of the hosts of this play run (a host that left the play before has no result of this run)
  ansible.builtin.set_fact:
    hosts_status: >-
      {{ dict(ansible_play_batch | zip(ansible_play_batch | map('extract', hostvars)
                                       | map('netdiag.ss.compliance_host_status', 'assert_result'))) }}
"""

RETURN = r"""
_value:
  description: The host's entry.
  type: dict
  sample: {"status": "ok", "result": {"rules": [], "failed_rules": [], "passed": true}}
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.netdiag.ss.plugins.module_utils._errors import kind


def compliance_host_status(data, key=None):
    """See DOCUMENTATION."""
    if key is not None:
        if not isinstance(data, Mapping):
            raise AnsibleFilterError('netdiag.ss.compliance_host_status: with a key, the input must be a host\'s variables')
        data = data.get(key) if key in data else None
    if data is not None and not isinstance(data, Mapping):
        raise AnsibleFilterError('netdiag.ss.compliance_host_status: %s must be a registered socket_assert result (a '
                                 'dict), not %s' % ('variable %s' % key if key is not None else 'the input',
                                                    kind(data)))
    if data is None:
        return {'status': 'error', 'msg': 'socket_assert did not run on this host: it left the play before (unreachable '
                                          'when facts were gathered, or a task before failed), or was skipped'}
    if data.get('unreachable'):
        return {'status': 'unreachable', 'msg': str(data.get('msg') or 'unreachable')}
    if data.get('skipped'):
        return {'status': 'error', 'msg': 'socket_assert was skipped on this host'}
    if 'rules' not in data or 'passed' not in data:
        return {'status': 'error', 'msg': _error_message(data)}
    return {'status': 'ok', 'result': {'rules': data['rules'], 'failed_rules': data.get('failed_rules', []),
                                       'passed': bool(data['passed'])}}


# how much of a crashed module's output the message keeps (its end, where Python puts the error)
_OUTPUT_KEPT = 2000


def _error_message(data):
    """The module's message, and what it printed when it did not return a result (a traceback, an interpreter that
    is not Python): Ansible's own message then only says that no result came."""
    parts = [str(data.get('msg') or 'socket_assert returned no result')]
    for key in ('module_stderr', 'module_stdout'):
        text = data.get(key)
        text = text.strip() if isinstance(text, str) else ''
        if text:
            parts.append('%s: %s' % (key, text if len(text) <= _OUTPUT_KEPT else '...' + text[-_OUTPUT_KEPT:]))
    return '\n'.join(parts)


class FilterModule(object):
    """netdiag.ss compliance filters."""

    def filters(self):
        return {'compliance_host_status': compliance_host_status}
