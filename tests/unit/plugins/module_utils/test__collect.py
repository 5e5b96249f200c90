# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collector's driver on a fake sock_diag socket: retries, unsupported tables, order (vsock, tipc and xdp replies
are built from their UAPI layouts: this kernel has none of their diag modules)."""

from __future__ import annotations

import errno
import gc
import os

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _collect as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._errors import NetlinkError
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._request import SOURCES
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_NETLINK, AF_TIPC, AF_UNIX, AF_VSOCK, AF_XDP

from uapi import FakeSock, done, error, inet_msg, tipc_msg, unix_msg, vsock_msg, xdp_msg


def test_collect_retries_interrupted_dump(monkeypatch):
    socks = [FakeSock([inet_msg(sport=1), done(flags=nl.NLM_F_MULTI | nl.NLM_F_DUMP_INTR)]),
             FakeSock([inet_msg(sport=1) + inet_msg(sport=2, cookie=(4, 0)) + done()])]
    opened = []

    def fake_open():
        opened.append(socks.pop(0))
        return opened[-1]
    monkeypatch.setattr(nl, 'open_socket', fake_open)
    recs, unsupported = c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,))
    assert [r['local_port'] for r in recs] == [1, 2] and list(unsupported) == []
    assert opened[0].closed and opened[1].closed


INTR = nl.NLM_F_MULTI | nl.NLM_F_DUMP_INTR


def _tcp(port, intr=False):
    """One TCP socket (its cookie is its port), flagged NLM_F_DUMP_INTR or not."""
    return inet_msg(sport=port, cookie=(port, 0), flags=INTR if intr else nl.NLM_F_MULTI)


def test_a_table_that_never_stops_changing_is_listed_as_last_read_with_a_warning(monkeypatch):
    """Interrupted every time: 4 reads are thrown away; the 5th goes on to its end, as ss does, and is listed."""
    opened = _sockets(monkeypatch, [[_tcp(1, intr=True), done(flags=INTR)]] * 4
                      + [[_tcp(1) + _tcp(2, intr=True), _tcp(3) + done(flags=INTR)]])
    report = c.DumpReport()
    recs, _unsupported = c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), report=report)
    assert [r['local_port'] for r in recs] == [1, 2, 3]
    assert len(opened) == 5 and all(s.closed for s in opened) and all(len(s.sent) == 1 for s in opened)
    assert report.interrupted == {'tcp': 5} and report.inconsistent == ['tcp'] and not report.truncated


def test_a_dump_that_keeps_losing_replies_fails(monkeypatch):
    """ENOBUFS on every read: the dump cannot be completed, and a partial table is not passed off as one."""
    class Overrun(FakeSock):
        def recv_into(self, buf):
            raise OSError(errno.ENOBUFS, 'No buffer space available')
    opened = []

    def fake_open():
        opened.append(Overrun([]))
        return opened[-1]
    monkeypatch.setattr(nl, 'open_socket', fake_open)
    report = c.DumpReport()
    with pytest.raises(c.DumpInterrupted) as info:
        c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), report=report)
    assert info.value.overrun and report.interrupted == {'tcp': 5} and len(opened) == 6 and all(s.closed for s in opened)


def test_a_socket_repeated_by_a_resumed_dump_is_listed_once(monkeypatch):
    """The kernel resumes a dump at (bucket, index): a socket added before that point makes it send one again."""
    _sockets(monkeypatch, [[_tcp(1) + _tcp(2), _tcp(2) + _tcp(3) + done()],
                           [unix_msg(inode=7, cookie=(7, 0)) + unix_msg(inode=8, cookie=(8, 0)),
                            unix_msg(inode=7, cookie=(7, 0)) + done()]])
    report = c.DumpReport()
    recs, _unsupported = c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), report=report)
    assert [r['local_port'] for r in recs] == [1, 2, 3] and report.duplicates == {'tcp': 1}
    report = c.DumpReport()
    recs, _unsupported = c.collect(['unix_stream'], {AF_UNIX}, 0xfff, report=report)
    assert sorted(r['inode'] for r in recs) == [7, 8] and report.duplicates == {'unix': 1}


def test_unique_keeps_sctp_associations_and_records_without_cookies():
    first = {'cookie': 5, 'n': 1}
    assert c.unique([first, {'cookie': 5, 'n': 2}], 'sctp')[1] == 0      # an endpoint and its associations
    assert c.unique([{'cookie': None}, {'cookie': None}], 'tcp')[1] == 0    # /proc/net has no cookies
    assert c.unique([first, {'cookie': 6}, {'cookie': 5, 'n': 2}], 'tcp') == ([first, {'cookie': 6}], 1)


def test_a_limit_stops_the_dump_at_the_first_socket_beyond_it(monkeypatch):
    """max_sockets: the dump is abandoned once limit + 1 sockets are kept; its socket is closed, later reads never made."""
    opened = _sockets(monkeypatch, [[_tcp(1) + _tcp(2), _tcp(3) + _tcp(4), _tcp(5) + done()]])
    report = c.DumpReport()
    recs, _unsupported = c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), limit=2, report=report)
    assert [r['local_port'] for r in recs] == [1, 2] and report.truncated
    assert opened[0].closed and len(opened[0].chunks) == 1     # the last read was never made


def test_a_limit_that_is_not_reached_truncates_nothing(monkeypatch):
    _sockets(monkeypatch, [[_tcp(1) + _tcp(2) + done()]])
    report = c.DumpReport()
    recs, _unsupported = c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), limit=2, report=report)
    assert [r['local_port'] for r in recs] == [1, 2] and not report.truncated


def test_a_limit_spans_tables_and_counts_distinct_sockets(monkeypatch):
    """The limit is on the whole listing, in ss's order; a repeated socket does not count; the next table is read only
    as far as its first socket (to know whether there are more)."""
    sock = FakeSock([inet_msg(sport=53, cookie=(53, 0)) + done(), _tcp(1) + _tcp(1) + _tcp(2), _tcp(3) + done()])
    monkeypatch.setattr(nl, 'open_socket', lambda: sock)
    report = c.DumpReport()
    recs, _unsupported = c.collect(['udp', 'tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), limit=2, report=report)
    assert [(r['netid'], r['local_port']) for r in recs] == [('udp', 53), ('tcp', 1)] and report.truncated
    assert report.duplicates == {'tcp': 1} and sock.closed and len(sock.chunks) == 1
    sock = FakeSock([inet_msg(sport=53, cookie=(53, 0)) + done(), _tcp(1) + _tcp(1) + done()])
    monkeypatch.setattr(nl, 'open_socket', lambda: sock)
    report = c.DumpReport()
    recs, _unsupported = c.collect(['udp', 'tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), limit=2, report=report)
    assert len(recs) == 2 and not report.truncated       # exactly 2 distinct sockets: nothing was left out


def test_a_limit_keeps_sctp_associations(monkeypatch):
    """SCTP associations carry their endpoint's cookie (net/sctp/diag.c): under a limit they are rows of their own, as
    without one, not repeats of a socket (messages built from the UAPI layouts: this kernel has no sctp_diag)."""
    from test__diag_sctp import DUMP
    for limit, kept in ((None, 5), (10, 5), (4, 4)):
        monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([DUMP]))
        report = c.DumpReport()
        recs, _unsupported = c.collect(['sctp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), limit=limit, report=report)
        assert [r['state'] for r in recs] == ['LISTEN', 'UNCONN', 'LISTEN', 'ESTAB', 'COOKIE_WAIT'][:kept]
        assert report.duplicates == {} and report.truncated == (limit == 4)


def test_a_limit_applies_to_tables_read_from_proc(monkeypatch, tmp_path):
    net = tmp_path / 'net'
    net.mkdir()
    header = (b'  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n')
    rows = b''.join(b'   %d: 0100007F:%04X 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 %d 1 '
                    b'0000000000000000 100 0 0 10 0\n' % (i, 1000 + i, 500 + i) for i in range(5))
    (net / 'tcp').write_bytes(header + rows)
    (net / 'tcp6').write_bytes(header)
    report = c.DumpReport()
    recs, _unsupported = c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), source='proc', limit=3,
                                   report=report, lookups=HostLookups(proc=str(tmp_path)))
    assert [r['local_port'] for r in recs] == [1000, 1001, 1002] and report.truncated


def test_limit_must_be_positive():
    with pytest.raises(ValueError):
        c.collect(['tcp'], {AF_INET}, 0xfff, limit=0)


def test_collect_names_unsupported_tables(monkeypatch, tmp_path):
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([done(-errno.ENOENT)] * 4))
    # raw: no raw sock_diag, and no /proc/net/raw to fall back to
    recs, unsupported = c.collect(['sctp', 'raw', 'vsock_stream'], {AF_INET, AF_VSOCK}, 0xfff, inet_families=(AF_INET,),
                                  lookups=HostLookups(proc=str(tmp_path)))
    assert recs == [] and list(unsupported) == ['raw', 'sctp', 'vsock']
    assert 'not supported by this kernel' in unsupported['sctp'] and 'net/raw cannot be read' in unsupported['raw']
    # as ss: a vsock table whose family is not selected is not dumped at all
    recs, unsupported = c.collect(['sctp', 'vsock_stream'], {AF_INET}, 0xfff, inet_families=(AF_INET,))
    assert list(unsupported) == ['sctp']


VTX = ['xdp', 'tipc', 'vsock_dgram', 'vsock_stream']       # any order in: ss's order out (vsock, tipc, xdp)
VTX_FAMILIES = {AF_VSOCK, AF_TIPC, AF_XDP}


def _sockets(monkeypatch, replies):
    """Fake sock_diag sockets, one per open (the collector opens a fresh one after an error), with their replies."""
    opened = []

    def fake_open():
        opened.append(FakeSock(replies[len(opened)]))
        return opened[-1]
    monkeypatch.setattr(nl, 'open_socket', fake_open)
    return opened


def test_vsock_tipc_xdp_are_dumped_in_ss_order(monkeypatch):
    """One socket carries the three dumps, in ss's order; every record gets the detail keys, null where they do not apply."""
    chunks = [vsock_msg(stype=2, state=7, inode=1) + vsock_msg(stype=1, state=10, inode=2, cookie=(6, 0)) + done(),
              tipc_msg(inode=3) + done(),
              xdp_msg(ifindex=0, inode=4) + done()]
    sock = FakeSock(chunks)
    monkeypatch.setattr(nl, 'open_socket', lambda: sock)
    recs, unsupported = c.collect(VTX, VTX_FAMILIES, 0xfff, details=frozenset(['extended', 'memory', 'tipcinfo']))
    assert [sent[16] for sent in sock.sent] == [AF_VSOCK, AF_TIPC, AF_XDP] and list(unsupported) == []
    assert [(r['netid'], r['inode']) for r in recs] == [('v_dgr', 1), ('v_str', 2), ('ti_st', 3), ('xdp', 4)]
    assert [(r['extended'] is None, r['skmem'] is None, r['tipc_info'] is None) for r in recs] == [
        (True, True, True), (True, True, True), (False, True, False), (False, False, True)]


