# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Random ss command lines and options: the module's input parser either accepts them or raises
ArgsError with a message; nothing else escapes (no traceback reaches the user)."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._facts import build_query, parse_filter

hypothesis = pytest.importorskip('hypothesis')
st = hypothesis.strategies

WORDS = ['-t', '-u', '-x', '-a', '-l', '-n', '-r', '-p', '-T', '-o', '-4', '-6', '-0', '-M', '-e', '-K', '-Z', '-H', '-O',
         '-tuna', '-A', 'tcp', 'all,!tcp', 'u_str', '-f', 'inet', 'inet6', 'bogus', '-N', '-F', '--', '--tcp', '--all',
         '--family=unix', '--fam', 'state', 'exclude', 'established', 'listen', 'listening', 'connected', 'bucket',
         'sport', 'dport', 'src', 'dst', 'dev', 'fwmark', 'cgroup', 'autobound', '=', '!=', '>', '<', '>=', 'eq', 'and',
         'or', 'not', '!', '(', ')', ':22', ':ssh', '22', '-1', '99999', '127.0.0.1', '[::1]', '::1', '10/8', '*',
         'lo', '0x23/0xff', '/tmp/*', '@x', 'unix:/x', 'inet:1.2.3.4', "'", '"', '\\', ' ', '\t', 'é', '\x00']


@hypothesis.settings(max_examples=400, deadline=None, derandomize=True)
@hypothesis.given(words=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=12))
def test_random_ss_args_accept_or_say_why(words):
    text = ' '.join(words)
    try:
        parse_filter(build_query({'ss_args': text}))
    except ArgsError as exc:
        assert str(exc)


@hypothesis.settings(max_examples=200, deadline=None, derandomize=True)
@hypothesis.given(tables=st.lists(st.text(max_size=8), max_size=3), states=st.lists(st.text(max_size=8), max_size=3),
                  families=st.lists(st.text(max_size=6), max_size=2), listening=st.sampled_from([None, True, False]),
                  every=st.sampled_from([None, True, False]), text=st.text(max_size=30))
def test_random_structured_options(tables, states, families, listening, every, text):
    try:
        parse_filter(build_query({'tables': tables, 'states': states, 'families': families, 'listening': listening,
                                  'all': every, 'filter': text}))
    except ArgsError as exc:
        assert str(exc)
