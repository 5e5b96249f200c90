# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One error root, messages that say what and where."""

from __future__ import annotations

import errno

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import (
    ArgsError, DumpInterrupted, FilterError, NamespaceError, NetlinkError, SocketToolError, TableNotSupported, shown,
)


def test_everything_a_user_can_get_wrong_shares_one_root():
    for cls in (ArgsError, FilterError, NamespaceError, NetlinkError, TableNotSupported, DumpInterrupted):
        assert issubclass(cls, SocketToolError)
    assert issubclass(FilterError, ArgsError)


def test_messages():
    assert str(FilterError('is not a keyword here', 'x', 2, 'a hint')) == 'filter: "x" is not a keyword here at word 3; a hint'
    assert str(FilterError('expression ends too early', None, 4)) == 'filter: expression ends too early at word 5 (end of expression)'
    err = NetlinkError(errno.EPERM, 'tcp')
    assert err.errno == errno.EPERM and str(err).startswith('dump of table tcp failed: Operation not permitted (errno 1 EPERM)')
    assert 'not supported by this kernel' in str(TableNotSupported(errno.ENOENT, 'sctp'))
    assert 'run the task again' in str(DumpInterrupted('tcp'))


@pytest.mark.parametrize('value, text', [
    (True, 'true'), (False, 'false'), (None, 'null'), (3, '3'), ('yes', '"yes"'), ("it's", '"it\'s"'),
    (['-t', True], '["-t", true]'), ({'b': None, 'a': 1}, '{"a": 1, "b": null}'), ('caf\u00e9', '"caf\u00e9"'),
    ('a\0b', '"a\\u0000b"'), ({1, 2}, '{1, 2}'), (b'x', "b'x'"), ('x' * 100, '"' + 'x' * 76 + '...'),
])
def test_shown_writes_values_as_yaml_and_json_do(value, text):
    """Booleans as users write them (true, not Python's True), text quoted; repr() only for what JSON cannot hold."""
    assert shown(value) == text
