# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""inet_diag_msg decoding on messages built from the UAPI layouts (uapi.py)."""

from __future__ import annotations

import socket
import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _diag_inet as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context, SockId
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

from uapi import FakeSock, done, inet_msg


def decode_inet(chunks, families=(AF_INET, AF_INET6), **ctx):
    out = []
    c.decode_inet(nl.dump(FakeSock(chunks), b'', 'tcp'), 'tcp', Context(set(families), **ctx), out)
    return out


def test_inet_v4_listener():
    recs = decode_inet([inet_msg() + done()])
    assert recs == [{'netid': 'tcp', 'state': 'LISTEN', 'recv_q': 0, 'send_q': 128, 'local_address': '0.0.0.0',
                     'local_port': 22, 'peer_address': '0.0.0.0', 'peer_port': 0, 'interface': None,
                     'family': 'inet', 'uid': 0, 'inode': 411, 'cookie': 3}]


@pytest.mark.parametrize('v6only,expected', [(None, '*'), (0, '*'), (1, '::')])
def test_inet_v6_wildcard_follows_v6only(v6only, expected):
    attrs = nl.rtattr(c.INET_DIAG_SKV6ONLY, bytes([v6only])) if v6only is not None else b''
    recs = decode_inet([inet_msg(AF_INET6, src='::', dst='::', attrs=attrs) + done()])
    assert (recs[0]['local_address'], recs[0]['peer_address']) == (expected, expected)


def test_inet_v6_established_and_cookie_and_device():
    recs = decode_inet([inet_msg(AF_INET6, state=1, sport=40520, dport=22, src='fec0:42::24', dst='::ffff:127.0.0.1',
                                 cookie=(1, 2), ifindex=1, uid=1000, rq=5, wq=7) + done()])
    r = recs[0]
    assert (r['state'], r['local_address'], r['peer_address'], r['local_port'], r['peer_port']) == \
        ('ESTAB', 'fec0:42::24', '::ffff:127.0.0.1', 40520, 22)
    assert (r['cookie'], r['interface'], r['uid'], r['recv_q'], r['send_q']) == ((2 << 32) | 1, 'lo', 1000, 5, 7)


def test_inet_family_set_is_applied():
    assert decode_inet([inet_msg() + done()], families=(AF_INET6,)) == []


def test_inet_unknown_and_truncated_attributes_are_skipped():
    attrs = nl.rtattr(99, b'abcdefgh') + struct.pack('=HH', 200, 11)   # unknown type, then a length past the end
    assert len(decode_inet([inet_msg(attrs=attrs) + done()])) == 1


def test_inet_timers():
    recs = decode_inet([inet_msg(state=1, timer=2, retrans=1, expires=7180950) + done()], timers=True)
    assert (recs[0]['timer'], recs[0]['timer_expires_ms'], recs[0]['timer_retrans']) == ('keepalive', 7180950, 1)
    recs = decode_inet([inet_msg(state=1) + done()], timers=True)
    assert recs[0]['timer'] is None


def test_inet_filter_sees_mark_and_cgroup_only_when_asked():
    seen = []
    attrs = nl.rtattr(c.INET_DIAG_MARK, struct.pack('=I', 0x23)) + nl.rtattr(c.INET_DIAG_CGROUP_ID, struct.pack('=Q', 77))
    decode_inet([inet_msg(attrs=attrs) + done()], match=lambda v: seen.append((v.mark, v.cgroup_id)) or True, needs_attrs=True)
    assert seen == [(0x23, 77)]


def test_a_repeated_attribute_counts_once_the_first_as_in_the_details():
    """A capture (from_dump) is the user's file: a repeated attribute is read as iproute2 reads it, the first one,
    by the filter and the row as by the detail keys (attr_map)."""
    seen = []
    attrs = (nl.rtattr(c.INET_DIAG_SKV6ONLY, b'\x01') + nl.rtattr(c.INET_DIAG_SKV6ONLY, b'\x00')
             + nl.rtattr(c.INET_DIAG_MARK, struct.pack('=I', 7)) + nl.rtattr(c.INET_DIAG_MARK, struct.pack('=I', 9))
             + nl.rtattr(c.INET_DIAG_CGROUP_ID, struct.pack('=Q', 0)) + nl.rtattr(c.INET_DIAG_CGROUP_ID, struct.pack('=Q', 5)))
    recs = decode_inet([inet_msg(AF_INET6, src='::', dst='::', attrs=attrs) + done()],
                       match=lambda v: seen.append((v.mark, v.cgroup_id)) or True, needs_attrs=True,
                       details=frozenset(['extended']))
    assert seen == [(7, 0)] and recs[0]['local_address'] == '::'
    assert (recs[0]['extended']['v6only'], recs[0]['extended']['mark']) == (1, 7)


