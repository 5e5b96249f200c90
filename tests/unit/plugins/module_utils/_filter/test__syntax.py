# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter language's syntax: tokens, grammar, operands, errors (parse, with names bound by bind)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import FilterError
from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import (
    And, AutoBound, DevCond, HostCond, MarkCond, Not, Or, PortRange, Prefix,
)
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bytecode import compile_bytecode
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import make_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._filter import _syntax
from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import parse, split_words
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AF_UNSPEC, AF_VSOCK,
)

from filters import FakeLookups, P, inet, parse_bound
from kernel_model import audit_bytecode

hypothesis = pytest.importorskip('hypothesis')
st = hypothesis.strategies


# ---------------------------------------------------------------------------
# lexer

@pytest.mark.parametrize('words, tokens', [
    (['sport = :22'], ['sport', '=', ':22']),
    (['sport', '=', ':22'], ['sport', '=', ':22']),
    (['sport\t=\t1'], ['sport', '=', '1']),
    (['src unix:/tmp/a\\ b'], ['src', 'unix:/tmp/a b']),
    (['\\( sport = 1 \\)'], ['(', 'sport', '=', '1', ')']),
    (['s\\port = 1\\'], ['sport', '=', '1']),
    (['', '  ', 'autobound'], ['autobound']),
    (['(sport', 'sport=22'], ['(sport', 'sport=22']),
])
def test_split_words(words, tokens):
    assert split_words(words) == tokens


# ---------------------------------------------------------------------------
# grammar

S22 = HostCond('src', AF_UNSPEC, 22, (Prefix(0, 0, bytes(4)),))
D80 = HostCond('dst', AF_UNSPEC, 80, (Prefix(0, 0, bytes(4)),))


@pytest.mark.parametrize('text, expected', [
    ('sport = 22', S22), ('sport == 22', S22), ('sport eq 22', S22), ('sport 22', S22), ('sport = :22', S22),
    ('sport != 22', Not(S22)), ('sport ne 22', Not(S22)), ('sport neq 22', Not(S22)),
    ('sport >= 22', PortRange('src', '>=', 22)), ('sport ge 22', PortRange('src', '>=', 22)),
    ('sport geq 22', PortRange('src', '>=', 22)),
    ('sport <= 22', PortRange('src', '<=', 22)), ('sport le 22', PortRange('src', '<=', 22)),
    ('sport leq 22', PortRange('src', '<=', 22)),
    ('sport > 22', Not(PortRange('src', '<=', 22))), ('sport gt 22', Not(PortRange('src', '<=', 22))),
    ('sport < 22', Not(PortRange('src', '>=', 22))), ('sport lt 22', Not(PortRange('src', '>=', 22))),
    ('sport = 22 and dport = 80', And(S22, D80)), ('sport = 22 && dport = 80', And(S22, D80)),
    ('sport = 22 & dport = 80', And(S22, D80)), ('sport = 22 dport = 80', And(S22, D80)),
    ('sport = 22 or dport = 80', Or(S22, D80)), ('sport = 22 || dport = 80', Or(S22, D80)),
    ('sport = 22 | dport = 80', Or(S22, D80)),
    ('not sport = 22', Not(S22)), ('! sport = 22', Not(S22)), ('! ! sport = 22', Not(Not(S22))),
    ('( sport = 22 )', S22),
    # left to right, equal precedence (reference 1.3, 1.9, 9.5)
    ('sport = 22 or dport = 80 and autobound', And(Or(S22, D80), AutoBound())),
    ('sport = 22 and dport = 80 or autobound', Or(And(S22, D80), AutoBound())),
    ('sport = 22 or ( dport = 80 and autobound )', Or(S22, And(D80, AutoBound()))),
    ('not sport = 22 and dport = 80', And(Not(S22), D80)),
    ('sport = 22 ! dport = 80', And(S22, Not(D80))),
    ('autobound autobound', And(AutoBound(), AutoBound())),
    ('dev = lo', DevCond(1)), ('dev != lo', Not(DevCond(1))), ('dev 0', DevCond(0)), ('dev if3', DevCond(3)),
    ('dev 0x3', DevCond(3)), ('dev if-1', DevCond(0xffffffff)),
    ('fwmark 0x23/0xff', MarkCond(0x23, 0xff)), ('fwmark != 1', Not(MarkCond(1))), ('fwmark 12abc', MarkCond(12)),
    ('fwmark 1/2/3', MarkCond(1, 2)), ('fwmark -1', MarkCond(0xffffffff)), ('fwmark 0x100000001', MarkCond(1)),
    ('fwmark 08', MarkCond(0)), ('fwmark +5/-1', MarkCond(5, 0xffffffff)), ('fwmark 010', MarkCond(8)),
    ('', None),
])
def test_grammar(text, expected):
    assert P(text) == expected


