# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
# Keep in sync with SELECTION_ARGSPEC in plugins/module_utils/_facts.py.

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  ss_args:
    description:
      - An C(ss) command line, everything you would type after C(ss), for example V(-tlnp) or
        V(-a -t state established).
      - Options are spelled as C(ss) spells them, short or long, bundled short options included
        (V(-tuna), V(--tcp --listening), V(-A all,!tcp), V(-f inet6)); they may appear anywhere, as with GNU getopt.
      - State words (V(state established), V(exclude listening), groups such as V(connected) or V(bucket)) are read
        right after the options, as C(ss) reads them.
      - Selects exactly the sockets C(ss) would list with the same arguments, with C(ss)'s defaults when nothing is
        given (TCP, UDP, unix, MPTCP and the other tables in the C(connected) states, as plain C(ss) shows).
      - Detail options (C(-e -o -m -i -b -E -s -D -Z -z --tos --cgroup --inet-sockopt)) and filter expressions are
        refused with a message until this collection implements them; they are never silently ignored.
        C(-K) is refused, because listing never closes sockets.
    type: str
  tables:
    description:
      - Socket tables to list, like C(ss -A). Names and groups as C(ss) knows them
        (V(all), V(inet), V(tcp), V(udp), V(mptcp), V(raw), V(unix), V(unix_stream) or V(u_str), V(unix_dgram),
        V(unix_seqpacket), V(packet), V(netlink), V(vsock), V(tipc), V(xdp), ...); V(!name) removes a table.
      - Adds to the tables that O(ss_args) selects.
    type: list
    elements: str
  families:
    description:
      - Address families to list, like C(ss -f), among V(inet), V(inet6), V(unix), V(link), V(netlink), V(vsock),
        V(tipc), V(xdp). Adds to the families that O(ss_args) selects.
    type: list
    elements: str
  listening:
    description:
      - List only listening (and unconnected) sockets, like C(ss -l).
      - Contradicts O(all), O(states), and C(-a), C(-l) or state words in O(ss_args).
    type: bool
  all:
    description:
      - List sockets in every state, like C(ss -a).
      - Contradicts O(listening), O(states), and C(-a), C(-l) or state words in O(ss_args).
    type: bool
  states:
    description:
      - State names and groups to list, like C(ss state NAME) repeated, among V(established), V(syn-sent),
        V(syn-recv), V(fin-wait-1), V(fin-wait-2), V(time-wait), V(closed), V(close-wait), V(last-ack),
        V(listening), V(closing), V(all), V(connected), V(synchronized), V(bucket), V(big).
    type: list
    elements: str
  exclude_states:
    description:
      - State names and groups to leave out, like C(ss exclude NAME) repeated (applied after O(states)).
    type: list
    elements: str
  netns:
    description:
      - Name of a network namespace (as created by C(ip netns add)) to list sockets in, like C(ss -N NAME).
      - A missing namespace is an error; it is never created.
    type: str
"""
