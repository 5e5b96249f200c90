# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which part of a filter runs in the kernel and which in Python."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._filter._plan import NO_FILTER, plan
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET6

from filters import P, inet

EPH = (32768, 60999)


def test_no_filter():
    assert plan(None) is NO_FILTER and NO_FILTER.match is None and NO_FILTER.bytecode is None


@pytest.mark.parametrize('text, kernel_filter, bytecode, needs_attrs, has_mark', [
    ('sport = :22', True, True, False, False),
    ('sport = :22', False, False, False, False),
    ('fwmark 0x1', True, True, True, True),
    ('cgroup /', False, False, True, False),
    ('autobound', False, True, False, False),          # its kernel half cannot be seen from Python: always sent
    ('src unix:/x', True, False, False, False),        # not an inet condition: no program
    ('dev lo', True, True, False, False),               # DEV_COND: the kernel tests what user space tests
    ('not dev lo and not autobound', True, False, False, False),    # ss sends nothing with dev (B-29) ...
    ('not dev lo and not autobound', False, False, False, False),
    ('dev 0 and src 0/0', True, False, False, False),   # ... so the kernel's family test must not apply
    ('dev 0 and sport > 70000', True, False, False, False),
    ('dev 0 and sport > 22', True, True, False, False),
])
def test_plan(text, kernel_filter, bytecode, needs_attrs, has_mark):
    p = plan(P(text), kernel_filter, EPH)
    assert (p.bytecode is not None, p.needs_attrs, p.has_mark) == (bytecode, needs_attrs, has_mark)
    assert p.match is not None


def test_kernel_rule_runs_in_python_where_it_differs():
    """`src 0/0` is an IPv4 condition for the kernel but matches every socket in ss's user space."""
    v6 = inet('::1', 5)
    kernel = plan(P('src 0/0'), True, EPH)
    python = plan(P('src 0/0'), False, EPH)
    assert kernel.match(v6) and kernel.bytecode is not None        # the kernel drops it before the matcher runs
    assert python.bytecode is None and not python.match(v6) and python.match(inet('10.0.0.1', 5))
    unix = SockView(1, 'u_str', 1, b'/x', b'', 1, 0)
    assert python.match(unix)                                       # the kernel rule applies to inet sockets only
    assert plan(P('sport > 70000'), False, EPH).match(inet('1.2.3.4', 5000)) is False   # 16-bit truncation, as the kernel
    assert AF_INET6 == v6.family
