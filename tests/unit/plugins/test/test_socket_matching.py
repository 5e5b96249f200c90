# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netdiag.ss.socket_matching test: the same answers as select_sockets, errors, and a run through Ansible's templating."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.netdiag.ss.plugins.filter.select_sockets import select_sockets
from ansible_collections.netdiag.ss.plugins.module_utils._filter._lint import MIXED_AND_OR
from ansible_collections.netdiag.ss.plugins.test import socket_matching as plugin


def rec(**kw):
    out = {'netid': 'tcp', 'state': 'ESTAB', 'recv_q': 0, 'send_q': 0, 'local_address': '10.0.0.1', 'local_port': 22,
           'peer_address': '10.0.0.2', 'peer_port': 443, 'interface': None, 'family': 'inet', 'uid': 0, 'inode': 1,
           'cookie': 1}
    out.update(kw)
    return out


SSH = rec()
LISTEN = rec(state='LISTEN', local_address='*', peer_address='*', peer_port=0)
LOOP = rec(state='LISTEN', local_address='127.0.0.1', local_port=8080, peer_address='0.0.0.0', peer_port=0,
           interface='lo')
UNIX = rec(netid='u_str', family='unix', state='ESTAB', local_address='@/tmp/.X11-unix/X0', local_port=10,
           peer_address='*', peer_port=20)
SOCKETS = [SSH, LISTEN, LOOP, UNIX]


def test_registered():
    assert plugin.TestModule().tests() == {'socket_matching': plugin.socket_matching}


@pytest.mark.parametrize('text', [
    'sport = :22', 'sport = :ssh', 'state established', 'state listening sport = :22', 'exclude listening',
    'state connected dport = :443', 'dev lo', 'not dev lo', 'src 127.0.0.1', 'src unix:@*', 'src unix:/*',
    'sport > :1024', '( sport = :22 or sport = :8080 ) and not src 127.0.0.1', '',
])
def test_same_answer_as_select_sockets(text):
    chosen = select_sockets(SOCKETS, text)
    assert [plugin.socket_matching(r, text) for r in SOCKETS] == [any(r is c for c in chosen) for r in SOCKETS]


@pytest.mark.parametrize('record, text, expected', [
    (SSH, 'state established sport = :22', True),
    (LISTEN, 'state established sport = :22', False),
    (LOOP, 'state listening dev lo', True),
    (UNIX, 'src unix:@/tmp/.X11-unix/*', True),
])
def test_answers(record, text, expected):
    assert plugin.socket_matching(record, text) is expected


@pytest.mark.parametrize('record, text, message', [
    (SSH, 'sport 22 )', 'filter: ")" closes a parenthesis that was never opened at word 3'),
    (SSH, 'state closed-wait', 'filter: "closed-wait" is not a state name at word 2; valid: '),
    (SSH, 'state listening autobound', 'filter: "autobound" cannot be evaluated on returned socket records'),
    (SSH, 'fwmark 0x1/0xf', 'filter: "0x1/0xf" cannot be evaluated on returned socket records: fwmark needs the socket '
                            'mark'),
    (SSH, 22, 'the filter must be a string (an ss FILTER such as "state listening sport = :22"), not a number: 22'),
    ('10.0.0.1:22', 'sport = :22', 'not a socket record (a dict as socket_facts returns it) but a string'),
    ([SSH], 'sport = :22', 'not a socket record (a dict as socket_facts returns it) but a list'),
    ({'netid': 'tcp', 'state': 'ESTAB'}, 'sport = :22', 'not a socket record as socket_facts returns it (KeyError: '
                                                        '\'family\')'),
])
def test_errors_are_never_false(record, text, message):
    with pytest.raises(AnsibleFilterError) as info:
        plugin.socket_matching(record, text)
    assert str(info.value).startswith('netdiag.ss.socket_matching: ' + message)


def test_mixed_and_or_warns(monkeypatch):
    said = []
    monkeypatch.setattr(plugin.Display, 'warning', lambda self, msg, *a, **kw: said.append(msg))
    assert plugin.socket_matching(LISTEN, 'sport = :22 or sport = :53 and dport = :0') is True
    assert said == ['netdiag.ss.socket_matching: ' + MIXED_AND_OR]


TEMPLATING = textwrap.dedent('''
    import json, sys
    from ansible.plugins.loader import init_plugin_loader
    init_plugin_loader()
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template
    data = json.loads(sys.argv[1])
    templar = Templar(loader=DataLoader(), variables={'sockets': data['sockets']})
    out = []
    for text in data['templates']:
        try:
            out.append({'value': templar.template(trust_as_template(text))})
        except Exception as exc:
            out.append({'error': str(exc)})
    print(json.dumps(out))
''')


def test_through_ansible_templating():
    tree = os.path.abspath(plugin.__file__)
    for _level in range(6):
        tree = os.path.dirname(tree)
    templates = [
        "{{ sockets[0] is netdiag.ss.socket_matching('sport = :22') }}",
        "{{ sockets[1] is netdiag.ss.socket_matching('state established sport = :22') }}",
        "{{ sockets[1] is not netdiag.ss.socket_matching('state established') }}",
        "{{ sockets | select('netdiag.ss.socket_matching', 'state listening') | map(attribute='local_port') }}",
        "{{ sockets | reject('netdiag.ss.socket_matching', 'src unix:*') | length }}",
        "{{ sockets[0] is netdiag.ss.socket_matching('state established and sport = :22') }}",
        "{{ 'sshd' is netdiag.ss.socket_matching('sport = :22') }}",
    ]
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_PATH=tree)
    proc = subprocess.run([sys.executable, '-c', TEMPLATING, json.dumps({'sockets': SOCKETS, 'templates': templates})],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out[:5] == [{'value': True}, {'value': False}, {'value': True}, {'value': [22, 8080]}, {'value': 3}]
    assert out[5]['error'] == ('The test plugin \'netdiag.ss.socket_matching\' failed: netdiag.ss.socket_matching: '
                               'filter: "and" needs a condition on its left at word 3; state words are not joined to '
                               'the expression with "and" (ss rejects it too): write the expression right after them '
                               '("... sport = :22")')
    assert out[6]['error'] == ('The test plugin \'netdiag.ss.socket_matching\' failed: netdiag.ss.socket_matching: not '
                               'a socket record (a dict as socket_facts returns it) but a string: "sshd"')
