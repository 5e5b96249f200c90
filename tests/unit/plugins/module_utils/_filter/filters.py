# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support for the filter package: parse and bind in one step, socket views."""

from __future__ import annotations

import socket

from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import parse
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

TABLES = frozenset(['tcp'])


class FakeLookups(HostLookups):
    """This host's answers, except host names: `hosts` maps a name to [(family, packed address)]."""

    def __init__(self, hosts=None):
        super(FakeLookups, self).__init__()
        self.hosts = hosts or {}

    def addresses(self, name, families):
        return [(f, a) for f, a in self.hosts.get(name, []) if f in families]


def parse_bound(words, tables=TABLES, preferred_family=None, lookups=None):
    """parse() then bind(), as a module does on its target."""
    return bind(parse(words, preferred_family=preferred_family), tables, lookups)


def P(text, **kw):
    return parse_bound([text], **kw)


def v4(s):
    return socket.inet_aton(s)


def v6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def inet(src, sport, dst=None, dport=0, **kw):
    fam = AF_INET6 if ':' in src else AF_INET
    conv = v6 if fam == AF_INET6 else v4
    if dst is None:
        dst = '::' if fam == AF_INET6 else '0.0.0.0'
    return SockView(fam, 'tcp', 1, conv(src), conv(dst), sport, dport, **kw)
