# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Which processes hold which sockets (ss -p / -T), by one scan of /proc.

Only asked for when -p is given, and only sockets that were kept are
looked up: the scan collects (pid, fd) for the wanted inodes and reads a
task's name only when one of its descriptors matched.

A caller without privilege cannot read the open files of other users'
processes (/proc/PID/fd answers EACCES), and /proc mounted with
hidepid=invisible does not even list them: a ProcScan passed to
find_holders() records both, so that the caller can say which sockets
may have holders it could not see (hidden_holders()).
"""

from __future__ import annotations

import errno
import os

from ansible_collections.netdiag.ss.plugins.module_utils._schema import bytes_text

_PREFIX = 'socket:['
_DENIED = (errno.EACCES, errno.EPERM)


class ProcScan(object):
    """What one scan of /proc could not see (find_holders(..., scan=ProcScan()) fills it).

    denied     pids whose open files could not be read (EACCES or EPERM on /proc/PID/fd or on one of its links)
    invisible  True when /proc does not list other users' processes to this caller (hidepid=invisible)
    """

    def __init__(self):
        self.denied = set()
        self.invisible = False

    @property
    def complete(self):
        """Whether every process's open files were read: no socket can have a holder this scan did not see."""
        return not self.denied and not self.invisible


def hidepid_invisible(root='/proc', mountinfo='/proc/self/mountinfo', euid=None, groups=None):
    """Whether the proc file system at `root` hides other users' processes from this caller (hidepid=invisible or 2).

    Root, and the members of the mount's gid= group, see every process.
    """
    euid = os.geteuid() if euid is None else euid
    if euid == 0:
        return False
    options = None
    try:
        with open(mountinfo) as fh:
            for line in fh:
                fields = line.split()
                if len(fields) > 4 and fields[4] == root and ' - proc ' in line:
                    options = line.rsplit(' ', 1)[-1].strip().split(',')      # the last mount on top wins
    except (IOError, OSError):
        return False
    if not options:
        return False
    values = dict(o.split('=', 1) for o in options if '=' in o)
    if values.get('hidepid') not in ('2', 'invisible'):
        return False
    gid = values.get('gid')
    mine = set(os.getgroups() + [os.getegid()]) if groups is None else set(groups)
    return not (gid is not None and gid.isdigit() and int(gid) in mine)


def task_name(pid, root='/proc'):
    """The task name (comm): /proc/PID/stat between the first '(' and the last ')'.

    ss stops at the first ')', cutting a name such as "(sd-pam)" to "(sd-pam" (docs/differences.md); the fields
    after the name hold no ')'. In the text form of _schema.bytes_text (names need not be UTF-8); None when there
    is no such task.
    """
    try:
        with open('%s/%s/stat' % (root, pid), 'rb') as f:
            data = f.read(512)
    except OSError:
        return None
    start = data.find(b'(')
    end = data.rfind(b')')
    if start < 0 or end < 0:
        return ''
    return bytes_text(data[start + 1:end])


def parent_pid(pid, root='/proc'):
    """The parent of a task (/proc/PID/stat: the field after its state), or 0 when it cannot be read."""
    try:
        with open('%s/%s/stat' % (root, pid), 'rb') as f:
            data = f.read(512)
        return int(data[data.rindex(b')') + 2:].split()[1])      # after "(comm)": state, ppid
    except (OSError, ValueError, IndexError):
        return 0


class _Every(object):
    """The `wanted` of a scan that records every socket."""

    def __contains__(self, inode):
        return True


def _ancestors(root, pid):
    """The processes this one runs under, nearest first: pid (its parent when None), that one's parent, ..., up to but
    not pid 1 (each once)."""
    pid = os.getppid() if pid is None else pid
    seen = set()
    while pid > 1 and pid not in seen:
        seen.add(pid)
        yield pid
        pid = parent_pid(pid, root)


def under_async_wrapper(root='/proc', pid=None):
    """Whether a process this one runs under is Ansible's async_wrapper (a task with `async`), which detached it from
    the processes that started it: two forks, a new session, the module its child."""
    for ancestor in _ancestors(root, pid):
        try:
            with open('%s/%d/cmdline' % (root, ancestor), 'rb') as f:
                argv = f.read(4096).split(b'\0')
        except OSError:
            continue
        # python .../async_wrapper.py JID TIME MODULE ... (AnsiballZ_async_wrapper.py in older releases)
        if any(b'async_wrapper' in os.path.basename(arg) for arg in argv[:2]):
            return True
    return False