def test_messages_split_across_reads():
    recs = decode_inet([inet_msg(sport=1), inet_msg(sport=2) + inet_msg(sport=3), done()])
    assert [r['local_port'] for r in recs] == [1, 2, 3]


def test_foreign_sequence_numbers_are_skipped():
    recs = decode_inet([inet_msg(sport=1)[:0] + nl.nlmsg(20, 2, b'\0' * 72, seq=1) + inet_msg(sport=2) + done()])
    assert [r['local_port'] for r in recs] == [2]


def test_inet_request_layout():
    req = c.inet_request(AF_INET6, 'mptcp', 0xfff, bytecode=b'\x06\x04\x08\x00')
    family, proto, ext, pad, states = struct.unpack_from('=BBBBI', req)
    assert (family, proto, ext, pad, states) == (AF_INET6, 6, 0, 0, 0xfff)
    assert req[56:64] == nl.rtattr(c.INET_DIAG_REQ_BYTECODE, b'\x06\x04\x08\x00')
    assert req[64:] == nl.rtattr(c.INET_DIAG_REQ_PROTOCOL, struct.pack('=I', 262))


def test_identity_is_kept_only_when_asked():
    chunk = inet_msg(AF_INET6, state=1, sport=40520, dport=22, src='fec0:42::24', dst='::1', cookie=(1, 2), ifindex=3,
                     inode=77) + done()
    assert SOCKID not in decode_inet([chunk])[0]
    sid = decode_inet([chunk], identity=True)[0][SOCKID]
    src, dst = socket.inet_pton(socket.AF_INET6, 'fec0:42::24'), socket.inet_pton(socket.AF_INET6, '::1')
    assert sid == SockId(AF_INET6, 6, src, dst, 40520, 22, 3, (2 << 32) | 1, 77)
    v4 = decode_inet([inet_msg(src='127.0.0.1', dst='127.0.0.2') + done()], identity=True)[0][SOCKID]
    assert v4.src == socket.inet_aton('127.0.0.1') + bytes(12) and v4.protocol == 6


def test_inet_details():
    """-e -m --tos --cgroup --inet-sockopt from the attributes (linux/inet_diag.h); ext bits in the request."""
    from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
    from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText

    class Cgroups(HostLookups):
        def cgroup_paths(self):
            return {77: '/system.slice/x.service'}
    attrs = (nl.rtattr(c.INET_DIAG_SHUTDOWN, b'\x02') + nl.rtattr(c.INET_DIAG_TOS, b'\x10') + nl.rtattr(c.INET_DIAG_TCLASS, b'\x00')
             + nl.rtattr(c.INET_DIAG_SKMEMINFO, struct.pack('=7I', *range(7))) + nl.rtattr(c.INET_DIAG_SKV6ONLY, b'\x01')
             + nl.rtattr(c.INET_DIAG_MARK, struct.pack('=I', 0x23)) + nl.rtattr(c.INET_DIAG_CLASS_ID, struct.pack('=I', 6))
             + nl.rtattr(c.INET_DIAG_CGROUP_ID, struct.pack('=Q', 77)) + nl.rtattr(c.INET_DIAG_SOCKOPT, b'\x52\x04'))
    details = frozenset(['extended', 'memory', 'tos', 'cgroup', 'inet_sockopt'])
    out = []
    c.decode_inet(nl.dump(FakeSock([inet_msg(AF_INET6, state=1, src='::1', dst='::1', uid=1000, inode=9, cookie=(0xab, 0),
                                             attrs=attrs) + done()]), b'', 'tcp'),
                  'tcp', Context({AF_INET6}, details=details, lookups=Cgroups()), out)
    r = out[0]
    assert r['extended'] == {'mark': 0x23, 'cgroup_id': 77, 'cgroup': '/system.slice/x.service', 'v6only': 1, 'shutdown': '<--'}
    assert r['skmem'] == {'rmem_alloc': 0, 'rcvbuf': 1, 'wmem_alloc': 2, 'sndbuf': 3, 'fwd_alloc': 4, 'wmem_queued': 5, 'optmem': 6}
    assert r['tos'] == {'tos': 0x10, 'tclass': 0, 'class_id': 6} and r['cgroup'] == '/system.slice/x.service'
    assert r['sockopt'] == ['is_icsk', 'mc_loop', 'mc_all', 'defer_connect']
    text = DetailText(details, timers=True)(r)
    assert text == (' uid:1000 ino:9 sk:ab fwmark:0x23 cgroup:/system.slice/x.service v6only:1 <-- tos:0x10 tclass:0 class_id:0x6'
                    ' cgroup:/system.slice/x.service\n\tinet-sockopt: ( is_icsk mc_loop mc_all defer_connect)'
                    '\n\t skmem:(r0,rb1,t2,tb3,f4,w5,o6)')
    assert '\n' not in DetailText(details, oneline=True)(r)
    assert c.inet_ext(details) == 0x41 | 0x30 and c.inet_ext(frozenset(['info'])) == 0x0e
    unknown = []
    c.decode_inet(nl.dump(FakeSock([inet_msg(attrs=nl.rtattr(c.INET_DIAG_CGROUP_ID, struct.pack('=Q', 5))) + done()]), b'', 'tcp'),
                  'tcp', Context({AF_INET}, details=frozenset(['cgroup']), lookups=Cgroups()), unknown)
    assert unknown[0]['cgroup'] == 'unreachable:5'


