# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A filter evaluated on returned records (as a controller-side plugin does) selects what the target selects.

For every case of test_filter_differential.py that records can answer
(no fwmark, cgroup, autobound or dev by index) and where the kernel decides
as ss's user space does: socket_facts runs once with the filter on the
target, once without it, and record_matcher applied to the unfiltered
records must keep exactly the rows the filtered run returned.
"""

from __future__ import annotations

import warnings

import pytest

from conftest import run_module
from test_filter_differential import CASES

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import AutoBound, CgroupCond, DevCond, MarkCond
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import record_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bytecode import kernel_half_differs
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request

KEY = ('netid', 'state', 'local_address', 'local_port', 'peer_address', 'peer_port', 'interface')


def _answerable(opts, expr):
    """(ss_args without the expression, the request) for a case records can answer, else None."""
    try:
        request = build_request({'ss_args': '%s -n %s' % (opts, expr)})
    except ArgsError:
        return None
    nodes = list(request.filter.walk()) if request.filter is not None else []
    if not nodes or kernel_half_differs(nodes) or any(isinstance(n, (MarkCond, CgroupCond, AutoBound)) for n in nodes):
        return None
    if any(isinstance(n, DevCond) and n.text not in ('ndveth0', 'lo', '0') for n in nodes):
        return None
    base = build_request({'ss_args': opts + ' -n'})
    if (base.tables, base.families, base.states) != (request.tables, request.families, request.states):
        return None     # the expression changes the selection itself (state words, -a inside it, B-14)
    try:
        record_matcher(request.filter, request.tables)
    except ArgsError:
        return None     # a name this host cannot resolve: ss and the module reject it too (test_filter_differential)
    return request


CHOSEN = [(opts, expr) for opts, expr in CASES if _answerable(opts, expr) is not None]


def test_enough_cases_are_chosen():
    assert len(CHOSEN) >= 80, len(CHOSEN)


@pytest.mark.parametrize('opts,expr', CHOSEN, ids=['%s %s' % c for c in CHOSEN])
def test_records_select_what_the_target_selects(netns, sockets, opts, expr):
    request = _answerable(opts, expr)
    match = record_matcher(request.filter, request.tables)
    for attempt in range(3):    # two module runs read the kernel one after the other: retry a transient difference
        everything = run_module('socket_facts', {'ss_args': opts + ' -n', 'netns': netns.name, 'lines': False})
        target = run_module('socket_facts', {'ss_args': '%s -n %s' % (opts, expr), 'netns': netns.name, 'lines': False})
        ours = [tuple(r[k] for k in KEY) for r in everything['ansible_facts']['sockets'] if match(r)]
        theirs = [tuple(r[k] for k in KEY) for r in target['ansible_facts']['sockets']]
        if sorted(ours) == sorted(theirs):
            break
        warnings.warn('attempt %d of %s %s differed' % (attempt + 1, opts, expr))
    assert sorted(ours) == sorted(theirs), (set(ours) ^ set(theirs))
