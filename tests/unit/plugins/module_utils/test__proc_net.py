# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Raw sockets read from /proc/net/raw{,6} as ss reads them (misc/ss.c dgram_show_line), on crafted files.

The lines are in the kernel's format (net/ipv4/raw.c raw_sock_seq_show,
net/ipv6/datagram.c __ip6_dgram_sock_seq_show); RAW4 and RAW6 below are
what a 6.18 kernel wrote for the sockets of tests/integration/sockets_fixture.py,
and ROWS what `ss -wan` (iproute2 6.1.0) printed for them. The live
comparison is tests/integration/test_raw_vs_ss.py.
"""

from __future__ import annotations

import errno
import socket
import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _proc_net as p
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context, SockId
from ansible_collections.netdiag.ss.plugins.module_utils._errors import TableNotSupported
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText, render
from ansible_collections.netdiag.ss.plugins.module_utils._schema import BASE_KEYS, MATCHES, SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, SS_ALL, SS_ESTABLISHED

HEADER4 = b'  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n'
HEADER6 = (b'  sl  local_address                         remote_address                        st tx_queue rx_queue tr '
           b'tm->when retrnsmt   uid  timeout inode ref pointer drops\n')


def _hex4(addr):
    """The kernel's %08X of a __be32 read as a host-order u32."""
    return b'%08X' % struct.unpack('=I', socket.inet_aton(addr))[0]


def _hex6(addr):
    return b''.join(b'%08X' % w for w in struct.unpack('=4I', socket.inet_pton(socket.AF_INET6, addr)))


def line4(sl, src, sport, dst, state, tx=0, rx=0, uid=0, inode=1, dport=0):
    return b'%4d: %s:%04X %s:%04X %02X %08X:%08X 00:00000000 00000000 %5d        0 %d 2 00000000e8199232 0\n' % (
        sl, _hex4(src), sport, _hex4(dst), dport, state, tx, rx, uid, inode)


def line6(sl, src, sport, dst, state, tx=0, rx=0, uid=0, inode=1):
    return b'%5d: %s:%04X %s:%04X %02X %08X:%08X 00:00000000 00000000 %5d        0 %d 2 0000000014fd3422 0\n' % (
        sl, _hex6(src), sport, _hex6(dst), 0, state, tx, rx, uid, inode)


RAW4 = HEADER4 + (line4(133, '127.0.0.1', 253, '127.0.0.1', 1, rx=0x340, inode=528441)
                  + line4(168, '127.0.0.1', 1, '0.0.0.0', 7, inode=528440)
                  + line4(168, '0.0.0.0', 1, '0.0.0.0', 7, uid=1000, inode=528438))
RAW6 = HEADER6 + (line6(116, '::', 58, '::', 7, inode=528439)
                  + line6(133, '::1', 253, '::1', 1, rx=0x340, inode=528442))
ROWS = [
    'ESTAB  832    0          127.0.0.1:253     127.0.0.1:*',
    'UNCONN 0      0          127.0.0.1:1         0.0.0.0:*',
    'UNCONN 0      0            0.0.0.0:1         0.0.0.0:*',
    'UNCONN 0      0                  *:58              *:*',
    'ESTAB  832    0              [::1]:253         [::1]:*',
]


def _proc(tmp_path, raw=RAW4, raw6=RAW6):
    net = tmp_path / 'net'
    net.mkdir(parents=True)
    if raw is not None:
        (net / 'raw').write_bytes(raw)
    if raw6 is not None:
        (net / 'raw6').write_bytes(raw6)
    return HostLookups(proc=str(tmp_path))


def _read(lookups, states=SS_ALL, families=(AF_INET, AF_INET6), **ctx):
    out = []
    p.dump_proc('raw', states, Context(set(families), lookups=lookups, **ctx), out)
    return out


