# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Look-ups on the host, with the files they read made up in a temporary directory."""

from __future__ import annotations

import os
import socket
import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups, os_text
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, NETLINK_PROTOCOLS


def test_interfaces():
    h = HostLookups()
    assert h.ifindex('lo') == socket.if_nametoindex('lo') and h.ifname(socket.if_nametoindex('lo')) == 'lo'
    assert h.ifindex('if7') == 7 and h.ifindex('if-1') == 0xffffffff and h.ifindex('nosuch0') == 0
    assert h.ifname(999999) == 'if999999'
    assert h.ifname(4294967295) == 'if4294967295' and h.ifname(-1) == 'if-1'     # no index: no traceback


def test_netlink_protocols_extend_and_rename(tmp_path):
    (tmp_path / 'iproute2').mkdir()
    (tmp_path / 'iproute2' / 'nl_protos').write_text('# comment\n0x20 mine\n4 sockdiag  # renamed\nbad line\nzz other\n')
    table = HostLookups(etc=str(tmp_path)).netlink_protocols()
    assert table['mine'] == 32 and table['sockdiag'] == 4 and table['rtnl'] == 0 and 'other' not in table
    assert HostLookups(etc=str(tmp_path / 'none')).netlink_protocols() == NETLINK_PROTOCOLS


def test_ephemeral_range_and_fallback(tmp_path):
    sysdir = tmp_path / 'sys' / 'net' / 'ipv4'
    sysdir.mkdir(parents=True)
    (sysdir / 'ip_local_port_range').write_text('40000\t50000\n')
    assert HostLookups(proc=str(tmp_path)).ephemeral_range() == (40000, 50000)
    assert HostLookups(proc=str(tmp_path / 'none')).ephemeral_range() == (1024, 4999)     # ss's fallback


@pytest.mark.parametrize('name, text', [
    ('lo', 'lo'), ('pé€r', 'pé€r'), ('nd\udcffv0', 'nd\\xffv0'), ('a\\b', 'a\\\\b'), ('/app.slice/x\udcfe', '/app.slice/x\\xfe'),
])
def test_os_text(name, text):
    """Names the OS gives with surrogates for bytes that are not UTF-8 (if_indextoname, os.walk) get the text form
    of socket names: a surrogate made Ansible refuse the whole result."""
    assert os_text(name) == text
    text.encode('utf-8')


def test_interface_names_that_are_not_utf8(monkeypatch):
    names = {7: 'nd\udcffv0'}
    monkeypatch.setattr(socket, 'if_indextoname', lambda index: names[index])
    real = socket.if_nametoindex
    monkeypatch.setattr(socket, 'if_nametoindex', lambda name: 7 if name == 'nd\udcffv0' else real(name))
    h = HostLookups()
    assert h.ifname(7) == 'nd\\xffv0'
    assert h.ifindex('nd\\xffv0') == 7 and h.ifindex('nd\udcffv0') == 7     # the text form, or the name itself
    assert h.ifindex('nd\\xfev0') == 0


def test_cgroup_paths_that_are_not_utf8(tmp_path, monkeypatch):
    os.makedirs(os.path.join(bytes(tmp_path), b'app.slice', b'svc\xff'))
    h = HostLookups()
    monkeypatch.setattr(h, 'cgroup2_mount', lambda: str(tmp_path))
    paths = h.cgroup_paths()
    assert sorted(paths.values()) == ['/', '/app.slice', '/app.slice/svc\\xff']
    assert paths[os.stat(os.path.join(bytes(tmp_path), b'app.slice', b'svc\xff')).st_ino] == '/app.slice/svc\\xff'


def test_cgroup_ids(tmp_path):
    h = HostLookups()
    mnt = h.cgroup2_mount()
    assert h.cgroup_id('/') == os.stat(mnt or '/').st_ino      # the root cgroup, not the root directory
    if mnt:
        assert h.cgroup_id(mnt) == os.stat(mnt).st_ino
        # they exist, but are no cgroup: their inode 1 would stand for the root cgroup's id (ss takes any 8-byte file handle)
        for path in ('/proc', '/dev', str(tmp_path)):
            with pytest.raises(ValueError, match='not a directory of the cgroup2 file system'):
                h.cgroup_id(path)
    children = [d for d in os.listdir(mnt) if os.path.isdir(os.path.join(mnt, d)) and not os.path.exists('/' + d)] \
        if mnt else []
    if children:     # not found as given, so looked up under the cgroup2 mount (ss's get_cgroup2_id)
        assert h.cgroup_id('/' + children[0]) == os.stat(os.path.join(mnt, children[0])).st_ino
    (tmp_path / 'self').mkdir()
    (tmp_path / 'self' / 'mountinfo').write_text('36 35 0:30 / /sys/fs/my\\040cg rw - cgroup2 cgroup2 rw\n')
    assert HostLookups(proc=str(tmp_path)).cgroup2_mount() == '/sys/fs/my cg'


