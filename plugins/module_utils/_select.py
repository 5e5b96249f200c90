# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""The one selection entry point: a Request in, the selected sockets out.

    options --build_request--> Request --select--> Selection
                                            |
        enter the namespace -> bind the filter there -> plan -> collect
        -> holders of the kept sockets -> records, unsupported tables, warnings

The order is the rule: the namespace is entered before anything is looked
up or read, so device names, services, /proc and the kernel's tables are
those of the namespace, as with `ss -N`.

With from_dump the TCP table comes from a capture (_dumpfile.py) instead of
the kernel, checked by ss's user-space filter alone, as ss checks what it
reads from TCPDIAG_FILE; the other tables are read from the kernel.
userspace_filter() is that filter, also used for -E (_events.py).
"""

from __future__ import annotations

import collections
import errno

from ansible_collections.netdiag.ss.plugins.module_utils._collect import GROUPS, DumpReport, Sources, collect
from ansible_collections.netdiag.ss.plugins.module_utils._errors import MarkNotPermitted, NetlinkError, SocketToolError
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._netns import enter

Selection = collections.namedtuple('Selection', [
    'records',      # socket records in ss's order (with 'sockid' when the request asked for identity)
    'unsupported',  # selected tables this kernel or this version cannot list, in ss's order
    'warnings',     # texts for the user
    'stats',        # the -s statistics (a dict), or None
    'proc_tables',  # tables read from /proc/net instead of sock_diag, in ss's order
    'truncated',    # more sockets were selected than request.max_sockets: the first ones are listed
    'counted',      # with count_after: selected sockets beyond the records, counted only (never decoded)
], defaults=((), False, 0))
# what /proc/net cannot tell, for the warnings (docs/socket_facts.md lists it per table)
PROC_NULLS = ('cookies, bound interfaces, marks and every detail (-e -m -i ...) are null there, and so are some '
              'queues and peers (docs/socket_facts.md, "Sockets read from /proc/net")')


def select(request, lookups=None, planner=None, count_after=None):
    """Read the sockets a Request selects (raises SocketToolError and its subclasses only).

    planner: callable(request, lookups) -> _filter._plan.Plan, run after the namespace is entered,
    for callers that evaluate filters of their own (_assert); by default the request's filter is
    bound and planned. With Plan.tagged the match returns a truthy value per kept socket that its
    record keeps under _schema.MATCHES. count_after: see
    _collect.collect (Selection.counted).
    """
    if request.netns:
        enter(request.netns)
    lookups = lookups or HostLookups()
    warnings = list(request.warnings)
    stats = None
    if request.summary:
        from ansible_collections.netdiag.ss.plugins.module_utils._summary import read_summary
        stats = read_summary()      # before any socket of ours exists, as ss does
    if request.summary_only:
        return Selection([], [], warnings, stats)
    if planner is None:
        expr, eph = _bind(request, lookups)
        planned = _plan(request, expr, eph)
    else:
        expr = eph = None
        planned = planner(request, lookups)
    match = bytecode = None
    needs_attrs = has_mark = tagged = False
    if planned is not None:
        match, needs_attrs, bytecode, has_mark, tagged = (
            planned.match, planned.needs_attrs, planned.bytecode, planned.has_mark, planned.tagged)
    capture = None
    if request.from_dump:
        from ansible_collections.netdiag.ss.plugins.module_utils._dumpfile import capture_chunks, read_capture
        chunks = capture_chunks(read_capture(request.from_dump), request.states,
                                frozenset(request.inet_families) & request.families)
        # ss checks what it reads from a file in user space only; a caller's planner brings its own match
        capture = (chunks, _userspace(expr, eph) if planner is None else match)
    sources = Sources()
    report = DumpReport()
    try:
        records, unsupported = collect(
            request.tables, request.families, request.states, bytecode=bytecode, inet_families=request.inet_families,
            match=match, needs_attrs=needs_attrs, timers=request.timers, identity=request.identity, lookups=lookups,
            details=request.details, tagged=tagged, capture=capture, source=request.source, sources=sources,
            limit=request.max_sockets, report=report, count_after=count_after)
    except NetlinkError as exc:
        if exc.errno == errno.EPERM and bytecode and has_mark:
            raise MarkNotPermitted('filter: the kernel evaluates fwmark conditions only for callers with '
                                   'CAP_NET_ADMIN (%s); run as root (become: true)' % exc)
        raise
    except OSError as exc:
        raise SocketToolError('cannot read sockets from the kernel: %s; sock_diag needs Linux, and root for some '
                              'tables and for other namespaces' % exc)
    warnings.extend(_proc_warnings(request, sources, expr))
    warnings.extend(dump_warnings(request, report))
    for group, tables, _dumper in GROUPS:
        if group in unsupported and request.explicit_tables.intersection(tables):
            warnings.append(unsupported[group])
    if request.processes or request.threads:
        warnings.extend(_add_holders(request, records))
    if request.details & {'extended', 'bpf'}:
        # details the kernel keeps to CAP_NET_ADMIN (marks, packet filters): say when they are missing
        from ansible_collections.netdiag.ss.plugins.module_utils._privilege import details_warnings
        warnings.extend(details_warnings(request.details, records))
    return Selection(records, list(unsupported), warnings, stats, tuple(sources.proc), report.truncated, report.counted)


def dump_warnings(request, report):
    """What the user should know about how the dumps went: a table that kept changing, a listing cut at max_sockets."""
    out = []
    for group in report.inconsistent:
        out.append('table %s changed while it was read, %d times in a row (the kernel flagged the dump NLM_F_DUMP_INTR); '
                   'the last read is listed, and may miss sockets that were opened or closed meanwhile (ss warns "Dump '
                   'was interrupted and may be inconsistent." and lists what it read once)'
                   % (group, report.interrupted.get(group, 0)))
    if report.truncated:
        n = request.max_sockets
        out.append('max_sockets: more than %d socket%s selected; the first %s (in ss\'s order) %s listed and '
                   'reading stopped there, so socket_summary counts those only (truncated: true)'
                   % (n, ' is' if n == 1 else 's are', 'one' if n == 1 else n, 'is' if n == 1 else 'are'))
    return out


def _proc_warnings(request, sources, expr):
    """What the user should know about tables read from /proc/net (source=auto).

    Always when sock_diag could not be used at all; where the kernel has no
    sock_diag handler for one table (raw without raw_diag), only when the
    table was asked for by name, as for unsupported tables. And, for a filter
    with dev, fwmark or cgroup on inet sockets read from /proc/net, that
    those see 0 there (ss's /proc mode does the same).
    """
    out = []
    if sources.refused and sources.proc:
        out.append('sock_diag (NETLINK_SOCK_DIAG) cannot be used here: %s. Tables %s were read from /proc/net instead '
                   '(source: auto), as ss does; %s' % (sources.refused, ', '.join(sources.proc), PROC_NULLS))
    elif sources.refused:
        # only tables /proc/net has no file for (mptcp, sctp, vsock, ...): each is warned about as not listed
        out.append('sock_diag (NETLINK_SOCK_DIAG) cannot be used here: %s; no selected table has a /proc/net file to '
                   'read instead' % sources.refused)
    elif request.source == 'auto':
        for group, tables, _dumper in GROUPS:
            if group in sources.proc and request.explicit_tables.intersection(tables):
                out.append('table %s: %s; it was read from /proc/net instead (source: auto), as ss does; %s'
                           % (group, sources.proc[group], PROC_NULLS))
    inet = [g for g in sources.proc if g in ('raw', 'udp', 'tcp')]
    if expr is not None and inet:
        from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import CgroupCond, DevCond, MarkCond
        words = sorted(set({DevCond: 'dev', MarkCond: 'fwmark', CgroupCond: 'cgroup'}[type(n)] for n in expr.walk()
                           if isinstance(n, (DevCond, MarkCond, CgroupCond))))
        if words:
            out.append('filter: %s cannot be known for sockets read from /proc/net (%s): they read as 0 there, as in ss'
                       % (', '.join(words), ', '.join(inet)))
    return out


def _bind(request, lookups):
    """The request's filter bound on this host and the ephemeral port range it needs; (None, None) without one."""
    if request.filter is None:
        return None, None
    # imported here: Ansible compiles module code on every run, and a listing without a filter need not pay for it
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._plan import ephemeral_range_for
    expr = bind(request.filter, request.tables, lookups)
    return expr, ephemeral_range_for(expr, lookups)


def _add_holders(request, records):
    """Add `processes` (-p, -T; with -Z/-z their SELinux contexts) to every record, and a netlink socket's `context`
    with -Z; return the warnings (SELinux off, holders that may be hidden)."""
    from ansible_collections.netdiag.ss.plugins.module_utils._privilege import processes_warning
    from ansible_collections.netdiag.ss.plugins.module_utils._procs import ProcScan, find_holders
    warnings = []
    contexts = None
    if 'context' in request.details:
        from ansible_collections.netdiag.ss.plugins.module_utils._selinux import SELinux
        contexts = SELinux()
        if not contexts.enabled:
            warnings.append('SELinux is not enabled on this host: every context is null (ss -Z fails there)')
    scan = ProcScan()
    holders = find_holders([r['inode'] for r in records], threads=request.threads, contexts=contexts,
                           socket_contexts='contexts' in request.details, scan=scan)
    for r in records:
        r['processes'] = holders.get(r['inode'], [])
        if contexts is not None and r['family'] == 'netlink':
            # ss shows the context of the process a netlink port id names: the kernel's for 0, none if negative
            pid = r['local_port']
            r['context'] = contexts.kernel() if pid == 0 else contexts.process(pid) if pid > 0 else None
    hidden = processes_warning(records, scan)
    if hidden:
        warnings.append(hidden)
    return warnings


def _plan(request, expr, eph):
    """The _filter._plan.Plan of the request's filter, bound on this host (_bind); None without a filter."""
    if request.filter is None:
        return None
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._plan import plan
    return plan(expr, request.kernel_filter, eph)


def _userspace(expr, eph):
    """ss's user-space check of a bound filter (callable(SockView) -> bool), or None without a filter."""
    if expr is None:
        return None
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import make_matcher
    return make_matcher(expr, eph)


def userspace_filter(request, lookups):
    """(match, needs_attrs): the request's filter bound on this host, checked in user space alone.

    What ss runs where there is no kernel to send bytecode to: on -E events and
    on a capture. match is None without a filter; needs_attrs says whether it
    reads marks or cgroup ids.
    """
    expr, eph = _bind(request, lookups)
    if expr is None:
        return None, False
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import CgroupCond, MarkCond
    return _userspace(expr, eph), any(isinstance(n, (MarkCond, CgroupCond)) for n in expr.walk())


__all__ = ['Selection', 'select', 'userspace_filter', 'dump_warnings']
