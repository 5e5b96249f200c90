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
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fleet  # noqa: E402
from run import bench_env, log  # noqa: E402

ROLE_DEFAULTS = os.path.join(os.path.dirname(HERE), 'roles', 'socket_compliance', 'defaults', 'main.yml')
RULES = ("{{ (socket_compliance_baseline + socket_compliance_policy + _added) "
         "| rejectattr('name', 'in', _removed) | list }}")
RULE_VARS = """\
      vars:
        _added: "{{ query('ansible.builtin.varnames', '^socket_compliance_add_.+') | map('extract', vars) | flatten }}"
        _removed: "{{ query('ansible.builtin.varnames', '^socket_compliance_remove_.+') | map('extract', vars) | flatten }}"
"""


def play(task):
    return ('- hosts: fleet\n  gather_facts: false\n  vars_files:\n    - %s\n  tasks:\n    - name: the part\n%s'
            % (ROLE_DEFAULTS, task))


def plays():
    import yaml
    with open(ROLE_DEFAULTS) as f:
        baseline = yaml.safe_load(f)['socket_compliance_baseline']
    rules = json.dumps(baseline + fleet.POLICY + fleet.ADDED)
    return {
        'command': play('      ansible.builtin.command: ss -Htan\n      changed_when: false\n'),
        'debug': play('      ansible.builtin.debug:\n        msg: "x"\n'),
        'debug_templated': play('      ansible.builtin.debug:\n        msg: "{{ rules | length }}"\n%s        rules: "%s"\n'
                                % (RULE_VARS, RULES)),
        'assert_static': play('      netdiag.ss.socket_assert:\n        rules: %s\n        report_only: true\n' % rules),
        'assert_templated': play('      netdiag.ss.socket_assert:\n        rules: "%s"\n        report_only: true\n%s'
                                 % (RULES, RULE_VARS)),
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
            paths = {}
            for name, text in plays().items():
                paths[name] = os.path.join(tmp, name + '.yml')
                with open(paths[name], 'w') as f:
                    f.write(text)
            samples = dict((name, []) for name in paths)
            for rep in range(args.repeat):
                for name in (sorted(paths) if rep % 2 else sorted(paths, reverse=True)):
                    t0 = time.perf_counter()
                    proc = subprocess.run(['ansible-playbook', '-i', inventory, '--forks', str(args.forks), paths[name]],
                                          cwd=tmp, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                          check=False)
                    seconds = time.perf_counter() - t0
                    if proc.returncode != 0:
                        raise RuntimeError('%s failed (rc=%d): %s' % (name, proc.returncode, proc.stdout[-2000:]))
                    if rep:
                        samples[name].append(seconds)
                log('repetition %d/%d%s' % (rep + 1, args.repeat, ' (warm-up)' if rep == 0 else ''))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
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
