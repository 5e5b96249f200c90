# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collector's driver on a fake sock_diag socket: retries, unsupported tables, order."""

from __future__ import annotations

import errno

from ansible_collections.netdiag.ss.plugins.module_utils import _collect as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_VSOCK

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
    recs, unsupported = c.collect(['sctp', 'raw', 'vsock_stream'], {AF_INET, AF_VSOCK}, 0xfff, inet_families=(AF_INET,))
    assert recs == [] and list(unsupported) == ['raw', 'sctp', 'vsock']
    assert 'not supported by this kernel' in unsupported['sctp'] and 'not implemented yet' in unsupported['raw']
    # as ss: a vsock table whose family is not selected is not dumped at all
    recs, unsupported = c.collect(['sctp', 'vsock_stream'], {AF_INET}, 0xfff, inet_families=(AF_INET,))
    assert list(unsupported) == ['sctp']
