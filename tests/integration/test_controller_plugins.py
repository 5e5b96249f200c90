# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller-side plugins on real socket_facts output: they select and print what the module selects and prints.

The sockets of tests/integration/sockets_fixture.py, in a namespace of this
test (ndss-plug-PID). For every case of test_record_matcher.py (the cases
of test_filter_differential.py that records can answer), and for filters
with state words: socket_facts runs once without the filter and once with
it; netdiag.ss.select_sockets on the first result must keep exactly the
sockets of the second, netdiag.ss.socket_matching must agree with it
record by record, and netdiag.ss.socket_lines on the second result's
records must print its `lines`. A FILTER has no options, so cases where
-4/-6/-x/-0/-f change how operands are read are given with a family
prefix instead.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import warnings

import pytest

from conftest import COLLECTIONS, Netns, SocketFixture, need_root, run_module
from test_record_matcher import CHOSEN

from ansible_collections.netdiag.ss.plugins.filter.select_sockets import select_sockets
from ansible_collections.netdiag.ss.plugins.filter.socket_lines import socket_lines
from ansible_collections.netdiag.ss.plugins.module_utils._query import parse_ss_args
from ansible_collections.netdiag.ss.plugins.test.socket_matching import socket_matching

KEY = ('netid', 'state', 'local_address', 'local_port', 'peer_address', 'peer_port', 'interface', 'inode')

# (ss options, state words, expression): the state words go to the module in ss_args, to the plugins in the filter
STATE_CASES = [
    ('-tan', 'state established', ''), ('-tan', 'state listening', ''), ('-tan', 'exclude listening', ''),
    ('-tan', 'state syn-sent', ''), ('-tan', 'state connected', 'sport = :5001'),
    ('-tan', 'state synchronized', 'dport = :5001 or sport = :5001'), ('-tan', 'state bucket', ''),
    ('-tan', 'state big', 'src 127.0.0.1'), ('-tan', 'state established state syn-sent', 'dst 127.0.0.1'),
    ('-tan', 'exclude established exclude listening', ''), ('-tan', 'excl syn-sent', '( sport = :5001 or dport = :5001 )'),
    ('-tuan', 'state unconnected', ''), ('-tuan', 'exclude time-wait', 'sport = :5001 or sport = :5101'),
    ('-tuan', 'state all', 'src inet6:*'), ('-xan', 'state listening', 'src *'), ('-xan', 'state established', ''),
    ('-an', 'state unconnected', 'src unix:*'),
]
# A FILTER has no options: operands are read as inet unless they carry a family prefix, where -4, -6, -x, -0 or -f
# would have changed that; these cases give the prefix instead
PREFIXED_CASES = [
    ('-xan', '', 'src unix:*stream.sock'), ('-xan', '', 'src unix:@netdiag*'), ('-xan', '', 'sport = unix:*dgram*'),
    ('-xan', '', 'src unix:*'), ('-xan', '', r'src unix:*\\xff*'), ('-xan', '', r'src unix:*\xff*'),
    ('-xan', '', 'src unix:*/?.sock'), ('-xan', '', 'src unix:*/[[:upper:]]*'), ('-xan', '', 'src unix:*/\u00e9*'),
    ('-xan', '', 'dst unix:*'), ('-0an', '', 'src link:*'), ('-0an', '', 'src link:ip'), ('-0an', '', 'src link:all'),
    ('-f netlink -an', '', 'src netlink:rtnl'), ('-f netlink -an', '', 'src netlink:0:*'),
    ('-f netlink -an', '', 'src netlink:rtnl:kernel'), ('-4tan', '', 'src inet:127.0.0.1'),
    ('-6tan', '', 'src inet6:[::1]'), ('-6tan', '', 'src inet6:::1/128'),
]
# an address of the other family: the kernel's half of the filter rejects it where user space would not (v4-mapped aside)
FAMILY_CASES = [
    ('-tuwan', '', 'src 0.0.0.0/0'), ('-tuwan', '', 'dst 0.0.0.0/0'), ('-tuan', '', 'src 0.0.0.0/1'), ('-tuan', '', 'src 0.0.0.0'),
    ('-tuan', '', 'src [::]'), ('-tuan', '', 'src [::ffff:127.0.0.1]'), ('-tuan', '', 'not src 0.0.0.0/0'),
]
CASES = [(opts, '', ' '.join(shlex.split(expr))) for opts, expr in CHOSEN
         if parse_ss_args(opts).preferred_family is None] + PREFIXED_CASES + STATE_CASES + FAMILY_CASES


@pytest.fixture(scope='module')
def plug_netns():
    need_root()
    ns = Netns('plug')          # ndss-plug-PID and its peer ndss-plug-PID-p
    yield ns
    ns.remove()


@pytest.fixture(scope='module')
def plug_sockets(plug_netns):
    fx = SocketFixture(plug_netns)
    yield fx
    fx.stop()


def _key(rec):
    return tuple(rec[k] for k in KEY)


def test_enough_cases():
    assert len(CASES) >= 95, len(CASES)


