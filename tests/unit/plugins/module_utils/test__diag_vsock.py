# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vsock_diag_msg decoding, filtering and rendering, on replies built from the UAPI layout (uapi.py).

The kernel these tests run on has no vsock diag module (vsock_diag), so the
replies are built by hand from linux/vm_sockets_diag.h; what ss 6.1.0 would
print for them is read from misc/ss.c (vsock_show_sock, vsock_stats_print,
vsock_addr_print, vsock_netid_name, run_ssfilter).
"""

from __future__ import annotations

import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _diag_vsock as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context, SockId
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import make_matcher, record_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText, listing, render
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_VSOCK

from uapi import FakeSock, done, msg, vsock_msg

ANY = 0xffffffff
BOTH = frozenset(('vsock_stream', 'vsock_dgram'))


def _decode(chunk, tables=BOTH, **kw):
    out = []
    c.decode_vsock(nl.dump(FakeSock([chunk + done()]), b'', 'vsock'), tables, Context({AF_VSOCK}, **kw), out)
    return out


def test_request_is_the_one_ss_sends():
    """struct vsock_diag_req (24 bytes): the state mask, no show flags, zero ino and cookie (40 with the header)."""
    req = c.vsock_request(0xb37)
    assert req == struct.pack('=BBHIIIII', 40, 0, 0, 0xb37, 0, 0, 0, 0) and len(nl.nlmsg(20, 0x301, req)) == 40


def test_records_field_by_field():
    chunk = (vsock_msg(stype=1, state=10, src_cid=ANY, src_port=1024, inode=11, cookie=(0x10, 1))
             + vsock_msg(stype=1, state=1, src_cid=3, src_port=1024, dst_cid=2, dst_port=5000, inode=12, cookie=(0x11, 0))
             + vsock_msg(stype=2, state=7, src_cid=ANY, src_port=ANY, inode=13, cookie=(0x12, 0)))
    recs = _decode(chunk)
    assert recs == [
        {'netid': 'v_str', 'state': 'LISTEN', 'recv_q': 0, 'send_q': 0, 'local_address': '*', 'local_port': 1024,
         'peer_address': '*', 'peer_port': ANY, 'interface': None, 'family': 'vsock', 'uid': None, 'inode': 11,
         'cookie': (1 << 32) | 0x10},
        {'netid': 'v_str', 'state': 'ESTAB', 'recv_q': 0, 'send_q': 0, 'local_address': '3', 'local_port': 1024,
         'peer_address': '2', 'peer_port': 5000, 'interface': None, 'family': 'vsock', 'uid': None, 'inode': 12,
         'cookie': 0x11},
        {'netid': 'v_dgr', 'state': 'UNCONN', 'recv_q': 0, 'send_q': 0, 'local_address': '*', 'local_port': ANY,
         'peer_address': '*', 'peer_port': ANY, 'interface': None, 'family': 'vsock', 'uid': None, 'inode': 13,
         'cookie': 0x12},
    ]


@pytest.mark.parametrize('state,name', [(1, 'ESTAB'), (2, 'SYN-SENT'), (7, 'UNCONN'), (10, 'LISTEN'), (11, 'CLOSING'),
                                        (8, 'CLOSE-WAIT'), (0, 'UNKNOWN'), (12, 'UNKNOWN'), (255, 'UNKNOWN')])
def test_states_are_ss_state_names(state, name):
    """vsock's sk_state holds TCP_* numbers, which ss prints with its own names (out of range: UNKNOWN)."""
    assert _decode(vsock_msg(state=state))[0]['state'] == name


def test_types_and_tables():
    """ss drops a stream / dgram socket whose table is not selected; any other type is always shown, as '???'."""
    chunk = vsock_msg(stype=1, inode=1) + vsock_msg(stype=2, inode=2) + vsock_msg(stype=5, inode=3) + vsock_msg(stype=3, inode=4)
    assert [(r['netid'], r['inode']) for r in _decode(chunk)] == [('v_str', 1), ('v_dgr', 2), ('???', 3), ('???', 4)]
    assert [r['inode'] for r in _decode(chunk, {'vsock_stream'})] == [1, 3, 4]
    assert [r['inode'] for r in _decode(chunk, {'vsock_dgram'})] == [2, 3, 4]


def test_short_and_long_messages():
    """A message shorter than vsock_diag_msg is not a socket; bytes a newer kernel appends are ignored."""
    short = msg(struct.pack('=BBBBIIII', AF_VSOCK, 1, 10, 0, 3, 1024, 2, 5000))
    recs = _decode(short + vsock_msg(inode=5, tail=b'\x01' * 12) + vsock_msg(inode=6))
    assert [r['inode'] for r in recs] == [5, 6] and recs[0]['local_port'] == 1024


def test_several_reads_and_identity():
    out = []
    sock = FakeSock([vsock_msg(inode=1), vsock_msg(stype=2, inode=2, cookie=(4, 1)) + done()])
    c.decode_vsock(nl.dump(sock, b'', 'vsock'), BOTH, Context({AF_VSOCK}, identity=True), out)
    assert out[1][SOCKID] == SockId(AF_VSOCK, 2, b'', b'', 0, 0, 0, (1 << 32) | 4, 2)
    assert [r['inode'] for r in out] == [1, 2]
    assert SOCKID not in _decode(vsock_msg())[0]


