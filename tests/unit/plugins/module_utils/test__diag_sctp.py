# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SCTP (ss -S): endpoints and associations decoded, and rendered as iproute2 6.1.0's ss prints them.

The test machine's kernel has no sctp_diag, so every reply here is built by
hand from the UAPI layouts (uapi.py: inet_diag_msg, sockaddr_storage,
struct sctp_info) in the order net/sctp/diag.c sends them: with LISTEN in
the state mask every endpoint first, then (for the other states) each
endpoint that has associations followed by its associations, which carry
the endpoint's inode and cookie, an SCTP state, INET_DIAG_PEERS and the
primary path's device. The expected text follows misc/ss.c (6.1.0):
sock_state_print's is_sctp_assoc branch, sctp_timer_print, sctp_show_info
and sctp_stats_print.
"""

from __future__ import annotations

import socket
import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _diag_sctp as s
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context, SockId
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import (
    INET_DIAG_INFO, INET_DIAG_REQ_BYTECODE, INET_DIAG_SHUTDOWN, INET_DIAG_SKMEMINFO, INET_DIAG_SKV6ONLY,
)
from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText, netid_cell, render, state_cell
from ansible_collections.netdiag.ss.plugins.module_utils._schema import BASE_KEYS, MATCHES, SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, SCTP_STATE_NAMES

from uapi import FakeSock, done, inet_msg, sctp_info, sockaddr_storage

LOCALS = ('10.0.0.1', '10.0.1.1')          # a multi-homed endpoint
PEERS = ('10.0.0.2', '10.0.1.2')


def _addrs(kind, addrs):
    return nl.rtattr(kind, b''.join(sockaddr_storage(a) for a in addrs))


def endpoint(state=10, inode=100, sport=5000, src='0.0.0.0', locals_=LOCALS, rq=0, wq=128, family=AF_INET, extra=b''):
    attrs = extra + (_addrs(s.INET_DIAG_LOCALS, locals_) if locals_ is not None else b'')
    return inet_msg(family, state=state, sport=sport, src=src, dst='::' if family == AF_INET6 else '0.0.0.0', rq=rq,
                    wq=wq, inode=inode, cookie=(inode, 0), uid=1000, attrs=attrs)


def association(state=3, inode=100, sport=5000, dport=6000, src='10.0.0.1', dst='10.0.0.2', peers=PEERS, ifindex=1,
                timer=0, expires=0, retrans=0, rq=5, wq=7, extra=b''):
    attrs = extra + _addrs(s.INET_DIAG_LOCALS, LOCALS) + _addrs(s.INET_DIAG_PEERS, peers)
    return inet_msg(AF_INET, state=state, sport=sport, dport=dport, src=src, dst=dst, ifindex=ifindex, rq=rq, wq=wq,
                    inode=inode, cookie=(inode, 0), uid=1000, timer=timer, expires=expires, retrans=retrans,
                    attrs=attrs)


def decode(*chunks, families=(AF_INET, AF_INET6), **ctx):
    out = []
    s.decode_sctp(nl.dump(FakeSock(list(chunks)), b'', 'sctp'), Context(set(families), **ctx), out)
    return out


# `ss -Sa`: the first pass lists the listener and an unbound endpoint, the second the listener again with its two
# associations (ESTAB with the T3-rtx timer running, COOKIE_WAIT)
DUMP = (endpoint() + endpoint(state=7, inode=200, sport=0, locals_=(), wq=0) + endpoint()
        + association(timer=4, expires=1500, retrans=2)
        + association(state=1, dport=6001, dst='10.0.0.3', peers=('10.0.0.3',), rq=0, wq=0) + done())


def test_endpoint_and_two_associations():
    recs = decode(DUMP, timers=True)
    assert [tuple(r)[:len(BASE_KEYS) + 1] for r in recs] == [BASE_KEYS + ('sctp',)] * 5
    listener, unbound, again, est, wait = recs
    assert listener == dict(again) and listener['sctp'] == {'endpoint': None, 'locals': list(LOCALS), 'peers': None}
    assert (listener['state'], listener['recv_q'], listener['send_q'], listener['local_address'], listener['local_port'],
            listener['peer_port'], listener['timer']) == ('LISTEN', 0, 128, '0.0.0.0', 5000, 0, None)
    assert unbound['state'] == 'UNCONN' and unbound['sctp'] == {'endpoint': None, 'locals': [], 'peers': None}
    assert est == {
        'netid': 'sctp', 'state': 'ESTAB', 'recv_q': 5, 'send_q': 7, 'local_address': '10.0.0.1', 'local_port': 5000,
        'peer_address': '10.0.0.2', 'peer_port': 6000, 'interface': 'lo', 'family': 'inet', 'uid': 1000, 'inode': 100,
        'cookie': 100, 'sctp': {'endpoint': 100, 'locals': list(LOCALS), 'peers': list(PEERS)},
        'timer': 'T3_RTX', 'timer_expires_ms': 1500, 'timer_retrans': 2}
    assert (wait['state'], wait['sctp']['endpoint'], wait['sctp']['peers'], wait['timer']) == \
        ('COOKIE_WAIT', 100, ['10.0.0.3'], None)
    # ss -Sa -n (one table: no Netid column); associations are "`- STATE" rows under their endpoint
    assert render(recs, show_netid=False, extra=DetailText(timers=True))[1:] == [
        'LISTEN         0      128          0.0.0.0:5000      0.0.0.0:*',
        'UNCONN         0      0            0.0.0.0:*         0.0.0.0:*',
        'LISTEN         0      128          0.0.0.0:5000      0.0.0.0:*',
        '`- ESTAB       5      7        10.0.0.1%lo:5000     10.0.0.2:6000        timer:(T3_RTX,1.500sec,2)',
        '`- COOKIE_WAIT 0      0        10.0.0.1%lo:5000     10.0.0.3:6001']
    # with other tables (a Netid column) an association's Netid cell is empty
    assert [(netid_cell(r), state_cell(r)) for r in recs] == [
        ('sctp', 'LISTEN'), ('sctp', 'UNCONN'), ('sctp', 'LISTEN'), ('', '`- ESTAB'), ('', '`- COOKIE_WAIT')]


def test_every_sctp_state_name():
    recs = decode(endpoint(state=1) + b''.join(association(state=n, dport=6000 + n) for n in range(8)) + done())
    assert [r['state'] for r in recs] == ['ESTAB'] + list(SCTP_STATE_NAMES)
    assert SCTP_STATE_NAMES == ('CLOSED', 'COOKIE_WAIT', 'COOKIE_ECHOED', 'ESTAB', 'SHUTDOWN_PENDING', 'SHUTDOWN_SENT',
                                'SHUTDOWN_RECEIVED', 'ACK_SENT')
    assert [state_cell(r) for r in recs[1:]] == ['`- ' + name for name in SCTP_STATE_NAMES]


def test_details_text():
    """-e -m -i: sock_details, then on the next line skmem, locals, peers and the sctp_info stats (6.1.0's fields)."""
    info = sctp_info(tag=0xdeadbeef, state=3, rwnd=0x80000000, unackdata=1, instrms=10, outstrms=10, maxseg=1452,
                     peer_rwnd=106496, peer_tag=0xab, peer_capable=1, peer_sack=1, isacks=9, s_nodelay=1, s_type=1,
                     p_address=('10.0.0.2', 6000), p_cwnd=4380)
    skmem = nl.rtattr(INET_DIAG_SKMEMINFO, struct.pack('=9I', 0, 212992, 0, 212992, 0, 0, 0, 0, 0))
    extra = nl.rtattr(INET_DIAG_SHUTDOWN, b'\x00') + skmem + nl.rtattr(INET_DIAG_INFO, info)
    details = frozenset(['extended', 'memory', 'info'])
    (_ep, rec) = decode(endpoint(state=1, extra=extra) + association(extra=extra) + done(), details=details, timers=True)
    assert rec['info']['sctp_info']['tag'] == 0xdeadbeef and rec['info']['sctp_info']['isacks'] == 9
    assert rec['info']['sctp_info']['p_address'] == '10.0.0.2' and rec['info']['sctp_info']['p_port'] == 6000
    text = DetailText(details, timers=True)
    assert text(rec) == (' uid:1000 ino:100 sk:64 <->\n\t skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0)'
                         ' locals:10.0.0.1,10.0.1.1 peers:10.0.0.2,10.0.1.2 tag:deadbeef state:ESTAB rwnd:-2147483648'
                         ' unackdata:1 instrms:10 outstrms:10 maxseg:1452 prwnd:106496 ptag:ab pcapable:1 psack:1 nodelay:1')
    # -m alone: locals and peers too (sctp_show_info prints them whatever asked), no stats without INFO
    rec = dict(rec, info=None, extended=None)
    assert DetailText(frozenset(['memory']))(rec) == \
        '\n\t skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0) locals:10.0.0.1,10.0.1.1 peers:10.0.0.2,10.0.1.2'
    # -O: no new line; -r: the addresses through the host look-up (format_host)
    assert DetailText(frozenset(['memory']), oneline=True, host=lambda a: 'h-' + a)(rec) == \
        ' skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0) locals:h-10.0.0.1,h-10.0.1.1 peers:h-10.0.0.2,h-10.0.1.2'


def test_sctp_info_by_length():
    """An older kernel's shorter struct: only the fields it sent (ss pads with zeros, so prints only those)."""
    short = s.decode_sctp_info(sctp_info(size=56, tag=1, state=4, rwnd=5, peer_sack=1, s_nodelay=1))
    assert short == dict(tag=1, state=4, rwnd=5, unackdata=0, penddata=0, instrms=0, outstrms=0, fragmentation_point=0,
                         inqueue=0, outqueue=0, overall_error=0, max_burst=0, maxseg=0, peer_rwnd=0, peer_tag=0,
                         peer_capable=0, peer_sack=1)
    assert s.stats_text(short) == ' tag:1 state:SHUTDOWN_PENDING rwnd:5 psack:1'
    full = s.decode_sctp_info(sctp_info(s_type=2, p_state=-1, p_address=('fe80::1', 9)))
    assert len(full) == 53 and full['s_type'] == 2 and full['p_state'] == -1 and full['p_address'] == 'fe80::1'
    assert s.decode_sctp_info(sctp_info() + b'future fields') == s.decode_sctp_info(sctp_info())
    assert s.decode_info({}) == {} and s.decode_info({INET_DIAG_INFO: b''}) == {'sctp_info': {}}


def test_inet_info_extension_points():
    """_inet_info's SCTP hooks (decode_info / info_text) use this module."""
    from ansible_collections.netdiag.ss.plugins.module_utils import _inet_info
    info = _inet_info.decode_info('sctp', {INET_DIAG_INFO: sctp_info(tag=0x10, state=3)}, 3)
    assert info['sctp_info']['tag'] == 0x10
    assert _inet_info.info_text(info, 3, oneline=True) == ' tag:10 state:ESTAB'


def test_addresses():
    data = b''.join([sockaddr_storage('10.0.0.1', 5000), sockaddr_storage('::ffff:10.0.0.1'), sockaddr_storage('fe80::1'),
                     sockaddr_storage('', family=1)])
    assert s.sockaddr_list(data) == ['10.0.0.1', '::ffff:10.0.0.1', 'fe80::1', None]
    assert s.sockaddr_text(data) == ('10.0.0.1', 5000)
    assert s.sockaddr_list(None) is None and s.sockaddr_list(b'') == [] and s.sockaddr_list(data[:200]) == ['10.0.0.1']
    # an IPv6 endpoint with an IPv4 address among its locals, v6only 0: the wildcard prints '*'
    (rec,) = decode(endpoint(family=AF_INET6, src='::', locals_=('::1', '10.0.0.1'),
                             extra=nl.rtattr(INET_DIAG_SKV6ONLY, b'\x00')) + done())
    assert (rec['local_address'], rec['peer_address'], rec['sctp']['locals']) == ('*', '*', ['::1', '10.0.0.1'])
    # an unknown family prints nothing, an empty LOCALS " locals:" (ss reads past it; nothing printable there)
    assert s.sctp_text({'sctp': {'locals': [], 'peers': ['10.0.0.2', None]}}) == ' locals: peers:10.0.0.2,'


def test_request_and_families():
    sock = FakeSock([DUMP, endpoint(family=AF_INET6, src='::1', inode=300) + done()])
    out = []
    s.dump_sctp(sock, 'sctp', {'sctp'}, 0xfff, Context({AF_INET, AF_INET6}), out, bytecode=b'\x06\x04\x08\x00')
    # as ss sends it: protocol 132 with the program (which the kernel's SCTP dumper ignores), per family
    assert [struct.unpack_from('=BBBBI', m, 16) for m in sock.sent] == [(AF_INET, 132, 0, 0, 0xfff), (AF_INET6, 132, 0, 0, 0xfff)]
    assert sock.sent[0][72:] == nl.rtattr(INET_DIAG_REQ_BYTECODE, b'\x06\x04\x08\x00')
    assert [r['family'] for r in out] == ['inet'] * 5 + ['inet6'] and out[-1]['local_address'] == '::1'
    assert decode(DUMP, families=(AF_INET6,)) == []


def test_filter_is_user_space_only():
    """The kernel ignores the program: a Plan's kernel half must not decide (only its user-space half)."""
    seen = []

    def both(view):
        raise AssertionError('the kernel half must not run for SCTP')
    both.userspace = lambda view: seen.append(view) or view.dport == 6000
    recs = decode(DUMP, match=both)
    assert [(r['state'], r['peer_port']) for r in recs] == [('ESTAB', 6000)]
    assert (seen[3].src, seen[3].dst, seen[3].sport, seen[3].ifindex) == (socket.inet_aton('10.0.0.1'),
                                                                          socket.inet_aton('10.0.0.2'), 5000, 1)
    # its endpoint's row is gone, but the record says what it is: still an association row (ss would print it as an
    # endpoint with the TCP name of state 3, SYN-RECV: docs/differences.md)
    assert state_cell(recs[0]) == '`- ESTAB'


def test_identity_and_tags():
    recs = decode(DUMP, identity=True, tagged=True, match=lambda v: 'rule')
    assert all(r[MATCHES] == 'rule' for r in recs)
    assert recs[3][SOCKID] == SockId(AF_INET, 132, socket.inet_aton('10.0.0.1') + bytes(12),
                                     socket.inet_aton('10.0.0.2') + bytes(12), 5000, 6000, 1, 100, 100)


@pytest.mark.parametrize('value, text', [(8, ' state:8'), (0, '')])
def test_stats_state_outside_ss_table(value, text):
    """ss indexes its 8 SCTP state names with sctpi_state; the kernel never sends more, we print a number then."""
    assert s.stats_text({'state': value}) == text
