# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""netdiag.ss.compliance_report_files: the report's three files, written on the controller (see the module's docs)."""

from __future__ import annotations

import os
import stat
import tempfile

from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase

from ansible_collections.netdiag.ss.plugins.plugin_utils._report import ReportError, build, to_html, to_json, to_junit

_NAME = 'netdiag.ss.compliance_report_files'
# (file name, renderer), in the order of the result's files
FILES = (('report.json', to_json), ('report.junit.xml', to_junit), ('report.html', to_html))
DIR_MODE = 0o755
FILE_MODE = 0o644

ARGUMENT_SPEC = {
    'report': {'type': 'dict', 'required': True},
    'dest': {'type': 'path', 'required': True},
}


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def ensure_directory(path, check_mode):
    """Create path and its missing parents with DIR_MODE; True when something changed (would).

    A directory that exists is left as it is: its mode is its owner's choice (a 0700 report folder stays private, a
    link to /tmp keeps its sticky bit)."""
    if os.path.isdir(path):
        return False
    if os.path.lexists(path):
        raise OSError(f'{path} exists and is not a directory')
    if check_mode:
        return True
    missing = []
    current = path
    while current and not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory)
        except FileExistsError:
            if not os.path.isdir(directory):
                raise
            continue
        os.chmod(directory, DIR_MODE)       # mkdir's mode is reduced by the umask
    return True


def write_file(path, data, check_mode):
    """Make path hold data with FILE_MODE (a temporary file renamed over it); True when something changed (would)."""
    try:
        if os.path.islink(path):
            raise FileNotFoundError(path)   # replaced by a file of ours: its target is neither read nor changed
        with open(path, 'rb') as handle:
            same = handle.read() == data
        mode_ok = _mode(path) == FILE_MODE
    except FileNotFoundError:
        same = mode_ok = False
    if same and mode_ok:
        return False
    if check_mode:
        return True
    if same:
        os.chmod(path, FILE_MODE)
        return True
    directory, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f'.{name}.')
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return True


class ActionModule(ActionBase):
    """Build the report model once, render it three times, write the files locally."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # not used
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        dest = args['dest']
        if not dest or not dest.strip():
            # os.path.join('', name) would write the three files into the current directory
            result.update(failed=True, msg=f'{_NAME}: dest: give the directory to write the report into (it is empty)')
            return result
        try:
            model = build(args['report'])
        except ReportError as exc:
            result.update(failed=True, msg=f'{_NAME}: {exc}')
            return result
        files = [(os.path.join(dest, name), to_bytes(render(model), errors='surrogate_or_strict')) for name, render in FILES]
        check_mode = bool(self._task.check_mode)
        changed = False
        try:
            changed = ensure_directory(dest, check_mode)
            for path, data in files:
                if write_file(path, data, check_mode):
                    changed = True
        except OSError as exc:
            result.update(failed=True, msg=f'{_NAME}: cannot write the report into {dest}: {to_text(exc)}')
            return result
        result.update(changed=changed, files=[path for path, _data in files], passed=model['passed'], totals=model['totals'])
        return result
