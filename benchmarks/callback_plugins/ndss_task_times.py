# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark-only callback: wall time of each task of a playbook, written as JSON.

ansible-core ships no timing callback (profile_tasks and timer are in
ansible.posix, which the benchmark does not install). Enabled with
ANSIBLE_CALLBACKS_ENABLED=ndss_task_times and NDSS_TASK_TIMES=<file>; used
by benchmarks/fleet.py --profile. A task's time runs from its start to the
start of the next task (or the end of the playbook), which is exact for the
linear strategy: every host finishes a task before the next one starts.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: ndss_task_times
type: aggregate
short_description: wall time of each task, as JSON (benchmarks only)
description:
  - Writes the start time (epoch seconds) and duration of each task, with the number of host results of each kind,
    to the file named by the environment variable NDSS_TASK_TIMES.
requirements:
  - enabled in the configuration (callbacks_enabled)
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'ndss_task_times'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get('NDSS_TASK_TIMES')
        self._started = time.time()
        self._tasks = []
        self._current = None

    def _close_current(self, now):
        if self._current is not None:
            self._current['seconds'] = now - self._current['start']
            self._current = None

    def v2_playbook_on_start(self, playbook):
        self._started = time.time()

    def _on_start(self, task, kind):
        now = time.time()
        self._close_current(now)
        role = task._role.get_name() if getattr(task, '_role', None) else None
        self._current = {'name': task.get_name(), 'role': role, 'kind': kind, 'start': now, 'results': {}}
        self._tasks.append(self._current)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._on_start(task, 'task')

    def v2_playbook_on_handler_task_start(self, task):
        self._on_start(task, 'handler')

    def _count(self, what):
        if self._current is not None:
            self._current['results'][what] = self._current['results'].get(what, 0) + 1

    def v2_runner_on_ok(self, result):
        self._count('ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count('failed')

    def v2_runner_on_skipped(self, result):
        self._count('skipped')

    def v2_runner_on_unreachable(self, result):
        self._count('unreachable')

    def v2_runner_item_on_ok(self, result):
        self._count('item_ok')

    def v2_playbook_on_stats(self, stats):
        now = time.time()
        self._close_current(now)
        if self._path:
            with open(self._path, 'w', encoding='utf-8') as handle:
                json.dump({'playbook_start': self._started, 'end': now, 'tasks': self._tasks}, handle, indent=1)
