# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A test-only callback: every task result of a playbook run, in order, as one JSON file.

Enabled by tests/integration/test_examples.py with ANSIBLE_CALLBACK_PLUGINS (this folder),
ANSIBLE_CALLBACKS_ENABLED=record_results and NDSS_RECORD_FILE (where to write). Each entry:
{"host", "task", "action", "status" (ok, failed, skipped, unreachable), "result"}.

With NDSS_RECORD_PROBE (a JSON list: a command), the command runs with the task's name as
its last argument right before and right after each task of this collection's modules; its
JSON output is kept as "probe_before" and "probe_after" (test_examples.py runs ss there, so
that each task is compared with what ss printed within a moment of it).
"""

from __future__ import annotations

import json
import os
import subprocess

from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'record_results'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._records = []
        self._before = None
        probe = os.environ.get('NDSS_RECORD_PROBE')
        self._probe_argv = json.loads(probe) if probe else None

    def _probe(self, task):
        if not self._probe_argv or not task.action.startswith('netdiag.ss.'):
            return None
        proc = subprocess.run(self._probe_argv + [task.get_name()], capture_output=True, text=True, timeout=120,
                              check=False)
        if proc.returncode != 0:
            return {'error': proc.stderr[-2000:] or 'probe exited %d' % proc.returncode}
        return json.loads(proc.stdout)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._before = self._probe(task)

    def _record(self, result, status):
        self._records.append({
            'host': result._host.get_name(),
            'task': result._task.get_name(),
            'action': result._task.action,
            'status': status,
            'result': json.loads(json.dumps(result._result, cls=AnsibleJSONEncoder)),
            'probe_before': self._before,
            'probe_after': self._probe(result._task),
        })

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('NDSS_RECORD_FILE')
        if path:
            with open(path, 'w') as f:
                json.dump(self._records, f, indent=1)
