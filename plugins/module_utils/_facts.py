# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""The result of netdiag.ss.socket_facts: a listing shaped from a Selection, or the result of -E or -D.

In event mode (-E) and dump mode (-D) the module lists no sockets, and
returns `ansible_facts` empty: Ansible merges facts key by key, so the host's
`sockets` facts from an earlier listing stay as they were. Destroyed sockets
are a record of a time window, not a fact about the host, so they come back
as the plain result key `events`.
"""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
from ansible_collections.netdiag.ss.plugins.module_utils._schema import select_fields
from ansible_collections.netdiag.ss.plugins.module_utils._select import select


def summarize(records):
    """Counts of the records by netid, by state and by both."""
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


def facts_result(request, selection, fields=None, lines=True):
    """The module result (without `changed`): ansible_facts, unsupported_tables, proc_tables, truncated and, with
    lines=True, lines."""
    facts = {}
    result = {'ansible_facts': facts, 'unsupported_tables': selection.unsupported,
              'proc_tables': list(selection.proc_tables), 'truncated': selection.truncated}
    if lines:
        result['lines'] = []
    if selection.stats is not None:
        facts['socket_stats'] = selection.stats
        if lines:
            from ansible_collections.netdiag.ss.plugins.module_utils._summary import summary_lines
            result['lines'] = summary_lines(selection.stats)
    if lines and not request.summary_only:
        result['lines'] += listing(request, selection.records)
    facts['socket_summary'] = summarize(selection.records)
    facts['sockets'] = select_fields(selection.records, fields, in_place=True)
    return result


def events_result(request, events, fields=None, lines=True):
    """The module result (without `changed`) of -E: events, events_truncated, lines; no facts."""
    result = {'ansible_facts': {}, 'unsupported_tables': [], 'proc_tables': [], 'events': select_fields(events.records, fields),
              'events_truncated': events.truncated}
    if lines:
        # ss -E prints its header with the first event: nothing when there was none
        result['lines'] = listing(request, events.records) if events.records else []
    return result


def module_result(request, fields=None, lines=True, check_mode=False):
    """Run what `request` asks for (a listing, -E or -D); return (the whole module result, warnings)."""
    if request.events:
        from ansible_collections.netdiag.ss.plugins.module_utils._events import follow
        events = follow(request)
        return dict(changed=False, **events_result(request, events, fields, lines)), events.warnings
    if request.dump_file:
        from ansible_collections.netdiag.ss.plugins.module_utils._dumpfile import dump_to_file
        result = {'changed': True, 'ansible_facts': {}, 'unsupported_tables': [], 'proc_tables': [],
                  'dump': dump_to_file(request, check_mode)}
        if lines:
            result['lines'] = []        # ss -D prints nothing
        return result, list(request.warnings)
    selection = select(request)
    return dict(changed=False, **facts_result(request, selection, fields, lines)), selection.warnings


__all__ = ['summarize', 'facts_result', 'events_result', 'module_result']
