# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Holders of sockets from a /proc made up in a temporary directory (the live comparison with ss -p is in tests/integration)."""

from __future__ import annotations

import errno
import os

from ansible_collections.netdiag.ss.plugins.module_utils import _procs
from ansible_collections.netdiag.ss.plugins.module_utils._procs import (
    ProcScan, ancestor_sockets, find_holders, hidden_holders, hidepid_invisible, parent_pid, task_name,
    under_async_wrapper,
)


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


def test_a_task_that_ended_since_its_descriptors_were_read_holds_nothing(tmp_path):
    """Its name is read after the scan: gone by then (no stat), it is left out, not listed with an empty name."""
    _task(tmp_path, 10, b'srv', {3: 'socket:[111]'})
    _task(tmp_path, 11, b'child', {3: 'socket:[111]', 4: 'socket:[222]'})
    os.unlink(str(tmp_path / '11' / 'stat'))
    assert find_holders([111, 222], root=str(tmp_path)) == {111: [{'name': 'srv', 'pid': 10, 'fd': 3}]}
    assert find_holders([111], threads=True, root=str(tmp_path)) == {111: [{'name': 'srv', 'pid': 10, 'fd': 3, 'tid': 10}]}


def test_ancestor_sockets(tmp_path):
    """socket_kill's protection of the connection Ansible uses: sshd holds it, a process the module runs under. A fake
    /proc: 30 (sshd, holding socket 5000) > 20 (sh) > the module; pid 1 holds 5001, which is not the connection's."""
    for pid, ppid, fds in ((20, 30, {'0': '/dev/null', '3': 'pipe:[77]'}), (30, 1, {'3': 'socket:[5000]'}),
                           (1, 0, {'9': 'socket:[5001]'})):
        base = tmp_path / str(pid)
        (base / 'fd').mkdir(parents=True)
        (base / 'stat').write_text('%d (a (b) c) S %d %d 0 0\n' % (pid, ppid, pid))
        for fd, target in fds.items():
            os.symlink(target, str(base / 'fd' / fd))
    assert parent_pid(20, str(tmp_path)) == 30 and parent_pid(99, str(tmp_path)) == 0
    assert ancestor_sockets(root=str(tmp_path), pid=20) == {5000: 30}
    assert ancestor_sockets(root=str(tmp_path / 'none'), pid=20) == {}


def test_under_async_wrapper(tmp_path):
    """A fake /proc: the module's parent runs async_wrapper.py (a task with async), which its watcher forked; without
    it, a chain of sshd and sh is not async."""
    for pid, ppid, argv in ((40, 41, [b'/usr/bin/python3', b'/root/.ansible/tmp/ansible-tmp-1/async_wrapper.py',
                                      b'j1', b'30', b'/root/.ansible/tmp/ansible-tmp-1/AnsiballZ_socket_kill.py', b'_']),
                            (41, 1, [b'/usr/bin/python3', b'/root/.ansible/tmp/ansible-tmp-1/async_wrapper.py']),
                            (20, 30, [b'/bin/sh', b'-c', b'python3 async_wrapper_is_not_its_name.py']),
                            (30, 1, [b'sshd: root@notty'])):
        base = tmp_path / str(pid)
        base.mkdir()
        (base / 'stat').write_text('%d (x) S %d %d 0 0\n' % (pid, ppid, pid))
        (base / 'cmdline').write_bytes(b'\0'.join(argv) + b'\0')
    assert under_async_wrapper(root=str(tmp_path), pid=40) is True
    assert under_async_wrapper(root=str(tmp_path), pid=20) is False
    assert under_async_wrapper(root=str(tmp_path / 'none'), pid=20) is False


def test_task_names_keep_their_bytes(tmp_path):
    _task(tmp_path, 20, b'we\xffird\\', {})
    _task(tmp_path, 21, b'(sd-pam)', {})
    _task(tmp_path, 22, b'a) b (c', {})
    assert task_name(20, str(tmp_path)) == 'we\\xffird\\\\'
    assert task_name(21, str(tmp_path)) == '(sd-pam)'      # ss stops at the first ')': "(sd-pam"
    assert task_name(22, str(tmp_path)) == 'a) b (c'
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


def _deny(monkeypatch, *pids):
    """Make /proc/PID/fd of these pids answer EACCES, as for a caller without privilege (the tests may run as root)."""
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if any(str(path).endswith('/%d/fd' % pid) for pid in pids):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, flags, *args, **kwargs)
    monkeypatch.setattr(_procs.os, 'open', fake_open)


def test_processes_that_cannot_be_read_are_counted(tmp_path, monkeypatch):
    _task(tmp_path, 10, b'mine', {3: 'socket:[111]'})
    _task(tmp_path, 11, b'root-daemon', {4: 'socket:[222]'})
    _task(tmp_path, 12, b'other', {5: '/dev/null'})
    _deny(monkeypatch, 11, 12)
    scan = ProcScan()
    holders = find_holders([111, 222, 333], root=str(tmp_path), scan=scan)
    assert holders == {111: [{'name': 'mine', 'pid': 10, 'fd': 3}]}
    assert scan.denied == {'11', '12'} and not scan.invisible and not scan.complete
    records = [{'inode': 111, 'processes': holders[111]}, {'inode': 222, 'processes': []},
               {'inode': 0, 'processes': []},               # inode 0 (TIME-WAIT): no process can hold it
               {'inode': 444, 'processes': [], 'family': 'netlink', 'local_port': 0},             # the kernel's
               {'inode': 445, 'processes': [], 'family': 'netlink', 'local_port': os.getpid()},   # our own, closed
               {'inode': 446, 'processes': [], 'family': 'netlink', 'local_port': 1}]
    assert hidden_holders(records, scan) == [records[1], records[5]]
    scan = ProcScan()
    find_holders([222], threads=True, root=str(tmp_path), scan=scan)    # -T: a pid counts once, whatever its threads
    assert scan.denied == {'11', '12'}


def test_a_full_scan_hides_nothing(tmp_path):
    _task(tmp_path, 10, b'mine', {3: 'socket:[111]'})
    scan = ProcScan()
    find_holders([111, 222], root=str(tmp_path), scan=scan)
    assert scan.complete and hidden_holders([{'inode': 222, 'processes': []}], scan) == []
    assert hidden_holders([{'inode': 222, 'processes': []}], None) == []


MOUNTS = """22 27 0:21 / /proc rw,relatime - proc proc rw
68 22 0:40 / /proc rw,relatime - proc proc rw,gid=4,hidepid=invisible
"""


def test_hidepid_invisible(tmp_path):
    info = tmp_path / 'mountinfo'
    info.write_text(MOUNTS)
    assert hidepid_invisible('/proc', str(info), euid=65534, groups=[65534])
    assert not hidepid_invisible('/proc', str(info), euid=65534, groups=[65534, 4])    # the gid= group sees all
    assert not hidepid_invisible('/proc', str(info), euid=0, groups=[0])                # so does root
    info.write_text(MOUNTS.replace('hidepid=invisible', 'hidepid=2').replace('gid=4,', ''))
    assert hidepid_invisible('/proc', str(info), euid=65534, groups=[4])
    info.write_text(MOUNTS.replace('hidepid=invisible', 'hidepid=noaccess'))    # listed, fd unreadable: counted as denied
    assert not hidepid_invisible('/proc', str(info), euid=65534, groups=[65534])
    info.write_text(MOUNTS.splitlines()[0] + '\n')
    assert not hidepid_invisible('/proc', str(info), euid=65534, groups=[65534])
    assert not hidepid_invisible('/proc', str(tmp_path / 'missing'), euid=65534, groups=[65534])
