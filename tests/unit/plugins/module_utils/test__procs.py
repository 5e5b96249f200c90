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
