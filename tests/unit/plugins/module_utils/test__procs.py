# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Holders of sockets from a /proc made up in a temporary directory (the live comparison with ss -p is in tests/integration)."""

from __future__ import annotations

import os

from ansible_collections.netdiag.ss.plugins.module_utils._procs import find_holders, task_name


def _task(root, pid, comm, fds):
    base = root / str(pid)
    (base / 'fd').mkdir(parents=True, exist_ok=True)
    (base / 'task' / str(pid)).mkdir(parents=True, exist_ok=True)
    (base / 'stat').write_bytes(b'%d (' % pid + comm + b') S 1 2 3')
    for fd, target in fds.items():
        os.symlink(target, str(base / 'fd' / str(fd)))


def test_holders_of_the_wanted_sockets_only(tmp_path):
    _task(tmp_path, 10, b'srv', {3: 'socket:[111]', 4: 'socket:[222]', 5: '/dev/null'})
    _task(tmp_path, 11, b'cli', {7: 'socket:[111]'})
    holders = find_holders([111, 222, 333], root=str(tmp_path))
    assert sorted(holders[111], key=lambda h: h['pid']) == [{'name': 'srv', 'pid': 10, 'fd': 3}, {'name': 'cli', 'pid': 11, 'fd': 7}]
    assert 333 not in holders
    # per thread (ss -T): each of a process's threads is read as /proc/TID (the live test with ss -T covers more threads)
    assert find_holders([222], threads=True, root=str(tmp_path)) == {222: [{'name': 'srv', 'pid': 10, 'fd': 4, 'tid': 10}]}


def test_task_names_keep_their_bytes(tmp_path):
    _task(tmp_path, 20, b'we\xffird\\', {})
    _task(tmp_path, 21, b'(paren)', {})
    assert task_name(20, str(tmp_path)) == 'we\\xffird\\\\'
    assert task_name(21, str(tmp_path)) == '(paren'      # ss reads up to the first ')'
    assert task_name(99, str(tmp_path)) is None


def test_selinux_contexts(tmp_path):
    """-Z / -z: a holder's process context and its socket's; None where SELinux is not enabled."""
    from ansible_collections.netdiag.ss.plugins.module_utils._selinux import SELinux
    _task(tmp_path, 30, b'sshd', {3: 'socket:[444]'})
    (tmp_path / '30' / 'attr').mkdir()
    (tmp_path / '30' / 'attr' / 'current').write_bytes(b'system_u:system_r:sshd_t:s0\0')
    fs = tmp_path / 'selinuxfs'
    (fs / 'initial_contexts').mkdir(parents=True)
    (fs / 'initial_contexts' / 'kernel').write_bytes(b'system_u:system_r:kernel_t:s0')
    on = SELinux(proc=str(tmp_path), selinuxfs=str(fs))
    holders = find_holders([444], root=str(tmp_path), contexts=on, socket_contexts=True)
    assert holders[444][0]['context'] == 'system_u:system_r:sshd_t:s0'
    assert holders[444][0]['socket_context'] is None           # no security.selinux attribute on this file system
    assert on.kernel() == 'system_u:system_r:kernel_t:s0' and on.process(99) is None
    off = SELinux(proc=str(tmp_path))            # no selinuxfs among the mounts
    assert not off.enabled and off.process(30) is None and off.kernel() is None
    assert find_holders([444], root=str(tmp_path), contexts=off)[444][0]['context'] is None
