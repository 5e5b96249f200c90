# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module options -> Request: merging ss_args with structured options, the filter file, the parsed filter."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, FilterError
from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import HostCond
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import parse
from ansible_collections.netdiag.ss.plugins.module_utils._filter._lint import MIXED_AND_OR
from ansible_collections.netdiag.ss.plugins.module_utils._request import (
    MAX_FILTER_LINE, bare_selection, build_request, read_filter_file, split_filter_states)
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_UNIX

hypothesis = pytest.importorskip('hypothesis')
st = hypothesis.strategies

LISTEN_CLOSE = (1 << 10) | (1 << 7)


@pytest.mark.parametrize('params,message', [
    ({'listening': True, 'all': True}, 'contradict each other'),
    ({'ss_args': '-a', 'listening': True}, 'listening=true contradicts "-a"'),
    ({'ss_args': '-a', 'all': False}, 'all=false contradicts "-a"'),
    ({'ss_args': '-t state established', 'states': ['listening']}, 'states=listening contradicts "state established"'),
    ({'listening': True, 'states': ['established']}, 'contradicts states'),
    ({'ss_args': '-n', 'resolve': True}, 'resolve=true contradicts "-n"'),
    ({'ss_args': '-p', 'processes': False}, 'processes=false contradicts "-p"'),
    ({'ss_args': '-N a', 'netns': 'b'}, 'netns=b contradicts "-N a"'),
    ({'ss_args': '-N a', 'netns': ''}, 'netns= contradicts "-N a"'),
    # an empty name read the host's own namespace (a templated netns that came out empty)
    ({'netns': ''}, 'netns: "" is not a valid namespace name: give the name of a file in /var/run/netns'),
    ({'ss_args': "-t -N ''"}, 'netns: "" is not a valid namespace name'),
    ({'netns': '../x'}, 'netns: "../x" is not a valid namespace name'),
    ({'ss_args': '-t sport = :22', 'filter': 'dport = :22'}, 'give the expression once'),
    ({'ss_args': '-F a', 'filter_file': 'b'}, 'filter_file=b contradicts "-F a"'),
    ({'tables': ['bogus']}, 'tables: "bogus" is not a socket table'),
    ({'families': ['bogus']}, 'families: "bogus" is not a family'),
    ({'states': ['listen']}, 'did you mean "listening"'),
])
def test_option_contradictions(params, message):
    with pytest.raises(ArgsError) as info:
        build_request(params)
    assert message in str(info.value)


def test_structured_options_add_to_ss_args():
    r = build_request({'ss_args': '-t', 'tables': ['udp'], 'families': ['inet'], 'listening': True, 'processes': True})
    assert r.tables == ('udp', 'tcp') and r.states == LISTEN_CLOSE and r.processes and r.families == {AF_INET}
    r = build_request({'ss_args': '-p', 'processes': True, 'states': ['established', 'time-wait'],
                       'exclude_states': ['time-wait']})
    assert r.states == 1 << 1


def test_request_is_immutable_and_complete():
    r = build_request({'ss_args': '-tn4 -o state established', 'filter': 'sport = :22', 'kernel_filter': False,
                       'netns': 'blue'})
    assert (r.tables, r.inet_families, r.timers, r.netns, r.kernel_filter) == (('tcp',), (AF_INET,), True, 'blue', False)
    assert r.filter == HostCond('src', 0, 22, r.filter.prefixes) and r.filter_words == ('sport = :22',)
    with pytest.raises(AttributeError):
        r.states = 0
    assert build_request({}, identity=True).identity and not build_request({}).identity


def test_operand_family_replaces_families_b14():
    r = build_request({'ss_args': '-t', 'filter': 'src inet6:[::1]'})
    assert r.families == {AF_INET6} and r.inet_families == (AF_INET6,)
    assert build_request({'ss_args': '-a', 'filter': 'src unix:/tmp/*'}).families == {AF_UNIX}


