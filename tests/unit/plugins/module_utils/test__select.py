# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The selection entry point, with the collector faked: order of the steps, warnings, errors."""

from __future__ import annotations

import collections
import errno

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _select
from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, NetlinkError, SocketToolError
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request


class Recorder(HostLookups):
    """Lookups that log when they are asked."""

    def __init__(self, log):
        super(Recorder, self).__init__()
        self.log = log

    def ifindex(self, name):
        self.log.append(('ifindex', name))
        return 7

    def ephemeral_range(self):
        return (32768, 60999)


@pytest.fixture
def fake(monkeypatch):
    log = []
    calls = {}

    def fake_collect(tables, families, states, **kw):
        log.append('collect')
        calls.update(kw, tables=tables, families=families, states=states)
        return calls.pop('_records', [{'inode': 5, 'netid': 'tcp'}]), calls.pop('_unsupported', collections.OrderedDict())
    monkeypatch.setattr(_select, 'collect', fake_collect)
    monkeypatch.setattr(_select, 'enter', lambda name: log.append(('enter', name)))
    return log, calls


def test_namespace_first_then_bind_then_collect(fake):
    log, calls = fake
    sel = _select.select(build_request({'ss_args': '-t -N blue', 'filter': 'dev eth9'}), Recorder(log))
    assert log == [('enter', 'blue'), ('ifindex', 'eth9'), 'collect']
    assert calls['bytecode'] == bytes.fromhex('09080c00') + (7).to_bytes(4, 'little') and calls['match'] is not None
    assert calls['tables'] == ('tcp',) and sel.records == [{'inode': 5, 'netid': 'tcp'}]


def test_no_filter_no_matcher(fake):
    _log, calls = fake
    _select.select(build_request({'ss_args': '-t'}))
    assert calls['match'] is None and calls['bytecode'] is None and calls['identity'] is False


def test_kernel_filter_false_sends_no_bytecode(fake):
    _log, calls = fake
    _select.select(build_request({'ss_args': '-t', 'filter': 'src 10.0.0.0/8', 'kernel_filter': False}))
    assert calls['bytecode'] is None and calls['match'] is not None


def test_warns_only_for_tables_asked_for(fake):
    _log, calls = fake
    calls['_unsupported'] = collections.OrderedDict([('sctp', 'table sctp is not supported'), ('raw', 'not yet')])
    sel = _select.select(build_request({'ss_args': '-S -a'}))
    assert sel.unsupported == ['sctp', 'raw'] and sel.warnings == ['table sctp is not supported']


def test_processes_only_for_kept_sockets(fake, monkeypatch):
    from ansible_collections.netdiag.ss.plugins.module_utils import _procs
    asked = []
    monkeypatch.setattr(_procs, 'find_holders', lambda inodes, threads, **kw: asked.append((inodes, threads)) or {5: ['h']})
    sel = _select.select(build_request({'ss_args': '-tT'}))
    assert asked == [([5], True)] and sel.records[0]['processes'] == ['h']


def test_fwmark_without_privilege_says_what_to_do(monkeypatch):
    """Without CAP_NET_ADMIN the kernel refuses a program with MARK_COND (EPERM): say so, and how to fix it."""
    def refuse(*args, **kwargs):
        raise NetlinkError(errno.EPERM, 'tcp')
    monkeypatch.setattr(_select, 'collect', refuse)
    with pytest.raises(ArgsError, match='CAP_NET_ADMIN.*become: true'):
        _select.select(build_request({'ss_args': '-tn', 'filter': 'fwmark = 0x23'}))
    with pytest.raises(NetlinkError):
        _select.select(build_request({'ss_args': '-tn', 'filter': 'sport = :22'}))


