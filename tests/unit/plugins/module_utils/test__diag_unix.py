# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""unix_diag_msg decoding on messages built from the UAPI layouts (uapi.py)."""

from __future__ import annotations

import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _diag_unix as c
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context, SockId
from ansible_collections.netdiag.ss.plugins.module_utils._render import DetailText
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_UNIX

from uapi import FakeSock, done, unix_msg


@pytest.mark.parametrize('raw,shown,seen', [
    (None, '*', b''), (b'/run/x.sock\0', '/run/x.sock', b'/run/x.sock'), (b'\0abc\0def', '@abc@def', b'@abc@def'),
    (b'\0', '@', b'@'), (b'/tmp/\xff.sock', '/tmp/\\xff.sock', b'/tmp/\xff.sock'),
    (b'/tmp/\\xff.sock', '/tmp/\\\\xff.sock', b'/tmp/\\xff.sock'), (b'/tmp/caf\xc3\xa9', '/tmp/caf\u00e9', b'/tmp/caf\xc3\xa9'),
    (b'\0a@b', '@a\\x40b', b'@a@b'), (b'@rel', '\\x40rel', b'@rel'), (b'*', '\\x2a', b'*'),
])
def test_unix_names(raw, shown, seen):
    """Names in their text form; the filter sees the bytes ss shows (invalid UTF-8 and backslashes stay apart)."""
    out = []
    views = []
    ctx = Context({AF_UNIX}, match=lambda v: views.append(v.src) or True)
    c.decode_unix(nl.dump(FakeSock([unix_msg(name=raw) + done()]), b'', 'unix'), {'unix_stream'}, ctx, out)
    assert out[0]['local_address'] == shown and out[0]['peer_address'] == '*' and views == [seen]


def test_unix_types_and_fields():
    out = []
    chunk = unix_msg(stype=1, state=1, peer=77) + unix_msg(stype=2, state=7) + unix_msg(stype=5, state=10) + done()
    c.decode_unix(nl.dump(FakeSock([chunk]), b'', 'unix'), {'unix_stream', 'unix_seqpacket'}, Context({AF_UNIX}), out)
    assert [(r['netid'], r['state'], r['peer_port']) for r in out] == [('u_str', 'ESTAB', 77), ('u_seq', 'LISTEN', 0)]
    assert (out[0]['recv_q'], out[0]['send_q'], out[0]['uid'], out[0]['local_port'], out[0]['cookie']) == (0, 5, 1000, 1234, 9)


def test_identity_is_kept_only_when_asked():
    out = []
    c.decode_unix(nl.dump(FakeSock([unix_msg(stype=2, inode=9, cookie=(4, 1)) + done()]), b'', 'unix'), {'unix_dgram'},
                  Context({AF_UNIX}, identity=True), out)
    assert out[0][SOCKID] == SockId(AF_UNIX, 2, b'', b'', 0, 0, 0, (1 << 32) | 4, 9)


def test_unix_details():
    """-e: shutdown, the socket file's inode and device, pending connections; -m: sk_meminfo (linux/unix_diag.h)."""
    attrs = (nl.rtattr(c.UNIX_DIAG_VFS, struct.pack('=II', 4242, (254 << 20) | 3)) + nl.rtattr(c.UNIX_DIAG_ICONS, struct.pack('=2I', 7, 8))
             + nl.rtattr(c.UNIX_DIAG_SHUTDOWN, b'\x01') + nl.rtattr(c.UNIX_DIAG_MEMINFO, struct.pack('=9I', *range(9))))
    out = []
    ctx = Context({AF_UNIX}, details=frozenset(['extended', 'memory']))
    c.decode_unix(nl.dump(FakeSock([unix_msg(name=b'/run/x.sock\0', attrs=attrs) + done()]), b'', 'unix'), {'unix_stream'}, ctx, out)
    assert out[0]['extended'] == {'shutdown': '-->', 'vfs': {'inode': 4242, 'dev_major': 254, 'dev_minor': 3}, 'icons': [7, 8]}
    assert DetailText(frozenset(['extended', 'memory']))(out[0]) == \
        ' skmem:(r0,rb1,t2,tb3,f4,w5,o6,bl7,d8) --> ino:4242 dev:254/3 peers: 7 8'
    show = struct.unpack_from('=I', c.unix_request(0xfff, frozenset(['extended', 'memory'])), 12)[0]
    assert show == 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40