@pytest.mark.parametrize('params', [
    {'ss_args': '-46 -t sport = :25'}, {'ss_args': '-64 -t sport = :25'},
    {'ss_args': '-t', 'families': ['inet', 'inet6'], 'filter': 'sport = :25'},
    {'ss_args': '-t', 'families': ['inet6', 'inet'], 'filter': 'sport = :25'},
])
def test_both_inet_families_give_operands_neither(params):
    """ss narrows `-46 sport = :25` to IPv6 (the operand takes the last family given); both families stay here."""
    r = build_request(params)
    assert r.families == {AF_INET, AF_INET6} and r.inet_families == (AF_INET, AF_INET6)
    assert r.filter.forced_family is None
    assert build_request({'ss_args': '-6 -t sport = :25'}).families == {AF_INET6}
    assert build_request({'ss_args': '-46 -t src inet:10.0.0.1'}).families == {AF_INET}


def test_filter_is_parsed_without_lookups_and_errors_name_the_word():
    """Names wait for the target (no look-up here): a syntax error is reported before anything is read."""
    r = build_request({'ss_args': '-t', 'filter': 'src no-such-host.invalid and dev nosuchdev0 and sport = :nosuchsvc'})
    assert all(n.unresolved() for n in r.filter.walk() if not n.children())
    with pytest.raises(FilterError) as info:
        build_request({'filter': 'sport = 22 )'})
    assert info.value.word == ')' and info.value.position == 3


def test_mixed_and_or_warning_is_carried():
    assert build_request({'filter': 'sport = :1 or sport = :2 and dport = :3'}).warnings == (MIXED_AND_OR,)
    assert build_request({'filter': '( sport = :1 or sport = :2 ) and dport = :3'}).warnings == ()


def test_summary_only():
    assert build_request({'ss_args': '-s'}).summary_only
    assert not build_request({'ss_args': '-s -t'}).summary_only
    assert not build_request({'ss_args': '-s', 'filter': 'sport = :22'}).summary_only


def test_filter_file(tmp_path):
    f = tmp_path / 'filter'
    f.write_text('# comment\n0 skipped like ss does\nsport = :22\n\nor dport = :22\n')
    assert read_filter_file(str(f)) == ['sport = :22', 'or dport = :22']
    assert build_request({'ss_args': '-t', 'filter_file': str(f)}).filter_words == ('sport = :22', 'or dport = :22')
    # ss's fgets() buffer: 1022 bytes with the newline, so 1021 before one and 1022 at the end of the file
    f.write_text('x' * MAX_FILTER_LINE + '\n')
    with pytest.raises(ArgsError, match=r'line 1 of .* is too long \(1023 bytes with its newline; ss accepts up to 1022\)'):
        read_filter_file(str(f))
    f.write_text('x' * (MAX_FILTER_LINE - 1) + '\n')
    assert read_filter_file(str(f)) == ['x' * (MAX_FILTER_LINE - 1)]
    f.write_text('sport = :22\n' + 'x' * MAX_FILTER_LINE)
    assert read_filter_file(str(f)) == ['sport = :22', 'x' * MAX_FILTER_LINE]
    f.write_text('\u00e9' * 511 + '\n')                 # bytes count, not characters
    with pytest.raises(ArgsError, match='1023 bytes'):
        read_filter_file(str(f))


@pytest.mark.parametrize('params', [{'filter_file': '-'}, {'ss_args': '-t -F -'}])
def test_filter_file_standard_input_is_refused(params, monkeypatch):
    """A module's standard input is Ansible's: empty with pipelining (no filter at all, silently), held open over ssh
    without it (a task that waits until it times out)."""
    import io
    import sys
    monkeypatch.setattr(sys, 'stdin', io.TextIOWrapper(io.BytesIO(b'sport = :22\n')))
    with pytest.raises(ArgsError, match=r'^filter_file: "-" is standard input, which a module cannot read'):
        build_request(params)


