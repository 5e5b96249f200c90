# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared options are documented exactly as _argspec declares them."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.netdiag.ss.plugins.doc_fragments._selection import ModuleDocFragment
from ansible_collections.netdiag.ss.plugins.module_utils._argspec import details_argspec, selection_argspec


@pytest.mark.parametrize('block, spec', [('DOCUMENTATION', selection_argspec()), ('DETAILS', details_argspec())])
def test_fragment_matches_argspec(block, spec):
    options = yaml.safe_load(getattr(ModuleDocFragment, block))['options']
    assert sorted(options) == sorted(spec.argument_spec)
    for name, declared in spec.argument_spec.items():
        doc = options[name]
        assert doc['type'] == declared['type'], name
        assert doc.get('elements') == declared.get('elements'), name
        assert doc.get('default') == declared.get('default'), name