def test_details_print_nothing():
    """ss -e and -m print nothing for vsock (vsock_stats_print): no detail key; collect() fills them with null."""
    rec = _decode(vsock_msg(), details=frozenset(['extended', 'memory', 'tipcinfo']))[0]
    assert 'extended' not in rec and 'skmem' not in rec and 'tipc_info' not in rec
    rec.update(extended=None, skmem=None)
    assert DetailText(frozenset(['extended', 'memory']))(rec) == ''


def _matcher(args, tables=None):
    req = build_request({'ss_args': args})
    return make_matcher(bind(req.filter, tables or req.tables), ephemeral_range=(32768, 60999))


def _kept(args):
    """inodes of the sockets the filter of `ss ARGS` keeps, run on the decoded views."""
    m = _matcher(args)
    chunk = (vsock_msg(state=10, src_cid=ANY, src_port=1024, inode=1)
             + vsock_msg(state=1, src_cid=3, src_port=1024, dst_cid=2, dst_port=5000, inode=2)
             + vsock_msg(state=1, src_cid=3, src_port=40000, dst_cid=2, dst_port=1023, inode=3)
             + vsock_msg(stype=2, state=7, src_cid=3, src_port=ANY, inode=4)
             + vsock_msg(state=1, src_cid=3, src_port=0x80000000, dst_cid=2, dst_port=7, inode=5))
    out = []
    c.decode_vsock(nl.dump(FakeSock([chunk + done()]), b'', 'vsock'), BOTH, Context({AF_VSOCK}, match=m), out)
    return [r['inode'] for r in out]


@pytest.mark.parametrize('expr,inodes', [
    ('', [1, 2, 3, 4, 5]),
    ('src vsock:3', [2, 3, 4, 5]),                  # the CID is compared (see docs/filter-language.md: ss ignores it)
    ('src vsock:*', [1, 2, 3, 4, 5]),
    ('src vsock:4294967295', [1]),                  # VMADDR_CID_ANY as a number
    ('src vsock:3:1024', [2]),
    ('src vsock:*:1024', [1, 2]),
    ('src vsock:*:4294967295', [1, 2, 3, 4, 5]),    # a port of all ones is ss's wildcard (-1)
    ('dst vsock:2:5000', [2]),
    ('dst vsock:2', [2, 3, 5]),
    ('sport = :1024', [1, 2]),
    ('sport = vsock:40000', [3]),
    ('dport = :5000', [2]),
    ('sport > :1024', [3]),                         # ss's int ports: VMADDR_PORT_ANY (-1) and 2^31 are negative
    ('sport < :0', [4, 5]),
    ('dport <= :1023', [1, 3, 4, 5]),               # an unconnected peer port is VMADDR_PORT_ANY, -1 for the filter
    ('autobound', [1, 2, 3]),                       # vsock: local port > 1023, as an int
    ('not autobound', [4, 5]),
    ('dev 0', [1, 2, 3, 4, 5]),
    ('state listening', [1, 2, 3, 4, 5]),           # state words go to the kernel (the request), not to the filter
    ('src vsock:3 and not dport = :1023', [2, 4, 5]),
])
def test_filter_on_decoded_sockets(expr, inodes):
    """The filter sees what ss's run_ssfilter sees for vsock: CIDs as addresses, ports as C ints."""
    assert _kept(('--vsock ' + expr).strip()) == inodes


def test_filter_on_returned_records():
    """record_matcher reads the records the same way (CID text, '*', u32 ports as ss's ints)."""
    recs = _decode(vsock_msg(state=10, src_cid=ANY, src_port=1024, inode=1)
                   + vsock_msg(state=1, src_cid=3, src_port=40000, dst_cid=2, dst_port=1023, inode=3)
                   + vsock_msg(stype=2, state=7, src_cid=3, src_port=ANY, inode=4))

    def kept(expr):
        m = record_matcher(build_request({'ss_args': '--vsock ' + expr}).filter, tables=BOTH)
        return [r['inode'] for r in recs if m(r)]
    assert kept('src vsock:3') == [3, 4] and kept('src vsock:4294967295:1024') == [1]
    assert kept('sport > :1024') == [3] and kept('sport < :0') == [4] and kept('dst vsock:*:1023') == [3]


def test_rows_as_ss_prints_them():
    """ss -n --vsock -a: CID or '*', then ':' and the port or '*'; queues 0 (vsock_stats_print)."""
    recs = _decode(vsock_msg(state=10, src_cid=ANY, src_port=1024)
                   + vsock_msg(state=1, src_cid=3, src_port=1024, dst_cid=2, dst_port=5000)
                   + vsock_msg(stype=2, state=7, src_cid=ANY, src_port=ANY)
                   + vsock_msg(stype=5, state=1, src_cid=4294967294, src_port=4294967294, dst_cid=2, dst_port=9))
    assert render(recs) == [
        'Netid State  Recv-Q Send-Q Local Address:Port       Peer Address:PortProcess',
        'v_str LISTEN 0      0                  *:1024                  *:*',
        'v_str ESTAB  0      0                  3:1024                  2:5000',
        'v_dgr UNCONN 0      0                  *:*                     *:*',
        '???   ESTAB  0      0         4294967294:4294967294            2:9',
    ]
    req = build_request({'ss_args': '--vsock -a -e -m -O'})
    assert listing(req, recs[:1]) == listing(build_request({'ss_args': '--vsock -a'}), recs[:1])