@pytest.mark.parametrize('params, message', [
    ({'ss_args': "-t state established -F ''"}, 'ss_args: -F has an empty path; give the filter file to read'),
    ({'ss_args': "-ta -D ''"}, 'ss_args: -D has an empty path; give the file to write'),
    ({'ss_args': '-t', 'filter_file': ''}, 'filter_file: the path is empty'),
    ({'ss_args': '-t', 'dump_file': ''}, 'dump_file: the path is empty'),
    ({'ss_args': '-t', 'from_dump': ''}, 'from_dump: the path is empty'),
    ({'ss_args': '-N a -N b -t'}, 'ss_args: more than one network namespace (-N) given'),
])
def test_an_empty_path_is_not_an_absent_option(params, message):
    """ss fails on an empty path (fopen); taken as "not given" it meant no filter (socket_kill would select every
    established socket), the live kernel instead of a capture, or no capture written."""
    with pytest.raises(ArgsError) as info:
        build_request(params)
    assert str(info.value).startswith(message)


def test_filter_file_lines_end_at_newlines_only(tmp_path):
    """ss reads lines with fgets(): a CR, FF, VT or NEL stays in its line (and then in a word, which ss refuses)."""
    f = tmp_path / 'filter'
    for sep in (b'\r', b'\x0c', b'\x0b', b'\xc2\x85', b'\xe2\x80\xa8'):
        f.write_bytes(b'sport = :22' + sep + b'0 or sport = :80\n')
        assert read_filter_file(str(f)) == [(b'sport = :22' + sep + b'0 or sport = :80').decode('utf-8')]
    f.write_bytes(b'sport = :22\r\n')
    assert read_filter_file(str(f)) == ['sport = :22\r']
    with pytest.raises(FilterError, match='does not look like a port'):      # as ss: "22\r" is no port
        bind(parse(build_request({'ss_args': '-t', 'filter_file': str(f)}).filter_words), frozenset(['tcp']))
    f.write_bytes(b'sport = :22\n \t\n\n')
    assert read_filter_file(str(f)) == ['sport = :22']
    f.write_bytes(b'sport = :22\nor\0 dport = :22\n')
    with pytest.raises(ArgsError, match='line 2 of .* holds a NUL byte'):
        read_filter_file(str(f))


def test_filter_file_errors_name_the_path_once(tmp_path):
    missing = str(tmp_path / 'missing')
    for path, reason in ((missing, 'No such file or directory'), (str(tmp_path), 'Is a directory')):
        with pytest.raises(ArgsError) as info:
            read_filter_file(path)
        assert str(info.value) == 'filter_file: cannot read %s: %s' % (path, reason)
    with pytest.raises(ArgsError) as info:
        build_request({'ss_args': '-t -F %s' % missing})
    assert str(info.value) == 'filter_file: cannot read %s: No such file or directory' % missing
    latin1 = tmp_path / 'latin1'
    latin1.write_bytes(b'src caf\xe9\n')
    with pytest.raises(ArgsError) as info:
        read_filter_file(str(latin1))
    assert str(info.value) == 'filter_file: cannot read %s: it is not UTF-8 text (byte 7, line 1)' % latin1
    with pytest.raises(ArgsError) as info:
        read_filter_file('bad\0path')
    assert str(info.value) == 'filter_file: cannot read "bad\\u0000path": a path cannot hold a NUL byte'


# ---------------------------------------------------------------------------
# fuzzing: the input parser accepts or raises ArgsError with a message; nothing else escapes

