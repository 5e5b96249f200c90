# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Socket records on the controller: the FILTER (state words + expression), selection, and ss lines."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, FilterError
from ansible_collections.netdiag.ss.plugins.module_utils._filter._lint import MIXED_AND_OR
from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    SS_ALL, SS_CLOSE, SS_ESTABLISHED, SS_LISTEN, SS_SYN_SENT, SS_TIME_WAIT, STATE_WORDS,
)
from ansible_collections.netdiag.ss.plugins.plugin_utils import _sockets


def rec(**kw):
    out = {'netid': 'tcp', 'state': 'ESTAB', 'recv_q': 0, 'send_q': 0, 'local_address': '10.0.0.1', 'local_port': 22,
           'peer_address': '10.0.0.2', 'peer_port': 50312, 'interface': None, 'family': 'inet', 'uid': 0, 'inode': 1,
           'cookie': 1}
    out.update(kw)
    return out


TCP_ESTAB = rec()
UNIX_LISTEN_NULL = rec(netid='u_str', family='unix', state='LISTEN', local_address=None, local_port=100, peer_address='*',
                       peer_port=0)
TCP_LISTEN = rec(state='LISTEN', local_address='*', peer_address='*', peer_port=0)
TCP6_ESTAB = rec(family='inet6', local_address='::1', local_port=443, peer_address='::1', peer_port=40000)
TCP_SYN_SENT = rec(state='SYN-SENT', local_port=41000, peer_port=443)
TCP_TIME_WAIT = rec(state='TIME-WAIT', local_port=41001, peer_port=443)
UDP = rec(netid='udp', state='UNCONN', local_address='127.0.0.53', local_port=53, peer_address='0.0.0.0', peer_port=0)
UNIX = rec(netid='u_str', family='unix', state='LISTEN', local_address='/run/app.sock', local_port=100,
           peer_address='*', peer_port=0)
LO_BOUND = rec(state='LISTEN', local_address='127.0.0.1', local_port=8080, peer_address='0.0.0.0', peer_port=0,
               interface='lo')
TIPC = rec(netid='ti_rd', family='tipc', state='UNCONN', local_address='16777217', local_port=1, peer_address='-',
           peer_port=None)
SCTP_ENDPOINT = rec(netid='sctp', state='LISTEN', local_address='*', local_port=9, peer_address='*', peer_port=0,
                    sctp={'endpoint': None, 'locals': ['10.0.0.1'], 'peers': None})
SCTP_ASSOC = rec(netid='sctp', state='COOKIE_WAIT', local_port=9, peer_port=9,
                 sctp={'endpoint': 7, 'locals': ['10.0.0.1'], 'peers': ['10.0.0.2']})
ALL = [TCP_ESTAB, TCP_LISTEN, TCP6_ESTAB, TCP_SYN_SENT, TCP_TIME_WAIT, UDP, UNIX, LO_BOUND, TIPC, SCTP_ENDPOINT,
       SCTP_ASSOC]
NAMES = {id(r): n for n, r in globals().items() if isinstance(r, dict) and r in ALL}


def picked(text):
    return [NAMES[id(r)] for r in _sockets.select(ALL, text)[0]]


# ---------------------------------------------------------------------------- state words

@pytest.mark.parametrize('text, mask, expression, count', [
    ('', None, '', 0),
    ('sport = :22', None, 'sport = :22', 0),
    ('state established', 1 << SS_ESTABLISHED, '', 2),
    ('state established sport = :22', 1 << SS_ESTABLISHED, ' sport = :22', 2),
    ('  state\tESTABLISHED   dport = :443', 1 << SS_ESTABLISHED, '   dport = :443', 2),
    ('exclude listening', SS_ALL & ~(1 << SS_LISTEN), '', 2),
    ('excl listening', SS_ALL & ~(1 << SS_LISTEN), '', 2),
    ('state listening state established', (1 << SS_LISTEN) | (1 << SS_ESTABLISHED), '', 4),
    # ss: the first word decides where it starts; later words add or take away
    ('exclude listening state listening', SS_ALL, '', 4),
    ('state all exclude time-wait', SS_ALL & ~(1 << SS_TIME_WAIT), '', 4),
    ('state connected', STATE_WORDS['connected'], '', 2),
    ('state synchronized', STATE_WORDS['synchronized'], '', 2),
    ('state bucket', STATE_WORDS['bucket'], '', 2),
    ('state big', STATE_WORDS['big'], '', 2),
    ('state unconnected', 1 << SS_CLOSE, '', 2),
    ('state syn-sent ( dport = :443 )', 1 << SS_SYN_SENT, ' ( dport = :443 )', 2),
])
def test_split_filter(text, mask, expression, count):
    assert _sockets.split_filter(text) == (mask, expression, count)