def test_os_errors_become_project_errors(monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(errno.EAFNOSUPPORT, 'Address family not supported by protocol')
    monkeypatch.setattr(_select, 'collect', broken)
    with pytest.raises(SocketToolError, match='cannot read sockets from the kernel'):
        _select.select(build_request({'ss_args': '-t'}))


def test_summary_only_reads_no_socket(fake, monkeypatch):
    from ansible_collections.netdiag.ss.plugins.module_utils import _summary
    log, _calls = fake
    monkeypatch.setattr(_summary, 'read_summary', lambda: {'total': 1})
    sel = _select.select(build_request({'ss_args': '-s'}))
    assert sel.stats == {'total': 1} and sel.records == [] and 'collect' not in log


def _capture(tmp_path):
    from uapi import done, inet_msg
    path = tmp_path / 'tcp.dump'
    path.write_bytes(inet_msg() + done() + inet_msg(family=10, src='::1', dst='::', state=1) + done())
    return str(path)


def test_from_dump_gives_the_collector_the_capture_with_the_user_space_check(fake, tmp_path):
    from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
    from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET6
    _log, calls = fake
    v6 = SockView(AF_INET6, 'tcp', 1, b'\0' * 15 + b'\1', b'\0' * 16, 22, 0, 0, 0, 0)
    # `src 0/0` is an IPv4 condition for the kernel, and every socket for ss's user space
    _select.select(build_request({'ss_args': '-ta', 'filter': 'src 0/0', 'kernel_filter': False,
                                  'from_dump': _capture(tmp_path)}), Recorder([]))
    (data, msgs), = calls['capture'][0]
    assert len(msgs) == 2 and calls['capture'][1](v6) and not calls['match'](v6)
    # the capture is selected by states and families as the kernel would select (ss ignores them for a file)
    _select.select(build_request({'ss_args': '-t4 state listening', 'from_dump': _capture(tmp_path)}))
    (data, msgs), = calls['capture'][0]
    assert [data[off + 16:off + 18] for off, _l in msgs] == [b'\x02\x0a'] and calls['capture'][1] is None
    _select.select(build_request({'ss_args': '-t6 state established', 'from_dump': _capture(tmp_path)}))
    (data, msgs), = calls['capture'][0]
    assert [data[off + 16:off + 18] for off, _l in msgs] == [b'\x0a\x01']


def test_a_bad_capture_stops_before_the_kernel_is_read(fake, tmp_path):
    from ansible_collections.netdiag.ss.plugins.module_utils._errors import CaptureError
    log, _calls = fake
    path = tmp_path / 'bad.dump'
    path.write_bytes(b'\0' * 10)
    with pytest.raises(CaptureError, match='truncated'):
        _select.select(build_request({'ss_args': '-t', 'from_dump': str(path)}))
    assert 'collect' not in log


def test_userspace_filter():
    assert _select.userspace_filter(build_request({}), Recorder([])) == (None, False)
    match, needs_attrs = _select.userspace_filter(build_request({'filter': 'fwmark = 1 or autobound'}), Recorder([]))
    assert callable(match) and needs_attrs


# ---------------------------------------------------------------- tables read from /proc/net (the source option)

@pytest.fixture
def proc_read(monkeypatch):
    """A collector that reports the given groups read from /proc/net (Sources), as _collect does."""
    said = {}

    def fake_collect(tables, families, states, sources=None, **kw):
        said['source'] = kw['source']
        sources.refused = said.get('refused')
        for group in said.get('groups', ()):
            sources.proc[group] = sources.refused or said.get('why', 'the kernel has no sock_diag handler for it (x)')
        return [], collections.OrderedDict()
    monkeypatch.setattr(_select, 'collect', fake_collect)
    return said


def test_the_source_goes_to_the_collector(proc_read):
    for source in ('auto', 'netlink', 'proc'):
        sel = _select.select(build_request({'ss_args': '-t', 'source': source}))
        assert proc_read['source'] == source and sel.proc_tables == () and sel.warnings == []


def test_warns_always_when_sock_diag_is_refused(proc_read):
    proc_read.update(refused='socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: Protocol not supported (EPROTONOSUPPORT)',
                     groups=['unix', 'udp', 'tcp'])
    sel = _select.select(build_request({}))        # no table named
    assert sel.proc_tables == ('unix', 'udp', 'tcp')
    (warning,) = sel.warnings
    assert warning.startswith('sock_diag (NETLINK_SOCK_DIAG) cannot be used here: socket(AF_NETLINK, NETLINK_SOCK_DIAG) '
                              'failed: Protocol not supported (EPROTONOSUPPORT). Tables unix, udp, tcp were read from '
                              '/proc/net instead (source: auto), as ss does; cookies, bound interfaces')


def test_warns_for_one_table_read_from_proc_only_when_named(proc_read):
    proc_read.update(groups=['raw'])
    sel = _select.select(build_request({'ss_args': '-a'}))
    assert sel.proc_tables == ('raw',) and sel.warnings == []
    sel = _select.select(build_request({'ss_args': '-w'}))
    (warning,) = sel.warnings
    assert warning.startswith('table raw: the kernel has no sock_diag handler for it (x); it was read from /proc/net '
                              'instead (source: auto), as ss does;')


def test_no_warning_for_what_source_proc_asked(proc_read):
    proc_read.update(groups=['tcp'], why='source: proc')
    sel = _select.select(build_request({'ss_args': '-t', 'source': 'proc'}))
    assert sel.proc_tables == ('tcp',) and sel.warnings == []


@pytest.mark.parametrize('expr, words', [('dev lo', 'dev'), ('fwmark = 0x23 or cgroup /', 'cgroup, fwmark'),
                                         ('sport = :22', None)])
def test_filters_that_proc_cannot_answer(proc_read, expr, words):
    """dev, fwmark and cgroup read as 0 for inet sockets read from /proc/net (as in ss's /proc mode): said once."""
    proc_read.update(groups=['tcp'], why='source: proc')
    sel = _select.select(build_request({'ss_args': '-t', 'source': 'proc', 'filter': expr}), Recorder([]))
    expected = [] if words is None else [
        'filter: %s cannot be known for sockets read from /proc/net (tcp): they read as 0 there, as in ss' % words]
    assert sel.warnings == expected
    proc_read.update(groups=['unix'])           # not inet: the same 0 as with sock_diag, nothing to say
    assert _select.select(build_request({'ss_args': '-x', 'source': 'proc', 'filter': 'dev lo'}), Recorder([])).warnings == []


def test_max_sockets_reaches_the_collector_and_truncation_is_said(fake, monkeypatch):
    _log, calls = fake
    sel = _select.select(build_request({'ss_args': '-t'}))
    assert calls['limit'] is None and sel.truncated is False

    def truncating_collect(tables, families, states, **kw):
        calls.update(kw)
        kw['report'].truncated = True
        return [{'inode': 5, 'netid': 'tcp'}] * kw['limit'], collections.OrderedDict()
    monkeypatch.setattr(_select, 'collect', truncating_collect)
    sel = _select.select(build_request({'ss_args': '-t', 'max_sockets': 3}))
    assert calls['limit'] == 3 and sel.truncated is True and len(sel.records) == 3
    assert sel.warnings == ["max_sockets: more than 3 sockets are selected; the first 3 (in ss's order) are listed and "
                            "reading stopped there, so socket_summary counts those only (truncated: true)"]


def test_a_table_listed_from_an_interrupted_read_is_named(monkeypatch):
    from ansible_collections.netdiag.ss.plugins.module_utils._collect import DumpReport
    report = DumpReport()
    report.interrupted['tcp'] = 5
    report.inconsistent.append('tcp')
    warnings = _select.dump_warnings(build_request({'ss_args': '-t'}), report)
    assert len(warnings) == 1 and warnings[0].startswith('table tcp changed while it was read, 5 times in a row')
    assert 'Dump was interrupted and may be inconsistent.' in warnings[0]
    assert _select.dump_warnings(build_request({'ss_args': '-t'}), DumpReport()) == []