# ---------------------------------------------------------------- raw (ss -w)
# Where the kernel has raw sock_diag (CONFIG_INET_RAW_DIAG; not the test machine's kernel, so these bytes are
# built from the UAPI layouts by uapi.inet_msg): an inet dump with protocol 255, answered for every raw socket of
# the family whatever the state mask, each with INET_DIAG_PROTOCOL (u8) and id.sport = its protocol.

def _raw_msg(family, protocol, state, src, dst, dport=0, inode=7):
    return inet_msg(family, state=state, sport=protocol, dport=dport, src=src, dst=dst, rq=0, wq=0, inode=inode,
                    cookie=(inode, 0), attrs=nl.rtattr(c.INET_DIAG_PROTOCOL, bytes([protocol])))


def test_raw_from_raw_sock_diag():
    from ansible_collections.netdiag.ss.plugins.module_utils._render import netid_cell, port_cell, Names
    from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
    sock = FakeSock([_raw_msg(AF_INET, 1, 7, '0.0.0.0', '0.0.0.0') + _raw_msg(AF_INET, 253, 1, '127.0.0.1', '127.0.0.1', 9)
                     + done(), _raw_msg(AF_INET6, 58, 7, '::', '::') + done()])
    out = []
    c.dump_raw(sock, 'raw', {'raw'}, 1 << 1, Context({AF_INET, AF_INET6}), out)
    # the request: inet_diag_req_v2 with sdiag_protocol 255 and the pad byte 0, per family; the state mask as given
    assert [struct.unpack_from('=BBBBI', m, 16) for m in sock.sent] == [(AF_INET, 255, 0, 0, 2), (AF_INET6, 255, 0, 0, 2)]
    # every socket comes back (raw_diag ignores the mask, ss checks none): local_port is the protocol
    assert [(r['netid'], r['state'], r['local_address'], r['local_port'], r['peer_address'], r['peer_port'], r['cookie'])
            for r in out] == [('raw', 'UNCONN', '0.0.0.0', 1, '0.0.0.0', 0, 7), ('raw', 'ESTAB', '127.0.0.1', 253, '127.0.0.1', 9, 7),
                              ('raw', 'UNCONN', '*', 58, '*', 0, 7)]
    # ss's Netid is proto_name(INET_DIAG_PROTOCOL): '???' for ICMP and 253, icmp6 for 58 (B-21)
    assert [netid_cell(r) for r in out] == ['???', '???', 'icmp6']

    class Protocols(HostLookups):
        def protocol_name(self, number):
            return {1: 'icmp'}.get(number)
    names = Names(hosts=False, services=True, lookups=Protocols())
    # with -r both "ports" are protocols: a name, else ipproto-N; 0 stays '*'
    assert [(port_cell(r, 'local', names), port_cell(r, 'peer', names)) for r in out] == [
        ('icmp', '*'), ('ipproto-253', 'ipproto-9'), ('ipproto-58', '*')]
    assert [port_cell(r, 'local') for r in out] == ['1', '253', '58']


