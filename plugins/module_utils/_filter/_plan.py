# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Which part of a bound filter runs where: in the kernel, in Python, or both.

As ss does, the kernel gets the compiled bytecode with every inet dump and
every returned socket is checked again in user space, so the result is
``kernel(expr) and userspace(expr)``. With kernel_filter=False nothing is
sent to the kernel; where the kernel's answer could differ from ss's
user-space one, the kernel's rule is run in Python too, so both paths select
the same sockets. An expression with `autobound` still goes to the kernel:
its kernel half (port not explicitly bound) cannot be seen from user space.

ss never compiles `dev` and so sends no program for an expression that has
one (B-29). We compile it to the kernel's DEV_COND, which tests the same
field, but only when the rest of the program decides as user space does;
otherwise, as ss, no program is sent.
"""

from __future__ import annotations

import collections

from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import (
    AutoBound, CgroupCond, DevCond, MarkCond,
)
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bytecode import compile_bytecode, kernel_half_differs, run_bytecode
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import make_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

Plan = collections.namedtuple('Plan', [
    'match',        # callable(SockView) -> bool for every decoded socket, or None
    'needs_attrs',  # the matcher reads marks or cgroup ids (the decoder must parse those attributes)
    'bytecode',     # the program sent with inet dumps, or None
    'has_mark',     # the filter tests fwmark (the kernel refuses that without CAP_NET_ADMIN)
    'tagged',       # match returns a truthy value per kept socket, which its record keeps under _schema.MATCHES
], defaults=(False,))
NO_FILTER = Plan(None, False, None, False)


def plan(expr, kernel_filter=True, ephemeral_range=None):
    """The Plan for a bound expression (None: no filter)."""
    if expr is None:
        return NO_FILTER
    nodes = list(expr.walk())
    matcher = make_matcher(expr, ephemeral_range)
    needs_attrs = any(isinstance(n, (MarkCond, CgroupCond)) for n in nodes)
    has_mark = any(isinstance(n, MarkCond) for n in nodes)
    autobound = any(isinstance(n, AutoBound) for n in nodes)
    differs = autobound or kernel_half_differs(nodes)
    if differs and any(isinstance(n, DevCond) for n in nodes):
        # ss sends no program at all when the expression has `dev` (B-29), so user space alone decides.
        # We compile `dev` (DEV_COND) only where that changes nothing: here the kernel's half would.
        return Plan(matcher, needs_attrs, None, has_mark)
    program = compile_bytecode(expr)
    if kernel_filter or program is None or autobound:
        return Plan(matcher, needs_attrs, program, has_mark)
    if not differs:
        return Plan(matcher, needs_attrs, None, has_mark)    # the kernel would decide as user space does
    inet = (AF_INET, AF_INET6)

    def both(view):
        return matcher(view) and (view.family not in inet or run_bytecode(program, view))
    # ss's user-space half alone, for sockets no kernel filters: read from /proc/net (ss sends no program
    # there, so the kernel's half, autobound's included, does not exist), or SCTP (its dumper ignores the
    # program, B-34). The decoders of those take getattr(match, 'userspace', match).
    both.userspace = matcher
    return Plan(both, needs_attrs, None, has_mark)


def uses_autobound(expr):
    """Whether a filter has `autobound`, which needs the host's ephemeral port range."""
    return expr is not None and any(isinstance(n, AutoBound) for n in expr.walk())


def uses_mark(expr):
    """Whether a filter has `fwmark`, which the kernel evaluates only for callers with CAP_NET_ADMIN."""
    return expr is not None and any(isinstance(n, MarkCond) for n in expr.walk())


def ephemeral_range_for(expr, lookups):
    """The ephemeral port range plan() needs for a bound filter: the host's when it has `autobound`, else None."""
    return lookups.ephemeral_range() if uses_autobound(expr) else None


__all__ = ['Plan', 'NO_FILTER', 'plan', 'uses_autobound', 'uses_mark', 'ephemeral_range_for']