WORDS = ['-t', '-u', '-x', '-a', '-l', '-n', '-r', '-p', '-T', '-o', '-4', '-6', '-0', '-M', '-e', '-K', '-Z', '-H', '-O',
         '-tuna', '-A', 'tcp', 'all,!tcp', 'u_str', '-f', 'inet', 'inet6', 'bogus', '-N', '-F', '--', '--tcp', '--all',
         '--family=unix', '--fam', 'state', 'exclude', 'established', 'listen', 'listening', 'connected', 'bucket',
         'sport', 'dport', 'src', 'dst', 'dev', 'fwmark', 'cgroup', 'autobound', '=', '!=', '>', '<', '>=', 'eq', 'and',
         'or', 'not', '!', '(', ')', ':22', ':ssh', '22', '-1', '99999', '127.0.0.1', '[::1]', '::1', '10/8', '*',
         'lo', '0x23/0xff', '/tmp/*', '@x', 'unix:/x', 'inet:1.2.3.4', "'", '"', '\\', ' ', '\t', 'é', '\x00', '\udcff']


@hypothesis.settings(max_examples=400, deadline=None, derandomize=True)
@hypothesis.given(words=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=12))
def test_random_ss_args_accept_or_say_why(words):
    try:
        build_request({'ss_args': ' '.join(words)})
    except ArgsError as exc:
        assert str(exc)


@hypothesis.settings(max_examples=200, deadline=None, derandomize=True)
@hypothesis.given(tables=st.lists(st.text(max_size=8), max_size=3), states=st.lists(st.text(max_size=8), max_size=3),
                  families=st.lists(st.text(max_size=6), max_size=2), listening=st.sampled_from([None, True, False]),
                  every=st.sampled_from([None, True, False]), text=st.text(max_size=30))
def test_random_structured_options(tables, states, families, listening, every, text):
    try:
        build_request({'tables': tables, 'states': states, 'families': families, 'listening': listening,
                       'all': every, 'filter': text})
    except ArgsError as exc:
        assert str(exc)


def test_detail_options():
    r = build_request({'ss_args': '-tem --tos', 'cgroup': True, 'inet_sockopt': True, 'bpf': False})
    assert r.details == {'extended', 'memory', 'tos', 'cgroup', 'inet_sockopt'} and r.timers     # -e implies -o
    assert build_request({'ss_args': '-0b'}).timers and build_request({'ss_args': '-tO'}).oneline
    with pytest.raises(ArgsError, match='extended=false contradicts "-e"'):
        build_request({'ss_args': '-e', 'extended': False})
    with pytest.raises(ArgsError, match='oneline=false contradicts "-O"'):
        build_request({'ss_args': '-O', 'oneline': False})


@pytest.mark.parametrize('params, message', [
    ({'ss_args': '-E'}, 'give the events option'),
])
def test_options_being_built_are_refused_not_ignored(params, message):
    with pytest.raises(ArgsError) as info:
        build_request(params)
    assert message in str(info.value)


