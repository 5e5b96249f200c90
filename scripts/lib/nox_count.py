# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Count the results of a nox run (noxfile.py sessions) honestly.

usage: python nox_count.py NOX_REPORT_JSON SESSION_OUTPUT_DIR

NOX_REPORT_JSON is what `nox --report FILE` wrote; SESSION_OUTPUT_DIR holds one
folder per session (tests/output/nox/<session>/), where a session that runs
several tests leaves JUnit files in junit/.

Per session:
  * with JUnit files: every <testcase> counts (passed / failed / skipped, as in
    junit_count.py); if the session did not succeed but no test case failed
    (a crash, a broken install), one more failure;
  * without: the session is one test: success = passed, skipped = skipped
    (with nox's reason), anything else (failed, aborted) = failed.

Prints a line per session (and the failed / skipped test names), then as the
last line "PASSED FAILED SKIPPED".  A missing or unreadable report prints
"0 1 0".
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from junit_count import count  # noqa: E402  pylint: disable=wrong-import-position


def main(argv):
    report_path, outdir = argv[0], argv[1]
    try:
        with open(report_path, encoding='utf-8') as handle:
            report = json.load(handle)
        sessions = report['sessions']
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print('nox_count: no usable nox report %s: %s' % (report_path, exc))
        print('0 1 0')
        return 0

    total = [0, 0, 0]
    for entry in sessions:
        name = entry.get('name') or '?'
        result = entry.get('result') or 'unknown'
        reason = entry.get('reason') or ''
        junit = os.path.join(outdir, name, 'junit')
        note = ''
        if os.path.isdir(junit) and os.listdir(junit):
            passed, failed, skipped, lines = count([junit], names=True)
            if result != 'success' and failed == 0:
                failed += 1
                note = 'session %s without a failed test: %s' % (result, reason or 'see its output')
        else:
            lines = []
            passed = int(result == 'success')
            skipped = int(result == 'skipped')
            failed = 1 - passed - skipped
            if result != 'success':
                note = '%s%s' % (result, ': ' + reason if reason else '')
        print('  %-28s %d passed, %d failed, %d skipped%s'
              % (name + ':', passed, failed, skipped, '  [%s]' % note if note else ''))
        for line in lines:
            print('      ' + line)
        total[0] += passed
        total[1] += failed
        total[2] += skipped
    print('%d %d %d' % tuple(total))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
