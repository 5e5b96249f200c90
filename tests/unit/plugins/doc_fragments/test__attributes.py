# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The attribute fragments say what the modules that use them promise."""

from __future__ import annotations

import yaml

from ansible_collections.netdiag.ss.plugins.doc_fragments._attributes import ModuleDocFragment


def test_attribute_fragments():
    base = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['attributes']
    assert sorted(base) == ['check_mode', 'diff_mode']
    info = yaml.safe_load(ModuleDocFragment.INFO_MODULE)['attributes']
    assert info['check_mode']['support'] == 'full' and info['diff_mode']['support'] == 'N/A'
    assert yaml.safe_load(ModuleDocFragment.FACTS)['attributes']['facts']['support'] == 'full'
