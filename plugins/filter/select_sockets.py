# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: select_sockets
short_description: Keep the socket records that an ss filter selects
version_added: 0.1.0
author:
  - netdiag.ss developers (@netdiag)
description:
  - Takes socket records as M(netdiag.ss.socket_facts) returns them (C(ansible_facts.sockets)) and returns the ones
    that an C(ss) filter selects, unchanged and in their order.
  - The filter is what C(ss) reads after its options, in one string - state words first (C(state NAME),
    C(exclude NAME)), then the expression - for example V(state established dport = :443). State names and the groups
    of C(ss) (V(connected), V(synchronized), V(bucket), V(big), V(all)) are accepted, with the rules of C(ss). The
    expression is read as the O(netdiag.ss.socket_facts#module:filter) option of the modules reads it, with the same
    grammar and quirks (see C(docs/filter-language.md) in the collection).
  - Without a state word every record passes whatever its state (the records are already what C(socket_facts)
    selected); C(ss) itself would list only connected sockets then.
  - This runs on the controller. Host names (V(src db1)), service names (V(sport = :ssh), looked up for both tcp and
    udp) and netlink protocol names are looked up on the controller, not on the managed host. C(dev NAME) compares the
    record's C(interface).
  - Conditions that records cannot answer are refused with an error that names the word - C(fwmark), C(cgroup),
    C(autobound), C(dev) by index and a packet socket's interface by name (C(link:ip:eth0)). Filter on the managed
    host for them (O(netdiag.ss.socket_facts#module:filter)).
  - A filter that is not valid is an error that names the word and its position (counted from the first word,
    state words included), with a hint; so is an input that is not a list of socket records.
  - A filter that mixes C(and) and C(or) without parentheses gives a warning (C(ss) reads them strictly left to
    right).
positional: _input, filter
options:
  _input:
    description:
      - Socket records, as in C(ansible_facts.sockets) after M(netdiag.ss.socket_facts), or the result of another
        filter on them.
      - Each record needs at least the keys C(netid), C(state), C(family), C(local_address), C(local_port),
        C(peer_address), C(peer_port); C(interface) is read for C(dev).
    type: list
    elements: dict
    required: true
  filter:
    description:
      - The C(ss) filter - state words, then the expression - as one string. An empty string selects every record.
      - Words are separated by spaces or tabs, and a backslash makes the next character literal, as in the
        O(netdiag.ss.socket_facts#module:filter) option; shell quotes are not removed.
      - State words are not joined to the expression with C(and) (C(ss) rejects V(state established and dport = :443)
        too).
    type: str
    required: true
notes:
  - Names are looked up once per filter text and Ansible process, and kept.
seealso:
  - module: netdiag.ss.socket_facts
  - plugin: netdiag.ss.socket_lines
    plugin_type: filter
  - plugin: netdiag.ss.socket_matching
    plugin_type: test
"""

EXAMPLES = r"""
---
- name: List every socket once
  netdiag.ss.socket_facts:
    ss_args: -tuna

- name: The established HTTPS connections
  ansible.builtin.debug:
    msg: "{{ ansible_facts.sockets | netdiag.ss.select_sockets('state established dport = :443') }}"

- name: Who talks to the database, as ss would print it
  ansible.builtin.debug:
    msg: >-
      {{ ansible_facts.sockets
         | netdiag.ss.select_sockets('state connected ( dport = :5432 or sport = :5432 )')
         | netdiag.ss.socket_lines }}

- name: Fail when anything listens on a port below 1024 except ssh
  ansible.builtin.assert:
    that: listeners | length == 0
    fail_msg: "{{ listeners | netdiag.ss.socket_lines | join('\n') }}"
  vars:
    listeners: >-
      {{ ansible_facts.sockets
         | netdiag.ss.select_sockets('state listening sport < :1024 and not sport = :ssh') }}

- name: The unix sockets under /run (a glob, matched as ss matches it)
  ansible.builtin.set_fact:
    run_sockets: "{{ ansible_facts.sockets | netdiag.ss.select_sockets('src unix:/run/*') }}"
"""

RETURN = r"""
_value:
  description:
    - The records that the filter selects, unchanged, in the order of the input.
  type: list
  elements: dict
"""

import typing as t

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.plugin_utils._sockets import select

_NAME = 'netdiag.ss.select_sockets'


def select_sockets(sockets: t.Any, filter: t.Any) -> list[t.Any]:  # pylint: disable=redefined-builtin
    """The socket records that an ss FILTER (state words, then the expression) selects."""
    try:
        selected, selection = select(sockets, filter)
    except ArgsError as exc:
        raise AnsibleFilterError(f'{_NAME}: {exc}') from None
    if selection.warning:
        Display().warning(f'{_NAME}: {selection.warning}')
    return selected


class FilterModule:
    """netdiag.ss.select_sockets."""

    def filters(self) -> dict[str, t.Callable]:
        return {'select_sockets': select_sockets}
