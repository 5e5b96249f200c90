# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's meta/argument_specs.yml documents exactly the variables of its defaults/main.yml, with their values.

Ansible takes a role's defaults from defaults/main.yml; the argument spec is what
ansible-doc shows and what validates the variables, so the two must not drift.
"""

from __future__ import annotations

import glob
import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLES = sorted(os.path.basename(os.path.dirname(path)) for path in glob.glob(os.path.join(ROOT, 'roles', '*', 'defaults')))


def _load(role, path):
    with open(os.path.join(ROOT, 'roles', role, path), encoding='utf-8') as handle:
        return yaml.safe_load(handle) or {}


@pytest.mark.parametrize('role', ROLES)
def test_argument_spec_matches_defaults(role):
    defaults = _load(role, 'defaults/main.yml')
    options = _load(role, 'meta/argument_specs.yml')['argument_specs']['main']['options']
    assert sorted(options) == sorted(defaults)
    for name, value in defaults.items():
        assert 'default' in options[name], name
        assert options[name]['default'] == value, name
