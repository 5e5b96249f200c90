# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""SELinux contexts of processes and sockets, as ss -Z / -z shows them, without libselinux.

ss asks libselinux: getpidcon() reads /proc/PID/attr/current, getfilecon()
reads the security.selinux extended attribute of /proc/PID/fd/N, and the
kernel's initial context is in /sys/fs/selinux/initial_contexts/kernel.
SELinux counts as enabled when selinuxfs is mounted (libselinux's
is_selinux_enabled). Where it is not, ss fails; here every context is None.
"""

from __future__ import annotations

import os


class SELinux(object):
    """Context look-ups; `enabled` tells whether SELinux is on (else every answer is None)."""

    def __init__(self, proc='/proc', selinuxfs=None):
        self.proc = proc
        self.selinuxfs = selinuxfs if selinuxfs is not None else self._mount()
        self.enabled = self.selinuxfs is not None

    def _mount(self):
        try:
            with open(os.path.join(self.proc, 'self', 'mounts'), 'rb') as fh:
                for raw in fh:
                    parts = raw.decode('utf-8', 'surrogateescape').split()     # mount points need not be UTF-8
                    if len(parts) > 2 and parts[2] == 'selinuxfs':
                        return parts[1]
        except (IOError, OSError):
            return None
        return None

    @staticmethod
    def _text(data):
        return data.rstrip(b'\0\n').decode('utf-8', 'replace') or None

    def process(self, pid):
        """The context of a process or thread, or None."""
        if not self.enabled:
            return None
        try:
            with open(os.path.join(self.proc, str(pid), 'attr', 'current'), 'rb') as fh:
                return self._text(fh.read(4096))
        except (IOError, OSError):
            return None

    def socket(self, pid, fd):
        """The context of a process's open socket, or None."""
        if not self.enabled:
            return None
        try:
            return self._text(os.getxattr(os.path.join(self.proc, str(pid), 'fd', str(fd)), 'security.selinux'))
        except (OSError, AttributeError):
            return None

    def kernel(self):
        """The kernel's initial context (what ss shows for the kernel's netlink sockets), or None."""
        if not self.enabled:
            return None
        try:
            with open(os.path.join(self.selinuxfs, 'initial_contexts', 'kernel'), 'rb') as fh:
                return self._text(fh.read(4096))
        except (IOError, OSError, ValueError):     # ValueError: a NUL byte in the mount point
            return None


__all__ = ['SELinux']
