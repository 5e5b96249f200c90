# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Captures in the `ss -D` format: the requests and the bytes written, and reading them back (truncated, corrupt,
oversized, not a file). Messages are built from the UAPI layouts (uapi.py); the kernel is a fake socket."""

from __future__ import annotations

import errno
import os
import signal
import stat
import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _dumpfile
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import decode_inet
from ansible_collections.netdiag.ss.plugins.module_utils._errors import (
    CaptureError, DumpInterrupted, SocketToolError,
)
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

from uapi import FakeSock, done, error, inet_msg, msg

LISTEN4 = inet_msg()                                                     # LISTEN 0.0.0.0:22
ESTAB4 = inet_msg(state=1, sport=22, dport=50312, src='10.0.0.1', dst='10.0.0.2', cookie=(5, 0), wq=0)
LISTEN6 = inet_msg(family=AF_INET6, src='::', dst='::', cookie=(4, 0))
ESTAB6 = inet_msg(family=AF_INET6, state=1, sport=40520, dport=22, src='fec0:42::24', dst='fec0:42::1', cookie=(1, 0),
                  wq=0)
# a default capture: the IPv4 dump, its DONE, the IPv6 dump, its DONE (as ss -D writes it, reference section 6)
CAPTURE = LISTEN4 + ESTAB4 + done() + LISTEN6 + ESTAB6 + done()
ANSWERS = [LISTEN4 + ESTAB4 + done(), LISTEN6 + ESTAB6 + done()]     # the datagrams of the kernel's two answers


def capture_tcp(request, open_socket=None):
    """The TCP dump of `request` as `ss -D` writes it (every datagram of every answer, verbatim), as bytes."""
    data = []
    _dumpfile.stream_tcp(request, data.append, data.clear, open_socket)
    return b''.join(data)


def write_capture(path, data):
    """Write `data` to `path` the way dump_to_file writes a capture."""
    _dumpfile._replace(path, lambda f: f.write(data))


def request_bytes(family, states, ext=0):
    """The TCP dump request ss sends (misc/ss.c sockdiag_send; reference 3.3): nlmsghdr + inet_diag_req_v2."""
    return struct.pack('=IHHII', 72, 20, 0x301, 123456, 0) + struct.pack('=BBBBI', family, 6, ext, 0, states) + b'\0' * 48


def rows(capture, states=None, families=None):
    out = []
    decode_inet(_dumpfile.capture_chunks(capture, states, families), 'tcp', Context({AF_INET, AF_INET6}), out)
    return [(r['state'], r['local_address'], r['local_port']) for r in out]


# ---------------------------------------------------------------- reading

def test_every_dump_of_a_capture_is_read():
    capture = _dumpfile.parse_capture(CAPTURE)
    assert [len(s) for s in capture.sections] == [2, 2]
    assert rows(capture) == [('LISTEN', '0.0.0.0', 22), ('ESTAB', '10.0.0.1', 22), ('LISTEN', '*', 22),
                             ('ESTAB', 'fec0:42::24', 40520)]


def test_states_and_families_select_as_on_the_kernel():
    capture = _dumpfile.parse_capture(CAPTURE)
    assert rows(capture, states=1 << 1) == [('ESTAB', '10.0.0.1', 22), ('ESTAB', 'fec0:42::24', 40520)]
    assert rows(capture, families={AF_INET6}) == [('LISTEN', '*', 22), ('ESTAB', 'fec0:42::24', 40520)]
    assert rows(capture, states=1 << 10, families={AF_INET}) == [('LISTEN', '0.0.0.0', 22)]


def test_legacy_answers_and_empty_dumps_are_accepted():
    legacy = msg(LISTEN4[16:], mtype=18)            # TCPDIAG_GETSOCK: the answer to ss's fallback request
    capture = _dumpfile.parse_capture(legacy + done() + done())
    assert [len(s) for s in capture.sections] == [1, 0]


@pytest.mark.parametrize('data, message', [
    (b'', 'is empty'),
    (LISTEN4[:10], 'truncated: it ends inside the header of message 1 (offset 0) (10 of 16 bytes)'),
    (LISTEN4 + ESTAB4[:50], 'truncated: message 2 (offset 88) announces 88 bytes, and only 50 remain'),
    (LISTEN4 + ESTAB4, 'truncated: no NLMSG_DONE follows its last 2 message(s)'),
    (CAPTURE + LISTEN4, 'truncated: no NLMSG_DONE follows its last 1 message(s)'),
    (struct.pack('=IHHII', 8, 20, 2, 0, 0) + b'\0' * 8, 'corrupt: message 1 (offset 0) gives its length as 8 bytes'),
    (msg(b'\0' * 40) + done(), 'corrupt: message 1 (offset 0) is 56 bytes, too short for a socket'),
    (msg(b'\x01' + b'\0' * 80) + done(), 'not a TCP capture: message 1 (offset 0) is a socket of family 1'),
    (msg(b'\0' * 80, mtype=16) + done(), 'not a capture written by ss -D: message 1 (offset 0) has type 16'),
    (LISTEN4 + error(errno.EPERM), "message 2 (offset 88) is the kernel's error answer (Operation not permitted"),
    (done(-errno.ENOENT), 'its NLMSG_DONE (message 1 (offset 0)) carries the error No such file or directory'),
    (b'\0' * 4096, 'gives its length as 0 bytes'),
])
def test_bad_captures_say_what_and_where(data, message):
    with pytest.raises(CaptureError) as info:
        _dumpfile.parse_capture(data, 'x.dump')
    assert message in str(info.value) and str(info.value).startswith('x.dump ')


def test_read_capture_from_a_file(tmp_path):
    path = tmp_path / 'tcp.dump'
    path.write_bytes(CAPTURE)
    capture = _dumpfile.read_capture(str(path))
    assert capture.data == CAPTURE and capture.name == 'from_dump: %s' % path
    path.write_bytes(CAPTURE[:-4])
    with pytest.raises(CaptureError, match='from_dump: .* is truncated'):
        _dumpfile.read_capture(str(path))


def _no_hang(seconds=5):
    def alarm(_signum, _frame):
        raise AssertionError('reading did not return within %d seconds' % seconds)
    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)


@pytest.mark.parametrize('kind', ['fifo', 'device', 'directory'])
def test_what_is_not_a_regular_file_is_refused_without_reading(tmp_path, kind):
    if kind == 'fifo':
        path = str(tmp_path / 'fifo')
        os.mkfifo(path)                 # no writer: a blocking open would wait forever
    else:
        path = '/dev/zero' if kind == 'device' else str(tmp_path)
    _no_hang()
    try:
        with pytest.raises(CaptureError, match='is not a regular file|Is a directory'):
            _dumpfile.read_capture(path)
    finally:
        signal.alarm(0)


def test_size_limit(tmp_path):
    path = tmp_path / 'big.dump'
    path.write_bytes(CAPTURE)
    with pytest.raises(CaptureError, match='is %d bytes, more than the 100 bytes' % len(CAPTURE)):
        _dumpfile.read_capture(str(path), limit=100)
    # a file whose size says 0 (as /proc files do) is still read no further than the limit
    with pytest.raises(CaptureError, match='grew past the 16 bytes'):
        _dumpfile.read_capture('/proc/self/maps', limit=16)
    assert _dumpfile.MAX_CAPTURE_BYTES == 64 << 20


@pytest.mark.parametrize('path, message', [('/nonexistent/x.dump', 'cannot open /nonexistent/x.dump: No such file'),
                                           ('a\0b', 'cannot open')])
def test_unreadable_paths(path, message):
    with pytest.raises(CaptureError, match=message):
        _dumpfile.read_capture(path)


# ---------------------------------------------------------------- writing

class Kernel(object):
    """Fake sock_diag sockets: each opened socket answers from the next list of datagrams."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.socks = []

    def __call__(self, groups=0):
        sock = FakeSock(self.answers.pop(0))
        self.socks.append(sock)
        return sock