@pytest.mark.parametrize('errs', [(errno.ENOENT,) * 3, (errno.EOPNOTSUPP,) * 3, (errno.ENOENT, errno.EOPNOTSUPP, errno.ENOENT)])
def test_vsock_tipc_xdp_unsupported(monkeypatch, errs):
    """A kernel without vsock_diag, tipc or xsk_diag answers ENOENT (no handler) or EOPNOTSUPP: each table is named."""
    opened = _sockets(monkeypatch, [[error(e)] for e in errs] + [[]])
    recs, unsupported = c.collect(VTX, VTX_FAMILIES, 0xfff)
    assert recs == [] and list(unsupported) == ['vsock', 'tipc', 'xdp']
    assert all('table %s is not supported by this kernel (%s)' % (t, os.strerror(e)) in unsupported[t]
               for t, e in zip(['vsock', 'tipc', 'xdp'], errs))
    assert [s.sent[0][16] for s in opened[:3]] == [AF_VSOCK, AF_TIPC, AF_XDP] and all(s.closed for s in opened)


def test_one_unsupported_table_among_the_three(monkeypatch):
    _sockets(monkeypatch, [[vsock_msg(inode=1) + done(), done(-errno.ENOENT)], [xdp_msg(inode=4) + done()], []])
    recs, unsupported = c.collect(VTX, VTX_FAMILIES, 0xfff)
    assert [r['inode'] for r in recs] == [1, 4] and list(unsupported) == ['tipc']


