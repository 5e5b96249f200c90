# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile kernel answers: every sock_diag decoder, fed mutated dumps, gives records or a project error.

Valid answers are built from the UAPI layouts (uapi.py) with every attribute
the decoders read, then mutated (fuzzing.mutated: flipped bytes, cuts,
duplicated and moved attributes, inserted junk, lengths that lie) and
delivered by a fake socket, once as they are and once placed so that they
end exactly at the end of the receive buffer (nothing readable past them).
What the decoders keep then goes where a module sends it: the filter (every
decoder is run with a matcher), the records' text form (select_fields) and
the ss lines with every detail (_render.listing).
"""

from __future__ import annotations

import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import dump_inet
from ansible_collections.netdiag.ss.plugins.module_utils._diag_netlink import dump_netlink
from ansible_collections.netdiag.ss.plugins.module_utils._diag_packet import dump_packet
from ansible_collections.netdiag.ss.plugins.module_utils._diag_sctp import dump_sctp
from ansible_collections.netdiag.ss.plugins.module_utils._diag_tipc import dump_tipc
from ansible_collections.netdiag.ss.plugins.module_utils._diag_unix import dump_unix
from ansible_collections.netdiag.ss.plugins.module_utils._diag_vsock import dump_vsock
from ansible_collections.netdiag.ss.plugins.module_utils._diag_xdp import dump_xdp
from ansible_collections.netdiag.ss.plugins.module_utils._errors import SocketToolError
from ansible_collections.netdiag.ss.plugins.module_utils._events import _messages, decode_event
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
from ansible_collections.netdiag.ss.plugins.module_utils._filter._plan import plan
from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import parse
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._schema import select_fields
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_TIPC, AF_UNIX, AF_VSOCK, AF_XDP,
)

from fuzzing import fuzz, hypothesis, mutated, st
from uapi import done, inet_msg, msg, sctp_info, sockaddr_storage, tipc_msg, unix_msg, vsock_msg, xdp_msg

ALL_FAMILIES = {AF_INET, AF_INET6, AF_UNIX, AF_PACKET, AF_NETLINK, AF_VSOCK, AF_TIPC, AF_XDP}
DETAILS = frozenset(['extended', 'memory', 'info', 'tos', 'cgroup', 'inet_sockopt', 'bpf', 'tipcinfo'])
DETAIL_RECORD_KEYS = ('extended', 'skmem', 'info', 'tos', 'cgroup', 'sockopt', 'bpf', 'tipc_info')
A = nl.rtattr


def u8(value):
    return struct.pack('=B', value)


def u16(value):
    return struct.pack('=H', value)


def u32(value):
    return struct.pack('=I', value)


def u64(value):
    return struct.pack('=Q', value)


class Lookups(HostLookups):
    """This host's answers without touching the file system or the network."""

    def ifname(self, index):
        return 'lo' if index == 1 else 'if%d' % index

    def cgroup_paths(self):
        return {1: '/', 2: '/system.slice'}

    def addresses(self, name, families):
        return []


class Sock(object):
    """A fake sock_diag socket: each recv gives the next chunk, then 0 (the end)."""

    def __init__(self, chunks):
        self.chunks = list(chunks)

    def send(self, data):
        return len(data)

    def recv_into(self, buf):
        if not self.chunks:
            return 0
        data = self.chunks.pop(0)
        buf[:len(data)] = data
        return len(data)

    def close(self):
        pass


# ---------------------------------------------------------------- valid answers, every attribute the decoders read

def _inet_attrs(protocol=6):
    tls = A(1, u16(0x0304)) + A(2, u16(52)) + A(3, u16(2)) + A(4, u16(3)) + A(5, b'') + A(7, u16(16384))
    subflow = (A(1, u32(7)) + A(2, u32(8)) + A(4, u64(9)) + A(7, u16(100)) + A(8, u32(0x1ff)) + A(9, u8(1))
               + A(10, u8(2)))
    ulp = A(19, A(1, b'tls\0') + A(2, tls) + A(3, subflow))
    md5 = struct.pack('=BBH16s80s', AF_INET, 32, 6, b'\x7f\0\0\x01' + bytes(12), b'secret') + \
        struct.pack('=BBH16s80s', AF_INET6, 128, 200, bytes(15) + b'\x01', b'k' * 80)
    info = bytes(range(256)) + bytes(24) if protocol != 262 else bytes(range(96))
    return (A(1, u32(1) * 4) + A(2, info) + A(3, u32(1) + u32(2) + u32(3000) + u32(100)) + A(4, b'cubic\0')
            + A(5, u8(0x10)) + A(6, u8(0x20)) + A(7, struct.pack('=9I', *range(9))) + A(8, u8(3)) + A(9, bytes(16))
            + A(10, u8(protocol & 0xff)) + A(11, u8(1)) + A(15, u32(0x10)) + A(16, struct.pack('=5I', 1, 2, 3, 256, 512))
            + A(17, u32(5)) + A(18, md5) + ulp + A(21, u64(2)) + A(22, u16(0x7ff)))