def test_requests_and_bytes_are_those_of_ss_dash_d():
    kernel = Kernel([LISTEN4 + ESTAB4, done(), LISTEN6 + ESTAB6 + done()])
    data = capture_tcp(build_request({'ss_args': '-ta -D f'}), kernel)
    assert data == CAPTURE                  # every datagram verbatim, in order, DONEs included
    sent = kernel.socks[0].sent
    assert sent == [request_bytes(AF_INET, 0xfff), request_bytes(AF_INET6, 0xfff)] and kernel.socks[0].closed
    # observed bytes of `ss -D f -ta4` (strace, reference 3.3/3.5): 72 bytes, no bytecode
    assert sent[0].hex() == '48000000 1400 0103 40e20100 00000000 02060000 ff0f0000'.replace(' ', '') + '00' * 48


@pytest.mark.parametrize('ss_args, families, states, ext', [
    ('-t4', [AF_INET], 0xfff & ~((1 << 10) | (1 << 7) | (1 << 6) | (1 << 3)), 0),      # ss's default state mask
    ('-tl6', [AF_INET6], (1 << 10) | (1 << 7), 0),
    ('-tm state established', [AF_INET, AF_INET6], 1 << 1, 0x41),
    ('-ti --tos -4', [AF_INET], 0xfff & ~((1 << 10) | (1 << 7) | (1 << 6) | (1 << 3)), 0x0e | 0x30),
    ('-ta -e -o -p', [AF_INET, AF_INET6], 0xfff, 0),                                   # display options change nothing
])
def test_requests_follow_families_states_and_details(ss_args, families, states, ext):
    kernel = Kernel([done()] * len(families))
    capture_tcp(build_request({'ss_args': ss_args, 'dump_file': 'f'}), kernel)
    assert kernel.socks[0].sent == [request_bytes(f, states, ext) for f in families]


