# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Raw sockets (ss -w) listed as the real ss lists them, and the SCTP and DCCP tables on a kernel without them.

The raw sockets of tests/integration/sockets_fixture.py: ICMP unbound, ICMPv6
unbound, ICMP bound to 127.0.0.1, protocol 253 bound and connected on
127.0.0.1 and ::1 (one datagram queued each). The test kernel has no raw
sock_diag, so both ss and the module read /proc/net/raw{,6}
(test_the_kernel_has_no_raw_sock_diag says so, and the records show it: no
cookie); the raw sock_diag path is tested on crafted bytes in
tests/unit/plugins/module_utils/test__diag_inet.py.

Service names: ss resolves them unless -n, the module only with -r
(docs/differences.md), so every case without r gets -n, as in
test_differential.py.
"""

from __future__ import annotations

import errno
import json
import shlex
import socket

import pytest

from conftest import compare_with_ss, run_module, run_ss

RAW_ARGS = [
    '-w', '-wa', '-wl', '-war', '-w4a', '-w6a', '-w4', '-w6', '-46wa', '-64wa', '-wae', '-wam', '-wao', '-waemO', '-wai',
    '-waim', '-waimO',
    '-wa --tos', '-wa --cgroup', '-wa --inet-sockopt', '-wap', '-waT', '-w -p', '-A raw -a', "-A 'inet,!tcp' -a",
    '-f inet -a', '-f inet6 -a', '-wa state established', '-wa state unconnected', '-wa exclude established',
    '-wa state listening', '-a', '-4a', '-6a', '-4', '-0a -w',
]
FILTERS = [
    'src 127.0.0.1', 'src 127.0.0.1/8', 'src 127.0.0.1:253', 'src [::1]', 'src ::1/128', 'src [::]', 'src 0.0.0.0',
    'src *', 'src 0/0', 'dst 127.0.0.1', 'dst 0.0.0.0', 'dst [::1]', 'dst 203.0.113.2', 'sport = :1', 'sport = :58',
    'sport = :253', 'sport != :1', 'sport > :100', 'sport < 2', 'dport = :0', 'dport != 0', 'sport = :ssh',
    'src inet6:*:58', 'dev lo', 'not dev lo', 'dev 0', 'autobound', 'not autobound', 'fwmark = 0', 'fwmark = 0x23',
    'cgroup /', 'sport = :1 or sport = :58', 'not ( src 127.0.0.1 or src [::1] )', 'sport > 70000',
]


def _argv(args):
    argv = shlex.split(args)
    return argv if 'r' in args.split()[0] else argv + ['-n']


@pytest.mark.parametrize('args', RAW_ARGS)
def test_raw_rows_as_ss(netns, sockets, args):
    problem, _expected, _got, result = compare_with_ss(netns, _argv(args))
    assert problem is None, problem
    raw = [r for r in result['ansible_facts']['sockets'] if r['netid'] == 'raw']
    assert 'raw' not in result['unsupported_tables']
    if args in ('-wa', '-a'):
        assert len(raw) == 5


@pytest.mark.parametrize('kernel_filter', [True, False], ids=['bytecode', 'python'])
@pytest.mark.parametrize('expr', FILTERS)
def test_raw_filters_as_ss(netns, sockets, expr, kernel_filter):
    """In /proc mode ss sends no program: its user-space filter alone decides, also where kernel_filter=false
    would run the kernel's half."""
    argv = ['-wa', '-n'] + shlex.split(expr)
    problem, _expected, _got, _result = compare_with_ss(netns, argv, module_args={'kernel_filter': kernel_filter})
    assert problem is None, problem


