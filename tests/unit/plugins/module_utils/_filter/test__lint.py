# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Warnings for valid filters that probably do not mean what was meant."""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.module_utils._filter._lint import mixed_and_or_warning

from filters import P


def test_mixed_warning():
    assert mixed_and_or_warning(['src 1.2.3.4 or src 1.2.3.5 and dst 1.2.3.6'])
    assert mixed_and_or_warning(['src 1.2.3.4 or src 1.2.3.5 dst 1.2.3.6'])
    assert mixed_and_or_warning(['( src 1.2.3.4 or src 1.2.3.5 ) and dst 1.2.3.6']) is None
    assert mixed_and_or_warning(['sport = 1 or sport = 2 or sport = 3']) is None
    assert mixed_and_or_warning(P('src 1.2.3.4 or src 1.2.3.5 and dst 1.2.3.6'))
    assert mixed_and_or_warning(P('( src 1.2.3.4 or src 1.2.3.5 ) and dst 1.2.3.6')) is None