def test_reference_examples_left_to_right():
    a = P('src 0.0.0.0 or src 10.0.0.1 and dst 10.0.0.2')
    assert isinstance(a, And) and isinstance(a.left, Or)
    b = P('dst 10.0.0.2 and src 10.0.0.1 or src 0.0.0.0')
    assert isinstance(b, Or) and isinstance(b.left, And)


def pfx(text):
    node = P('src ' + text)
    assert isinstance(node, HostCond)
    return node


@pytest.mark.parametrize('text, family, bitlen, data, port', [
    ('10/8', AF_INET, 8, '0a000000', -1),
    ('193.233.7/24', AF_INET, 24, 'c1e90700', -1),
    ('10.0.0', AF_INET, 32, '0a000000', -1),
    ('10.1', AF_INET, 32, '0a010000', -1),
    ('010.0x1.0.1', AF_INET, 32, '08010001', -1),
    ('-0.1.2.3', AF_INET, 32, '00010203', -1),
    ('10.0.0.0/255.255.255.0', AF_INET, 24, '0a000000', -1),
    ('10.0.0.0/255.255', AF_INET, 16, '0a000000', -1),
    ('10/0x8', AF_INET, 8, '0a000000', -1),
    ('1.2.3.4/-0', AF_INET, 0, '01020304', -1),
    ('127.0.0.1/8:22', AF_INET, 8, '7f000001', 22),
    ('10.0.0.2:50312', AF_INET, 32, '0a000002', 50312),
    ('10.0.0.2:*', AF_INET, 32, '0a000002', -1),
    ('10.0.0.2/0:50312', AF_INET, 0, '0a000002', 50312),
    ('1.2.3.4:', AF_INET, 32, '01020304', -1),
    ('4294967295', AF_INET, 32, 'ffffffff', -1),
    ('0/0', AF_INET, 0, '00000000', -1),
    ('*', AF_UNSPEC, 0, '00000000', -1),
    ('*:22', AF_UNSPEC, 0, '00000000', 22),
    (':22', AF_UNSPEC, 0, '00000000', 22),
    ('inet:*:22', AF_UNSPEC, 0, '00000000', 22),
    ('all', AF_UNSPEC, 0, '00000000', -1),
    ('any:22', AF_UNSPEC, 0, '00000000', 22),
    ('default', AF_UNSPEC, 0, '00000000', -1),
    ('inet6:all', AF_INET6, 0, '00' * 16, -1),
    ('[::1]', AF_INET6, 128, '00' * 15 + '01', -1),
    ('[::1]:22', AF_INET6, 128, '00' * 15 + '01', 22),
    ('[::1]22', AF_INET6, 128, '00' * 15 + '01', 22),
    ('::1/128', AF_INET6, 128, '00' * 15 + '01', -1),
    ('::/255.0.0.0', AF_INET6, 8, '00' * 16, -1),
    ('[::ffff:1.2.3.4]', AF_INET6, 128, '00' * 10 + 'ffff01020304', -1),
    ('[1.2.3.4]:22', AF_INET, 32, '01020304', 22),
    ('*:0x16', AF_UNSPEC, 0, '00000000', 22),
    ('*:026', AF_UNSPEC, 0, '00000000', 22),
    ('*:ssh', AF_UNSPEC, 0, '00000000', 22),
    ('*:-1', AF_UNSPEC, 0, '00000000', -1),
    ('*:-5', AF_UNSPEC, 0, '00000000', -5),
    ('*:70000', AF_UNSPEC, 0, '00000000', 70000),
    ('*:*junk', AF_UNSPEC, 0, '00000000', -1),
])
def test_inet_operands(text, family, bitlen, data, port):
    node = pfx(text)
    (p,) = node.prefixes
    assert (p.family, p.bitlen, p.data.hex(), node.port) == (family, bitlen, data, port)


@pytest.mark.parametrize('text, port', [
    (':22', 22), ('22', 22), ('0x16', 22), ('026', 22), ('+22', 22), (':', -1), (':*', -1),
    ('*', -1), ('-1', -1), ('65536', 65536), ('2147483647', 2147483647), ('inet:22', 22), ('inet6::22', 22),
    ('ssh', 22), (':domain', 53),
])
def test_port_operands(text, port):
    node = P('sport = ' + text)
    assert node.port == port