@pytest.mark.parametrize('text, words', [
    ('exclude all', 'exclude all'),
    ('state established exclude established sport = :1', 'state established exclude established'),
    ('state listening excl LISTENING', 'state listening excl LISTENING'),
])
def test_state_words_that_leave_no_state_are_ignored_with_a_warning(text, words):
    """ss ignores them (it lists its default states; it never says "no socket states" for state words): every state
    is kept, as without state words, and the warning says so."""
    assert _sockets.split_filter(text)[0] == 0
    selection = _sockets.compile_filter(text)
    assert selection.states is None
    assert selection.warning == 'the state words "%s" leave no state; they are ignored, as ss ignores them' % words
    assert _sockets.compile_filter('state established').warning is None


@pytest.mark.parametrize('text, message', [
    ('state', 'filter: "state" needs a state name after it at word 1; for example "state established"'),
    ('state established exclude', 'filter: "exclude" needs a state name after it at word 3; for example "exclude established"'),
    ('state listen', 'filter: "listen" is not a state name at word 2; did you mean "listening"?'),
    ('exclude bogus', 'filter: "bogus" is not a state name at word 2; valid: ' + ', '.join(sorted(STATE_WORDS))),
])
def test_state_word_errors(text, message):
    with pytest.raises(FilterError) as info:
        _sockets.split_filter(text)
    assert str(info.value) == message


def test_words_are_split_as_the_expression_parser_splits_them():
    """A backslash keeps a blank inside a word, in state words and in the expression alike."""
    spaced = dict(UNIX, local_address='/run/my app.sock')
    assert _sockets.select([UNIX, spaced], 'state listening src unix:/run/my\\ app.sock')[0] == [spaced]


@pytest.mark.parametrize('text', [
    'state listening sport = :22', ' state listening\n', 'sport = :22\n', 'exclude listening\tsrc unix:/tmp/a\\ b',
    'state\nlistening', 'state listening\nsport = :22', 'state', 'state lsitening', 'src 10.0.0.1 state x',
    'state listening \n sport = :22', 'state listening exclude\nestablished', 'state listening sport = :22 )',
])
def test_the_module_and_select_sockets_read_a_filter_alike(text):
    """One splitter (_syntax.split_state_words) for the module's filter option and for select_sockets: the same
    state words and expression, or an error about the same word."""
    try:
        _sockets.compile_filter(text)
    except FilterError as exc:
        with pytest.raises(ArgsError) as info:
            build_request({'filter': text})
        assert '"%s"' % exc.word.replace('\n', '\\n') in str(info.value)
        assert getattr(info.value, 'position', exc.position) == exc.position       # counted from the filter's start
        return
    mask, expression, _count = _sockets.split_filter(text)
    request = build_request({'filter': text})
    assert request.states == (build_request({}).states if mask is None else mask)
    assert request.filter == build_request({'filter': expression}).filter


def test_a_line_break_inside_a_filter_is_named():
    """A YAML block (|) keeps line breaks; ss splits words at spaces and TABs only: the error says so."""
    for text in ('state listening\nsport = :22', 'state\nlistening', 'sport = :22\nand dport = :80',
                 'state listening \n sport = :22'):
        with pytest.raises(FilterError, match=r'\\n.*a line break does not separate words'):
            _sockets.compile_filter(text)
        if 'and' not in text:   # the module reads ":22\nand" as a service name later, in the target namespace
            with pytest.raises(FilterError, match=r'\\n.*a line break does not separate words'):
                build_request({'filter': text})
    # around the whole filter, a line break is only space
    assert _sockets.compile_filter('state listening\n').states == _sockets.compile_filter('state listening').states
    assert build_request({'filter': 'sport = :22\n'}).filter == build_request({'filter': 'sport = :22'}).filter


