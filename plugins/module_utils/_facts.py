# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""From module options to sockets: the backend shared by the modules.

build_query() merges `ss_args` with the structured options (contradictions
are errors), gather() collects, looks up processes for the kept sockets
only, and shapes the result.
"""

from __future__ import annotations

import errno

from ansible_collections.netdiag.ss.plugins.module_utils import _collect
from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, NetlinkError
from ansible_collections.netdiag.ss.plugins.module_utils._query import (
    SS_ALL, SS_CLOSE, SS_CONN, SS_LISTEN, Query, parse_ss_args,
)
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import AF_INET, AF_INET6

# The filter engine (_filter, _bytecode) and the process scan (_procs) are
# imported inside the functions that need them: Ansible compiles module code
# from source on every run, so a listing without a filter does not pay for it.

RECORD_FIELDS = ('netid', 'state', 'recv_q', 'send_q', 'local_address', 'local_port', 'peer_address',
                 'peer_port', 'interface', 'family', 'uid', 'inode', 'cookie', 'processes',
                 'timer', 'timer_expires_ms', 'timer_retrans')

# Options shared by every module that selects sockets. Keep in sync with
# plugins/doc_fragments/_selection.py.
SELECTION_ARGSPEC = dict(
    ss_args=dict(type='str'),
    tables=dict(type='list', elements='str'),
    families=dict(type='list', elements='str'),
    listening=dict(type='bool'),
    all=dict(type='bool'),
    states=dict(type='list', elements='str'),
    exclude_states=dict(type='list', elements='str'),
    netns=dict(type='str'),
    filter=dict(type='str'),
    filter_file=dict(type='path'),
    kernel_filter=dict(type='bool', default=True),
)


def _contradiction(option, value, given):
    return ArgsError('option %s=%s contradicts "%s" in ss_args; use one of them' % (option, value, given))


def build_query(params):
    """Return a finished Query from module parameters (raises ArgsError)."""
    q = parse_ss_args(params.get('ss_args') or '', Query())
    if params.get('tables'):
        if not q.saw_query:
            q.saw_query = True
            q.do_default = False
            q.state_filter = q.state_filter or SS_CONN
        for item in params['tables']:
            q.query(item, 'tables')
    for fam in params.get('families') or ():
        q.family(fam, 'families')
    listening, every = params.get('listening'), params.get('all')
    states, excludes = params.get('states'), params.get('exclude_states')
    if listening and every:
        raise ArgsError('options listening=true and all=true contradict each other; use one of them')
    if (listening or every) and (states or excludes):
        raise ArgsError('option %s=true contradicts states/exclude_states; use one of them'
                        % ('listening' if listening else 'all'))
    given = q.given.get('states')
    if given and (listening is not None or every is not None or states or excludes):
        which = 'listening' if listening is not None else 'all' if every is not None else 'states'
        value = listening if listening is not None else every if every is not None else states or excludes
        raise _contradiction(which, value, given)
    if states or excludes:
        q.positional = True
    if listening:
        q.state_filter = (1 << SS_LISTEN) | (1 << SS_CLOSE)
    elif every:
        q.state_filter = SS_ALL
    for word in states or ():
        q.state_word(word)
    for word in excludes or ():
        q.state_word(word, exclude=True)
    if params.get('resolve') is not None:
        if 'resolve' in q.given and (q.resolve and not q.numeric) != params['resolve']:
            raise _contradiction('resolve', str(params['resolve']).lower(), q.given['resolve'])
        q.resolve = params['resolve']
        q.numeric = not params['resolve']
    for option in ('processes', 'threads', 'timers', 'summary'):
        value = params.get(option)
        if value is None:
            continue
        if option in q.given and bool(getattr(q, option)) != bool(value):
            raise _contradiction(option, str(value).lower(), q.given[option])
        setattr(q, option, bool(value))
    netns = params.get('netns')
    if netns:
        if q.netns and q.netns != netns:
            raise _contradiction('netns', netns, q.given['netns'])
        q.netns = netns
    text = params.get('filter')
    if text is not None and q.expression:
        raise ArgsError('option filter=%r contradicts the expression "%s" in ss_args; give the expression once'
                        % (text, ' '.join(q.expression)))
    if text:
        q.expression = [text]
    if params.get('filter_file'):
        if q.filter_file and q.filter_file != params['filter_file']:
            raise _contradiction('filter_file', params['filter_file'], '-F %s' % q.filter_file)
        q.filter_file = params['filter_file']
    return q.finish()


def parse_filter(q):
    """Parse the query's filter expression (ss_args words, then the filter file).

    Call it inside the network namespace the sockets are read in: device
    names and interface indexes are looked up there.
    """
    words = list(q.expression)
    if q.filter_file:
        words.extend(read_filter_file(q.filter_file))
    if not any(w.strip() for w in words):
        q.expr, q.warnings = None, []
        return q
    from ansible_collections.netdiag.ss.plugins.module_utils._filter import FilterError, mixed_and_or_warning, parse
    try:
        q.expr = parse(words, tables=frozenset(q.dbs), preferred_family=q.preferred_family)
    except FilterError as exc:
        raise ArgsError(str(exc))
    q.warnings = []
    if q.expr is not None:
        warning = mixed_and_or_warning(words)
        if warning:
            q.warnings.append(warning)
        forced = q.expr.forced_family
        if forced is not None:
            # ss (B-14): an operand's family replaces the family set and becomes the preferred one
            q.families = {forced}
            q.preferred_family = forced
    return q


def read_filter_file(path):
    """Expression words from a filter file, read the way `ss -F FILE` reads it.

    Lines starting with '#' (and, as in ss, '0') are skipped; a line of 1022
    characters or more is an error; `-` means standard input.
    """
    try:
        if path == '-':
            import sys
            lines = sys.stdin.read().splitlines()
        else:
            with open(path, 'r') as f:
                lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError, ValueError) as exc:   # ValueError: a NUL byte in the path
        raise ArgsError('filter_file: cannot read %s: %s' % (path, exc))
    words = []
    for number, line in enumerate(lines, 1):
        if len(line) >= 1022:
            raise ArgsError('filter_file: line %d of %s is too long (%d characters; ss accepts up to 1021)'
                            % (number, path, len(line)))
        if line[:1] in ('#', '0'):
            continue
        if line.strip():
            words.append(line)
    return words


def summarize(records):
    """Counts by netid and state."""
    by_netid = {}
    by_state = {}
    by_both = {}
    for r in records:
        n, s = r['netid'], r['state']
        by_netid[n] = by_netid.get(n, 0) + 1
        by_state[s] = by_state.get(s, 0) + 1
        d = by_both.setdefault(n, {})
        d[s] = d.get(s, 0) + 1
    return {'total': len(records), 'by_netid': by_netid, 'by_state': by_state, 'by_netid_state': by_both}


def select_fields(records, fields):
    """Keep only `fields` in each record (validated names)."""
    if not fields:
        return records
    bad = [f for f in fields if f not in RECORD_FIELDS]
    if bad:
        raise ArgsError('fields: unknown field(s) %s (valid: %s)' % (', '.join(bad), ', '.join(RECORD_FIELDS)))
    keep = tuple(fields)
    return [dict((k, r[k]) for k in keep if k in r) for r in records]


def _filter_plan(query, kernel_filter=True):
    """(user-space matcher or None, needs mark/cgroup attributes, bytecode or None).

    With kernel_filter=False nothing is sent to the kernel; where the
    kernel's evaluation could differ from ss's user-space one, the kernel's
    rules are run in Python too, so both paths select the same sockets. An
    expression with `autobound` is still sent: its kernel half (port not
    explicitly bound) cannot be seen from user space.
    """
    expr = getattr(query, 'expr', None)
    if expr is None:
        return None, False, None
    from ansible_collections.netdiag.ss.plugins.module_utils._bytecode import compile_bytecode, run_bytecode
    from ansible_collections.netdiag.ss.plugins.module_utils._filter import (
        AutoBound, CgroupCond, MarkCond, make_matcher, read_ephemeral_range,
    )
    matcher = make_matcher(expr, ephemeral_range=read_ephemeral_range())
    needs_attrs = any(isinstance(n, (MarkCond, CgroupCond)) for n in expr.walk())
    program = compile_bytecode(expr)
    # `autobound` has a kernel half (port not explicitly bound) that user
    # space cannot see: such programs always go to the kernel.
    if kernel_filter or program is None or any(isinstance(n, AutoBound) for n in expr.walk()):
        return matcher, needs_attrs, program
    if not _kernel_half_differs(expr):
        return matcher, needs_attrs, None     # the kernel would decide exactly as user space does
    inet = (AF_INET, AF_INET6)

    def both(view):
        return matcher(view) and (view.family not in inet or run_bytecode(program, view))
    return both, needs_attrs, None


def _kernel_half_differs(expr):
    """Whether the kernel's evaluation of expr can differ from ss's user-space one.

    They differ only for host conditions with an address or a family (the
    kernel compares families, user space does not: `src 0/0` is an IPv4
    condition for the kernel) and for port ranges outside 0-65535 (the kernel
    truncates them to 16 bits).
    """
    from ansible_collections.netdiag.ss.plugins.module_utils._filter import HostCond, PortRange
    for node in expr.walk():
        if isinstance(node, HostCond) and node.pattern is None and any(p.bitlen or p.family for p in node.prefixes):
            return True
        if isinstance(node, PortRange) and not 0 <= node.port <= 0xffff:
            return True
    return False


def _has_mark(expr):
    from ansible_collections.netdiag.ss.plugins.module_utils._filter import MarkCond
    return expr is not None and any(isinstance(n, MarkCond) for n in expr.walk())


def gather(query, warn=None, kernel_filter=True):
    """Collect the sockets a finished Query selects; return (records, unsupported tables)."""
    match, needs_attrs, program = _filter_plan(query, kernel_filter)
    ctx = _collect.Context(set(query.families), match=match, needs_attrs=needs_attrs, timers=query.timers)
    try:
        records, unsupported = _collect.collect(query, ctx, bytecode=program, warn=warn)
    except NetlinkError as exc:
        if exc.errno == errno.EPERM and program and _has_mark(query.expr):
            raise ArgsError('filter: the kernel evaluates fwmark conditions only for callers with CAP_NET_ADMIN '
                            '(%s); run as root (become: true)' % exc)
        raise
    if query.processes or query.threads:
        from ansible_collections.netdiag.ss.plugins.module_utils._procs import find_holders
        holders = find_holders([r['inode'] for r in records], threads=query.threads)
        for r in records:
            r['processes'] = holders.get(r['inode'], [])
    return records, unsupported


__all__ = ['SELECTION_ARGSPEC', 'RECORD_FIELDS', 'build_query', 'gather', 'summarize', 'select_fields', 'read_filter_file', 'parse_filter']
