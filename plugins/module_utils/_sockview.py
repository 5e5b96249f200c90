# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""The minimal view of one socket that the filter evaluator reads.

The collector fills one SockView per decoded socket *before* it builds the
(much larger) result record, so sockets that a filter rejects cost only
this small object.
"""

from __future__ import annotations


class SockView:
    """What ss's user-space filter (misc/ss.c run_ssfilter) looks at.

    family    AF_* number of the socket.
    table     the netid: tcp udp raw mptcp sctp dccp u_str u_dgr u_seq
              p_raw p_dgr nl v_str v_dgr xdp (vsock: ??? for other types).
    state     kernel/ss state number (1 ESTABLISHED ... 10 LISTEN ...).
    src, dst  inet: raw address bytes (4 for AF_INET, 16 for AF_INET6);
              unix: the name's bytes as ss displays them (b'' unnamed,
                    b'@abstract' with '@' for each NUL, b'/path');
                    dst is always b'' (ss never collects peer names);
              packet: protocol number (int, host order); dst 0;
              netlink: protocol number (int); dst 0 (ss filters with 0);
              vsock: local / remote CID (int); xdp: 0 and 0 (ss's
                    zeroed addresses).
    sport     inet: local port; unix: inode; packet: ifindex (signed, as
              ss's int: -1 for a removed device);
              netlink: port id (signed); vsock: local port (signed, as
              ss's int: VMADDR_PORT_ANY is -1); xdp: queue id.
    dport     inet: remote port; unix: peer inode (0 if none);
              netlink: -1 (ss filters with -1); vsock: remote port
              (signed); packet, xdp: 0.
    ifindex   device the socket is bound to (inet idiag_if, xdp's
              device), 0 if none.
    mark      SO_MARK (INET_DIAG_MARK), 0 when unknown.
    cgroup_id cgroup v2 id (INET_DIAG_CGROUP_ID), 0 when unknown.

    ss never runs the filter on tipc sockets: they have no SockView.
    """

    __slots__ = ('family', 'table', 'state', 'src', 'dst', 'sport', 'dport',
                 'ifindex', 'mark', 'cgroup_id')

    def __init__(self, family, table, state, src, dst, sport, dport,
                 ifindex=0, mark=0, cgroup_id=0):
        self.family = family
        self.table = table
        self.state = state
        self.src = src
        self.dst = dst
        self.sport = sport
        self.dport = dport
        self.ifindex = ifindex
        self.mark = mark
        self.cgroup_id = cgroup_id

    def __repr__(self):
        return 'SockView(%s)' % ', '.join('%s=%r' % (k, getattr(self, k)) for k in self.__slots__)


__all__ = ['SockView']
