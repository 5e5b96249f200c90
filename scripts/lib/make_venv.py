# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Create a virtualenv with pip in it, also where Python has no venv/ensurepip module.

    python3 scripts/lib/make_venv.py DIR

Debian and Ubuntu ship python3 without ensurepip (that is the python3-venv
package), so `python3 -m venv` fails on a fresh machine. Then, instead of
installing system packages, this fetches pip's wheel from PyPI (the index
pip would use: PIP_INDEX_URL, else https://pypi.org), runs pip from the
wheel to put virtualenv into a temporary folder, and lets virtualenv build
DIR (it carries its own pip). Standard library only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request


def say(msg):
    sys.stderr.write('make_venv: %s\n' % msg)
    sys.stderr.flush()


def has_venv():
    try:
        import ensurepip  # noqa: F401  pylint: disable=unused-import
        import venv  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        return False
    return True


def index_json_url(project):
    """The PyPI JSON API address of a project, on the index pip is configured with (simple index -> JSON API)."""
    index = os.environ.get('PIP_INDEX_URL', 'https://pypi.org/simple/')
    parts = urllib.parse.urlsplit(index)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, '/pypi/%s/json' % project, '', ''))


def fetch_wheel(project, folder):
    """Download the newest universal wheel of a project into folder; return its path."""
    url = index_json_url(project)
    with urllib.request.urlopen(url, timeout=60) as answer:      # noqa: S310 (https index)
        info = json.load(answer)
    wheels = [u for u in info['urls'] if u['packagetype'] == 'bdist_wheel' and u['filename'].endswith('-none-any.whl')]
    if not wheels:
        raise SystemExit('make_venv: no wheel of %s at %s' % (project, url))
    wheel = wheels[0]
    path = os.path.join(folder, wheel['filename'])
    with urllib.request.urlopen(urllib.parse.urljoin(url, wheel['url']), timeout=120) as answer, open(path, 'wb') as out:
        shutil.copyfileobj(answer, out)
    return path


def main(argv):
    if len(argv) != 2:
        raise SystemExit('usage: make_venv.py DIR')
    target = argv[1]
    if has_venv():
        subprocess.run([sys.executable, '-m', 'venv', target], check=True)
        return
    say('%s has no venv/ensurepip module (Debian/Ubuntu: the python3-venv package); building %s with virtualenv '
        'fetched from the package index instead' % (sys.executable, target))
    work = tempfile.mkdtemp(prefix='ndss-venv-')
    try:
        pip_wheel = fetch_wheel('pip', work)
        site = os.path.join(work, 'site')
        # pip runs from its own wheel (a zip on sys.path)
        subprocess.run([sys.executable, os.path.join(pip_wheel, 'pip'), 'install', '--quiet', '--disable-pip-version-check', '--root-user-action=ignore',
                        '--target', site, 'virtualenv'], check=True)
        env = dict(os.environ, PYTHONPATH=site)
        subprocess.run([sys.executable, '-m', 'virtualenv', '--quiet', target], check=True, env=env)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main(sys.argv)
