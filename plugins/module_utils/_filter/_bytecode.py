# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""inet_diag bytecode (INET_DIAG_REQ_BYTECODE) for the ss filter AST.

compile_bytecode(expr)  the program ss would send, or None when the kernel
                        cannot filter (a non-inet operand, or a program that
                        would not fit the 16-bit offsets);
run_bytecode(prog, view, bindport_locked=False)
                        the kernel's execution rule (net/ipv4/inet_diag.c) in
                        Python: kernel_filter=false runs a program here
                        instead of sending it, where the kernel's answer can
                        differ from ss's user-space one.

Differences from ss, on purpose:
* padding bytes of `inet_diag_hostcond` are zero (ss leaves them uninitialised);
* a host name that resolves to several addresses emits one condition per
  address (ss repeats the first address N times, bug B-3);
* host conditions of the unix/link/netlink/vsock families give None (ss
  would emit a hostcond the kernel rejects with EINVAL; those families are
  never filtered by the kernel anyway).

Combining with the user-space matcher: the live result for an inet socket
is ``kernel(program) and make_matcher(expr)(view)``.  For `autobound` the
kernel op is true when the socket's port was not explicitly bound
(SOCK_BINDPORT_LOCK clear; always true for TIME-WAIT and request sockets),
while user space checks the ephemeral port range: both must hold.
"""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils._cparse import to_s32
from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import (
    And, AutoBound, CgroupCond, DevCond, HostCond, MarkCond, Not, Or, PortRange,
)
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_UNSPEC, V4_MAPPED_PREFIX

# opcodes (linux/inet_diag.h)
BC_NOP = 0
BC_JMP = 1
BC_S_GE = 2
BC_S_LE = 3
BC_D_GE = 4
BC_D_LE = 5
BC_AUTO = 6
BC_S_COND = 7
BC_D_COND = 8
BC_DEV_COND = 9
BC_MARK_COND = 10
BC_S_EQ = 11
BC_D_EQ = 12
BC_CGROUP_COND = 13

# the attribute length is a u16 and includes its 4-byte header
MAX_PROGRAM = 0xffff - 4

_OP = struct.Struct('=BBH')
_HOSTCOND = struct.Struct('=BBxxi')


class _TooBig(Exception):
    pass


def _op(code, yes, no):
    if yes > 0xff or no > 0xffff:
        raise _TooBig()
    return _OP.pack(code, yes, no)


def _gen(node):
    if isinstance(node, (And, Or)):
        # walk the left spine iteratively: long `a or b or c ...` chains are common
        spine = []
        while isinstance(node, (And, Or)):
            spine.append(node)
            node = node.left
        acc = _gen(node)
        for parent in reversed(spine):
            if acc is None:
                return None
            b = _gen(parent.right)
            if b is None:
                return None
            if len(acc) + len(b) + 4 > MAX_PROGRAM + 4:
                raise _TooBig()
            if isinstance(parent, And):
                _patch(acc, len(b))
                acc += b
            else:
                acc += _op(BC_JMP, 4, len(b) + 4)
                acc += b
        return acc
    if isinstance(node, Not):
        a = _gen(node.child)
        if a is None:
            return None
        return a + _op(BC_JMP, 4, 8)
    if isinstance(node, HostCond):
        return _gen_host(node)
    if isinstance(node, PortRange):
        code = {('src', '>='): BC_S_GE, ('src', '<='): BC_S_LE,
                ('dst', '>='): BC_D_GE, ('dst', '<='): BC_D_LE}[(node.side, node.op)]
        # the operand is a u16: ports > 65535 are truncated like ss does (B-6)
        return bytearray(_op(code, 8, 12) + _op(0, 0, node.port & 0xffff))
    if isinstance(node, AutoBound):
        return bytearray(_op(BC_AUTO, 4, 8))
    if isinstance(node, MarkCond):
        return bytearray(_op(BC_MARK_COND, 12, 16) + struct.pack('=II', node.mark & 0xffffffff, node.mask & 0xffffffff))
    if isinstance(node, CgroupCond):
        return bytearray(_op(BC_CGROUP_COND, 12, 16) + struct.pack('=Q', node.cgroup_id & 0xffffffffffffffff))
    if isinstance(node, DevCond):
        # ss never compiles dev (B-29) and so makes the kernel send every socket; the
        # kernel's DEV_COND tests the same field ss checks in user space (sk_bound_dev_if,
        # reported as idiag_if), so the result is the same and the kernel does the work
        return bytearray(_op(BC_DEV_COND, 8, 12) + struct.pack('=I', node.ifindex & 0xffffffff))
    raise TypeError('not a filter node: %r' % (node,))


def _gen_host(node):
    if node.pattern is not None or any(p.family not in (AF_UNSPEC, AF_INET, AF_INET6) for p in node.prefixes):
        return None
    code = BC_S_COND if node.side == 'src' else BC_D_COND
    prefixes = node.prefixes
    sizes = [4 + 8 + (16 if p.family == AF_INET6 else 4) for p in prefixes]
    total = sum(sizes) + 4 * (len(prefixes) - 1)
    out = bytearray()
    for i, pfx in enumerate(prefixes):
        size = sizes[i]
        alen = size - 12
        out += _op(code, size, size + 4)
        out += _HOSTCOND.pack(pfx.family, pfx.bitlen, to_s32(node.port))
        out += pfx.data[:alen].ljust(alen, b'\0')
        if i + 1 < len(prefixes):
            out += _op(BC_JMP, 4, total - len(out))
    return out


def _patch(prog, reloc):
    """AND: failure exits of the left program (no == remaining + 4) move past the right one."""
    left = len(prog)
    off = 0
    while left > 0:
        code, yes, no = _OP.unpack_from(prog, off)
        if no == left + 4:
            no += reloc
            if no > 0xffff:
                raise _TooBig()
            _OP.pack_into(prog, off, code, yes, no)
        left -= yes
        off += yes


def compile_bytecode(expr):
    """AST -> bytes of the inet_diag program ss would send, or None.

    None means: do not send INET_DIAG_REQ_BYTECODE at all (the expression is
    empty, contains a non-inet host operand, or the program would exceed
    MAX_PROGRAM bytes); user space then does all the filtering. Unlike ss,
    `dev` is compiled (to DEV_COND).
    """
    if expr is None:
        return None
    try:
        prog = _gen(expr)
    except _TooBig:
        return None
    if prog is None or not prog or len(prog) > MAX_PROGRAM:
        return None
    return bytes(prog)


# ---------------------------------------------------------------------------
# Kernel model


def _bitstring_match(a, b, bits):
    words, rest = bits >> 5, bits & 31
    if words and a[:words * 4] != b[:words * 4]:
        return False
    if rest:
        mask = (0xffffffff << (32 - rest)) & 0xffffffff
        wa = int.from_bytes(a[words * 4:words * 4 + 4].ljust(4, b'\0'), 'big')
        wb = int.from_bytes(b[words * 4:words * 4 + 4].ljust(4, b'\0'), 'big')
        if (wa ^ wb) & mask:
            return False
    return True


def run_bytecode(program, view, bindport_locked=False):
    """Run PROGRAM over an inet SockView the way the kernel does.

    bindport_locked: the socket's SOCK_BINDPORT_LOCK (port explicitly bound);
    the AUTO op is true when it is False.  Returns True (accept) / False.
    Raises ValueError for a program that runs off its end (compile_bytecode never makes one).
    """
    if view.family not in (AF_INET, AF_INET6):
        raise ValueError('the kernel runs bytecode only for inet sockets')
    prog = bytes(program)
    length = len(prog)
    pc = 0
    sport = (view.sport or 0) & 0xffff
    dport = (view.dport or 0) & 0xffff
    while length > 0:
        if pc < 0 or pc + 4 > len(prog):
            raise ValueError('program runs off its end at offset %d' % pc)
        code, yes_off, no_off = _OP.unpack_from(prog, pc)
        yes = True
        if code == BC_NOP:
            pass
        elif code == BC_JMP:
            yes = False
        elif code in (BC_S_GE, BC_S_LE, BC_D_GE, BC_D_LE, BC_S_EQ, BC_D_EQ):
            arg = _OP.unpack_from(prog, pc + 4)[2]
            port = sport if code in (BC_S_GE, BC_S_LE, BC_S_EQ) else dport
            if code in (BC_S_GE, BC_D_GE):
                yes = port >= arg
            elif code in (BC_S_LE, BC_D_LE):
                yes = port <= arg
            else:
                yes = port == arg
        elif code == BC_AUTO:
            yes = not bindport_locked
        elif code in (BC_S_COND, BC_D_COND):
            fam, plen, cport = _HOSTCOND.unpack_from(prog, pc + 4)
            caddr = prog[pc + 12:pc + 12 + 16]
            src = code == BC_S_COND
            addr = bytes((view.src if src else view.dst) or b'')
            addr = addr.ljust(16 if view.family == AF_INET6 else 4, b'\0')
            if cport != -1 and cport != (sport if src else dport):
                yes = False
            elif fam != AF_UNSPEC and fam != view.family:
                yes = (view.family == AF_INET6 and fam == AF_INET and addr[:12] == V4_MAPPED_PREFIX
                       and _bitstring_match(addr[12:], caddr, plen))
            elif plen == 0:
                yes = True
            else:
                yes = _bitstring_match(addr, caddr, plen)
        elif code == BC_DEV_COND:
            yes = struct.unpack_from('=I', prog, pc + 4)[0] == (view.ifindex or 0)
        elif code == BC_MARK_COND:
            mark, mask = struct.unpack_from('=II', prog, pc + 4)
            yes = ((view.mark or 0) & mask) == mark
        elif code == BC_CGROUP_COND:
            yes = struct.unpack_from('=Q', prog, pc + 4)[0] == (view.cgroup_id or 0)
        else:
            raise ValueError('unknown opcode %d' % code)
        step = yes_off if yes else no_off
        length -= step
        pc += step
    return length == 0


def kernel_half_differs(nodes):
    """Whether the kernel's evaluation of these nodes can differ from ss's user-space one.

    They differ only for host conditions with an address or a family (the
    kernel compares families, user space does not: `src 0/0` is an IPv4
    condition for the kernel) and for port ranges outside 0-65535 (the kernel
    truncates them to 16 bits).
    """
    for node in nodes:
        if isinstance(node, HostCond) and node.pattern is None and any(p.bitlen or p.family for p in node.prefixes):
            return True
        if isinstance(node, PortRange) and not 0 <= node.port <= 0xffff:
            return True
    return False


__all__ = ['compile_bytecode', 'run_bytecode', 'kernel_half_differs', 'MAX_PROGRAM', 'BC_NOP', 'BC_JMP', 'BC_S_GE', 'BC_S_LE', 'BC_D_GE',
           'BC_D_LE', 'BC_AUTO', 'BC_S_COND', 'BC_D_COND', 'BC_DEV_COND', 'BC_MARK_COND', 'BC_S_EQ', 'BC_D_EQ',
           'BC_CGROUP_COND']