@pytest.mark.parametrize('opts,states,expr', CASES, ids=[' '.join(filter(None, c)) for c in CASES])
def test_plugins_select_and_print_what_the_module_does(plug_netns, plug_sockets, opts, states, expr):
    text = ' '.join(filter(None, (states, expr)))
    for attempt in range(3):    # two module runs read the kernel one after the other: retry a transient difference
        everything = run_module('socket_facts', {'ss_args': opts + ' -n', 'netns': plug_netns.name, 'lines': False})
        target = run_module('socket_facts', {'ss_args': ' '.join((opts, '-n', states)), 'filter': expr or None,
                                             'netns': plug_netns.name})
        records = everything['ansible_facts']['sockets']
        ours = sorted(_key(r) for r in select_sockets(records, text))
        theirs = sorted(_key(r) for r in target['ansible_facts']['sockets'])
        if ours == theirs:
            break
        warnings.warn('attempt %d of %s %s differed' % (attempt + 1, opts, text))
    assert ours == theirs, (set(ours) ^ set(theirs))
    assert sorted(_key(r) for r in records if socket_matching(r, text)) == ours
    # the module's own lines for its records, from the options alone
    assert socket_lines(target['ansible_facts']['sockets'], ' '.join((opts, '-n', states))) == target['lines']


def test_cases_select_something(plug_netns, plug_sockets):
    """Guard against a suite that passes because nothing is ever selected."""
    everything = {}
    selecting = 0
    for opts, states, expr in CASES:
        if opts not in everything:
            everything[opts] = run_module('socket_facts', {'ss_args': opts + ' -n', 'netns': plug_netns.name,
                                                           'lines': False})['ansible_facts']['sockets']
        if select_sockets(everything[opts], ' '.join(filter(None, (states, expr)))):
            selecting += 1
    assert selecting >= 0.8 * len(CASES), selecting


def test_lines_with_details_are_the_modules(plug_netns, plug_sockets):
    """-p, -e, -m, -i, -o and -O: the text after the addresses too."""
    for opts in ('-tanpeo', '-tanmi', '-xanp', '-tuanemO', '-tanH'):
        target = run_module('socket_facts', {'ss_args': opts, 'netns': plug_netns.name})
        assert socket_lines(target['ansible_facts']['sockets'], opts) == target['lines'], opts


PLAYBOOK = r"""
- name: The controller-side plugins on the facts of a namespace as a host
  hosts: all
  gather_facts: false
  vars:
    cases:
      - {states: 'state listening', expr: ''}
      - {states: 'state established', expr: 'sport = :5001 or dport = :5001'}
      - {states: 'exclude listening', expr: 'src 127.0.0.1 and not dport = :5001'}
      - {states: '', expr: 'sport = :5101'}
      - {states: 'state listening', expr: 'src inet6:*'}
      - {states: '', expr: 'src unix:*stream.sock'}
  tasks:
    - name: Every socket once
      netdiag.ss.socket_facts:
        ss_args: -A tcp,udp,unix -an      # not -x: it would make unix the operands' family (ss's preferred family)
      register: everything

    - name: The module's own selection, for each filter
      netdiag.ss.socket_facts:
        ss_args: "-A tcp,udp,unix -an {{ item.states }}"
        filter: "{{ item.expr }}"
      loop: "{{ cases }}"
      register: targets

    - name: The plugins select and print what the module selects and prints
      ansible.builtin.assert:
        that:
          - (everything.ansible_facts.sockets | netdiag.ss.select_sockets(text) | map(attribute='inode') | sort) == want
          - (everything.ansible_facts.sockets | select('netdiag.ss.socket_matching', text) | map(attribute='inode')
             | sort) == want
          - item.ansible_facts.sockets | netdiag.ss.socket_lines('-A tcp,udp,unix -an ' ~ item.item.states) == item.lines
          - want | length > 0
      loop: "{{ targets.results }}"
      loop_control:
        label: "{{ text }}"
      vars:
        text: "{{ item.item.states ~ ' ' ~ item.item.expr }}"
        want: "{{ item.ansible_facts.sockets | map(attribute='inode') | sort }}"

    - name: A filter that is not valid
      ansible.builtin.debug:
        msg: "{{ everything.ansible_facts.sockets | netdiag.ss.select_sockets('state established and sport = :22') }}"
      register: bad
      ignore_errors: true

    - name: A condition records cannot answer
      ansible.builtin.debug:
        msg: "{{ everything.ansible_facts.sockets | select('netdiag.ss.socket_matching', 'fwmark 0x23') }}"
      register: refused
      ignore_errors: true

    - name: Both fail the task with the plugin's message
      ansible.builtin.assert:
        that:
          - bad is failed
          - >-
            'netdiag.ss.select_sockets: filter: "and" needs a condition on its left at word 3; state words are not
            joined to the expression with "and"' in bad.msg
          - refused is failed
          - >-
            'netdiag.ss.socket_matching: filter: "0x23" cannot be evaluated on returned socket records: fwmark needs
            the socket mark' in refused.msg
"""


def test_in_a_playbook(plug_netns, plug_sockets, tmp_path):
    """socket_facts on a namespace as a host (the netns connection), the plugins on its facts in the play."""
    playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(playbook) or shutil.which('nsenter') is None:
        pytest.skip('needs ansible-playbook in this Python environment and nsenter (util-linux)')
    (tmp_path / 'inventory.json').write_text(json.dumps({'all': {'hosts': {plug_netns.name: {
        'ansible_connection': 'netdiag.ss.netns', 'ansible_python_interpreter': sys.executable}}}}))
    (tmp_path / 'playbook.yml').write_text(PLAYBOOK)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='false', ANSIBLE_STDOUT_CALLBACK='default')
    proc = subprocess.run([playbook, '-i', str(tmp_path / 'inventory.json'), str(tmp_path / 'playbook.yml')],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert 'failed=0' in proc.stdout and 'ignored=2' in proc.stdout, proc.stdout[-3000:]
