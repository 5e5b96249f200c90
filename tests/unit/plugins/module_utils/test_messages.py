# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Error messages speak the playbook's language.

Values appear as they are written in YAML (true, false, null, "text"), never as Python
prints them (True, None, 'text'); an OS error gives its reason once, not Python's
"[Errno 2] ...: 'path'" that repeats the path; nothing says a feature comes "later"
or does not exist "yet".
"""

from __future__ import annotations

import re

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._assert import parse_rules
from ansible_collections.netdiag.ss.plugins.module_utils._errors import SocketToolError
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request

PYTHONIC = re.compile(r"\b(True|False|None)\b|\[Errno|\byet\b|\blater\b|not implemented|\bu'|'[^' ]*'(?= is| must|$)")

REQUESTS = [
    {'ss_args': '-l', 'listening': False}, {'ss_args': '-a', 'all': False}, {'ss_args': '-a', 'listening': True},
    {'ss_args': '-p', 'processes': False}, {'ss_args': '-n', 'resolve': True}, {'ss_args': '-e', 'extended': False},
    {'ss_args': '-o', 'timers': False}, {'ss_args': '-s', 'summary': False}, {'ss_args': '-O', 'oneline': False},
    {'listening': True, 'all': True}, {'listening': True, 'states': ['established']},
    {'ss_args': 'state established', 'listening': True}, {'ss_args': 'state established', 'all': False},
    {'ss_args': '-t sport = :1', 'filter': 'dport = :2'}, {'filter_file': '/nonexistent/ndss-filter'},
    {'ss_args': '-F /nonexistent/ndss-filter'}, {'filter_file': '/'}, {'filter_file': 'a\0b'},
    {'ss_args': "-t 'unbalanced"}, {'events': 0}, {'max_events': 0}, {'ss_args': '-K'}, {'ss_args': '-h'},
    {'ss_args': '-V'}, {'ss_args': '-f help'}, {'ss_args': '-f bogus'}, {'ss_args': '-A bogus'}, {'ss_args': '--bogus'},
    {'ss_args': '-t state listen'}, {'tables': ['bogus']}, {'families': ['bogus']}, {'ss_args': '-E'},
    {'ss_args': '-D -'}, {'ss_args': '-u -D /tmp/x'}, {'ss_args': '-t -D /tmp/x sport = :1'},
    {'from_dump': '/tmp/x', 'ss_args': '-u'}, {'ss_args': '-N a', 'netns': 'b'},
    {'ss_args': '-t', 'filter': 'sport = :nosuchservice ('}, {'ss_args': '-t', 'filter': 'sport ='},
]

RULES = [
    [True], [None], [{'name': True}], [{'name': 'x', 'expect': True}], [{'name': 'x', 'expect': 'yes'}],
    [{'name': 'x', 'expect': 'present', 'min': True}], [{'name': 'x', 'max': False}], [{'name': 'x', 'process': True}],
    [{'name': 'x', 'process': [True]}], [{'name': 'x', 'process': {'pid': True}}], [{'name': 'x', 'process': {'pid': None}}],
    [{'name': 'x', 'process': {'name': False}}], [{'name': 'x', 'allow_process': {'user': None}}],
    [{'name': 'x', 'listening': 'perhaps'}], [{'name': 'x', 'all': None, 'listening': [True]}],
    [{'name': 'x', 'filter': True}], [{'name': 'x', 'filter_file': False}], [{'name': 'x', 'ss_args': ['-t', True]}],
    [{'name': 'x', 'tables': [None]}], [{'name': 'x', 'families': True}], [{'name': 'x', 'listening': True, 'all': True}],
]


def _message(call, arg):
    with pytest.raises(SocketToolError) as info:
        call(arg)
    return str(info.value)


@pytest.mark.parametrize('params', REQUESTS, ids=repr)
def test_request_messages(params):
    msg = _message(build_request, params)
    assert not PYTHONIC.search(msg), msg


@pytest.mark.parametrize('rules', RULES, ids=repr)
def test_rule_messages(rules):
    msg = _message(parse_rules, rules)
    assert not PYTHONIC.search(msg), msg


def test_os_errors_name_the_path_once():
    msg = _message(build_request, {'filter_file': '/nonexistent/ndss-filter'})
    assert msg.count('/nonexistent/ndss-filter') == 1, msg


def test_kill_points_at_the_module_that_exists():
    msg = _message(build_request, {'ss_args': '-tK'})
    assert msg == 'ss_args: -K closes sockets: use the netdiag.ss.socket_kill module for that'
