# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The NETLINK_SOCK_DIAG transport on messages built from the UAPI layouts (uapi.py)."""

from __future__ import annotations

import errno
import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._errors import (
    DumpInterrupted, NetlinkError, TableNotSupported,
)

from uapi import FakeSock, done, error, inet_msg, msg


@pytest.mark.parametrize('chunk,exc,err', [
    (error(errno.EPERM), NetlinkError, errno.EPERM),
    (error(errno.ENOENT), TableNotSupported, errno.ENOENT),
    (error(errno.EOPNOTSUPP), TableNotSupported, errno.EOPNOTSUPP),
    (done(-errno.ENOENT), TableNotSupported, errno.ENOENT),
    (done(-errno.EINVAL), NetlinkError, errno.EINVAL),
])
def test_errors_are_typed(chunk, exc, err):
    with pytest.raises(exc) as info:
        list(nl.dump(FakeSock([chunk]), b'', 'sctp'))
    assert info.value.errno == err and info.value.table == 'sctp'
    assert 'sctp' in str(info.value)


def test_unsupported_error_is_not_a_generic_one():
    with pytest.raises(TableNotSupported) as info:
        list(nl.dump(FakeSock([done(-errno.ENOENT)]), b'', 'dccp'))
    assert 'not supported by this kernel' in str(info.value)


def test_dump_interrupted_flag():
    with pytest.raises(DumpInterrupted) as info:
        list(nl.dump(FakeSock([inet_msg(), done(flags=nl.NLM_F_MULTI | nl.NLM_F_DUMP_INTR)]), b'', 'tcp'))
    assert info.value.table == 'tcp' and 'table tcp changed while it was read' in str(info.value)


def test_bad_message_length():
    with pytest.raises(NetlinkError):
        list(nl.dump(FakeSock([struct.pack('=IHHII', 8, 20, 2, nl.MAGIC_SEQ, 0)]), b'', 'tcp'))


def test_request_ack_returns_the_errno_of_its_answer():
    ok = FakeSock([msg(struct.pack('=i', 0) + b'\0' * 16, mtype=nl.NLMSG_ERROR, flags=0, seq=nl.MAGIC_SEQ + 1)])
    assert nl.request_ack(ok, nl.SOCK_DESTROY, b'payload', 'tcp') == 0
    hdr = nl.NLMSG_HDR.unpack_from(ok.sent[0])
    assert hdr[1:4] == (nl.SOCK_DESTROY, nl.NLM_F_REQUEST | nl.NLM_F_ACK, nl.MAGIC_SEQ + 1) and ok.sent[0][16:23] == b'payload'
    other = msg(struct.pack('=i', -errno.EPERM) + b'\0' * 16, mtype=nl.NLMSG_ERROR, flags=0, seq=99)
    gone = msg(struct.pack('=i', -errno.ENOENT) + b'\0' * 16, mtype=nl.NLMSG_ERROR, flags=0, seq=nl.MAGIC_SEQ + 1)
    assert nl.request_ack(FakeSock([other + gone]), nl.SOCK_DESTROY, b'', 'tcp') == errno.ENOENT


@pytest.mark.parametrize('reply', [b'', struct.pack('=IHHII', 8, 2, 0, nl.MAGIC_SEQ + 1, 0),
                                   struct.pack('=IHHII', 16, 2, 0, nl.MAGIC_SEQ + 1, 0)])
def test_request_ack_bad_answers(reply):
    with pytest.raises(NetlinkError) as info:
        nl.request_ack(FakeSock([reply]), nl.SOCK_DESTROY, b'', 'tcp')
    assert info.value.errno == errno.EBADMSG


def test_dump_raw_yields_each_datagram_verbatim_and_raises_like_dump():
    first, last = inet_msg() + inet_msg(sport=23), inet_msg(sport=24) + done()
    sock = FakeSock([first, last])
    assert list(nl.dump_raw(sock, b'payload', 'tcp')) == [first, last]
    hdr = nl.NLMSG_HDR.unpack_from(sock.sent[0])
    assert hdr == (23, nl.SOCK_DIAG_BY_FAMILY, nl.NLM_F_REQUEST | nl.NLM_F_DUMP, nl.MAGIC_SEQ, 0)
    with pytest.raises(DumpInterrupted):
        list(nl.dump_raw(FakeSock([inet_msg(), done(flags=nl.NLM_F_MULTI | nl.NLM_F_DUMP_INTR)]), b'', 'tcp'))
    with pytest.raises(TableNotSupported):
        list(nl.dump_raw(FakeSock([done(-errno.ENOENT)]), b'', 'tcp'))
    with pytest.raises(NetlinkError, match='Bad message'):
        list(nl.dump_raw(FakeSock([first, b'']), b'', 'tcp'))      # the answer ended without NLMSG_DONE


class ErrSock(FakeSock):
    """A FakeSock whose reads return the next chunk, or raise it when it is an exception."""

    def recv_into(self, buf):
        if isinstance(self.chunks[0], Exception):
            raise self.chunks.pop(0)
        return super(ErrSock, self).recv_into(buf)


def test_enobufs_on_a_dump_is_an_overrun_to_read_again():
    """ENOBUFS: the kernel could not queue a reply; the dump is stopped at once (reading on could block forever)."""
    sock = ErrSock([inet_msg(), OSError(errno.ENOBUFS, 'No buffer space available'), inet_msg(sport=23) + done()])
    got = []
    with pytest.raises(DumpInterrupted) as info:
        for _buf, msgs in nl.dump(sock, b'', 'unix'):
            got.extend(msgs)
    assert info.value.overrun and info.value.table == 'unix' and 'ENOBUFS' in str(info.value)
    assert len(got) == 1 and len(sock.chunks) == 1        # nothing read after the error
    with pytest.raises(DumpInterrupted):
        list(nl.dump_raw(ErrSock([OSError(errno.ENOBUFS, 'x')]), b'', 'tcp'))
    with pytest.raises(OSError) as other:                  # other errors stay what they are
        list(nl.dump(ErrSock([OSError(errno.EIO, 'x')]), b'', 'tcp'))
    assert other.value.errno == errno.EIO


class LastTry(FakeSock):
    """A socket with dump_interrupted(): the caller's last try, where NLM_F_DUMP_INTR is noted and the dump goes on."""

    def __init__(self, chunks):
        super(LastTry, self).__init__(chunks)
        self.noted = []

    def dump_interrupted(self, table):
        self.noted.append(table)


def test_dump_goes_on_through_dump_intr_on_the_last_try():
    intr = nl.NLM_F_MULTI | nl.NLM_F_DUMP_INTR
    sock = LastTry([inet_msg(sport=1) + inet_msg(sport=2, flags=intr), inet_msg(sport=3, flags=intr) + done(flags=intr)])
    ports = [struct.unpack_from('>H', buf, off + 20)[0] for buf, msgs in nl.dump(sock, b'', 'tcp') for off, _len in msgs]
    assert ports == [1, 2, 3] and sock.noted == ['tcp', 'tcp']
    # dump_raw never does: a capture is whole or not written
    with pytest.raises(DumpInterrupted):
        list(nl.dump_raw(LastTry([inet_msg(flags=intr) + done()]), b'', 'tcp'))
