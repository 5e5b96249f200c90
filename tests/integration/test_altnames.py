# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`dev NAME` takes an interface's alternative name, also one longer than 15 bytes, as ss does.

udev and systemd give network devices alternative names (ip link property add ... altname), often longer than the
15 bytes of an interface name. if_nametoindex() refuses such a name without asking the kernel; ss (iproute2's
ll_link_get) asks rtnetlink for the device by IFLA_ALT_IFNAME. A veth in a namespace of this test gets a short and
a long alternative name, a UDP and a TCP socket are bound to it with SO_BINDTODEVICE, and ss and socket_facts, then
socket_assert, select by each name.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import Netns, NamespaceProcess, comparable, run_module, run_ss

DEVICE = 'ndalt0'
SHORT = 'ndaltshort'
LONG = 'nd-alternative-name-of-ndalt0'      # 29 bytes
BACKSLASH = 'nd-alt\\x41-with-a-backslash'      # a real backslash: the name as given, not a text form
HOLDER = r'''
import json, socket, sys
held = []
for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, sys.argv[1].encode())
    s.bind(('0.0.0.0', 0))
    if kind == socket.SOCK_STREAM:
        s.listen()
    held.append(s)
print(json.dumps([s.getsockname()[1] for s in held]), flush=True)
sys.stdin.read()
'''


@pytest.fixture(scope='module')
def altnamed():
    ns = Netns('altname')
    holder = None
    try:
        subprocess.run(ns.exec_argv(['ip', 'link', 'add', DEVICE, 'type', 'veth', 'peer', 'name', 'ndaltp0']), check=True)
        for name in (SHORT, LONG, BACKSLASH):
            done = subprocess.run(ns.exec_argv(['ip', 'link', 'property', 'add', 'dev', DEVICE, 'altname', name]),
                                  capture_output=True, text=True, check=False)
            if done.returncode:
                pytest.skip('this kernel or ip cannot give alternative names: %s' % done.stderr.strip())
        subprocess.run(ns.exec_argv(['ip', 'link', 'set', DEVICE, 'up']), check=True)
        holder = NamespaceProcess(ns, [sys.executable, '-c', HOLDER, DEVICE])
        yield ns, holder.info
    finally:
        if holder is not None:
            holder.stop()
        ns.remove()


@pytest.mark.parametrize('name', [DEVICE, SHORT, LONG, BACKSLASH])
def test_dev_takes_alternative_names_as_ss_does(altnamed, name):
    ns, ports = altnamed
    name = name.replace('\\', '\\\\')       # both filter languages take a backslash as an escape
    rc, lines, err = run_ss(ns, ['-Htuan', 'dev', name])
    assert rc == 0 and len(lines) == 2, (lines, err)
    result = run_module('socket_facts', {'ss_args': '-Htuan', 'netns': ns.name, 'filter': 'dev ' + name})
    assert sorted(rec['local_port'] for rec in result['ansible_facts']['sockets']) == sorted(ports)
    assert sorted(comparable(result['lines'])[0]) == sorted(comparable(lines)[0])
    # user space decides dev where ss does (kernel_filter: false): the same index
    result = run_module('socket_facts', {'ss_args': '-Htuan', 'netns': ns.name, 'filter': 'dev ' + name,
                                         'kernel_filter': False})
    assert sorted(rec['local_port'] for rec in result['ansible_facts']['sockets']) == sorted(ports)
    result = run_module('socket_assert', {'netns': ns.name, 'ss_args': '-tuan', 'filter': 'dev ' + name,
                                          'expect': 'present', 'min': 2, 'max': 2}, check=False)
    assert result.get('passed') is True, result


def test_a_long_name_no_device_has_is_still_an_error(altnamed):
    ns, _ports = altnamed
    result = run_module('socket_facts', {'ss_args': '-tuan', 'netns': ns.name, 'filter': 'dev nd-no-such-alternative-name'},
                        check=False)
    assert result.get('failed') and 'is not a network device name or index' in result['msg'], result
