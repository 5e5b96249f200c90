# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""`ss -E`: the sockets destroyed while we listen, for a bounded time.

The kernel multicasts one sock_diag message per destroyed TCP or UDP socket
to the groups SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET_UDP_DESTROY,
SKNLGRP_INET6_TCP_DESTROY and SKNLGRP_INET6_UDP_DESTROY (linux/sock_diag.h);
ss -E binds a NETLINK_SOCK_DIAG socket to those of the selected
(family x table) pairs, sends nothing, and prints each message. A message is
an inet_diag_msg with the socket's state when it was destroyed (CLOSE, shown
UNCONN, or ESTAB for a connected UDP socket), uid, inode and timer 0, and
two attributes: INET_DIAG_PROTOCOL (6 or 17, which says the table) and, for
TCP, INET_DIAG_INFO (struct tcp_info). ss keeps the sockets of the selected
families that pass its user-space filter: no bytecode, no state filter.

Unlike ss, which listens until it is killed, follow() listens for a given
number of seconds (polling with a deadline, never blocking past it) and
keeps at most max_events events.
"""

from __future__ import annotations

import collections
import errno
import select
import time

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._cparse import to_s32
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import INET_DIAG_PROTOCOL, decode_inet
from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, NetlinkError, SocketToolError
from ansible_collections.netdiag.ss.plugins.module_utils._schema import DETAIL_KEYS
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, FAMILY_TEXT, INET_PROTOCOLS

# linux/sock_diag.h: enum sknetlink_groups
SKNLGRP_INET_TCP_DESTROY = 1
SKNLGRP_INET_UDP_DESTROY = 2
SKNLGRP_INET6_TCP_DESTROY = 3
SKNLGRP_INET6_UDP_DESTROY = 4
# (family, table) -> the group its destroyed sockets are multicast to
GROUPS = collections.OrderedDict([
    ((AF_INET, 'tcp'), SKNLGRP_INET_TCP_DESTROY),
    ((AF_INET, 'udp'), SKNLGRP_INET_UDP_DESTROY),
    ((AF_INET6, 'tcp'), SKNLGRP_INET6_TCP_DESTROY),
    ((AF_INET6, 'udp'), SKNLGRP_INET6_UDP_DESTROY),
])
EVENT_TABLES = ('tcp', 'udp')
TABLE_BY_PROTOCOL = dict((INET_PROTOCOLS[t], t) for t in EVENT_TABLES)
_RECV_SIZE = 1 << 16

# What follow() found: records (in the order the kernel sent them), truncated (more than max_events matched, or the
# kernel dropped events), warnings (texts for the user).
Events = collections.namedtuple('Events', 'records truncated warnings')


def event_groups(tables, families):
    """The nl_groups bit mask ss -E binds to for these tables and AF numbers (0: nothing -E can follow)."""
    mask = 0
    for (family, table), group in GROUPS.items():
        if family in families and table in tables:
            mask |= 1 << (group - 1)
    return mask


def event_warnings(tables, families, explicit_tables=()):
    """Check that -E can follow something of this selection; return warnings for what it cannot (raises ArgsError)."""
    if not event_groups(tables, families):
        raise ArgsError('events: -E reports destroyed TCP and UDP sockets (IPv4 and IPv6) only, and the selection has '
                        'none of them (tables: %s; families: %s)'
                        % (', '.join(tables) or 'none',
                           ', '.join(sorted(FAMILY_TEXT.get(f, str(f)) for f in families)) or 'none'))
    ignored = [t for t in tables if t in explicit_tables and t not in EVENT_TABLES]
    if ignored:
        return ['events: -E reports destroyed TCP and UDP sockets only; %s ignored' % ', '.join(ignored)]
    return []


def wait_readable(sock, timeout):
    """Whether sock has something to read within `timeout` seconds (never waits longer)."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(max(0, int(timeout * 1000))))


def open_event_socket(groups):
    """A non-blocking NETLINK_SOCK_DIAG socket subscribed to the destroy groups in the bit mask `groups`."""
    sock = nl.open_socket(groups)
    sock.setblocking(False)
    return sock


def decode_event(buf, off, mlen, tables, ctx, out):
    """Decode one destroy message with the inet decoder; append its record to `out` if it is kept.

    The table comes from INET_DIAG_PROTOCOL; a socket of a table not in
    `tables`, of a family not in ctx.families, or that ctx.match rejects is
    left out. Returns True when a record was added.
    """
    protocol = None
    for atype, aoff, alen in nl.iter_attrs(buf, off + 16 + 72, off + mlen):
        if atype == INET_DIAG_PROTOCOL and alen >= 1:
            protocol = buf[aoff]
            break
    table = TABLE_BY_PROTOCOL.get(protocol)
    if table is None or table not in tables:
        return False
    before = len(out)
    decode_inet([(buf, [(off, mlen)])], table, ctx, out)
    if len(out) == before:
        return False
    rec = out[-1]
    # ss prints the queues as C ints: a UDP socket's Send-Q is -1 when it is destroyed (its write memory counter,
    # kept one above the bytes in use, has dropped to 0)
    rec['recv_q'] = to_s32(rec['recv_q'])
    rec['send_q'] = to_s32(rec['send_q'])
    return True