def test_records_as_ss_prints_them(tmp_path):
    recs = _read(_proc(tmp_path))
    assert recs[0] == {'netid': 'raw', 'state': 'ESTAB', 'recv_q': 832, 'send_q': 0, 'local_address': '127.0.0.1',
                       'local_port': 253, 'peer_address': '127.0.0.1', 'peer_port': 0, 'interface': None,
                       'family': 'inet', 'uid': 0, 'inode': 528441, 'cookie': None}
    assert all(tuple(r) == BASE_KEYS for r in recs)
    assert [(r['family'], r['local_address'], r['local_port'], r['peer_address'], r['state'], r['uid'], r['inode'])
            for r in recs[1:]] == [
        ('inet', '127.0.0.1', 1, '0.0.0.0', 'UNCONN', 0, 528440), ('inet', '0.0.0.0', 1, '0.0.0.0', 'UNCONN', 1000, 528438),
        ('inet6', '*', 58, '*', 'UNCONN', 0, 528439), ('inet6', '::1', 253, '::1', 'ESTAB', 0, 528442)]
    assert render(recs, show_netid=False)[1:] == ROWS


def test_state_mask_and_families(tmp_path):
    lookups = _proc(tmp_path)
    assert [r['inode'] for r in _read(lookups, states=1 << SS_ESTABLISHED)] == [528441, 528442]    # ss -w
    assert [r['family'] for r in _read(lookups, families=(AF_INET6,))] == ['inet6', 'inet6']
    assert [r['family'] for r in _read(lookups, families=(AF_INET,))] == ['inet'] * 3


def test_missing_files(tmp_path):
    """No raw6 (a kernel without IPv6): skipped as ss does; no raw: the table is unsupported, with the path."""
    assert len(_read(_proc(tmp_path, raw6=None))) == 3
    lookups = HostLookups(proc=str(tmp_path / 'none'))
    with pytest.raises(TableNotSupported) as exc:
        _read(lookups)
    assert exc.value.errno == errno.ENOENT and 'net/raw cannot be read' in str(exc.value)
    assert _read(lookups, families=(AF_INET6,)) == []       # ss reads no IPv4 file then, and skips a missing raw6


def test_filter_sees_what_ss_run_ssfilter_sees(tmp_path):
    """Addresses and ports only; interface, mark and cgroup 0. A Plan's kernel half is not run here (no program)."""
    seen = []

    def kernel_half(view):
        raise AssertionError('the kernel half must not run on sockets read from /proc')
    kernel_half.userspace = lambda view: seen.append(view) or view.sport == 1
    recs = _read(_proc(tmp_path), match=kernel_half)
    assert [r['inode'] for r in recs] == [528440, 528438]
    first = seen[0]
    assert (first.family, first.table, first.src, first.dst, first.sport, first.dport, first.ifindex, first.mark,
            first.cgroup_id) == (AF_INET, 'raw', socket.inet_aton('127.0.0.1'), socket.inet_aton('127.0.0.1'), 253, 0, 0,
                                 0, 0)
    assert seen[3].src == bytes(16) and seen[4].src == socket.inet_pton(socket.AF_INET6, '::1')


def test_identity_tags_and_timers(tmp_path):
    recs = _read(_proc(tmp_path), identity=True, tagged=True, timers=True, match=lambda v: 'hit')
    rec = recs[0]
    assert rec[MATCHES] == 'hit' and rec['timer'] is None and rec['timer_expires_ms'] is None
    assert rec[SOCKID] == SockId(AF_INET, 255, socket.inet_aton('127.0.0.1') + bytes(12),
                                 socket.inet_aton('127.0.0.1') + bytes(12), 253, 0, 0, None, 528441)


def test_details_print_nothing_for_proc_records(tmp_path):
    """ss's dgram_show_line prints no -e/-m/-i/-o text: its sscanf never fills the 9 fields its `opt` needs."""
    rec = dict(_read(_proc(tmp_path))[0], extended=None, skmem=None, info=None, tos=None, cgroup=None, sockopt=None,
               timer=None)
    text = DetailText(frozenset(['extended', 'memory', 'info', 'tos', 'cgroup', 'inet_sockopt']), timers=True)
    assert text(rec) == ''


