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
"""

from __future__ import annotations

import os

from ansible_collections.netdiag.ss.plugins.module_utils._schema import bytes_text

_PREFIX = 'socket:['


def task_name(pid, root='/proc'):
    """The task name as ss prints it: /proc/PID/stat between the first '(' and the first ')'.

    In the text form of _schema.bytes_text (names need not be UTF-8); None when there is no such task.
    """
    try:
        with open('%s/%s/stat' % (root, pid), 'rb') as f:
            data = f.read(512)
    except OSError:
        return None
    start = data.find(b'(')
    end = data.find(b')', start + 1)
    if start < 0 or end < 0:
        return ''
    return bytes_text(data[start + 1:end])


def _scan_fds(fd_dir, wanted, found, entry):
    """readlink every fd in fd_dir; record `entry + (fd,)` for sockets in `wanted`."""
    try:
        dfd = os.open(fd_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    hit = False
    try:
        try:
            names = os.listdir(dfd)
        except OSError:
            return False
        readlink = os.readlink
        for name in names:
            try:
                link = readlink(name, dir_fd=dfd)
            except OSError:
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


def find_holders(inodes, threads=False, root='/proc', contexts=None, socket_contexts=False):
    """Map inode -> list of holders in ss's order (last discovered first).

    A holder is {'name', 'pid', 'fd'} plus 'tid' with threads=True (each
    thread other than the main one is scanned as ss -T does). contexts: a
    _selinux.SELinux to add each holder's 'context' (ss -Z) and, with
    socket_contexts, the socket's 'socket_context' (ss -z).
    """
    wanted = set(i for i in inodes if i)
    result = {}
    if not wanted:
        return result
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
            _scan_fds('%s/%s/fd' % (root, pid), wanted, found, (pid, pid))
            for tid in tids:
                if tid != pid:
                    _scan_fds('%s/%s/fd' % (root, tid), wanted, found, (pid, tid))
        else:
            _scan_fds('%s/%s/fd' % (root, pid), wanted, found, (pid,))
    names = {}
    for item in reversed(found):
        ino, pid = item[0], item[1]
        key = item[2] if threads else pid
        name = names.get(key)
        if name is None:
            name = names[key] = task_name(key, root) or ''
        holder = {'name': name, 'pid': int(pid), 'fd': item[-1]}
        if threads:
            holder['tid'] = int(item[2])
        if contexts is not None:
            holder['context'] = contexts.process(key)
            if socket_contexts:
                holder['socket_context'] = contexts.socket(pid, item[-1])
        result.setdefault(ino, []).append(holder)
    return result


__all__ = ['find_holders', 'task_name']
