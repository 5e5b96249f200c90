# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""netlink_diag_msg decoding on messages built from the UAPI layouts (uapi.py)."""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _diag_netlink as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_NETLINK

from uapi import FakeSock, done, msg


def test_netlink():
    nlm = msg(struct.pack('=BBBBIiIIII', AF_NETLINK, 3, 0, 7, 0xffffff00, 0, 0, 66, 1, 0)
              + nl.rtattr(c.NETLINK_DIAG_MEMINFO, struct.pack('=9I', 10, 0, 20, 0, 0, 0, 0, 0, 0)))
    out = []
    c.decode_netlink(nl.dump(FakeSock([nlm + done()]), b'', 'netlink'), Context({AF_NETLINK}), out)
    assert (out[0]['local_address'], out[0]['local_port'], out[0]['recv_q'], out[0]['send_q'], out[0]['peer_port']) == \
        ('0', -256, 10, 20, None)


def test_netlink_connected_peer_port_is_signed_like_its_own():
    """ss -f netlink prints a connected socket's peer as 0:-2114227043: both port ids are signed."""
    nlm = msg(struct.pack('=BBBBiiIIII', AF_NETLINK, 3, 0, 1, -5, -2114227043, 0, 66, 1, 0))
    out = []
    c.decode_netlink(nl.dump(FakeSock([nlm + done()]), b'', 'netlink'), Context({AF_NETLINK}), out)
    assert (out[0]['local_port'], out[0]['peer_address'], out[0]['peer_port']) == (-5, '0', -2114227043)


def test_netlink_details():
    from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText
    nlm = msg(struct.pack('=BBBBiiIIII', AF_NETLINK, 3, 0, 7, 5, 0, 0, 66, 1, 0)
              + nl.rtattr(c.NETLINK_DIAG_MEMINFO, struct.pack('=9I', *range(9)))
              + nl.rtattr(c.NETLINK_DIAG_GROUPS, struct.pack('=L', 0x11) + bytes(8)))
    out = []
    c.decode_netlink(nl.dump(FakeSock([nlm + done()]), b'', 'netlink'), Context({AF_NETLINK}, details=frozenset(['extended', 'memory'])), out)
    assert out[0]['extended'] == {'groups': 0x11} and out[0]['skmem']['wmem_alloc'] == 2
    assert DetailText(frozenset(['extended', 'memory']))(out[0]) == ' sk=0 cb=0 groups=0x00000011\t skmem:(r0,rb1,t2,tb3,f4,w5,o6,bl7,d8)'