def test_interrupted_dump_is_read_again_and_errors_write_nothing():
    intr = done(flags=nl.NLM_F_MULTI | nl.NLM_F_DUMP_INTR)
    kernel = Kernel([LISTEN4 + intr], [LISTEN4 + done()])
    assert capture_tcp(build_request({'ss_args': '-ta4 -D f'}), kernel) == LISTEN4 + done()
    assert all(s.closed for s in kernel.socks)
    with pytest.raises(DumpInterrupted):
        capture_tcp(build_request({'ss_args': '-ta4 -D f'}), Kernel(*([[intr]] * 5)))
    with pytest.raises(SocketToolError, match='cannot dump the TCP table over sock_diag'):
        capture_tcp(build_request({'ss_args': '-ta4 -D f'}), Kernel([done(-errno.ENOENT)]))


def test_dump_to_file_writes_the_capture_and_check_mode_does_not(tmp_path):
    path = str(tmp_path / 'tcp.dump')
    request = build_request({'ss_args': '-ta', 'dump_file': path})
    result = _dumpfile.dump_to_file(request, check_mode=True, open_socket=Kernel(ANSWERS))
    assert result == {'path': path, 'written': False, 'bytes': len(CAPTURE), 'messages': 6, 'sockets': 4,
                      'families': ['inet', 'inet6']}
    assert not os.path.exists(path)
    result = _dumpfile.dump_to_file(request, open_socket=Kernel(ANSWERS))
    assert result['written'] and open(path, 'rb').read() == CAPTURE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~_umask()
    assert os.listdir(str(tmp_path)) == ['tcp.dump']        # no temporary file left


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_an_existing_file_keeps_its_mode_and_a_link_is_followed(tmp_path):
    target = tmp_path / 'real.dump'
    target.write_bytes(b'old')
    os.chmod(str(target), 0o600)
    link = tmp_path / 'link.dump'
    os.symlink(str(target), str(link))
    write_capture(str(link), CAPTURE)
    assert os.path.islink(str(link)) and target.read_bytes() == CAPTURE
    assert stat.S_IMODE(os.stat(str(target)).st_mode) == 0o600


@pytest.mark.parametrize('make, message', [
    (lambda d: os.mkfifo(os.path.join(d, 'x')) or os.path.join(d, 'x'), 'is not a regular file'),
    (lambda d: d, 'is not a regular file'),
    (lambda d: os.path.join(d, 'missing', 'x'), 'does not exist'),
    (lambda d: '-', 'a module cannot write there'),
    (lambda d: os.path.join(d, 'x\0y'), 'has a NUL character'),
    (lambda d: os.path.join(d, 'newdir') + '/', 'ends with "/", a directory'),
])
def test_bad_targets_are_refused_before_the_dump(tmp_path, make, message):
    path = make(str(tmp_path))
    kernel = Kernel([CAPTURE])
    with pytest.raises(SocketToolError, match=message):
        _dumpfile.dump_to_file(build_request({'ss_args': '-t'})._replace(dump_file=path), open_socket=kernel)
    assert not kernel.socks


def test_what_is_written_reads_back_the_same(tmp_path):
    path = str(tmp_path / 'tcp.dump')
    _dumpfile.dump_to_file(build_request({'ss_args': '-ta', 'dump_file': path}), open_socket=Kernel(ANSWERS))
    assert rows(_dumpfile.read_capture(path)) == rows(_dumpfile.parse_capture(CAPTURE))


