# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_assert's main() with hostile arguments and rules: a result, or a failure with a message, never a traceback."""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.modules import socket_assert

from hostile import hypothesis, install, json_values, run_main, st
from fuzzing import fuzz
from test__assert_fuzz import TYPED, _rule
# files: the fixture of the prepared paths
from test_socket_facts_fuzz import OPTION_VALUES as FACTS_VALUES, arguments, files  # noqa: F401 pylint: disable=unused-import


def _json(value):
    """The value as JSON module arguments carry it (bytes become text)."""
    if isinstance(value, bytes):
        return value.decode('latin-1')
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return dict((k, _json(v)) for k, v in value.items())
    return value


@st.composite
def _sane_rule(draw):
    """A rule with a name and a few keys of about the right kind (most reach the evaluation)."""
    rule = {'name': draw(st.sampled_from(['a', 'b', 'c', 'no telnet']))}
    for key in draw(st.lists(st.sampled_from(['expect', 'min', 'max', 'ss_args', 'filter', 'tables', 'states']),
                             max_size=3, unique=True)):
        rule[key] = draw(TYPED[key])
    if draw(st.integers(0, 3)) == 0:
        rule['process'] = draw(st.sampled_from([{'name': 'sshd'}, {'user': 'root'}, [{'pid': 1}, {'user': 0}]]))
    return rule


OPTION_VALUES = dict((k, v) for k, v in FACTS_VALUES.items() if k in (
    'ss_args', 'tables', 'families', 'states', 'exclude_states', 'filter', 'netns'))
OPTION_VALUES.update({
    'name': st.text(max_size=6),
    'expect': st.sampled_from(['absent', 'present', 'absent', 'present', 'bogus']),
    'min': st.integers(-1, 3), 'max': st.integers(-1, 3),
    'process': json_values(), 'allow_process': st.sampled_from([{'name': 'sshd'}, [{'user': 0}, {'pid': 1}], {}]),
    'max_offenders': st.integers(-1, 3),
})


@fuzz(250)
@hypothesis.given(data=st.data())
def test_hostile_arguments(monkeypatch, tmp_path, files, capsys, data):
    install(monkeypatch, tmp_path)
    if data.draw(st.booleans()):
        # rules (with the options that go with them), or one wrong option beside them
        args = {'rules': data.draw(st.lists(st.one_of(_sane_rule(), _sane_rule(), _rule()), max_size=3).map(_json))}
        for option, values in (('netns', OPTION_VALUES['netns']), ('max_offenders', OPTION_VALUES['max_offenders']),
                               ('report_only', st.booleans()), ('kernel_filter', st.booleans())):
            if data.draw(st.integers(0, 3)) == 0:
                args[option] = data.draw(values)
        if data.draw(st.integers(0, 9)) == 0:
            args[data.draw(st.sampled_from(sorted(OPTION_VALUES)))] = data.draw(json_values())
    else:
        args = data.draw(arguments(files, OPTION_VALUES, bools=('listening', 'all', 'kernel_filter', 'report_only'),
                                   paths=('filter_file',)))
    rc, result = run_main(socket_assert, args, capsys)
    assert rc == (1 if result.get('failed') else 0), result
    hypothesis.event('failed: %s' % result['msg'].split(':')[0][:30] if result.get('failed') else 'ok')
