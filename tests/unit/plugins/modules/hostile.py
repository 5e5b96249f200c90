# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support for the modules' fuzz tests (test_*_fuzz.py): a fake host, and main() run with any arguments.

The fake host answers every sock_diag dump (two TCP sockets per inet
family, nothing for the other tables), records every SOCK_DESTROY instead of
sending it, refuses to open a real netlink socket (the test fails), enters
no namespace, finds no holders, resolves no names, and lets files be written
only under the test's own directory. Event mode (-E) listens to nothing, and
its clock runs out at once.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import struct
import sys

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.netdiag.ss.plugins.module_utils import _dumpfile, _events, _host, _netlink as nl, _netns, _procs
from ansible_collections.netdiag.ss.plugins.module_utils import _select
from ansible_collections.netdiag.ss.plugins.module_utils._errors import NamespaceError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'module_utils'))
from fuzzing import hypothesis, st  # noqa: E402  (test helpers beside the module_utils tests)
from uapi import done, inet_msg  # noqa: E402

SOCKETS = {
    socket.AF_INET: inet_msg(state=1, src='10.0.0.1', sport=8080, dst='10.0.0.2', dport=40000, cookie=(11, 0))
    + inet_msg(state=10, src='0.0.0.0', sport=22, cookie=(12, 0)),
    socket.AF_INET6: inet_msg(family=socket.AF_INET6, state=8, src='::1', sport=8080, dst='::1', dport=40001,
                              cookie=(13, 0)),
}


# the real functions, taken before any test patches them (install() runs once per example)
_REAL_SOCKET = socket.socket
_REAL_REPLACE = _dumpfile._replace


class FakeKernel(object):
    """The one netlink socket every part of the collection opens here."""

    def __init__(self):
        self.destroyed = []         # the payloads of every SOCK_DESTROY (none reaches a kernel) but the probes
        self.probes = []            # those of socket_kill's probes (cookie 0)
        self.opened = 0

    def socket(self, groups=0):
        self.opened += 1
        return _FakeSock(self)


class _FakeSock(object):

    def __init__(self, kernel):
        self.kernel = kernel
        self.replies = []

    def send(self, data):
        mlen, mtype, flags, seq, _pid = nl.NLMSG_HDR.unpack_from(data)
        payload = data[16:mlen]
        if mtype == nl.SOCK_DESTROY and payload[48:56] == bytes(8):
            # socket_kill's probe: cookie 0, which no socket has, so a kernel that can close sockets says ENOENT
            self.kernel.probes.append(payload)
            self.replies.append(nl.nlmsg(nl.NLMSG_ERROR, 0, struct.pack('=i', -errno.ENOENT) + data[:16], seq=seq))
        elif mtype == nl.SOCK_DESTROY:
            self.kernel.destroyed.append(payload)
            self.replies.append(nl.nlmsg(nl.NLMSG_ERROR, 0, struct.pack('=i', 0) + data[:16], seq=seq))
        elif payload[:1] and payload[0] in SOCKETS and payload[1:2] == b'\x06':
            self.replies.append(SOCKETS[payload[0]] + done())
        else:
            self.replies.append(done())
        return len(data)

    def recv_into(self, buf):
        if not self.replies:
            return 0
        data = self.replies.pop(0)
        buf[:len(data)] = data
        return len(data)

    def setblocking(self, flag):
        pass

    def fileno(self):
        return -1

    def close(self):
        pass


class _Clock(object):
    """time for _events: every call is an hour later, so that listening ends at once."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        self.now += 3600.0
        return self.now

    @staticmethod
    def sleep(seconds):
        pass


def install(monkeypatch, root):
    """Fake the host for main() (again for each example); files may be written under `root` only.

    Returns the FakeKernel.
    """
    kernel = FakeKernel()
    monkeypatch.setattr(nl, 'open_socket', kernel.socket)

    def no_real_netlink(family=-1, *args, **kwargs):
        if family == socket.AF_NETLINK:
            pytest.fail('a real netlink socket was opened')
        return _REAL_SOCKET(family, *args, **kwargs)
    monkeypatch.setattr(nl.socket, 'socket', no_real_netlink)

    def enter(name):
        _netns.netns_path(name)         # the name check runs; no namespace is entered
        raise NamespaceError('netns: network namespace "%s" does not exist (fake host)' % name)
    monkeypatch.setattr(_netns, 'enter', enter)
    monkeypatch.setattr(_select, 'enter', enter)
    monkeypatch.setattr(_procs, 'find_holders', lambda *a, **kw: {})
    monkeypatch.setattr(_host.HostLookups, 'addresses', lambda self, name, families: [])
    monkeypatch.setattr(_host.HostLookups, 'host_name', lambda self, text: None)
    monkeypatch.setattr(_events, 'time', _Clock())
    monkeypatch.setattr(_events, 'wait_readable', lambda sock, timeout: False)

    def replace(path, fill):
        # the one place a dump_file is written (dump_to_file): never outside the test directory
        target = os.path.realpath(path)
        if not target.startswith(os.path.realpath(str(root)) + os.sep):
            pytest.fail('dump_file would write %s, outside the test directory' % target)
        return _REAL_REPLACE(path, fill)
    monkeypatch.setattr(_dumpfile, '_replace', replace)
    monkeypatch.chdir(str(root))
    return kernel


def run_main(module, args, capsys):
    """Run module.main() with args; return (exit code, result). An exception out of main() fails the test."""
    with patch_module_args(args):
        with pytest.raises(SystemExit) as info:
            module.main()
    out = capsys.readouterr().out
    result = json.loads(out)
    if result.get('failed'):
        assert isinstance(result.get('msg'), str) and result['msg'].strip(), result
        assert 'Traceback' not in result['msg'] and 'exception' not in result, result
    return info.value.code, result


# ---------------------------------------------------------------- option values

def json_scalars():
    """What JSON module arguments can carry, including values no playbook means.

    No lone surrogate (such as U+DCFF): Ansible refuses such a string before a module runs
    (AnsibleModule raises while decoding its arguments), so main() never sees one.
    """
    return st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-3, 5000),
                     st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=16),
                     st.sampled_from(['', ' ', '-', '\0', 'é', '\\', "'", 'yes', 'no', 'on', 'null', '0',
                                      '-1', '1.5', '99999999999999999999', 'tcp', 'inet', 'listening', 'sport = :22']))


def json_values():
    return st.recursive(json_scalars(), lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=5)


def local_paths(names):
    """Paths for the path options: prepared ones, and names in the (test's) current directory."""
    return st.one_of(st.sampled_from(names),
                     st.text(alphabet=st.characters(blacklist_characters='/$~\0', blacklist_categories=('Cs',)),
                             max_size=10))


__all__ = ['FakeKernel', 'install', 'run_main', 'json_scalars', 'json_values', 'local_paths', 'hypothesis', 'st']
