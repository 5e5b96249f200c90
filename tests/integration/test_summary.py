# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""-s / summary: the kernel's socket statistics exactly as `ss -s` prints them, in the test namespace."""

from __future__ import annotations

import warnings

import pytest

from conftest import comparable, run_module, run_ss


@pytest.mark.parametrize('args', ['-s', '-sn', '-s -a', '-s -l', '-s -tn', '-s -tan', '-s -x', '-sn state established',
                                  '-sn sport = :5001', '-s -u -an'])
def test_summary_like_ss(netns, sockets, args):
    for attempt in range(3):
        problem, result = _compare(netns, args.split())
        if problem is None:
            break
        warnings.warn('attempt %d of ss %s differed: %s' % (attempt + 1, args, problem))
    assert problem is None, problem
    stats = result['ansible_facts']['socket_stats']
    assert stats['transport']['tcp']['total'] >= 20 and stats['transport']['udp']['total'] == 4
    assert stats['transport']['inet']['total'] == sum(stats['transport'][t]['total'] for t in ('raw', 'udp', 'tcp'))


def _compare(ns, argv):
    """Every line equal, except "Total:" (sockets in use), which may lag by a few.

    The kernel releases the sockets of a process that just exited (the previous
    ss or module run) asynchronously, so two runs a moment apart can count a
    few more or fewer sockets in use; ss shows the same drift from run to run.
    """
    rc, ss_lines, err = run_ss(ns, argv)
    assert rc == 0, err
    result = run_module('socket_facts', {'ss_args': ' '.join(argv), 'netns': ns.name})
    theirs, _t = comparable(ss_lines)
    ours, _o = comparable(result['lines'])
    if theirs[0][0] != 'Total:' or ours[0][0] != 'Total:':
        return 'no Total line: %s / %s' % (theirs[:1], ours[:1]), result
    if abs(int(theirs[0][1]) - int(ours[0][1])) > 3:
        return 'Total %s vs ss %s' % (ours[0][1], theirs[0][1]), result
    if ours[1:] != theirs[1:]:
        return 'lines differ: ours %s, ss %s' % (ours[1:], theirs[1:]), result
    return None, result


def test_summary_alone_lists_no_socket(netns, sockets):
    result = run_module('socket_facts', {'summary': True, 'netns': netns.name})
    assert result['ansible_facts']['sockets'] == [] and result['lines'][0].startswith('Total: ')
    both = run_module('socket_facts', {'summary': True, 'tables': ['tcp'], 'netns': netns.name})
    assert both['ansible_facts']['sockets'] and 'socket_stats' in both['ansible_facts']