def test_family_prefixes_and_side_effect():
    node = P('src unix:/tmp/*')
    assert node.pattern == b'/tmp/*' and node.families == (AF_UNIX,) and node.forced_family == AF_UNIX
    assert P('sport = 22').families == ()
    assert P('sport = 22', preferred_family=AF_INET).forced_family == AF_INET
    node = P('src 127.0.0.1', preferred_family=AF_UNIX)   # ss -x: a glob
    assert node.pattern == b'127.0.0.1'
    both = P('src 1.2.3.4 or src inet6:any')
    assert both.families == (AF_INET6,)
    with pytest.raises(FilterError):      # the inet6: operand makes IPv6 the preferred family
        P('src inet6:any or src 1.2.3.4')
    with pytest.raises(FilterError):
        P('src 127.0.0.1', preferred_family=AF_INET6)


@pytest.mark.parametrize('text, family, advice', [
    ('src 127.0.0.1', AF_INET6, 'use inet:127.0.0.1'),
    ('dst ::1', AF_INET, 'use inet6:[::1]'),          # the whole address, not what came before its last ':'
    ('src ::ffff:127.0.0.1', AF_INET, 'use inet6:[::ffff:127.0.0.1]'),
    ('src ::1/128', AF_INET, 'use inet6:::1/128'),    # brackets would take a port, not a prefix length
    ('src [::1]', AF_INET, 'use inet6:[::1]'),
    ('src [::1]:22', AF_INET, 'use inet6:[::1]:22'),         # the port stays
])
def test_an_address_of_the_other_family_gets_advice_that_parses(text, family, advice):
    with pytest.raises(FilterError) as info:
        P(text, preferred_family=family)
    assert str(info.value).endswith(advice)
    fixed = text.split()[0] + ' ' + advice[len('use '):]
    assert P(fixed, preferred_family=family).families


def test_advice_for_ipv6_after_4_names_both_readings_and_scopes_first():
    with pytest.raises(FilterError) as info:
        P('src 2001:db8::1:22', preferred_family=AF_INET)
    assert str(info.value).endswith('use inet6:[2001:db8::1:22] (or inet6:[2001:db8::1]:22 for port 22)')
    assert P('src inet6:[2001:db8::1]:22').port == 22
    with pytest.raises(FilterError) as info:
        P('src fe80::1%lo', preferred_family=AF_INET)
    assert str(info.value).endswith('an address takes no scope (%NAME) in a filter; give the address alone, and dev '
                                    'NAME for the interface')


@pytest.mark.parametrize('text, port, value, bitlen', [
    ('src link:ip', -1, 0x800, 32), ('src link:ip:lo', 1, 0x800, 32), ('src link:0x800:2', 2, 0x800, 32),
    ('src link:802.1Q', -1, 0x8100, 32), ('src link:all:*', -1, 3, 32), ('src link:2048', -1, 2048, 32),
    ('src link:ip:-5', -5, 0x800, 32), ('src link::', -1, 0, 0), ('sport = link:lo', 1, 0, 0),
    ('sport = link:if7', 7, 0, 0), ('sport = link:', -1, 0, 0),
    ('src netlink:rtnl', -1, 0, 32), ('src netlink:rtnl:kernel', 0, 0, 32), ('src netlink:5:-1', -1, 5, 32),
    ('src netlink:genl:123', 123, 16, 32), ('sport = netlink:5', 5, 0, 0), ('sport = netlink:kernel', 0, 0, 0),
    ('src vsock:3:1024', 1024, 3, 32), ('dst vsock:', -1, 0xffffffff, 0), ('sport = vsock:5', 5, 0xffffffff, 0),
    ('src vsock:*:4294967295', -1, 0xffffffff, 0),
])
def test_other_family_operands(text, port, value, bitlen):
    node = P(text)
    (p,) = node.prefixes
    assert (node.port, p.bitlen) == (port, bitlen)
    if bitlen:
        assert int.from_bytes(p.data, 'little') == value


@pytest.mark.parametrize('text, family, port', [
    ('sport = :1', AF_PACKET, 1), ('dport = :lo', AF_PACKET, 1), ('sport = :kernel', AF_NETLINK, 0),
    ('sport = :-5', AF_NETLINK, -5), ('sport = :1024', AF_VSOCK, 1024), ('dport >= :5', AF_VSOCK, 5),
    ('sport = vsock::7', None, 7), ('sport = netlink::7', None, 7),
])
def test_port_operands_drop_a_leading_colon(text, family, port):
    """As ss's find_port: `ss -0 sport = :1`, `ss --vsock sport = :1024` (ss accepts both)."""
    node = P(text, preferred_family=family)
    assert node.port == port


