# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a caller without privilege is told (the live runs as nobody are in tests/integration/test_nonroot.py)."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _privilege
from ansible_collections.netdiag.ss.plugins.module_utils._procs import ProcScan


@pytest.fixture
def nobody(monkeypatch):
    monkeypatch.setattr(_privilege.os, 'geteuid', lambda: 65534)


def _rec(inode, processes=(), family='inet', state='LISTEN', **kw):
    rec = {'family': family, 'state': state, 'inode': inode, 'cookie': inode or 1, 'processes': list(processes)}
    rec.update(kw)
    return rec


def test_processes_warning_counts_the_sockets_without_a_visible_holder(nobody):
    scan = ProcScan()
    scan.denied.update(['1', '2', '3'])
    records = [_rec(11, [{'name': 'mine', 'pid': 9, 'fd': 3}]), _rec(12), _rec(13), _rec(0, state='TIME-WAIT')]
    assert _privilege.processes_warning(records, scan) == (
        'not root: the processes of other users are hidden: 2 of the 4 listed sockets have no visible holder '
        '(the open files of 3 processes could not be read); run with become: true')
    scan = ProcScan()
    scan.invisible = True
    assert '1 of the 1 listed sockets has no visible holder' in _privilege.processes_warning([_rec(12)], scan)
    assert _privilege.processes_warning([_rec(12)], scan).endswith(
        '(/proc does not list the processes of other users to this user (hidepid=invisible)); run with become: true')
    assert _privilege.processes_warning(records, ProcScan()) is None       # every process was read
    scan.invisible = False
    scan.denied.add('1')
    assert _privilege.processes_warning(records[:1] + records[3:], scan) is None    # every listed holder was seen


def test_root_without_the_capabilities_is_named_so(monkeypatch):
    monkeypatch.setattr(_privilege.os, 'geteuid', lambda: 0)
    scan = ProcScan()
    scan.denied.add('1')
    assert _privilege.processes_warning([_rec(12)], scan) == (
        'some processes could not be read even as root: 1 of the 1 listed sockets has no visible holder (the open files '
        'of 1 process could not be read); ss -p shows no holder for them either')
    ext = {'mark': None}
    assert _privilege.details_warnings({'extended'}, [_rec(11, extended=ext)], net_admin=False) == [
        'without CAP_NET_ADMIN: socket marks are hidden: the kernel reports them only to callers with CAP_NET_ADMIN, so '
        'extended.mark is null for 1 inet socket (ss -e shows no fwmark for them either)']


def test_marks_and_filters_the_kernel_keeps_to_cap_net_admin(nobody):
    ext = {'mark': None, 'cgroup_id': 1}
    records = [_rec(11, extended=ext), _rec(12, extended=dict(ext, mark=0)), _rec(0, state='TIME-WAIT', extended=ext),
               _rec(13, family='unix', extended={'shutdown': '<->'}), _rec(14, family='link', bpf=[]),
               _rec(15, family='link', bpf=None), _rec(16, cookie=None, extended=ext)]     # read from /proc: no marks there
    assert _privilege.details_warnings({'extended', 'bpf'}, records, net_admin=False) == [
        'not root: socket marks are hidden: the kernel reports them only to callers with CAP_NET_ADMIN, so extended.mark '
        'is null for 2 inet sockets (ss -e shows no fwmark for them either; 1 of them is TIME-WAIT or SYN-RECV, whose '
        'marks older kernels report to no one); run with become: true',
        'not root: packet socket filters are hidden: the kernel reports them only to callers with CAP_NET_ADMIN, so bpf '
        'is [] for 1 packet socket (ss -b shows an empty filter for them too); run with become: true']
    assert _privilege.details_warnings({'extended', 'bpf'}, records, net_admin=True) == []
    assert _privilege.details_warnings({'memory'}, records, net_admin=False) == []
    assert _privilege.details_warnings({'extended'}, records[1:2] + records[3:], net_admin=False) == []
    # TIME-WAIT and SYN-RECV sockets are counted, and told apart: older kernels send their marks to no one (6.18 does)
    mini = [_rec(0, state='TIME-WAIT', extended=ext), _rec(0, state='SYN-RECV', extended=ext)]
    assert _privilege.details_warnings({'extended'}, records[1:4], net_admin=False) == [
        'not root: socket marks are hidden: the kernel reports them only to callers with CAP_NET_ADMIN, so extended.mark '
        'is null for 1 inet socket (ss -e shows no fwmark for them either; 1 of them is TIME-WAIT or SYN-RECV, whose '
        'marks older kernels report to no one); run with become: true']
    assert _privilege.details_warnings({'extended'}, records[:1] + mini, net_admin=False)[0].split(' (')[1] == (
        'ss -e shows no fwmark for them either; 2 of them are TIME-WAIT or SYN-RECV, whose marks older kernels report '
        'to no one); run with become: true')


def test_capabilities_from_proc_status(tmp_path):
    status = tmp_path / 'status'
    status.write_text('Name:\tx\nCapEff:\t0000000000001000\n')
    assert _privilege.has_capability(_privilege.CAP_NET_ADMIN, str(status))
    assert not _privilege.has_capability(21, str(status))
    status.write_text('Name:\tx\n')
    assert not _privilege.has_capability(_privilege.CAP_NET_ADMIN, str(status))
    assert not _privilege.has_capability(_privilege.CAP_NET_ADMIN, str(tmp_path / 'missing'))
