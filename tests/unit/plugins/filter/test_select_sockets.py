# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netdiag.ss.select_sockets filter: what it selects, errors naming the filter, and a run through Ansible's templating."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.netdiag.ss.plugins.filter import select_sockets as plugin
from ansible_collections.netdiag.ss.plugins.module_utils._filter._lint import MIXED_AND_OR


def rec(**kw):
    out = {'netid': 'tcp', 'state': 'ESTAB', 'recv_q': 0, 'send_q': 0, 'local_address': '10.0.0.1', 'local_port': 22,
           'peer_address': '10.0.0.2', 'peer_port': 443, 'interface': None, 'family': 'inet', 'uid': 0, 'inode': 1,
           'cookie': 1}
    out.update(kw)
    return out


SOCKETS = [
    rec(),
    rec(state='LISTEN', local_address='*', peer_address='*', peer_port=0, send_q=128),
    rec(family='inet6', local_address='::1', local_port=40000, peer_address='::1', peer_port=443),
    rec(netid='udp', state='UNCONN', local_address='127.0.0.53', local_port=53, peer_address='0.0.0.0', peer_port=0),
    rec(netid='u_str', family='unix', state='LISTEN', local_address='/run/app.sock', local_port=100, peer_address='*',
        peer_port=0),
]


def test_registered():
    assert plugin.FilterModule().filters() == {'select_sockets': plugin.select_sockets}


@pytest.mark.parametrize('text, indexes', [
    ('state established dport = :443', [0, 2]),
    ('state established dport = :https', [0, 2]),
    ('exclude listening', [0, 2, 3]),
    ('state connected', [0, 2]),
    ('state synchronized src [::1]', [2]),
    ('state listening', [1, 4]),
    ('sport = :ssh', [0, 1]),
    ('src unix:/run/*', [4]),
    ('src inet6:*', [2]),
    ('', [0, 1, 2, 3, 4]),
])
def test_selects(text, indexes):
    assert plugin.select_sockets(SOCKETS, text) == [SOCKETS[i] for i in indexes]


@pytest.mark.parametrize('sockets, text, message', [
    (SOCKETS, 'state established and dport = :443',
     'filter: "and" needs a condition on its left at word 3; state words are not joined to the expression with "and" '
     '(ss rejects it too): write the expression right after them ("... dport = :443")'),
    (SOCKETS, 'state listen', 'filter: "listen" is not a state name at word 2; did you mean "listening"?'),
    (SOCKETS, 'sport = 22 )', 'filter: ")" closes a parenthesis that was never opened at word 4; remove it or add "(" '
                              'before'),
    (SOCKETS, 'state established fwmark 0x23', 'filter: "0x23" cannot be evaluated on returned socket records: fwmark '
                                               'needs the socket mark, which records do not carry at word 4; filter on '
                                               'the managed host (the filter option of the module) instead'),
    (SOCKETS, 'cgroup /system.slice', 'filter: "/system.slice" cannot be evaluated on returned socket records: cgroup '
                                      'needs the socket cgroup id'),
    (SOCKETS, 'autobound', 'filter: "autobound" cannot be evaluated on returned socket records: autobound needs the '
                           'kernel'),
    (SOCKETS, 'dev 2', 'filter: "2" cannot be evaluated on returned socket records: dev by index needs the target host; '
                       'use the interface name at word 2'),
    (SOCKETS, 'src link:ip:eth0', 'filter: "link:ip:eth0" cannot be evaluated on returned socket records: a packet '
                                  'socket\'s interface by name needs the target host'),
    (SOCKETS, ['sport = :22'], 'the filter must be a string (an ss FILTER such as "state listening sport = :22"), not a '
                               'list'),
    ('sockets', 'sport = :22', 'the input must be a list of socket records (ansible_facts.sockets), not a string'),
    (SOCKETS[0], 'sport = :22', 'the input must be a list of socket records (ansible_facts.sockets), not a dict'),
    ([{'state': 'ESTAB'}], 'sport = :22', 'item 0 of the input: not a socket record as socket_facts returns it '
                                          '(KeyError: \'family\')'),
])
def test_errors_name_the_filter(sockets, text, message):
    with pytest.raises(AnsibleFilterError) as info:
        plugin.select_sockets(sockets, text)
    assert str(info.value).startswith('netdiag.ss.select_sockets: ' + message)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_mixed_and_or_warns(monkeypatch):
    said = []
    monkeypatch.setattr(plugin.Display, 'warning', lambda self, msg, *a, **kw: said.append(msg))
    assert plugin.select_sockets(SOCKETS, 'sport = :22 or sport = :53 and dport = :0') == [SOCKETS[1], SOCKETS[3]]
    assert said == ['netdiag.ss.select_sockets: ' + MIXED_AND_OR]
    plugin.select_sockets(SOCKETS, '( sport = :22 or sport = :53 ) and dport = :0')
    assert len(said) == 1


