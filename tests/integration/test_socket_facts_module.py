# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_facts as users run it: through ansible, in check mode, and with bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import COLLECTIONS, NamespaceProcess, comparable, run_module, run_ss


def _ansible(*args):
    exe = os.path.join(os.path.dirname(sys.executable), 'ansible')
    if not os.path.exists(exe):
        exe = shutil.which('ansible')
    if not exe:
        pytest.skip('ansible is not installed in this Python environment')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([exe, 'localhost', '-e', 'ansible_python_interpreter=%s' % sys.executable] + list(args),
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    # ad-hoc output: "localhost | SUCCESS => {...}"
    head, _sep, body = proc.stdout.partition(' => ')
    return proc.returncode, (head.strip(), json.loads(body)), proc.stderr


@pytest.mark.parametrize('check', [False, True], ids=['run', 'check_mode'])
def test_adhoc_run(netns, sockets, check):
    rc, out, err = _ansible('-m', 'netdiag.ss.socket_facts', '-a', 'ss_args=-tln netns=%s' % netns.name,
                            *(['--check'] if check else []))
    assert rc == 0, err
    head, res = out
    assert head == 'localhost | SUCCESS'
    assert res['changed'] is False
    ports = sorted(s['local_port'] for s in res['ansible_facts']['sockets'])
    assert ports == [5001, 5002, 5003, 5004, 5005, 5006, 5201]   # 5201: the TCP side of the MPTCP listener
    assert res['lines'][0].startswith('State') and len(res['lines']) == 8


def test_missing_namespace_is_an_error_and_is_not_created():
    name = 'ndss-missing-%d' % os.getpid()
    result = run_module('socket_facts', {'netns': name}, check=False)
    assert result['failed'] and 'does not exist' in result['msg'] and name in result['msg']
    assert not os.path.exists('/var/run/netns/' + name)


@pytest.mark.parametrize('args,fragment', [
    ({'ss_args': '-t state listen'}, 'did you mean "listening"'),
    ({'ss_args': '-K'}, 'socket_kill'),
    ({'ss_args': '-t sport = :99999999999999999999'}, 'filter:'),
    ({'ss_args': '-t', 'fields': ['bogus']}, 'bogus'),
    ({'netns': '../etc'}, 'not a valid namespace name'),
    ({'filter_file': '/nonexistent/filter'}, 'cannot read /nonexistent/filter'),
])
def test_bad_input_fails_cleanly(args, fragment):
    result = run_module('socket_facts', args, check=False)
    assert result.get('failed'), result
    assert fragment in result['msg'] and 'Traceback' not in result['msg']


def test_fields_and_lines_options(netns, sockets):
    result = run_module('socket_facts', {'ss_args': '-tln', 'netns': netns.name, 'fields': ['local_port', 'state'],
                                         'lines': False})
    assert 'lines' not in result
    assert all(sorted(s) == ['local_port', 'state'] for s in result['ansible_facts']['sockets'])
    assert result['ansible_facts']['socket_summary']['by_state'] == {'LISTEN': 7}


def test_filter_file_like_ss_F(netns, sockets, tmp_path):
    f = tmp_path / 'filter'
    f.write_text('# listeners on 5001 or 5002\nsport = :5001\nor sport = :5002\n')
    a = run_module('socket_facts', {'ss_args': '-tln -F %s' % f, 'netns': netns.name})
    b = run_module('socket_facts', {'ss_args': '-tln', 'filter_file': str(f), 'netns': netns.name})
    assert sorted(s['local_port'] for s in a['ansible_facts']['sockets']) == [5001, 5002]
    assert a['ansible_facts'] == b['ansible_facts']


def test_mixed_and_or_warns(netns, sockets):
    result = run_module('socket_facts', {'ss_args': '-tan', 'filter': 'sport = :5001 or sport = :5002 and dst 127.0.0.1',
                                         'netns': netns.name})
    assert 'left to right' in json.dumps(result.get('warnings')), result.get('warnings')


def test_adhoc_run_with_filter_and_processes(netns, sockets):
    """The filter engine and the process scan are imported lazily: Ansible must still ship them."""
    rc, out, err = _ansible('-m', 'netdiag.ss.socket_facts', '-a',
                            "ss_args='-tlnp sport = :5001 or dev ndveth0' netns=%s" % netns.name)
    assert rc == 0, err
    res = out[1]
    assert sorted(s['local_port'] for s in res['ansible_facts']['sockets']) == [5001, 5006]
    assert all(s['processes'] and s['processes'][0]['pid'] == sockets.info['pid'] for s in res['ansible_facts']['sockets'])


def test_example_playbook_of_the_readme_runs():
    """scripts/demo.sh (README's first command) runs examples/socket_facts.yml: keep it working."""
    exe = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(exe):
        pytest.skip('ansible-playbook is not installed in this Python environment')
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([exe, '-i', 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter=%s' % sys.executable,
                           os.path.join(root, 'examples', 'socket_facts.yml')],
                          capture_output=True, text=True, env=env, timeout=180, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert 'failed=0' in proc.stdout and 'socket_summary' in proc.stdout


@pytest.mark.parametrize('argv', [['-tan'], ['-tuna'], ['-xa'], ['-tuxwan']], ids=' '.join)
@pytest.mark.parametrize('limit', [1, 5])
def test_max_sockets_lists_what_ss_lists_first(netns, sockets, argv, limit):
    """max_sockets: N lists the first N sockets of ss's listing (ss ... | head), and says that it cut."""
    for _attempt in range(3):      # two tools cannot dump at the same instant: a socket may change between them
        _rc, ss_lines, _err = run_ss(netns, ['-n'] + argv if 'n' not in argv[0] else argv)
        expected, _times = comparable(ss_lines[1:])
        result = run_module('socket_facts', {'ss_args': ' '.join(argv), 'netns': netns.name, 'max_sockets': limit})
        got, _times = comparable(result['lines'][1:])
        if got == expected[:limit]:
            break
    assert got == expected[:limit]
    assert len(result['ansible_facts']['sockets']) == limit
    assert result['truncated'] is (len(expected) > limit)
    assert any('max_sockets' in str(w) for w in result.get('warnings', [])) is result['truncated'], result.get('warnings')


_RENAMED = r'''
import json, socket, sys
with open('/proc/self/comm', 'w') as f:
    f.write(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 0))
print(json.dumps({'port': s.getsockname()[1]}), flush=True)
sys.stdin.read()
'''


def test_a_process_name_with_a_parenthesis_is_whole(netns):
    """systemd's "(sd-pam)": ss cuts a name at its first ')' (docs/differences.md); the module keeps the kernel's name."""
    proc = NamespaceProcess(netns, [sys.executable, '-c', _RENAMED, '(sd-pam) x)'])
    try:
        port = proc.info['port']
        result = run_module('socket_facts', {'ss_args': '-uanp sport = :%d' % port, 'netns': netns.name})
        rc, out, _err = run_ss(netns, ['-Huanp', 'sport = :%d' % port])
    finally:
        proc.stop()
    assert [[h['name'] for h in s['processes']] for s in result['ansible_facts']['sockets']] == [['(sd-pam) x)']]
    assert '(("(sd-pam) x)",pid=' in result['lines'][-1]
    assert rc == 0 and len(out) == 1 and '(("(sd-pam",pid=' in out[0], out