@pytest.mark.parametrize('params, message', [
    ({'events': 0}, 'not a number of seconds from 1 to 3600'),
    ({'events': 3601}, 'not a number of seconds from 1 to 3600'),
    ({'events': True}, 'events: true is not a number of seconds from 1 to 3600'),      # YAML true passes Ansible's int
    ({'events': 5, 'max_events': 0}, 'max_events: 0 must be at least 1'),
    ({'events': 5, 'max_events': True}, 'max_events: true must be at least 1'),
    ({'ss_args': '-x', 'events': 5}, '-E reports destroyed TCP and UDP sockets (IPv4 and IPv6) only'),
    ({'ss_args': '-t -f unix', 'events': 5}, None),
    ({'ss_args': '-E -D /tmp/x', 'events': 5}, '-D (dump_file) cannot be combined with events (-E)'),
    ({'events': 5, 'from_dump': '/tmp/x'}, 'events (-E) cannot be combined with from_dump'),
    ({'dump_file': '/tmp/x', 'from_dump': '/tmp/y'}, '-D (dump_file) cannot be combined with from_dump'),
    ({'ss_args': '-s', 'events': 5}, 'events (-E) cannot be combined with -s'),
    ({'ss_args': '-s -D /tmp/x'}, '-D (dump_file) cannot be combined with -s'),
    ({'ss_args': '-D -'}, 'writes to standard output'),
    ({'ss_args': '-u', 'dump_file': '/tmp/x'}, 'no TCP table is selected'),
    ({'ss_args': '-t sport = :22', 'dump_file': '/tmp/x'}, 'remove the expression'),
    ({'ss_args': '-x', 'from_dump': '/tmp/x'}, 'from_dump: the capture replaces the TCP table'),
    ({'ss_args': '-D /tmp/x', 'dump_file': '/tmp/y'}, 'dump_file=/tmp/y contradicts "-D /tmp/x"'),
    ({'ss_args': '-tiD /tmp/x'}, None),                 # -D asks for tcp_info and decodes nothing
    ({'ss_args': '-s', 'from_dump': '/tmp/x'}, None),
    ({'ss_args': '-ti', 'events': 5}, None),          # the kernel sends tcp_info with each TCP event
])
def test_rules_of_events_dump_file_and_from_dump(params, message):
    if message is None:
        build_request(params)
        return
    with pytest.raises(ArgsError) as info:
        build_request(params)
    assert message in str(info.value)


def test_events_dump_file_and_from_dump_requests():
    r = build_request({'ss_args': '-Etu', 'events': 3})
    assert (r.events, r.max_events, r.dump_file, r.from_dump, r.warnings) == (3, 10000, None, None, ())
    r = build_request({'ss_args': '-A tcp,unix', 'tables': ['mptcp'], 'events': 3, 'max_events': 2})
    assert r.max_events == 2 and r.warnings == ('events: -E reports destroyed TCP and UDP sockets only; unix_stream, '
                                                'unix_dgram, unix_seqpacket, mptcp ignored',)
    # tables named as tables or by a family option (-x, -0, -f netlink, families:), not the default selection nor
    # the inet tables -4/-6/-f inet bring
    assert build_request({'events': 3}).warnings == build_request({'ss_args': '-tu4 -f inet6', 'events': 3}).warnings == ()
    ignored = 'events: -E reports destroyed TCP and UDP sockets only; %s ignored'
    unix = ignored % 'unix_stream, unix_dgram, unix_seqpacket'
    for params, warning in (({'ss_args': '-tx4'}, unix), ({'ss_args': '-t -x'}, unix), ({'ss_args': '-x -A tcp'}, unix),
                            ({'ss_args': '-t -0'}, ignored % 'packet_raw, packet_dgram'),
                            ({'ss_args': '-t -f link'}, ignored % 'packet_raw, packet_dgram'),
                            ({'ss_args': '-t -f netlink'}, ignored % 'netlink'),
                            # the broad -A groups name no table for unsupported_tables, but -E follows only tcp and
                            # udp of what they ask for
                            ({'ss_args': '-A inet'}, ignored % 'raw, dccp, sctp, mptcp'),
                            ({'tables': ['inet']}, ignored % 'raw, dccp, sctp, mptcp'),
                            ({'tables': ['tcp'], 'families': ['unix', 'inet']}, unix)):
        assert build_request(dict(params, events=3)).warnings == (warning,), params
    r = build_request({'ss_args': '-ta6 -D /tmp/x'})
    assert r.dump_file == '/tmp/x' and r.inet_families == (AF_INET6,) and r.events is None
    r = build_request({'ss_args': '-ta sport = :22', 'from_dump': '/tmp/x'})
    assert r.from_dump == '/tmp/x' and r.filter is not None


@pytest.mark.parametrize('text, words, rest, count', [
    ('state listening sport = :23', [('listening', False)], ' sport = :23', 2),
    ('exclude established excl syn-sent ( dport = :22 )', [('established', True), ('syn-sent', True)],
     ' ( dport = :22 )', 4),
    ('  state connected', [('connected', False)], '', 2),
    ('statefoo = 1', [], 'statefoo = 1', 0),
    ('src 10.0.0.1 state x', [], 'src 10.0.0.1 state x', 0),
])
def test_filter_takes_ss_state_words_in_front(text, words, rest, count):
    assert split_filter_states(text) == (words, rest, count)