TEMPLATING = textwrap.dedent('''
    import json, sys
    from ansible.plugins.loader import init_plugin_loader
    init_plugin_loader()
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template
    data = json.loads(sys.argv[1])
    variables = {'ansible_facts': {'sockets': data['sockets']},
                 # a filter text that is a template itself: the plugin gets a tagged string
                 'wanted': trust_as_template("{{ 'state ' ~ 'established' }}")}
    templar = Templar(loader=DataLoader(), variables=variables)
    out = []
    for text in data['templates']:
        try:
            out.append({'value': templar.template(trust_as_template(text))})
        except Exception as exc:
            out.append({'error': str(exc)})
    print(json.dumps(out))
''')


def templated(templates):
    """Each template rendered by a Templar in a child process that loads the collection as ansible-playbook does."""
    tree = os.path.abspath(plugin.__file__)
    for _level in range(6):
        tree = os.path.dirname(tree)
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_PATH=tree)
    proc = subprocess.run([sys.executable, '-c', TEMPLATING, json.dumps({'sockets': SOCKETS, 'templates': templates})],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_through_ansible_templating():
    out, stderr = templated([
        "{{ ansible_facts.sockets | netdiag.ss.select_sockets('state established dport = :443') }}",
        "{{ ansible_facts.sockets | netdiag.ss.select_sockets(wanted) | map(attribute='local_port') }}",
        "{{ ansible_facts.sockets | netdiag.ss.select_sockets(filter='state listening') | length }}",
        "{{ ansible_facts.sockets | netdiag.ss.select_sockets('sport = :22 or sport = :53 and dport = :0') | length }}",
        "{{ ansible_facts.sockets | netdiag.ss.select_sockets('state established and dport = :443') }}",
        "{{ ansible_facts.sockets | netdiag.ss.select_sockets('fwmark 0x23') }}",
        "{{ ansible_facts.sockets[0] | netdiag.ss.select_sockets('sport = :22') }}",
    ])
    assert out[0] == {'value': [SOCKETS[0], SOCKETS[2]]}
    assert out[1] == {'value': [22, 40000]}
    assert out[2] == {'value': 2}
    assert out[3] == {'value': 2}
    assert '[WARNING]: netdiag.ss.select_sockets: the filter mixes "and" and "or" without parentheses' in stderr
    for item in out[4:]:
        assert list(item) == ['error'] and 'Traceback' not in item['error']
    assert out[4]['error'] == ('The filter plugin \'netdiag.ss.select_sockets\' failed: netdiag.ss.select_sockets: '
                               'filter: "and" needs a condition on its left at word 3; state words are not joined to '
                               'the expression with "and" (ss rejects it too): write the expression right after them '
                               '("... dport = :443")')
    assert 'netdiag.ss.select_sockets: filter: "0x23" cannot be evaluated on returned socket records: fwmark' \
        in out[5]['error']
    assert 'netdiag.ss.select_sockets: the input must be a list of socket records' in out[6]['error']