# ---------------------------------------------------------------------------
# errors

@pytest.mark.parametrize('text, word, position, hint', [
    ('src ::1', '::1', 1, '[::1]'),
    ('src ::1/129', '::1/129', 1, 'prefix length must be'),           # not "need brackets"
    ('src fe80::1%lo', 'fe80::1%lo', 1, 'takes no scope'),
    ('src fe80::1%lo/128', 'fe80::1%lo/128', 1, 'takes no scope'),
    ('src 127.0.0.1::22', '127.0.0.1::22', 1, 'IPv4 a.b.c.d'),
    ('sport=22', 'sport=22', 0, 'spaces'),
    ('(sport = 22 )', '(sport', 0, 'spaces'),
    # shell quotes left in a filter: the hint said to separate "' (" with spaces
    ("'( sport = :22 )'", "'(", 0, 'quotes are not removed in a filter'),
    ('"sport = :22"', '"sport', 0, 'quotes are not removed in a filter'),
    ('sport = 22 )', ')', 3, None),
    ('sport = nosuchsvc', 'nosuchsvc', 2, 'service'),
    ('sport = 99999999999', '99999999999', 2, 'range'),
    ('src 1.2.3.4 state established', 'state', 2, 'before the expression'),
    ('state listen', 'state', 0, 'listening'),
    ('src listen', 'listen', 1, 'listening'),
    ('src', None, 1, 'address'),
    ('src != 1.2.3.4', '!=', 1, 'not src'),
    ('dev > lo', '>', 1, None),
    ('fwmark >= 1', '>=', 1, None),
    ('autobound = 1', '=', 1, None),
    ('and src 1.2.3.4', 'and', 0, None),
    ('( )', ')', 1, None),
    ('()', '()', 0, None),
    ('SPORT = 22', 'SPORT', 0, 'case-sensitive'),
    ('src [::1]/128', '[::1]/128', 1, None),
    ('src 10.0.0.0/33', '10.0.0.0/33', 1, 'prefix length'),
    ('src 10.0.0.0/255.0.255.0', '10.0.0.0/255.0.255.0', 1, None),
    ('src 0x0a000001', '0x0a000001', 1, None),
    ('dev nosuchdev0', 'nosuchdev0', 1, 'interface'),
    ('dev -1', '-1', 1, None),
    ('fwmark x', 'x', 1, 'VALUE/MASK'),
    ('src link:nope', 'link:nope', 1, 'ethernet'),
    ('src netlink:sock_diag', 'netlink:sock_diag', 1, None),
    ('src vsock:-1', 'vsock:-1', 1, None),
])
def test_errors(text, word, position, hint):
    with pytest.raises(FilterError) as info:
        P(text)
    err = info.value
    assert err.word == word
    assert err.position == position
    msg = str(err)
    assert msg.startswith('filter: ')
    if word is not None:
        assert '"%s"' % word in msg
    assert 'at word %d' % (position + 1) in msg
    if hint:
        assert hint in msg


SS_CASES = [
    'sport = 65536', 'sport = 99999999999', 'sport = 0x', 'sport = 1e3', 'sport = +22', 'sport = 08', 'sport = :',
    'sport = ::22', 'sport = 1.2.3.4:22', 'src 1.2.3.4:', 'src ::1', 'src [::1]/128', 'src [::1', 'src 0x0a000001',
    'src 10.0.0.256', 'src 10.0.0.0/33', 'src 10.0.0.0/255.0.255.0', 'src 010.0x1.0.1', 'src fe80::1%lo/64',
    'src nosuchhost.invalid', 'src link:nope', 'src netlink:rtnl:kernel', 'src vsock:x', 'src 1.2.3.4 dst',
    '( src 1.2.3.4', 'src 1.2.3.4 )', 'not', 'src 1.2.3.4 and', '! ! src 1.2.3.4', 'src 1.2.3.4 !',
    'src == 1.2.3.4', 'src != 1.2.3.4', 'dev != lo', 'dev > lo', 'fwmark >= 1', 'autobound = 1', '( )',
    'sport=22', 'sport eq 1 or dport neq 2 || sport geq 3 | sport leq 4 && sport gt 5 & sport lt 6',
    'src *junk', 'src [::1]22', 'dev if3x', 'dev -1', 'fwmark 5/', 'src 4294967295', 'src *:22:33',
    'src inet6:any or src 1.2.3.4', 'src 1.2.3.4 or src inet6:any', 'src 1.2.3.4.',
]