def test_vsock_tipc_xdp_follow_ss_selection(monkeypatch):
    """ss dumps vsock only for its family, xdp only for its family with UNCONN wanted, tipc whenever it is selected."""
    sock = FakeSock([tipc_msg(inode=3) + done()])
    monkeypatch.setattr(nl, 'open_socket', lambda: sock)
    recs, unsupported = c.collect(VTX, {AF_INET}, 1 << 1)
    assert [sent[16] for sent in sock.sent] == [AF_TIPC] and [r['inode'] for r in recs] == [3]


def test_collect_reads_the_tcp_table_from_a_capture(monkeypatch):
    """With capture=(chunks, match) the TCP table is decoded from the chunks with that matcher; others are dumped."""
    sock = FakeSock([inet_msg(sport=9, state=7) + done(),
                     inet_msg(sport=9, family=10, src='::', dst='::', cookie=(4, 0)) + done()])
    monkeypatch.setattr(nl, 'open_socket', lambda: sock)
    capture = ([(inet_msg(sport=1, state=1) + inet_msg(sport=2, state=1), [(0, 88), (88, 88)])],
               lambda view: view.sport == 2)
    recs, _unsupported = c.collect(['udp', 'tcp'], {AF_INET, 10}, 0xfff, capture=capture, details={'extended'})
    assert [(r['netid'], r['local_port']) for r in recs] == [('udp', 9), ('udp', 9), ('tcp', 2)]
    assert len(sock.sent) == 2 and recs[2]['extended'] is not None      # two udp dumps; tcp came from the capture


