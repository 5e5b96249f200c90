# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Corrupt captures (from_dump): read_capture() checks them and raises CaptureError, or they decode and print."""

from __future__ import annotations

import os

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import decode_inet
from ansible_collections.netdiag.ss.plugins.module_utils._dumpfile import MAX_CAPTURE_BYTES, capture_chunks, read_capture
from ansible_collections.netdiag.ss.plugins.module_utils._errors import CaptureError
from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

from fuzzing import fuzz, hypothesis, mutated, st
from test__diag_fuzz import DETAILS, LOOKUPS, MATCHERS, REQUEST, _inet_attrs
from uapi import done, inet_msg

V4 = [inet_msg(attrs=_inet_attrs()), inet_msg(state=1, src='10.0.0.1', dst='10.0.0.2', dport=443, timer=1)]
V6 = [inet_msg(family=AF_INET6, src='::', dst='::', attrs=_inet_attrs()),
      inet_msg(family=AF_INET6, src='::1', dst='::1', state=6)]
VALID = [b''.join(V4) + done() + b''.join(V6) + done(), V4[0] + done(), done(), b''.join(V6) + done() + done()]


def _read(path, filter_text):
    try:
        capture = read_capture(path)
    except CaptureError as exc:
        assert str(exc).startswith('from_dump: ') and str(exc).strip()
        return None
    chunks = capture_chunks(capture, 0xffffffff, frozenset([AF_INET, AF_INET6]))
    out = []
    ctx = Context({AF_INET, AF_INET6}, match=MATCHERS[filter_text], needs_attrs=True, timers=True, identity=True,
                  lookups=LOOKUPS, details=DETAILS, tagged=True)
    decode_inet(chunks, 'tcp', ctx, out)
    listing(REQUEST, out, LOOKUPS)
    return out


@pytest.mark.parametrize('data', VALID)
def test_valid_captures_read(tmp_path, data):
    path = tmp_path / 'capture'
    path.write_bytes(data)
    assert _read(str(path), None) is not None


@fuzz(200)
@hypothesis.given(data=st.data(), filter_text=st.sampled_from(sorted(MATCHERS, key=str)))
def test_corrupt_captures(tmp_path, data, filter_text):
    path = tmp_path / 'capture'
    path.write_bytes(data.draw(mutated(VALID, max_ops=6)))
    _read(str(path), filter_text)


@fuzz(100)
@hypothesis.given(junk=st.binary(max_size=600))
def test_random_files(tmp_path, junk):
    path = tmp_path / 'capture'
    path.write_bytes(junk)
    _read(str(path), None)


def test_special_files_are_refused_unread(tmp_path):
    fifo = tmp_path / 'fifo'
    os.mkfifo(str(fifo))
    for path in ('/dev/zero', str(fifo), str(tmp_path)):
        with pytest.raises(CaptureError, match='is not a regular file|Is a directory'):
            read_capture(path)
    big = tmp_path / 'big'
    with open(str(big), 'wb') as fh:
        fh.truncate(MAX_CAPTURE_BYTES + 1)       # sparse: nothing is written
    with pytest.raises(CaptureError, match='more than the %d bytes' % MAX_CAPTURE_BYTES):
        read_capture(str(big))


# ---------------------------------------------------------------- findings (regression tests)

def test_a_failed_dump_with_an_errno_past_int_max_says_so(tmp_path):
    """os.strerror(2147483648) raised OverflowError while the CaptureError was being made."""
    path = tmp_path / 'capture'
    path.write_bytes(V4[0] + done(-0x80000000))
    with pytest.raises(CaptureError, match='carries the error Unknown error 2147483648 \\(errno 2147483648\\)'):
        read_capture(str(path))
