# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile filters: the parser, the binder and what runs a bound filter never raise anything but FilterError.

Random token streams over the whole vocabulary, random unicode and bytes,
deep nesting, long chains and very long words go through what a module
does with a filter: parse, bind (here with names the test controls), lint,
plan, compile to bytecode (checked by the kernel's validator model) and
match on sockets of every family. See fuzzing.py for the example counts.
"""

from __future__ import annotations

import os
import sys

from ansible_collections.netdiag.ss.plugins.module_utils._errors import FilterError
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
from ansible_collections.netdiag.ss.plugins.module_utils._filter._lint import mixed_and_or_warning
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import record_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._filter._plan import plan
from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import MAX_NESTING, parse
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AF_VSOCK, AF_XDP,
)

from filters import FakeLookups, v4, v6
from kernel_model import audit_bytecode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fuzzing import fuzz, st, hypothesis  # noqa: E402  (test helper beside the module_utils tests)

LOOKUPS = FakeLookups({'web': [(AF_INET, v4('10.0.0.1')), (AF_INET6, v6('2001:db8::1'))]})
TABLES = ('tcp', 'udp', 'raw', 'u_str', 'p_raw', 'netlink', 'v_str')
FAMILIES = [None, AF_INET, AF_INET6, AF_UNIX, AF_PACKET, AF_NETLINK, AF_VSOCK, AF_XDP, 0, 1, 255, 44]

VOCAB = ['src', 'dst', 'sport', 'dport', 'dev', 'fwmark', 'cgroup', 'autobound', '(', ')', '!', 'not', 'and', 'or',
         '&', '&&', '|', '||', '=', '==', '!=', '>', '<', '>=', '<=', 'eq', 'ne', 'neq', 'gt', 'lt', 'ge', 'le', 'geq',
         'leq', 'lo', 'if1', 'if-1', 'if4294967297', '1.2.3.4', '1.2.3.4/33', '1.2.3.4/255.0.255.0', '[::1]', '[::1',
         '[::1]/8', '::1', '::1/129', '*', '*:*', ':22', ':ssh', ':http', ':-1', ':2147483648', ':0x10', 'web', 'web:22',
         'nosuchhost.invalid', 'unix:*', 'unix:@x', 'unix:/tmp/*', 'unix:\udcff', 'link:ip', 'link:*:lo', 'link:0x800:1',
         'link:bogus', 'link::nosuchdev', 'netlink:rtnl', 'netlink:0', 'netlink:kernel', 'netlink:*:kernel',
         'netlink:nosuch', 'netlink:1:x', 'vsock:1:2', 'vsock:*:*', 'vsock:-1', 'vsock:4294967296:1', 'inet:1.2.3.4',
         'inet6:[::1]:22', 'inet6:all', 'inet:::1', 'packet:ip', 'xdp:1', 'tipc:1', 'all', 'any', 'default', '0/0',
         '0x23/0xff', '0x23/', '-0x1/-1', '4294967296', '/', '/sys/fs/cgroup', 'state', 'exclude', 'listen',
         'established', 'x', '', ' ', '\t', '\\', '\\ ', '\0', '\udcff', 'é', '\u202e']


def _views():
    """Sockets of every family, with the values each decoder can hand the filter (hostile ones too)."""
    u32 = st.integers(0, 0xffffffff)
    s32 = st.integers(-0x80000000, 0x7fffffff)
    inet4 = st.builds(SockView, st.just(AF_INET), st.sampled_from(['tcp', 'udp', 'raw']), st.integers(0, 31),
                      st.binary(min_size=4, max_size=4), st.binary(min_size=4, max_size=4), s32, s32, u32, u32,
                      st.integers(0, 2 ** 64 - 1))
    inet6 = st.builds(SockView, st.just(AF_INET6), st.sampled_from(['tcp', 'udp', 'sctp']), st.integers(0, 31),
                      st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16), s32, s32, u32, u32,
                      st.integers(0, 2 ** 64 - 1))
    unix = st.builds(SockView, st.just(AF_UNIX), st.sampled_from(['u_str', 'u_dgr', 'u_seq']), st.integers(0, 31),
                     st.binary(max_size=40), st.just(b''), u32, u32)
    packet = st.builds(SockView, st.just(AF_PACKET), st.sampled_from(['p_raw', 'p_dgr']), st.just(7),
                       st.integers(0, 0xffff), st.just(0), u32, st.just(0), u32)
    netlink = st.builds(SockView, st.just(AF_NETLINK), st.just('nl'), st.just(7), st.integers(0, 255), st.just(0),
                        s32, st.just(-1))
    vsock = st.builds(SockView, st.just(AF_VSOCK), st.sampled_from(['v_str', 'v_dgr', '???']), st.integers(0, 255),
                      u32, u32, s32, s32)
    xdp = st.builds(SockView, st.just(AF_XDP), st.just('xdp'), st.just(7), st.just(0), st.just(0), s32, st.just(0),
                    u32)
    return st.one_of(inet4, inet6, unix, packet, netlink, vsock, xdp)


def _run(words, family, views, tables=TABLES):
    """Everything a module does with a filter; FilterError (with a message) is the only way out."""
    try:
        expr = parse(words, preferred_family=family)
        mixed_and_or_warning(words)
        bound = bind(expr, tables, LOOKUPS)
    except FilterError as exc:
        assert str(exc).startswith('filter: ') and exc.reason
        return None
    if bound is None:
        return None
    for kernel_filter in (True, False):
        planned = plan(bound, kernel_filter, (32768, 60999))
        if planned.bytecode is not None:
            audit_bytecode(planned.bytecode)
        for view in views:
            planned.match(view)
    return bound


@fuzz(500)
@hypothesis.given(words=st.lists(st.one_of(st.sampled_from(VOCAB), st.text(max_size=12)), max_size=16),
                  family=st.sampled_from(FAMILIES), views=st.lists(_views(), max_size=4))
def test_token_soup(words, family, views):
    _run(words, family, views)


@fuzz(300)
@hypothesis.given(text=st.text(max_size=200), family=st.sampled_from(FAMILIES), views=st.lists(_views(), max_size=2))
def test_random_unicode(text, family, views):
    _run(text, family, views)


@fuzz(300)
@hypothesis.given(data=st.binary(max_size=200), codec=st.sampled_from(['surrogateescape', 'latin-1']),
                  family=st.sampled_from(FAMILIES), views=st.lists(_views(), max_size=2))
def test_random_bytes(data, codec, family, views):
    text = data.decode('utf-8', 'surrogateescape') if codec == 'surrogateescape' else data.decode('latin-1')
    _run([text], family, views)


@fuzz(100)
@hypothesis.given(depth=st.integers(0, 3 * MAX_NESTING), opener=st.sampled_from(['(', 'not', '!', '! (', 'not (']),
                  closed=st.booleans(), leaf=st.sampled_from(['sport = :22', 'src 10/8', 'dev lo', 'autobound']),
                  views=st.lists(_views(), max_size=2))
def test_deep_nesting(depth, opener, closed, leaf, views):
    closers = ' )' * (depth * opener.count('(')) if closed else ''
    _run(['%s %s%s' % (' '.join([opener] * depth), leaf, closers)], None, views)


@fuzz(20)
@hypothesis.given(terms=st.integers(1, 3000), joiner=st.sampled_from(['or', 'and', '', '||', '&']),
                  leaf=st.sampled_from(['sport = :22', '( dst 10.0.0.1 )', 'not dport 1', 'src unix:/x*',
                                        'dev lo', 'fwmark 1/1']),
                  views=st.lists(_views(), max_size=2))
def test_long_chains(terms, joiner, leaf, views):
    _run([(' %s ' % joiner).join([leaf] * terms)], None, views)


@fuzz(40)
@hypothesis.given(keyword=st.sampled_from(['src', 'dst', 'sport', 'dport', 'dev', 'fwmark', 'cgroup', 'src unix:',
                                           'src link:', 'src netlink:', 'src vsock:', 'src inet6:[', 'dst [']),
                  char=st.sampled_from(['1', 'a', ':', '.', '/', '*', '\\', 'é', '\udcff', '0x']),
                  size=st.integers(1000, 100000), family=st.sampled_from(FAMILIES))
def test_very_long_words(keyword, char, size, family):
    head, _sep, prefix = keyword.partition(' ')
    word = (prefix or '') + char * (size // len(char))
    _run([head, word], family, [])


@fuzz(200)
@hypothesis.given(words=st.lists(st.one_of(st.sampled_from(VOCAB), st.text(max_size=8)), max_size=10),
                  records=st.lists(st.dictionaries(
                      st.sampled_from(['family', 'state', 'local_address', 'local_port', 'peer_address', 'peer_port',
                                       'netid', 'interface']),
                      st.one_of(st.none(), st.integers(), st.text(max_size=10),
                                st.sampled_from(['inet', 'inet6', 'unix', 'link', 'netlink', 'vsock', 'xdp', 'tipc',
                                                 'ESTAB', 'LISTEN', '1.2.3.4', '::1', '*', '@x']))),
                      max_size=3))
def test_record_matcher_on_hostile_records(words, records):
    """The controller-side matcher: FilterError when built, ArgsError (a bad record) when run, nothing else."""
    from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
    try:
        matcher = record_matcher(parse(words), TABLES, LOOKUPS)
    except FilterError as exc:
        assert str(exc).startswith('filter: ')
        return
    for rec in records:
        try:
            matcher(rec)
        except ArgsError as exc:
            assert 'not a socket record' in str(exc)
