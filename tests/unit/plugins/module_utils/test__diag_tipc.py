# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tipc sock_diag replies (nested attributes only): decoding, details and rendering, on replies built by hand.

The kernel these tests run on has no tipc module, so the replies are built
from the UAPI (linux/tipc_sockets_diag.h, linux/tipc_netlink.h) in the order
the kernel's tipc_sk_fill_sock_diag() writes them; what ss 6.1.0 prints for
them is read from misc/ss.c (tipc_show_sock, tipc_sock_addr_print,
tipc_netid_name, and its --tipcinfo output).
"""

from __future__ import annotations

import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _diag_tipc as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context, SockId
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import record_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText, listing, render
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_TIPC

from uapi import FakeSock, done, msg, tipc_msg, tipc_sock

ALL = frozenset(['extended', 'memory', 'tipcinfo'])


def _decode(chunk, **kw):
    out = []
    c.decode_tipc(nl.dump(FakeSock([chunk + done()]), b'', 'tipc'), Context({AF_TIPC}, **kw), out)
    return out


def _sockets():
    """A listener, a connected stream socket (via a service name), a connected seqpacket socket, two unconnected ones."""
    return (tipc_msg(stype=4, state=7, ref=2000, publ=True, inode=801, cookie=0x1001)
            + tipc_msg(stype=1, state=10, ref=2001, publ=True, inode=802, cookie=0x1002)
            + tipc_msg(stype=1, state=1, ref=2002, con=(4712, 3000, (1000, 1)), rcvq=3, sendq=1, uid=1000, drop=2,
                       conn_cong=True, inode=803, cookie=0x1003)
            + tipc_msg(stype=5, state=1, ref=2003, con=(4712, 3001), link_cong=True, conn_cong=True, inode=804,
                       cookie=(1 << 40) | 4)
            + tipc_msg(stype=2, state=7, ref=2004, inode=805, cookie=0x1005))


def test_request_is_the_one_ss_sends():
    """struct tipc_sock_diag_req (8 bytes): family and the state mask (24 with the header)."""
    req = c.tipc_request(0x482)
    assert req == struct.pack('=BBHI', 30, 0, 0, 0x482) and len(nl.nlmsg(20, 0x301, req)) == 24


def test_records_field_by_field():
    recs = _decode(_sockets())
    base = {'recv_q': 0, 'send_q': 0, 'local_address': '4711', 'interface': None, 'family': 'tipc', 'uid': 0}
    assert recs[0] == dict(base, netid='ti_rd', state='UNCONN', local_port=2000, peer_address='-', peer_port=None,
                           inode=801, cookie=0x1001)
    assert recs[1] == dict(base, netid='ti_st', state='LISTEN', local_port=2001, peer_address='-', peer_port=None,
                           inode=802, cookie=0x1002)
    assert recs[2] == dict(base, netid='ti_st', state='ESTAB', recv_q=3, send_q=1, local_port=2002, peer_address='4712',
                           peer_port=3000, uid=1000, inode=803, cookie=0x1003)
    assert recs[3] == dict(base, netid='ti_sq', state='ESTAB', local_port=2003, peer_address='4712', peer_port=3001,
                           inode=804, cookie=(1 << 40) | 4)
    assert (recs[4]['netid'], recs[4]['state'], recs[4]['inode']) == ('ti_dg', 'UNCONN', 805)
    assert all(tuple(r) == tuple(recs[0]) for r in recs)


@pytest.mark.parametrize('stype,netid,name', [(1, 'ti_st', 'STREAM'), (2, 'ti_dg', 'DGRAM'), (4, 'ti_rd', 'RDM'),
                                              (5, 'ti_sq', 'SEQPACKET'), (3, '???', 'UNKNOWN'), (0, '???', 'UNKNOWN'),
                                              (9, '???', 'UNKNOWN')])
def test_types(stype, netid, name):
    """tipc_netid_name, and the type name --tipcinfo prints (stype_nameg)."""
    (rec,) = _decode(tipc_msg(stype=stype), details=ALL)
    assert (rec['netid'], rec['tipc_info']['type']) == (netid, name)


@pytest.mark.parametrize('state,name', [(1, 'ESTAB'), (2, 'SYN-SENT'), (7, 'UNCONN'), (8, 'CLOSE-WAIT'), (10, 'LISTEN'),
                                        (0, 'UNKNOWN'), (12, 'UNKNOWN')])
def test_states(state, name):
    """TIPC's sk_state holds TCP_* numbers (TIPC_OPEN = TCP_CLOSE, TIPC_CONNECTING = TCP_SYN_SENT, ...)."""
    assert _decode(tipc_msg(state=state))[0]['state'] == name


