# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the role's time goes over a fleet: one-task playbooks that each add one part of the role's work.

    source scripts/env.sh
    python benchmarks/fleet_parts.py              # 50 hosts, forks 5, 4 repetitions (~4 min)

Needs root. The fleet of benchmarks/fleet.py (its Fleet, inventory and settings), and these
playbooks, each one task per host, in turns (the order reversed every other repetition; the
first repetition is a warm-up and not counted):

  command           ansible.builtin.command: ss -Htan (fleet.py's reference)
  debug             ansible.builtin.debug with a constant message: a task that runs no module
  debug_templated   the same with the role's `rules` expression templated per host (baseline,
                    policy, socket_compliance_add_* variables, removals by name)
  assert_static     netdiag.ss.socket_assert with the host's 20 rules written out (no templating)
  assert_templated  netdiag.ss.socket_assert with `rules` templated as the role does

assert_static - command is what socket_assert's module costs beyond a module that runs ss;
debug_templated - debug is what templating the rules costs. Prints the median and the minimum
of each, and the differences. See docs/performance.md, "Fleet compliance".
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fleet  # noqa: E402
from run import bench_env, log  # noqa: E402

ROLE = os.path.join(os.path.dirname(HERE), 'roles', 'socket_compliance')
ROLE_DEFAULTS = os.path.join(ROLE, 'defaults', 'main.yml')


def plays():
    """{name: playbook text}; the rules expression and its vars are the role's own (its first task)."""
    import yaml
    with open(ROLE_DEFAULTS) as f:
        baseline = yaml.safe_load(f)['socket_compliance_baseline']
    with open(os.path.join(ROLE, 'tasks', 'main.yml')) as f:
        check = yaml.safe_load(f)[0]
    rules, rule_vars = check['netdiag.ss.socket_assert']['rules'], check['vars']
    written_out = baseline + fleet.POLICY + fleet.ADDED

    def play(task):
        return yaml.safe_dump([{'hosts': 'fleet', 'gather_facts': False, 'vars_files': [ROLE_DEFAULTS],
                                'tasks': [dict(name='the part', **task)]}], sort_keys=False)
    return {
        'command': play({'ansible.builtin.command': 'ss -Htan', 'changed_when': False}),
        'debug': play({'ansible.builtin.debug': {'msg': 'x'}}),
        'debug_templated': play({'ansible.builtin.debug': {'msg': '{{ rules | length }}'},
                                 'vars': dict(rule_vars, rules=rules)}),
        'assert_static': play({'netdiag.ss.socket_assert': {'rules': written_out, 'report_only': True}}),
        'assert_templated': play({'netdiag.ss.socket_assert': {'rules': rules, 'report_only': True}, 'vars': rule_vars}),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    ap.add_argument('--hosts', type=int, default=50)
    ap.add_argument('--forks', type=int, default=5)
    ap.add_argument('--repeat', type=int, default=4, help='repetitions, the first one not counted')
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        ap.error('needs root (network namespaces)')
    env = bench_env()
    env['ANSIBLE_PIPELINING'] = 'True'
    env.pop('ANSIBLE_CALLBACKS_ENABLED', None)
    env.pop('ANSIBLE_CONFIG', None)
    tmp = tempfile.mkdtemp(prefix='ndss-fleet-parts-')
    try:
        with fleet.Fleet(args.hosts, env) as lab:
            inventory = os.path.join(tmp, 'inventory.json')
            fleet.write_inventory(lab, inventory, os.path.join(tmp, 'report'))
            contenders = {}
            for name, text in plays().items():
                path = os.path.join(tmp, name + '.yml')
                with open(path, 'w') as f:
                    f.write(text)
                contenders[name] = fleet.Contender(name, name, path, args.forks, fleet.command_check)
            for rep in range(args.repeat):
                for name in (sorted(contenders) if rep % 2 else sorted(contenders, reverse=True)):
                    seconds = fleet.run_playbook(contenders[name], inventory, tmp, env)[0]
                    if rep:
                        contenders[name].samples.append(seconds)
                log('repetition %d/%d%s' % (rep + 1, args.repeat, ' (warm-up)' if rep == 0 else ''))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    samples = dict((name, c.samples) for name, c in contenders.items())
    median = dict((name, statistics.median(s)) for name, s in samples.items())
    print('| Playbook (one task per host, %d hosts, forks %d) | median | min |' % (args.hosts, args.forks))
    print('|---|---:|---:|')
    for name in ('command', 'debug', 'debug_templated', 'assert_static', 'assert_templated'):
        print('| %s | %.2f s | %.2f s |' % (name, median[name], min(samples[name])))
    print()
    print('socket_assert beyond command (assert_static - command): %.2f s' % (median['assert_static'] - median['command']))
    print('templating the rules (debug_templated - debug): %.2f s' % (median['debug_templated'] - median['debug']))
    print('templating within socket_assert (assert_templated - assert_static): %.2f s'
          % (median['assert_templated'] - median['assert_static']))


if __name__ == '__main__':
    main()
