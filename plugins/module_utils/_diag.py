# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""What every sock_diag decoder shares: the decoding context and the kernel's identity of a socket.

A decoder (one file per request kind: _diag_inet, _diag_unix, ...) reads
fixed headers with struct.unpack_from straight from the receive buffer,
builds a SockView for the filter and a record dict only for the sockets the
filter keeps. Structures are decoded by received length, so shorter (older)
or longer (newer) kernel structs do not break anything.
"""

from __future__ import annotations

import collections
import socket
import struct

from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._netlink import RTA_HDR
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SKMEM_FIELDS

U32 = struct.Struct('=I')
U64 = struct.Struct('=Q')
U32X2 = struct.Struct('=II')

# The kernel's identity of a socket, as a later request must give it back:
# inet: family, IP protocol, the 16-byte source and destination (IPv4 in the
# first 4), ports, bound interface and cookie (struct inet_diag_sockid);
# unix, packet, netlink, vsock, tipc, xdp: family, inode and cookie (protocol:
# the socket type; packet and xdp also the interface index).
SockId = collections.namedtuple('SockId', 'family protocol src dst sport dport ifindex cookie inode')


class Context(object):
    """What every decoder needs: the filter, the family set, options, caches."""

    def __init__(self, families, match=None, needs_attrs=False, timers=False, identity=False, lookups=None,
                 details=frozenset(), tagged=False, count_after=None):
        self.families = families
        self.count_after = count_after      # records wanted; sockets beyond are counted (_diag_inet.counting)
        self.timers = timers                # ss -o: add timer fields to inet records
        self.details = details              # detail options (_request.DETAIL_OPTIONS) to decode for kept sockets
        self.tagged = tagged                # keep what match returned under _schema.MATCHES
        self.match = match                  # callable(SockView) -> bool, or None
        self.needs_attrs = needs_attrs      # filter reads mark / cgroup id
        self.identity = identity            # keep each socket's SockId under SOCKID
        self.lookups = lookups or HostLookups()
        self._v4 = {}
        self._v6 = {}
        self._ifnames = {}
        self._cgroups = None

    def v4(self, raw):
        s = self._v4.get(raw)
        if s is None:
            s = self._v4[raw] = socket.inet_ntop(socket.AF_INET, raw)
        return s

    def v6(self, raw):
        s = self._v6.get(raw)
        if s is None:
            s = self._v6[raw] = socket.inet_ntop(socket.AF_INET6, raw)
        return s

    def cgroup_path(self, cgroup_id):
        """The cgroup path ss prints for a cgroup id (`/` for the root, `unreachable:<hex id>` when unknown)."""
        if self._cgroups is None:
            self._cgroups = self.lookups.cgroup_paths()
        path = self._cgroups.get(cgroup_id)
        return path if path is not None else 'unreachable:%x' % cgroup_id

    def ifname(self, index):
        if not index:
            return None
        name = self._ifnames.get(index)
        if name is None:
            name = self._ifnames[index] = self.lookups.ifname(index)
        return name


def attr_map(buf, start, end, wanted=None):
    """{attribute type: payload bytes} of the attributes in buf[start:end] (for the details of a kept socket).

    The first attribute of a type wins, as with iproute2's parse_rtattr. wanted: the types to keep (a set), None
    for all; the others are stepped over, not copied. (iter_attrs's walk, inlined: this runs for every kept socket
    when details are asked.)
    """
    out = {}
    unpack = RTA_HDR.unpack_from
    off = start
    while off + 4 <= end:
        alen, atype = unpack(buf, off)
        if alen < 4 or off + alen > end:
            break
        atype &= 0x3fff
        if (wanted is None or atype in wanted) and atype not in out:
            out[atype] = bytes(buf[off + 4:off + alen])
        off += (alen + 3) & ~3
    return out


def skmem(data):
    """The `skmem` dict of a struct sk_meminfo (u32 array; as many fields as the kernel sent), or None."""
    if not data or len(data) < 4:
        return None
    count = min(len(data) // 4, len(SKMEM_FIELDS))
    return dict(zip(SKMEM_FIELDS, struct.unpack_from('=%dI' % count, data)))


def shutdown_text(mask):
    """ss's shutdown marker: '<->' open, '-->' receive side shut, '<--' send side shut, '---' both."""
    return '%s-%s' % ('-' if mask & 1 else '<', '-' if mask & 2 else '>')


def each(chunks):
    """(buf, offset, length) of every message in the chunks of a dump (for the small tables)."""
    for buf, msgs in chunks:
        for off, mlen in msgs:
            yield buf, off, mlen


__all__ = ['Context', 'SockId', 'each', 'attr_map', 'skmem', 'shutdown_text', 'U32', 'U64', 'U32X2']
