# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile netlink framing: dumps, verbatim dumps (-D) and acknowledged requests (SOCK_DESTROY) end in
messages, an errno, or a project error (NetlinkError, DumpInterrupted), nothing else."""

from __future__ import annotations

import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._errors import SocketToolError, strerror

from fuzzing import fuzz, hypothesis, mutated, st
from test__diag_fuzz import ANSWERS, Sock, _at_buffer_end
from uapi import done, error, msg

ANSWER = ANSWERS['tcp'][0]
DUMPS = [ANSWER + done(), ANSWER + ANSWER + done(-2), error(1), ANSWER + msg(b'', flags=nl.NLM_F_MULTI | nl.NLM_F_DUMP_INTR),
         done(-0x80000000), error(-0x7fffffff)]
ACKS = [error(0), error(1), msg(b'x' * 20, seq=7) + error(2), error(0x80000000),
        nl.nlmsg(nl.NLMSG_ERROR, 0, struct.pack('=i', -2), seq=nl.MAGIC_SEQ + 1)]


def _chunks(data, draw):
    """The answer as the socket gives it: whole, at the end of a full read, or in two reads."""
    how = draw(st.sampled_from(['whole', 'end', 'split']))
    if how == 'end':
        return [_at_buffer_end(data)]
    if how == 'split' and data:
        cut = draw(st.integers(0, len(data)))
        return [data[:cut], data[cut:]]
    return [data]


@fuzz(300)
@hypothesis.given(data=st.data(), raw=st.booleans())
def test_dumps(data, raw):
    chunks = _chunks(data.draw(mutated(DUMPS)), data.draw)
    try:
        if raw:
            list(nl.dump_raw(Sock(chunks), b'', 'tcp'))
        else:
            for buf, msgs in nl.dump(Sock(chunks), b'', 'tcp'):
                for off, mlen in msgs:
                    assert off + mlen <= len(buf)
    except SocketToolError as exc:
        assert str(exc).strip()


@fuzz(200)
@hypothesis.given(data=st.data())
def test_acknowledged_requests(data):
    chunks = _chunks(data.draw(mutated(ACKS)), data.draw)
    try:
        err = nl.request_ack(Sock(chunks), nl.SOCK_DESTROY, b'', 'tcp')
    except SocketToolError as exc:
        assert str(exc).strip()
        return
    assert isinstance(err, int)


# ---------------------------------------------------------------- findings (regression tests)

@pytest.mark.parametrize('answer', [done(-0x80000000), error(0x80000000)])
def test_an_errno_past_int_max_is_a_netlink_error(answer):
    """os.strerror(2147483648) raised OverflowError while the NetlinkError was being made."""
    with pytest.raises(SocketToolError, match=r'Unknown error 2147483648 \(errno 2147483648 \?\)'):
        list(nl.dump(Sock([answer]), b'', 'tcp'))
    # socket_kill reports such an answer per socket with this text
    assert nl.request_ack(Sock([error(0x80000000)]), nl.SOCK_DESTROY, b'', 'tcp', seq=nl.MAGIC_SEQ) == 0x80000000
    assert strerror(0x80000000) == 'Unknown error 2147483648' and strerror(2) == 'No such file or directory'


@pytest.mark.parametrize('at_end', [False, True])
def test_an_error_answer_without_its_errno_is_ebadmsg(at_end):
    """A 16-byte NLMSG_ERROR: at the end of a full read its errno was unpacked past the buffer (struct.error);
    elsewhere the next message's first bytes were read as the errno (and the dump ended as if it succeeded)."""
    short = nl.nlmsg(nl.NLMSG_ERROR, 0, b'')
    chunk = _at_buffer_end(short) if at_end else short + ANSWER + done()
    with pytest.raises(SocketToolError, match=r'dump of table tcp failed: Bad message \(errno 74 EBADMSG\)'):
        list(nl.dump(Sock([chunk]), b'', 'tcp'))