def test_services_and_hosts():
    h = HostLookups()
    assert h.service_port('nosuchservice-xyz', 'tcp') is None and h.service_name(1, 'bogus-proto') is None
    assert (AF_INET, socket.inet_aton('127.0.0.1')) in h.addresses('localhost', [AF_INET])
    assert h.addresses('nosuch.invalid', [AF_INET]) == []


def test_protocol_names(tmp_path):
    """getprotobynumber on /etc/protocols: comments and bad lines skipped, the first line of a number wins."""
    (tmp_path / 'protocols').write_text('# Internet (IP) protocols\nicmp\t1\tICMP\t\t# internet control message protocol\n'
                                        'bogus x\nipv6-icmp 58\tIPv6-ICMP\nicmp-again 1\n\n   \n')
    h = HostLookups(etc=str(tmp_path))
    assert (h.protocol_name(1), h.protocol_name(58), h.protocol_name(253)) == ('icmp', 'ipv6-icmp', None)
    assert HostLookups(etc=str(tmp_path / 'none')).protocol_name(1) is None


def test_altname_index_asks_only_for_names_if_nametoindex_cannot_take(monkeypatch):
    """16 to 127 bytes without a NUL go to rtnetlink (IFLA_ALT_IFNAME); others are 0 without a socket opened."""
    from ansible_collections.netdiag.ss.plugins.module_utils import _host

    def no_socket(*_args, **_kw):
        raise AssertionError('no netlink socket for this name')
    monkeypatch.setattr(_host.socket, 'socket', no_socket)
    for raw in (b'lo', b'x' * 15, b'x' * 128, b'nd-alternative\0name'):
        assert _host.altname_index(raw) == 0
    # a long name that no device has: the kernel answers NLMSG_ERROR (ENODEV), taken as no index
    monkeypatch.undo()
    assert _host.altname_index(b'nd-no-such-alternative-name') == 0
    assert _host.HostLookups().ifindex('nd-no-such-alternative-name') == 0


@pytest.mark.parametrize('answer, index', [
    (b'', 0),
    (b'\x00' * 20, 0),                                                      # cut short
    (struct.pack('=IHHII', 32, 2, 0, 123456, 0) + struct.pack('=iIHHII', -19, 0, 0, 0, 0, 0), 0),    # NLMSG_ERROR
    (struct.pack('=IHHII', 32, 16, 0, 999, 0) + struct.pack('=BxHiII', 0, 1, 7, 0, 0), 0),     # another request's
    (struct.pack('=IHHII', 32, 16, 0, 123456, 0) + struct.pack('=BxHiII', 0, 1, 7, 0, 0), 7),  # RTM_NEWLINK
    (struct.pack('=IHHII', 12, 16, 0, 123456, 0) + struct.pack('=BxHiII', 0, 1, 7, 0, 0), 0),  # a length too short
])
def test_altname_index_reads_only_its_own_answer(monkeypatch, answer, index):
    from ansible_collections.netdiag.ss.plugins.module_utils import _host

    class FakeSock(object):
        def __init__(self, *_args):
            self.sent = []

        def __enter__(self):
            return self

        def __exit__(self, *_exc):
            return False

        def settimeout(self, _t):
            pass

        def send(self, data):
            # nlmsghdr (RTM_GETLINK, NLM_F_REQUEST), ifinfomsg, then IFLA_ALT_IFNAME with the name and its NUL
            assert struct.unpack_from('=HH', data, 4) == (18, 1) and data[32:36] == struct.pack('=HH', 4 + 30, 53)
            assert data[36:66] == b'nd-alternative-name-of-ndalt0\0'
            return len(data)

        def recv(self, _size):
            return answer
    monkeypatch.setattr(_host.socket, 'socket', FakeSock)
    assert _host.altname_index(b'nd-alternative-name-of-ndalt0') == index
