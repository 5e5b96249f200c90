# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection as users get it: built with ansible-galaxy, installed, and run from the installed copy.

The build runs on a copy of the checkout into which every kind of developer file is planted
(a virtualenv, nox and ansible-lint folders, caches, test output, an old tarball), so that
galaxy.yml's build_ignore is checked whatever happens to lie in this checkout. The tarball
must be small and hold only what users need. It is then installed with ansible-galaxy into
a fresh folder, with the development environment off: ANSIBLE_COLLECTIONS_PATH names only
that folder (with scripts/env.sh's value, which points at this checkout, ansible-galaxy sees
netdiag.ss installed already and says "Nothing to do"). An ad-hoc `ansible localhost -m
netdiag.ss.socket_facts -a ss_args=-tln` must then run the installed module (-vvv names the
module file). Needs no root.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from conftest import ROOT

MAX_TARBALL = 400 * 1024                # bytes, compressed (about 210 KB now; a .venv would be megabytes)
# planted into the copy before the build: none of these may reach the tarball
PLANTED = [
    '.venv/bin/python', '.venv/collections/ansible_collections/netdiag/ss/README.md', '.nox/units-2.19/bin/python',
    '.ansible/collections/ansible_collections/x/y/MANIFEST.json', 'roles/socket_compliance/.ansible/x',
    '.pytest_cache/v/cache/nodeids', '.hypothesis/examples/x', '.benchmarks/x.json',
    '__pycache__/x.cpython-311.pyc', 'plugins/module_utils/__pycache__/_query.cpython-311.pyc', 'plugins/modules/x.pyc',
    'tests/output/junit/x.xml', 'benchmarks/results/x.json', 'netdiag-ss-0.0.1.tar.gz', 'changelogs/.plugin-cache.yaml',
    'docs/notes.md.swp', 'docs/notes.md~', '.idea/workspace.xml', '.vscode/settings.json',
]
# no path of the tarball may start with (or be) one of these
DEVELOPER = ('.venv', '.nox', '.ansible', '.pytest_cache', '.hypothesis', '.benchmarks', '.ci', '.git', '.gitignore',
             '.idea', '.vscode', 'noxfile.py', 'antsibull-nox.toml', 'scripts', 'benchmarks', 'tests/unit',
             'tests/integration', 'tests/fuzz', 'tests/output', 'tests/requirements.txt', 'changelogs/fragments',
             'changelogs/.plugin-cache.yaml')
# what users need: these must be in it
NEEDED = ('MANIFEST.json', 'FILES.json', 'README.md', 'LICENSE', 'CHANGELOG.rst', 'meta/runtime.yml',
          'plugins/modules/socket_facts.py', 'plugins/modules/socket_assert.py', 'plugins/modules/socket_kill.py',
          'plugins/module_utils/_filter/_syntax.py', 'plugins/connection/netns.py', 'plugins/filter/compliance_report.py',
          'plugins/plugin_utils/_report.py', 'plugins/doc_fragments/_selection.py',
          'roles/socket_compliance/tasks/main.yml', 'roles/socket_compliance/meta/argument_specs.yml',
          'docs/socket_facts.md', 'docs/filter-language.md', 'examples/ss-examples.yml', 'examples/socket_facts.yml',
          'changelogs/changelog.yaml', 'changelogs/config.yaml')


def _exe(name):
    exe = os.path.join(os.path.dirname(sys.executable), name)
    if not os.path.exists(exe):
        pytest.skip('%s is not installed in this Python environment' % name)
    return exe


