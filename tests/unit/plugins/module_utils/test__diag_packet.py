# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""packet_diag_msg decoding on messages built from the UAPI layouts (uapi.py)."""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _diag_packet as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_PACKET

from uapi import FakeSock, done, msg


def test_packet():
    pk = msg(struct.pack('=BBHIII', AF_PACKET, 3, 3, 55, 1, 0) + nl.rtattr(c.PACKET_DIAG_INFO, struct.pack('=6I', 1, 2, 0, 0, 0, 0))
             + nl.rtattr(c.PACKET_DIAG_MEMINFO, struct.pack('=9I', 832, 0, 0, 0, 0, 0, 0, 0, 0)))
    out = []
    c.decode_packet(nl.dump(FakeSock([pk + done()]), b'', 'packet'), {'packet_raw'}, Context({AF_PACKET}), out)
    assert (out[0]['netid'], out[0]['local_address'], out[0]['interface'], out[0]['recv_q']) == ('p_raw', '*', 'lo', 832)
