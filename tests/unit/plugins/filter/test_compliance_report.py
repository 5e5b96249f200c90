# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netdiag.ss.compliance_report filter: formats, errors naming the filter, and a run through Ansible's templating."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.netdiag.ss.plugins.filter import compliance_report as plugin
from ansible_collections.netdiag.ss.plugins.plugin_utils import _report

REPORT = {
    'title': 'Socket compliance',
    'generated': '2026-12-02T10:00:00Z',
    'rules': ['no telnet'],
    'hosts': {
        'web1': {'status': 'ok', 'result': {'rules': [
            {'name': 'no telnet', 'passed': False, 'expect': 'absent', 'count': 1,
             'offenders': [{'netid': 'tcp', 'local_port': 23}], 'offenders_total': 1,
             'lines': ['State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
                       'LISTEN 0      5            0.0.0.0:23        0.0.0.0:*']}],
            'failed_rules': ['no telnet'], 'passed': False}},
        'db1': {'status': 'unreachable', 'msg': 'no route'},
    },
}


def test_registered():
    assert plugin.FilterModule().filters() == {'compliance_report': plugin.compliance_report}


def test_formats():
    assert plugin.compliance_report(REPORT) == _report.render(REPORT, 'json')
    assert json.loads(plugin.compliance_report(REPORT, 'json'))['totals']['hosts_failed'] == 1
    assert ET.fromstring(plugin.compliance_report(REPORT, 'junit').encode()).get('failures') == '1'
    assert plugin.compliance_report(REPORT, 'html').startswith('<!DOCTYPE html>')


@pytest.mark.parametrize('fmt', ['pdf', 'JSON', None, 1])
def test_bad_format(fmt):
    with pytest.raises(AnsibleFilterError) as info:
        plugin.compliance_report(REPORT, fmt)
    # the value as the playbook wrote it: "pdf", null, 1 (not Python's 'pdf' or None)
    assert str(info.value) == f'netdiag.ss.compliance_report: the format must be one of json, junit, html, not {json.dumps(fmt)}'


@pytest.mark.parametrize('report, message', [
    ('report', 'the report must be a dict with title, generated, rules and hosts, not a string'),
    (dict(REPORT, hosts={'db1': {'status': 'down'}}), 'report.hosts.db1.status: must be ok, unreachable or error'),
    (dict(REPORT, rules=None), 'report.rules: must be a list of rule names'),
])
def test_bad_input_names_the_filter(report, message):
    with pytest.raises(AnsibleFilterError) as info:
        plugin.compliance_report(report)
    assert str(info.value).startswith('netdiag.ss.compliance_report: ' + message)
    assert isinstance(info.value.__cause__, _report.ReportError)


TEMPLATING = textwrap.dedent('''
    import json, sys
    from ansible.plugins.loader import init_plugin_loader
    init_plugin_loader()
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template
    report = json.loads(sys.argv[1])
    # values that are templates themselves: the filter gets Ansible's lazy containers and tagged strings
    report['title'] = trust_as_template("{{ 'Socket ' ~ 'compliance' }}")
    report['rules'] = trust_as_template('{{ policy | map(attribute="name") }}')
    variables = {'policy': [{'name': 'no telnet'}], 'report': report}
    templar = Templar(loader=DataLoader(), variables=variables)
    out = {}
    for fmt in ('json', 'junit', 'html'):
        out[fmt] = templar.template(trust_as_template("{{ report | netdiag.ss.compliance_report('%s') }}" % fmt))
    out['default'] = templar.template(trust_as_template('{{ report | netdiag.ss.compliance_report }}'))
    try:
        templar.template(trust_as_template("{{ report | netdiag.ss.compliance_report('pdf') }}"))
    except Exception as exc:
        out['error'] = str(exc)
    print(json.dumps(out))
''')


def test_through_ansible_templating():
    """With the collection loaded the way ansible-playbook loads it (in a child process: it installs a finder)."""
    # the collections tree this test imported the plugin from (.../ansible_collections/netdiag/ss/plugins/filter/x.py)
    tree = os.path.abspath(plugin.__file__)
    for _level in range(6):
        tree = os.path.dirname(tree)
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_PATH=tree)
    proc = subprocess.run([sys.executable, '-c', TEMPLATING, json.dumps(REPORT)], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    expected = _report.build(REPORT)
    assert json.loads(out['json']) == expected and out['default'] == out['json']
    assert out['junit'] == _report.render(REPORT, 'junit') and out['html'] == _report.render(REPORT, 'html')
    assert 'netdiag.ss.compliance_report: the format must be one of json, junit, html' in out['error']


def test_the_examples_run_where_no_report_folder_exists(tmp_path):
    """The filter's EXAMPLES, as a play on one host that is this machine: the report files are written into
    reports/, which does not exist before (copy does not make the folder of its dest)."""
    import yaml
    playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(playbook):
        pytest.skip('needs ansible-playbook in this Python environment')
    tree = os.path.abspath(plugin.__file__)
    for _level in range(6):
        tree = os.path.dirname(tree)
    play = {'name': 'The examples', 'hosts': 'all', 'gather_facts': False,
            'vars': {'socket_policy': [{'name': 'nothing listens on port 1', 'ss_args': '-tl sport = :1'}]},
            'tasks': yaml.safe_load(plugin.EXAMPLES)}
    (tmp_path / 'playbook.yml').write_text(yaml.safe_dump([play]))
    (tmp_path / 'inventory.json').write_text(json.dumps({'all': {'hosts': {'web1': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}))
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_PATH=tree, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_RETRY_FILES_ENABLED='false', ANSIBLE_STDOUT_CALLBACK='default')
    proc = subprocess.run([playbook, '-i', 'inventory.json', 'playbook.yml'], capture_output=True, text=True, env=env,
                          cwd=str(tmp_path), timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert sorted(os.listdir(tmp_path / 'reports')) == ['report.html', 'report.json', 'report.junit.xml']
    report = json.loads((tmp_path / 'reports' / 'report.json').read_text())
    assert [h['name'] for h in report['hosts']] == ['web1'] and report['hosts'][0]['status'] in ('passed', 'failed')