def _sctp_attrs(association):
    attrs = A(12, sockaddr_storage('127.0.0.1', 9) + sockaddr_storage('::1', 9) + sockaddr_storage('', family=1))
    if association:
        attrs += A(13, sockaddr_storage('10.0.0.2', 99))
    return attrs + A(2, sctp_info(state=3, tag=7, p_address=('10.0.0.2', 99))) + A(15, u32(1)) + A(21, u64(1))


def _packet_msg():
    return msg(struct.pack('=BBHIII', AF_PACKET, 3, 0x0300, 55, 1, 0) + A(0, struct.pack('=6I', 1, 2, 0, 128, 0, 31))
               + A(2, struct.pack('=7I', *range(1, 8))) + A(3, struct.pack('=7I', *range(7))) + A(4, u32((9 << 16) | 3))
               + A(5, u32(1000)) + A(6, struct.pack('=9I', *range(9)))
               + A(7, struct.pack('=HBBI', 0x28, 0, 0, 12) * 3))


def _netlink_msg(state=1):
    return msg(struct.pack('=BBBBiiIIII', AF_NETLINK, 3, 0, state, -4000, 0, 1, 77, 2, 0)
               + A(0, struct.pack('=9I', *range(9))) + A(1, u64(0x5)))


ANSWERS = {
    'tcp': [inet_msg(attrs=_inet_attrs()),
            inet_msg(family=AF_INET6, src='::', dst='::1', state=1, timer=1, ifindex=1, attrs=_inet_attrs())],
    'mptcp': [inet_msg(attrs=_inet_attrs(262)), inet_msg(family=AF_INET6, src='fe80::1', dst='::', attrs=_inet_attrs(262))],
    'raw': [inet_msg(attrs=_inet_attrs(255)), inet_msg(family=AF_INET6, src='::', dst='::', attrs=_inet_attrs(255))],
    'sctp': [inet_msg(state=10, attrs=_sctp_attrs(False)), inet_msg(state=3, timer=1, attrs=_sctp_attrs(True)),
             inet_msg(family=AF_INET6, src='::1', dst='::', attrs=_sctp_attrs(False))],
    'unix': [unix_msg(name=b'/run/x.sock', peer=5, attrs=A(1, u32(9) + u32(0x800001)) + A(3, u32(1) * 3)
                      + A(5, struct.pack('=9I', *range(9))) + A(6, u8(3))),
             unix_msg(stype=2, name=b'\0abstract\\@', attrs=A(6, b'')), unix_msg(stype=5, state=1)],
    'packet': [_packet_msg()],
    'netlink': [_netlink_msg(), _netlink_msg(0)],
    'vsock': [vsock_msg(), vsock_msg(stype=2, state=1, tail=b'\0' * 8), vsock_msg(stype=5)],
    'tipc': [tipc_msg(con=(1, 2, (3, 4)), link_cong=True), tipc_msg(publ=True, conn_cong=True), msg(b'')],
    'xdp': [xdp_msg(attrs=A(3, u32(64)) + A(4, u32(64)) + A(5, struct.pack('=QIIIIIIII', 4096, 1, 1, 2048, 0, 1, 0, 1, 2))
                    + A(6, u32(64)) + A(7, u32(64)) + A(9, struct.pack('=6Q', *range(6)))), xdp_msg(ifindex=None)],
}
DUMPERS = {
    'tcp': (dump_inet, {'tcp'}), 'mptcp': (dump_inet, {'mptcp'}), 'raw': (dump_inet, {'raw'}),
    'sctp': (dump_sctp, {'sctp'}), 'unix': (dump_unix, {'unix_stream', 'unix_dgram', 'unix_seqpacket'}),
    'packet': (dump_packet, {'packet_raw', 'packet_dgram'}), 'netlink': (dump_netlink, {'netlink'}),
    'vsock': (dump_vsock, {'vsock_stream', 'vsock_dgram'}), 'tipc': (dump_tipc, {'tipc'}), 'xdp': (dump_xdp, {'xdp'}),
}
# whole answers: several sockets and the DONE, so that mutations reorder and cut across messages
VALID = dict((group, [b''.join(msgs) + done(), b''.join(reversed(msgs)) + done(), msgs[0] + done()])
             for group, msgs in ANSWERS.items())
FILTERS = ['sport = :22 or dst 10/8', 'src unix:/run/* or src @*', 'dev lo or fwmark 0x10/0x10 or cgroup /',
           'not ( autobound and dport 1 )', 'src link:ip or src netlink:rtnl or src vsock:3']