# ---------------------------------------------------------------------------- selection

@pytest.mark.parametrize('text, expected', [
    ('', list(NAMES.values())),
    # SCTP as the kernel lists it: endpoints whatever their state when LISTEN is asked for, associations otherwise
    ('state established', ['TCP_ESTAB', 'TCP6_ESTAB', 'SCTP_ASSOC']),
    ('state established dport = :50312', ['TCP_ESTAB']),
    ('exclude listening', ['TCP_ESTAB', 'TCP6_ESTAB', 'TCP_SYN_SENT', 'TCP_TIME_WAIT', 'UDP', 'TIPC', 'SCTP_ASSOC']),
    ('state connected', ['TCP_ESTAB', 'TCP6_ESTAB', 'TCP_SYN_SENT', 'TCP_TIME_WAIT', 'SCTP_ASSOC']),
    ('state synchronized', ['TCP_ESTAB', 'TCP6_ESTAB', 'TCP_TIME_WAIT', 'SCTP_ASSOC']),
    ('state bucket', ['TCP_TIME_WAIT', 'SCTP_ASSOC']),
    ('state listening', ['TCP_LISTEN', 'UNIX', 'LO_BOUND', 'SCTP_ENDPOINT']),
    ('state unconnected', ['UDP', 'TIPC']),
    # tipc: ss selects tipc sockets by state only, never by the expression or the operands' family
    ('sport = :22', ['TCP_ESTAB', 'TCP_LISTEN', 'TIPC']),
    ('sport = :ssh', ['TCP_ESTAB', 'TCP_LISTEN', 'TIPC']),
    ('dport = :https', ['TCP_SYN_SENT', 'TCP_TIME_WAIT', 'TIPC']),
    ('sport = :domain', ['UDP', 'TIPC']),
    ('src 127.0.0.0/8', ['UDP', 'LO_BOUND', 'TIPC']),
    ('dev lo', ['LO_BOUND', 'TIPC']),
    ('dev 0', [n for n in NAMES.values() if n != 'LO_BOUND']),
    ('src unix:/run/*', ['UNIX', 'TIPC']),
    # an operand's family replaces the families (ss B-14): inet6:* keeps only IPv6 sockets
    ('src inet6:*', ['TCP6_ESTAB', 'TIPC']),
    ('src inet:*', ['TCP_ESTAB', 'TCP_LISTEN', 'TCP_SYN_SENT', 'TCP_TIME_WAIT', 'UDP', 'LO_BOUND', 'TIPC',
                    'SCTP_ENDPOINT', 'SCTP_ASSOC']),
    ('state listening src unix:*', ['UNIX']),
    # left to right: (A or B) and C
    ('sport = :22 or sport = :53 and dport = :0', ['TCP_LISTEN', 'UDP', 'TIPC']),
])
def test_select(text, expected):
    assert picked(text) == expected


def test_names_are_looked_up_on_this_host(monkeypatch):
    """Host and service names are bound through this host's look-ups (the controller's), once per filter text."""
    from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
    asked = []

    def addresses(self, name, families):
        asked.append(name)
        return [(2, bytes([127, 0, 0, 53]))] if name == 'resolver' else []
    monkeypatch.setattr(HostLookups, 'addresses', addresses)
    _sockets.compile_filter.cache_clear()
    try:
        assert picked('src resolver') == ['UDP', 'TIPC']
        assert picked('src resolver or src 10.0.0.1') == ['TCP_ESTAB', 'TCP_SYN_SENT', 'TCP_TIME_WAIT', 'UDP', 'TIPC',
                                                          'SCTP_ASSOC']
        assert picked('src resolver') == ['UDP', 'TIPC']
        assert asked == ['resolver', 'resolver']
    finally:
        _sockets.compile_filter.cache_clear()


def test_select_keeps_the_records_themselves():
    out, selection = _sockets.select(ALL, 'sport = :22')
    assert out[0] is TCP_ESTAB and selection.warning is None
    assert _sockets.select((r for r in ALL), 'state listening')[0] == [TCP_LISTEN, UNIX, LO_BOUND, SCTP_ENDPOINT]


