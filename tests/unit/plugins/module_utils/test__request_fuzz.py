# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile module options and filter files: build_request() returns a Request or raises ArgsError with a message."""

from __future__ import annotations

import os

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._request import MAX_FILTER_FILE_BYTES, build_request, read_filter_file

from fuzzing import fuzz, hypothesis, st
from test__query_fuzz import ARGS

WORDS = ['-t', '-u', '-x', '-a', '-l', '-n', '-r', '-p', '-e', '-m', '-i', '-E', '-D', '/tmp/x', '-F', '-', '-N', 'ns',
         '-s', '-4', '-6', '-0', '-A', 'all', 'state', 'listening', 'sport', '=', ':22', 'src', 'unix:*', '(', ')',
         'or', '!', "'", '\\', 'é', '\udcff', '\0']


def _texts():
    return st.one_of(st.sampled_from(ARGS + WORDS), st.text(max_size=12))


@st.composite
def _params(draw, paths):
    """Module options with the types the argument spec gives them (what main() hands build_request)."""
    params = {}
    for name in ('ss_args', 'filter'):
        if draw(st.booleans()):
            params[name] = ' '.join(draw(st.lists(_texts(), max_size=6)))
    for name in ('tables', 'families', 'states', 'exclude_states'):
        if draw(st.booleans()):
            params[name] = draw(st.lists(_texts(), max_size=3))
    for name in ('listening', 'all', 'resolve', 'processes', 'threads', 'timers', 'summary', 'extended', 'memory',
                 'info', 'tos', 'cgroup', 'inet_sockopt', 'bpf', 'context', 'contexts', 'tipcinfo', 'oneline',
                 'kernel_filter'):
        value = draw(st.sampled_from([None, None, True, False]))
        if value is not None:
            params[name] = value
    for name in ('events', 'max_events'):
        if draw(st.booleans()):
            params[name] = draw(st.one_of(st.integers(), st.integers(-2, 4000)))
    for name in ('filter_file', 'dump_file', 'from_dump'):
        if draw(st.integers(0, 3)) == 0:
            params[name] = draw(st.one_of(st.sampled_from(paths), st.text(max_size=10)))
    if draw(st.booleans()):
        params['netns'] = draw(_texts())
    return params


@pytest.fixture(scope='module')
def paths(tmp_path_factory):
    """Filter files and other paths an option may name: good, bad, special."""
    root = tmp_path_factory.mktemp('hostile')
    files = {
        'good': b'sport = :22\n# a comment\nor dport = :22\n',
        'latin1': b'src unix:/run/caf\xe9.sock\n',
        'nul': b'sport = :22\0 or junk\n',
        'long': b'sport = :22 ' * 200 + b'\n',
        'crlf': b'sport = :22\r\nor dport = :22\r\n',
        'empty': b'',
        'junk': bytes(range(256)),
    }
    out = []
    for name, data in files.items():
        (root / name).write_bytes(data)
        out.append(str(root / name))
    fifo = root / 'fifo'
    os.mkfifo(str(fifo))
    return out + [str(fifo), str(root), str(root / 'missing'), '/dev/zero', '/dev/null', '-', '']


@fuzz(400)
@hypothesis.given(data=st.data())
def test_random_options(paths, data):
    params = data.draw(_params(paths))
    try:
        request = build_request(params, identity=data.draw(st.booleans()))
    except ArgsError as exc:
        assert str(exc).strip()
        return
    assert request.tables


@fuzz(200)
@hypothesis.given(content=st.one_of(st.binary(max_size=300),
                                    st.text(max_size=300).map(lambda t: t.encode('utf-8', 'surrogatepass'))),
                  ss_args=st.sampled_from(['', '-t', '-x', '-0', '--netlink', '-f vsock', '-tu state listening']))
def test_random_filter_files(tmp_path, content, ss_args):
    path = tmp_path / 'filter'
    path.write_bytes(content)
    try:
        build_request({'ss_args': ss_args, 'filter_file': str(path)})
    except ArgsError as exc:
        assert str(exc).strip()


# ---------------------------------------------------------------- findings (regression tests)

def test_filter_file_from_a_device_is_refused_not_read_forever():
    """/dev/zero was read whole (open().read(): never ends, fills the memory)."""
    with pytest.raises(ArgsError, match='/dev/zero is not a regular file'):
        read_filter_file('/dev/zero')


def test_filter_file_that_is_a_fifo_is_refused_not_waited_for(tmp_path):
    """A FIFO without a writer made open() wait forever."""
    fifo = tmp_path / 'fifo'
    os.mkfifo(str(fifo))
    with pytest.raises(ArgsError, match='fifo is not a regular file'):
        build_request({'ss_args': '-t', 'filter_file': str(fifo)})


def test_filter_file_size_is_limited(tmp_path):
    path = tmp_path / 'big'
    path.write_bytes(b'# comment\n' * (MAX_FILTER_FILE_BYTES // 10 + 1))
    with pytest.raises(ArgsError, match='more than the %d bytes' % MAX_FILTER_FILE_BYTES):
        read_filter_file(str(path))
    small = tmp_path / 'small'
    small.write_bytes(b'sport = :1\n')
    with pytest.raises(ArgsError, match='small is 11 bytes, more than the 10 bytes'):
        read_filter_file(str(small), limit=10)
    assert read_filter_file(str(small), limit=11) == ['sport = :1']


def test_filter_file_that_is_not_utf8_says_where(tmp_path):
    path = tmp_path / 'latin1'
    path.write_bytes(b'sport = :22\n# fine\nsrc unix:/run/caf\xe9.sock\n')
    with pytest.raises(ArgsError) as info:
        read_filter_file(str(path))
    assert str(info.value) == 'filter_file: cannot read %s: it is not UTF-8 text (byte 36, line 3)' % path


def test_filter_file_path_that_is_a_number_is_not_a_file_descriptor():
    """open(5) read whatever file descriptor 5 was (a rule's filter_file: 5 reached it unconverted)."""
    rfd, wfd = os.pipe()
    try:
        os.write(wfd, b'sport = :22\n')
        os.close(wfd)
        wfd = None
        with pytest.raises(ArgsError, match='filter_file: cannot read %d' % rfd):
            read_filter_file(rfd)
    finally:
        os.close(rfd)
        if wfd is not None:
            os.close(wfd)
