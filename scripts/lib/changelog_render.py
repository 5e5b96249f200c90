# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Render CHANGELOG.rst from changelogs/ (the released entries and the fragments), without releasing.

    python scripts/lib/changelog_render.py            # (re)write CHANGELOG.rst
    python scripts/lib/changelog_render.py --check    # exit 1 if CHANGELOG.rst is not what changelogs/ gives

Needs antsibull-changelog and ansible-core (ansible-doc finds the new plugins and roles), as
in .venv (`source scripts/env.sh` first); the nox session changelog-lint runs --check. `antsibull-changelog release` consumes the fragments and
records a release; this script runs it on a copy (galaxy.yml, changelogs/, meta/, plugins/,
roles/ in a temporary ansible_collections/netdiag/ss), so the checkout keeps its fragments
and changelog.yaml. While galaxy.yml's version is not released, its section is rendered
from the fragments and marked as not released; once `antsibull-changelog release` has
recorded it, the file is what `antsibull-changelog generate` writes. The release made in
the copy must pass `antsibull-changelog lint-changelog-yaml`, and the rendered
reStructuredText must parse without a warning (docutils).
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.path.join(ROOT, 'CHANGELOG.rst')
COPIED = ('galaxy.yml', 'changelogs', 'meta', 'plugins', 'roles')
# release needs a date; the rendered file does not show it (only changelog.yaml would, and that copy is thrown away)
PLACEHOLDER_DATE = '1970-01-01'
UNRELEASED = ('*Not released yet:* this section is rendered from the changelog fragments of the source '
              'repository (``changelogs/fragments/``).')


def _load(path):
    with open(path, encoding='utf-8') as f:
        return yaml.safe_load(f) or {}


def _antsibull_changelog():
    exe = os.path.join(os.path.dirname(sys.executable), 'antsibull-changelog')
    if os.path.exists(exe):
        return exe
    found = shutil.which('antsibull-changelog')
    if not found:
        sys.exit('changelog_render: antsibull-changelog is not installed (bash scripts/bootstrap.sh; source scripts/env.sh)')
    return found


def render():
    """The text CHANGELOG.rst should have now."""
    version = str(_load(os.path.join(ROOT, 'galaxy.yml'))['version'])
    released = version in (_load(os.path.join(ROOT, 'changelogs', 'changelog.yaml')).get('releases') or {})
    tmp = tempfile.mkdtemp(prefix='ndss-changelog-')
    try:
        coll = os.path.join(tmp, 'ansible_collections', 'netdiag', 'ss')
        os.makedirs(coll)
        for name in COPIED:
            src = os.path.join(ROOT, name)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(coll, name), ignore=shutil.ignore_patterns('__pycache__', '.plugin-cache.yaml'))
            elif os.path.exists(src):
                shutil.copy2(src, coll)
        # --use-ansible-doc: without it, where ansible-core is missing, antsibull-changelog's own scan
        # silently finds fewer plugins (no filters, no roles) and renders another file
        if released:
            argv = [_antsibull_changelog(), 'generate', '--use-ansible-doc']
        else:
            argv = [_antsibull_changelog(), 'release', '--use-ansible-doc', '--version', version, '--date', PLACEHOLDER_DATE]
        # plugins are found in the copy, not through the project venv's collection tree
        env = dict((k, v) for k, v in os.environ.items()
                   if k not in ('ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS', 'PYTHONPATH'))
        proc = subprocess.run(argv, cwd=coll, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit('changelog_render: %s failed (rc %d):\n%s%s' % (' '.join(argv[1:]), proc.returncode, proc.stdout, proc.stderr))
        if not released:
            # the release the fragments would make must pass antsibull-changelog's own lint
            lint = [argv[0], 'lint-changelog-yaml', os.path.join('changelogs', 'changelog.yaml')]
            proc = subprocess.run(lint, cwd=coll, env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                sys.exit('changelog_render: the release made from the fragments does not lint:\n%s%s' % (proc.stdout, proc.stderr))
        with open(os.path.join(coll, 'CHANGELOG.rst'), encoding='utf-8') as f:
            text = f.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not released:
        heading = 'v%s\n%s\n' % (version, '=' * len('v' + version))
        if heading not in text:
            sys.exit('changelog_render: no section %r in what antsibull-changelog wrote' % heading.splitlines()[0])
        text = text.replace(heading, '%s\n%s\n' % (heading, UNRELEASED), 1)
    return text


def rst_problems(text):
    """docutils' warnings and errors for the text (an empty list when it is clean)."""
    import io

    from docutils.core import publish_doctree
    stream = io.StringIO()
    try:
        publish_doctree(text, settings_overrides={'report_level': 2, 'halt_level': 5, 'warning_stream': stream})
    except Exception as exc:   # pylint: disable=broad-exception-caught
        return [str(exc)]
    return [line for line in stream.getvalue().splitlines() if line.strip()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='only check that CHANGELOG.rst is up to date')
    args = parser.parse_args(argv)
    text = render()
    problems = rst_problems(text)
    if problems:
        print('changelog_render: the rendered changelog is not clean reStructuredText:', file=sys.stderr)
        print('\n'.join(problems), file=sys.stderr)
        return 1
    current = None
    if os.path.exists(TARGET):
        with open(TARGET, encoding='utf-8') as f:
            current = f.read()
    if args.check:
        if current == text:
            print('changelog_render: CHANGELOG.rst is up to date')
            return 0
        if current is None:
            print('changelog_render: CHANGELOG.rst is missing; run python scripts/lib/changelog_render.py', file=sys.stderr)
        else:
            sys.stderr.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                                       'CHANGELOG.rst', 'rendered from changelogs/'))
            print('changelog_render: CHANGELOG.rst is out of date; run python scripts/lib/changelog_render.py',
                  file=sys.stderr)
        return 1
    if current != text:
        with open(TARGET, 'w', encoding='utf-8') as f:
            f.write(text)
        print('changelog_render: wrote CHANGELOG.rst')
    else:
        print('changelog_render: CHANGELOG.rst was up to date')
    return 0


if __name__ == '__main__':
    sys.exit(main())