def test_compiled_once_per_text():
    _sockets.compile_filter.cache_clear()
    first = _sockets.selection('sport = :22')
    assert _sockets.selection('sport = :22') is first
    assert _sockets.compile_filter.cache_info().hits == 1


def test_mixed_and_or_warns():
    assert _sockets.selection('state established sport = :22 or sport = :53 and dport = :0').warning == MIXED_AND_OR
    assert _sockets.selection('state established ( sport = :22 or sport = :53 ) and dport = :0').warning is None


@pytest.mark.parametrize('text, message', [
    # positions count every word of the FILTER, state words included
    ('state established and dport = :443',
     'filter: "and" needs a condition on its left at word 3; state words are not joined to the expression with "and" '
     '(ss rejects it too): write the expression right after them ("... dport = :443")'),
    ('state established ||', 'filter: "||" needs a condition on its left at word 3; state words are not joined to the '
                             'expression with "||" (ss rejects it too): write the expression right after them'),
    ('and sport = :22', 'filter: "and" needs a condition on its left at word 1; an expression cannot start with an '
                        'operator or have two in a row'),
    ('-t state established', 'filter: "-t" is not a keyword here at word 1; a FILTER has no ss options (-t, -l, ...): '
                             'only state words and an expression; select tables by the records\' netid '
                             '(selectattr("netid", "eq", "tcp"))'),
    ('dport = :443 state established', 'filter: "state" cannot be used inside the expression at word 4; ss only '
                                       'accepts "state NAME" before the expression: move it to the front'),
    ('state established ( sport = :22', 'filter: parenthesis opened at word 3 is never closed at word 7 (end of '
                                        'expression); add ")"'),
    ('state listening sport=22', 'filter: "sport=22" is not a keyword here at word 3; separate keywords, operators and '
                                 'parentheses with spaces ("sport = 22")'),
    ('src ::1', 'filter: "::1" is not an address, prefix or known host name at word 2; IPv6 addresses need brackets: '
                '[::1] (or give a prefix length: ::1/128)'),
    ('state established src no-such-host.invalid', 'filter: "no-such-host.invalid" is not an address, prefix or known '
                                                   'host name at word 4; IPv4 a.b.c.d[/len], IPv6 [addr] or addr/len, '
                                                   '"*", or a resolvable host name'),
    ('sport = :no-such-service', 'filter: ":no-such-service" does not look like a port at word 3; unknown service '
                                 'name; use a number'),
    ('src inet6:* or src 1.2.3.4', None),
])
def test_filter_errors_name_the_word_and_position(text, message):
    with pytest.raises(FilterError) as info:
        _sockets.selection(text)
    if message is not None:
        assert str(info.value) == message


@pytest.mark.parametrize('text, word, position', [
    ('state established fwmark 0x1', '0x1', 3),
    ('exclude listening cgroup /system.slice', '/system.slice', 3),
    ('state established autobound', 'autobound', 2),
    ('not autobound', 'autobound', 1),
    ('dev 2', '2', 1),
    ('state listening dev if2', 'if2', 3),
    ('src link:ip:eth0', 'link:ip:eth0', 1),
])
def test_what_records_cannot_answer_is_refused(text, word, position):
    with pytest.raises(FilterError, match='cannot be evaluated on returned socket records') as info:
        _sockets.selection(text)
    assert (info.value.word, info.value.position) == (word, position)


SS22 = 'state established sport = :22'