def test_the_capture_is_streamed_to_the_file_and_an_interrupted_dump_is_written_again(tmp_path):
    """Each datagram goes to the new file as it is read; a read interrupted half-way is thrown away, not appended."""
    intr = done(flags=nl.NLM_F_MULTI | nl.NLM_F_DUMP_INTR)
    written = []
    tally = _dumpfile.stream_tcp(build_request({'ss_args': '-ta -D f'}), written.append,
                                 open_socket=Kernel([LISTEN4 + ESTAB4, done(), LISTEN6 + ESTAB6 + done()]))
    assert written == [LISTEN4 + ESTAB4, done(), LISTEN6 + ESTAB6 + done()]
    assert (tally.bytes, tally.messages, tally.dones) == (len(CAPTURE), 6, 2)
    path = str(tmp_path / 'tcp.dump')
    kernel = Kernel([LISTEN4 + ESTAB4 + done(), LISTEN6 + intr], [LISTEN4 + ESTAB4 + done(), LISTEN6 + ESTAB6 + done()])
    result = _dumpfile.dump_to_file(build_request({'ss_args': '-ta', 'dump_file': path}), open_socket=kernel)
    assert open(path, 'rb').read() == CAPTURE and (result['messages'], result['sockets']) == (6, 4)
    assert len(kernel.socks) == 2 and os.listdir(str(tmp_path)) == ['tcp.dump']


def test_a_dump_that_fails_leaves_the_old_file_and_no_temporary_one(tmp_path):
    target = tmp_path / 'tcp.dump'
    target.write_bytes(b'old')
    with pytest.raises(SocketToolError, match='cannot dump the TCP table'):
        _dumpfile.dump_to_file(build_request({'ss_args': '-ta', 'dump_file': str(target)}),
                               open_socket=Kernel([LISTEN4 + done(), done(-errno.ENOENT)]))
    assert target.read_bytes() == b'old' and os.listdir(str(tmp_path)) == ['tcp.dump']


def test_a_long_file_name_is_written(tmp_path):
    """The temporary file has a short name of its own: a 250-byte name is written as ss would write it."""
    path = str(tmp_path / ('x' * 250))
    write_capture(path, CAPTURE)
    assert open(path, 'rb').read() == CAPTURE and os.listdir(str(tmp_path)) == ['x' * 250]


def test_extended_attributes_of_the_old_file_are_kept(tmp_path):
    """An ACL (or a security label) lives in extended attributes: the new file gets them, or nothing is written."""
    target = tmp_path / 'tcp.dump'
    target.write_bytes(b'old')
    try:
        os.setxattr(str(target), 'user.ndss', b'kept')
    except OSError as exc:
        pytest.skip('no user extended attributes on %s: %s' % (tmp_path, exc.strerror))
    write_capture(str(target), CAPTURE)
    assert target.read_bytes() == CAPTURE and os.getxattr(str(target), 'user.ndss') == b'kept'


def test_another_users_link_or_file_in_a_sticky_directory_is_refused(tmp_path):
    """/tmp: a link or a file another user put there is not followed or overwritten (fs.protected_symlinks and
    fs.protected_regular refuse them to ss -D's fopen; a rename would pass them by). Ours are."""
    if os.geteuid() != 0:
        pytest.skip('needs root, to give a file to another user')
    shared = tmp_path / 'shared'
    shared.mkdir()
    os.chmod(str(shared), 0o1777)
    secret = tmp_path / 'secret'
    secret.write_bytes(b'root only')
    os.chmod(str(secret), 0o600)
    os.symlink(str(secret), str(shared / 'link.dump'))
    os.lchown(str(shared / 'link.dump'), 65534, 65534)
    planted = shared / 'planted.dump'
    planted.write_bytes(b'')
    os.chown(str(planted), 65534, 65534)
    for name, message in (('link.dump', 'is a symbolic link owned by uid 65534 in a sticky directory others can '
                                        'write: not followed'),
                          ('planted.dump', 'is a file owned by uid 65534 in a sticky directory others can write: not '
                                           'overwritten')):
        with pytest.raises(SocketToolError, match=message):
            write_capture(str(shared / name), CAPTURE)
    assert secret.read_bytes() == b'root only' and planted.read_bytes() == b''
    os.lchown(str(shared / 'link.dump'), os.geteuid(), os.getegid())
    write_capture(str(shared / 'link.dump'), CAPTURE)     # our own link: followed
    assert secret.read_bytes() == CAPTURE


def test_a_socket_that_fails_is_said_to_be_the_socket(tmp_path):
    """An OSError of the netlink socket is the reading's, not the file's; in check mode too (no traceback)."""
    def broken():
        raise OSError(errno.EPROTONOSUPPORT, 'Protocol not supported')
    path = str(tmp_path / 'tcp.dump')
    for check in (True, False):
        with pytest.raises(SocketToolError, match='cannot open a sock_diag socket to read the TCP table: Protocol'):
            _dumpfile.dump_to_file(build_request({'ss_args': '-ta', 'dump_file': path}), check_mode=check,
                                   open_socket=broken)
    assert os.listdir(str(tmp_path)) == []
