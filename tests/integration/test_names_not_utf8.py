# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Interface names with a byte that is not UTF-8 come in the text form of socket names (\\xHH), not as surrogates.

A veth named b'nd\\xffv0' (and one named b'nd\\\\v1', with a backslash) in a namespace of this test, a UDP
socket bound to each with SO_BINDTODEVICE. socket.if_indextoname() gave 'nd\\udcffv0', and a lone surrogate in a
result makes Ansible refuse the whole task ("Refusing to deserialize an invalid UTF8 string value"). The real ss
prints the raw bytes; run_ss turns them into the same text form, so lines compare as they are.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import Netns, NamespaceProcess, comparable, run_module, run_ss

DEVICES = (b'nd\xffv0', b'nd\\v1')
TEXT = ('nd\\xffv0', 'nd\\\\v1')          # bytes_text of DEVICES

HOLDER = r'''
import json, socket, sys
out = {}
for name in sys.argv[1:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, name.encode('utf-8', 'surrogateescape'))
    s.bind(('0.0.0.0', 0))
    out[s.getsockname()[1]] = name
    globals().setdefault('held', []).append(s)
print(json.dumps(out), flush=True)
sys.stdin.read()
'''


@pytest.fixture(scope='module')
def named():
    ns = Netns('names')
    holder = None
    try:
        for number, dev in enumerate(DEVICES):
            # a veth (this kernel has no dummy devices); its peer keeps a plain name
            subprocess.run(ns.exec_argv([b'ip', b'link', b'add', dev, b'type', b'veth', b'peer', b'name', b'ndp%d' % number]),
                           check=True)
            subprocess.run(ns.exec_argv([b'ip', b'link', b'set', dev, b'up']), check=True)
        holder = NamespaceProcess(ns, [sys.executable, '-c', HOLDER] + [d.decode('utf-8', 'surrogateescape') for d in DEVICES])
        yield ns, dict((int(port), name) for port, name in holder.info.items())
    finally:
        if holder is not None:
            holder.stop()
        ns.remove()


def test_interface_names_are_text(named):
    ns, ports = named
    result = run_module('socket_facts', {'ss_args': '-uan', 'netns': ns.name})
    by_port = dict((rec['local_port'], rec) for rec in result['ansible_facts']['sockets'])
    assert sorted(by_port) == sorted(ports)
    for port, name in ports.items():
        text = TEXT[DEVICES.index(name.encode('utf-8', 'surrogateescape'))]
        assert by_port[port]['interface'] == text
    # no surrogate anywhere: what Ansible's result handling refuses
    json.dumps(result, ensure_ascii=False).encode('utf-8')
    rc, lines, _err = run_ss(ns, ['-uan'])
    # tokens, not columns: ss pads by the bytes it prints, the text form is longer
    assert rc == 0 and sorted(comparable(lines)[0]) == sorted(comparable(result['lines'])[0])


@pytest.mark.parametrize('index', [0, 1])
def test_dev_filter_takes_the_text_form(named, index):
    """dev with the name as the facts give it selects what ss selects with the raw bytes. Both filters' lexers take a
    backslash as an escape: a backslash of the name, or of the text form, is doubled in the filter."""
    ns, ports = named
    rc, lines, _err = run_ss(ns, ['-Huan', 'dev', DEVICES[index].replace(b'\\', b'\\\\')])
    assert rc == 0 and len(lines) == 1
    result = run_module('socket_facts', {'ss_args': '-Huan', 'netns': ns.name,
                                         'filter': 'dev ' + TEXT[index].replace('\\', '\\\\')})
    assert comparable(result['lines'])[0] == comparable(lines)[0]
