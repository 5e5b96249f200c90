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
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, SS_ALL, SS_ESTABLISHED,
)

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
    # the peer port is None: the kernel writes 0 there (raw sock_diag gives the port given to connect())
    assert recs[0] == {'netid': 'raw', 'state': 'ESTAB', 'recv_q': 832, 'send_q': 0, 'local_address': '127.0.0.1',
                       'local_port': 253, 'peer_address': '127.0.0.1', 'peer_port': None, 'interface': None,
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


# ---------------------------------------------------------------- tcp (tcp_show_line)
# Lines as net/ipv4/tcp_ipv4.c get_tcp4_sock, get_timewait4_sock and get_openreq4 write them (a 6.18 kernel wrote
# the first five for tests/integration/sockets_fixture.py), padded to 149 characters as the kernel pads them.
TCP_HEADER = (b'  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
              + b' ' * 53 + b'\n')


def tcp4(sl, src, sport, dst, dport, state, tx=0, rx=0, tr=0, when=0, retr=0, uid=0, probes=0, inode=1, tail=None):
    text = b'%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d' % (
        sl, _hex4(src), sport, _hex4(dst), dport, state, tx, rx, tr, when, retr, uid, probes, inode)
    text += b' 1 00000000f14fdf6b 100 0 0 10 0' if tail is None else tail
    return text.ljust(149) + b'\n'


def tcp6(sl, src, sport, dst, dport, state, tx=0, rx=0, inode=1):
    return b'%4d: %s:%04X %s:%04X %02X %08X:%08X 00:00000000 00000000     0        0 %d 1 00000000edb8038b 100 0 0 10 0\n' % (
        sl, _hex6(src), sport, _hex6(dst), dport, state, tx, rx, inode)


TCP4 = TCP_HEADER + (
    tcp4(0, '0.0.0.0', 5001, '0.0.0.0', 0, 0x0A, inode=1879896)
    + tcp4(4, '127.0.0.1', 5201, '127.0.0.1', 38918, 0x01, inode=1879952, tail=b' 2 000000001e376f07 20 0 0 10 -1')
    + tcp4(11, '127.0.0.1', 56410, '127.0.0.1', 5001, 0x04, tx=0x39B601, tr=4, when=0xA1A, inode=1879913, uid=1000,
           probes=3)
    + tcp4(12, '127.0.0.1', 5001, '127.0.0.1', 56380, 0x01, tx=0x39B600, tr=1, when=0x2F, retr=2, probes=5, inode=1879904)
    # TIME-WAIT (get_timewait4_sock): the line ends after the pointer; uid and inode 0
    + (b'  13: 0100007F:DC64 0100007F:1389 06 00000000:00000000 03:00000E8C 00000000     0        0 0 3 '
       b'000000005b57d53f').ljust(149) + b'\n'
    # SYN-RECV (get_openreq4): the listener's uid, no inode
    + (b'  14: 0100007F:1389 0100007F:DC70 03 00000000:00000000 01:00000064 00000002  1000        0 0 1 '
       b'00000000aa57d53f').ljust(149) + b'\n')
TCP6 = TCP_HEADER + (tcp6(0, '::', 5004, '::', 0, 0x0A, rx=2, inode=1879899)
                     + tcp6(3, '::1', 56796, '::1', 5004, 0x01, inode=1879909)
                     + tcp6(4, '::ffff:127.0.0.1', 5003, '::ffff:127.0.0.1', 43110, 0x01, rx=5, inode=1879908))
TCP_ROWS = [
    'LISTEN     0      0                  0.0.0.0:5001             0.0.0.0:*',
    'ESTAB      0      0                127.0.0.1:5201           127.0.0.1:38918',
    'FIN-WAIT-1 0      3782145          127.0.0.1:56410          127.0.0.1:5001         timer:(persist,25sec,3)',
    'ESTAB      0      3782144          127.0.0.1:5001           127.0.0.1:56380        timer:(on,470ms,2)',
    'TIME-WAIT  0      0                127.0.0.1:56420          127.0.0.1:5001         timer:(timewait,37sec,0)',
    'SYN-RECV   0      0                127.0.0.1:5001           127.0.0.1:56432        timer:(on,1sec,2)',
    'LISTEN     2      0                        *:5004                   *:*',
    'ESTAB      0      0                    [::1]:56796              [::1]:5004',
    'ESTAB      5      0       [::ffff:127.0.0.1]:5003  [::ffff:127.0.0.1]:43110',
]


def _files(tmp_path, **files):
    """A /proc with net/<name> holding each given file's bytes."""
    net = tmp_path / 'net'
    net.mkdir(parents=True)
    for name, data in files.items():
        (net / name).write_bytes(data)
    return HostLookups(proc=str(tmp_path))


def _group(lookups, group, states=SS_ALL, families=(AF_INET, AF_INET6), tables=None, **ctx):
    out = []
    p.dump_proc(group, states, Context(set(families), lookups=lookups, **ctx), out, tables)
    return out


def test_tcp_records_and_rows(tmp_path):
    """A listener's Send-Q (its backlog) is not in the file: None, printed 0 as ss's /proc mode prints it."""
    recs = _group(_files(tmp_path, tcp=TCP4, tcp6=TCP6), 'tcp', timers=True)
    assert recs[0] == {'netid': 'tcp', 'state': 'LISTEN', 'recv_q': 0, 'send_q': None, 'local_address': '0.0.0.0',
                       'local_port': 5001, 'peer_address': '0.0.0.0', 'peer_port': 0, 'interface': None,
                       'family': 'inet', 'uid': 0, 'inode': 1879896, 'cookie': None, 'timer': None,
                       'timer_expires_ms': None, 'timer_retrans': None}
    assert [(r['state'], r['send_q'], r['uid'], r['inode']) for r in recs[2:6]] == [
        ('FIN-WAIT-1', 3782145, 1000, 1879913), ('ESTAB', 3782144, 0, 1879904), ('TIME-WAIT', 0, 0, 0),
        ('SYN-RECV', 0, 1000, 0)]
    # the timers as ss computes them: clock ticks (USER_HZ 100 here) rounded up to ms; retransmissions for the
    # retransmit timer ("on"), probes for the others
    assert [(r['timer'], r['timer_expires_ms'], r['timer_retrans']) for r in recs[2:6]] == [
        ('persist', 25860, 3), ('on', 470, 2), ('timewait', 37240, 0), ('on', 1000, 2)]
    assert recs[6]['local_address'] == '*' and recs[6]['recv_q'] == 2 and recs[6]['send_q'] is None
    assert all(tuple(r)[:13] == BASE_KEYS for r in recs)
    rows = render(recs, show_netid=False, extra=DetailText(frozenset(), timers=True))[1:]
    assert rows == TCP_ROWS


def test_tcp_timers_use_the_hosts_clock_ticks(tmp_path):
    class Hz(HostLookups):
        def clock_ticks(self):
            return 250
    lookups = Hz(proc=str(tmp_path))
    (tmp_path / 'net').mkdir()
    (tmp_path / 'net' / 'tcp').write_bytes(TCP_HEADER + tcp4(1, '127.0.0.1', 1, '127.0.0.1', 2, 1, tr=2, when=3, probes=1))
    (rec,) = _group(lookups, 'tcp', timers=True)
    assert (rec['timer'], rec['timer_expires_ms'], rec['timer_retrans']) == ('keepalive', 12, 1)
    (rec,) = _group(lookups, 'tcp')
    assert 'timer' not in rec          # timers only with -o, as for netlink's records


def test_tcp_timer_codes_above_4_are_unknown():
    rec = p.tcp_line(tcp4(1, '127.0.0.1', 1, '127.0.0.1', 2, 1, tr=9, when=1)[:-1], AF_INET, 'tcp', SS_ALL,
                     Context({AF_INET}, timers=True), None)
    assert rec['timer'] == 'unknown'


def test_tcp_identity_filter_and_states(tmp_path):
    lookups = _files(tmp_path, tcp=TCP4, tcp6=TCP6)
    recs = _group(lookups, 'tcp', identity=True, tagged=True, match=lambda v: v.sport == 5001 and 'x')
    assert [r['state'] for r in recs] == ['LISTEN', 'ESTAB', 'SYN-RECV']
    assert recs[1][SOCKID] == SockId(AF_INET, 6, socket.inet_aton('127.0.0.1') + bytes(12),
                                     socket.inet_aton('127.0.0.1') + bytes(12), 5001, 56380, 0, None, 1879904)
    assert recs[1][MATCHES] == 'x'
    assert [r['local_port'] for r in _group(lookups, 'tcp', states=1 << 10)] == [5001, 5004]
    assert [r['family'] for r in _group(lookups, 'tcp', families=(AF_INET6,))] == ['inet6'] * 3


@pytest.mark.parametrize('data, fields', [
    (b'0A 00000000:00000002 00:00000000 00000000     0        0 1879899 3 00000000edb8038b 100 0 0 10 0',
     dict(state=10, wq=0, rq=2, timer=0, when=0, retrans=0, uid=0, probes=0, ino=1879899)),
    (b'06 00000000:00000000 03:00000E8C 00000000     0        0 0 3 000000005b57d53f',
     dict(state=6, wq=0, rq=0, timer=3, when=0xe8c, retrans=0, uid=0, probes=0, ino=0)),
    (b'01 00000010', dict(state=1, wq=16, rq=0, timer=0, when=0, retrans=0, uid=0, probes=0, ino=0)),
    (b'01 1:2 3 4', dict(state=1, wq=1, rq=2, timer=3, when=0, retrans=0, uid=0, probes=0, ino=0)),   # ':' missing
    (b'', dict(state=0, wq=0, rq=0, timer=0, when=0, retrans=0, uid=0, probes=0, ino=0)),
])
def test_tcp_data_fields_as_sscanf_reads_them(data, fields):
    assert p.parse_tcp_data(data) == fields


def test_tcp_lines_ss_cannot_read(tmp_path):
    """As for raw: a line ss cannot split ends the file, one fgets(256) cannot hold ends the table."""
    text = TCP_HEADER + tcp4(1, '0.0.0.0', 1, '0.0.0.0', 0, 10) + b'garbage\n' + tcp4(2, '0.0.0.0', 2, '0.0.0.0', 0, 10)
    recs = _group(_files(tmp_path, tcp=text, tcp6=TCP6), 'tcp')
    assert [r['local_port'] for r in recs] == [1, 5004, 56796, 5003]
    text = TCP_HEADER + tcp4(1, '0.0.0.0', 1, '0.0.0.0', 0, 10) + b'x' * 300 + b'\n'
    assert [r['local_port'] for r in _group(_files(tmp_path / 'b', tcp=text, tcp6=TCP6), 'tcp')] == [1]
    # short or odd lines read as far as sscanf gets: values not reached are 0, never an exception
    text = TCP_HEADER + b'   1: 0100007F:0001 0100007F:0002 01\n   2: 0100007F:0003 zz:0004 0A 1:2\n   3: : :\n'
    recs = _group(_files(tmp_path / 'c', tcp=text), 'tcp', families=(AF_INET,), timers=True)
    assert [(r['state'], r['local_port'], r['peer_address'], r['peer_port'], r['recv_q'], r['inode']) for r in recs] == [
        ('ESTAB', 1, '127.0.0.1', 2, 0, 0), ('LISTEN', 3, '0.0.0.0', 0, 2, 0)]


# ---------------------------------------------------------------- udp (dgram_show_line)

UDP4 = HEADER4 + (line4(1, '127.0.0.1', 5101, '0.0.0.0', 7, rx=0x680, inode=1879919)
                  + line4(2, '127.0.0.1', 41461, '127.0.0.1', 1, inode=1879922, dport=5101))
UDP6 = HEADER6 + line6(11768, '::', 5102, '::', 7, inode=1879920)


def test_udp_records_keep_the_peer_port(tmp_path):
    recs = _group(_files(tmp_path, udp=UDP4, udp6=UDP6), 'udp')
    assert [(r['netid'], r['state'], r['recv_q'], r['local_address'], r['local_port'], r['peer_address'],
             r['peer_port'], r['inode'], r['cookie'], r['interface']) for r in recs] == [
        ('udp', 'UNCONN', 1664, '127.0.0.1', 5101, '0.0.0.0', 0, 1879919, None, None),
        ('udp', 'ESTAB', 0, '127.0.0.1', 41461, '127.0.0.1', 5101, 1879922, None, None),
        ('udp', 'UNCONN', 0, '*', 5102, '*', 0, 1879920, None, None)]
    assert [r['inode'] for r in _group(_files(tmp_path / 'b', udp=UDP4, udp6=UDP6), 'udp', states=1 << 1)] == [1879922]


# ---------------------------------------------------------------- unix (unix_show)
# net/unix/af_unix.c unix_seq_show: "%pK: %08X %08X %08X %04X %02X %5lu" then, for a bound socket, one blank and
# the name ('@' for each NUL of an abstract name). What a 6.18 kernel wrote for the fixture's sockets, shortened.
UNIX = (b'Num       RefCount Protocol Flags    Type St Inode Path\n'
        b'00000000e5b9e311: 00000003 00000000 00000000 0001 03 1879926\n'
        b'000000005bb00729: 00000003 00000000 00000000 0001 03 1879925 /tmp/s/stream.sock\n'
        b'00000000f2e705cf: 00000003 00000000 00000000 0005 03 1879933\n'
        b'00000000c27faa1d: 00000002 00000000 00010000 0001 01 1879923 /tmp/s/stream.sock\n'
        b'00000000abbfa5dd: 00000002 00000000 00000000 0002 01 1879934 /tmp/s/dgram.sock\n'
        b'000000006012bfd1: 00000002 00000000 00000000 0002 01 1879938 /tmp/s/\xff.sock\n'
        b'00000000f915112d: 00000003 00000000 00000000 0001 02     0 /tmp/s/stream.sock\n'
        b'00000000485b08b1: 00000003 00000000 00000000 0002 03 1879931\n'
        b'00000000eb124193: 00000002 00000000 00000000 0002 01 1879937 @bd150\n'
        b'000000002c968744: 00000002 00000000 00010000 0001 01 1879927 @netdiag-abstract@with-nul\n'
        b'000000002c968745: 00000002 00000000 00000000 0002 01 1879940 /tmp/s/with blanks.sock\n'
        b'000000002c968746: 00000002 00000000 00010000 0005 01 1879936 /tmp/s/seq.sock')     # no newline at the end
UNIX_ROWS = [
    'u_str LISTEN 0      0              /tmp/s/stream.sock 1879923            * 0',
    'u_str ESTAB  0      0              /tmp/s/stream.sock 1879925            * 0',
    'u_str ESTAB  0      0                               * 1879926            * 0',
    'u_str LISTEN 0      0      @netdiag-abstract@with-nul 1879927            * 0',
    'u_dgr ESTAB  0      0                               * 1879931            * 0',
    'u_dgr UNCONN 0      0               /tmp/s/dgram.sock 1879934            * 0',
    'u_dgr UNCONN 0      0                          @bd150 1879937            * 0',
    'u_dgr UNCONN 0      0                /tmp/s/\\xff.sock 1879938            * 0',
    'u_dgr UNCONN 0      0         /tmp/s/with blanks.sock 1879940            * 0',
    'u_seq ESTAB  0      0                               * 1879933            * 0',
    'u_seq LISTEN 0      0                 /tmp/s/seq.sock 1879936            * 0',
]
UNIX_TABLES = ('unix_stream', 'unix_dgram', 'unix_seqpacket')


def test_unix_records_and_rows(tmp_path):
    """Sorted by type, then inode, as ss's unix_show lists them; queues, peer and uid are not in the file (None)."""
    recs = _group(_files(tmp_path, unix=UNIX), 'unix', families=(AF_UNIX,))
    assert recs[1] == {'netid': 'u_str', 'state': 'ESTAB', 'recv_q': None, 'send_q': None,
                       'local_address': '/tmp/s/stream.sock', 'local_port': 1879925, 'peer_address': '*',
                       'peer_port': None, 'interface': None, 'family': 'unix', 'uid': None, 'inode': 1879925,
                       'cookie': None}
    # the connection not yet accepted (inode 0, state SS_CONNECTING) is not listed, as netlink does not list it
    assert 0 not in [r['inode'] for r in recs]
    assert render(recs)[1:] == UNIX_ROWS
    # the state is the kernel's: a datagram socket is ESTAB only when connected (St 03)
    assert [(r['netid'], r['state']) for r in recs if r['netid'] == 'u_dgr'] == [
        ('u_dgr', 'ESTAB')] + [('u_dgr', 'UNCONN')] * 4


def test_unix_names(tmp_path):
    """Each '@' of an abstract name is taken for a NUL (the file shows both alike); blanks and other bytes are kept."""
    recs = _group(_files(tmp_path, unix=UNIX), 'unix', families=(AF_UNIX,))
    by_inode = dict((r['inode'], r) for r in recs)
    assert by_inode[1879927]['local_address'] == '@netdiag-abstract@with-nul'
    assert by_inode[1879938]['local_address'] == '/tmp/s/\\xff.sock'
    assert by_inode[1879940]['local_address'] == '/tmp/s/with blanks.sock'
    assert by_inode[1879926]['local_address'] == '*'
    seen = []
    _group(_files(tmp_path / 'b', unix=UNIX), 'unix', families=(AF_UNIX,), match=lambda v: seen.append(v) or True)
    views = dict((v.sport, v) for v in seen)
    # the filter sees the name ss displays ('@' for each NUL), as for netlink's records, and no peer
    assert views[1879927].src == b'@netdiag-abstract@with-nul' and views[1879927].dst == b''
    assert views[1879926].src == b'' and views[1879938].src == b'/tmp/s/\xff.sock' and views[1879923].state == 10


def test_unix_tables_states_filter_identity(tmp_path):
    lookups = _files(tmp_path, unix=UNIX)
    assert {r['netid'] for r in _group(lookups, 'unix', families=(AF_UNIX,), tables=('unix_dgram',))} == {'u_dgr'}
    listeners = _group(lookups, 'unix', states=1 << 10, families=(AF_UNIX,))
    assert [r['inode'] for r in listeners] == [1879923, 1879927, 1879936]
    recs = _group(lookups, 'unix', families=(AF_UNIX,), match=lambda v: v.src.startswith(b'@'), identity=True,
                  tagged=True)
    assert [r['inode'] for r in recs] == [1879927, 1879937]
    assert recs[0][SOCKID] == SockId(AF_UNIX, 1, b'', b'', 0, 0, 0, None, 1879927) and recs[0][MATCHES] is True
    assert _group(lookups, 'unix', families=(AF_INET,)) == []        # the family is not selected: not read


def test_unix_order_in_batches_as_ss(tmp_path, monkeypatch):
    """ss sorts at most MAX_UNIX_REMEMBER sockets; with one more it prints them and starts again."""
    monkeypatch.setattr(p, 'MAX_UNIX_REMEMBER', 2)
    lines = b''.join(b'00000000e5b9e3%02x: 00000003 00000000 00000000 %04X 01 %d\n' % (i, t, ino)
                     for i, (t, ino) in enumerate([(2, 50), (1, 40), (1, 30), (2, 20), (1, 10)]))
    recs = _group(_files(tmp_path, unix=UNIX[:UNIX.index(b'\n') + 1] + lines), 'unix', families=(AF_UNIX,))
    assert [r['inode'] for r in recs] == [30, 40, 50, 10, 20]


@pytest.mark.parametrize('line', [
    b'garbage',
    b'00000000e5b9e311: 00000003 00000000 00000000 0001 03',                  # no inode
    b'00000000e5b9e311: 00000003 00000000 zz 0001 03 12',                     # not hex
    b'00000000e5b9e311 00000003 00000000 00000000 0001 03 12',                # no colon
    b'',
])
def test_unix_lines_that_are_not_the_kernels_are_skipped(tmp_path, line):
    text = UNIX[:UNIX.index(b'\n') + 1] + line + b'\n00000000e5b9e311: 00000003 00000000 00000000 0001 03 77\n'
    assert [r['inode'] for r in _group(_files(tmp_path, unix=text), 'unix', families=(AF_UNIX,))] == [77]


def test_unix_odd_states_and_types(tmp_path):
    """St 04 (a socket without its file, not ESTABLISHED) is UNCONN; another St UNKNOWN; an unknown type is u_dgr,
    as netlink's decoder names it."""
    text = (UNIX[:UNIX.index(b'\n') + 1] + b'0000000000000001: 00000003 00000000 00000000 0001 04 5\n'
            b'0000000000000002: 00000003 00000000 00000000 0001 09 6\n'
            b'0000000000000003: 00000003 00000000 00000000 0007 01 7\n')
    recs = _group(_files(tmp_path, unix=text), 'unix', families=(AF_UNIX,))
    assert [(r['netid'], r['state'], r['inode']) for r in recs] == [
        ('u_str', 'UNCONN', 5), ('u_str', 'UNKNOWN', 6), ('u_dgr', 'UNCONN', 7)]


# ---------------------------------------------------------------- packet (packet_show_line)
# net/packet/af_packet.c packet_seq_show: "%pK %-6d %-4d %04x   %-5d %1d %-6u %-6u %-6lu"
PACKET = (b'sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n'
          b'000000000149ed5d 3      3    0003   0     1 0      0      1879943\n'
          b'00000000768f5f3f 3      2    0800   2     1 1280   1000   1879944\n'
          b'00000000768f5f40 3      2    0806\n'            # cut short: skipped
          b'00000000768f5f41 3      10   0800   0     1 0      0      1879945\n')     # a type ss has no table for


def test_packet_records(tmp_path):
    class Names(HostLookups):
        def ifname(self, index):
            return {2: 'ndveth0'}.get(index, 'if%d' % index)
    (tmp_path / 'net').mkdir()
    (tmp_path / 'net' / 'packet').write_bytes(PACKET)
    lookups = Names(proc=str(tmp_path))
    recs = _group(lookups, 'packet', families=(AF_PACKET,), identity=True)
    assert [dict((k, r[k]) for k in BASE_KEYS) for r in recs] == [
        {'netid': 'p_raw', 'state': 'UNCONN', 'recv_q': 0, 'send_q': 0, 'local_address': '*', 'local_port': 0,
         'peer_address': '*', 'peer_port': None, 'interface': None, 'family': 'link', 'uid': 0, 'inode': 1879943,
         'cookie': None},
        {'netid': 'p_dgr', 'state': 'UNCONN', 'recv_q': 1280, 'send_q': 0, 'local_address': '[2048]', 'local_port': 2,
         'peer_address': '*', 'peer_port': None, 'interface': 'ndveth0', 'family': 'link', 'uid': 1000,
         'inode': 1879944, 'cookie': None}]
    assert recs[1][SOCKID] == SockId(AF_PACKET, 2, b'', b'', 0, 0, 2, None, 1879944)
    assert render(recs, show_state=False)[1:] == ['p_raw 0      0                  *:*                   *',
                                                  'p_dgr 1280   0             [2048]:ndveth0             *']
    # a device that was removed: the file prints its index as -1, sock_diag (and ss) as 4294967295
    (tmp_path / 'net' / 'packet').write_bytes(PACKET.splitlines(True)[0] + b'0000000001490000 3 3 0003 -1 0 0 0 1879950\n')
    (gone,) = _group(Names(proc=str(tmp_path)), 'packet', families=(AF_PACKET,))
    assert (gone['local_port'], gone['interface']) == (4294967295, 'if4294967295')
    (tmp_path / 'net' / 'packet').write_bytes(PACKET)
    # only the selected types (ss's /proc mode tests the type before it has read it, and lists both)
    assert [r['netid'] for r in _group(lookups, 'packet', families=(AF_PACKET,), tables=('packet_dgram',))] == ['p_dgr']
    # as ss: packet sockets are UNCONN, read only when that state is asked for
    assert _group(lookups, 'packet', states=1 << 1, families=(AF_PACKET,)) == []
    seen = []
    _group(lookups, 'packet', families=(AF_PACKET,), match=lambda v: seen.append(v) or False)
    assert [(v.src, v.sport, v.ifindex, v.dport) for v in seen] == [(3, 0, 0, 0), (0x800, 2, 2, 0)]


# ---------------------------------------------------------------- netlink (netlink_show)
# net/netlink/af_netlink.c netlink_seq_show: "%pK %-3d %-10u %08x %-8d %-8d %-5d %-8d %-8u %-8lu"
NETLINK = (b'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n'
           b'0000000023378bb3 0   0          00000000 0        0        0     2        0        4       \n'
           b'000000006d773310 2   3776199975 00000000 0        0        0     2        0        1879947 \n'
           b'00000000e37b01df 2   15193      00000001 1280     768      0     2        0        1879946 \n'
           b'00000000e37b01e0 2   zz\n'
           b'00000000e37b01e1 16  0          00000000 0        0\n')       # an old kernel's shorter line: no inode


def test_netlink_records(tmp_path):
    recs = _group(_files(tmp_path, netlink=NETLINK), 'netlink', families=(AF_NETLINK,), identity=True, tagged=True)
    assert [dict((k, r[k]) for k in BASE_KEYS) for r in recs][2] == {
        'netid': 'nl', 'state': 'UNCONN', 'recv_q': 1280, 'send_q': 768, 'local_address': '2', 'local_port': 15193,
        'peer_address': None, 'peer_port': None, 'interface': None, 'family': 'netlink', 'uid': None,
        'inode': 1879946, 'cookie': None}
    # port ids are read signed, as ss reads them: autobound ids are negative
    assert [(r['local_address'], r['local_port'], r['inode']) for r in recs] == [
        ('0', 0, 4), ('2', -518767321, 1879947), ('2', 15193, 1879946), ('16', 0, None)]
    # the peer is unknown: ss's /proc mode prints '*'
    assert render(recs, show_netid=False, show_state=False)[1:] == [
        '0      0                  0:0                      *', '0      0                  2:-518767321             *',
        '1280   768                2:15193                  *', '0      0                 16:0                      *']
    seen = []
    _group(_files(tmp_path / 'b', netlink=NETLINK), 'netlink', families=(AF_NETLINK,),
           match=lambda v: seen.append(v) or v.sport < 0)
    assert [(v.src, v.sport, v.dport) for v in seen[:2]] == [(0, 0, -1), (2, -518767321, -1)]
    assert _group(_files(tmp_path / 'c', netlink=NETLINK), 'netlink', states=1 << 1, families=(AF_NETLINK,)) == []


# ---------------------------------------------------------------- files

@pytest.mark.parametrize('group, families', [('tcp', (AF_INET, AF_INET6)), ('udp', (AF_INET,)), ('unix', (AF_UNIX,)),
                                             ('packet', (AF_PACKET,)), ('netlink', (AF_NETLINK,))])
def test_a_file_that_cannot_be_read(tmp_path, group, families):
    """A missing (or unreadable) file makes the table unsupported, with its path and the reason."""
    with pytest.raises(TableNotSupported) as exc:
        _group(HostLookups(proc=str(tmp_path)), group, families=families)
    assert exc.value.errno == errno.ENOENT
    assert str(exc.value) == 'table %s: %s cannot be read (No such file or directory); it was skipped' % (
        group, tmp_path / 'net' / p.PROC_FILES[group][0][1])


@pytest.mark.parametrize('group, data', [('tcp', b''), ('unix', b''), ('packet', b''), ('netlink', b''),
                                         ('unix', b'header only'), ('tcp', b'\x00\xff\n\n\n'), ('unix', b'\n\n\xff\n'),
                                         ('packet', b'h\n\xff \xfe\n'), ('netlink', b'h\n1 2 3 4 5\n'),
                                         ('netlink', b'h\n1 2 x 4 5 6\n')])
def test_empty_and_binary_files_give_no_records(tmp_path, group, data):
    name = p.PROC_FILES[group][0][1]
    families = (p.PROC_FILES[group][0][0],)
    assert _group(_files(tmp_path, **{name: data}), group, families=families) == []
