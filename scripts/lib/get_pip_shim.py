# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for ansible-test's get-pip script.

scripts/sanity.sh copies this file to ~/.ansible/test/cache/get_pip_X_Y.py
and puts pip-X.Y-py3-none-any.whl (from `pip download pip==X.Y`) next to it.
ansible-test runs it as `python get_pip_X_Y.py --disable-pip-version-check
pip==X.Y --no-setuptools --no-wheel` in each fresh sanity venv; the real
get-pip.py comes from a host that is not reachable here.

This runs pip straight from the wheel (a wheel is importable) and installs
that same wheel with --no-index, so it needs no network.
"""

import glob
import os
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    base = os.path.splitext(os.path.basename(__file__))[0]  # get_pip_24_2
    version = base[len('get_pip_'):].replace('_', '.')
    wheels = sorted(glob.glob(os.path.join(here, 'pip-%s-*.whl' % version)))
    if not wheels:
        sys.stderr.write('get_pip shim: no pip-%s wheel in %s; run scripts/sanity.sh once online\n' % (version, here))
        return 1
    wheel = wheels[0]

    args = []
    for arg in sys.argv[1:]:
        if arg in ('--no-setuptools', '--no-wheel'):
            continue  # get-pip.py options, not pip options; we never add them
        if arg.split('==')[0].lower() == 'pip':
            continue  # replaced by the wheel path below
        args.append(arg)

    sys.path.insert(0, wheel)
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    return pip_main(['install', '--no-index', '--no-cache-dir', '--force-reinstall',
                     '--find-links', here] + args + [wheel])


if __name__ == '__main__':
    sys.exit(main())
