# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ss -s numbers from crafted /proc files (the live comparison with ss is in tests/integration/test_summary.py)."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import SocketToolError
from ansible_collections.netdiag.ss.plugins.module_utils._summary import read_summary, summary_lines

SOCKSTAT = """sockets: used 57
TCP: inuse 20 orphan 1 tw 3 alloc 25 mem 4
UDP: inuse 2 mem 1
UDPLITE: inuse 0
RAW: inuse 1
FRAG: inuse 0 memory 0
"""
SOCKSTAT6 = """TCP6: inuse 6
UDP6: inuse 2
UDPLITE6: inuse 0
RAW6: inuse 0
FRAG6: inuse 0 memory 0
"""
SNMP = """Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs
Tcp: 1 200 120000 -1 77 2 0 0 11 6775
"""


def _proc(tmp_path, sockstat6=True, slab=None):
    (tmp_path / 'net').mkdir()
    (tmp_path / 'net' / 'sockstat').write_text(SOCKSTAT)
    if sockstat6:
        (tmp_path / 'net' / 'sockstat6').write_text(SOCKSTAT6)
    (tmp_path / 'net' / 'snmp').write_text(SNMP)
    if slab is not None:
        (tmp_path / 'slabinfo').write_text(slab)
    return str(tmp_path)


def test_numbers_and_text(tmp_path):
    s = read_summary(_proc(tmp_path))
    # closed = alloc - (inuse4 + inuse6 - tw) = 25 - (20 + 6 - 3) = 2
    assert s['tcp'] == {'total': 28, 'estab': 11, 'closed': 2, 'orphaned': 1, 'timewait': 3}
    assert s['transport']['inet'] == {'total': 31, 'ipv4': 23, 'ipv6': 8}
    assert summary_lines(s) == [
        'Total: 57', 'TCP:   28 (estab 11, closed 2, orphaned 1, timewait 3)', '', 'Transport Total     IP        IPv6',
        'RAW\t  1         1         0', 'UDP\t  4         2         2', 'TCP\t  26        20        6',
        'INET\t  31        23        8', 'FRAG\t  0         0         0', '']


def test_without_ipv6_and_with_old_request_slab(tmp_path):
    s = read_summary(_proc(tmp_path, sockstat6=False, slab='tcp_open_request   4  10  96 40 1\n'))
    assert s['tcp']['total'] == 25 + 4 + 3 and s['transport']['tcp'] == {'total': 20, 'ipv4': 20, 'ipv6': 0}


def test_missing_sockstat_is_an_error(tmp_path):
    with pytest.raises(SocketToolError, match='sockstat'):
        read_summary(str(tmp_path))