def _messages(buf, n):
    """(offset, length) of the destroy messages in one datagram; a malformed datagram is an error."""
    off = 0
    while off + 16 <= n:
        mlen, mtype = nl.NLMSG_HDR.unpack_from(buf, off)[:2]
        if mlen < 16 or off + mlen > n:
            raise NetlinkError(errno.EBADMSG, 'tcp/udp', 'listening for destroyed sockets in')
        if mtype == nl.SOCK_DIAG_BY_FAMILY and mlen >= 16 + 72:
            yield off, mlen
        off += (mlen + 3) & ~3


def listen(sock, seconds, max_events, tables, ctx, clock=time.monotonic, wait=wait_readable):
    """Collect the kept destroy events arriving on sock for `seconds`; return (records, truncated, overflows).

    Stops at the deadline, or as soon as a kept event beyond max_events arrives
    (truncated is then true and max_events records are returned). overflows
    counts the times the kernel reported lost events (ENOBUFS: its queue for
    this socket was full).
    """
    out = []
    overflows = 0
    buf = bytearray(_RECV_SIZE)
    deadline = clock() + seconds
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            return out, False, overflows
        if not wait(sock, remaining):
            continue
        try:
            n = sock.recv_into(buf)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError as exc:
            if exc.errno == errno.ENOBUFS:
                overflows += 1
                continue
            raise
        for off, mlen in _messages(buf, n):
            if decode_event(buf, off, mlen, tables, ctx, out) and len(out) > max_events:
                del out[max_events:]
                return out, True, overflows


def follow(request, lookups=None, open_socket=None, clock=None, wait=None):
    """Listen for the sockets `request` selects being destroyed, for request.events seconds (ss -E).

    The namespace is entered and the filter bound first, then the socket
    subscribes and the time starts. Returns Events. open_socket(groups),
    clock() and wait(sock, timeout) default to open_event_socket,
    time.monotonic and wait_readable.
    """
    # imported here: the listing path does not need the events code, and _select imports the collector
    from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
    from ansible_collections.netdiag.ss.plugins.module_utils._netns import enter
    from ansible_collections.netdiag.ss.plugins.module_utils._select import userspace_filter
    if request.netns:
        enter(request.netns)
    lookups = lookups or HostLookups()
    match, needs_attrs = userspace_filter(request, lookups)
    tables = frozenset(request.tables) & frozenset(EVENT_TABLES)
    ctx = Context(set(request.families), match=match, needs_attrs=needs_attrs, timers=request.timers,
                  lookups=lookups, details=request.details)
    try:
        sock = (open_socket or open_event_socket)(event_groups(tables, request.families))
    except OSError as exc:
        raise SocketToolError('cannot listen for destroyed sockets: %s; sock_diag needs Linux' % exc)
    try:
        records, truncated, overflows = listen(sock, request.events, request.max_events, tables, ctx,
                                               clock or time.monotonic, wait or wait_readable)
    except OSError as exc:
        raise SocketToolError('listening for destroyed sockets failed: %s' % exc)
    finally:
        sock.close()
    warnings = list(request.warnings)
    if truncated:
        warnings.append('events: more than max_events=%d sockets were destroyed; listening stopped at the first one '
                        'beyond it, after %d were kept' % (request.max_events, request.max_events))
    if overflows:
        warnings.append('events: the kernel dropped events (ENOBUFS, %d time(s)): sockets were destroyed faster '
                        'than they were read, and some are missing' % overflows)
    keys = [key for option in request.details for key in DETAIL_KEYS.get(option, ())]
    for rec in records:
        for key in keys:
            rec.setdefault(key, None)
        if request.processes or request.threads:
            rec['processes'] = []       # a destroyed socket has no inode, and no holder left
    return Events(records, truncated or bool(overflows), warnings)


__all__ = ['Events', 'GROUPS', 'EVENT_TABLES', 'SKNLGRP_INET_TCP_DESTROY', 'SKNLGRP_INET_UDP_DESTROY',
           'SKNLGRP_INET6_TCP_DESTROY', 'SKNLGRP_INET6_UDP_DESTROY', 'event_groups', 'event_warnings', 'wait_readable',
           'open_event_socket', 'decode_event', 'listen', 'follow']
