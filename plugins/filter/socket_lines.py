# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: socket_lines
short_description: Print socket records as the lines ss prints for them
version_added: 0.1.0
author:
  - netdiag.ss developers (@netdiag)
description:
  - Takes socket records as M(netdiag.ss.socket_facts) returns them and returns the lines C(ss -n) prints for those
    sockets - the header, then one row per record (more with the detail options), in the compact layout
    C(ss) uses when its output is not a terminal. They are the same lines as the module's C(lines) for the same
    records and options.
  - The columns follow O(ss_args) as they follow the options of C(ss) - C(Netid) only when more than one table is
    selected, C(State) only when more than one state is, C(Process) with C(-p). By default both C(Netid) and
    C(State) are shown, as C(ss -n) shows them.
  - Addresses and ports are printed as numbers (C(ss -n)); C(-r) is refused, since names would be looked up on the
    controller.
  - Use P(netdiag.ss.select_sockets#filter) first to print only some of the records.
positional: _input, ss_args
options:
  _input:
    description:
      - Socket records, as in C(ansible_facts.sockets) after M(netdiag.ss.socket_facts), or one record.
      - Each record needs the keys C(netid), C(state), C(recv_q), C(send_q), C(local_address), C(local_port),
        C(peer_address), C(peer_port) and C(family); the detail options print the keys of their details where the
        records have them.
    type: raw
    required: true
  ss_args:
    description:
      - C(ss) options that decide how the rows look, as they would be typed after C(ss), for example V(-tlnp).
      - Tables, families, C(-a), C(-l) and state words choose the C(Netid) and C(State) columns; C(-H) leaves out the
        header; C(-p) and C(-T) add the C(Process) column (from the records' C(processes)); C(-o), C(-e), C(-m), C(-i),
        C(--tos), C(--cgroup), C(--inet-sockopt), C(-b), C(-Z), C(-z), C(--tipcinfo) add their text, and C(-O) keeps
        it on the socket's line. They select no record.
      - Refused, with a message that says what to use instead - a filter expression, C(-r), C(-s), C(-E), C(-D),
        C(-F), C(-N), C(-K).
    type: str
    default: ''
  header:
    description:
      - Whether the first line is the header. V(false) is the same as C(-H) in O(ss_args).
    type: bool
    default: true
seealso:
  - module: netdiag.ss.socket_facts
  - plugin: netdiag.ss.select_sockets
    plugin_type: filter
"""

EXAMPLES = r"""
---
- name: List the TCP sockets with their processes
  netdiag.ss.socket_facts:
    ss_args: -tanp

- name: Print the listeners as ss -tlnp prints them
  ansible.builtin.debug:
    msg: >-
      {{ ansible_facts.sockets | netdiag.ss.select_sockets('state listening')
         | netdiag.ss.socket_lines('-tlnp') }}

- name: Write the established connections to a file, without the header
  ansible.builtin.copy:
    content: "{{ established | join('\n') }}\n"
    dest: /tmp/established.txt
    mode: "0644"
  vars:
    established: >-
      {{ ansible_facts.sockets | netdiag.ss.select_sockets('state established')
         | netdiag.ss.socket_lines('-tnp', header=false) }}

- name: One socket in a loop message
  ansible.builtin.debug:
    msg: "{{ item | netdiag.ss.socket_lines(header=false) | first }}"
  loop: "{{ ansible_facts.sockets }}"
"""

RETURN = r"""
_value:
  description:
    - The lines, without line ends. With no record, the header alone (as C(ss) prints it), or nothing without it.
  type: list
  elements: string
  sample:
    - "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess"
    - "LISTEN 0      128          0.0.0.0:22        0.0.0.0:*"
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, kind, shown
from ansible_collections.netdiag.ss.plugins.plugin_utils._sockets import lines

_NAME = 'netdiag.ss.socket_lines'


def socket_lines(sockets: t.Any, ss_args: t.Any = '', header: t.Any = True) -> list[str]:
    """The lines ss -n (with the options in ss_args) prints for these records."""
    if not isinstance(header, bool):
        raise AnsibleFilterError(f'{_NAME}: header must be true or false, not {kind(header)}: {shown(header)}')
    try:
        return lines(sockets, ss_args, header)
    except ArgsError as exc:
        raise AnsibleFilterError(f'{_NAME}: {exc}') from None


class FilterModule:
    """netdiag.ss.socket_lines."""

    def filters(self) -> dict[str, t.Callable]:
        return {'socket_lines': socket_lines}