# ---------------------------------------------------------------- where sockets come from: source=auto|netlink|proc
# A /proc with one file per group (crafted lines in the kernel's formats), and sock_diag sockets that fail the
# way gVisor, WSL 1, seccomp or an LSM make them fail.

PROC_TCP = (b'  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'
            b'   0: 0100007F:1389 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 '
            b'00000000f14fdf6b 100 0 0 10 0\n')
PROC_UNIX = (b'Num       RefCount Protocol Flags    Type St Inode Path\n'
             b'00000000c27faa1d: 00000002 00000000 00010000 0001 01 4343 /run/x.sock\n')
PROC_RAW = (b'  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer '
            b'drops\n 168: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 528438 2 '
            b'0000000000000000 0\n')


def _proc_root(tmp_path, **files):
    (tmp_path / 'net').mkdir(exist_ok=True)
    for name, data in dict(dict(tcp=PROC_TCP, unix=PROC_UNIX, raw=PROC_RAW), **files).items():
        (tmp_path / 'net' / name).write_bytes(data)
    return HostLookups(proc=str(tmp_path))


def _refuse_socket(monkeypatch, err):
    def refuse(*_args):
        raise OSError(err, os.strerror(err))
    monkeypatch.setattr(nl, 'open_socket', refuse)


@pytest.mark.parametrize('err', [errno.EPROTONOSUPPORT, errno.EAFNOSUPPORT, errno.EACCES, errno.EPERM, errno.ENOSYS])
def test_auto_reads_proc_when_the_socket_is_refused(monkeypatch, tmp_path, err):
    """gVisor and WSL 1 have no NETLINK_SOCK_DIAG (EPROTONOSUPPORT, EAFNOSUPPORT); seccomp or an LSM deny it."""
    _refuse_socket(monkeypatch, err)
    sources = c.Sources()
    recs, unsupported = c.collect(['unix_stream', 'tcp', 'mptcp'], {AF_INET, AF_UNIX}, 0xfff, lookups=_proc_root(tmp_path),
                                  sources=sources)
    assert [(r['netid'], r['inode'], r['cookie']) for r in recs] == [('u_str', 4343, None), ('tcp', 4242, None)]
    assert sources.refused == 'socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: %s (%s)' % (
        os.strerror(err), errno.errorcode[err])
    assert list(sources.proc) == ['unix', 'tcp'] and sources.proc['tcp'] == sources.refused
    # mptcp has no /proc/net file
    assert list(unsupported) == ['mptcp'] and 'sock_diag cannot be used here and /proc/net has no file' in unsupported['mptcp']


