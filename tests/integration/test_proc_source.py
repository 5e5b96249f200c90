# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The /proc/net source (source: proc, and auto where sock_diag cannot be used) on the socket zoo.

Live sockets (tests/integration/sockets_fixture.py in a namespace this test builds:
TCP, UDP, raw, unix, packet and netlink), compared three ways:

* with `ss` forced to read /proc/net (PROC_ROOT=/proc, as ss.c's *_show fallbacks do):
  the same rows, token for token, except where ss's /proc mode is wrong
  (docs/differences.md: a unix datagram socket is ESTAB only when connected, a unix
  connection not yet accepted is not listed);
* with the netlink source of the module: the same sockets, field by field, except the
  fields /proc/net cannot give (null in the proc record: docs/socket_facts.md) and the
  IPv6 wildcard, which /proc/net prints as `*` (v6only is not there);
* with `ss` reading sock_diag, parsed into fields: the same, field by field.

And the fallback decision on a kernel that refuses sock_diag: the module run under a
seccomp filter (tests/integration/seccomp_deny.py) that makes socket(AF_NETLINK,
NETLINK_SOCK_DIAG), or the first dump's send(), fail as in gVisor, WSL 1 or a sandbox.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
import time

import pytest

from conftest import HERE, compare_with_ss, run_module, run_ss

PROC_MODE = {'PROC_ROOT': '/proc'}      # ss reads /proc/net (its tcp_show ... netlink_show fallbacks)

# ss arguments (-n is added unless r is given), compared with ss's /proc mode
ARGS = [
    '-t', '-ta', '-tl', '-tn', '-to', '-tao', '-tap', '-taT', '-t4a', '-t6a', '-46 -ta', '-tar',
    '-t state established', '-t state listening', '-t state time-wait', '-t state syn-sent', '-t state close-wait',
    '-t state fin-wait-1', '-t state fin-wait-2', '-t state connected', '-t state bucket', '-t exclude listening',
    '-u', '-ua', '-ul', '-uap', '-uao', '-u4a', '-u6a', '-uar', '-u state established',
    '-w', '-wa', '-wl', '-wap', '-w4a', '-w6a',
    '-xa', '-xap', '-xaT', '-0', '-0a', '-0p', '-A packet', '-A p_raw', '-A p_dgr', '-f link',
    '-A netlink', '-f netlink -a', '-f netlink -ap', '-f netlink -ar',
    '-a', '-ap', '-4', '-6', '-l', '-tuwa', "-a -A 'all,!tcp'", '-A inet -a',
]
# (ss arguments, expression): the filter runs in user space alone on /proc/net records, as in ss's /proc mode
FILTERS = [
    ('-ta', 'sport = :5001'), ('-ta', 'sport != :5001'), ('-ta', 'sport > :5002'), ('-ta', 'dport = :5001'),
    ('-ta', 'dport < 1024'), ('-ta', 'sport = 0x1389'), ('-ta', 'sport > 70000'), ('-ta', 'src 127.0.0.1'),
    ('-ta', 'src 127.0.0.1:5002'), ('-ta', 'src *:5001'), ('-ta', 'src 0/0'), ('-ta', 'src 0.0.0.0'),
    ('-ta', 'dst 203.0.113.0/24'), ('-ta', 'src [::1]'), ('-ta', 'src [::]'), ('-ta', 'src [::ffff:127.0.0.1]'),
    ('-ta', 'src inet6:*:5003'), ('-ta', 'dev ndveth0'), ('-ta', 'dev 0'), ('-ta', 'not dev lo'),
    ('-ta', 'fwmark = 0x23'), ('-ta', 'fwmark = 0'), ('-ta', 'cgroup /'), ('-ta', 'autobound'),
    ('-ta', 'not autobound'), ('-ta', 'sport = :5001 or sport = :5002 and dst 127.0.0.1'),
    ('-ta', 'not ( sport = :5001 or dport = :5001 )'), ('-o state established', "'( dport = :5001 or sport = :5001 )'"),
    ('-ua', 'sport = :5101'), ('-ua', 'dst 127.0.0.1'), ('-ua', 'autobound'), ('-ua', 'src [::]'),
    ('-wa', 'sport = :253'), ('-wa', 'src [::1]'),
    ('-xa', 'src *stream.sock'), ('-xa', 'src *STREAM.SOCK'), ('-xa', 'src @netdiag*'), ('-xa', 'src *'),
    ('-xa', 'dst *'), ('-xa', 'autobound'), ('-xa', 'not autobound'), ('-xa', r"src '*\\xff*'"),
    ('-xa', r"src '*\xff*'"), ('-a', 'src unix:*seq*'),
    ('-0', 'src *'), ('-0', 'src ip'), ('-0', 'src ip:ndveth0'), ('-0', 'src *:ndveth0'), ('-0', 'autobound'),
    ('-A netlink', 'src rtnl'), ('-A netlink', 'src 0:*'), ('-A netlink', 'src rtnl:kernel'), ('-A netlink', 'autobound'),
]


def _options(argv, letter):
    """Whether a short option (bundled or not) of argv has this letter."""
    return any(word.startswith('-') and not word.startswith('--') and letter in word[1:] for word in argv)


def _argv(args, expr=None):
    argv = shlex.split(args)
    if not _options(argv, 'r'):
        argv.append('-n')
    return argv + (shlex.split(expr) if expr else [])


def _unix_row(tokens):
    """A unix row's tokens as (netid, state, rest...), or None (ss prints a Netid column for more than one table)."""
    return tokens if tokens and tokens[0] in ('u_str', 'u_dgr', 'u_seq') and len(tokens) >= 8 else None


def _not_embryo(tokens):
    """False for ss's /proc-mode row of a unix connection not yet accepted: SYN-SENT, inode 0 (netlink lists none)."""
    row = _unix_row(tokens)
    return not (row and row[1] == 'SYN-SENT' and row[-3] == '0')


def _dgram_state(tokens):
    """ss's /proc mode calls every unix datagram socket ESTAB (it reads the kernel's address column as the peer)."""
    row = _unix_row(tokens)
    if row and row[0] == 'u_dgr':
        return [row[0], 'DGRAM'] + row[2:]
    return tokens


def _nss_or_embryo(tokens):
    """Also drop glibc's nscd probe that ss -r opens (test_differential._not_nss_socket)."""
    return _not_embryo(tokens) and not (len(tokens) >= 8 and tokens[0] == 'u_str' and tokens[1] == 'UNCONN'
                                        and tokens[4] == '*' and tokens[6] == '*' and tokens[7] == '0')


def _compare_proc_mode(netns, argv):
    """compare_with_ss against ss's /proc mode, its unix datagram state aside (with every state asked for, its rows
    are the same sockets; with fewer, ss selects them by its wrong state, so they are left out on both sides)."""
    every_state = _options(argv, 'a') and not any(word in ('state', 'exclude', 'excl') for word in argv)
    first = _nss_or_embryo if _options(argv, 'r') else _not_embryo

    def keep(tokens):
        row = _unix_row(tokens)
        return first(tokens) and (every_state or not (row and row[0] == 'u_dgr'))
    return compare_with_ss(netns, argv, module_args={'source': 'proc'}, keep=keep, normalize=_dgram_state,
                           ss_env=PROC_MODE)


@pytest.mark.parametrize('args', ARGS)
def test_proc_rows_as_ss_reads_proc(netns, sockets, args):
    problem, _expected, _got, result = _compare_proc_mode(netns, _argv(args))
    assert problem is None, problem
    assert all(r['cookie'] is None for r in result['ansible_facts']['sockets'])
    # what source=proc was asked for is not warned about; only tables named that /proc/net has no file for
    assert all('has no file in /proc/net (source: proc)' in w for w in _warnings(result)), _warnings(result)


@pytest.mark.parametrize('args, expr', FILTERS)
def test_proc_filters_as_ss_reads_proc(netns, sockets, args, expr):
    problem, _expected, _got, _result = _compare_proc_mode(netns, _argv(args, expr))
    assert problem is None, problem


# ---------------------------------------------------------------- the netlink source, field by field

# what /proc/net cannot give, per table (docs/socket_facts.md): null in the proc record, whatever netlink says
NULLS = {
    'tcp': ('cookie', 'interface'), 'udp': ('cookie', 'interface'), 'raw': ('cookie', 'interface', 'peer_port'),
    'u_str': ('cookie', 'recv_q', 'send_q', 'peer_port', 'uid'), 'u_dgr': ('cookie', 'recv_q', 'send_q', 'peer_port', 'uid'),
    'u_seq': ('cookie', 'recv_q', 'send_q', 'peer_port', 'uid'), 'p_raw': ('cookie',), 'p_dgr': ('cookie',),
    'nl': ('cookie', 'peer_address', 'peer_port'),
}
DETAILS = ('extended', 'skmem', 'info', 'tos', 'cgroup', 'sockopt', 'bpf')
SOCK_DIAG = '4'     # NETLINK_SOCK_DIAG: each tool's own socket, and the kernel's whose queue holds the request
NO_FILE = ('mptcp', 'sctp', 'dccp', 'v_str', 'v_dgr', '???', 'ti_st', 'ti_dg', 'ti_rd', 'ti_sq', 'xdp')   # not in /proc/net


def _key(rec):
    if rec['inode']:
        return rec['netid'], rec['inode']
    return rec['netid'], rec['local_address'], rec['local_port'], rec['peer_address'], rec['peer_port']


def _same_socket(proc, nl):
    """The differences between a proc record and netlink's record of the same socket that docs/socket_facts.md does
    not list (None: none)."""
    problems = []
    nulls = NULLS[proc['netid']] + (('send_q',) if proc['netid'] == 'tcp' and proc['state'] == 'LISTEN' else ())
    for field, value in proc.items():
        other = nl.get(field)
        if field in nulls or field in DETAILS:
            if value is not None:
                problems.append('%s should be null: %r' % (field, value))
            continue
        if field in ('local_address', 'peer_address') and proc['family'] == 'inet6' and value == '*' and other == '::':
            continue        # an IPv6-only wildcard: v6only is not in /proc/net
        if field == 'recv_q' and proc['netid'] == 'nl' and proc['local_address'] == SOCK_DIAG:
            continue
        if field == 'timer_expires_ms' and value is not None and other is not None and abs(value - other) <= 1500:
            continue        # read a moment apart, /proc in 10 ms ticks
        if field == 'timer_retrans' and proc.get('timer') == 'persist':
            continue        # zero window probes go on between the two reads
        if value != other:
            problems.append('%s: proc %r, netlink %r' % (field, value, other))
    return problems or None


def _both(netns, args, expr=None, extra=None):
    module_args = dict({'ss_args': ' '.join(shlex.quote(a) for a in _argv(args, expr)), 'netns': netns.name,
                        'lines': False}, **(extra or {}))
    got = {}
    for source in ('proc', 'netlink'):
        result = run_module('socket_facts', dict(module_args, source=source))
        got[source] = [r for r in result['ansible_facts']['sockets'] if r['netid'] not in NO_FILE
                       and not (r['netid'] == 'nl' and r['local_address'] == SOCK_DIAG and r['local_port'])]
    return got['proc'], got['netlink']


def _compare_sources(netns, args, expr=None, extra=None, attempts=3):
    for attempt in range(attempts):
        proc, netlink = _both(netns, args, expr, extra)
        by_key = dict((_key(r), r) for r in netlink if r['netid'] != 'raw')
        problems = []
        for rec in proc:
            if rec['netid'] == 'raw' and not any(r['netid'] == 'raw' for r in netlink):
                continue            # no raw sock_diag here: netlink lists none (test_raw_vs_ss compares them with ss)
            other = by_key.pop(_key(rec), None)
            if other is None:
                problems.append('only in proc: %r' % rec)
                continue
            diff = _same_socket(rec, other)
            if diff:
                problems.append('%s: %s' % (_key(rec), '; '.join(diff)))
        problems.extend('only in netlink: %r' % r for r in by_key.values())
        if not problems:
            return proc, netlink
        if attempt < attempts - 1:
            time.sleep(0.5)
    raise AssertionError('\n'.join(problems))


SOURCE_CASES = [
    ('-ta', None), ('-tao', None), ('-tap', None), ('-t state established', None), ('-tl', None), ('-6ta', None),
    ('-ua', None), ('-uap', None), ('-xa', None), ('-xap', None), ('-x', None), ('-x state listening', None),
    ('-A u_dgr', None), ('-0a', None), ('-A p_dgr -a', None), ('-f netlink -a', None), ('-a', None), ('-ap', None),
    ('-wa', None), ('-ta', 'sport = :5001'), ('-ta', 'src 127.0.0.1 and dport != :5001'), ('-ua', 'dst 127.0.0.1'),
    ('-ta', 'not ( sport = :5001 or dport = :5001 )'), ('-xa', 'src *stream.sock'), ('-xa', 'src @*'),
    ('-0', 'src ip'), ('-f netlink -a', 'src rtnl'), ('-f netlink -a', 'autobound'),
]


@pytest.mark.parametrize('args, expr', SOURCE_CASES)
def test_proc_source_matches_the_netlink_source(netns, sockets, args, expr):
    proc, _netlink = _compare_sources(netns, args, expr)
    assert proc, 'the fixture has sockets for every case'


def test_details_are_null_and_print_nothing(netns, sockets):
    extra = {'extended': True, 'memory': True, 'info': True, 'tos': True, 'cgroup': True, 'inet_sockopt': True,
             'bpf': True}
    proc, _netlink = _compare_sources(netns, '-a', extra=extra)
    assert proc and all(r[key] is None for r in proc for key in DETAILS)
    result = run_module('socket_facts', dict(extra, ss_args='-tuwxa0', netns=netns.name, source='proc'))
    assert all(len(line.split('\n')) == 1 for line in result['lines'])
    rows = result['lines'][1:]
    assert len(rows) == len(result['ansible_facts']['sockets'])      # no detail line under any row


# ---------------------------------------------------------------- ss reading sock_diag, field by field

def _ss_fields(tokens):
    """The fields of an `ss -na` row (Netid and State shown), as socket_facts names them."""
    netid, state, rq, sq = tokens[:4]
    row = {'netid': netid, 'state': state, 'recv_q': int(rq), 'send_q': int(sq)}
    if netid in ('u_str', 'u_dgr', 'u_seq'):
        row.update(local_address=tokens[4], local_port=int(tokens[5]), peer_address=tokens[6], peer_port=int(tokens[7]))
        return row
    if netid in ('p_raw', 'p_dgr'):
        proto, _sep, dev = tokens[4].rpartition(':')
        row.update(local_address=proto, interface=None if dev == '*' else dev)
        return row
    if netid == 'nl':
        proto, _sep, port = tokens[4].rpartition(':')
        row.update(local_address=proto, local_port=int(port))
        return row
    for side, text in (('local', tokens[4]), ('peer', tokens[5])):
        addr, _sep, port = text.rpartition(':')
        if '%' in addr:
            addr, _sep, dev = addr.partition('%')
            row['interface'] = dev
        addr = addr[1:-1] if addr.startswith('[') else addr
        row[side + '_address'] = '*' if addr == '::' else addr        # /proc/net has no v6only
        row[side + '_port'] = 0 if port == '*' else int(port)
    return row


def test_proc_records_carry_what_ss_prints_from_sock_diag(netns, sockets):
    """Every row `ss -tuxa0 -f netlink` prints from sock_diag, field by field, in the proc records (their null
    fields aside); one row of ss, the embryo of a unix connection, is not a socket yet and netlink has none either."""
    for attempt in range(3):
        rc, lines, _err = run_ss(netns, ['-tuxa0', '-f', 'netlink', '-n'])
        assert rc == 0
        rows = [_ss_fields(line.split()) for line in lines[1:]
                if not (line.split()[0] == 'nl' and line.split()[4].startswith(SOCK_DIAG + ':'))]
        result = run_module('socket_facts', {'ss_args': '-tuxa0 -f netlink', 'netns': netns.name, 'source': 'proc',
                                             'lines': False})
        recs = [r for r in result['ansible_facts']['sockets'] if not (r['netid'] == 'nl' and r['local_address'] == SOCK_DIAG)]
        problems = []
        pool = list(recs)
        for row in rows:
            # a null field of a proc record is what /proc/net cannot give (the interface, a listener's backlog, ...)
            match = [r for r in pool if all(r.get(k) is None or r.get(k) == v for k, v in row.items())]
            if not match:
                problems.append('ss row without a proc record: %r' % row)
                continue
            pool.remove(match[0])
        problems.extend('proc record without an ss row: %r' % r for r in pool)
        if not problems:
            return
        time.sleep(0.5)
    raise AssertionError('\n'.join(problems))


# ---------------------------------------------------------------- the fallback decision (source: auto)

def _denied(mode, err):
    if platform.machine() not in ('x86_64', 'aarch64'):
        pytest.skip('seccomp_deny.py knows the syscall numbers of x86_64 and aarch64 only')
    return [sys.executable, os.path.join(HERE, 'seccomp_deny.py'), mode, err, '--']


def _warnings(result):
    return [json.dumps(w) for w in result.get('warnings') or ()]


@pytest.mark.parametrize('mode, err, why', [
    ('socket', 'EPROTONOSUPPORT', 'socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: Protocol not supported (EPROTONOSUPPORT)'),
    ('socket', 'EAFNOSUPPORT', 'socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: Address family not supported by protocol '
                               '(EAFNOSUPPORT)'),
    ('socket', 'EACCES', 'socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: Permission denied (EACCES)'),
    ('socket', 'EPERM', 'socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: Operation not permitted (EPERM)'),
    ('sendto', 'EACCES', 'the first dump (table netlink) was refused: Permission denied (EACCES)'),
])
def test_auto_reads_proc_where_sock_diag_is_refused(netns, sockets, mode, err, why):
    """The kernel refuses sock_diag (seccomp): every table with a /proc/net file is read there, with one warning that
    says why and which; the rows are ss's /proc-mode rows; tables without a file are unsupported."""
    args = {'ss_args': '-a -n', 'netns': netns.name}
    result = run_module('socket_facts', args, prefix=_denied(mode, err))
    assert result['proc_tables'] == ['netlink', 'packet', 'unix', 'raw', 'udp', 'tcp']
    assert {'mptcp', 'sctp', 'dccp'} <= set(result['unsupported_tables'])
    (warning,) = [w for w in _warnings(result) if 'NETLINK_SOCK_DIAG' in w]
    assert ('sock_diag (NETLINK_SOCK_DIAG) cannot be used here: %s. Tables netlink, packet, unix, raw, udp, tcp were read '
            'from /proc/net instead (source: auto)' % why) in warning
    assert all(r['cookie'] is None for r in result['ansible_facts']['sockets'])
    # the same rows as source=proc, and so as ss's /proc mode (compared above); read a moment apart
    for _attempt in range(3):
        proc = run_module('socket_facts', dict(args, source='proc'))
        if result['lines'] == proc['lines']:
            break
        result = run_module('socket_facts', args, prefix=_denied(mode, err))
    assert result['lines'] == proc['lines']


def test_auto_the_named_tables_without_a_file_are_said(netns, sockets):
    result = run_module('socket_facts', {'ss_args': '-t -M -n', 'netns': netns.name},
                        prefix=_denied('socket', 'EPROTONOSUPPORT'))
    assert result['proc_tables'] == ['tcp'] and result['unsupported_tables'] == ['mptcp']
    assert any('table mptcp cannot be listed: sock_diag cannot be used here and /proc/net has no file for it' in w
               for w in _warnings(result))
    only = run_module('socket_facts', {'ss_args': '-M -n', 'netns': netns.name},
                      prefix=_denied('socket', 'EPROTONOSUPPORT'))
    assert only['proc_tables'] == [] and only['unsupported_tables'] == ['mptcp']
    # no "Tables (none) were read from /proc/net": nothing was
    assert not any('/proc/net instead' in w for w in _warnings(only)), _warnings(only)
    assert any('no selected table has a /proc/net file to read instead' in w for w in _warnings(only)), _warnings(only)


def test_netlink_source_fails_where_sock_diag_is_refused(netns, sockets):
    result = run_module('socket_facts', {'ss_args': '-t', 'netns': netns.name, 'source': 'netlink'}, check=False,
                        prefix=_denied('socket', 'EPROTONOSUPPORT'))
    assert result['failed'] and 'cannot read sockets from the kernel' in result['msg']


def test_socket_kill_closes_nothing_it_read_from_proc(netns, sockets):
    """auto: the sockets come from /proc/net (no cookie): each is reported in not_closed, nothing is sent, and the task
    fails (as for any socket the kernel cannot close). proc: refused."""
    args = {'ss_args': '-t state close-wait', 'netns': netns.name, 'filter': 'sport = :5001'}
    result = run_module('socket_kill', args, check=False, prefix=_denied('socket', 'EPROTONOSUPPORT'))
    assert result['failed'] and '1 of the selected sockets could not be closed: EOPNOTSUPP' in result['msg']
    assert result['changed'] is False and result['killed'] == []
    assert [(f['local_port'], f['error']) for f in result['not_closed']] == [(5001, 'EOPNOTSUPP')]
    assert 'read from /proc/net' in result['not_closed'][0]['message']
    assert [r['local_port'] for r in result['survivors']] == [5001]
    refused = run_module('socket_kill', dict(args, source='proc'), check=False)
    assert refused['failed'] and 'source: proc cannot close sockets' in refused['msg']
    # still there: nothing was closed
    assert run_module('socket_facts', dict(args, lines=False))['ansible_facts']['socket_summary']['total'] == 1


def test_raw_named_warns_that_it_came_from_proc(netns, sockets):
    """This kernel has no raw sock_diag: raw is read from /proc/net (as ss does), said when raw was asked for."""
    named = run_module('socket_facts', {'ss_args': '-wa', 'netns': netns.name, 'lines': False})
    unnamed = run_module('socket_facts', {'ss_args': '-a', 'netns': netns.name, 'lines': False})
    if 'raw' not in named['proc_tables']:
        pytest.skip('this kernel has raw sock_diag')
    assert any('table raw: the kernel has no sock_diag handler for it' in w for w in _warnings(named))
    assert unnamed['proc_tables'] == ['raw'] and not any('table raw' in w for w in _warnings(unnamed))
    netlink_only = run_module('socket_facts', {'ss_args': '-wa', 'netns': netns.name, 'source': 'netlink', 'lines': False})
    assert netlink_only['unsupported_tables'] == ['raw'] and netlink_only['ansible_facts']['sockets'] == []


def test_proc_source_refuses_events_and_dumps(netns, sockets, tmp_path):
    for extra in ({'events': 1}, {'dump_file': str(tmp_path / 'x.dump')}):
        result = run_module('socket_facts', dict(extra, ss_args='-t', netns=netns.name, source='proc'), check=False)
        assert result['failed'] and result['msg'].startswith('source: proc')
    assert not (tmp_path / 'x.dump').exists()


def test_socket_assert_reads_proc_too(netns, sockets):
    """source is the module's, for every rule: with proc no sock_diag socket is opened (under seccomp, auto would warn
    and netlink would fail)."""
    rules = [{'name': 'listener on 5001', 'ss_args': '-tl sport = :5001', 'expect': 'present'},
             {'name': 'nothing on 23', 'ss_args': '-tl sport = :23'}]
    denied = _denied('socket', 'EPROTONOSUPPORT')
    result = run_module('socket_assert', {'netns': netns.name, 'source': 'proc', 'rules': rules}, check=False,
                        prefix=denied)
    assert not result.get('failed'), result.get('msg')
    assert result['passed'] and not result.get('warnings')
    result = run_module('socket_assert', {'netns': netns.name, 'source': 'netlink', 'rules': rules}, check=False,
                        prefix=denied)
    assert result['failed'] and 'cannot read sockets from the kernel' in result['msg']
    result = run_module('socket_assert', {'netns': netns.name, 'source': 'proc', 'ss_args': '-tl sport = :5001'},
                        check=False)
    assert result.get('failed') and result['failed_rules'] == ['assertion'], 'a listener read from /proc/net'


def test_socket_assert_counts_what_socket_facts_lists_from_proc(netns, sockets):
    """Each rule's count from /proc/net equals socket_facts' listing of the same selection (which the tests above
    compare with ss's /proc mode): the rules' filters run there as ss's user space alone runs them (no kernel half:
    `src 0.0.0.0/0` matches IPv6 sockets too), all rules in the shared dumps. The zoo's SYN-SENT socket comes and
    goes (its connect times out and is tried again): a count may equal the listing before or the one after."""
    def listings():
        out = {}
        for args, expr in FILTERS:
            if '-o' not in args.split():            # rules take no detail options
                facts = run_module('socket_facts', {'netns': netns.name, 'source': 'proc', 'lines': False,
                                                    'ss_args': '%s %s' % (args, expr)}, check=False)
                if not facts.get('failed'):         # `-A netlink src rtnl`: an error for ss and for both modules
                    out['%s %s' % (args, expr)] = facts['ansible_facts']['socket_summary']['total']
        return out
    before = listings()
    rules = [{'name': 'rule %d' % i, 'ss_args': ss_args} for i, ss_args in enumerate(before)]
    result = run_module('socket_assert', {'netns': netns.name, 'source': 'proc', 'rules': rules, 'report_only': True,
                                          'max_offenders': 0})
    after = listings()
    assert len(before) > 40 and set(after) == set(before)
    for rule, ss_args in zip(result['rules'], before):
        assert rule['count'] in (before[ss_args], after[ss_args]), (ss_args, rule, before[ss_args], after[ss_args])
