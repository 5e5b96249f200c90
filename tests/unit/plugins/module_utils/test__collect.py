# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collector's driver on a fake sock_diag socket: retries, unsupported tables, order (vsock, tipc and xdp replies
are built from their UAPI layouts: this kernel has none of their diag modules)."""

from __future__ import annotations

import errno
import os

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _collect as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_TIPC, AF_VSOCK, AF_XDP

from uapi import FakeSock, done, error, inet_msg, tipc_msg, vsock_msg, xdp_msg


def test_collect_retries_interrupted_dump(monkeypatch):
    socks = [FakeSock([inet_msg(sport=1), done(flags=nl.NLM_F_MULTI | nl.NLM_F_DUMP_INTR)]),
             FakeSock([inet_msg(sport=1) + inet_msg(sport=2) + done()])]
    opened = []

    def fake_open():
        opened.append(socks.pop(0))
        return opened[-1]
    monkeypatch.setattr(nl, 'open_socket', fake_open)
    recs, unsupported = c.collect(['tcp'], {AF_INET}, 0xfff, inet_families=(AF_INET,))
    assert [r['local_port'] for r in recs] == [1, 2] and list(unsupported) == []
    assert opened[0].closed and opened[1].closed


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
    chunks = [vsock_msg(stype=2, state=7, inode=1) + vsock_msg(stype=1, state=10, inode=2) + done(), tipc_msg(inode=3) + done(),
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
    sock = FakeSock([inet_msg(sport=9, state=7) + done(), inet_msg(sport=9, family=10, src='::', dst='::') + done()])
    monkeypatch.setattr(nl, 'open_socket', lambda: sock)
    capture = ([(inet_msg(sport=1, state=1) + inet_msg(sport=2, state=1), [(0, 88), (88, 88)])],
               lambda view: view.sport == 2)
    recs, _unsupported = c.collect(['udp', 'tcp'], {AF_INET, 10}, 0xfff, capture=capture, details={'extended'})
    assert [(r['netid'], r['local_port']) for r in recs] == [('udp', 9), ('udp', 9), ('tcp', 2)]
    assert len(sock.sent) == 2 and recs[2]['extended'] is not None      # two udp dumps; tcp came from the capture