def _accepts(text):
    try:
        parse_bound([text], preferred_family=AF_INET)
        return True
    except FilterError:
        return False


@pytest.mark.skipif(shutil.which('ss') is None or os.geteuid() != 0, reason='needs the real ss binary as root')
def test_against_real_ss():
    diffs = []
    for text in SS_CASES:
        rc = subprocess.run(['ss', '-Htna', '-4', '--'] + text.split(' '), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, check=False).returncode
        if (rc == 0) != _accepts(text):
            diffs.append((text, rc))
    assert diffs == []


# ---------------------------------------------------------------------------
# property tests


@pytest.mark.parametrize('text', [
    'not ' * 5000 + 'sport = :22',
    '( ' * 5000 + 'sport = :22' + ' )' * 5000,
    '! ( ' * 3000 + 'sport = :22' + ' )' * 3000,
])
def test_deep_nesting_is_a_filter_error_not_a_crash(text):
    with pytest.raises(FilterError) as info:
        parse([text])
    assert 'more than 200 deep' in str(info.value) and info.value.word in ('not', '(', '!')


JUNK = ['src', 'dst', 'sport', 'dport', 'dev', 'fwmark', 'cgroup', 'autobound', '(', ')', '!', 'not', 'and',
        'or', '&', '|', '=', '!=', '>', '<', '>=', '<=', 'eq', 'lo', '1.2.3.4', '[::1]', '::1', '*', ':22', 'ssh',
        'unix:*', 'link:ip', 'netlink:rtnl', 'vsock:1:2', 'inet6:all', 'x', '', ' ', '\\', 'state', 'listen',
        '0x10/0xf', '/', '1.2.3.4/99', 'all', '-1']


@hypothesis.settings(max_examples=400, deadline=None)
@hypothesis.given(st.lists(st.one_of(st.sampled_from(JUNK), st.text(max_size=8)), max_size=8),
                  st.sampled_from([None, AF_INET, AF_INET6, AF_UNIX, AF_PACKET, AF_NETLINK, AF_VSOCK]))
def test_property_junk_only_filter_error(words, family):
    try:
        expr = parse_bound(words, tables=frozenset(['tcp', 'udp']), preferred_family=family, lookups=FakeLookups())
    except FilterError as err:
        assert str(err).startswith('filter: ')
        return
    prog = compile_bytecode(expr)
    if prog is not None:
        audit_bytecode(prog)
    make_matcher(expr, ephemeral_range=(1, 2))(inet('1.2.3.4', 5))


@pytest.mark.parametrize('text, tokens', [
    ('', []), (' ', []), ('state established', ['state', 'established']), (' a\t\tb  c ', ['a', 'b', 'c']),
    ('a\\ b', ['a b']), ('x\\', ['x']), ('\\', ['']), ('\\\\ \\t', ['\\', 't']),
    ('src unix:/tmp/my\\ sock\tdport = :1', ['src', 'unix:/tmp/my sock', 'dport', '=', ':1']), ('a\nb c', ['a\nb', 'c']),
])
def test_state_words_are_split_as_split_words(text, tokens):
    """split_state_words reads the words in front as split_words splits the expression (spaces and TABs, backslash):
    both walk the text with _next_word."""
    words, pos = [], 0
    while True:
        word, pos = _syntax._next_word(text, pos)
        if word is None:
            break
        words.append(word)
    assert words == split_words(text) == tokens
    assert _syntax._next_word('  a\\ b c', 0) == ('a b', 6)
    assert _syntax._next_word(' \t', 0) == (None, 2)


@pytest.mark.parametrize('text, words, rest, count', [
    ('state listening sport = :23', [('listening', False)], ' sport = :23', 2),
    ('exclude established\texcl syn-sent ( dport = :22 )', [('established', True), ('syn-sent', True)],
     ' ( dport = :22 )', 4),
    ('st\\ate x', [('x', False)], '', 2),      # a backslash makes the next character literal, as everywhere
    ('state\nlistening', [], 'state\nlistening', 0),
    ('', [], '', 0),
])
def test_split_state_words(text, words, rest, count):
    assert _syntax.split_state_words(text) == (words, rest, count)


def test_a_state_word_needs_a_name():
    with pytest.raises(FilterError, match=r'^filter: "excl" needs a state name after it at word 3; for example'):
        _syntax.split_state_words('state listening excl \t')


@pytest.mark.parametrize('value', [None, 22, ['state', 'listening']])
def test_split_state_words_refuses_what_is_not_text(value):
    with pytest.raises(FilterError, match='is not a string'):
        _syntax.split_state_words(value)
