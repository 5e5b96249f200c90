# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""xdp_diag_msg decoding, filtering and rendering, on replies built from the UAPI layout (uapi.py).

The kernel these tests run on has no xdp diag module (xsk_diag), so the
replies are built by hand from linux/xdp_diag.h; what ss 6.1.0 prints for
them is read from misc/ss.c (xdp_show_sock, xdp_stats_print, xdp_show_ring,
xdp_show_umem, xdp_show_stats, run_ssfilter).
"""

from __future__ import annotations

import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _diag_xdp as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context, SockId
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import make_matcher, record_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText, listing, render
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_XDP

from uapi import FakeSock, done, msg, xdp_msg

UMEM = struct.pack('=QIIIIIIII', 4194304, 1, 1024, 2048, 0, 1, 0, 1, 2)
STATS = struct.pack('=6Q', 1, 2, 3, 4, 5, 6)
RING = struct.pack('=I', 2048)
FULL = (nl.rtattr(3, RING) + nl.rtattr(4, struct.pack('=I', 1024)) + nl.rtattr(5, UMEM) + nl.rtattr(6, RING)
        + nl.rtattr(7, struct.pack('=I', 4096)) + nl.rtattr(9, STATS))


class Devices(HostLookups):
    def ifname(self, index):
        return {1: 'eth0'}.get(index, 'if%d' % index)

    def ifindex(self, name):
        return 1 if name == 'eth0' else super(Devices, self).ifindex(name)


def _decode(chunk, **kw):
    out = []
    c.decode_xdp(nl.dump(FakeSock([chunk + done()]), b'', 'xdp'), Context({AF_XDP}, lookups=Devices(), **kw), out)
    return out


def _sockets():
    """Bound with rings, umem and statistics; bound to a device that is gone; unbound; without XDP_DIAG_INFO."""
    return (xdp_msg(ifindex=1, queue=0, inode=901, cookie=(7, 0), attrs=FULL)
            + xdp_msg(ifindex=42, queue=3, uid=1000, rmem=768, inode=902, cookie=(8, 2))
            + xdp_msg(ifindex=0, queue=0, inode=903, cookie=(9, 0))
            + xdp_msg(ifindex=None, inode=904, cookie=(10, 0)))


def test_request():
    """struct xdp_diag_req (20 bytes, no states): INFO and MEMINFO; RING_CFG, UMEM and STATS with -e (ss: all, 0x1f)."""
    assert c.xdp_request() == struct.pack('=BBHIIII', 44, 0, 0, 0, 0x01 | 0x08, 0, 0)
    assert c.xdp_request(frozenset(['extended'])) == struct.pack('=BBHIIII', 44, 0, 0, 0, 0x1f, 0, 0)
    assert len(nl.nlmsg(20, 0x301, c.xdp_request())) == 36


def test_dumped_only_for_the_family_and_unconn():
    """ss's xdp_show: nothing is asked unless the xdp family is selected and UNCONN is among the states."""
    for families, states in (({AF_XDP}, 1 << 1), (set(), 0xfff)):
        sock = FakeSock([])
        c.dump_xdp(sock, 'xdp', {'xdp'}, states, Context(families), [])
        assert sock.sent == []
    sock = FakeSock([xdp_msg() + done()])
    out = []
    c.dump_xdp(sock, 'xdp', {'xdp'}, 1 << 7, Context({AF_XDP}, lookups=Devices()), out)
    assert len(sock.sent) == 1 and [r['local_address'] for r in out] == ['eth0']


def test_records_field_by_field():
    recs = _decode(_sockets())
    base = {'netid': 'xdp', 'state': 'UNCONN', 'recv_q': 0, 'send_q': 0, 'peer_address': '*', 'peer_port': None,
            'family': 'xdp', 'uid': 0}
    assert recs == [
        dict(base, local_address='eth0', local_port=0, interface='eth0', inode=901, cookie=7),
        dict(base, recv_q=768, local_address='if42', local_port=3, interface='if42', uid=1000, inode=902,
             cookie=(2 << 32) | 8),
        dict(base, local_address='*', local_port=None, interface=None, inode=903, cookie=9),
        dict(base, local_address='*', local_port=None, interface=None, uid=None, inode=904, cookie=10),
    ]
    assert all(tuple(r) == tuple(recs[0]) for r in recs)


