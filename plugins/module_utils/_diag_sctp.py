# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""SCTP sock_diag (ss -S): endpoints and their associations, and what ss shows for them.

The kernel's SCTP dumper (net/sctp/diag.c, module sctp_diag) answers an inet
dump with protocol 132 in two passes:

* when the state mask has LISTEN: every endpoint (socket) of the family,
  state = its sk_state (TCP numbers: LISTEN, ESTAB, UNCONN, SYN-SENT,
  CLOSE-WAIT), Recv-Q/Send-Q = accept backlog / its maximum;
* when the mask has anything besides LISTEN and CLOSE: every endpoint that
  has associations, each followed by its associations. An association
  message carries the endpoint's socket (its inode and cookie), state = the
  SCTP state (enum sctp_state, SCTP_STATE_NAMES), its first local address
  and primary peer address and ports, the primary path's device (idiag_if),
  Recv-Q/Send-Q = rmem_alloc / sndbuf_used, the T3-rtx timer, and always
  INET_DIAG_PEERS.

No state is filtered beyond that, and the program sent with the dump is
ignored (B-34): ss's user-space filter alone decides, and so it does here
(only the user-space half of a Plan's match is used). Every message, of
either kind, carries INET_DIAG_LOCALS; both are arrays of 128-byte struct
sockaddr_storage.

Records: one per message, in the kernel's order (so with -a an endpoint that
has associations is listed twice, as ss lists it), with the base keys and
`sctp`:

    {'endpoint': None for an endpoint; for an association the inode of its
                 endpoint socket (its own inode: an association has none of
                 its own), the row ss lists it under,
     'locals':   [address text] of INET_DIAG_LOCALS, None when not sent,
     'peers':    [address text] of INET_DIAG_PEERS (associations), None for
                 endpoints}

An address of another family than inet/inet6 is None (ss prints nothing for
it). `state` is the SCTP state name for an association, the TCP one for an
endpoint; `timer` (-o) is 'T3_RTX'; `info` (-i) is {'sctp_info': {field:
value}} with the fields of struct sctp_info the kernel sent (by length,
names without sctpi_, p_address as text and p_port), {} without INFO.

