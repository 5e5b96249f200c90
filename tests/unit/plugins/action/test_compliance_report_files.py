# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netdiag.ss.compliance_report_files action: directory and file handling, and runs through ansible."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from ansible_collections.netdiag.ss.plugins.action import compliance_report_files as action
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
NAMES = ['report.json', 'report.junit.xml', 'report.html']


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_077():
    old = os.umask(0o077)
    yield
    os.umask(old)


def test_directory_and_parents_get_0755_whatever_the_umask(tmp_path, umask_077):
    dest = tmp_path / 'a' / 'b'
    assert action.ensure_directory(str(dest), check_mode=False) is True
    assert mode(tmp_path / 'a') == 0o755 and mode(dest) == 0o755
    assert action.ensure_directory(str(dest), check_mode=False) is False


def test_directory_mode_is_set_and_check_mode_changes_nothing(tmp_path):
    dest = tmp_path / 'r'
    assert action.ensure_directory(str(dest), check_mode=True) is True
    assert not dest.exists()
    dest.mkdir(mode=0o700)
    assert action.ensure_directory(str(dest), check_mode=True) is True
    assert mode(dest) == 0o700
    assert action.ensure_directory(str(dest), check_mode=False) is True
    assert mode(dest) == 0o755


def test_directory_that_is_a_file(tmp_path):
    (tmp_path / 'f').write_text('x')
    with pytest.raises(OSError, match='exists and is not a directory'):
        action.ensure_directory(str(tmp_path / 'f'), check_mode=False)


def test_write_file(tmp_path, umask_077):
    path = str(tmp_path / 'report.json')
    assert action.write_file(path, b'one', check_mode=True) is True
    assert not os.path.exists(path)
    assert action.write_file(path, b'one', check_mode=False) is True
    assert open(path, 'rb').read() == b'one' and mode(path) == 0o644
    assert action.write_file(path, b'one', check_mode=False) is False
    os.chmod(path, 0o600)
    assert action.write_file(path, b'one', check_mode=True) is True and mode(path) == 0o600
    assert action.write_file(path, b'one', check_mode=False) is True and mode(path) == 0o644
    assert action.write_file(path, b'two', check_mode=True) is True
    assert open(path, 'rb').read() == b'one'
    assert action.write_file(path, b'two', check_mode=False) is True
    assert open(path, 'rb').read() == b'two' and mode(path) == 0o644
    assert sorted(os.listdir(tmp_path)) == ['report.json']        # no temporary file left


def ansible(tmp_path, args, *options):
    """Ad-hoc `ansible localhost -m netdiag.ss.compliance_report_files` in a child process -> (rc, result)."""
    tree = os.path.abspath(action.__file__)
    for _level in range(6):
        tree = os.path.dirname(tree)            # .../ansible_collections/netdiag/ss/plugins/action/x.py -> the tree
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_PATH=tree, ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    env.pop('ANSIBLE_STDOUT_CALLBACK', None)
    env.pop('ANSIBLE_LOAD_CALLBACK_PLUGINS', None)
    argv = [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost', '-m', 'netdiag.ss.compliance_report_files',
            '-a', json.dumps(args)] + list(options)
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120, check=False)
    text = proc.stdout
    assert ' => ' in text, proc.stdout + proc.stderr
    return proc.returncode, json.loads(text[text.index(' => ') + 4:])


def test_through_ansible(tmp_path):
    dest = tmp_path / 'out' / 'report'
    rc, result = ansible(tmp_path, {'dest': str(dest), 'report': REPORT}, '--check')
    assert rc == 0 and result['changed'] is True and not dest.exists()
    rc, result = ansible(tmp_path, {'dest': str(dest), 'report': REPORT})
    assert rc == 0 and result['changed'] is True
    assert result['files'] == [str(dest / name) for name in NAMES]
    assert result['passed'] is False and result['totals'] == _report.build(REPORT)['totals']
    for name, fmt in zip(NAMES, ('json', 'junit', 'html')):
        # exactly what the compliance_report filter gives for the same report
        assert (dest / name).read_text(encoding='utf-8') == _report.render(REPORT, fmt)
        assert mode(dest / name) == 0o644
    assert mode(dest) == 0o755
    rc, result = ansible(tmp_path, {'dest': str(dest), 'report': REPORT})
    assert rc == 0 and result['changed'] is False
    rc, result = ansible(tmp_path, {'dest': str(dest), 'report': dict(REPORT, generated='later')}, '--check')
    assert rc == 0 and result['changed'] is True
    assert json.loads((dest / 'report.json').read_text())['generated'] == REPORT['generated']


def test_bad_report_writes_nothing(tmp_path):
    dest = tmp_path / 'report'
    rc, result = ansible(tmp_path, {'dest': str(dest), 'report': dict(REPORT, rules=None)})
    assert rc != 0
    assert result['msg'].startswith('netdiag.ss.compliance_report_files: report.rules: must be a list of rule names')
    assert not dest.exists()


def test_bad_arguments(tmp_path):
    rc, result = ansible(tmp_path, {'dest': str(tmp_path), 'report': REPORT, 'format': 'pdf'})
    assert rc != 0 and 'format' in result['msg']
    rc, result = ansible(tmp_path, {'report': REPORT})
    assert rc != 0 and 'dest' in result['msg']


def test_unwritable_destination(tmp_path):
    (tmp_path / 'file').write_text('x')
    rc, result = ansible(tmp_path, {'dest': str(tmp_path / 'file'), 'report': REPORT})
    assert rc != 0
    assert result['msg'].startswith('netdiag.ss.compliance_report_files: cannot write the report into %s:' % (tmp_path / 'file'))
