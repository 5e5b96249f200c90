# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netdiag.ss.socket_lines filter: ss -n lines for records, its options, errors, and a run through Ansible's templating."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.netdiag.ss.plugins.filter import socket_lines as plugin
from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request


def rec(**kw):
    out = {'netid': 'tcp', 'state': 'ESTAB', 'recv_q': 0, 'send_q': 0, 'local_address': '10.0.0.1', 'local_port': 22,
           'peer_address': '10.0.0.2', 'peer_port': 443, 'interface': None, 'family': 'inet', 'uid': 0, 'inode': 1,
           'cookie': 1}
    out.update(kw)
    return out


SOCKETS = [
    rec(processes=[{'name': 'sshd', 'pid': 812, 'fd': 4}]),
    rec(state='LISTEN', local_address='*', peer_address='*', peer_port=0, send_q=128,
        processes=[{'name': 'sshd', 'pid': 700, 'fd': 3}]),
    rec(family='inet6', local_address='fe80::1', local_port=546, peer_address='*', peer_port=0, netid='udp',
        state='UNCONN', interface='eth0', processes=[]),
]
SS_N = [
    'Netid State  Recv-Q Send-Q  Local Address:Port Peer Address:PortProcess',
    'tcp   ESTAB  0      0            10.0.0.1:22       10.0.0.2:443',
    'tcp   LISTEN 0      128                 *:22              *:*',
    'udp   UNCONN 0      0      [fe80::1]%eth0:546             *:*',
]


def test_registered():
    assert plugin.FilterModule().filters() == {'socket_lines': plugin.socket_lines}


def test_default_is_ss_n():
    assert plugin.socket_lines(SOCKETS) == SS_N
    assert plugin.socket_lines(SOCKETS, '-n') == SS_N == listing(build_request({'ss_args': ''}), SOCKETS)


@pytest.mark.parametrize('ss_args, header, expected', [
    ('-tan', True, ['State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
                    'ESTAB  0      0           10.0.0.1:22       10.0.0.2:443',
                    'LISTEN 0      128                *:22              *:*']),
    ('-tan', False, ['ESTAB  0      0      10.0.0.1:22 10.0.0.2:443', 'LISTEN 0      128           *:22        *:*']),
    ('-tanH', True, ['ESTAB  0      0      10.0.0.1:22 10.0.0.2:443', 'LISTEN 0      128           *:22        *:*']),
    ('-tnp state established', False, ['0      0      10.0.0.1:22 10.0.0.2:443 users:(("sshd",pid=812,fd=4))',
                                       '0      128           *:22        *:*   users:(("sshd",pid=700,fd=3))']),
])
def test_options(ss_args, header, expected):
    assert plugin.socket_lines(SOCKETS[:2], ss_args, header=header) == expected


def test_one_record():
    assert plugin.socket_lines(SOCKETS[2], '-uan', False) == ['UNCONN 0      0      [fe80::1]%eth0:546 *:*']


@pytest.mark.parametrize('sockets, args, message', [
    (SOCKETS, {'ss_args': '-r'}, 'ss_args: -r would name hosts and services on the controller, not on the managed host'),
    (SOCKETS, {'ss_args': '-s'}, 'ss_args: -s prints a summary, not socket lines'),
    (SOCKETS, {'ss_args': '-t sport = :22'}, 'ss_args: "sport = :22" is a filter expression; socket_lines prints every '
                                             'record it is given: select them with netdiag.ss.select_sockets first'),
    (SOCKETS, {'ss_args': '-K'}, 'ss_args: -K closes sockets: use the netdiag.ss.socket_kill module for that'),
    (SOCKETS, {'ss_args': None}, 'ss_args must be a string of ss options (for example "-tlnp"), not null'),
    (SOCKETS, {'header': 'no'}, 'header must be true or false, not a string: "no"'),
    ('tcp', {}, 'the input must be a list of socket records (ansible_facts.sockets) or one record, not a string'),
    ([{'netid': 'tcp'}], {}, 'item 0 of the input is not a socket record as socket_facts returns it: it has no state, '
                             'recv_q'),
])
def test_errors_name_the_filter(sockets, args, message):
    with pytest.raises(AnsibleFilterError) as info:
        plugin.socket_lines(sockets, **args)
    assert str(info.value).startswith('netdiag.ss.socket_lines: ' + message)


TEMPLATING = textwrap.dedent('''
    import json, sys
    from ansible.plugins.loader import init_plugin_loader
    init_plugin_loader()
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template
    data = json.loads(sys.argv[1])
    templar = Templar(loader=DataLoader(), variables={'ansible_facts': {'sockets': data['sockets']}})
    out = []
    for text in data['templates']:
        try:
            out.append({'value': templar.template(trust_as_template(text))})
        except Exception as exc:
            out.append({'error': str(exc)})
    print(json.dumps(out))
''')


def test_through_ansible_templating():
    """select_sockets, then socket_lines, as a play writes it."""
    tree = os.path.abspath(plugin.__file__)
    for _level in range(6):
        tree = os.path.dirname(tree)
    templates = [
        "{{ ansible_facts.sockets | netdiag.ss.socket_lines }}",
        "{{ ansible_facts.sockets | netdiag.ss.select_sockets('state listening') | netdiag.ss.socket_lines('-tlnp') }}",
        # "\n" as in a double-quoted YAML string: a newline inside the Jinja string literal
        "{{ ansible_facts.sockets | netdiag.ss.socket_lines(header=false) | join('\n') }}",
        "{{ ansible_facts.sockets | netdiag.ss.socket_lines('-r') }}",
    ]
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_PATH=tree)
    proc = subprocess.run([sys.executable, '-c', TEMPLATING, json.dumps({'sockets': SOCKETS, 'templates': templates})],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out[0] == {'value': SS_N}
    assert out[1] == {'value': ['State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
                                'LISTEN 0      128                *:22              *:*    users:(("sshd",pid=700,fd=3))']}
    assert out[2] == {'value': '\n'.join(plugin.socket_lines(SOCKETS, header=False))}
    assert 'Traceback' not in out[3]['error']
    assert "The filter plugin 'netdiag.ss.socket_lines' failed: netdiag.ss.socket_lines: ss_args: -r would name" \
        in out[3]['error']