def test_raw_records(netns, sockets):
    """What the records say: the protocol as the port, 0 as the peer's (null from /proc, whose kernel writes 0 there),
    and what /proc cannot give is null."""
    result = run_module('socket_facts', {'ss_args': '-wa', 'netns': netns.name, 'extended': True, 'memory': True,
                                         'timers': True, 'lines': False})
    recs = result['ansible_facts']['sockets']
    peer_port = 0 if _kernel_has_raw_sock_diag() else None
    assert sorted(r['local_port'] for r in recs) == sorted(sockets.info['raw_protocols'])
    by_key = dict(((r['family'], r['local_address'], r['local_port']), r) for r in recs)
    icmp = by_key[('inet', '0.0.0.0', 1)]
    assert (icmp['netid'], icmp['state'], icmp['peer_address'], icmp['peer_port'], icmp['recv_q']) == (
        'raw', 'UNCONN', '0.0.0.0', peer_port, 0)
    assert by_key[('inet6', '*', 58)]['peer_address'] == '*'
    for key in (('inet', '127.0.0.1', 253), ('inet6', '::1', 253)):
        conn = by_key[key]
        assert conn['state'] == 'ESTAB' and conn['peer_address'] == key[1] and conn['peer_port'] == peer_port
        assert conn['recv_q'] > 0
    assert all(r['inode'] and r['uid'] == 0 for r in recs)
    if not _kernel_has_raw_sock_diag():
        assert all(r['cookie'] is None and r['interface'] is None for r in recs)
        assert all(r['extended'] is None and r['skmem'] is None and r['timer'] is None for r in recs)


def _kernel_has_raw_sock_diag():
    """Whether the running kernel answers a raw (protocol 255) inet dump: no (ENOENT) without CONFIG_INET_RAW_DIAG."""
    from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import inet_request
    from ansible_collections.netdiag.ss.plugins.module_utils._errors import TableNotSupported
    sock = nl.open_socket()
    try:
        for _chunk in nl.dump(sock, inet_request(socket.AF_INET, 'raw', 0xfff), 'raw'):
            pass
    except TableNotSupported as exc:
        assert exc.errno == errno.ENOENT
        return False
    finally:
        sock.close()
    return True


def test_the_kernel_has_no_raw_sock_diag():
    """Guard: the comparisons above exercise the /proc path only where the kernel has no raw sock_diag."""
    if _kernel_has_raw_sock_diag():
        pytest.skip('this kernel has raw sock_diag: the comparisons above used it, not /proc/net/raw')


# ---------------------------------------------------------------- sctp and dccp on a kernel without them

@pytest.mark.parametrize('args, table', [('-S', 'sctp'), ('-Sa', 'sctp'), ('--sctp -l', 'sctp'), ('-Saiem', 'sctp'),
                                         ('-d', 'dccp'), ('-da', 'dccp'), ('--dccp -a', 'dccp'), ('-daiem', 'dccp'),
                                         ('-A sctp,dccp -a', None)])
def test_sctp_and_dccp_without_their_diag_modules(netns, sockets, args, table):
    """Empty, as ss lists them; named in unsupported_tables, with a warning because they were asked for by name."""
    rc, lines, _err = run_ss(netns, _argv(args))
    assert rc == 0 and len(lines) == 1, lines       # ss: the header only (and for dccp an RTNETLINK error on stderr)
    problem, _expected, _got, result = compare_with_ss(netns, _argv(args))
    assert problem is None, problem
    assert result['ansible_facts']['sockets'] == []
    tables = [table] if table else ['dccp', 'sctp']
    assert result['unsupported_tables'] == tables
    warnings = json.dumps(result.get('warnings', []))      # texts, or dicts with the text (ansible-core >= 2.19)
    assert all('table %s is not supported by this kernel' % t in warnings for t in tables), warnings


def test_sctp_and_dccp_are_unsupported_without_a_warning_when_not_named(netns, sockets):
    result = run_module('socket_facts', {'ss_args': '-a', 'netns': netns.name, 'lines': False})
    assert {'sctp', 'dccp'} <= set(result['unsupported_tables']) and 'raw' not in result['unsupported_tables']
    warnings = json.dumps(result.get('warnings', []))
    assert 'sctp' not in warnings and 'dccp' not in warnings, warnings
