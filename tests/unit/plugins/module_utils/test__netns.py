# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Namespace names are checked, and a missing namespace is never created (entering one is tested in tests/integration)."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _netns
from ansible_collections.netdiag.ss.plugins.module_utils._errors import NamespaceError


@pytest.mark.parametrize('name', ['', 'a/b', '.', '..', 'x\0y'])
def test_bad_names(name):
    with pytest.raises(NamespaceError, match='not a valid namespace name'):
        _netns.netns_path(name)


def test_missing_namespace_is_an_error_and_not_created(tmp_path, monkeypatch):
    monkeypatch.setattr(_netns, 'NETNS_RUN_DIR', str(tmp_path))
    with pytest.raises(NamespaceError, match='does not exist'):
        _netns.enter('nope')
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize('euid, message', [
    (65534, 'netns: cannot enter "other": not root: entering a network namespace needs CAP_SYS_ADMIN, and nothing was read; '
            'run with become: true'),
    (0, 'netns: cannot enter "other": without CAP_SYS_ADMIN: entering a network namespace needs it, and nothing was read'),
])
def test_entering_without_privilege_says_which_privilege(tmp_path, monkeypatch, euid, message):
    import errno
    import os
    (tmp_path / 'other').write_text('')
    monkeypatch.setattr(_netns, 'NETNS_RUN_DIR', str(tmp_path))
    monkeypatch.setattr(_netns.os, 'geteuid', lambda: euid)

    def refuse(fd, nstype):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))
    monkeypatch.setattr(_netns.os, 'setns', refuse, raising=False)
    with pytest.raises(NamespaceError) as info:
        _netns.enter('other')
    assert str(info.value) == message


def test_a_fifo_is_not_a_namespace_and_does_not_block(tmp_path, monkeypatch):
    """Opened without blocking: a FIFO named like a namespace is refused by setns() (EINVAL), not waited on."""
    import os
    import signal
    os.mkfifo(str(tmp_path / 'pipe'))
    monkeypatch.setattr(_netns, 'NETNS_RUN_DIR', str(tmp_path))
    previous = signal.signal(signal.SIGALRM, lambda *_a: pytest.fail('opening the FIFO blocked'))
    signal.alarm(10)
    try:
        with pytest.raises(NamespaceError, match='pipe is not a network namespace'):
            _netns.enter('pipe')
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
