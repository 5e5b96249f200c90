# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The socket_compliance role, run with ansible-playbook on hosts that are this machine (local connection).

A policy with bad rules (no name, a number as a name, a blank name) must still give a report: the host with them is
an error there, with socket_assert's message naming the rule, and the other host is checked. Rules added by
socket_compliance_add_* variables come in the order of the variables' names. The rules select ports nothing uses on
a test machine (or a port this test listens on, on 127.0.0.1): what is tested is the report and who fails, not the
host's own sockets. The Molecule scenario checks the role over a fleet of namespaces.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import socket
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


LOCAL = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}


def run_playbook(tmp_path, inventory, playbook=PLAYBOOK, options=()):
    """ansible-playbook over a JSON inventory in tmp_path -> the finished process (stdout: the default callback)."""
    command = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(command):
        pytest.skip('needs ansible-playbook in this Python environment')
    (tmp_path / 'inventory.json').write_text(json.dumps(inventory))
    (tmp_path / 'playbook.yml').write_text(playbook)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='false', ANSIBLE_STDOUT_CALLBACK='default')
    argv = [command] + list(options) + ['-i', str(tmp_path / 'inventory.json'), str(tmp_path / 'playbook.yml')]
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)


def output(proc):
    return proc.stdout[-6000:] + proc.stderr[-3000:]


def recap(stdout):
    """{host: {'ok': n, 'failed': n, ...}} from the play recap."""
    out = {}
    for line in stdout[stdout.rindex('PLAY RECAP'):].splitlines()[1:]:
        if ' : ' in line:
            host, counts = line.split(' : ', 1)
            out[host.strip()] = {k: int(v) for k, v in (item.split('=') for item in counts.split())}
    return out


def failures(stdout):
    """{host: msg} of the tasks that failed on the hosts themselves (not delegated to localhost)."""
    out = {}
    for line in stdout.splitlines():
        match = re.match(r'fatal: \[([^\] ]+)\]: FAILED! => (\{.*\})$', line)
        if match:
            out[match.group(1)] = json.loads(match.group(2))['msg']
    return out


def test_bad_rules_are_a_host_error_and_the_report_is_written(tmp_path):
    report_dir = tmp_path / 'report'
    inventory = {'all': {
        'vars': {'socket_compliance_baseline': [], 'socket_compliance_report_only': True,
                 'socket_compliance_report_dir': str(report_dir)},
        'hosts': {
            # the first host (the one that writes the report): its policy gives the report's columns
            'bad': dict(LOCAL, socket_compliance_policy=[
                _rule('no port 1', 1), _rule(2049, 2049), _rule(None, 3), _rule('  ', 4), _rule('removed', 5)],
                socket_compliance_remove_bad=['removed']),
            # additions defined out of name order: taken by name (aa, then zz; a later one replaces an earlier one)
            'good': dict(LOCAL, socket_compliance_policy=[_rule('no port 1', 1)],
                         socket_compliance_add_zz=[_rule('zz', 6), _rule('both', 8)],
                         socket_compliance_add_aa=[_rule('aa', 7), _rule('both', 9)],
                         # a misspelt removal: the rule it meant stays, and socket_assert says so
                         socket_compliance_remove_good=['no port l']),
        }}}
    proc = run_playbook(tmp_path, inventory)
    assert proc.returncode == 0, output(proc)
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
    assert 'skip: no rule is named "no port l", so it skips nothing' in ' '.join((proc.stdout + proc.stderr).split()), \
        output(proc)


def test_check_mode_fails_the_host_and_says_no_report_was_written(tmp_path):
    """In check mode the report action writes nothing: the fail message pointed at a report.html that was not there."""
    report_dir = tmp_path / 'report'
    inventory = {'all': {'hosts': {'lone': dict(
        LOCAL, socket_compliance_baseline=[], socket_compliance_report_dir=str(report_dir),
        # a port nothing listens on, expected present: the host violates the policy
        socket_compliance_policy=[dict(_rule('port 1 listens', 1), expect='present')])}}}
    proc = run_playbook(tmp_path, inventory, options=['--check'])
    assert proc.returncode == 2, output(proc)
    assert failures(proc.stdout) == {'lone': 'violates the socket policy: port 1 listens; check mode: no report was written'}
    assert not report_dir.exists()


