# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The socket_compliance role, run with ansible-playbook on two hosts that are this machine (local connection).

A policy with bad rules (no name, a number as a name, a blank name) must still give a report: the host with them is
an error there, with socket_assert's message naming the rule, and the other host is checked. Rules added by
socket_compliance_add_* variables come in the order of the variables' names. The rules select ports nothing uses on
a test machine, and the role runs with report_only: what is tested is the report's shape, not the host's sockets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import COLLECTIONS

PLAYBOOK = """
- name: Socket compliance
  hosts: all
  gather_facts: false
  roles:
    - role: netdiag.ss.socket_compliance
"""


def _rule(name, port):
    rule = {'ss_args': '-tl sport = :%d' % port}
    if name is not None:
        rule['name'] = name
    return rule


def test_bad_rules_are_a_host_error_and_the_report_is_written(tmp_path):
    playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(playbook):
        pytest.skip('needs ansible-playbook in this Python environment')
    report_dir = tmp_path / 'report'
    local = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}
    inventory = {'all': {
        'vars': {'socket_compliance_baseline': [], 'socket_compliance_report_only': True,
                 'socket_compliance_report_dir': str(report_dir)},
        'hosts': {
            # the first host (the one that writes the report): its policy gives the report's columns
            'bad': dict(local, socket_compliance_policy=[
                _rule('no port 1', 1), _rule(2049, 2049), _rule(None, 3), _rule('  ', 4), _rule('removed', 5)],
                socket_compliance_remove_bad=['removed']),
            # additions defined out of name order: taken by name (aa, then zz; a later one replaces an earlier one)
            'good': dict(local, socket_compliance_policy=[_rule('no port 1', 1)],
                         socket_compliance_add_zz=[_rule('zz', 6), _rule('both', 8)],
                         socket_compliance_add_aa=[_rule('aa', 7), _rule('both', 9)]),
        }}}
    (tmp_path / 'inventory.json').write_text(json.dumps(inventory))
    (tmp_path / 'playbook.yml').write_text(PLAYBOOK)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='false', ANSIBLE_STDOUT_CALLBACK='default')
    proc = subprocess.run([playbook, '-i', str(tmp_path / 'inventory.json'), str(tmp_path / 'playbook.yml')],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert sorted(os.listdir(report_dir)) == ['report.html', 'report.json', 'report.junit.xml']
    report = json.loads((report_dir / 'report.json').read_text())
    # the columns: the names of the first host's policy that are names (not 2049, not a blank), then the additions
    assert [r['name'] for r in report['rules']] == ['no port 1', 'removed', 'aa', 'both', 'zz']
    bad, good = report['hosts']
    assert bad['name'] == 'bad' and bad['status'] == 'error'
    # the rules reach socket_assert, which names the first bad one (the removed rule is gone before)
    assert bad['msg'] == 'rule 2: name must be text, not 2049', bad['msg']
    assert good['name'] == 'good' and good['status'] in ('passed', 'failed')
    assert good['extra_rules'] == ['aa', 'both', 'zz'] and good['missing_rules'] == ['removed']
    assert [c['rule'] for c in good['cells'] if c['status'] != 'not_applicable'] == ['no port 1', 'aa', 'both', 'zz']


def test_check_mode_fails_the_host_and_says_no_report_was_written(tmp_path):
    """In check mode the report action writes nothing: the fail message pointed at a report.html that was not there."""
    playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(playbook):
        pytest.skip('needs ansible-playbook in this Python environment')
    report_dir = tmp_path / 'report'
    inventory = {'all': {'hosts': {'lone': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
        'socket_compliance_baseline': [], 'socket_compliance_report_dir': str(report_dir),
        # a port nothing listens on, expected present: the host violates the policy
        'socket_compliance_policy': [dict(_rule('port 1 listens', 1), expect='present')]}}}}
    (tmp_path / 'inventory.json').write_text(json.dumps(inventory))
    (tmp_path / 'playbook.yml').write_text(PLAYBOOK)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='false', ANSIBLE_STDOUT_CALLBACK='default')
    proc = subprocess.run([playbook, '--check', '-i', str(tmp_path / 'inventory.json'), str(tmp_path / 'playbook.yml')],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)
    assert proc.returncode == 2, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert 'violates the socket policy: port 1 listens; check mode: no report was written' in proc.stdout, proc.stdout[-3000:]
    assert not report_dir.exists()
