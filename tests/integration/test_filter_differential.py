# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter expressions select exactly the sockets `ss` selects, with and without bytecode.

Live sockets (tests/integration/sockets_fixture.py: TCP 5001-5006, UDP
5101-5103, MPTCP 5201, a mark 0x23 on 127.0.0.1:5002, a listener bound to
ndveth0, unix, packet and netlink sockets) in a namespace this test builds;
the real `ss` is the oracle. Every case runs twice: with the filter compiled
to kernel bytecode (the default) and with kernel_filter=false, where the
kernel's part runs in Python. Both must print what ss prints.
"""

from __future__ import annotations

import shlex

import pytest

from conftest import compare_with_ss, run_module, run_ss

# (ss arguments before the expression, expression)
CASES = [
    # every port operator spelling
    ('-tan', 'sport = :5001'), ('-tan', 'sport == 5001'), ('-tan', 'sport eq :5001'), ('-tan', 'sport 5001'),
    ('-tan', 'sport != :5001'), ('-tan', 'sport ne 5001'), ('-tan', 'sport neq :5001'),
    ('-tan', 'sport > :5002'), ('-tan', 'sport gt 5002'), ('-tan', 'sport < :5003'), ('-tan', 'sport lt 5003'),
    ('-tan', 'sport >= :5003'), ('-tan', 'sport ge 5003'), ('-tan', 'sport geq 5003'),
    ('-tan', 'sport <= :5003'), ('-tan', 'sport le 5003'), ('-tan', 'sport leq 5003'),
    ('-tan', 'dport = :5001'), ('-tan', 'dport != :5001'), ('-tan', 'dport > 5004'), ('-tan', 'dport < 1024'),
    ('-tan', 'dport >= :5004'), ('-tan', 'dport <= :5002'), ('-tan', 'dport = :9'),
    # port operand forms: hex, octal, wildcard, out of range, service names
    ('-tan', 'sport = 0x1389'), ('-tan', 'sport = 011611'), ('-tan', "'sport = -1'"), ('-tan', 'sport = -1'), ('-tan', 'sport = *'),
    ('-tan', 'sport > 70000'), ('-tan', 'sport < 70000'), ('-tan', 'dport = :discard'), ('-uan', 'sport = :5101'),
    ('-tuan', 'dport = :discard or sport = 5101'),
    # host operand forms
    ('-tan', 'src 127.0.0.1'), ('-tan', 'src = 127.0.0.1'), ('-tan', 'src 127.0.0.1/8'), ('-tan', 'src 127/8'),
    ('-tan', 'src 127.0.0'), ('-tan', 'src 127.0.0.1:5002'), ('-tan', 'src 127.0.0.1:*'), ('-tan', 'src *:5001'),
    ('-tan', 'src *'), ('-tan', 'src 0.0.0.0'), ('-tan', 'src 0/0'), ('-tan', 'src all'), ('-tan', 'src any'),
    ('-tan', 'src default'), ('-tan', 'dst 127.0.0.1'), ('-tan', 'dst 203.0.113.2'), ('-tan', 'dst 203.0.113.0/24'),
    ('-tan', 'dst 203.0.113.0/255.255.255.0'), ('-tan', 'dst 203.0.113/24'), ('-tan', 'src 0x7f.0.0.1'),
    ('-tan', 'src [::1]'), ('-tan', 'src [::1]:5005'), ('-tan', 'src ::1/128'), ('-tan', 'dst [::1]'),
    ('-tan', 'src [::]'), ('-tan', 'src [::]:5003'), ('-tan', 'src [::ffff:127.0.0.1]'),
    ('-tan', 'src [::ffff:127.0.0.1]/128'), ('-tan', 'src inet:127.0.0.1'), ('-tan', 'src inet6:[::1]'),
    ('-tan', 'src inet6:*:5003'), ('-uan', 'src 127.0.0.1:5101'), ('-uan', 'dst 127.0.0.1'),
    # dev, fwmark, cgroup, autobound
    ('-tan', 'dev ndveth0'), ('-tan', 'dev = ndveth0'), ('-tan', 'dev != ndveth0'), ('-tan', 'dev lo'),
    ('-tan', 'dev 0'), ('-tan', 'fwmark = 0x23'), ('-tan', 'fwmark 0x20/0xf0'), ('-tan', 'fwmark != 0x23'),
    ('-tan', 'fwmark = 0'), ('-tan', 'cgroup /sys/fs/cgroup/unified'),
    ('-tan', 'cgroup != /sys/fs/cgroup/unified'), ('-tan', 'autobound'), ('-tan', 'not autobound'),
    # dev with a condition the kernel decides differently: ss sends no program at all (B-29), neither do we
    ('-tan', 'not dev ndveth0 and not autobound'), ('-tan', 'dev 0 and src 0/0'), ('-tan', 'dev 0 and sport > 70000'),
    ('-tan', 'dev 0 and sport > 5001'),
    ('-uan', 'autobound'), ('-xan', 'autobound'), ('-xan', 'not autobound'),
    # logic: every spelling, juxtaposition, parentheses, the left-to-right rule
    ('-tan', 'not sport = :5001'), ('-tan', '! sport = :5001'), ('-tan', 'not not sport = :5001'),
    ('-tan', 'sport = :5001 or sport = :5002'), ('-tan', 'sport = :5001 || sport = :5002'),
    ('-tan', 'sport = :5001 | sport = :5002'), ('-tan', 'src 127.0.0.1 and dport = :5002'),
    ('-tan', 'src 127.0.0.1 && dport = :5002'), ('-tan', 'src 127.0.0.1 & dport = :5002'),
    ('-tan', 'src 127.0.0.1 dport = :5002'), ('-tan', '( sport = :5001 or sport = :5002 ) and dst 127.0.0.1'),
    ('-tan', 'sport = :5001 or sport = :5002 and dst 127.0.0.1'),
    ('-tan', 'dst 127.0.0.1 and sport = :5001 or sport = :5002'),
    ('-tan', 'not ( sport = :5001 or dport = :5001 )'), ('-tan', '! ( sport = :5001 or dport = :5001 )'),
    ('-tan', 'not sport = :5001 and dport = :5001'), ('-tan', '( ( sport = :5001 ) )'),
    ('-tan', 'sport = :5001 or ( sport = :5002 and not dst 127.0.0.1 ) or dev ndveth0'),
    # other families
    ('-xan', 'src *stream.sock'), ('-xan', 'src *STREAM.SOCK'), ('-xan', 'src @netdiag*'), ('-xan', 'src *'),
    ('-xan', 'dst *'), ('-xan', 'dst /nonexistent'), ('-an', 'src unix:*seq*'), ('-xan', 'sport = *dgram*'),
    # unix globs are glibc fnmatch on bytes, in the C locale: '?' is one byte, only ASCII folds, classes test the
    # unfolded byte; names hold a byte that is not UTF-8 and a literal backslash (fixture: \xff.sock, \\xff.sock)
    ('-xan', r"src '*\\xff*'"), ('-xan', r"src '*\xff*'"), ('-xan', "src '*/?.sock'"), ('-xan', "src '*/??.sock'"),
    ('-xan', "src '*/[[:upper:]]*'"), ('-xan', "src '*/[[=u=]]*'"), ('-xan', "src '*/[[.U.]]*'"),
    ('-xan', "src '*/k*'"), ('-xan', "src '*/\u00e9*'"), ('-xan', "src '*/\u00c9*'"), ('-xan', "src '*/upper.sock'"),
    ('-0an', 'src *'), ('-0an', 'src ip'), ('-0an', 'src ip:ndveth0'), ('-0an', 'src *:ndveth0'),
    ('-0an', 'src all'), ('-A netlink -an', 'src rtnl'), ('-f netlink -an', 'src rtnl'), ('-A netlink -an', 'src netlink:rtnl:kernel'),
    ('-f netlink -an', 'src 0:*'), ('-f netlink -an', 'src rtnl:kernel'),
    # filter words in the middle of options, and -4/-6 preference with operands
    ('-tn', '-a sport = :5001'), ('-4tan', 'src 127.0.0.1'), ('-6tan', 'src [::1]'), ('-6tan', 'src ::1/128'),
    # the examples of the seed documentation (EXEMPLES); hosts that do not exist here select nothing
    ('-o state established', "'( dport = :ssh or sport = :ssh )'"),
    ('-x', 'src /tmp/.X11-unix/*'),
    ('-o state fin-wait-1', "'( sport = :http or sport = :https )' dst 193.233.7/24"),
    ('-at', "'( dport = :22 or sport = :22 )'"), ('-at', "'( dport = :ssh or sport = :ssh )'"),
    ('', 'dst :5228'), ('-a', 'dst 172.20.10.3'), ('-a', 'src 172.20.10.3'),
    ('-o state established', "'( dport = :smtp or sport = :smtp )'"),
    ('-o state established', "'( dport = :http or sport = :http )'"),
    ('', 'dst 123.1.2.100:http'), ('', 'sport = :http'), ('', 'dport = :http'), ('', 'dport \\> :1024'),
    ('', 'sport \\> :1024'), ('', 'sport \\< :32000'), ('', 'sport eq :22'), ('', 'dport != :22'),
    ('', 'state connected sport = :http'), ('', '\\( sport = :http or sport = :https \\)'),
    ('-o state fin-wait-1', '\\( sport = :http or sport = :https \\) dst 192.168.1/24'),
    ('-to state fin-wait-1', 'sport \\> :1024'), ('-o', 'dport \\> :1024'),
]


def _argv(opts, expr):
    return shlex.split(opts) + ['-n'] + shlex.split(expr)


@pytest.mark.parametrize('opts,expr', CASES, ids=['%s %s' % c for c in CASES])
@pytest.mark.parametrize('kernel_filter', [True, False], ids=['bytecode', 'userspace'])
def test_filter_selects_what_ss_selects(netns, sockets, opts, expr, kernel_filter):
    problem, expected, got, result = compare_with_ss(netns, _argv(opts, expr), {'kernel_filter': kernel_filter})
    assert problem is None, problem


@pytest.mark.parametrize('kernel_filter', [True, False], ids=['bytecode', 'userspace'])
def test_cgroup_root_is_the_root_cgroup(netns, sockets, kernel_filter):
    """`cgroup /` selects the sockets of the root cgroup, as ss's `cgroup MOUNT` does; ss itself takes the host's / (an
    id of another file system) and selects nothing (B-11, docs/differences.md)."""
    from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
    mnt = HostLookups().cgroup2_mount()
    if mnt is None:
        pytest.skip('no cgroup2 file system is mounted here')
    problem, expected, _got, _result = compare_with_ss(
        netns, ['-tan', 'cgroup', mnt], {'ss_args': '-tan cgroup /', 'kernel_filter': kernel_filter})
    assert problem is None, problem
    assert expected, 'the root cgroup holds no socket of the fixture here: nothing compared'


def test_cases_select_something(netns, sockets):
    """Guard against a suite that passes because nothing is ever selected."""
    selecting = 0
    for opts, expr in CASES:
        rc, lines, _err = run_ss(netns, _argv(opts, expr))
        if rc == 0 and len(lines) > 1:
            selecting += 1
    assert selecting >= 90, selecting


def test_host_with_several_addresses_fixes_b3(netns, sockets, tmp_path):
    """A name with an IPv4 and an IPv6 address selects sockets on both (ss's bytecode keeps only the first: bug B-3)."""
    result = run_module('socket_facts', {'ss_args': '-tan', 'filter': 'src localhost', 'netns': netns.name})
    families = set(r['family'] for r in result['ansible_facts']['sockets'])
    import socket
    resolved = set(ai[0] for ai in socket.getaddrinfo('localhost', None))
    if socket.AF_INET6 in resolved and socket.AF_INET in resolved:
        assert families == {'inet', 'inet6'}
        rc, lines, _err = run_ss(netns, ['-tan', 'src', 'localhost'])
        assert rc == 0 and len(lines) - 1 < len(result['ansible_facts']['sockets'])
    else:
        assert families


@pytest.mark.parametrize('expr,word', [
    ('sport = :nosuchservice', 'nosuchservice'), ('src ::1', '::1'), ('sport =', None), ('( sport = :22', None),
    ('sport=22', 'sport=22'), ('state', 'state'), ('state nosuchstate', 'nosuchstate'), ('dev nosuchdev0', 'nosuchdev0'), ('bogus', 'bogus'),
])
def test_bad_filters_fail_clearly(netns, expr, word):
    result = run_module('socket_facts', {'ss_args': '-tan', 'filter': expr, 'netns': netns.name}, check=False)
    assert result.get('failed'), result
    assert 'Traceback' not in result['msg']
    assert result['msg'].startswith('filter: ')
    if word:
        assert word in result['msg'], result['msg']