def test_identity():
    recs = _decode(_sockets(), identity=True)
    assert recs[1][SOCKID] == SockId(AF_XDP, 3, b'', b'', 0, 0, 42, (2 << 32) | 8, 902)
    assert SOCKID not in _decode(_sockets())[0]


def test_details():
    recs = _decode(_sockets(), details=frozenset(['extended', 'memory']))
    assert recs[0]['extended'] == {
        'ring_rx': {'entries': 2048}, 'ring_tx': {'entries': 1024}, 'ring_fill': {'entries': 2048},
        'ring_completion': {'entries': 4096},
        'umem': {'size': 4194304, 'id': 1, 'num_pages': 1024, 'chunk_size': 2048, 'headroom': 0, 'ifindex': 1,
                 'queue_id': 0, 'zerocopy': True, 'refs': 2},
        'stats': {'rx_dropped': 1, 'rx_invalid': 2, 'rx_full': 3, 'fill_ring_empty': 4, 'tx_invalid': 5,
                  'tx_ring_empty': 6},
    }
    assert recs[0]['skmem'] == dict(zip(('rmem_alloc', 'rcvbuf', 'wmem_alloc', 'sndbuf', 'fwd_alloc', 'wmem_queued',
                                         'optmem', 'backlog', 'drops'), range(9)))
    assert recs[1]['extended'] == dict.fromkeys(('ring_rx', 'ring_tx', 'ring_fill', 'ring_completion', 'umem', 'stats'))
    assert 'skmem' not in _decode(_sockets(), details=frozenset(['extended']))[0]
    assert 'extended' not in _decode(_sockets(), details=frozenset(['memory', 'tipcinfo']))[0]


def test_short_long_unknown_and_truncated():
    """Structs shorter than the UAPI's are read as absent, longer ones for the known fields; unknown types are skipped."""
    short_msg = msg(struct.pack('=BBHI', AF_XDP, 3, 0, 5))
    odd = (nl.rtattr(3, b'\1\0') + nl.rtattr(5, UMEM[:36]) + nl.rtattr(9, STATS[:40]) + nl.rtattr(42, b'new')
           + nl.rtattr(4, struct.pack('=II', 64, 99)))
    longer = nl.rtattr(5, UMEM[:-4] + struct.pack('=I', 3) + b'\xff' * 8) + nl.rtattr(9, STATS + b'\xff' * 16)
    cut = nl.rtattr(3, RING) + struct.pack('=HH', 40, 9) + STATS[:8]          # STATS claims more than the message has
    short_info = msg(struct.pack('=BBHIII', AF_XDP, 3, 0, 906, 0, 0) + nl.rtattr(1, struct.pack('=I', 1)))
    recs = _decode(short_msg + xdp_msg(inode=1, attrs=odd) + xdp_msg(inode=2, attrs=longer) + xdp_msg(inode=3, attrs=cut)
                   + short_info, details=frozenset(['extended']))
    assert [r['inode'] for r in recs] == [1, 2, 3, 906]
    assert (recs[0]['extended']['ring_rx'], recs[0]['extended']['ring_tx'], recs[0]['extended']['umem'],
            recs[0]['extended']['stats']) == (None, {'entries': 64}, None, None)
    assert recs[1]['extended']['umem']['refs'] == 3 and recs[1]['extended']['stats']['tx_ring_empty'] == 6
    assert recs[2]['extended']['ring_rx'] == {'entries': 2048} and recs[2]['extended']['stats'] is None
    assert (recs[3]['local_address'], recs[3]['local_port'], recs[3]['uid']) == ('*', None, None)


def _kept(args, eph=(1, 5)):
    req = build_request({'ss_args': args})
    m = make_matcher(bind(req.filter, req.tables, Devices()), ephemeral_range=eph)
    return [r['inode'] for r in _decode(_sockets(), match=m)]