@pytest.mark.parametrize('err', [errno.EMFILE, errno.ENOBUFS, errno.ENOMEM])
def test_auto_does_not_hide_other_socket_errors(monkeypatch, tmp_path, err):
    _refuse_socket(monkeypatch, err)
    with pytest.raises(OSError) as exc:
        c.collect(['tcp'], {AF_INET}, 0xfff, lookups=_proc_root(tmp_path))
    assert exc.value.errno == err


def test_netlink_source_never_falls_back(monkeypatch, tmp_path):
    _refuse_socket(monkeypatch, errno.EPROTONOSUPPORT)
    with pytest.raises(OSError):
        c.collect(['tcp'], {AF_INET}, 0xfff, lookups=_proc_root(tmp_path), source='netlink')
    # a table the kernel has no handler for is unsupported, with a hint
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([done(-errno.ENOENT), done(-errno.ENOENT)]))
    sources = c.Sources()
    recs, unsupported = c.collect(['raw'], {AF_INET}, 0xfff, inet_families=(AF_INET,), lookups=_proc_root(tmp_path),
                                  source='netlink', sources=sources)
    assert recs == [] and list(unsupported) == ['raw'] and list(sources.proc) == []
    assert unsupported['raw'].endswith('it was skipped (source: auto reads it from /proc/net)')


class _DeniedSock(FakeSock):
    """A sock_diag socket an LSM denies sending on (SELinux without nlmsg_read answers send() with EACCES)."""

    def __init__(self, err):
        super(_DeniedSock, self).__init__([])
        self.err = err

    def send(self, data):
        raise OSError(self.err, os.strerror(self.err))


@pytest.mark.parametrize('err', [errno.EACCES, errno.EPERM, errno.ECONNREFUSED, errno.EPROTONOSUPPORT])
def test_auto_reads_proc_when_the_first_dump_cannot_be_sent(monkeypatch, tmp_path, err):
    socks = []
    monkeypatch.setattr(nl, 'open_socket', lambda: socks.append(_DeniedSock(err)) or socks[-1])
    sources = c.Sources()
    recs, unsupported = c.collect(['unix_stream', 'raw', 'tcp'], {AF_INET, AF_UNIX}, 0xfff, lookups=_proc_root(tmp_path),
                                  sources=sources)
    assert [r['inode'] for r in recs] == [4343, 528438, 4242] and list(unsupported) == []
    assert sources.refused == 'the first dump (table unix) was refused: %s (%s)' % (
        os.strerror(err), errno.errorcode[err])
    assert list(sources.proc) == ['unix', 'raw', 'tcp'] and len(socks) == 1 and socks[0].closed


@pytest.mark.parametrize('err', [errno.EACCES, errno.EPERM])
def test_auto_reads_proc_when_the_kernel_refuses_the_first_dump(monkeypatch, tmp_path, err):
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([error(err)]))
    sources = c.Sources()
    recs, _unsupported = c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), lookups=_proc_root(tmp_path),
                                   sources=sources)
    assert [r['inode'] for r in recs] == [4242]
    assert sources.refused == 'the first dump (table tcp) was refused: %s (%s)' % (os.strerror(err), errno.errorcode[err])


def test_auto_keeps_the_fwmark_error(monkeypatch, tmp_path):
    """EPERM to a dump that carried a program is the kernel refusing a fwmark condition (CAP_NET_ADMIN): not a
    refusal of sock_diag (/proc would make `fwmark = 0` match every socket, B-23); _select reports it."""
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([error(errno.EPERM)]))
    sources = c.Sources()
    with pytest.raises(NetlinkError) as exc:
        c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), bytecode=b'\x0a\x0c\x10\x00' + bytes(8),
                  lookups=_proc_root(tmp_path), sources=sources)
    assert exc.value.errno == errno.EPERM and sources.refused is None and not sources.proc


