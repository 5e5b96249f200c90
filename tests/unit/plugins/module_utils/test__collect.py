# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collector's driver on a fake sock_diag socket: retries, unsupported tables, order."""

from __future__ import annotations

import errno

from ansible_collections.netdiag.ss.plugins.module_utils import _collect as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET

from uapi import FakeSock, done, inet_msg


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


def test_collect_names_unsupported_tables(monkeypatch):
    monkeypatch.setattr(nl, 'open_socket', lambda: FakeSock([done(-errno.ENOENT)] * 4))
    recs, unsupported = c.collect(['sctp', 'raw', 'vsock_stream'], {AF_INET}, 0xfff, inet_families=(AF_INET,))
    assert recs == [] and list(unsupported) == ['raw', 'sctp', 'vsock']
    assert 'not supported by this kernel' in unsupported['sctp'] and 'not implemented yet' in unsupported['raw']


def test_collect_reads_the_tcp_table_from_a_capture(monkeypatch):
    """With capture=(chunks, match) the TCP table is decoded from the chunks with that matcher; others are dumped."""
    sock = FakeSock([inet_msg(sport=9, state=7) + done(), inet_msg(sport=9, family=10, src='::', dst='::') + done()])
    monkeypatch.setattr(nl, 'open_socket', lambda: sock)
    capture = ([(inet_msg(sport=1, state=1) + inet_msg(sport=2, state=1), [(0, 88), (88, 88)])],
               lambda view: view.sport == 2)
    recs, _unsupported = c.collect(['udp', 'tcp'], {AF_INET, 10}, 0xfff, capture=capture, details={'extended'})
    assert [(r['netid'], r['local_port']) for r in recs] == [('udp', 9), ('udp', 9), ('tcp', 2)]
    assert len(sock.sent) == 2 and recs[2]['extended'] is not None      # two udp dumps; tcp came from the capture
