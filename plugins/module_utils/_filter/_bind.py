# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Binding: fill in what a parsed filter leaves to the host.

Services, host names, devices, cgroups and netlink protocol names are
looked up through one `HostLookups` object (_host.py). By default that is
the host this code runs on, inside the network namespace it has entered,
which is where ss looks them up too; a controller-side plugin or a test
passes its own. A name the host does not know is a FilterError naming the
word. The parsed tree is left unchanged: bind() returns a new one (or the
same one when nothing needed a look-up).
"""

from __future__ import annotations

import sys

from ansible_collections.netdiag.ss.plugins.module_utils._cparse import full_strtoul
from ansible_collections.netdiag.ss.plugins.module_utils._errors import FilterError
from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import (
    FAMILY_PREFIXES, And, CgroupCond, DevCond, HostCond, Not, Or, PortRange, Prefix,
)
from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import address_hint
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, NETLINK_PROTOCOLS,
)


def bind(expr, tables=frozenset(), lookups=None, devices=True):
    """Return expr with every name looked up.

    tables   the selected ss table names: service names are looked up for
             tcp and udp only, as ss does.
    lookups  a HostLookups (default: this host).
    devices  False leaves `dev NAME` unbound, for matching returned records
             by interface name (_match.record_matcher) away from the target.
    """
    if expr is None or not any(node.unresolved() and (devices or not isinstance(node, DevCond)) for node in expr.walk()):
        return expr
    binder = _Binder(frozenset(tables), lookups or HostLookups(), devices)
    root = binder.node(expr)
    root.families = expr.families
    root.forced_family = expr.forced_family
    return root


class _Binder(object):

    def __init__(self, tables, lookups, devices):
        self.tables = tables
        self.lookups = lookups
        self.devices = devices

    def node(self, node):
        if isinstance(node, (And, Or)):
            # a long `a or b or c ...` chain is a deep left spine: walk it without recursion
            spine = []
            while isinstance(node, (And, Or)):
                spine.append(node)
                node = node.left
            acc = self.node(node)
            for parent in reversed(spine):
                acc = self._copy(parent, type(parent)(acc, self.node(parent.right)))
            return acc
        if isinstance(node, Not):
            return self._copy(node, Not(self.node(node.child)))
        if not node.unresolved():
            return node
        if isinstance(node, HostCond):
            return self._copy(node, self.host_cond(node))
        if isinstance(node, PortRange):
            return self._copy(node, node.resolved(self.port(node, node.family, node.port_name)))
        if isinstance(node, DevCond):
            return self._copy(node, DevCond(self.device(node), node.text, node.pos)) if self.devices else node
        if isinstance(node, CgroupCond):
            return self._copy(node, CgroupCond(self.cgroup(node), node.path, node.pos))
        raise TypeError('cannot bind %r' % (node,))    # pragma: no cover - every unresolved kind is above

    @staticmethod
    def _copy(old, new):
        new.grouped = old.grouped
        return new

    # -- look-ups
    def host_cond(self, node):
        port = node.port
        if port is None:
            port = self.port(node, node.family, node.port_name)
        prefixes = node.prefixes
        if node.host_name is not None and not prefixes:
            if node.family == AF_NETLINK:
                prefixes = (self.netlink_protocol(node),)
            else:
                prefixes = self.addresses(node)
        return node.resolved(port=port, prefixes=prefixes)

    def port(self, node, family, name):
        if family == AF_PACKET:
            index = self.lookups.ifindex(name)
            if index <= 0 or index > 0x7fffffff:
                raise FilterError('names no network device', node.text, node.pos, 'packet sockets take link:PROTO[:INTERFACE]')
            return index
        have = [proto for proto in ('udp', 'tcp') if proto in self.tables]
        if not have:
            raise FilterError('does not look like a port', node.text, node.pos,
                              'service names are looked up only when the tcp or udp table is selected; use a number')
        found = [p for p in (self.lookups.service_port(name, proto) for proto in have) if p is not None]
        if len(found) == 2 and found[0] != found[1]:
            raise FilterError('is an ambiguous port name', node.text, node.pos,
                              'it is %d for udp and %d for tcp: use a number' % (found[0], found[1]))
        if not found:
            raise FilterError('does not look like a port', node.text, node.pos, 'unknown service name; use a number')
        return found[0]

    def addresses(self, node):
        fam = node.family
        found = self.lookups.addresses(node.host_name, [fam] if fam in (AF_INET, AF_INET6) else [AF_INET, AF_INET6])
        if not found:
            text = node.text
            for prefix, _af in FAMILY_PREFIXES:
                if text.startswith(prefix):
                    text = text[len(prefix):]
                    break
            raise FilterError('is not an address, prefix or known host name', node.text, node.pos,
                              address_hint(text, node.host_name, fam))
        return tuple(Prefix(af, 128 if af == AF_INET6 else 32, data) for af, data in found)

    def netlink_protocol(self, node):
        value = self.lookups.netlink_protocols().get(node.host_name)
        if value is None:
            raise FilterError('is not a netlink protocol', node.text, node.pos,
                              'use a number or one of: %s' % ', '.join(sorted(NETLINK_PROTOCOLS)))
        return Prefix(AF_NETLINK, 32, value.to_bytes(4, sys.byteorder))

    def device(self, node):
        index = self.lookups.ifindex(node.text)
        if index == 0:
            index = full_strtoul(node.text, 0xffffffff)
            if index is None:
                raise FilterError('is not a network device name or index', node.text, node.pos,
                                  'use an interface name (lo), an index (1) or "if<index>"')
        return index

    def cgroup(self, node):
        try:
            return self.lookups.cgroup_id(node.path)
        except (OSError, ValueError) as exc:
            raise FilterError('is not a cgroup (%s)' % exc, node.path, node.pos,
                              'give a path relative to the cgroup2 mount, or an absolute path under it')


__all__ = ['bind']