TWO_RUNS = """
- name: The role once, for every host
  hosts: all
  gather_facts: false
  roles:
    - role: netdiag.ss.socket_compliance
      vars:
        socket_compliance_report_dir: "{{ first_report }}"
        socket_compliance_report_only: true
        socket_compliance_policy: [{name: port 1 listens, ss_args: -tl sport = :1, expect: present}]

- name: Again, after a task that fails on one host
  hosts: all
  gather_facts: false
  tasks:
    - name: Fail host a
      ansible.builtin.fail:
        msg: a fails before the role
      when: inventory_hostname == 'a'
    - name: The role again
      ansible.builtin.include_role:
        name: netdiag.ss.socket_compliance
      vars:
        socket_compliance_report_dir: "{{ second_report }}"
        socket_compliance_report_title: 2026
        # two rules whose names differ by case only: two columns of the policy
        socket_compliance_policy: [{name: no port 1, ss_args: -tl sport = :1}, {name: No Port 1, ss_args: -ul sport = :1}]
"""


def test_a_host_that_left_the_play_has_no_result_from_an_earlier_run_of_the_role(tmp_path):
    """The report took every host's registered result: host a, failed before the second run, was reported with the
    first run's results (another policy, maybe another namespace) as if checked again."""
    first, second = tmp_path / 'first', tmp_path / 'second'
    inventory = {'all': {'vars': dict(LOCAL, socket_compliance_baseline=[], first_report=str(first),
                                      second_report=str(second)),
                         'hosts': {'a': {}, 'b': {}}}}
    proc = run_playbook(tmp_path, inventory, TWO_RUNS)
    assert proc.returncode == 2, output(proc)
    assert failures(proc.stdout) == {'a': 'a fails before the role'}
    assert [h['status'] for h in json.loads((first / 'report.json').read_text())['hosts']] == ['failed', 'failed']
    report = json.loads((second / 'report.json').read_text())
    a, b = report['hosts']
    assert (a['name'], a['status'], a['cells'][0]['status']) == ('a', 'error', 'error')
    assert a['msg'].startswith('socket_assert did not run on this host: it left the play before'), a['msg']
    assert (b['name'], b['status']) == ('b', 'passed')
    # a numeric title is the report's title as text; names that differ by case are two rules of the policy
    assert report['title'] == '2026'
    assert [(r['name'], r['in_policy']) for r in report['rules']] == [('no port 1', True), ('No Port 1', True)]
    assert b['extra_rules'] == []


def test_a_report_that_cannot_be_written_fails_every_host_with_its_own_verdict(tmp_path):
    """A failed run_once task ends the play marking only the host that ran it: the compliant host was the one shown
    failed, and the one that violated the policy was not."""
    inventory = {'all': {'vars': dict(LOCAL, socket_compliance_baseline=[],
                                      socket_compliance_report_dir='/proc/ndss-no-such-directory'),
                         'hosts': {'compliant': {'socket_compliance_policy': [_rule('no port 1', 1)]},
                                   'violator': {'socket_compliance_policy': [
                                       dict(_rule('port 1 listens', 1), expect='present')]}}}}
    proc = run_playbook(tmp_path, inventory)
    assert proc.returncode == 2, output(proc)
    why = ('the report could not be written: netdiag.ss.compliance_report_files: cannot write the report into '
           '/proc/ndss-no-such-directory: ')
    got = failures(proc.stdout)
    assert sorted(got) == ['compliant', 'violator'], output(proc)
    assert got['compliant'].startswith(why), got
    assert got['violator'].startswith('violates the socket policy: port 1 listens; ' + why), got
    assert {host: counts['failed'] for host, counts in recap(proc.stdout).items()} == {'compliant': 1, 'violator': 1}
    # report_only fails no host for its sockets, but a report that is not there is an error
    inventory['all']['vars']['socket_compliance_report_only'] = True
    proc = run_playbook(tmp_path, inventory)
    assert proc.returncode == 2, output(proc)
    got = failures(proc.stdout)
    assert sorted(got) == ['compliant', 'violator'] and all(msg.startswith(why) for msg in got.values()), got


