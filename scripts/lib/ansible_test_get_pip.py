# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Let ansible-test bootstrap pip without its get-pip download (run it with the
Python that has the ansible-test to prepare for; noxfile.py does, per session).

ansible-test installs pip into every fresh sanity venv by running
~/.ansible/test/cache/get_pip_X_Y.py, which it downloads from a host that is
not reachable here.  This script:

  1. reads the pip version that this ansible-test wants from its source
     (default_packages = dict(pip='X.Y') in _internal/python_requirements.py;
     24.2 for ansible-core 2.19, 25.2 for 2.21);
  2. puts pip-X.Y-*.whl into that cache with `pip download` (PyPI), once;
  3. copies get_pip_shim.py (next to this file) to get_pip_X_Y.py there: it
     installs pip from that wheel with --no-index.

The shim's content is the same for every version, so a shim written by an
older scripts/sanity.sh is left as it is.  Exit status 0 on success, else 2
with a message that says what is missing.
"""

import glob
import os
import pathlib
import re
import subprocess
import sys
import tempfile


def wanted_pip_version():
    """Return the pip version the importable ansible-test bootstraps, or None."""
    try:
        import ansible_test  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    src = pathlib.Path(ansible_test.__file__).parent / '_internal' / 'python_requirements.py'
    match = re.search(r"default_packages\s*=\s*dict\(\s*pip='([0-9.]+)'", src.read_text(encoding='utf-8'))
    return match.group(1) if match else None


def main():
    version = wanted_pip_version()
    if version is None:
        sys.stderr.write('ansible_test_get_pip: cannot tell which pip this ansible-test bootstraps '
                         '(no ansible_test, or its python_requirements.py changed): '
                         'update scripts/lib/ansible_test_get_pip.py\n')
        return 2
    cache = pathlib.Path(os.path.expanduser('~/.ansible/test/cache'))
    cache.mkdir(parents=True, exist_ok=True)

    if not glob.glob(str(cache / ('pip-%s-*.whl' % version))):
        print('ansible_test_get_pip: downloading the pip %s wheel into %s' % (version, cache))
        proc = subprocess.run(
            [sys.executable, '-m', 'pip', 'download', '-q', '--disable-pip-version-check',
             '--no-deps', '--only-binary=:all:', '-d', str(cache), 'pip==%s' % version],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            universal_newlines=True, check=False)
        if proc.returncode != 0 or not glob.glob(str(cache / ('pip-%s-*.whl' % version))):
            sys.stdout.write(proc.stdout)
            sys.stderr.write('ansible_test_get_pip: pip download pip==%s failed\n' % version)
            return 2

    shim_src = pathlib.Path(__file__).with_name('get_pip_shim.py').read_bytes()
    shim = cache / ('get_pip_%s.py' % version.replace('.', '_'))
    if not shim.is_file() or shim.read_bytes() != shim_src:
        # Also replaces a real get-pip script, if one was ever cached: ours works offline.
        fd, tmp = tempfile.mkstemp(dir=str(cache), prefix=shim.name + '.')
        with os.fdopen(fd, 'wb') as handle:
            handle.write(shim_src)
        os.replace(tmp, str(shim))
    print('ansible_test_get_pip: pip %s bootstrap ready: %s' % (version, shim))
    return 0


if __name__ == '__main__':
    sys.exit(main())
