# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a command where the kernel refuses sock_diag, as gVisor, WSL 1 or a container's seccomp profile do.

    python3 seccomp_deny.py socket ERRNO -- COMMAND...   socket(AF_NETLINK, *, NETLINK_SOCK_DIAG) fails with ERRNO
    python3 seccomp_deny.py sendto ERRNO -- COMMAND...   every sendto() fails with ERRNO (an LSM that denies
                                                          sending a sock_diag request, as SELinux does without
                                                          nlmsg_read: the socket opens, the first dump cannot go)

A seccomp filter (SECCOMP_MODE_FILTER, after PR_SET_NO_NEW_PRIVS) is installed in this
process and kept across execve: the refusal is the kernel's, for every socket the
command opens. x86_64 and aarch64 only (the syscall numbers differ); exits 77 elsewhere.
"""

import ctypes
import errno
import os
import platform
import struct
import sys

# (AUDIT_ARCH_*, __NR_socket, __NR_sendto)
ARCHES = {'x86_64': (0xc000003e, 41, 44), 'aarch64': (0xc00000b7, 198, 206)}
AF_NETLINK = 16
NETLINK_SOCK_DIAG = 4
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7fff0000
SECCOMP_RET_ERRNO = 0x00050000
# struct seccomp_data: nr (0), arch (4), instruction_pointer (8), args[6] (16, 24, 32, ...); the low 32 bits of an
# argument come first on these little-endian hosts
LD_W_ABS, JEQ_K, RET_K = 0x20, 0x15, 0x06


def program(mode, err):
    audit_arch, nr_socket, nr_sendto = ARCHES[platform.machine()]
    # each test jumps to the last instruction (allow) when it fails; the one before it refuses
    checks = [(4, audit_arch), (0, nr_socket if mode == 'socket' else nr_sendto)]
    if mode == 'socket':
        checks += [(16, AF_NETLINK), (32, NETLINK_SOCK_DIAG)]
    insns = []
    total = 2 * len(checks) + 2
    for offset, value in checks:
        insns.append((LD_W_ABS, 0, 0, offset))
        here = len(insns)
        insns.append((JEQ_K, 0, total - 1 - (here + 1), value))
    insns.append((RET_K, 0, 0, SECCOMP_RET_ERRNO | err))
    insns.append((RET_K, 0, 0, SECCOMP_RET_ALLOW))
    return b''.join(struct.pack('=HBBI', *insn) for insn in insns), len(insns)


def main():
    mode, name, sep = sys.argv[1:4]
    argv = sys.argv[4:]
    if sep != '--' or mode not in ('socket', 'sendto') or not argv:
        sys.exit('usage: seccomp_deny.py socket|sendto ERRNO -- COMMAND...')
    if platform.machine() not in ARCHES:
        sys.exit(77)
    err = getattr(errno, name)
    code, count = program(mode, err)
    buf = ctypes.create_string_buffer(code)

    class SockFprog(ctypes.Structure):
        _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]
    prog = SockFprog(count, ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        sys.exit('seccomp_deny: prctl: %s' % os.strerror(ctypes.get_errno()))
    os.execvp(argv[0], argv)


if __name__ == '__main__':
    main()
