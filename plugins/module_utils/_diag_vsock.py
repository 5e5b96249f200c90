# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""vsock sock_diag: the dump request and the vsock_diag_msg decoder (every type comes in one dump).

Layouts: linux/vm_sockets_diag.h. The reply is a fixed struct with no
attributes. As ss 6.1.0 (misc/ss.c vsock_show, vsock_show_sock,
vsock_stats_print, vsock_addr_print, vsock_netid_name):

* the request carries the state mask (the kernel filters by state); the
  table is dumped only when the vsock family is selected;
* states are the kernel's TCP_* numbers (vsock uses them for sk_state), so
  they print as ss's state names (ESTAB, LISTEN, UNCONN, SYN-SENT, CLOSING);
* stream sockets (v_str) are dropped unless vsock_stream is selected, dgram
  sockets (v_dgr) unless vsock_dgram is; sockets of any other type (e.g.
  SOCK_SEQPACKET, which 6.1.0 has no table for) are always kept and print
  the netid '???';
* Recv-Q and Send-Q are 0 (the kernel does not report queues);
* addresses are the CID in decimal, '*' for VMADDR_CID_ANY (0xffffffff);
  ports print in decimal, '*' for VMADDR_PORT_ANY (0xffffffff).

Records: local_address / peer_address are that text (a CID or '*');
local_port / peer_port are the kernel's u32 port, so VMADDR_PORT_ANY is the
integer 4294967295 (where ss prints '*'), as an inet record keeps port 0
where ss prints '*'. uid and interface are null (the kernel reports
neither). ss -e and -m print nothing for vsock sockets, so `extended` and
`skmem` stay null.

The filter sees what ss's run_ssfilter sees: the CIDs as addresses, the
ports as ss's signed ints (VMADDR_PORT_ANY is -1, so `autobound`, local port
> 1023, is false for it), device, mark and cgroup 0.
"""

from __future__ import annotations

import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._cparse import to_s32
from ansible_collections.netdiag.ss.plugins.module_utils._diag import SockId, each
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_VSOCK, STATE_NAMES, TABLE_BY_NAME

VMADDR_CID_ANY = 0xffffffff
VMADDR_PORT_ANY = 0xffffffff

VSOCK_REQ = struct.Struct('=BBHIIIII')      # struct vsock_diag_req: family, protocol, pad, states, ino, show, cookie[2]
VSOCK_MSG = struct.Struct('=BBBBIIIIIII')   # struct vsock_diag_msg (32 bytes)
VSOCK_TABLE_BY_TYPE = {1: 'vsock_stream', 2: 'vsock_dgram'}
UNKNOWN_NETID = '???'                        # ss's vsock_netid_name for any other type


def vsock_request(states):
    """The vsock_diag_req ss sends: the state mask, nothing to show (there are no attributes)."""
    return VSOCK_REQ.pack(AF_VSOCK, 0, 0, states, 0, 0, 0, 0)


def address_text(cid):
    """The text ss prints for a CID: decimal, '*' for VMADDR_CID_ANY."""
    return '*' if cid == VMADDR_CID_ANY else str(cid)


def decode_vsock(messages, tables, ctx, out):
    """Decode vsock_diag_msg replies; drop stream / dgram sockets whose table is not in `tables`."""
    unpack = VSOCK_MSG.unpack_from
    size = 16 + VSOCK_MSG.size
    match = ctx.match
    append = out.append
    for buf, off, mlen in each(messages):
        if mlen < size:
            continue        # shorter than any vsock_diag_msg the kernel sends: not a socket
        _family, stype, state, _shutdown, src_cid, src_port, dst_cid, dst_port, inode, c0, c1 = unpack(buf, off + 16)
        table = VSOCK_TABLE_BY_TYPE.get(stype)
        if table is None:
            netid = UNKNOWN_NETID
        elif table not in tables:
            continue
        else:
            netid = TABLE_BY_NAME[table].netid
        if match is not None and not match(SockView(AF_VSOCK, netid, state, src_cid, dst_cid,
                                                    to_s32(src_port), to_s32(dst_port))):
            continue
        rec = {
            'netid': netid, 'state': STATE_NAMES[state] if state < 12 else 'UNKNOWN',
            'recv_q': 0, 'send_q': 0,
            'local_address': address_text(src_cid), 'local_port': src_port,
            'peer_address': address_text(dst_cid), 'peer_port': dst_port,
            'interface': None, 'family': 'vsock',
            'uid': None, 'inode': inode, 'cookie': (c1 << 32) | c0,
        }
        if ctx.identity:
            rec[SOCKID] = SockId(AF_VSOCK, stype, b'', b'', 0, 0, 0, rec['cookie'], inode)
        append(rec)


def dump_vsock(sock, table, tables, states, ctx, out, bytecode=None, inet_families=None):
    if AF_VSOCK in ctx.families:
        decode_vsock(nl.dump(sock, vsock_request(states), 'vsock'), tables, ctx, out)


__all__ = ['vsock_request', 'decode_vsock', 'dump_vsock', 'address_text', 'VSOCK_TABLE_BY_TYPE', 'VMADDR_CID_ANY',
           'VMADDR_PORT_ANY']