@pytest.mark.parametrize('records, message, text', [
    ('sockets', 'the input must be a list of socket records (ansible_facts.sockets), not a string: "sockets"', SS22),
    (TCP_ESTAB, 'the input must be a list of socket records (ansible_facts.sockets), not a dict: ', SS22),
    (None, 'the input must be a list of socket records (ansible_facts.sockets), not null: null', SS22),
    (5, 'the input must be a list of socket records (ansible_facts.sockets), not a number: 5', SS22),
    ([TCP_ESTAB, 'x'], 'item 1 of the input: not a socket record (a dict as socket_facts returns it) but a string: "x"',
     SS22),
    ([{'netid': 'tcp', 'state': 'ESTAB'}], 'item 0 of the input: not a socket record as socket_facts returns it '
                                           '(KeyError: \'family\')', SS22),
    ([rec(state='listening')], 'item 0 of the input: not a socket record as socket_facts returns it (ValueError: '
                               'state "listening" is no state ss prints)', SS22),
    ([rec(local_address='no-address')], 'item 0 of the input: not a socket record as socket_facts returns it '
                                        '(OSError: illegal IP address string passed to inet_pton)', 'sport = :22'),
    # wrong types inside a record: the same error, not a traceback
    ([rec(local_port='2222')], 'item 0 of the input: not a socket record as socket_facts returns it (TypeError: ',
     'sport > :1024'),
    ([rec(local_port=None)], 'item 0 of the input: not a socket record as socket_facts returns it (TypeError: ',
     'sport > :1024'),
    ([UNIX_LISTEN_NULL], 'item 0 of the input: not a socket record as socket_facts returns it (AttributeError: ',
     'src unix:/run/*'),
    # socket_facts `fields` without `interface`: `dev` cannot be answered (not "bound to no device")
    ([{k: v for k, v in TCP_ESTAB.items() if k != 'interface'}],
     'item 0 of the input: not a socket record as socket_facts returns it (KeyError: \'interface\')', 'dev lo'),
    ([{k: v for k, v in TCP_ESTAB.items() if k != 'interface'}],
     'item 0 of the input: not a socket record as socket_facts returns it (KeyError: \'interface\')', 'dev 0'),
])
def test_bad_records(records, message, text):
    with pytest.raises(ArgsError) as info:
        _sockets.select(records, text)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize('text', [None, ['sport', '=', ':22'], 22])
def test_filter_must_be_a_string(text):
    with pytest.raises(ArgsError, match='the filter must be a string'):
        _sockets.selection(text)


# ---------------------------------------------------------------------------- lines

def test_lines_are_the_listing_of_ss_n():
    records = [TCP_ESTAB, TCP_LISTEN, UDP]
    assert _sockets.lines(records) == listing(build_request({'ss_args': '-n'}), records)
    assert _sockets.lines(records) == [
        'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
        'tcp   ESTAB  0      0           10.0.0.1:22       10.0.0.2:50312',
        'tcp   LISTEN 0      0                  *:22              *:*',
        'udp   UNCONN 0      0         127.0.0.53:53        0.0.0.0:*',
    ]


@pytest.mark.parametrize('ss_args, header, first', [
    ('-tln', True, 'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess'),     # -l: two states
    ('-t state listening', True, 'Recv-Q Send-Q Local Address:Port Peer Address:PortProcess'),
    ('-tan', False, 'LISTEN 0      0      *:22 *:*'),
    ('-tanH', True, 'LISTEN 0      0      *:22 *:*'),
    ('-a', True, 'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess'),
])
def test_lines_follow_the_columns_of_ss_args(ss_args, header, first):
    out = _sockets.lines([TCP_LISTEN], ss_args, header)
    assert out[0] == first
    assert out == listing(build_request({'ss_args': ss_args})._replace(header=header and '-tanH' != ss_args),
                          [TCP_LISTEN])


def test_lines_with_processes_and_timers():
    held = rec(processes=[{'name': 'sshd', 'pid': 812, 'fd': 4}], timer='keepalive', timer_expires_ms=4796,
               timer_retrans=0)
    assert _sockets.lines(held, '-tnpo', header=False) == [
        'ESTAB 0      0      10.0.0.1:22 10.0.0.2:50312 users:(("sshd",pid=812,fd=4)) timer:(keepalive,4.796sec,0)']


def test_lines_of_one_record_and_of_none():
    assert _sockets.lines(TCP_ESTAB, header=False) == _sockets.lines([TCP_ESTAB], header=False)
    assert _sockets.lines([]) == ['Netid State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess']
    assert not _sockets.lines([], header=False)


