# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark-only stdout callback: displays nothing.

Used by benchmarks/run.py so that timing `ansible localhost -m ...` measures
module execution and Ansible's result processing, not the cost of pretty-
printing megabytes of result JSON to a terminal. Failures still give
ansible a non-zero exit code; the failure message goes to stderr.
"""

from __future__ import annotations

import sys

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: ndss_null
type: stdout
short_description: print nothing (benchmarks only)
description:
  - Prints nothing for successful tasks; prints the message of failed or unreachable tasks to stderr.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'ndss_null'

    def v2_runner_on_failed(self, result, ignore_errors=False):
        sys.stderr.write('FAILED: %s\n' % result._result.get('msg', result._result))

    def v2_runner_on_unreachable(self, result):
        sys.stderr.write('UNREACHABLE: %s\n' % result._result.get('msg', result._result))