@pytest.mark.parametrize('keyword, why', [
    ('serial: 1', 'the play runs in serial batches (serial: 1)'),
    ('strategy: free', 'the play runs with the free strategy, which does not honour run_once'),
])
def test_serial_batches_and_the_free_strategy_are_refused(tmp_path, keyword, why):
    """In batches, each batch's report listed the hosts of the other batches as not checked (and one of an earlier
    batch that failed as having left the play); with the free strategy each host wrote the report of the hosts
    finished so far."""
    report_dir = tmp_path / 'report'
    inventory = {'all': {'vars': dict(LOCAL, socket_compliance_baseline=[], socket_compliance_report_dir=str(report_dir),
                                      socket_compliance_policy=[_rule('no port 1', 1)]),
                         'hosts': {'a': {}, 'b': {}}}}
    proc = run_playbook(tmp_path, inventory, PLAYBOOK.replace('  gather_facts: false\n',
                                                              '  gather_facts: false\n  %s\n' % keyword))
    assert proc.returncode == 2, output(proc)
    got = failures(proc.stdout)
    # serial: the first batch (a) fails, and the play ends there; free: every host
    assert sorted(got) == (['a'] if keyword.startswith('serial') else ['a', 'b']), output(proc)
    for msg in got.values():
        assert msg == ('the report could not be written: netdiag.ss.compliance_report_files: the report is of every '
                       'host of the play (whole_play), and %s: each run would see only some hosts; run it in a play '
                       'without serial, with the linear strategy' % why), msg
    assert not report_dir.exists()


ADD_HOST = """
- name: Socket compliance, after a host is added to the inventory
  hosts: all
  gather_facts: false
  tasks:
    - name: A host that carries values to a later play
      ansible.builtin.add_host:
        name: holder
        groups: holders
      run_once: true
    - name: The role
      ansible.builtin.include_role:
        name: netdiag.ss.socket_compliance
"""


def test_a_host_added_to_the_inventory_is_not_the_plays(tmp_path):
    """add_host puts the host in ansible_play_hosts (not in the batch): it was taken for serial batches (every host
    failed), and before that reported as a host of the play that was not checked."""
    report_dir = tmp_path / 'report'
    inventory = {'all': {'vars': dict(LOCAL, socket_compliance_baseline=[], socket_compliance_report_dir=str(report_dir),
                                      socket_compliance_policy=[_rule('no port 1', 1)]),
                         'hosts': {'a': {}, 'b': {}}}}
    proc = run_playbook(tmp_path, inventory, ADD_HOST)
    assert proc.returncode == 0, output(proc)
    report = json.loads((report_dir / 'report.json').read_text())
    assert [(h['name'], h['status']) for h in report['hosts']] == [('a', 'passed'), ('b', 'passed')]
    assert report['passed'] is True


def _su_nobody():
    try:
        pwd.getpwnam('nobody')
    except KeyError:
        return None
    python = shutil.which('python3', path='/usr/bin:/bin')
    if os.geteuid() != 0 or not shutil.which('su') or not python:
        return None
    return python


def test_a_rule_not_decided_is_not_called_a_violation(tmp_path):
    """Run as nobody, socket_assert cannot see who holds root's sockets: a rule on their holders is not decided. The
    host's failure said it "violates the socket policy" for it, where the report says "not decided"."""
    python = _su_nobody()
    if python is None:
        pytest.skip('needs root, su, a nobody user and /usr/bin/python3 (socket_assert runs as nobody)')
    with socket.socket() as listener:
        listener.bind(('127.0.0.1', 0))
        listener.listen()
        port = listener.getsockname()[1]
        inventory = {'all': {'hosts': {'lone': dict(
            LOCAL, ansible_python_interpreter=python, ansible_become=True, ansible_become_user='nobody',
            ansible_become_method='su', ansible_become_flags='-s /bin/sh', socket_compliance_baseline=[],
            socket_compliance_report_dir=str(tmp_path / 'report'),
            socket_compliance_policy=[
                dict(_rule('only sshd on the port', port), allow_process={'name': 'sshd'}),
                dict(_rule('port 1 listens', 1), expect='present')])}}}
        proc = run_playbook(tmp_path, inventory)
    assert proc.returncode == 2, output(proc)
    assert failures(proc.stdout) == {'lone': (
        'violates the socket policy: port 1 listens; not decided, holders may be hidden (run as root): only sshd on the '
        'port; see %s/report.html' % (tmp_path / 'report'))}, output(proc)
