# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Modules run here as on a managed host, whatever else this pytest process imported."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def target_context(monkeypatch):
    """Run main() as a module on a target, not inside the controller.

    Importing ansible-core's controller code (ansible._internal: the plugin
    loader, ansible.errors, ...), as the connection plugin tests in this same
    process do, sets ansible.module_utils._internal.is_controller, and from
    then on AnsibleModule.warn() prints through the controller's Display
    instead of returning the warnings in the module's result.
    """
    from ansible.module_utils import _internal
    monkeypatch.setattr(_internal, 'is_controller', False, raising=False)
