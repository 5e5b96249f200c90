# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netdiag.ss.netns connection through ansible-playbook, on real network namespaces.

Two namespaces joined by a veth pair stand in for two hosts: one host is named
like its namespace, the other sets ansible_netns_name. A listener runs in the
first one only. The playbook checks from inside each "host" what it sees of
links and sockets (command, socket_facts), copies files there and back, uses
become and delegate_to; this test then checks the files on the local file
system, the commands Ansible ran (-vvv), and that the controller's own
namespace did not change. Hosts whose namespace is missing or whose name is
invalid are unreachable with a clear message, and nothing is created.
Needs root, nsenter (util-linux), ip and ss (iproute2), pyroute2 and ansible-playbook.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

from conftest import COLLECTIONS, NamespaceProcess, need_root

PREFIX = 'ndss-conn-%d-' % os.getpid()
NS_A, NS_B, NS_MISSING = PREFIX + '1', PREFIX + '2', PREFIX + '3'
HOST_B = 'lab-b'                           # inventory name of the host living in NS_B
ADDR_A, ADDR_B = '203.0.113.1', '203.0.113.2'
VETH_A, VETH_B = 'ndcveth0', 'ndcveth1'
NOBODY_PYTHON = '/usr/bin/python3'         # runs the become-nobody task: a Python every user can run

LISTENER = r"""
import json, os, socket, sys
s = socket.socket()
s.bind((sys.argv[1], 0))
s.listen(8)
print(json.dumps({'port': s.getsockname()[1], 'pid': os.getpid()}), flush=True)
sys.stdin.read()
"""

PLAYBOOK = r"""
- name: Namespaces as hosts
  hosts: lab
  gather_facts: false
  tasks:
    - name: Links seen from inside the host
      ansible.builtin.command: ip -o link
      register: links
      changed_when: false

    - name: Only the namespace's own links
      ansible.builtin.assert:
        that: >-
          links.stdout_lines | map('regex_replace', '^[0-9]+: ([^:@]+).*$', '\\1') | sort == ['lo', veth]

    - name: Listening TCP sockets, by the real ss
      ansible.builtin.command: ss -Hltn
      register: ss_out
      changed_when: false

    - name: The listener is in the first namespace only
      ansible.builtin.assert:
        that: >-
          (ss_out.stdout_lines | length == 1 and (addr ~ ':' ~ listen_port) in ss_out.stdout)
          if has_listener else (ss_out.stdout_lines | length == 0)

    - name: Sockets by socket_facts
      netdiag.ss.socket_facts:
        ss_args: -tln

    - name: socket_facts finds the listener where it lives, and only there
      ansible.builtin.assert:
        that: >-
          (ansible_facts.sockets | map(attribute='local_port') | list == [listen_port]
           and ansible_facts.sockets[0].local_address == addr)
          if has_listener else (ansible_facts.sockets == [])

    - name: The second host reaches the first one's listener over the veth pair
      ansible.builtin.wait_for:
        host: "{{ peer_addr }}"
        port: "{{ listen_port }}"
        timeout: 10
      when: not has_listener

    - name: A folder for this host's files (on the controller's file system)
      ansible.builtin.file:
        path: "{{ outdir }}/{{ inventory_hostname }}"
        state: directory
        mode: "0755"

    - name: Copy a file to the host
      ansible.builtin.copy:
        content: "{{ inventory_hostname }} lives in {{ netns }}\n"
        dest: "{{ outdir }}/{{ inventory_hostname }}/copied.txt"
        mode: "0644"
      register: copied

    - name: Read it back with slurp
      ansible.builtin.slurp:
        src: "{{ outdir }}/{{ inventory_hostname }}/copied.txt"
      register: slurped

    - name: Fetch it
      ansible.builtin.fetch:
        src: "{{ outdir }}/{{ inventory_hostname }}/copied.txt"
        dest: "{{ outdir }}/fetched/{{ inventory_hostname }}.txt"
        flat: true
        validate_checksum: true

    - name: The copy changed something and reads back
      ansible.builtin.assert:
        that:
          - copied is changed
          - (slurped.content | b64decode) == inventory_hostname ~ ' lives in ' ~ netns ~ '\n'

    - name: Become an unprivileged user, still inside the namespace
      ansible.builtin.shell: id -un; ip -o link
      become: true
      become_method: ansible.builtin.su
      become_user: nobody
      become_flags: -s /bin/sh
      vars:
        ansible_python_interpreter: "{{ nobody_python }}"      # the venv's Python may be unreadable for nobody
      register: as_nobody
      changed_when: false

    - name: Become root and list the listener's process (the controller's /proc, the namespace's sockets)
      netdiag.ss.socket_facts:
        ss_args: -tlnp
      become: true
      become_method: ansible.builtin.su
      register: as_root

    - name: Become worked in the namespace
      ansible.builtin.assert:
        that:
          - as_nobody.stdout_lines[0] == 'nobody'
          - veth in as_nobody.stdout
          - other_veth not in as_nobody.stdout
          - >-
            (as_root.ansible_facts.sockets[0].processes | map(attribute='pid') | list == [listener_pid])
            if has_listener else (as_root.ansible_facts.sockets == [])

    - name: The network namespace of the commands
      ansible.builtin.command: readlink /proc/self/ns/net
      register: ns_here
      changed_when: false

    - name: The same, delegated to the controller itself
      ansible.builtin.command: readlink /proc/self/ns/net
      register: ns_controller
      changed_when: false
      delegate_to: localhost

    - name: Each host has its own namespace, and the controller's is the one it had before
      ansible.builtin.assert:
        that:
          - ns_controller.stdout == controller_netns
          - ns_here.stdout != controller_netns
          - ns_here.stdout == netns_inode

    - name: Delegated from the first host to the second one, the task runs in the second one's namespace
      ansible.builtin.command: ip -o link
      delegate_to: lab-b
      register: delegated
      changed_when: false
      when: has_listener

    - name: It saw the second namespace's link
      ansible.builtin.assert:
        that:
          - other_veth in delegated.stdout
          - veth not in delegated.stdout
      when: has_listener
"""