def test_lines_ss_cannot_read(tmp_path):
    # a line ss cannot split ends that file only; the IPv6 file is still read
    recs = _read(_proc(tmp_path, raw=HEADER4 + line4(1, '0.0.0.0', 1, '0.0.0.0', 7) + b'garbage\n'
                       + line4(2, '0.0.0.0', 2, '0.0.0.0', 7)))
    assert [r['local_port'] for r in recs] == [1, 58, 253]
    # a line fgets(256) cannot hold whole ends the table (ss returns -1): the IPv6 file is not read
    long_line = line4(3, '0.0.0.0', 3, '0.0.0.0', 7).rstrip(b'\n') + b' ' * 200 + b'\n'
    recs = _read(_proc(tmp_path / 'b', raw=HEADER4 + line4(1, '0.0.0.0', 1, '0.0.0.0', 7) + long_line))
    assert [r['local_port'] for r in recs] == [1]
    # so does a last line without its newline
    recs = _read(_proc(tmp_path / 'c', raw=HEADER4 + line4(1, '0.0.0.0', 1, '0.0.0.0', 7).rstrip(b'\n')))
    assert recs == []
    # 254 bytes and the newline still fit
    fits = line4(4, '0.0.0.0', 4, '0.0.0.0', 7).rstrip(b'\n')
    fits += b' ' * (254 - len(fits)) + b'\n'
    assert [r['local_port'] for r in _read(_proc(tmp_path / 'd', raw=HEADER4 + fits, raw6=None))] == [4]
    assert _read(_proc(tmp_path / 'e', raw=b'', raw6=HEADER6)) == []


@pytest.mark.parametrize('data, fields', [
    (b'01 00000010:00000340 00:00000000 00000000  1000        0 77 2 ffff 0', dict(state=1, wq=16, rq=832, uid=1000, ino=77)),
    (b'07 00000010', dict(state=7, wq=16, rq=0, uid=0, ino=0)),                      # sscanf stops: the rest stays 0
    (b'07 00000010 00000340', dict(state=7, wq=16, rq=0, uid=0, ino=0)),             # ':' missing
    (b'0a 0x10:ff 00:0 0 -1 0 4294967295', dict(state=10, wq=16, rq=255, uid=0xffffffff, ino=0xffffffff)),
])
def test_data_fields_as_sscanf_reads_them(data, fields):
    assert p.parse_dgram_data(data) == fields


def test_addresses_and_split():
    assert p.split_inet_line(b'  1: 0100007F:00FD 00000000:0000 07 rest') == \
        (b'0100007F:00FD', b'00000000:0000', b'07 rest')
    assert p.split_inet_line(b'no colon') is None and p.split_inet_line(b'1: 0100007F 00000000') is None
    mapped = socket.inet_pton(socket.AF_INET6, '::ffff:127.0.0.1')
    assert p.parse_inet_addr(_hex6('::ffff:127.0.0.1') + b':003A', AF_INET6) == (mapped, 58)
    assert p.parse_inet_addr(_hex4('10.1.2.3') + b':1', AF_INET) == (socket.inet_aton('10.1.2.3'), 1)
    assert p.parse_inet_addr(_hex4('10.1.2.3').lower() + b':00fd', AF_INET) == (socket.inet_aton('10.1.2.3'), 253)
    # a conversion that fails leaves that word and the later ones 0, and no port
    assert p.parse_inet_addr(b'zz:0001', AF_INET) == (bytes(4), 0)
    assert p.parse_inet_addr(_hex6('::1')[:16] + b'zz', AF_INET6)[0] == bytes(16)


def test_state_is_tested_on_the_second_hex_digit_first(tmp_path):
    """ss tests the state mask on data[1] before it parses anything; the State column is the whole %x."""
    text = HEADER4 + line4(1, '0.0.0.0', 1, '0.0.0.0', 7).replace(b' 07 ', b' 0A ')
    assert [r['state'] for r in _read(_proc(tmp_path, raw=text, raw6=None), states=1 << 10)] == ['LISTEN']
    text = HEADER4 + line4(1, '0.0.0.0', 1, '0.0.0.0', 7).replace(b' 07 ', b' 17 ')
    assert [r['state'] for r in _read(_proc(tmp_path / 'b', raw=text, raw6=None), states=1 << 7)] == ['UNKNOWN']
    assert _read(_proc(tmp_path / 'c', raw=text, raw6=None), states=SS_ALL & ~(1 << 7)) == []