REQUEST = build_request({'ss_args': '-a -e -m -i -o --tos --cgroup --inet-sockopt -b --tipcinfo'})
LOOKUPS = Lookups()


def _matcher(text):
    if text is None:
        return None
    expr = bind(parse(text), ('tcp', 'udp'), LOOKUPS)
    return plan(expr, kernel_filter=False, ephemeral_range=(32768, 60999)).match


MATCHERS = dict((text, _matcher(text)) for text in FILTERS + [None])


def _at_buffer_end(data):
    """The same answer placed at the very end of a 64 KiB read, behind a message for another request."""
    pad = nl._RECV_SIZE - len(data)
    if pad < 16:
        return data
    return nl.nlmsg(20, nl.NLM_F_MULTI, b'\0' * (pad - 16), seq=1) + data


def _decode(group, data, filter_text, at_end):
    dumper, tables = DUMPERS[group]
    ctx = Context(set(ALL_FAMILIES), match=MATCHERS[filter_text], needs_attrs=True, timers=True, identity=True,
                  lookups=LOOKUPS, details=DETAILS, tagged=True)
    out = []
    sock = Sock([_at_buffer_end(data) if at_end else data])
    try:
        dumper(sock, group, tables, 0xffffffff, ctx, out, inet_families=(AF_INET, AF_INET6))
    except SocketToolError as exc:
        assert str(exc).strip()
        return 'error', exc
    for rec in out:
        for key in DETAIL_RECORD_KEYS:
            rec.setdefault(key, None)      # as collect() fills them in
    select_fields(out, None)
    listing(REQUEST, out, LOOKUPS)
    return 'ok', out


@pytest.mark.parametrize('group', sorted(VALID))
def test_valid_answers_decode(group):
    """The starting points are answers the decoders read whole (so mutations start from something meaningful)."""
    for data in VALID[group]:
        for at_end in (False, True):
            kind, out = _decode(group, data, None, at_end)
            assert kind == 'ok' and out, (group, out)


@fuzz(150)
@hypothesis.given(data=st.data(), group=st.sampled_from(sorted(VALID)), filter_text=st.sampled_from(sorted(MATCHERS, key=str)),
                  at_end=st.booleans())
def test_mutated_answers(data, group, filter_text, at_end):
    _decode(group, data.draw(mutated(VALID[group])), filter_text, at_end)


@fuzz(100)
@hypothesis.given(group=st.sampled_from(sorted(VALID)), junk=st.binary(max_size=400), at_end=st.booleans())
def test_random_bytes(group, junk, at_end):
    _decode(group, junk, None, at_end)


@fuzz(150)
@hypothesis.given(data=st.data(), at_end=st.booleans(), filter_text=st.sampled_from(sorted(MATCHERS, key=str)))
def test_mutated_destroy_events(data, at_end, filter_text):
    """-E: destroy messages from the multicast groups, through the same framing check and the inet decoder."""
    from uapi import destroy_msg
    valid = [destroy_msg(), destroy_msg(family=AF_INET6, src='::1', dst='::1', protocol=17),
             destroy_msg() + destroy_msg(protocol=17, wq=0xffffffff)]
    raw = data.draw(mutated(valid))
    buf = bytearray(_at_buffer_end(raw) if at_end else raw)
    ctx = Context({AF_INET, AF_INET6}, match=MATCHERS[filter_text], needs_attrs=True, timers=True, lookups=LOOKUPS,
                  details=DETAILS)
    out = []
    try:
        for off, mlen in _messages(buf, len(buf)):
            decode_event(buf, off, mlen, frozenset(['tcp', 'udp']), ctx, out)
    except SocketToolError as exc:
        assert str(exc).strip()
        return
    listing(REQUEST, out, LOOKUPS)


# ---------------------------------------------------------------- findings (regression tests)

@pytest.mark.parametrize('group', sorted(VALID))
@pytest.mark.parametrize('mtype', [20, 1])
def test_a_message_shorter_than_its_struct_is_not_a_socket(group, mtype):
    """A 20-byte answer (any type but DONE/ERROR, e.g. NLMSG_NOOP) at the end of a full read: the netlink, unix,
    packet, inet and sctp decoders read their struct past it (struct.error: unpack_from requires a buffer of at
    least 65560 bytes); elsewhere in the read they made a socket of the next message's bytes."""
    short = msg(struct.pack('=BBBB', AF_INET, 10, 0, 0), mtype=mtype)      # AF_INET, LISTEN
    kind, out = _decode(group, short, None, at_end=True)
    assert (kind, out) == ('ok', [])
    kind, out = _decode(group, short + VALID[group][2], None, at_end=False)
    assert kind == 'ok' and len(out) == len(_decode(group, VALID[group][2], None, at_end=False)[1])
