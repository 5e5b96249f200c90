# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only model of the kernel's validation of inet_diag bytecode (net/ipv4/inet_diag.c inet_diag_bc_audit).

Every program the collection compiles must pass it; the unit tests also
check that it rejects what the kernel rejects.
"""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils._filter._bytecode import (
    BC_AUTO, BC_CGROUP_COND, BC_D_COND, BC_D_EQ, BC_D_GE, BC_D_LE, BC_DEV_COND, BC_JMP, BC_MARK_COND, BC_NOP,
    BC_S_COND, BC_S_EQ, BC_S_GE, BC_S_LE,
)
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_UNSPEC

_OP = struct.Struct('=BBH')    # struct inet_diag_bc_op {u8 code, u8 yes, u16 no}


class BytecodeError(ValueError):
    """audit_bytecode() rejection; errno is 'EINVAL' or 'EPERM'."""

    def __init__(self, errno, message):
        self.errno = errno
        ValueError.__init__(self, '%s: %s' % (errno, message))


def _valid_cc(prog, cc):
    length = len(prog)
    off = 0
    while length > 0:
        if cc > length:
            return False
        if cc == length:
            return True
        yes = _OP.unpack_from(prog, off)[1]
        if yes < 4 or yes & 3:
            return False
        length -= yes
        off += yes
    return False


def audit_bytecode(program, cgroup_supported=True, net_admin=True):
    """Validate PROGRAM like the kernel's inet_diag_bc_audit(); None or BytecodeError."""
    prog = bytes(program)
    length = len(prog)
    if length < 4:
        raise BytecodeError('EINVAL', 'program shorter than one instruction')
    off = 0
    while length > 0:
        if length < 4:
            raise BytecodeError('EINVAL', 'truncated instruction at %d' % off)
        code, yes, no = _OP.unpack_from(prog, off)
        min_len = 4
        if code in (BC_S_COND, BC_D_COND):
            if length < 12:
                raise BytecodeError('EINVAL', 'short hostcond at %d' % off)
            fam, plen = prog[off + 4], prog[off + 5]
            if fam == AF_UNSPEC:
                alen = 0
            elif fam == AF_INET:
                alen = 4
            elif fam == AF_INET6:
                alen = 16
            else:
                raise BytecodeError('EINVAL', 'hostcond family %d at %d' % (fam, off))
            min_len += 8 + alen
            if length < min_len or plen > 8 * alen:
                raise BytecodeError('EINVAL', 'bad hostcond at %d' % off)
        elif code == BC_DEV_COND:
            min_len += 4
            if length < min_len:
                raise BytecodeError('EINVAL', 'short devcond at %d' % off)
        elif code in (BC_S_GE, BC_S_LE, BC_D_GE, BC_D_LE, BC_S_EQ, BC_D_EQ):
            min_len += 4
            if length < min_len:
                raise BytecodeError('EINVAL', 'short port comparison at %d' % off)
        elif code == BC_MARK_COND:
            if not net_admin:
                raise BytecodeError('EPERM', 'mark condition needs CAP_NET_ADMIN')
            min_len += 8
            if length < min_len:
                raise BytecodeError('EINVAL', 'short markcond at %d' % off)
        elif code == BC_CGROUP_COND and cgroup_supported:
            min_len += 8
            if length < min_len:
                raise BytecodeError('EINVAL', 'short cgroup cond at %d' % off)
        elif code not in (BC_AUTO, BC_JMP, BC_NOP):
            raise BytecodeError('EINVAL', 'unknown opcode %d at %d' % (code, off))
        if code != BC_NOP:
            if no < min_len or no > length + 4 or no & 3:
                raise BytecodeError('EINVAL', 'bad "no" offset %d at %d' % (no, off))
            if no < length and not _valid_cc(prog, length - no):
                raise BytecodeError('EINVAL', '"no" offset %d at %d lands inside an instruction' % (no, off))
        if yes < min_len or yes > length + 4 or yes & 3:
            raise BytecodeError('EINVAL', 'bad "yes" offset %d at %d' % (yes, off))
        off += yes
        length -= yes
    if length != 0:
        raise BytecodeError('EINVAL', 'program does not end on an instruction boundary')
    return None
