# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""What a caller without privilege is not shown, and the warnings that say so.

The kernel lists every socket of a namespace to any user, but keeps some
of each socket's details to callers with CAP_NET_ADMIN (marks, ss -e
fwmark:; packet sockets' filters, ss -b), and /proc keeps the open files of
other users' processes to root (ss -p). A caller without privilege gets
the rest, exactly as ss shows it to that user; these warnings say which
parts were hidden and how much, counted from what was actually missing.
"""

from __future__ import annotations

import os

CAP_NET_ADMIN = 12
CAP_SYS_PTRACE = 19      # reading the descriptors of every process of the user namespace (/proc/PID/fd)
CAP_SYS_ADMIN = 21       # setns(): entering a network namespace
_INET = ('inet', 'inet6')
# TIME-WAIT and request sockets: newer kernels (6.18 here) send their marks to CAP_NET_ADMIN, older ones to nobody
_MINI_SOCKET_STATES = ('TIME-WAIT', 'SYN-RECV')
BECOME = 'run with become: true'


def who(capability=None):
    """How a warning names the caller: 'not root', or for root 'without CAPABILITY' (root lacking it, in a container)."""
    if os.geteuid() != 0:
        return 'not root'
    return 'without %s' % capability if capability else 'not privileged'


def advice():
    """'; run with become: true' for a user other than root; nothing for root, whom become would not help."""
    return '; ' + BECOME if os.geteuid() != 0 else ''


def has_capability(cap, status='/proc/self/status', default=False):
    """Whether this process has capability number `cap` in its effective set (`default` when it cannot be told)."""
    try:
        with open(status) as fh:
            for line in fh:
                if line.startswith('CapEff:'):
                    return bool(int(line.split()[1], 16) >> cap & 1)
    except (IOError, OSError, ValueError, IndexError):
        pass
    return default


def _plural(count, word, many=None):
    return '%d %s' % (count, word if count == 1 else many or word + 's')


def processes_warning(records, scan):
    """The warning for -p / -T when some processes could not be read and listed sockets have no visible holder, or None.

    scan: the _procs.ProcScan of the look-up. Sockets with inode 0 (TIME-WAIT, connections not yet accepted) are
    held by no process at all and are not counted.
    """
    from ansible_collections.netdiag.ss.plugins.module_utils._procs import hidden_holders
    hidden = hidden_holders(records, scan)
    if not hidden:
        return None
    if scan.invisible:
        why = '/proc does not list the processes of other users to this user (hidepid=invisible)'
    else:
        why = 'the open files of %s could not be read' % _plural(len(scan.denied), 'process', 'processes')
    counted = '%d of the %d listed sockets %s no visible holder (%s)' % (
        len(hidden), len(records), 'has' if len(hidden) == 1 else 'have', why)
    if os.geteuid() != 0:
        return 'not root: the processes of other users are hidden: %s; %s' % (counted, BECOME)
    # root, and still some processes cannot be read: those the kernel protects even from this root (seen from
    # inside a container, the processes of an outer user namespace); ss -p cannot show them either
    return 'some processes could not be read even as root: %s; ss -p shows no holder for them either' % counted


def details_warnings(details, records, net_admin=None):
    """Warnings for the details the kernel keeps to CAP_NET_ADMIN that are missing from these records.

    -e: the mark of every inet socket read from sock_diag (extended.mark null); -b: the filter of every packet socket (bpf []).
    net_admin: whether the caller has CAP_NET_ADMIN (read from /proc/self/status when None).
    """
    if not ({'extended', 'bpf'} & set(details)):
        return []
    if net_admin is None:
        net_admin = has_capability(CAP_NET_ADMIN)
    if net_admin:
        return []
    out = []
    if 'extended' in details:
        marks = [r for r in records if r.get('family') in _INET and r.get('cookie') is not None
                 and r.get('extended') and r['extended'].get('mark') is None]
        if marks:
            mini = sum(1 for r in marks if r.get('state') in _MINI_SOCKET_STATES)
            out.append('%s: socket marks are hidden: the kernel reports them only to callers with CAP_NET_ADMIN, so '
                       'extended.mark is null for %s (ss -e shows no fwmark for them either%s)%s'
                       % (who('CAP_NET_ADMIN'), _plural(len(marks), 'inet socket'),
                          '; %d of them %s TIME-WAIT or SYN-RECV, whose marks older kernels report to no one'
                          % (mini, 'is' if mini == 1 else 'are') if mini else '', advice()))
    if 'bpf' in details:
        filters = [r for r in records if r.get('family') == 'link' and r.get('bpf') == []]
        if filters:
            out.append('%s: packet socket filters are hidden: the kernel reports them only to callers with '
                       'CAP_NET_ADMIN, so bpf is [] for %s (ss -b shows an empty filter for them too)%s'
                       % (who('CAP_NET_ADMIN'), _plural(len(filters), 'packet socket'), advice()))
    return out


__all__ = ['who', 'advice', 'has_capability', 'processes_warning', 'details_warnings', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'BECOME']