def test_replies_that_are_not_sockets_and_odd_attributes():
    """An empty reply (the kernel's answer for a socket the state mask rejects), unknown, short and truncated attributes."""
    pad_and_unknown = nl.rtattr(11, b'') + nl.rtattr(12, nl.rtattr(1, b'\0' * 4)) + nl.rtattr(99, b'xyz')
    good = tipc_msg(tipc_sock(inode=1, extra=pad_and_unknown) + nl.rtattr(7, b'\0' * 4))    # unknown top-level attribute
    empty = msg(b'')
    other = msg(nl.rtattr(1, b'\0' * 8))                                                    # no TIPC_NLA_SOCK
    # a nest that claims more than the message holds: no TIPC_NLA_SOCK can be read
    overlong = msg(struct.pack('=HH', 200, 2) + nl.rtattr(2, struct.pack('=I', 5)))
    # inside the nest: REF, ADDR, then an attribute whose length runs past the nest (everything after it is lost)
    cut = msg(nl.rtattr(2, nl.rtattr(2, struct.pack('=I', 7)) + nl.rtattr(1, struct.pack('=I', 9))
                        + struct.pack('=HH', 64, 6) + struct.pack('=I', 1)))
    # a u32 attribute with 2 bytes, a 4-byte cookie: read as absent
    short = msg(nl.rtattr(2, nl.rtattr(2, b'\x05\x00') + nl.rtattr(7, struct.pack('=I', 3)) + nl.rtattr(10, b'\1\0\0\0')))
    recs = _decode(good + empty + other + overlong + cut + short, details=ALL)
    assert [r['inode'] for r in recs] == [1, 0, 3]
    assert (recs[0]['netid'], recs[0]['state'], recs[0]['local_port'], recs[0]['cookie']) == ('ti_st', 'ESTAB', 2000, 0x1234)
    assert recs[1] == {'netid': '???', 'state': 'UNKNOWN', 'recv_q': 0, 'send_q': 0, 'local_address': '9',
                       'local_port': 7, 'peer_address': '-', 'peer_port': None, 'interface': None, 'family': 'tipc',
                       'uid': None, 'inode': 0, 'cookie': 0, 'extended': {},
                       'tipc_info': {'type': 'UNKNOWN', 'cong': 'none', 'drop': 0, 'publ': False, 'via': None}}
    assert (recs[2]['local_port'], recs[2]['cookie'], recs[2]['uid']) == (0, 0, None)


def test_every_socket_is_kept_whatever_the_filter():
    """ss's tipc_show_sock never calls run_ssfilter: the filter does not select tipc sockets (nor on records)."""
    recs = _decode(_sockets(), match=lambda view: False)
    assert len(recs) == 5
    m = record_matcher(build_request({'ss_args': '--tipc sport = :1'}).filter)
    assert all(m(r) for r in recs)


def test_identity():
    recs = _decode(_sockets(), identity=True)
    assert recs[3][SOCKID] == SockId(AF_TIPC, 5, b'', b'', 0, 0, 0, (1 << 40) | 4, 804)
    assert SOCKID not in _decode(_sockets())[0]


