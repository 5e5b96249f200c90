# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter's view of one socket stays small."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView


def test_slots_defaults_and_repr():
    v = SockView(2, 'tcp', 1, b'\x7f\0\0\x01', b'\0' * 4, 22, 40000)
    assert (v.ifindex, v.mark, v.cgroup_id) == (0, 0, 0)
    assert repr(v).startswith('SockView(family=2, table=\'tcp\'')
    with pytest.raises(AttributeError):
        setattr(v, 'other', 1)
