# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ArgumentSpec carries options and constraints together."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _argspec
from ansible_collections.netdiag.ss.plugins.module_utils._argspec import ArgumentSpec, details_argspec, selection_argspec


def test_merge_and_update_keep_constraints():
    spec = ArgumentSpec(dict(a=dict(type='str')), mutually_exclusive=[('a', 'b')], required_by={'a': ['c']})
    other = ArgumentSpec(dict(b=dict(type='str'), c=dict(type='str')), required_one_of=[('a', 'b')], required_by={'a': ['b']})
    spec.merge(other).update(required_if=[('a', 'x', ['c'])]).update_argspec(d=dict(type='int'))
    assert sorted(spec.argument_spec) == ['a', 'b', 'c', 'd']
    assert spec.mutually_exclusive == [('a', 'b')] and spec.required_one_of == [('a', 'b')]
    assert spec.required_by == {'a': ['c', 'b']} and spec.required_if == [('a', 'x', ['c'])]


def test_create_ansible_module_passes_everything(monkeypatch):
    seen = {}
    monkeypatch.setattr(_argspec, 'AnsibleModule', lambda **kw: seen.update(kw) or 'module')
    spec = selection_argspec().merge(details_argspec()).update(mutually_exclusive=[('filter', 'filter_file')])
    assert spec.create_ansible_module(supports_check_mode=True) == 'module'
    assert seen['supports_check_mode'] and seen['mutually_exclusive'] == [('filter', 'filter_file')]
    assert 'ss_args' in seen['argument_spec'] and 'processes' in seen['argument_spec']
    with pytest.raises(ValueError, match='argument_spec'):
        spec.create_ansible_module(argument_spec={})
