# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""unix sock_diag: the dump request and the unix_diag_msg decoder (all three types come in one dump)."""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32, U32X2, SockId, attr_map, each, shutdown_text, skmem
from ansible_collections.netdiag.ss.plugins.module_utils._schema import MATCHES, SOCKID, unix_display, unix_name_text
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_UNIX, STATE_NAMES, TABLE_BY_NAME

UDIAG_SHOW_NAME = 0x01
UDIAG_SHOW_VFS = 0x02
UDIAG_SHOW_PEER = 0x04
UDIAG_SHOW_ICONS = 0x08
UDIAG_SHOW_RQLEN = 0x10
UDIAG_SHOW_MEMINFO = 0x20
UDIAG_SHOW_UID = 0x40
UNIX_DIAG_NAME = 0
UNIX_DIAG_VFS = 1
UNIX_DIAG_PEER = 2
UNIX_DIAG_ICONS = 3
UNIX_DIAG_RQLEN = 4
UNIX_DIAG_MEMINFO = 5
UNIX_DIAG_SHUTDOWN = 6
UNIX_DIAG_UID = 7

UNIX_REQ = struct.Struct('=BBHIIIII')
UNIX_MSG = struct.Struct('=BBBBIII')
UNIX_TABLE_BY_TYPE = {1: 'unix_stream', 2: 'unix_dgram', 5: 'unix_seqpacket'}


def unix_request(states, details=frozenset()):
    show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID
    if 'extended' in details:
        show |= UDIAG_SHOW_VFS | UDIAG_SHOW_ICONS
    if 'memory' in details:
        show |= UDIAG_SHOW_MEMINFO
    return UNIX_REQ.pack(AF_UNIX, 0, 0, states, 0, show, 0xffffffff, 0xffffffff)


def decode_unix(messages, tables, ctx, out):
    """Decode unix_diag_msg replies; keep only the types in `tables`."""
    unpack = UNIX_MSG.unpack_from
    match = ctx.match
    append = out.append
    size = 16 + UNIX_MSG.size
    for buf, off, mlen in each(messages):
        if mlen < size:
            continue        # shorter than any unix_diag_msg the kernel sends: not a socket
        _family, stype, state, _pad, inode, c0, c1 = unpack(buf, off + 16)
        table = UNIX_TABLE_BY_TYPE.get(stype, 'unix_dgram')
        if table not in tables:
            continue
        name = b''
        peer = 0
        rq = wq = 0
        uid = None
        for atype, aoff, alen in nl.iter_attrs(buf, off + 32, off + mlen):
            if atype == UNIX_DIAG_NAME:
                name = bytes(buf[aoff:aoff + alen])
            elif atype == UNIX_DIAG_PEER and alen >= 4:
                peer = U32.unpack_from(buf, aoff)[0]
            elif atype == UNIX_DIAG_RQLEN and alen >= 8:
                rq, wq = U32X2.unpack_from(buf, aoff)
            elif atype == UNIX_DIAG_UID and alen >= 4:
                uid = U32.unpack_from(buf, aoff)[0]
        netid = TABLE_BY_NAME[table].netid
        hit = True
        if match is not None:
            hit = match(SockView(AF_UNIX, netid, state, unix_display(name), b'', inode, peer))
            if not hit:
                continue
        rec = {
            'netid': netid, 'state': STATE_NAMES[state] if state < 12 else 'UNKNOWN',
            'recv_q': rq, 'send_q': wq,
            'local_address': unix_name_text(name) or '*', 'local_port': inode,
            'peer_address': '*', 'peer_port': peer,
            'interface': None, 'family': 'unix',
            'uid': uid, 'inode': inode, 'cookie': (c1 << 32) | c0,
        }
        if ctx.identity:
            rec[SOCKID] = SockId(AF_UNIX, stype, b'', b'', 0, 0, 0, rec['cookie'], inode)
        if ctx.details:
            unix_details(rec, attr_map(buf, off + 32, off + mlen), ctx.details)
        if ctx.tagged:
            rec[MATCHES] = hit
        append(rec)


def unix_details(rec, attrs, details):
    """Add the detail keys to a unix record, from its attributes {type: bytes}."""
    if 'extended' in details:
        shutdown = attrs.get(UNIX_DIAG_SHUTDOWN)
        vfs = attrs.get(UNIX_DIAG_VFS)
        icons = attrs.get(UNIX_DIAG_ICONS)
        vfs_ino, vfs_dev = U32X2.unpack_from(vfs) if vfs and len(vfs) >= 8 else (None, None)
        rec['extended'] = {
            'shutdown': shutdown_text(shutdown[0]) if shutdown else None,
            # the kernel's dev_t (major << 20 | minor); ss decodes it with glibc's major()/minor() (B-8)
            'vfs': {'inode': vfs_ino, 'dev_major': vfs_dev >> 20, 'dev_minor': vfs_dev & 0xfffff} if vfs_ino is not None
            else None,
            'icons': list(struct.unpack_from('=%dI' % (len(icons) // 4), icons)) if icons is not None else None,
        }
    if 'memory' in details:
        rec['skmem'] = skmem(attrs.get(UNIX_DIAG_MEMINFO))


def dump_unix(sock, table, tables, states, ctx, out, bytecode=None, inet_families=None):
    if AF_UNIX in ctx.families:
        decode_unix(nl.dump(sock, unix_request(states, ctx.details), 'unix'), tables, ctx, out)


__all__ = ['unix_request', 'decode_unix', 'unix_details', 'dump_unix', 'UNIX_TABLE_BY_TYPE']
