# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Collect sockets over NETLINK_SOCK_DIAG: every selected table, in ss's order, into flat records.

One module per request kind decodes the replies (_diag_inet, _diag_unix,
_diag_packet, _diag_netlink, _diag_vsock, _diag_tipc, _diag_xdp); they share
_diag.Context. Records are built only for the sockets the filter keeps
(ss does not filter tipc sockets). With identity=True every record also
keeps the kernel's identity of its socket (a _diag.SockId under the private
key 'sockid'), so that a later request (SOCK_DESTROY) addresses exactly the
socket that was selected.

Adding a table: write its request builder, decoder and dump function in a
_diag_<kind>.py of the same shape and register the dump function in GROUPS.
"""

from __future__ import annotations

import collections

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context, SockId
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import decode_inet, dump_inet, dump_raw
from ansible_collections.netdiag.ss.plugins.module_utils._diag_netlink import dump_netlink
from ansible_collections.netdiag.ss.plugins.module_utils._diag_packet import dump_packet
from ansible_collections.netdiag.ss.plugins.module_utils._diag_sctp import dump_sctp
from ansible_collections.netdiag.ss.plugins.module_utils._diag_tipc import dump_tipc
from ansible_collections.netdiag.ss.plugins.module_utils._diag_unix import dump_unix
from ansible_collections.netdiag.ss.plugins.module_utils._diag_vsock import dump_vsock
from ansible_collections.netdiag.ss.plugins.module_utils._diag_xdp import dump_xdp
from ansible_collections.netdiag.ss.plugins.module_utils._errors import DumpInterrupted, TableNotSupported
from ansible_collections.netdiag.ss.plugins.module_utils._schema import DETAIL_KEYS
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

# Dump groups in ss's output order: (group name, tables it covers, dump function).
GROUPS = (
    ('netlink', ('netlink',), dump_netlink),
    ('packet', ('packet_raw', 'packet_dgram'), dump_packet),
    ('unix', ('unix_stream', 'unix_dgram', 'unix_seqpacket'), dump_unix),
    ('raw', ('raw',), dump_raw),
    ('udp', ('udp',), dump_inet),
    ('tcp', ('tcp',), dump_inet),
    ('dccp', ('dccp',), dump_inet),
    ('sctp', ('sctp',), dump_sctp),
    ('vsock', ('vsock_stream', 'vsock_dgram'), dump_vsock),
    ('tipc', ('tipc',), dump_tipc),
    ('xdp', ('xdp',), dump_xdp),
    ('mptcp', ('mptcp',), dump_inet),
)
_RETRIES = 5


def collect(tables, families, states, bytecode=None, inet_families=(AF_INET, AF_INET6), match=None,
            needs_attrs=False, timers=False, identity=False, lookups=None, details=frozenset(), tagged=False,
            capture=None):
    """Dump the given tables in ss's order; return (records, {unsupported group: why}).

    tables         ss table names to list; families: AF numbers to keep;
    states         the kernel's state mask; inet_families: which inet dumps
                   to send (ss sends one when -4/-6 came last);
    bytecode       the compiled filter sent with every inet dump, or None;
    match          callable(SockView) -> bool run on every socket, or None;
    needs_attrs    the filter reads marks or cgroup ids;
    timers         add the -o timer keys; identity: keep each SockId;
    details        detail options (-e -m -i ...): every record gets their keys,
                   null where the detail does not apply to its family;
    tagged         what match returns for a kept socket is kept in its record
                   under _schema.MATCHES (for callers that evaluate several filters);
    capture        (chunks, match): the TCP table is decoded from these chunks
                   (a capture, see _dumpfile.capture_chunks) with this matcher
                   instead of being asked from the kernel, as ss does with
                   TCPDIAG_FILE.
    A group this kernel (or this version) cannot list is skipped and named,
    in ss's order, in the second value.
    """
    ctx = Context(set(families), match=match, needs_attrs=needs_attrs, timers=timers, identity=identity,
                  lookups=lookups, details=frozenset(details), tagged=tagged)
    selected = set(tables)
    out = []
    unsupported = collections.OrderedDict()
    sock = nl.open_socket()
    try:
        for group, group_tables, dumper in GROUPS:
            wanted = [t for t in group_tables if t in selected]
            if not wanted:
                continue
            if group == 'tcp' and capture is not None:
                decode_inet(capture[0], 'tcp', Context(ctx.families, match=capture[1], needs_attrs=needs_attrs,
                                                       timers=timers, identity=identity, lookups=ctx.lookups,
                                                       details=ctx.details, tagged=tagged), out)
                continue
            for attempt in range(_RETRIES):
                part = []
                try:
                    dumper(sock, group, set(wanted), states, ctx, part, bytecode=bytecode, inet_families=inet_families)
                except DumpInterrupted:
                    # the table changed while we read it: read it again on a fresh socket
                    sock.close()
                    sock = nl.open_socket()
                    if attempt == _RETRIES - 1:
                        raise
                    continue
                except TableNotSupported as exc:
                    unsupported[group] = str(exc)
                    sock.close()
                    sock = nl.open_socket()
                    part = []
                out.extend(part)
                break
    finally:
        sock.close()
    if details:
        keys = [key for option in details for key in DETAIL_KEYS.get(option, ())]
        for rec in out:
            for key in keys:
                if key not in rec:
                    rec[key] = None
    return out, unsupported


__all__ = ['collect', 'GROUPS', 'Context', 'SockId']
