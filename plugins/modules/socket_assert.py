#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: socket_assert
short_description: Check sockets against rules written as C(ss) selections
version_added: 0.1.0
description:
  - Checks the sockets of the managed host (or of one of its network namespaces) against compliance rules. Each rule
    selects sockets exactly as C(ss) would for the same arguments (an C(ss) filter, an C(ss) command line, or the
    structured selection options) and says what is expected of them, for example V(nothing listens on port 23),
    V(only nginx listens on 443), V(at least one connection to the database).
  - The rules of one call share the kernel's dumps, filtered in the kernel by the union of their filters where every
    rule allows it, and are evaluated in one pass; one dump per table for the rules about listening sockets, one for
    the rules about connections (the kernel's filter cannot test a state), and one for each rule without a filter,
    in which the sockets beyond its first offenders are counted, not decoded. Processes are looked up only for rules
    with process conditions, and only for the sockets those rules selected.
  - Fails when a rule fails (unless O(report_only=true)), naming each failed rule with its first offending sockets as
    C(ss) prints them. Never changes anything.
  - One rule can be given with the top-level options instead of O(rules), for a quick check.
author:
  - netdiag.ss developers (@netdiag)
extends_documentation_fragment:
  - netdiag.ss._attributes
  - netdiag.ss._attributes.INFO_MODULE
  - netdiag.ss._selection
options:
  rules:
    description:
      - The rules, each a dict with a C(name) (unique), a selection and an expectation. Keys
        (see C(docs/compliance.md) in the collection for examples)
      - "C(name) (required): how the rule is reported."
      - "Selection: C(filter), C(ss_args), C(tables), C(families), C(listening), C(all), C(states), C(exclude_states),
        C(filter_file), C(kernel_filter), with the meaning they have as options of this module. C(ss_args) must not ask
        for details (C(-p -e -m -i ...)), and C(-N) must name the namespace of O(netns) if it is given at all."
      - "C(name) must be a non-empty string (a name that is only blanks, or a number such as V(2049), is an error)."
      - "Expectation: C(expect) V(absent) (the default, when C(expect) is left out: no socket may be selected) or
        V(present) (at least one), or a count range with C(min) and/or C(max). A rule that could never fail is an
        error: C(expect=present) with C(min=0), and C(min=0) without C(max)."
      - "C(process): a dict (or a list of dicts) of C(name) (the process name as C(ss -p) shows it; the kernel keeps 15
        bytes of it, so V(systemd-resolve), and a longer name is an error), C(user) (the user the process runs as, its
        effective uid as C(ps) shows it: a user name of the managed host, looked up when the rules are read, or a uid)
        and C(pid) (a whole number): the rule selects only the sockets that such a process holds. A user name the host
        does not have matches no process, with a warning naming it; a negative uid and a pid such as V(25883.9) are
        errors."
      - "C(allow_process): a dict (or a list of dicts) of the same keys: with C(expect: absent), the sockets the rule
        selects are fine when every process holding them matches one of these (for example only nginx on 443); a
        socket that no process holds is not fine."
      - Mutually exclusive with a rule given by the top-level options (O(filter), O(ss_args), O(tables), ...).
    type: list
    elements: dict
  name:
    description:
      - The name of the rule given by the top-level options.
      - Mutually exclusive with O(rules) (each rule there has its own C(name)).
    type: str
    default: assertion
  expect:
    description:
      - The expectation of the rule given by the top-level options, as C(expect) in O(rules).
    type: str
    choices: [absent, present]
  min:
    description:
      - The least number of sockets the top-level rule may select.
    type: int
  max:
    description:
      - The most sockets the top-level rule may select.
    type: int
  process:
    description:
      - Holder conditions of the top-level rule, as C(process) in O(rules).
    type: raw
  allow_process:
    description:
      - Allowed holders of the top-level rule, as C(allow_process) in O(rules).
    type: raw
  max_offenders:
    description:
      - How many offending sockets to return per rule (RV(rules[].count) always counts them all).
    type: int
    default: 20
  report_only:
    description:
      - Return the results without failing when a rule fails.
    type: bool
    default: false
  skip:
    description:
      - Names of rules of O(rules) to leave out on this host, for example an exemption from a shared policy. A rule left
        out is not read or checked, and is not in RV(rules).
      - A name that names no rule of O(rules) is a warning (a misspelt name leaves the rule it meant checked). Leaving
        out every rule is an error.
    type: list
    elements: str
