# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""netdiag.ss.compliance_report_files: the action plugin (plugins/action) that does the work, its directory and file
handling and runs through ansible, and the module file (plugins/modules) that only documents it: what it documents
must be what the action takes and returns. One file for both, as one module for users (and two test files of the
same name would collide on pytest's import path)."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading

import pytest
import yaml

from ansible_collections.netdiag.ss.plugins.action import compliance_report_files as action
from ansible_collections.netdiag.ss.plugins.modules import compliance_report_files as docs
from ansible_collections.netdiag.ss.plugins.plugin_utils import _report

# the same sample report as the filter's tests
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'filter'))
from test_compliance_report import REPORT  # noqa: E402  pylint: disable=wrong-import-position

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


def test_an_existing_directory_keeps_its_mode_and_check_mode_changes_nothing(tmp_path):
    dest = tmp_path / 'r'
    assert action.ensure_directory(str(dest), check_mode=True) is True
    assert not dest.exists()
    dest.mkdir(mode=0o700)
    assert action.ensure_directory(str(dest), check_mode=False) is False
    assert mode(dest) == 0o700
    shared = tmp_path / 'shared'
    shared.mkdir()
    os.chmod(str(shared), 0o1777)
    os.symlink(str(shared), str(tmp_path / 'link'))
    assert action.ensure_directory(str(tmp_path / 'link'), check_mode=False) is False
    assert stat.S_IMODE(os.stat(str(shared)).st_mode) == 0o1777


def test_a_link_in_the_place_of_a_file_is_replaced_and_its_target_left_alone(tmp_path):
    target = tmp_path / 'private'
    target.write_bytes(b'same')
    os.chmod(str(target), 0o600)
    os.symlink(str(target), str(tmp_path / 'report.json'))
    assert action.write_file(str(tmp_path / 'report.json'), b'same', check_mode=False) is True
    assert not os.path.islink(str(tmp_path / 'report.json')) and mode(tmp_path / 'report.json') == 0o644
    assert mode(target) == 0o600 and target.read_bytes() == b'same'


def _write_within(path, data, check_mode, seconds=20):
    """write_file in a thread: a blocking open of a FIFO would wait for a writer for ever (a failure, not a hung run)."""
    out = {}
    thread = threading.Thread(target=lambda: out.update(changed=action.write_file(path, data, check_mode)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), 'write_file did not return within %d s' % seconds
    return out['changed']


@pytest.mark.parametrize('kind', ['fifo', 'socket'])
def test_a_fifo_or_socket_in_the_place_of_a_file_is_replaced_without_being_opened(tmp_path, kind):
    path = str(tmp_path / 'report.json')
    if kind == 'fifo':
        os.mkfifo(path)
    else:
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(path)                 # open(2) of a socket file fails (ENXIO)
    try:
        assert _write_within(path, b'{}', check_mode=True) is True and not stat.S_ISREG(os.lstat(path).st_mode)
        assert _write_within(path, b'{}', check_mode=False) is True
    finally:
        if kind == 'socket':
            listener.close()
    assert stat.S_ISREG(os.lstat(path).st_mode) and open(path, 'rb').read() == b'{}' and mode(path) == 0o644


def test_a_directory_in_the_place_of_a_file_is_an_error(tmp_path):
    (tmp_path / 'report.json').mkdir()
    with pytest.raises(OSError):
        action.write_file(str(tmp_path / 'report.json'), b'{}', check_mode=False)


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


@pytest.mark.parametrize('dest', ['', '  '])
def test_an_empty_destination_writes_nothing(tmp_path, dest):
    """dest: '' (a socket_compliance_report_dir left empty) wrote the three files into the current directory."""
    rc, result = ansible(tmp_path, {'dest': dest, 'report': REPORT})
    assert rc != 0
    assert result['msg'] == 'netdiag.ss.compliance_report_files: dest: give the directory to write the report into (it is empty)'
    assert sorted(os.listdir(str(tmp_path))) == []


def test_unwritable_destination(tmp_path):
    (tmp_path / 'file').write_text('x')
    rc, result = ansible(tmp_path, {'dest': str(tmp_path / 'file'), 'report': REPORT})
    assert rc != 0
    assert result['msg'].startswith('netdiag.ss.compliance_report_files: cannot write the report into %s:' % (tmp_path / 'file'))


# what every action result carries besides its own keys
STANDARD = {'changed', 'failed', 'msg', 'invocation', 'warnings', 'deprecations', 'skipped'}


def test_it_is_documentation_only():
    assert not hasattr(docs, 'main')
    assert action.ActionModule._supports_check_mode and not action.ActionModule.TRANSFERS_FILES


def test_options_are_the_actions_argument_spec():
    options = yaml.safe_load(docs.DOCUMENTATION)['options']
    assert sorted(options) == sorted(action.ARGUMENT_SPEC)
    for name, spec in action.ARGUMENT_SPEC.items():
        assert options[name]['type'] == spec['type'], name
        assert bool(options[name].get('required')) == bool(spec.get('required')), name


def test_return_values_are_what_a_run_returns(tmp_path):
    documented = set(yaml.safe_load(docs.RETURN))
    rc, result = ansible(tmp_path, {'dest': str(tmp_path / 'report'), 'report': REPORT})
    assert rc == 0
    assert set(result) - STANDARD == documented
    assert yaml.safe_load(docs.EXAMPLES)[-1]['netdiag.ss.compliance_report_files']['dest']
