# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the real `ss` prints for the examples of a task of examples/ss-examples.yml, in a namespace.

    python ss_probe.py NAMESPACE PLAYBOOK SELINUX_OFF(0|1) TASK_NAME   -> JSON {example name: ss lines}

An example is a task, or a socket_assert rule, named after an ss command (`ss -a -t`,
`ss -lnt (structured options)`): ss runs with that command line plus -n (the modules
are numeric by default), without -K (never close anything: list instead), and with -p
for -Z where SELinux is off (ss -Z fails there). callback_plugins/record_results.py
runs this right before and right after each task, for test_examples.py.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import yaml

STRUCTURED = ' (structured options)'
MODULES = ('netdiag.ss.socket_facts', 'netdiag.ss.socket_kill', 'netdiag.ss.socket_assert')


def tasks(playbook):
    with open(playbook) as f:
        plays = yaml.safe_load(f)
    return [task for play in plays for task in play['tasks']]


def module(task):
    return next((m for m in MODULES if m in task), None)


def examples_of(task):
    """[(example name, kind)] of one task: the task itself, or the rules of a socket_assert task."""
    mod = module(task)
    if mod == 'netdiag.ss.socket_assert':
        return [(rule['name'], 'rule') for rule in task[mod]['rules'] if rule['name'].startswith('ss ')]
    if mod and task['name'].startswith('ss '):
        return [(task['name'], mod)]
    return []


def ss_argv(name):
    """The ss command line an example is named after, as ss's argv (-n added, -K left out)."""
    if name.endswith(STRUCTURED):
        name = name[:-len(STRUCTURED)]
    words = shlex.split(name)
    if words[:1] != ['ss']:
        raise ValueError('not named after an ss command: %r' % name)
    return [w for w in words[1:] if w != '-K'] + ['-n']


def run_ss(ns, argv, selinux_off):
    """ss's lines in the namespace, in the collection's text form of bytes (see conftest.run_ss)."""
    from ansible_collections.netdiag.ss.plugins.module_utils._schema import bytes_text
    if selinux_off:
        argv = ['-p' if a == '-Z' else a for a in argv]
    proc = subprocess.run(['nsenter', '--net=/var/run/netns/' + ns, 'ss'] + list(argv), capture_output=True,
                          timeout=60, check=False)
    if proc.returncode != 0:
        raise RuntimeError('ss %s failed: %s' % (' '.join(argv), proc.stderr.decode('utf-8', 'replace')))
    return bytes_text(proc.stdout).splitlines()


def probe(ns, playbook, selinux_off, task_name):
    found = [task for task in tasks(playbook) if task.get('name') == task_name]
    return dict((name, run_ss(ns, ss_argv(name), selinux_off)) for task in found for name, _kind in examples_of(task))


if __name__ == '__main__':
    json.dump(probe(sys.argv[1], sys.argv[2], sys.argv[3] == '1', sys.argv[4]), sys.stdout)
