# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Count test results in JUnit XML files (pytest, ansible-test).

usage: python junit_count.py [--names] PATH...   (files or directories of *.xml)

Prints one line "PASSED FAILED SKIPPED" (failures and errors both count as
failed).  Counts <testcase> elements, so a suite's own totals are not
trusted.  With --names, also prints "failed: NAME" and "skipped: NAME: WHY"
lines before the totals.  Missing or unreadable files count nothing.
"""

import glob
import os
import sys
import xml.etree.ElementTree as ET


def files_of(paths):
    for path in paths:
        if os.path.isdir(path):
            yield from sorted(glob.glob(os.path.join(path, '**', '*.xml'), recursive=True))
        elif os.path.isfile(path):
            yield path


def count(paths, names=False):
    """Return (passed, failed, skipped, lines); lines are the --names lines."""
    passed = failed = skipped = 0
    lines = []
    for path in files_of(paths):
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as exc:
            sys.stderr.write('junit_count: cannot read %s: %s\n' % (path, exc))
            continue
        for case in root.iter('testcase'):
            label = '%s::%s' % (case.get('classname', ''), case.get('name', ''))
            bad = case.find('failure') is not None or case.find('error') is not None
            skip = case.find('skipped')
            if bad:
                failed += 1
                if names:
                    lines.append('failed: %s' % label)
            elif skip is not None:
                skipped += 1
                if names:
                    why = (skip.get('message') or skip.text or '').strip().splitlines()
                    lines.append('skipped: %s: %s' % (label, why[0] if why else ''))
            else:
                passed += 1
    return passed, failed, skipped, lines


def main(argv):
    names = '--names' in argv
    paths = [a for a in argv if a != '--names']
    passed, failed, skipped, lines = count(paths, names)
    for line in lines:
        print(line)
    print('%d %d %d' % (passed, failed, skipped))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