@pytest.mark.parametrize('ss_args, message', [
    ('-r', 'ss_args: -r would name hosts and services on the controller, not on the managed host; socket_lines prints '
           'numbers, as ss -n does'),
    ('-tns', 'ss_args: -s prints a summary, not socket lines; use socket_facts with summary=true'),
    ('-E', 'ss_args: -E listens for closed sockets on a host; use socket_facts with events'),
    ('-D /tmp/x', 'ss_args: -D writes a capture on a host; use socket_facts with dump_file'),
    ('-F /tmp/x', 'ss_args: -F reads a filter file; select the sockets with netdiag.ss.select_sockets first'),
    ('-N blue', 'ss_args: -N names a network namespace of a host; use socket_facts with netns'),
    ('-K', 'ss_args: -K closes sockets: use the netdiag.ss.socket_kill module for that'),
    ('-t sport = :22', 'ss_args: "sport = :22" is a filter expression; socket_lines prints every record it is given: '
                       'select them with netdiag.ss.select_sockets first'),
    ('-t state', 'ss_args: "state" needs a state name after it'),
    ('--bogus', 'ss_args: '),
    (['-t'], 'ss_args must be a string of ss options (for example "-tlnp"), not a list: ["-t"]'),
])
def test_lines_refuse_what_is_not_layout(ss_args, message):
    with pytest.raises(ArgsError) as info:
        _sockets.lines([TCP_ESTAB], ss_args)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize('records, message', [
    ('x', 'the input must be a list of socket records (ansible_facts.sockets) or one record, not a string: "x"'),
    (None, 'the input must be a list of socket records (ansible_facts.sockets) or one record, not null: null'),
    ([TCP_ESTAB, 7], 'item 1 of the input is not a socket record (a dict as socket_facts returns it) but a number: 7'),
    ([{'netid': 'tcp', 'state': 'ESTAB', 'local_port': 22}],
     'item 0 of the input is not a socket record as socket_facts returns it: it has no recv_q, send_q, local_address, '
     'peer_address, peer_port, family (the fields option of socket_facts may have left it out)'),
    ([TCP_ESTAB, rec(recv_q='many')], 'item 1 of the input is not a socket record as socket_facts returns it '
                                      '(TypeError: '),
])
def test_lines_bad_records(records, message):
    with pytest.raises(ArgsError) as info:
        _sockets.lines(records)
    assert str(info.value).startswith(message)


def test_an_address_of_the_other_family_is_refused_as_the_kernel_refuses_it():
    """socket_facts gets sock_diag's inet sockets through the kernel's half of the filter too: `src 0.0.0.0/0` does
    not take an IPv6 socket there (user space alone would); from /proc/net (no cookie) it does, as in ss's /proc mode."""
    v6 = rec(family='inet6', state='LISTEN', local_address='::', peer_address='::', peer_port=0)
    mapped = rec(family='inet6', local_address='::ffff:10.0.0.1', peer_address='::ffff:10.0.0.2')
    assert _sockets.select([TCP_ESTAB, v6, mapped], 'src 0.0.0.0/0')[0] == [TCP_ESTAB, mapped]
    assert _sockets.select([TCP_ESTAB, dict(v6, cookie=None)], 'src 0.0.0.0/0')[0] == [TCP_ESTAB, dict(v6, cookie=None)]
    assert _sockets.select([TCP_ESTAB, v6], 'src [::]')[0] == [v6]


def test_raw_sockets_from_sock_diag_are_listed_whatever_the_states():
    """raw_diag does not read the state mask (ss -lw lists UNCONN raw sockets); /proc/net's raw sockets are selected."""
    raw = rec(netid='???', state='UNCONN', local_address='0.0.0.0', local_port=1, peer_address='0.0.0.0', peer_port=0)
    assert _sockets.select([raw, TCP_ESTAB], 'state listening')[0] == [raw]
    proc_raw = dict(raw, netid='raw', cookie=None)
    assert _sockets.select([proc_raw], 'state listening')[0] == []


@pytest.mark.parametrize('text, selected', [
    ('sport > :5001', False), ('sport < :1', True), ('sport = :-1', True), ('sport >= :0', False),
])
def test_a_packet_socket_of_a_removed_device_has_port_minus_one(text, selected):
    """ss's filter sees its port (the device index) as a C int: -1, not 4294967295 (sport > :5001 selected it)."""
    gone = rec(netid='p_raw', state='UNCONN', local_address='[34997]', local_port=4294967295, peer_address='*',
               peer_port=None, family='link', interface='if4294967295')
    assert _sockets.select([gone], text)[0] == ([gone] if selected else [])