def _clean_env(home, collections):
    """The environment of someone who installed the collection: none of scripts/env.sh's variables."""
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith('ANSIBLE_') and k not in ('PYTHONPATH', 'VIRTUAL_ENV', 'NETDIAG_SS_ROOT'))
    env.update(HOME=home, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    return env


def _copy_of_the_checkout(dest):
    """The checkout's files (no .git, no environments) and the planted developer files."""
    skip = shutil.ignore_patterns('.git', '.venv', '.nox', '.ansible', '__pycache__', '.pytest_cache', '.hypothesis',
                                  '.benchmarks', 'output', 'results', '*.tar.gz')
    shutil.copytree(ROOT, dest, ignore=skip, symlinks=True)
    for rel in PLANTED:
        path = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write('developer file\n')


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('galaxy')
    src, out, home = str(tmp / 'src'), str(tmp / 'dist'), str(tmp / 'home')
    os.makedirs(home)
    _copy_of_the_checkout(src)
    env = _clean_env(home, str(tmp / 'unused'))
    proc = subprocess.run([_exe('ansible-galaxy'), 'collection', 'build', '--output-path', out, src],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(os.path.join(ROOT, 'galaxy.yml')) as f:
        meta = yaml.safe_load(f)
    tarball = os.path.join(out, '%s-%s-%s.tar.gz' % (meta['namespace'], meta['name'], meta['version']))
    assert os.path.exists(tarball), os.listdir(out)
    with tarfile.open(tarball) as tar:
        names = [m.name + ('/' if m.isdir() else '') for m in tar.getmembers()]
    return {'tmp': tmp, 'tarball': tarball, 'names': names, 'meta': meta}


def test_tarball_is_small(built):
    size = os.path.getsize(built['tarball'])
    assert size <= MAX_TARBALL, '%s is %d bytes' % (built['tarball'], size)


def test_tarball_holds_no_developer_file(built):
    bad = [n for n in built['names']
           if any(n == d or n.startswith(d + '/') for d in DEVELOPER)
           or re.search(r'(^|/)(__pycache__|\.ansible)/|\.pyc$|\.tar\.gz$|\.swp$|~$', n)]
    assert not bad, bad


def test_tarball_holds_what_users_need(built):
    files = set(n for n in built['names'] if not n.endswith('/'))
    missing = [n for n in NEEDED if n not in files]
    assert not missing, missing
    # every tracked plugin and role file, every user document and example
    listed = subprocess.run(['git', 'ls-files', 'plugins', 'roles', 'docs', 'examples', 'meta'], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.split()
    if listed:
        assert [n for n in listed if n not in files] == []


def test_installed_copy_runs(built):
    tmp = built['tmp']
    collections, home = str(tmp / 'installed'), str(tmp / 'home')
    env = _clean_env(home, collections)
    proc = subprocess.run([_exe('ansible-galaxy'), 'collection', 'install', '--offline', '-p', collections,
                           built['tarball']], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'Nothing to do' not in proc.stdout and 'was installed successfully' in proc.stdout, proc.stdout
    installed = os.path.join(collections, 'ansible_collections', 'netdiag', 'ss')
    with open(os.path.join(installed, 'MANIFEST.json')) as f:
        assert json.load(f)['collection_info']['version'] == built['meta']['version']
    assert not os.path.islink(installed)
    # ansible-galaxy sees the installed copy, and only it
    listing = subprocess.run([_exe('ansible-galaxy'), 'collection', 'list', 'netdiag.ss', '--format', 'json'],
                             capture_output=True, text=True, env=env, timeout=120, check=False)
    assert listing.returncode == 0, listing.stderr
    found = json.loads(listing.stdout)
    assert list(found) == [os.path.join(collections, 'ansible_collections')], found
    # an ad-hoc run uses the module file of the installed copy
    proc = subprocess.run([_exe('ansible'), 'localhost', '-i', 'localhost,', '-c', 'local', '-vvv',
                           '-e', 'ansible_python_interpreter=%s' % sys.executable,
                           '-m', 'netdiag.ss.socket_facts', '-a', 'ss_args=-tln'],
                          capture_output=True, text=True, env=env, timeout=180, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    used = re.findall(r'^Using module file (\S+)$', proc.stdout, re.M)
    assert used == [os.path.join(installed, 'plugins', 'modules', 'socket_facts.py')], used
    head, _sep, body = proc.stdout[proc.stdout.index('localhost | SUCCESS'):].partition(' => ')
    result = json.loads(body[:body.index('\n}') + 2])
    assert result['changed'] is False and isinstance(result['ansible_facts']['sockets'], list)
    assert result['lines'][0].split()[:2] == ['State', 'Recv-Q']
    assert all(s['state'] == 'LISTEN' and s['netid'] == 'tcp' for s in result['ansible_facts']['sockets'])