notes:
  - Run as root (C(become=true)) to see the processes of other users (for C(process) and C(allow_process) conditions)
    and sockets' marks.
  - Without root, the holders of a socket may be hidden (other users' processes cannot be read). A rule with process
    conditions then passes only when no hidden holder could change its outcome (for example C(process) with
    C(expect=present) and a visible holder that matches); otherwise it fails as not decided (RV(rules[].decided) is
    false), with a warning. It never passes because a holder was not seen.
seealso:
  - module: netdiag.ss.socket_facts
"""

EXAMPLES = r"""
---
- name: Nothing listens on telnet, and only nginx on 443
  netdiag.ss.socket_assert:
    rules:
      - name: no telnet
        filter: sport = :23
        states: [listening]
      - name: only nginx on https
        ss_args: -tl sport = :443
        allow_process: {name: nginx}

- name: Ad hoc, from the command line
  # ansible all -m netdiag.ss.socket_assert -a "filter='sport = :23' states=listening"
  netdiag.ss.socket_assert:
    filter: sport = :23
    states: [listening]

- name: At least one connection to the database, report only
  netdiag.ss.socket_assert:
    ss_args: -t state established dst 10.0.0.5:5432
    expect: present
    report_only: true
  register: db
"""

RETURN = r"""
rules:
  description: One result per rule, in the order of the rules.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The rule's name.
      type: str
    passed:
      description:
        - Whether the sockets the rule selected meet its expectation. False also when that could not be decided
          (RV(rules[].decided)).
      type: bool
    decided:
      description:
        - False when the rule's outcome depends on holders that could not be seen (a rule with process conditions, run
          without root or where some processes cannot be read even by root), and the rule then fails. Always true for
          rules without process conditions.
      type: bool
    expect:
      description: The expectation, as text (V(absent), V(present), V(at least N), V(at most N), V(N to M)).
      type: str
    count:
      description: How many sockets the rule selected (after its process conditions; for O(allow_process), those not allowed).
      type: int
    hidden_holders:
      description:
        - How many of the selected sockets might count for the rule through holders that could not be seen (not
          root); they are not in RV(rules[].count). 0 when every process could be read.
      type: int
    offenders:
      description:
        - The sockets that break the rule (all selected sockets for V(absent), and for a range every selected socket when
          there are more than the maximum), at most
          O(max_offenders), as socket records of M(netdiag.ss.socket_facts) (with C(processes) when the rule has process conditions).
        - When the rule is not decided because there may be too many, the sockets that count come first, then those
          that might (RV(rules[].hidden_holders)).
      type: list
      elements: dict
    offenders_total:
      description: How many offenders there are in all.
      type: int
    lines:
      description: The offenders as C(ss -n) prints them, header first.
      type: list
      elements: str
failed_rules:
  description: The names of the rules that failed.
  returned: always
  type: list
  elements: str
passed:
  description: Whether every rule passed.
  returned: always
  type: bool
"""

from ansible_collections.netdiag.ss.plugins.module_utils._argspec import selection_argspec
from ansible_collections.netdiag.ss.plugins.module_utils._assert import (
    DEFAULT_MAX_OFFENDERS, SELECTION_KEYS, evaluate, failure_message, parse_rules, unknown_skips,
)
from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, SocketToolError, shown


# the top-level options that give one rule besides the selection (each rule of `rules` has its own)
SINGLE_RULE_KEYS = ('name', 'expect', 'min', 'max', 'process', 'allow_process')


def main():
    spec = selection_argspec().update_argspec(
        rules=dict(type='list', elements='dict'),
        name=dict(type='str', default='assertion'),
        expect=dict(type='str', choices=['absent', 'present']),
        min=dict(type='int'),
        max=dict(type='int'),
        process=dict(type='raw'),
        allow_process=dict(type='raw'),
        max_offenders=dict(type='int', default=DEFAULT_MAX_OFFENDERS),
        report_only=dict(type='bool', default=False),
        skip=dict(type='list', elements='str'),
    ).update(required_by={'skip': ['rules']},
             mutually_exclusive=[('rules', key) for key in SELECTION_KEYS + SINGLE_RULE_KEYS if key != 'kernel_filter'])
    module = spec.create_ansible_module(supports_check_mode=True)
    p = module.params
    try:
        if p['rules'] is not None:
            rules = parse_rules(p['rules'], p['netns'], skip=frozenset(p['skip'] or ()))
            for name in unknown_skips(p['rules'], p['skip'] or ()):
                module.warn('skip: no rule is named %s, so it skips nothing (a misspelt name leaves the rule it meant '
                            'checked)' % shown(name))
        elif any(p[k] is not None for k in SELECTION_KEYS if k != 'kernel_filter'):
            single = dict((k, p[k]) for k in SELECTION_KEYS + SINGLE_RULE_KEYS)
            rules = parse_rules([single], p['netns'])
        else:
            raise ArgsError('give rules, or one rule with the top-level options (filter, ss_args, tables, ...)')
        result, warnings = evaluate(rules, p['netns'], p['max_offenders'], source=p['source'])
    except SocketToolError as exc:
        module.fail_json(msg=str(exc))
    for warning in warnings:
        module.warn(warning)
    if not result['passed'] and not p['report_only']:
        module.fail_json(msg=failure_message(result, rules), changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
