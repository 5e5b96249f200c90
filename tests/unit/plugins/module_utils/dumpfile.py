# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support: read a saved sock_diag dump (`ss -D FILE`) the way ss's TCPDIAG_FILE does."""

from __future__ import annotations

import errno
import sys

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._errors import NetlinkError

_ERR_OFFSET = 16


def read_dump_file(path, table='tcp'):
    """Yield (buf, [(offset, length), ...]) for the messages of a saved dump, like _netlink.dump().

    Netlink messages one after another, up to the first NLMSG_DONE (so only
    the first family of a default two-family capture is seen, as with ss).
    """
    with open(path, 'rb') as f:
        buf = f.read()
    msgs = []
    off = 0
    while off + 16 <= len(buf):
        mlen, mtype, _flags, _seq, _pid = nl.NLMSG_HDR.unpack_from(buf, off)
        if mlen < 16 or off + mlen > len(buf):
            raise NetlinkError(errno.EBADMSG, table, 'reading %s' % path)
        if mtype == nl.NLMSG_DONE:
            break
        if mtype == nl.NLMSG_ERROR:
            raise NetlinkError(-int.from_bytes(buf[off + _ERR_OFFSET:off + _ERR_OFFSET + 4], sys.byteorder, signed=True),
                               table, 'reading %s' % path)
        msgs.append((off, mlen))
        off += (mlen + 3) & ~3
    yield buf, msgs