FAILING_PLAYBOOK = r"""
- name: Hosts whose namespace cannot be entered
  hosts: lab
  gather_facts: false
  tasks:
    - name: Anything
      ansible.builtin.command: ip -o link
      changed_when: false
"""


def _playbook_exe():
    exe = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(exe):
        exe = shutil.which('ansible-playbook')
    if not exe:
        pytest.skip('ansible-playbook is not installed in this Python environment')
    return exe


class _Nsenter(object):
    """Runs a helper process in a namespace with nsenter (what the connection does), for NamespaceProcess."""

    def __init__(self, name):
        self.name = name

    def exec_argv(self, argv):
        return ['nsenter', '--net=/var/run/netns/' + self.name, '--'] + list(argv)


def _netns_inode(name):
    return 'net:[%d]' % os.stat('/var/run/netns/' + name).st_ino


def _controller_state():
    """What the test process sees of the controller's own network namespace."""
    from pyroute2 import IPRoute
    with IPRoute() as ipr:
        links = sorted(link.get_attr('IFLA_IFNAME') for link in ipr.get_links())
    ss = subprocess.run(['ss', '-Hltn', 'src', ADDR_A], capture_output=True, text=True, check=True).stdout
    named = os.listdir('/var/run/netns') if os.path.isdir('/var/run/netns') else []
    return {'netns': os.readlink('/proc/self/ns/net'), 'ours': [n for n in links if n.startswith('ndcveth')],
            'listener': ss.strip(), 'namespaces': sorted(n for n in named if n.startswith(PREFIX))}


def _remove_namespaces():
    from pyroute2 import netns
    for name in (NS_A, NS_B):
        if name in netns.listnetns():
            netns.remove(name)