def ancestor_sockets(root='/proc', pid=None):
    """{inode: pid} of the sockets held by a process this one runs under: its parent, the parent's parent, ..., up to
    but not pid 1 (under ssh, sshd's session processes, which hold the connection)."""
    found, every = [], _Every()
    for ancestor in _ancestors(root, pid):
        _scan_fds('%s/%d/fd' % (root, ancestor), every, found, (ancestor,), set())
    held = {}
    for ino, holder, _fd in found:
        held.setdefault(ino, holder)
    return held


def _scan_fds(fd_dir, wanted, found, entry, denied):
    """readlink every fd in fd_dir; record `entry + (fd,)` for sockets in `wanted`.

    The pid (entry[0]) goes into the set `denied` when the directory or one of its links may not be read.
    """
    try:
        dfd = os.open(fd_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        if exc.errno in _DENIED:
            denied.add(entry[0])
        return False
    hit = False
    try:
        try:
            names = os.listdir(dfd)
        except OSError as exc:
            if exc.errno in _DENIED:
                denied.add(entry[0])
            return False
        readlink = os.readlink
        for name in names:
            try:
                link = readlink(name, dir_fd=dfd)
            except OSError as exc:
                if exc.errno in _DENIED:
                    denied.add(entry[0])
                continue
            if not link.startswith(_PREFIX):
                continue
            try:
                ino = int(link[8:-1])
            except ValueError:
                continue
            if ino in wanted:
                found.append((ino,) + entry + (int(name),))
                hit = True
    finally:
        os.close(dfd)
    return hit


def find_holders(inodes, threads=False, root='/proc', contexts=None, socket_contexts=False, scan=None):
    """Map inode -> list of holders in ss's order (last discovered first).

    A holder is {'name', 'pid', 'fd'} plus 'tid' with threads=True (each
    thread other than the main one is scanned as ss -T does). contexts: a
    _selinux.SELinux to add each holder's 'context' (ss -Z) and, with
    socket_contexts, the socket's 'socket_context' (ss -z). scan: a ProcScan
    that learns which processes could not be read.
    """
    wanted = set(i for i in inodes if i)
    result = {}
    if not wanted:
        return result
    denied = scan.denied if scan is not None else set()
    if scan is not None:
        scan.invisible = hidepid_invisible(root)
    found = []
    try:
        pids = [p for p in os.listdir(root) if p.isdigit()]
    except OSError:
        return result
    for pid in pids:
        if threads:
            try:
                tids = [t for t in os.listdir('%s/%s/task' % (root, pid)) if t.isdigit()]
            except OSError:
                tids = []
            # ss -T: the process itself first (tid=pid), then every other thread
            _scan_fds('%s/%s/fd' % (root, pid), wanted, found, (pid, pid), denied)
            for tid in tids:
                if tid != pid:
                    _scan_fds('%s/%s/fd' % (root, tid), wanted, found, (pid, tid), denied)
        else:
            _scan_fds('%s/%s/fd' % (root, pid), wanted, found, (pid,), denied)
    names = {}
    for item in reversed(found):
        ino, pid = item[0], item[1]
        key = item[2] if threads else pid
        if key not in names:
            names[key] = task_name(key, root)
        name = names[key]
        if name is None:
            # the task ended since its descriptors were read: it holds nothing now (ss, reading its name at once,
            # would list it; an empty name said nothing true either)
            continue
        holder = {'name': name, 'pid': int(pid), 'fd': item[-1]}
        if threads:
            holder['tid'] = int(item[2])
        if contexts is not None:
            holder['context'] = contexts.process(key)
            if socket_contexts:
                holder['socket_context'] = contexts.socket(pid, item[-1])
        result.setdefault(ino, []).append(holder)
    return result


def unheld(record, own_pid=None):
    """Whether no process can hold this socket: inode 0 (TIME-WAIT, a connection not yet accepted), a netlink socket of
    the kernel (port id 0), or our own sock_diag socket (port id: our pid), closed before the holders are looked up."""
    if not record.get('inode'):
        return True
    return record.get('family') == 'netlink' and record.get('local_port') in (0, os.getpid() if own_pid is None else own_pid)


def hidden_holders(records, scan):
    """The records whose holders this scan may not have seen: none when it read every process; otherwise each
    socket that a process can hold and that no visible process holds."""
    if scan is None or scan.complete:
        return []
    pid = os.getpid()
    return [r for r in records if not r.get('processes') and not unheld(r, pid)]


__all__ = ['ancestor_sockets', 'ProcScan', 'find_holders', 'parent_pid', 'hidden_holders', 'hidepid_invisible', 'task_name', 'unheld', 'under_async_wrapper']
