# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""netdiag.ss.compliance_report_files: the report's three files, written on the controller (see the module's docs)."""

from __future__ import annotations

import errno
import os
import stat
import tempfile

from ansible import constants as C
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase
from ansible.utils.helpers import pct_to_int

from ansible_collections.netdiag.ss.plugins.plugin_utils._report import ReportError, build, to_html, to_json, to_junit

_NAME = 'netdiag.ss.compliance_report_files'
# (file name, renderer), in the order of the result's files
FILES = (('report.json', to_json), ('report.junit.xml', to_junit), ('report.html', to_html))
DIR_MODE = 0o755
FILE_MODE = 0o644

ARGUMENT_SPEC = {
    'report': {'type': 'dict', 'required': True},
    'dest': {'type': 'path', 'required': True},
    'whole_play': {'type': 'bool', 'default': False},
}
# strategies that do not honour run_once: the task runs for each host, with the hosts finished so far
_FREE_STRATEGIES = frozenset(('free', 'host_pinned', 'ansible.builtin.free', 'ansible.builtin.host_pinned'))


def partial_play(play, hosts):
    """Why a run_once task of `play` does not see every one of its `hosts` hosts at once, or None: serial batches
    (the first smaller than the play), or a strategy that does not honour run_once."""
    strategy = play.strategy or C.DEFAULT_STRATEGY
    if strategy in _FREE_STRATEGIES:
        return f'the play runs with the {strategy} strategy, which does not honour run_once'
    if play.serial and hosts and 0 < pct_to_int(play.serial[0], hosts) < hosts:
        return f'the play runs in serial batches (serial: {play.serial[0]})'
    return None


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


def _holds(path, data, fix_mode):
    """Whether the regular file at path holds data: None when it does not (absent, different, no regular file, or one
    we may not read or change), else whether its mode was FILE_MODE; fix_mode gives it FILE_MODE then.

    Only a regular file is opened (a FIFO would hold the task for ever, a socket cannot be opened, a device would run
    its driver): a link, FIFO, socket or device is replaced by our file, never read or changed. The file opened must be
    the one looked at (no link or other file swapped in between), and its mode is set through that descriptor.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except (FileNotFoundError, PermissionError):
        return None         # gone meanwhile, or not ours to read: replaced by rename
    except OSError as exc:
        if exc.errno in _LINK_ERRNOS:       # a link swapped in meanwhile (O_NOFOLLOW)
            return None
        raise
    with os.fdopen(fd, 'rb') as handle:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or not stat.S_ISREG(opened.st_mode) \
                or handle.read() != data:
            return None
        if stat.S_IMODE(opened.st_mode) == FILE_MODE:
            return True
        if fix_mode:
            try:
                os.fchmod(fd, FILE_MODE)
            except PermissionError:
                return None     # another user's file (an earlier run with become?): replaced by rename
        return False


# what open(O_NOFOLLOW) of a symbolic link answers: ELOOP on Linux, EMLINK on FreeBSD, EFTYPE on NetBSD
_LINK_ERRNOS = frozenset(getattr(errno, name) for name in ('ELOOP', 'EMLINK', 'EFTYPE') if hasattr(errno, name))


def write_file(path, data, check_mode):
    """Make path hold data with FILE_MODE (a temporary file renamed over it); True when something changed (would)."""
    held = _holds(path, data, fix_mode=not check_mode)
    if held is not None:
        return not held
    if check_mode:
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
        if args['whole_play']:
            why = partial_play(self._task.get_play(), len((task_vars or {}).get('ansible_play_hosts_all') or ()))
            if why:
                result.update(failed=True, msg=f'{_NAME}: the report is of every host of the play (whole_play), and {why}: '
                                               'each run would see only some hosts; run it in a play without serial, '
                                               'with the linear strategy')
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