@pytest.mark.parametrize('args,inodes', [
    ('--xdp', [901, 902, 903, 904]),
    ('--xdp sport = :3', [902]),                  # the queue id is ss's local port
    ('--xdp sport = 3', [902]),
    ('--xdp sport >= :1', [902]),
    ('--xdp dport = :0', [901, 902, 903, 904]),
    ('--xdp dev 0', [903, 904]),
    ('--xdp dev eth0', [901]),
    ('--xdp dev if42', [902]),
    ('--xdp autobound', [902]),                   # queue id in the ephemeral range (here 1-5), as ss's is_ephemeral
    ('--xdp src *:3', [902]),
    ('-A xdp src 0.0.0.0/8', [901, 902, 903, 904]),   # ss compares its zeroed addresses
    ('-A xdp src 10.0.0.0/8', []),
    ('-A xdp dst ::/64', [901, 902, 903, 904]),
    ('-A xdp not dev 0 and not sport = :0', [902]),
])
def test_filter_on_decoded_sockets(args, inodes):
    """The filter sees what ss's run_ssfilter sees for xdp (xdp_stats_print's sockstat)."""
    assert _kept(args) == inodes


def test_filter_on_returned_records():
    recs = _decode(_sockets())

    def kept(expr):
        m = record_matcher(build_request({'ss_args': '-A xdp ' + expr}).filter, tables=('xdp',))
        return [r['inode'] for r in recs if m(r)]
    assert kept('sport = :3') == [902] and kept('dev eth0') == [901] and kept('dev 0') == [903, 904]
    assert kept('src 0.0.0.0/8') == [901, 902, 903, 904] and kept('src 10.0.0.0/8') == []


def test_rows_as_ss_prints_them():
    """ss -n --xdp: 'IFNAME:' 'q<queue>' when bound, '*' with no delimiter and no port when not; peer '*'."""
    recs = _decode(_sockets())
    assert listing(build_request({'ss_args': '--xdp'}), recs) == [
        'Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
        '0      0               eth0:q0               *',
        '768    0               if42:q3               *',
        '0      0                   *                 *',
        '0      0                   *                 *',
    ]
    assert render(recs[:1], show_netid=True, show_state=True, header=False) == ['xdp UNCONN 0      0      eth0:q0 *']


def test_details_text():
    """-e: uid/ino/sk, then each ring, the umem with its fill and completion rings, the statistics; -m: skmem."""
    recs = _decode(_sockets(), details=frozenset(['extended', 'memory']))
    text = DetailText(frozenset(['extended', 'memory']))
    assert text(recs[0]) == (
        ' ino:901 sk:7\n\trx(entries:2048)\n\ttx(entries:1024)'
        '\n\tumem(id:1,size:4194304,num_pages:1024,chunk_size:2048,headroom:0,ifindex:1,qid:0,zc:1,refs:2)'
        '\n\tfr(entries:2048)\n\tcr(entries:4096)'
        '\n\tstats(rx dropped:1,rx invalid:2,rx queue full:3,rx fill ring empty:4,tx invalid:5,tx ring empty:6)'
        ' skmem:(r0,rb1,t2,tb3,f4,w5,o6,bl7,d8)')
    assert text(recs[1]) == ' uid:1000 ino:902 sk:200000008 skmem:(r768,rb1,t2,tb3,f4,w5,o6,bl7,d8)'
    # -O: one line; ss 6.1.0 prints 'tumem(' there (B-26), we print 'umem(' (docs/differences.md)
    ext_only = _decode(_sockets(), details=frozenset(['extended']))[0]
    assert DetailText(frozenset(['extended']), oneline=True)(ext_only) == (
        ' ino:901 sk:7 rx(entries:2048) tx(entries:1024)'
        ' umem(id:1,size:4194304,num_pages:1024,chunk_size:2048,headroom:0,ifindex:1,qid:0,zc:1,refs:2)'
        ' fr(entries:2048) cr(entries:4096)'
        ' stats(rx dropped:1,rx invalid:2,rx queue full:3,rx fill ring empty:4,tx invalid:5,tx ring empty:6)')
    recs[0]['extended']['umem'] = None
    assert 'fr(' not in text(recs[0]) and 'cr(' not in text(recs[0])      # ss prints them with the umem only
    lines = listing(build_request({'ss_args': '--xdp -e'}), recs)
    assert lines[1].split() == ['0', '0', 'eth0:q0', '*', 'ino:901', 'sk:7'] and lines[2] == '\trx(entries:2048)'
