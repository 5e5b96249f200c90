# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support for the hostile-input fuzz tests (test_*_fuzz.py; docs/reliability.md).

The promise they check: whatever a user, a file, /proc or the kernel hands
the collection, what comes out is a clean result or one of the project's
own errors (_errors.SocketToolError and its subclasses) with a message,
never another exception.

Example counts are small by default, so the unit stage stays fast, and the
same on every run (derandomized: a failure reproduces). NETDIAG_FUZZ_SCALE=N
multiplies every count by N and draws new random examples on each run, for
a longer hunt:

    NETDIAG_FUZZ_SCALE=50 pytest tests/unit -k fuzz -p no:cacheprovider
"""

from __future__ import annotations

import os
import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import SocketToolError

hypothesis = pytest.importorskip('hypothesis')
st = hypothesis.strategies

try:
    SCALE = float(os.environ.get('NETDIAG_FUZZ_SCALE') or 1)
except ValueError:
    SCALE = 1.0


def fuzz(examples):
    """hypothesis settings for a fuzz test of `examples` examples (times NETDIAG_FUZZ_SCALE)."""
    return hypothesis.settings(
        max_examples=max(1, int(examples * SCALE)), deadline=None, derandomize=SCALE == 1, database=None,
        suppress_health_check=list(hypothesis.HealthCheck))


def project_error_or_result(func, *args, **kwargs):
    """Call func; return ('ok', result) or ('error', exc) for a project error with a message.

    Any other exception propagates (and fails the test, with the input that
    hypothesis shrank it to).
    """
    try:
        return 'ok', func(*args, **kwargs)
    except SocketToolError as exc:
        assert str(exc).strip(), 'a %s without a message' % type(exc).__name__
        return 'error', exc


# ---------------------------------------------------------------- random values of any type

def scalars():
    """Values of every JSON/YAML type a playbook can give an option, and a few it cannot."""
    return st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(-2, 5000), st.floats(allow_nan=True),
        st.text(max_size=20), st.sampled_from(['', ' ', '-', '--', '\0', '\udcff', 'é', '\\', "'", '"', 'yes', 'no',
                                              'true', 'null', '0', '-1', '99999999999999999999', '1e9', 'nan']),
        st.binary(max_size=8))


def any_value(max_leaves=6):
    """A scalar, or lists and dicts of them, nested."""
    return st.recursive(scalars(), lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=max_leaves)


# ---------------------------------------------------------------- byte mutations

@st.composite
def mutated(draw, valid, max_ops=4):
    """Bytes made from one of the `valid` byte strings by a few hostile edits.

    Edits: flip a byte, cut the tail, cut the head, duplicate a slice (an
    attribute twice), move a slice (reordered attributes), insert junk, and
    write a u16/u32 at any offset (a netlink length or attribute length that
    lies: 0, 3, 4, past the end, huge).
    """
    data = bytearray(draw(st.sampled_from(valid)))
    for _edit in range(draw(st.integers(0, max_ops))):
        op = draw(st.sampled_from(['flip', 'cut', 'head', 'dup', 'move', 'insert', 'u16', 'u32']))
        n = len(data)
        if op == 'insert':
            at = draw(st.integers(0, n))
            data[at:at] = draw(st.binary(min_size=1, max_size=24))
            continue
        if not n:
            continue
        at = draw(st.integers(0, n - 1))
        if op == 'flip':
            data[at] ^= draw(st.integers(1, 255))
        elif op == 'cut':
            del data[at:]
        elif op == 'head':
            del data[:at]
        elif op in ('dup', 'move'):
            end = draw(st.integers(at, min(n, at + 160)))
            piece = bytes(data[at:end])
            if op == 'move':
                del data[at:end]
            dest = draw(st.integers(0, len(data)))
            data[dest:dest] = piece
        else:
            fmt = '=H' if op == 'u16' else '=I'
            size = struct.calcsize(fmt)
            if n < size:
                continue
            at = min(at, n - size)
            value = draw(st.one_of(st.sampled_from([0, 1, 3, 4, 15, 16, 17, 19, 20, 87, 88, 0xffff, 0xffffffff]),
                                   st.integers(0, 0xffff if size == 2 else 0xffffffff)))
            struct.pack_into(fmt, data, at, value & (0xffff if size == 2 else 0xffffffff))
    return bytes(data)


__all__ = ['hypothesis', 'st', 'fuzz', 'project_error_or_result', 'scalars', 'any_value', 'mutated', 'SCALE']
