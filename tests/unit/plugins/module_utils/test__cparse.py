# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Numbers and addresses read as the C library and iproute2 read them (the filter tests cover the operands)."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._cparse import (
    c_strtox, full_strtol, full_strtoul, mask_bits, numeric_host, prefix_1, scanf_i, to_s32,
)
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_UNSPEC


@pytest.mark.parametrize('text, signed, expected', [
    ('0x1f', False, (31, 4)), ('017', False, (15, 3)), ('08', False, (0, 1)), ('  -1', False, ((1 << 64) - 1, 4)),
    ('99999999999999999999999', False, ((1 << 64) - 1, 23)), ('-99999999999999999999', True, (-(1 << 63), 21)),
    ('0x', False, (0, 1)), ('x', False, (0, 0)), ('+7z', True, (7, 2)),
])
def test_c_strtox(text, signed, expected):
    assert c_strtox(text, signed) == expected


def test_whole_numbers():
    assert full_strtol('2147483647') == 2147483647 and full_strtol('2147483648') is None and full_strtol('1x') is None
    assert full_strtoul('0xffff', 0xffff) == 0xffff and full_strtoul('65536', 0xffff) is None and full_strtoul('', 9) is None
    assert scanf_i('12abc') == (12, 'abc') and scanf_i('-1') == (0xffffffff, '') and scanf_i('z') is None
    assert to_s32(0xffffffff) == -1 and to_s32(5) == 5


@pytest.mark.parametrize('text, family, expected', [
    ('10/8', AF_UNSPEC, (AF_INET, 8, bytes([10, 0, 0, 0]))),
    ('10.0.0.0/255.255.0.0', AF_UNSPEC, (AF_INET, 16, bytes([10, 0, 0, 0]))),
    ('10.0.0.0/255.0.255.0', AF_UNSPEC, None),
    ('::1/64', AF_UNSPEC, (AF_INET6, 64, bytes(15) + b'\x01')),
    ('::1', AF_INET, None), ('1.2.3.4', AF_INET6, None),
    ('all', AF_INET6, (AF_INET6, 0, bytes(16))), ('any/8', AF_UNSPEC, None), ('1.2.3.4/33', AF_UNSPEC, None),
])
def test_prefix_1(text, family, expected):
    assert prefix_1(text, family) == expected


def test_mask_bits_and_numeric_hosts():
    assert mask_bits(bytes([255, 255, 255, 0])) == 24 and mask_bits(bytes([255, 0, 255, 0])) is None
    assert numeric_host('4294967295', AF_UNSPEC) == (AF_INET, 32, b'\xff' * 4)
    assert numeric_host('1.2.3.4.', AF_UNSPEC) is False and numeric_host('0x0a000001', AF_UNSPEC) is False
    assert numeric_host('a:b', AF_UNSPEC) is False and numeric_host('db.example', AF_UNSPEC) is None