@pytest.fixture(scope='module')
def lab():
    need_root()
    if shutil.which('nsenter') is None:
        pytest.skip('needs nsenter (util-linux)')
    playbook = _playbook_exe()
    if not os.access(NOBODY_PYTHON, os.X_OK):
        pytest.skip('needs %s (a Python the user nobody can run, for become)' % NOBODY_PYTHON)
    from pyroute2 import IPRoute, netns
    before = _controller_state()
    _remove_namespaces()
    tmp = tempfile.mkdtemp(prefix=PREFIX)
    listener = None
    try:
        for name in (NS_A, NS_B):
            netns.create(name)
        with IPRoute(netns=NS_A) as ipr:
            ipr.link('add', ifname=VETH_A, kind='veth', peer={'ifname': VETH_B, 'net_ns_fd': NS_B})
            idx = ipr.link_lookup(ifname=VETH_A)[0]
            ipr.addr('add', index=idx, address=ADDR_A, prefixlen=24)
            ipr.link('set', index=idx, state='up')
            ipr.link('set', index=ipr.link_lookup(ifname='lo')[0], state='up')
        with IPRoute(netns=NS_B) as ipr:
            idx = ipr.link_lookup(ifname=VETH_B)[0]
            ipr.addr('add', index=idx, address=ADDR_B, prefixlen=24)
            ipr.link('set', index=idx, state='up')
            ipr.link('set', index=ipr.link_lookup(ifname='lo')[0], state='up')
        listener = NamespaceProcess(_Nsenter(NS_A), [sys.executable, '-c', LISTENER, ADDR_A])
        yield {'tmp': tmp, 'playbook': playbook, 'before': before, 'port': listener.info['port'],
               'pid': listener.info['pid']}
    finally:
        if listener is not None:
            listener.stop()
        _remove_namespaces()
        shutil.rmtree(tmp, ignore_errors=True)
    after = _controller_state()
    assert after == before, 'the controller namespace changed: %r -> %r' % (before, after)


