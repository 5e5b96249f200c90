# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark floor: a do-nothing module that returns a saved module result.

Not part of the collection. benchmarks/run.py copies it into a temporary
library directory and runs it with `ansible localhost -M DIR -m ndss_floor`.

`path` is a JSON file holding the result of one socket_facts run (its stdout
when run directly, `invocation` removed): the module loads it and returns it
unchanged through exit_json, so Ansible moves a result of the same shape
and size as socket_facts' (ansible_facts.sockets, socket_summary, lines,
unsupported_tables). Whatever time socket_facts needs beyond this module is
the cost of reading and shaping the sockets; the rest is Ansible's floor.
A result without ansible_facts (socket_kill's, for benchmarks/kill.py) is
returned as it was saved.
"""

from __future__ import annotations

DOCUMENTATION = r"""
module: ndss_floor
short_description: Return a saved result (benchmark floor)
description: Loads a saved socket_facts result from O(path) and returns it.
options:
  path:
    description: JSON file with the saved result.
    type: path
    required: true
author: netdiag.ss developers (@netdiag)
"""

import json

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(path=dict(type='path', required=True)), supports_check_mode=True)
    with open(module.params['path'], 'r') as f:
        saved = json.load(f)
    saved.pop('invocation', None)
    saved.pop('warnings', None)
    saved.pop('deprecations', None)
    if 'ansible_facts' not in saved:
        module.exit_json(**saved)
    result = dict(changed=False, unsupported_tables=saved.get('unsupported_tables', []))
    if 'lines' in saved:
        result['lines'] = saved['lines']
    facts = saved.get('ansible_facts', {})
    module.exit_json(ansible_facts=dict(sockets=facts.get('sockets', []), socket_summary=facts.get('socket_summary', {})),
                     **result)


if __name__ == '__main__':
    main()