def test_auto_decides_on_the_first_dump_only(monkeypatch, tmp_path):
    """Once the kernel answered a dump, sock_diag works here: a later error is an error."""
    socks = [FakeSock([unix_msg(inode=1) + done(), error(errno.EACCES)])]
    monkeypatch.setattr(nl, 'open_socket', lambda: socks.pop(0))
    with pytest.raises(NetlinkError) as exc:
        c.collect(['unix_stream', 'tcp'], {AF_INET, AF_UNIX}, 0xfff, inet_families=(AF_INET,),
                  lookups=_proc_root(tmp_path))
    assert exc.value.errno == errno.EACCES


def test_auto_a_dumper_that_sent_nothing_decides_nothing(monkeypatch, tmp_path):
    """netlink is dumped only with UNCONN among the states: the first dump sent is tcp's, and its refusal counts."""
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([error(errno.EACCES)]))
    sources = c.Sources()
    recs, _unsupported = c.collect(['netlink', 'tcp'], {AF_INET, AF_NETLINK}, 1 << 10, inet_families=(AF_INET,),
                                   lookups=_proc_root(tmp_path), sources=sources)
    assert [r['inode'] for r in recs] == [4242] and list(sources.proc) == ['tcp']


def test_auto_reads_one_table_from_proc_where_the_kernel_has_no_handler(monkeypatch, tmp_path):
    """Raw without raw sock_diag (ENOENT), as on the test machine: that table alone, as ss does."""
    socks = [FakeSock([done(-errno.ENOENT)]), FakeSock([inet_msg(sport=22, inode=7) + done()])]
    monkeypatch.setattr(nl, 'open_socket', lambda: socks.pop(0))
    sources = c.Sources()
    recs, unsupported = c.collect(['raw', 'tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,),
                                  lookups=_proc_root(tmp_path), sources=sources)
    assert [(r['netid'], r['inode'], r['cookie'] is None) for r in recs] == [('raw', 528438, True), ('tcp', 7, False)]
    assert dict(sources.proc) == {'raw': 'the kernel has no sock_diag handler for it (No such file or directory)'}
    assert sources.refused is None and list(unsupported) == []


def test_auto_no_handler_and_no_file(monkeypatch, tmp_path):
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([done(-errno.ENOENT)] * 2))
    sources = c.Sources()
    recs, unsupported = c.collect(['raw'], {AF_INET}, 0xfff, inet_families=(AF_INET,), lookups=HostLookups(proc=str(tmp_path)),
                                  sources=sources)
    assert recs == [] and list(unsupported) == ['raw'] and 'net/raw cannot be read' in unsupported['raw']
    assert list(sources.proc) == []


def test_proc_source_opens_no_socket(monkeypatch, tmp_path):
    def no_socket():
        raise AssertionError('source=proc must not open a sock_diag socket')
    monkeypatch.setattr(nl, 'open_socket', no_socket)
    sources = c.Sources()
    recs, unsupported = c.collect(['unix_stream', 'raw', 'tcp', 'sctp', 'vsock_stream'], {AF_INET, AF_UNIX, AF_VSOCK},
                                  0xfff, lookups=_proc_root(tmp_path), source='proc', sources=sources, timers=True,
                                  details=frozenset(['extended']))
    assert [r['inode'] for r in recs] == [4343, 528438, 4242]
    assert all(r['extended'] is None for r in recs) and recs[2]['timer'] is None
    assert list(sources.proc) == ['unix', 'raw', 'tcp'] and sources.refused is None
    assert dict(unsupported) == {'sctp': 'table sctp has no file in /proc/net (source: proc); it was skipped',
                                 'vsock': 'table vsock has no file in /proc/net (source: proc); it was skipped'}


def test_proc_source_with_a_capture(monkeypatch, tmp_path):
    """from_dump: the TCP table from the capture, the others from /proc/net."""
    monkeypatch.setattr(nl, 'open_socket', lambda: None)
    capture = ([(inet_msg(sport=1, state=1), [(0, 88)])], None)
    recs, _unsupported = c.collect(['unix_stream', 'tcp'], {AF_INET, AF_UNIX}, 0xfff, lookups=_proc_root(tmp_path),
                                   source='proc', capture=capture)
    assert [(r['netid'], r['local_port']) for r in recs] == [('u_str', 4343), ('tcp', 1)]