def test_details():
    """-e: nothing beyond uid, inode and cookie (an empty dict); -m: nothing; --tipcinfo: ss's values."""
    recs = _decode(_sockets(), details=ALL)
    assert [r['extended'] for r in recs] == [{}] * 5 and all('skmem' not in r for r in recs)
    assert [r['tipc_info'] for r in recs] == [
        {'type': 'RDM', 'cong': 'none', 'drop': 0, 'publ': True, 'via': None},
        {'type': 'STREAM', 'cong': 'none', 'drop': 0, 'publ': True, 'via': None},
        {'type': 'STREAM', 'cong': 'conn', 'drop': 2, 'publ': False, 'via': {'type': 1000, 'inst': 1}},
        {'type': 'SEQPACKET', 'cong': 'link', 'drop': 0, 'publ': False, 'via': None},
        {'type': 'DGRAM', 'cong': 'none', 'drop': 0, 'publ': False, 'via': None},
    ]
    only_e = _decode(_sockets(), details=frozenset(['extended']))[0]
    assert 'tipc_info' not in only_e and only_e['extended'] == {}
    assert 'extended' not in _decode(_sockets(), details=frozenset(['tipcinfo']))[0]
    assert _decode(tipc_msg(drop=0xffffffff), details=ALL)[0]['tipc_info']['drop'] == -1   # the kernel's int sk_drops


def test_rows_as_ss_prints_them():
    """ss -n --tipc -a: NODE:REF, the peer's NODE:REF when connected, else '-' (tipc_sock_addr_print)."""
    recs = _decode(_sockets())
    assert render(recs, show_netid=False) == [
        'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
        'UNCONN 0      0               4711:2000             -',
        'LISTEN 0      0               4711:2001             -',
        'ESTAB  3      1               4711:2002         4712:3000',
        'ESTAB  0      0               4711:2003         4712:3001',
        'UNCONN 0      0               4711:2004             -',
    ]
    assert listing(build_request({'ss_args': '--tipc -a'}), recs)[1].split() == ['UNCONN', '0', '0', '4711:2000', '-']


def test_details_text():
    """-e prints uid/ino/sk before the process (tipc_show_sock); --tipcinfo a line that starts with a blank, not a tab."""
    recs = _decode(_sockets(), details=ALL)
    req = build_request({'ss_args': '--tipc -a -e -m --tipcinfo'})
    lines = listing(req, recs)
    # ss 6.1.0 prints the same tokens; its blanks differ only in that the (empty) Process column and the
    # details are one column there, so its padding comes after the details
    pad = ' ' * 4 + ' ' * len('Process')
    assert lines[1:5] == [
        'UNCONN 0      0               4711:2000             -' + pad + ' ino:801 sk:1001',
        ' type:RDM cong:none  drop:0  publ',
        'LISTEN 0      0               4711:2001             -' + pad + ' ino:802 sk:1002',
        ' type:STREAM cong:none  drop:0  publ',
    ]
    assert lines[5:9] == [
        'ESTAB  3      1               4711:2002         4712:3000' + ' ' * 7 + ' uid:1000 ino:803 sk:1003',
        ' type:STREAM cong:conn  drop:2  via {1000,1}',
        'ESTAB  0      0               4711:2003         4712:3001' + ' ' * 7 + ' ino:804 sk:10000000004',
        ' type:SEQPACKET cong:link  drop:0',
    ]
    assert lines[9].split() == ['UNCONN', '0', '0', '4711:2004', '-', 'ino:805', 'sk:1005']
    text = DetailText(ALL, oneline=True)
    assert text(recs[2]) == ' type:STREAM cong:conn  drop:2  via {1000,1} ' and text.before_process(recs[2]) == \
        ' uid:1000 ino:803 sk:1003'
    assert DetailText(frozenset(['tipcinfo']))(recs[0]) == '\n type:RDM cong:none  drop:0  publ'
    recs[2]['processes'] = [{'name': 'srv', 'pid': 5, 'fd': 3}]
    rows = render(recs[2:3], header=False, show_netid=False, show_process=True, extra=DetailText(ALL, oneline=True))
    assert rows == ['ESTAB 3      1      4711:2002 4712:3000 uid:1000 ino:803 sk:1003 users:(("srv",pid=5,fd=3))'
                    ' type:STREAM cong:conn  drop:2  via {1000,1}']
    del recs[2]['extended'], recs[2]['processes']
    rows = render(recs[2:3], header=False, show_netid=False, extra=DetailText(frozenset(['tipcinfo'])))
    assert rows == ['ESTAB 3      1      4711:2002 4712:3000', ' type:STREAM cong:conn  drop:2  via {1000,1}']
