# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_facts' main() with hostile arguments: a result, or a failure with a message, never a traceback.

Every option gets values of its own type and of any other type JSON can
carry, the path options name good, corrupt and special files (a FIFO, a
directory, /dev/zero), and the host is faked (hostile.py).
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.netdiag.ss.plugins.modules import socket_facts

from hostile import hypothesis, install, json_values, local_paths, run_main, st
from fuzzing import fuzz
from test__dumpfile_fuzz import VALID as CAPTURES

OPTION_VALUES = {
    'ss_args': st.lists(st.sampled_from(['-t', '-u', '-x', '-a', '-l', '-n', '-r', '-p', '-T', '-e', '-m', '-i', '-o',
                                         '-s', '-b', '-Z', '-z', '-O', '-H', '-E', '-K', '-4', '-6', '-0', '-w', '-S',
                                         '-M', '-A', 'all', '-D', 'dump', '-F', 'filter', '-N', 'ns1', '--tos',
                                         'state', 'established', 'sport', '=', ':22', 'dev', 'lo', "'", '\\']),
                        max_size=6).map(' '.join),
    'tables': st.lists(st.sampled_from(['tcp', 'udp', 'unix', 'all', 'inet', 'x', '!tcp']), max_size=3),
    'families': st.lists(st.sampled_from(['inet', 'inet6', 'unix', 'link', 'netlink', 'xdp', 'x']), max_size=2),
    'states': st.lists(st.sampled_from(['listening', 'established', 'connected', 'all', 'bogus']), max_size=2),
    'exclude_states': st.lists(st.sampled_from(['listening', 'time-wait', 'bogus']), max_size=2),
    'filter': st.sampled_from(['sport = :22', 'dst 10.0.0.0/8', 'src [::1]', 'dev lo', 'fwmark 1', 'autobound',
                               'cgroup /', 'src host.invalid', '( sport = :22', 'sport = :http']),
    'netns': st.sampled_from(['ns1', '', '..', 'a/b']),
    'fields': st.lists(st.sampled_from(['netid', 'state', 'local_port', 'info', 'sctp', 'processes'] * 3 + ['bogus']),
                       max_size=3),
    'events': st.integers(-2, 4000),
    'max_events': st.integers(-2, 3),
}
BOOLS = ('listening', 'all', 'kernel_filter', 'resolve', 'processes', 'threads', 'timers', 'summary', 'extended',
         'memory', 'info', 'tos', 'cgroup', 'inet_sockopt', 'bpf', 'context', 'contexts', 'tipcinfo', 'oneline', 'lines')
PATHS = ('filter_file', 'dump_file', 'from_dump')


@pytest.fixture
def files(tmp_path):
    (tmp_path / 'filter').write_bytes(b'sport = :22\n# comment\nor dport = :22\n')
    (tmp_path / 'latin1').write_bytes(b'src unix:/run/caf\xe9\n')
    (tmp_path / 'capture').write_bytes(CAPTURES[0])
    (tmp_path / 'corrupt').write_bytes(CAPTURES[0][:-7])
    os.mkfifo(str(tmp_path / 'fifo'))
    (tmp_path / 'dir').mkdir()
    return ['filter', 'latin1', 'capture', 'corrupt', 'fifo', 'dir', 'missing', 'new', '/dev/zero', '/dev/null']


@st.composite
def arguments(draw, names, option_values=None, bools=BOOLS, paths=PATHS, extra=()):
    """Options with values of their type; in one example out of three, one option with a value of any type."""
    option_values = OPTION_VALUES if option_values is None else option_values
    every = sorted(option_values) + list(bools) + list(paths) + list(extra)
    wrong = draw(st.one_of(st.none(), st.none(), st.sampled_from(every)))
    args = {}
    for option, values in option_values.items():
        if draw(st.integers(0, 4)) == 0:
            args[option] = draw(values)
    for option in bools:
        if draw(st.integers(0, 7)) == 0:
            args[option] = draw(st.booleans())
    for option in paths:
        if draw(st.integers(0, 4)) == 0:
            args[option] = draw(local_paths(names))
    if wrong is not None:
        args[wrong] = draw(json_values())
    if draw(st.integers(0, 9)) == 0:
        args[draw(st.sampled_from(['bogus', 'name', 'max_kill', 'rules', '_ansible_bogus']))] = draw(json_values())
    if draw(st.booleans()):
        args['_ansible_check_mode'] = True
    return args


@fuzz(250)
@hypothesis.given(data=st.data())
def test_hostile_arguments(monkeypatch, tmp_path, files, capsys, data):
    install(monkeypatch, tmp_path)
    args = data.draw(arguments(files))
    rc, result = run_main(socket_facts, args, capsys)
    assert rc == (1 if result.get('failed') else 0), result
    hypothesis.event('failed: %s' % result['msg'].split(':')[0][:30] if result.get('failed') else 'ok')
