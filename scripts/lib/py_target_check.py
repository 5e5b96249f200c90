# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that target-side code works on an old Python (run it WITH that Python).

usage: python3.8 py_target_check.py REPO_ROOT ANSIBLE_MODULE_UTILS_DIR JUNIT_XML

One test per file:
  plugins/modules/*.py           must compile;
  plugins/module_utils/**/*.py   must compile and import as
                                 ansible_collections.netdiag.ss.plugins.module_utils.X
                                 in a bare interpreter (stdlib + ansible.module_utils only,
                                 like ansible-test's import sanity test).

This file itself must stay Python 3.8 compatible.
"""

import glob
import importlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from xml.sax.saxutils import quoteattr, escape


def collect(root):
    """Return the repo-relative paths to check."""
    files = sorted(glob.glob(os.path.join(root, 'plugins', 'modules', '**', '*.py'), recursive=True))
    files += sorted(glob.glob(os.path.join(root, 'plugins', 'module_utils', '**', '*.py'), recursive=True))
    return [os.path.relpath(f, root) for f in files]


def make_tree(root, module_utils_dir):
    """Build a sys.path entry holding ansible.module_utils and ansible_collections.netdiag.ss."""
    tree = tempfile.mkdtemp(prefix='netdiag-ss-pycheck-')
    os.makedirs(os.path.join(tree, 'ansible'))
    # An empty ansible/__init__.py: the real one pulls in controller code (3.11+).
    with open(os.path.join(tree, 'ansible', '__init__.py'), 'w'):
        pass
    os.symlink(module_utils_dir, os.path.join(tree, 'ansible', 'module_utils'))
    os.makedirs(os.path.join(tree, 'ansible_collections', 'netdiag'))
    os.symlink(root, os.path.join(tree, 'ansible_collections', 'netdiag', 'ss'))
    return tree


def check(root, rel):
    """Return None if the file is fine, else an error text."""
    path = os.path.join(root, rel)
    try:
        with open(path, 'rb') as handle:
            source = handle.read()
        compile(source, path, 'exec', dont_inherit=True)
    except SyntaxError:
        return 'compile failed:\n' + traceback.format_exc(limit=0)
    except Exception:  # pylint: disable=broad-except
        return 'compile failed:\n' + traceback.format_exc()
    if rel.startswith(os.path.join('plugins', 'module_utils') + os.sep):
        name = 'ansible_collections.netdiag.ss.' + rel[:-3].replace(os.sep, '.')
        if name.endswith('.__init__'):
            name = name[:-len('.__init__')]
        try:
            importlib.import_module(name)
        except BaseException:  # pylint: disable=broad-except
            return 'import %s failed:\n%s' % (name, traceback.format_exc())
    return None


def main(argv):
    root, module_utils_dir, junit = os.path.realpath(argv[0]), argv[1], argv[2]
    sys.dont_write_bytecode = True
    tree = make_tree(root, module_utils_dir)
    sys.path.insert(0, tree)
    version = '%d.%d' % sys.version_info[:2]
    cases = []
    try:
        for rel in collect(root):
            start = time.time()
            error = check(root, rel)
            cases.append((rel, error, time.time() - start))
            print('py%s: %s %s' % (version, 'ok    ' if error is None else 'FAILED', rel))
            if error:
                print('    ' + error.rstrip().replace('\n', '\n    '))
    finally:
        shutil.rmtree(tree, ignore_errors=True)

    failures = sum(1 for case in cases if case[1])
    with open(junit, 'w') as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites>\n')
        out.write('<testsuite name="py%s" tests="%d" failures="%d" errors="0" skipped="0">\n'
                  % (version, len(cases), failures))
        for rel, error, took in cases:
            out.write('<testcase classname=%s name=%s time="%.3f"'
                      % (quoteattr('py%s' % version), quoteattr(rel), took))
            if error:
                out.write('><failure message=%s>%s</failure></testcase>\n'
                          % (quoteattr(error.splitlines()[0]), escape(error)))
            else:
                out.write('/>\n')
        out.write('</testsuite>\n</testsuites>\n')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
