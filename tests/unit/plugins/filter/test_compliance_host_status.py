# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A host's registered socket_assert result -> its report entry."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.netdiag.ss.plugins.filter.compliance_host_status import FilterModule, compliance_host_status

RESULT = {'changed': False, 'rules': [{'name': 'a', 'passed': False}], 'failed_rules': ['a'], 'passed': False}

NOT_RUN = ('socket_assert did not run on this host: it left the play before (unreachable when facts were gathered, or '
           'a task before failed), or was skipped')


@pytest.mark.parametrize('data, key, expected', [
    (RESULT, None, {'status': 'ok', 'result': {'rules': RESULT['rules'], 'failed_rules': ['a'], 'passed': False}}),
    ({'unreachable': True, 'msg': 'ssh: no route'}, None, {'status': 'unreachable', 'msg': 'ssh: no route'}),
    ({'failed': True, 'msg': 'rule "x": filter: ...'}, None, {'status': 'error', 'msg': 'rule "x": filter: ...'}),
    ({'skipped': True}, None, {'status': 'error', 'msg': 'socket_assert was skipped on this host'}),
    (None, None, {'status': 'error', 'msg': NOT_RUN}),
    ({'r': RESULT}, 'r', {'status': 'ok', 'result': {'rules': RESULT['rules'], 'failed_rules': ['a'], 'passed': False}}),
    ({'other': 1}, 'r', {'status': 'error', 'msg': NOT_RUN}),
    # a module that returned no result: what it printed is the reason (Ansible's msg only says no JSON came)
    ({'failed': True, 'msg': 'Module result deserialization failed: No start of json char found',
      'module_stderr': 'Traceback (most recent call last):\nImportError: boom\n', 'module_stdout': ''}, None,
     {'status': 'error', 'msg': 'Module result deserialization failed: No start of json char found\n'
                                'module_stderr: Traceback (most recent call last):\nImportError: boom'}),
    ({'failed': True, 'msg': 'MODULE FAILURE', 'module_stdout': 'x' * 2500, 'module_stderr': None}, None,
     {'status': 'error', 'msg': 'MODULE FAILURE\nmodule_stdout: ...' + 'x' * 2000}),
])
def test_status(data, key, expected):
    assert compliance_host_status(data, key) == expected


def test_bad_input():
    with pytest.raises(AnsibleFilterError, match='netdiag.ss.compliance_host_status'):
        compliance_host_status('x', 'r')
    # something else than a result: an error, not a host that "did not run"
    with pytest.raises(AnsibleFilterError, match='the input must be a registered socket_assert result .a dict., not a string'):
        compliance_host_status('x')
    with pytest.raises(AnsibleFilterError, match='variable r must be a registered socket_assert result .a dict., not a list'):
        compliance_host_status({'r': []}, 'r')
    assert 'compliance_host_status' in FilterModule().filters()