def test_unknown_source():
    with pytest.raises(ValueError):
        c.collect(['tcp'], {AF_INET}, 0xfff, source='sysfs')
    assert c.SOURCES == SOURCES


def test_count_after_decodes_the_first_sockets_and_counts_the_rest(monkeypatch):
    """socket_assert's count: the reads after count_after records are counted by cookie, never decoded; a socket the
    dump repeats is counted once, also when its first copy was decoded; other families are not counted."""
    v6 = inet_msg(family=10, sport=99, cookie=(99, 0), src='::', dst='::')
    sock = FakeSock([_tcp(1) + _tcp(2), _tcp(3) + _tcp(2) + _tcp(4) + v6, _tcp(4) + _tcp(5) + done()])
    monkeypatch.setattr(nl, 'open_socket', lambda: sock)
    decoded = []
    from ansible_collections.netdiag.ss.plugins.module_utils import _diag_inet
    decode = _diag_inet.decode_inet

    def spy(chunks, table, ctx, out):
        def seen():
            for chunk in chunks:
                decoded.append(len(chunk[1]))
                yield chunk
        return decode(seen(), table, ctx, out)
    monkeypatch.setattr(_diag_inet, 'decode_inet', spy)
    report = c.DumpReport()
    recs, _unsupported = c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), count_after=2, report=report)
    assert [r['local_port'] for r in recs] == [1, 2] and report.counted == 3     # 3, 4 and 5; 2 and 4 once
    assert decoded == [2] and not report.truncated          # only the first read reached the decoder
    with pytest.raises(ValueError):
        c.collect(['tcp'], {AF_INET}, 0xfff, limit=1, count_after=1)


def test_count_after_decodes_everything_when_user_space_decides(monkeypatch):
    """A selection with a user-space condition (match) cannot be counted from the kernel's messages: all decoded."""
    sock = FakeSock([_tcp(1) + _tcp(2), _tcp(3) + _tcp(4) + done()])
    monkeypatch.setattr(nl, 'open_socket', lambda: sock)
    report = c.DumpReport()
    recs, _unsupported = c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), count_after=1, report=report,
                                   match=lambda view: view.sport != 3)
    assert [r['local_port'] for r in recs] == [1, 2, 4] and report.counted == 0


@pytest.mark.parametrize('enabled', [True, False])
@pytest.mark.parametrize('fails', [False, True])
def test_the_cycle_collector_is_off_while_records_are_built_and_as_it_was_after(monkeypatch, enabled, fails):
    seen = []

    class Watch(FakeSock):
        def recv_into(self, buf):
            seen.append(gc.isenabled())
            if fails:
                raise OSError(errno.EIO, 'broken')
            return super(Watch, self).recv_into(buf)
    monkeypatch.setattr(nl, 'open_socket', lambda: Watch([inet_msg(sport=1) + done()]))
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        if fails:
            with pytest.raises(OSError):
                c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,), source='netlink')
        else:
            c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,))
        assert seen and not any(seen) and gc.isenabled() == enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_proc_groups_are_the_groups_proc_net_reads():
    from ansible_collections.netdiag.ss.plugins.module_utils._proc_net import PROC_FILES
    assert c.PROC_GROUPS == frozenset(PROC_FILES)


def test_the_decoders_of_tables_not_read_are_not_imported():
    """A module runs from a zip whose every import Python compiles: socket_assert and a TCP listing import neither
    the other tables' decoders, nor /proc/net's reader, nor tcp_info's, nor (before a rule has offenders or asks
    for processes) the renderer or the process lookup."""
    import subprocess
    import sys
    code = ('import sys\n'
            'from ansible_collections.netdiag.ss.plugins.module_utils import _assert, _select\n'
            'print(sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("ansible_collections.netdiag")))\n')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))     # this test's import path
    loaded = subprocess.run([sys.executable, '-c', code], check=True, capture_output=True, text=True, env=env).stdout
    for name in ('_diag_netlink', '_diag_packet', '_diag_unix', '_diag_sctp', '_diag_vsock', '_diag_tipc', '_diag_xdp',
                 '_proc_net', '_inet_info', '_render', '_procs'):
        assert "'%s'" % name not in loaded
    assert "'_diag_inet'" in loaded and "'_collect'" in loaded
