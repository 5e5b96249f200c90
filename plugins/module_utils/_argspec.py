# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Argument specs shared by the modules, with the constraints that go with them.

An ArgumentSpec carries the options and their mutually_exclusive /
required_* lists together, so a module adds its own options to a shared
spec and creates its AnsibleModule from the whole. The shared options are
documented once, in plugins/doc_fragments/_selection.py: change both
together (a unit test checks that they agree).
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

_CONSTRAINTS = ('mutually_exclusive', 'required_together', 'required_one_of', 'required_if', 'required_by')


class ArgumentSpec(object):
    """An argument spec and its constraints."""

    def __init__(self, argument_spec=None, mutually_exclusive=None, required_together=None, required_one_of=None,
                 required_if=None, required_by=None):
        self.argument_spec = dict(argument_spec or {})
        self.mutually_exclusive = list(mutually_exclusive or [])
        self.required_together = list(required_together or [])
        self.required_one_of = list(required_one_of or [])
        self.required_if = list(required_if or [])
        self.required_by = dict(required_by or {})

    def update_argspec(self, **options):
        """Add or replace options; returns self."""
        self.argument_spec.update(options)
        return self

    def update(self, mutually_exclusive=None, required_together=None, required_one_of=None, required_if=None,
               required_by=None):
        """Add constraints; returns self."""
        self.mutually_exclusive.extend(mutually_exclusive or [])
        self.required_together.extend(required_together or [])
        self.required_one_of.extend(required_one_of or [])
        self.required_if.extend(required_if or [])
        for key, value in (required_by or {}).items():
            self.required_by[key] = list(self.required_by.get(key, ())) + list(value)
        return self

    def merge(self, other):
        """Add another ArgumentSpec's options and constraints; returns self."""
        self.update_argspec(**other.argument_spec)
        return self.update(**dict((name, getattr(other, name)) for name in _CONSTRAINTS))

    def create_ansible_module(self, **kwargs):
        """An AnsibleModule for this spec (kwargs: supports_check_mode and the like, not the spec itself)."""
        for name in ('argument_spec',) + _CONSTRAINTS:
            if name in kwargs:
                raise ValueError('create_ansible_module() takes %s from the ArgumentSpec, not as an argument' % name)
        return AnsibleModule(argument_spec=self.argument_spec, **dict(kwargs, **dict(
            (name, getattr(self, name)) for name in _CONSTRAINTS)))


def selection_argspec():
    """Which sockets to select, as ss selects them (doc fragment: netdiag.ss._selection)."""
    return ArgumentSpec(dict(
        ss_args=dict(type='str'),
        tables=dict(type='list', elements='str'),
        families=dict(type='list', elements='str'),
        listening=dict(type='bool'),
        all=dict(type='bool'),
        states=dict(type='list', elements='str'),
        exclude_states=dict(type='list', elements='str'),
        netns=dict(type='str'),
        filter=dict(type='str'),
        filter_file=dict(type='path'),
        kernel_filter=dict(type='bool', default=True),
        source=dict(type='str', choices=['auto', 'netlink', 'proc'], default='auto'),
    ))


def details_argspec():
    """What to show of each selected socket (doc fragment: netdiag.ss._selection.DETAILS)."""
    return ArgumentSpec(dict(
        resolve=dict(type='bool'),
        processes=dict(type='bool'),
        threads=dict(type='bool'),
        timers=dict(type='bool'),
        summary=dict(type='bool'),
        extended=dict(type='bool'),
        memory=dict(type='bool'),
        info=dict(type='bool'),
        tos=dict(type='bool'),
        cgroup=dict(type='bool'),
        inet_sockopt=dict(type='bool'),
        bpf=dict(type='bool'),
        context=dict(type='bool'),
        contexts=dict(type='bool'),
        tipcinfo=dict(type='bool'),
        oneline=dict(type='bool'),
    ))


__all__ = ['ArgumentSpec', 'selection_argspec', 'details_argspec']