def test_filter_state_words_choose_the_states():
    assert build_request({'filter': 'state listening sport = :23'}).states == \
        build_request({'ss_args': 'state listening sport = :23'}).states
    assert build_request({'filter': 'state listening'}).filter is None


@pytest.mark.parametrize('flag', ['-tan', '-tln'])
def test_filter_state_words_after_a_or_l(flag):
    # ss -tan state listening: the state words replace what -a (or -l) chose
    assert build_request({'ss_args': flag, 'filter': 'state listening sport = :23'}).states == \
        build_request({'ss_args': flag + ' state listening sport = :23'}).states == \
        build_request({'ss_args': '-tn state listening'}).states


@pytest.mark.parametrize('params, message', [
    ({'filter': 'state'}, '"state" needs a state name'),
    ({'filter': 'state listening', 'listening': True}, 'listening=true contradicts the state words of filter'),
    ({'filter': 'state listening', 'ss_args': 'state established'}, 'both choose the states'),
])
def test_filter_state_word_errors(params, message):
    with pytest.raises(ArgsError, match=message):
        build_request(params)


@pytest.mark.parametrize('params, message', [
    ({'source': 'proc', 'events': 5}, 'source: proc has no events'),
    ({'source': 'proc', 'ss_args': '-E', 'events': 5}, 'source: proc has no events'),
    ({'source': 'proc', 'ss_args': '-D /tmp/x'}, 'source: proc cannot write a capture'),
    ({'source': 'proc', 'dump_file': '/tmp/x'}, 'source: proc cannot write a capture'),
    ({'source': 'sysfs'}, 'source: "sysfs" is not one of auto, netlink, proc'),
    ({'source': 'proc', 'ss_args': '-t', 'from_dump': '/tmp/x'}, None),
    ({'source': 'netlink', 'events': 5}, None),
])
def test_source(params, message):
    if message is None:
        assert build_request(params).source == params['source']
        return
    with pytest.raises(ArgsError) as info:
        build_request(params)
    assert message in str(info.value)


def test_source_default():
    assert build_request({}).source == build_request({'source': None}).source == 'auto'


@pytest.mark.parametrize('params, message', [
    ({'max_sockets': 0}, 'max_sockets: 0 must be at least 1'),
    ({'max_sockets': True}, 'max_sockets: true must be at least 1'),
    ({'max_sockets': -5}, 'max_sockets: -5 must be at least 1'),
    ({'max_sockets': 10, 'events': 5}, 'events (-E) lists no sockets (use max_events to bound it)'),
    ({'max_sockets': 10, 'ss_args': '-t -D /tmp/x'}, '-D (dump_file) lists no sockets'),
])
def test_max_sockets_is_a_positive_bound_of_a_listing(params, message):
    with pytest.raises(ArgsError) as info:
        build_request(params)
    assert message in str(info.value)


def test_max_sockets_request():
    assert build_request({'ss_args': '-t'}).max_sockets is None
    assert build_request({'ss_args': '-t', 'max_sockets': 1}).max_sockets == 1
    assert build_request({'ss_args': '-t', 'max_sockets': 5, 'from_dump': '/tmp/x'}).max_sockets == 5


