# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_kill's main(): arguments in, JSON out, with the kernel faked (tests/integration closes real sockets)."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.netdiag.ss.plugins.module_utils import _kill
from ansible_collections.netdiag.ss.plugins.module_utils._select import Selection
from ansible_collections.netdiag.ss.plugins.modules import socket_kill

from test__kill import _rec


@pytest.fixture
def kernel(monkeypatch):
    box = {'records': [_rec(5000 + i, 40000 + i) for i in range(3)], 'selects': 0, 'killed': []}

    def fake_select(request, lookups=None, planner=None):
        box['selects'] += 1
        return Selection([dict(r) for r in box['records']], [], [], None)

    def fake_kill(plan, check_mode=False, diff=False):
        box['killed'] = [] if check_mode else list(plan.to_kill)
        result = {'changed': bool(plan.to_kill), 'killed': [], 'not_closed': [], 'protected': [], 'survivors': [], 'lines': []}
        if diff:
            result['diff'] = {'before': 'b\n', 'after': 'a\n'}
        return result
    monkeypatch.setattr(_kill, 'select', fake_select)
    monkeypatch.setattr(socket_kill, 'kill', fake_kill)
    return box


def run(args, capsys, check_mode=False, diff=False):
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    if diff:
        args = dict(args, _ansible_diff=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as info:
            socket_kill.main()
    return info.value.code, json.loads(capsys.readouterr().out)


def test_kills_within_the_limit(kernel, capsys):
    rc, result = run({'ss_args': '-t', 'filter': 'sport >= 5000'}, capsys)
    assert rc == 0 and result['changed'] and 'diff' not in result and len(kernel['killed']) == 3


def test_diff(kernel, capsys):
    rc, result = run({'ss_args': '-t', 'filter': 'sport >= 5000'}, capsys, diff=True)
    assert result['diff'] == {'before': 'b\n', 'after': 'a\n'}


@pytest.mark.parametrize('args, message', [
    ({'ss_args': '-t'}, 'no filter and no state words'),
    ({'ss_args': '-t', 'filter': 'sport >= 5000', 'max_kill': 2}, '3 sockets match, more than max_kill (2)'),
    ({'ss_args': '-t', 'filter': 'sport >='}, 'filter: expression ends too early'),
])
def test_refusals_close_nothing(kernel, capsys, args, message):
    rc, result = run(args, capsys)
    assert rc == 1 and message in result['msg'] and kernel['killed'] == []
    if 'max_kill' in args:
        assert result['count'] == 3 and result['lines'][1].split()[3] == '127.0.0.1:5000'


def test_a_socket_that_could_not_be_closed_fails_the_task(kernel, capsys, monkeypatch):
    def refused(plan, check_mode=False, diff=False):
        rec = {'netid': 'tcp', 'local_port': 5000, 'errno': 1, 'error': 'EPERM', 'message': 'not permitted'}
        gone = dict(rec, local_port=5001, errno=2, error='ENOENT', message='gone already')
        return {'changed': False, 'killed': [], 'aborted': [], 'not_closed': [rec, gone], 'protected': [],
                'survivors': [], 'lines': []}
    monkeypatch.setattr(socket_kill, 'kill', refused)
    rc, result = run({'ss_args': '-t', 'filter': 'sport >= 5000'}, capsys)
    assert rc == 1 and result['failed'] and '1 of the selected sockets could not be closed: EPERM' in result['msg']
    assert len(result['not_closed']) == 2


def test_gone_already_is_not_a_failure(kernel, capsys, monkeypatch):
    def gone(plan, check_mode=False, diff=False):
        rec = {'netid': 'tcp', 'local_port': 5001, 'errno': 2, 'error': 'ENOENT', 'message': 'gone already'}
        return {'changed': True, 'killed': [], 'aborted': [], 'not_closed': [rec], 'protected': [], 'survivors': [],
                'lines': []}
    monkeypatch.setattr(socket_kill, 'kill', gone)
    rc, result = run({'ss_args': '-t', 'filter': 'sport >= 5000'}, capsys)
    assert rc == 0 and not result.get('failed') and result['not_closed'][0]['error'] == 'ENOENT'


def test_under_async_without_ssh_connection_nothing_is_read_or_closed(kernel, capsys, monkeypatch):
    """async_wrapper detaches the module from sshd's processes, and become drops SSH_CONNECTION: the connection
    Ansible uses cannot be found, and was closed with the rest."""
    from ansible_collections.netdiag.ss.plugins.module_utils import _kill
    monkeypatch.setattr(_kill, 'under_async_wrapper', lambda: True)
    monkeypatch.delenv('SSH_CONNECTION', raising=False)
    rc, result = run({'ss_args': '-t', 'filter': 'sport >= 5000'}, capsys)
    assert rc == 1 and result['msg'].startswith('protect_connection: under async the module runs detached from the')
    assert kernel['killed'] == [] and kernel['selects'] == 0
    # SSH_CONNECTION names it (no become), or protect_connection: false, or no table it can be in, or another
    # namespace than the module's own: closed as without async
    for args, env in (({}, '10.0.0.9 50000 10.0.0.1 22'), ({'protect_connection': False}, None),
                      ({'ss_args': '-u'}, None)):
        if env:
            monkeypatch.setenv('SSH_CONNECTION', env)
        else:
            monkeypatch.delenv('SSH_CONNECTION', raising=False)
        rc, result = run(dict({'ss_args': '-t', 'filter': 'sport >= 5000'}, **args), capsys)
        assert rc == 0 and result['changed'], (args, result)


def test_ansible_async_dir_alone_is_not_async(kernel, capsys, monkeypatch):
    """ANSIBLE_ASYNC_DIR is also the setting of async_dir, which a local or netns connection passes on to every
    module: it refused without async."""
    monkeypatch.setenv('ANSIBLE_ASYNC_DIR', '/tmp/async')
    monkeypatch.delenv('SSH_CONNECTION', raising=False)
    rc, result = run({'ss_args': '-t', 'filter': 'sport >= 5000'}, capsys)
    assert rc == 0 and result['changed']


@pytest.mark.parametrize('args, message', [
    ({'ss_args': '-t', 'filter': 'sport >= 5000', 'max_kill': -5}, 'max_kill: -5 is not a number of sockets'),
    # a YAML boolean passes Ansible's int check: true was taken as 1
    ({'ss_args': '-t', 'filter': 'sport >= 5000', 'max_kill': True}, 'max_kill: true is not a number of sockets'),
    ({'ss_args': '-t', 'filter': 'sport >= 5000', 'max_kill': False}, 'max_kill: false is not a number of sockets'),
    ({'ss_args': '-t -D /tmp/ndss-capture sport >= 5000'}, 'ss_args: -D writes a capture of the TCP table, which this module'),
    ({'ss_args': '-tE sport >= 5000'}, 'ss_args: -E listens for closed sockets, which this module does not do'),
    # an empty name (a templated netns that came out empty) closed the host's own sockets
    ({'ss_args': '-t', 'filter': 'sport >= 5000', 'netns': ''}, 'netns: "" is not a valid namespace name'),
    ({'ss_args': "-t -N '' sport >= 5000"}, 'netns: "" is not a valid namespace name'),
])
def test_bad_input_closes_nothing(kernel, capsys, args, message):
    rc, result = run(args, capsys)
    assert rc == 1 and result['failed'] and message in result['msg'] and kernel['killed'] == [] and kernel['selects'] == 0
