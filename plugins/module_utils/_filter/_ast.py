# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""The nodes of a parsed ss filter expression.

The parser (_syntax) builds them without looking anything up: an operand
that names something the host must answer (a service, a host name, a
device, a cgroup, a netlink protocol from /etc/iproute2) is kept as text
and left unresolved (`None`) until the binder (_bind) fills it in. Nodes
remember the token they came from (`text`) and its index (`pos`), so a
later error can still name the word. Two nodes are equal when they mean
the same condition, whatever their text.
"""

from __future__ import annotations

import socket
import sys

from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AF_VSOCK,
)

# the operand prefixes that force a family, and their AF numbers
FAMILY_PREFIXES = (('unix:', AF_UNIX), ('link:', AF_PACKET), ('netlink:', AF_NETLINK), ('vsock:', AF_VSOCK),
                   ('inet:', AF_INET), ('inet6:', AF_INET6))
_PREFIX_OF = dict((af, text[:-1]) for text, af in FAMILY_PREFIXES)


class Expr(object):
    """Base class of every node.

    The root returned by parse() also carries ss's operand-family side effect
    (quirk B-14): `families`, the AF numbers operands forced, in order, and
    `forced_family`, the last of them or None. ss replaces its family set with
    that family and makes it the preferred one; the request applies that.
    """

    families = ()
    forced_family = None
    grouped = False     # written inside parentheses
    pos = None          # index of the node's first operand token, for errors

    def children(self):
        return ()

    def walk(self):
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    def unresolved(self):
        """True when this node (not its children) still waits for a host look-up."""
        return False

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def _key(self):
        return ()


class _Binary(Expr):
    __slots__ = ('left', 'right')

    def __init__(self, left, right):
        self.left = left
        self.right = right

    def children(self):
        return (self.left, self.right)

    def _key(self):
        return (self.left, self.right)

    def __repr__(self):
        return '%s(%r, %r)' % (type(self).__name__, self.left, self.right)


class And(_Binary):
    __slots__ = ()


class Or(_Binary):
    __slots__ = ()


class Not(Expr):
    __slots__ = ('child',)

    def __init__(self, child):
        self.child = child

    def children(self):
        return (self.child,)

    def _key(self):
        return (self.child,)

    def __repr__(self):
        return 'Not(%r)' % (self.child,)


class Prefix(object):
    """One address alternative of a host condition (ss `inet_prefix`).

    family  AF_* of the address (AF_UNSPEC for `*`, `:port` and unprefixed `all`)
    bitlen  prefix length; 0 = any address
    data    address bytes: 16 for AF_INET6, else 4 (packet/netlink/vsock:
            the number in host byte order, as ss stores it)
    """

    __slots__ = ('family', 'bitlen', 'data')

    def __init__(self, family, bitlen, data):
        self.family = family
        self.bitlen = bitlen
        self.data = bytes(data)

    def _key(self):
        return (self.family, self.bitlen, self.data)

    def __eq__(self, other):
        return isinstance(other, Prefix) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        if self.family == AF_INET6:
            txt = '[%s]' % socket.inet_ntop(socket.AF_INET6, self.data)
        elif self.family == AF_INET:
            txt = socket.inet_ntop(socket.AF_INET, self.data)
        elif self.family in (AF_PACKET, AF_NETLINK, AF_VSOCK):
            txt = '%s:%d' % (_PREFIX_OF[self.family], int.from_bytes(self.data[:4], sys.byteorder))
        else:
            txt = '*'
        return '%s/%d' % (txt, self.bitlen)


class HostCond(Expr):
    """`src`/`dst` (and `sport =`/`dport =`): ss nodes SCOND / DCOND.

    side       'src' or 'dst'
    family     AF_* of the operand (AF_UNIX: `pattern` is a glob)
    port       int, -1 = any (kept as typed: -5, 70000 ...); None until
               `port_name` is looked up
    prefixes   tuple of Prefix alternatives (OR); empty for unix, and until
               `host_name` is looked up
    pattern    unix glob as bytes, or None
    port_name  a service name (inet) or an interface name (link), or None
    host_name  a host name (inet) or a netlink protocol name, or None
    text, pos  the operand as typed and its token index
    """

    __slots__ = ('side', 'family', 'port', 'prefixes', 'pattern', 'text', 'pos', 'port_name', 'host_name')

    def __init__(self, side, family, port, prefixes=(), pattern=None, text='', pos=None, port_name=None, host_name=None):
        self.side = side
        self.family = family
        self.port = port
        self.prefixes = tuple(prefixes)
        self.pattern = pattern
        self.text = text
        self.pos = pos
        self.port_name = port_name
        self.host_name = host_name

    def unresolved(self):
        return self.port is None or (self.host_name is not None and not self.prefixes)

    def resolved(self, port=None, prefixes=None, family=None):
        """A copy with the looked-up values filled in."""
        return HostCond(self.side, self.family if family is None else family, self.port if port is None else port,
                        self.prefixes if prefixes is None else prefixes, self.pattern, self.text, self.pos)

    def _key(self):
        return (self.side, self.family, self.port, self.prefixes, self.pattern, self.port_name, self.host_name)

    def __repr__(self):
        kind = 'SCond' if self.side == 'src' else 'DCond'
        if self.pattern is not None:
            return '%s(unix=%r)' % (kind, self.pattern)
        port = self.port_name if self.port is None else '*' if self.port == -1 else str(self.port)
        hosts = ', '.join(repr(p) for p in self.prefixes) or self.host_name or '*'
        return '%s(host=%s, port=%s)' % (kind, hosts, port)


class PortRange(Expr):
    """`sport >= P` etc.: ss nodes S_GE/S_LE/D_GE/D_LE. op is '>=' or '<='; port None until port_name is looked up."""

    __slots__ = ('side', 'op', 'port', 'text', 'pos', 'port_name', 'family')

    def __init__(self, side, op, port, text='', pos=None, port_name=None, family=None):
        self.side = side
        self.op = op
        self.port = port
        self.text = text
        self.pos = pos
        self.port_name = port_name
        self.family = family

    def unresolved(self):
        return self.port is None

    def resolved(self, port):
        return PortRange(self.side, self.op, port, self.text, self.pos)

    def _key(self):
        return (self.side, self.op, self.port, self.port_name)

    def __repr__(self):
        return '%s(%s %s)' % ('SPort' if self.side == 'src' else 'DPort', self.op,
                              self.port_name if self.port is None else self.port)


class DevCond(Expr):
    """`dev NAME|INDEX`: the device a socket is bound to; ifindex None until the name is looked up."""

    __slots__ = ('ifindex', 'text', 'pos')

    def __init__(self, ifindex, text='', pos=None):
        self.ifindex = ifindex
        self.text = text
        self.pos = pos

    def unresolved(self):
        return self.ifindex is None

    def _key(self):
        return (self.ifindex, self.text if self.ifindex is None else None)

    def __repr__(self):
        return 'Dev(%s)' % (self.text if self.ifindex is None else self.ifindex)


class MarkCond(Expr):
    __slots__ = ('mark', 'mask', 'text', 'pos')

    def __init__(self, mark, mask=0xffffffff, text='', pos=None):
        self.mark = mark
        self.mask = mask
        self.text = text
        self.pos = pos

    def _key(self):
        return (self.mark, self.mask)

    def __repr__(self):
        return 'Mark(0x%x/0x%x)' % (self.mark, self.mask)


class CgroupCond(Expr):
    """`cgroup PATH`; cgroup_id None until the path is looked up."""

    __slots__ = ('cgroup_id', 'path', 'pos')

    def __init__(self, cgroup_id, path='', pos=None):
        self.cgroup_id = cgroup_id
        self.path = path
        self.pos = pos

    def unresolved(self):
        return self.cgroup_id is None

    def _key(self):
        return (self.cgroup_id, self.path if self.cgroup_id is None else None)

    def __repr__(self):
        return 'Cgroup(%s, %r)' % (self.cgroup_id, self.path)


class AutoBound(Expr):
    __slots__ = ('pos',)

    def __init__(self, pos=None):
        self.pos = pos

    def __repr__(self):
        return 'AutoBound()'


__all__ = ['Expr', 'And', 'Or', 'Not', 'Prefix', 'HostCond', 'PortRange', 'DevCond', 'MarkCond', 'CgroupCond',
           'AutoBound', 'FAMILY_PREFIXES']