@pytest.mark.parametrize('params, without, words', [
    ({'ss_args': 'exclude all'}, {}, 'exclude all'),
    ({'ss_args': '-x state listening excl listening'}, {'ss_args': '-x'}, 'state listening exclude listening'),
    ({'filter': 'exclude all sport = :22'}, {'filter': 'sport = :22'}, 'exclude all'),
])
def test_state_words_that_leave_no_state_are_ignored_with_a_warning(params, without, words):
    """ss ignores state words that leave no state (its default states): the same states as without them, and a warning."""
    r = build_request(params)
    assert r.states == build_request(without).states and r.tables == build_request(without).tables
    assert r.warnings == ('the state words "%s" leave no state; they are ignored, as ss ignores them' % words,)
    assert build_request({'ss_args': '-t state listening'}).warnings == ()


@pytest.mark.parametrize('params, message', [
    ({'ss_args': '-t state established and dport = :443'},
     'filter: "and" needs a condition on its left at word 1; state words are not joined to the expression with "and" '
     '(ss rejects it too): write the expression right after them ("... dport = :443")'),
    ({'ss_args': '-t exclude listening', 'filter': '|| dport = :443'},
     'filter: "||" needs a condition on its left at word 1; state words are not joined to the expression with "||"'),
    # no state words: the parser's own hint
    ({'ss_args': '-t', 'filter': 'and dport = :443'},
     'filter: "and" needs a condition on its left at word 1; an expression cannot start with an operator'),
    ({'ss_args': '-tl and dport = :443'},
     'filter: "and" needs a condition on its left at word 1; an expression cannot start with an operator'),
])
def test_state_words_joined_with_and_get_the_hint_the_plugins_give(params, message):
    with pytest.raises(FilterError) as info:
        build_request(params)
    assert str(info.value).startswith(message)


def test_filter_of_state_words_goes_with_an_expression_in_ss_args():
    """filter: "state listening" beside ss_args "-t sport = :22" is ss -t state listening sport = :22 (as states: does);
    an expression in both is refused, quoting the filter's expression."""
    both = build_request({'ss_args': '-t sport = :22', 'filter': 'state listening'})
    whole = build_request({'ss_args': '-t state listening sport = :22'})
    assert (both.states, both.filter) == (whole.states, whole.filter)
    assert both.states == build_request({'ss_args': '-t sport = :22', 'states': ['listening']}).states
    with pytest.raises(ArgsError, match=r'^option filter="dport = :80" contradicts the expression "sport = :22"'):
        build_request({'ss_args': '-t sport = :22', 'filter': 'state listening dport = :80'})


def test_bare_selection_keeps_the_selection_and_drops_what_it_adds():
    request = build_request({'ss_args': '-tanpTo -e -m -i -s sport = :22', 'netns': 'blue'}, identity=True)
    bare = bare_selection(request, netns='red')
    assert (bare.processes, bare.threads, bare.timers, bare.summary, bare.summary_only, bare.details, bare.identity,
            bare.warnings) == (False, False, False, False, False, frozenset(), False, ())
    assert (bare.tables, bare.states, bare.filter, bare.families, bare.netns) == \
        (request.tables, request.states, request.filter, request.families, 'red')
    assert bare_selection(request, identity=True).identity is True


@pytest.mark.parametrize('text', ['', '  '])
def test_an_empty_filter_beside_an_ss_args_expression_is_a_second_one(text):
    """A template that came out empty is not taken for state words: it contradicts the expression, as before."""
    with pytest.raises(ArgsError, match=r'^option filter="%s" contradicts the expression "sport = :22"' % text):
        build_request({'ss_args': '-t sport = :22', 'filter': text})
    assert build_request({'ss_args': '-t sport = :22', 'filter': ' state listening '}).states == 1 << 10


def test_expression_errors_count_from_the_start_of_the_filter():
    """As select_sockets counts them, and as the state words' own errors count: words of the whole filter."""
    with pytest.raises(FilterError, match=r'^filter: "\)" closes a parenthesis that was never opened at word 6;') as info:
        build_request({'filter': 'state listening sport = :22 )'})
    assert info.value.position == 5
    with pytest.raises(FilterError, match=r'at word 4;'):
        build_request({'ss_args': '-t', 'filter': 'sport = :22 )'})