def _run(lab, inventory, playbook, *args, **env):
    """Write the inventory and the playbook into the lab's folder and run ansible-playbook there."""
    tag = env.pop('tag', 'run')
    prefix = env.pop('prefix', [])
    inv_path = os.path.join(lab['tmp'], 'inventory-%s.yml' % tag)
    book_path = os.path.join(lab['tmp'], 'playbook-%s.yml' % tag)
    with open(inv_path, 'w') as f:
        json.dump(inventory, f, indent=1)          # JSON is YAML
    with open(book_path, 'w') as f:
        f.write(playbook)
    environ = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
                   ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_RETRY_FILES_ENABLED='false',
                   ANSIBLE_STDOUT_CALLBACK='default', **env)
    environ.pop('ANSIBLE_PYTHON_INTERPRETER', None)      # the inventory says which Python
    argv = list(prefix) + [lab['playbook'], '-i', inv_path, book_path] + list(args)
    proc = subprocess.run(argv, capture_output=True, text=True, env=environ, cwd=lab['tmp'], timeout=300, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def _recap(stdout):
    """PLAY RECAP lines as {host: {'ok': n, 'failed': n, ...}}."""
    recap = {}
    for m in re.finditer(r'^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$', stdout.split('PLAY RECAP', 1)[-1], re.M):
        recap[m.group(1)] = dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', m.group(2)))
    return recap


def _lab_inventory(lab, **extra_vars):
    common = {'listen_port': lab['port'], 'listener_pid': lab['pid'],
              'controller_netns': lab['before']['netns'], 'nobody_python': NOBODY_PYTHON}
    common.update(extra_vars)
    return {'lab': {
        'hosts': {
            NS_A: {'netns': NS_A, 'veth': VETH_A, 'other_veth': VETH_B, 'addr': ADDR_A, 'has_listener': True,
                   'netns_inode': _netns_inode(NS_A)},
            HOST_B: {'ansible_netns_name': NS_B, 'netns': NS_B, 'veth': VETH_B, 'other_veth': VETH_A, 'addr': ADDR_B,
                     'peer_addr': ADDR_A, 'has_listener': False, 'netns_inode': _netns_inode(NS_B)},
        },
        'vars': dict(common, ansible_connection='netdiag.ss.netns', ansible_python_interpreter='{{ ansible_playbook_python }}'),
    }}


def _task_output(stdout, name):
    """The -vvv output of one task (the linear strategy runs a task on every host before the next one starts)."""
    m = re.search(r'^TASK \[%s\] \**\n(.*?)(?=^TASK \[|^PLAY RECAP)' % re.escape(name), stdout, re.M | re.S)
    assert m, 'no task %r in the output' % name
    return m.group(1)


@pytest.mark.parametrize('pipelining', [True, False], ids=['pipelining', 'no-pipelining'])
def test_namespaces_stand_in_for_hosts(lab, pipelining):
    files = os.path.join(lab['tmp'], 'files-%s' % pipelining)
    rc, out, err = _run(lab, _lab_inventory(lab, outdir=files), PLAYBOOK, '-vvv', tag='lab',
                        ANSIBLE_PIPELINING=str(pipelining))
    assert rc == 0, out[-6000:] + err[-3000:]
    recap = _recap(out)
    # every task ran: the first host skips the wait_for, the second one the two tasks delegated to it
    expected = {NS_A: {'ok': 19, 'skipped': 1, 'failed': 0, 'unreachable': 0},
                HOST_B: {'ok': 18, 'skipped': 2, 'failed': 0, 'unreachable': 0}}
    assert dict((h, dict((k, recap[h][k]) for k in expected[h])) for h in expected) == expected, recap
    # files written "on the host" are files of the controller
    for host, ns in ((NS_A, NS_A), (HOST_B, NS_B)):
        for path in (os.path.join(files, host, 'copied.txt'), os.path.join(files, 'fetched', host + '.txt')):
            with open(path) as f:
                assert f.read() == '%s lives in %s\n' % (host, ns)
    # every command entered its namespace with nsenter, and modules went on stdin exactly when pipelining
    # (ansible-core's su become plugin turns pipelining off, so the tasks with become transfer files anyway)
    for task, module in (('Links seen from inside the host', 'command'), ('Sockets by socket_facts', 'socket_facts')):
        text = _task_output(out, task)
        for ns in (NS_A, NS_B):
            assert "<%s> EXEC ['%s', '--net=/var/run/netns/%s', '--', '/bin/sh', '-c'," % (ns, shutil.which('nsenter'), ns) in text
            puts = re.findall(r'^<%s> PUT \S+ TO \S+/AnsiballZ_%s\.py$' % (re.escape(ns), module), text, re.M)
            assert len(puts) == (0 if pipelining else 1), (task, ns, puts)
    text = _task_output(out, 'Become an unprivileged user, still inside the namespace')
    assert re.search(r"'--net=/var/run/netns/%s', '--', '/bin/sh', '-c', .*su -s /bin/sh nobody -c" % NS_B, text)
    assert not os.path.exists('/var/run/netns/' + HOST_B)


def test_missing_and_invalid_namespaces_are_unreachable_and_not_created(lab):
    inventory = {'lab': {
        'hosts': {
            NS_A: {},
            NS_MISSING: {},
            'bad-name': {'ansible_netns_name': PREFIX + 'x/y'},
        },
        'vars': {'ansible_connection': 'netdiag.ss.netns', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
    }}
    rc, out, err = _run(lab, inventory, FAILING_PLAYBOOK, tag='failing')
    assert rc == 4, out + err                        # 4: some hosts were unreachable
    recap = _recap(out)
    assert recap[NS_A]['ok'] == 1 and recap[NS_A]['unreachable'] == 0          # the other hosts go on
    assert recap[NS_MISSING]['unreachable'] == 1 and recap['bad-name']['unreachable'] == 1
    text = out + err
    assert ('network namespace "%s" does not exist: /var/run/netns/%s not found' % (NS_MISSING, NS_MISSING)) in text
    assert "'%sx/y' is not a valid network namespace name" % PREFIX in text
    assert not os.path.exists('/var/run/netns/' + NS_MISSING) and not os.path.exists('/var/run/netns/' + PREFIX + 'x')


def test_without_cap_sys_admin_the_connection_says_it_needs_root(lab):
    """Ansible run by root but without CAP_SYS_ADMIN (setpriv drops it), as an unprivileged user would be."""
    if shutil.which('setpriv') is None:
        pytest.skip('needs setpriv (util-linux) to drop CAP_SYS_ADMIN')
    inventory = {'lab': {'hosts': {NS_A: {}}, 'vars': {
        'ansible_connection': 'netdiag.ss.netns', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}}}
    rc, out, err = _run(lab, inventory, FAILING_PLAYBOOK, tag='nocap',
                        prefix=['setpriv', '--bounding-set=-sys_admin', '--'])
    assert rc == 4, out + err
    text = out + err
    assert 'entering network namespace "%s" needs root (CAP_SYS_ADMIN) on the controller' % NS_A in text
    assert 'become cannot help' in text and 'Operation not permitted' in text