ss tells an association from its endpoint by the inode of the row it printed
just before (is_sctp_assoc); we tell it by INET_DIAG_PEERS, which only
associations carry. The two differ only where ss misreads: an endpoint
listed right after itself (the last endpoint of the first pass, first of the
second) is shown by ss as "`- " with an SCTP state name of its TCP state
number (out of ss's table for LISTEN); an association whose endpoint row the
filter dropped is shown by ss as an endpoint with a TCP state name of its
SCTP state number. docs/differences.md lists both.
"""

from __future__ import annotations

import socket
import struct
import sys

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._cparse import to_s32
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32, U64, SockId, attr_map
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import (
    INET4_MSG, INET6_MSG, INET_DIAG_CGROUP_ID, INET_DIAG_INFO, INET_DIAG_LOCALS, INET_DIAG_MARK, INET_DIAG_PEERS,
    INET_DIAG_SKV6ONLY, inet_details, inet_ext, inet_request,
)
from ansible_collections.netdiag.ss.plugins.module_utils._schema import MATCHES, SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, INET_PROTOCOLS, SCTP_STATE_NAMES, STATE_NAMES,
)

SOCKADDR_STORAGE = 128
_FAMILY = struct.Struct('=H')
_V6_ANY = b'\0' * 16
_BIG_ENDIAN = sys.byteorder == 'big'

# struct sctp_info (linux/sctp.h, 368 bytes): (offset, struct format, name without sctpi_); the reserved
# fields are left out, sctpi_p_address (a sockaddr_storage at 168) is decoded apart
_SCTP_INFO_FIELDS = (
    (0, 'I', 'tag'), (4, 'I', 'state'), (8, 'I', 'rwnd'), (12, 'H', 'unackdata'), (14, 'H', 'penddata'),
    (16, 'H', 'instrms'), (18, 'H', 'outstrms'), (20, 'I', 'fragmentation_point'), (24, 'I', 'inqueue'),
    (28, 'I', 'outqueue'), (32, 'I', 'overall_error'), (36, 'I', 'max_burst'), (40, 'I', 'maxseg'),
    (44, 'I', 'peer_rwnd'), (48, 'I', 'peer_tag'), (52, 'B', 'peer_capable'), (53, 'B', 'peer_sack'),
    (56, 'Q', 'isacks'), (64, 'Q', 'osacks'), (72, 'Q', 'opackets'), (80, 'Q', 'ipackets'), (88, 'Q', 'rtxchunks'),
    (96, 'Q', 'outofseqtsns'), (104, 'Q', 'idupchunks'), (112, 'Q', 'gapcnt'), (120, 'Q', 'ouodchunks'),
    (128, 'Q', 'iuodchunks'), (136, 'Q', 'oodchunks'), (144, 'Q', 'iodchunks'), (152, 'Q', 'octrlchunks'),
    (160, 'Q', 'ictrlchunks'),
    (296, 'i', 'p_state'), (300, 'I', 'p_cwnd'), (304, 'I', 'p_srtt'), (308, 'I', 'p_rto'), (312, 'I', 'p_hbinterval'),
    (316, 'I', 'p_pathmaxrxt'), (320, 'I', 'p_sackdelay'), (324, 'I', 'p_sackfreq'), (328, 'I', 'p_ssthresh'),
    (332, 'I', 'p_partial_bytes_acked'), (336, 'I', 'p_flight_size'), (340, 'H', 'p_error'),
    (344, 'I', 's_autoclose'), (348, 'I', 's_adaptation_ind'), (352, 'I', 's_pd_point'), (356, 'B', 's_nodelay'),
    (357, 'B', 's_disable_fragments'), (358, 'B', 's_v4mapped'), (359, 'B', 's_frag_interleave'), (360, 'I', 's_type'),
)
_P_ADDRESS = 168
# sctp_stats_print (iproute2 6.1.0), in its order: (field, label, how) -- printed only when not 0; 'x' is %x,
# 'd' %d (u32 fields print signed), 'state' the SCTP state name. The other fields are not printed.
_STATS = (
    ('tag', 'tag', 'x'), ('state', 'state', 'state'), ('rwnd', 'rwnd', 'd'), ('unackdata', 'unackdata', 'd'),
    ('penddata', 'penddata', 'd'), ('instrms', 'instrms', 'd'), ('outstrms', 'outstrms', 'd'),
    ('inqueue', 'inqueue', 'd'), ('outqueue', 'outqueue', 'd'), ('overall_error', 'overerr', 'd'),
    ('max_burst', 'maxburst', 'd'), ('maxseg', 'maxseg', 'd'), ('peer_rwnd', 'prwnd', 'd'), ('peer_tag', 'ptag', 'x'),
    ('peer_capable', 'pcapable', 'd'), ('peer_sack', 'psack', 'd'), ('s_autoclose', 'autoclose', 'd'),
    ('s_adaptation_ind', 'adapind', 'd'), ('s_pd_point', 'pdpoint', 'd'), ('s_nodelay', 'nodelay', 'd'),
    ('s_disable_fragments', 'nofrag', 'd'), ('s_v4mapped', 'v4mapped', 'd'), ('s_frag_interleave', 'fraginl', 'd'),
)


def sockaddr_text(data, off=0):
    """(address text, port) of the struct sockaddr_storage at data[off:], as ss's format_host_sa prints it (-n).

    inet and inet6 only; any other family gives (None, 0) (ss prints nothing).
    """
    if len(data) < off + 2:
        return None, 0
    family = _FAMILY.unpack_from(data, off)[0]
    if family == AF_INET and len(data) >= off + 8:
        return socket.inet_ntop(socket.AF_INET, bytes(data[off + 4:off + 8])), struct.unpack_from('>H', data, off + 2)[0]
    if family == AF_INET6 and len(data) >= off + 24:
        return socket.inet_ntop(socket.AF_INET6, bytes(data[off + 8:off + 24])), struct.unpack_from('>H', data, off + 2)[0]
    return None, 0


def sockaddr_list(data):
    """The addresses of an INET_DIAG_LOCALS / PEERS payload (whole sockaddr_storage entries), or None when not sent."""
    if data is None:
        return None
    return [sockaddr_text(data, off)[0] for off in range(0, len(data) - SOCKADDR_STORAGE + 1, SOCKADDR_STORAGE)]


def decode_sctp_info(data):
    """struct sctp_info by length -> {field: value}: the fields wholly sent; p_address / p_port with the address."""
    if data is None:
        return None
    n = len(data)
    out = {}
    for off, fmt, name in _SCTP_INFO_FIELDS:
        if off + struct.calcsize('=' + fmt) <= n:
            out[name] = struct.unpack_from('=' + fmt, data, off)[0]
        if off == 160 and n >= _P_ADDRESS + SOCKADDR_STORAGE:
            out['p_address'], out['p_port'] = sockaddr_text(data, _P_ADDRESS)
    return out


def decode_info(attrs, state=None):
    """The `info` value of an SCTP record from its attributes {type: bytes}: {'sctp_info': ...}, or {} without INFO."""
    info = attrs.get(INET_DIAG_INFO)
    return {} if info is None else {'sctp_info': decode_sctp_info(info)}


def stats_text(si):
    """sctp_stats_print (iproute2 6.1.0) of a decoded sctp_info: ' tag:.. state:.. rwnd:..', zero fields hidden."""
    out = []
    for field, label, how in _STATS:
        value = si.get(field, 0)
        if not value:
            continue
        if how == 'x':
            out.append(' %s:%x' % (label, value))
        elif how == 'state':
            # ss indexes its 8 names with it; the kernel never sends more (asoc->state)
            out.append(' state:%s' % (SCTP_STATE_NAMES[value] if value < len(SCTP_STATE_NAMES) else value))
        else:
            out.append(' %s:%d' % (label, to_s32(value)))
    return ''.join(out)


def sctp_text(rec, host=None):
    """What sctp_show_info prints after the skmem text: ' locals:a,b peers:c,d' and the sctp_info stats (-i).

    host: callable(address text) -> what ss -r prints for it (format_host), or None for -n.
    """
    sctp = rec.get('sctp') or {}
    out = ''
    for key in ('locals', 'peers'):
        addrs = sctp.get(key)
        if addrs is not None:
            texts = [('' if a is None else host(a) if host else a) for a in addrs]
            out += ' %s:%s' % (key, ','.join(texts))
    info = rec.get('info') or {}
    if info.get('sctp_info'):
        out += stats_text(info['sctp_info'])
    return out


def decode_sctp(chunks, ctx, out, table='sctp'):
    """Decode the inet_diag_msg replies of an SCTP dump (endpoints and associations) into records appended to out."""
    match = ctx.match
    if match is not None:
        match = getattr(match, 'userspace', match)     # the kernel ignores the program (B-34): see _filter._plan
    families = ctx.families
    for buf, msgs in chunks:
        for off, mlen in msgs:
            if mlen < 88:
                continue        # shorter than any inet_diag_msg the kernel sends: not a socket
            family = buf[off + 16]
            if family not in families:
                continue
            (family, state, timer, retrans, sport, dport, src, dst, ifindex, cookie,
             expires, rq, wq, uid, inode) = (INET4_MSG if family == AF_INET else INET6_MSG).unpack_from(buf, off + 16)
            if _BIG_ENDIAN:
                cookie = ((cookie & 0xffffffff) << 32) | (cookie >> 32)
            else:
                sport = ((sport & 0xff) << 8) | (sport >> 8)
                dport = ((dport & 0xff) << 8) | (dport >> 8)
            src = bytes(src)
            dst = bytes(dst)
            attrs = attr_map(buf, off + 88, off + mlen)
            mark = U32.unpack_from(attrs[INET_DIAG_MARK])[0] if len(attrs.get(INET_DIAG_MARK, b'')) >= 4 else 0
            cgroup = U64.unpack_from(attrs[INET_DIAG_CGROUP_ID])[0] \
                if len(attrs.get(INET_DIAG_CGROUP_ID, b'')) >= 8 else 0
            hit = True
            if match is not None:
                hit = match(SockView(family, table, state, src, dst, sport, dport, ifindex, mark, cgroup))
                if not hit:
                    continue
            association = INET_DIAG_PEERS in attrs
            v6only = attrs.get(INET_DIAG_SKV6ONLY)
            v6only = v6only[0] if v6only else None
            if family == AF_INET:
                laddr, raddr = ctx.v4(src), ctx.v4(dst)
            else:
                laddr = ('::' if v6only else '*') if src == _V6_ANY else ctx.v6(src)
                raddr = ('::' if v6only else '*') if dst == _V6_ANY else ctx.v6(dst)
            if association:
                name = SCTP_STATE_NAMES[state] if state < len(SCTP_STATE_NAMES) else 'UNKNOWN'
            else:
                name = STATE_NAMES[state] if state < len(STATE_NAMES) else 'UNKNOWN'
            rec = {
                'netid': 'sctp', 'state': name, 'recv_q': rq, 'send_q': wq,
                'local_address': laddr, 'local_port': sport, 'peer_address': raddr, 'peer_port': dport,
                'interface': ctx.ifname(ifindex) if ifindex else None,
                'family': 'inet' if family == AF_INET else 'inet6',
                'uid': uid, 'inode': inode, 'cookie': cookie,
                'sctp': {'endpoint': inode if association else None,
                         'locals': sockaddr_list(attrs.get(INET_DIAG_LOCALS)),
                         'peers': sockaddr_list(attrs.get(INET_DIAG_PEERS))},
            }
            if ctx.timers:
                if timer:
                    # ss's sctp_timer_print names every SCTP timer T3_RTX (the only one the kernel reports)
                    rec['timer'], rec['timer_expires_ms'], rec['timer_retrans'] = 'T3_RTX', expires, retrans
                else:
                    rec['timer'] = rec['timer_expires_ms'] = rec['timer_retrans'] = None
            if ctx.identity:
                rec[SOCKID] = SockId(family, INET_PROTOCOLS[table], src.ljust(16, b'\0'), dst.ljust(16, b'\0'),
                                     sport, dport, ifindex, cookie, inode)
            if ctx.details:
                inet_details(rec, attrs, table, state, ctx)
            if ctx.tagged:
                rec[MATCHES] = hit
            out.append(rec)


def dump_sctp(sock, table, tables, states, ctx, out, bytecode=None, inet_families=(AF_INET, AF_INET6)):
    """sctp (ss -S): the inet dump with protocol 132 per family, as ss sends it (the program too, which the kernel
    ignores). A kernel without sctp_diag ends it with ENOENT (TableNotSupported: the table is skipped)."""
    ext = inet_ext(ctx.details) if ctx.details else 0
    for family in inet_families:
        if family in ctx.families:
            decode_sctp(nl.dump(sock, inet_request(family, table, states, bytecode, ext), table), ctx, out, table)


__all__ = ['INET_DIAG_LOCALS', 'INET_DIAG_PEERS', 'sockaddr_text', 'sockaddr_list',
           'decode_sctp_info', 'decode_info', 'stats_text', 'sctp_text', 'decode_sctp', 'dump_sctp']
