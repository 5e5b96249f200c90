# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/lib/make_venv.py on a Python without ensurepip, as Debian's and Ubuntu's python3 is without python3-venv.

The two commands of the README (demo.sh, test.sh) build their virtualenv with it. A module named ensurepip that
fails to import stands in for the missing package; the fallback fetches pip and virtualenv from the package index.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_VENV = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'scripts', 'lib', 'make_venv.py')


def test_virtualenv_without_ensurepip(tmp_path):
    blocker = tmp_path / 'blocker'
    blocker.mkdir()
    (blocker / 'ensurepip.py').write_text("raise ImportError('no ensurepip (python3-venv is not installed)')\n")
    env = dict(os.environ, PYTHONPATH=str(blocker))
    check = subprocess.run([sys.executable, '-c', 'import ensurepip'], env=env, capture_output=True, check=False)
    assert check.returncode != 0
    target = tmp_path / 'venv'
    proc = subprocess.run([sys.executable, MAKE_VENV, str(target)], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    if proc.returncode != 0 and 'urlopen error' in proc.stderr:
        pytest.skip('the package index is not reachable: %s' % proc.stderr.strip().splitlines()[-1])
    assert proc.returncode == 0, proc.stderr
    assert 'has no venv/ensurepip module' in proc.stderr
    pip = subprocess.run([str(target / 'bin' / 'python'), '-m', 'pip', '--version'], capture_output=True, text=True,
                         check=False)
    assert pip.returncode == 0 and str(target) in pip.stdout
