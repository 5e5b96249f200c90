# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the decoders share: address and interface caches, the socket identity."""

from __future__ import annotations

import socket

from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context, SockId, attr_map, each
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._netlink import rtattr


class Names(HostLookups):
    def __init__(self):
        super(Names, self).__init__()
        self.asked = []

    def ifname(self, index):
        self.asked.append(index)
        return 'eth%d' % index


def test_context_caches_names():
    ctx = Context({2}, lookups=Names())
    assert ctx.ifname(0) is None and ctx.ifname(3) == 'eth3' and ctx.ifname(3) == 'eth3'
    assert ctx.lookups.asked == [3]
    raw = socket.inet_aton('10.1.2.3')
    assert ctx.v4(raw) == '10.1.2.3' and ctx.v4(raw) is ctx.v4(raw)
    assert ctx.v6(bytes(15) + b'\x01') == '::1'


def test_each_and_sockid():
    assert list(each([(b'buf', [(0, 16), (16, 20)])])) == [(b'buf', 0, 16), (b'buf', 16, 20)]
    sid = SockId(2, 6, bytes(16), bytes(16), 1, 2, 0, 7, 9)
    assert sid._replace(cookie=8).cookie == 8 and sid.inode == 9


def test_attr_map_keeps_the_wanted_types_only():
    """Flag bits are masked, the first of a type wins (iproute2's parse_rtattr: `if (!tb[type])`), the others are
    stepped over (not copied)."""
    buf = bytearray(b'head' + rtattr(2, b'ab') + rtattr(7, b'xyz') + rtattr(2 | 0x8000, b'cd') + rtattr(9, b''))
    assert attr_map(buf, 4, len(buf)) == {2: b'ab', 7: b'xyz', 9: b''}
    assert attr_map(buf, 4, len(buf), frozenset((2, 9))) == {2: b'ab', 9: b''}
    assert attr_map(buf, 4, len(buf), frozenset()) == {}
    assert all(isinstance(v, bytes) for v in attr_map(buf, 4, len(buf)).values())      # copies, not the buffer
