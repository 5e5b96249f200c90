# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: socket_matching
short_description: Test whether an ss filter selects a socket record
version_added: 0.1.0
author:
  - netdiag.ss developers (@netdiag)
description:
  - Tests one socket record, as M(netdiag.ss.socket_facts) returns it in C(ansible_facts.sockets), against an C(ss)
    filter - state words first, then the expression, in one string.
  - True exactly when P(netdiag.ss.select_sockets#filter) would keep the record; the filter is read, and names are
    looked up (on the controller), as that filter does, and the same conditions are refused (C(fwmark), C(cgroup),
    C(autobound), C(dev) by index, a packet socket's interface by name).
  - A filter that is not valid, or an input that is not a socket record, is an error that says why; it is never
    just false.
positional: _input, filter
options:
  _input:
    description:
      - One socket record.
    type: dict
    required: true
  filter:
    description:
      - The C(ss) filter, for example V(state listening sport = :22). An empty string matches every record.
      - See P(netdiag.ss.select_sockets#filter) for how it is read.
    type: str
    required: true
seealso:
  - plugin: netdiag.ss.select_sockets
    plugin_type: filter
  - module: netdiag.ss.socket_facts
"""

EXAMPLES = r"""
---
- name: List the sockets
  netdiag.ss.socket_facts:
    ss_args: -tan

- name: Report each ssh connection
  ansible.builtin.debug:
    msg: "ssh from {{ item.peer_address }}"
  loop: "{{ ansible_facts.sockets }}"
  when: item is netdiag.ss.socket_matching('state established sport = :22')

- name: Nothing listens on the telnet port
  ansible.builtin.assert:
    that: ansible_facts.sockets | select('netdiag.ss.socket_matching', 'state listening sport = :23') | list | length == 0
"""

RETURN = r"""
_value:
  description:
    - Whether the filter selects the record.
  type: boolean
"""

import typing as t

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.plugin_utils._sockets import selection

_NAME = 'netdiag.ss.socket_matching'


def socket_matching(record: t.Any, filter: t.Any) -> bool:  # pylint: disable=redefined-builtin
    """Whether an ss FILTER (state words, then the expression) selects this socket record."""
    try:
        compiled = selection(filter)
        matches = compiled(record)
    except ArgsError as exc:
        raise AnsibleFilterError(f'{_NAME}: {exc}') from None
    if compiled.warning:
        Display().warning(f'{_NAME}: {compiled.warning}')
    return bool(matches)


class TestModule:
    """netdiag.ss.socket_matching."""

    def tests(self) -> dict[str, t.Callable]:
        return {'socket_matching': socket_matching}
