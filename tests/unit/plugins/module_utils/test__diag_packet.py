# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""packet_diag_msg decoding on messages built from the UAPI layouts (uapi.py)."""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _diag_packet as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_PACKET

from uapi import FakeSock, done, msg


def test_packet():
    pk = msg(struct.pack('=BBHIII', AF_PACKET, 3, 3, 55, 1, 0) + nl.rtattr(c.PACKET_DIAG_INFO, struct.pack('=6I', 1, 2, 0, 0, 0, 0))
             + nl.rtattr(c.PACKET_DIAG_MEMINFO, struct.pack('=9I', 832, 0, 0, 0, 0, 0, 0, 0, 0)))
    out = []
    c.decode_packet(nl.dump(FakeSock([pk + done()]), b'', 'packet'), {'packet_raw'}, Context({AF_PACKET}), out)
    assert (out[0]['netid'], out[0]['local_address'], out[0]['interface'], out[0]['recv_q']) == ('p_raw', '*', 'lo', 832)


def test_packet_details():
    """-e: struct packet_diag_info, rings, fanout; -b: the classic BPF program; -m: sk_meminfo (linux/packet_diag.h)."""
    info = struct.pack('=6I', 2, 3, 0, 128, 0, 1 | 4)
    ring = struct.pack('=7I', 4096, 8, 2048, 16, 60, 0, 1)
    prog = struct.pack('=HBBI', 0x28, 0, 0, 12) + struct.pack('=HBBI', 0x06, 0, 0, 0xffff)
    pk = msg(struct.pack('=BBHIII', AF_PACKET, 3, 3, 55, 1, 0) + nl.rtattr(c.PACKET_DIAG_INFO, info)
             + nl.rtattr(c.PACKET_DIAG_RX_RING, ring) + nl.rtattr(c.PACKET_DIAG_FANOUT, struct.pack('=I', (2 << 16) | 7))
             + nl.rtattr(c.PACKET_DIAG_MEMINFO, struct.pack('=9I', *range(9))) + nl.rtattr(c.PACKET_DIAG_FILTER, prog))
    out = []
    ctx = Context({AF_PACKET}, details=frozenset(['extended', 'memory', 'bpf']))
    c.decode_packet(nl.dump(FakeSock([pk + done()]), b'', 'packet'), {'packet_raw'}, ctx, out)
    ext = out[0]['extended']
    assert (ext['version'], ext['copy_thresh'], ext['flags'], ext['fanout']) == (3, 128, ['running', 'origdev'], {'id': 7, 'type': 'cpu'})
    assert ext['ring_rx']['frame_nr'] == 16 and ext['ring_tx'] is None
    assert out[0]['bpf'] == [[0x28, 0, 0, 12], [0x06, 0, 0, 0xffff]] and out[0]['skmem']['drops'] == 8
    text = DetailText(frozenset(['extended', 'memory', 'bpf']))(out[0])
    assert text == (' ino:55 sk:1\n\tver:3 cpy_thresh:128 flags( running origdev )'
                    '\n\tring_rx(blk_size:4096,blk_nr:8,frm_size:2048,frm_nr:16,tmo:60,features:0x1)'
                    '\n\tfanout(id:7,type:cpu)\n\tbpf filter (2):  0x28 0 0 12, 0x06 0 0 65535,'
                    ' skmem:(r0,rb1,t2,tb3,f4,w5,o6,bl7,d8)')
    out[0]['extended']['flags'] = ['auxdata']
    assert 'flags(  auxdata )' in DetailText(frozenset(['extended']))(out[0])      # ss's own spacing
    out[0]['extended']['flags'] = []
    assert 'flags( 0 )' in DetailText(frozenset(['extended']), oneline=True)(out[0])
    assert c.packet_request(frozenset(['extended', 'bpf']))[8:12] == struct.pack('=I', 0x01 | 0x04 | 0x08 | 0x10 | 0x20)