def test_raw_info_block_follows_the_protocol():
    """ss prints the -i block (here an empty continuation line) unless the raw socket's protocol is UDP."""
    from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText
    out = []
    c.decode_inet(nl.dump(FakeSock([_raw_msg(AF_INET, 17, 7, '0.0.0.0', '0.0.0.0') + _raw_msg(AF_INET, 1, 7, '0.0.0.0', '0.0.0.0')
                                    + done()]), b'', 'raw'), 'raw', Context({AF_INET}), out)
    text = DetailText(frozenset(['info']))
    assert [text(dict(r, info={})) for r in out] == ['', '\n\t']


def test_raw_dump_says_when_the_kernel_has_no_raw_sock_diag():
    """The kernel ends the dump with ENOENT (no raw sock_diag, as on the test machine): TableNotSupported, which
    _collect answers with /proc/net/raw{,6} (source=auto, tests/unit/.../test__collect.py); other errors stay errors."""
    import errno
    from ansible_collections.netdiag.ss.plugins.module_utils._errors import NetlinkError, TableNotSupported
    from uapi import error
    ctx = Context({AF_INET, AF_INET6})
    with pytest.raises(TableNotSupported) as exc:
        c.dump_raw(FakeSock([done(-errno.ENOENT)]), 'raw', {'raw'}, 0xfff, ctx, [])
    assert exc.value.errno == errno.ENOENT
    with pytest.raises(NetlinkError) as exc:
        c.dump_raw(FakeSock([error(errno.EPERM)]), 'raw', {'raw'}, 0xfff, ctx, [])
    assert exc.value.errno == errno.EPERM and not isinstance(exc.value, TableNotSupported)


# ---------------------------------------------------------------- dccp (ss -d)
# No DCCP on the test machine's kernel (DCCP left Linux in 6.16): dccp_diag's answer built from the UAPI layouts.
# It is an inet dump with protocol 33; its records are tcp's (tcp state numbers, tcp_info-shaped INFO) with
# netid dccp; dccp_diag_get_info sets Recv-Q and Send-Q to 0.

def test_dccp_records_and_rows():
    from ansible_collections.netdiag.ss.plugins.module_utils._render import render
    est = inet_msg(state=1, sport=5001, dport=40000, src='127.0.0.1', dst='127.0.0.1', wq=0, timer=1, expires=200)
    sock = FakeSock([inet_msg(state=10, sport=5001, wq=0) + est + done()])
    out = []
    c.dump_inet(sock, 'dccp', {'dccp'}, 0xfff, Context({AF_INET}, timers=True), out, inet_families=(AF_INET,))
    assert struct.unpack_from('=BBBBI', sock.sent[0], 16) == (AF_INET, 33, 0, 0, 0xfff)
    assert [(r['netid'], r['state'], r['timer']) for r in out] == [('dccp', 'LISTEN', None), ('dccp', 'ESTAB', 'on')]
    assert render(out, show_netid=True)[1:] == [
        'dccp  LISTEN 0      0            0.0.0.0:5001      0.0.0.0:*',
        'dccp  ESTAB  0      0          127.0.0.1:5001    127.0.0.1:40000        timer:(on,200ms,0)']


@pytest.mark.parametrize('big_endian, data', [(False, bytes([0b01010010, 0b00000100])),
                                              (True, bytes([0b01001010, 0b00100000]))])
def test_sockopt_bits_follow_the_hosts_bitfield_order(big_endian, data):
    """struct inet_diag_sockopt's 1-bit fields: from the least significant bit of each byte on little-endian hosts,
    from the most significant on big-endian ones (s390x), as the C compiler lays them out for ss."""
    assert c.sockopt_names(data, big_endian) == ['is_icsk', 'mc_loop', 'mc_all', 'defer_connect']
    assert c.sockopt_names(b'\x01', big_endian) is None
