# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""What `ss -i` shows for inet sockets: the kernel's info attributes as data, and ss's text for them.

Pure functions, no I/O. The oracle is iproute2 6.1.0's ss (tcp_show_info,
tcp_stats_print, mptcp_show_info, mptcp_stats_print in misc/ss.c); where
newer iproute2 prints differently it is said next to the code.

decode_info(protocol, attrs, state) -> the value of a record's `info` key.
`attrs` maps attribute types (flags masked, as _netlink.iter_attrs gives
them) to payload bytes, as _diag.attr_map builds it from a message. Every
structure is decoded by the length the kernel sent: a field that was not
sent is absent, bytes beyond what this code knows are ignored. Kernel units
stay as they are (tcp_info times in µs except last_* and total_rto_time in
ms, rates in bytes/s).

tcp and dccp (dccp sends a tcp_info-shaped INFO)::

    {'tcp_info': {...},      # struct tcp_info, TCP_INFO_FIELDS names, when INFO was sent
     'congestion': 'cubic',  # INET_DIAG_CONG (str), None when not sent
     'vegas': {'enabled', 'rttcnt', 'rtt', 'minrtt'},            # when sent (VEGASINFO)
     'dctcp': {'enabled', 'ce_state', 'alpha', 'ab_ecn', 'ab_tot'},  # when sent (DCTCPINFO)
     'bbr': {'bw', 'min_rtt', 'pacing_gain', 'cwnd_gain'},       # when sent (BBRINFO; bw in bytes/s
                                                                 #  from bw_lo/bw_hi, gains << 8)
     'derived': {...},       # what ss computes from them, see below (when INFO was sent)
     'md5keys': [{'family': 'inet'|'inet6'|<number>, 'prefixlen': int, 'address': str,
                  'key': str}],   # MD5SIG (root only); key as ss prints it (\\ooo escapes)
     'ulp': {'name': str,                                        # ULP_INFO, each part when sent
             'tls': {'version', 'cipher', 'txconf', 'rxconf', 'zc_ro_tx', 'rx_no_pad', 'tx_max_payload_len'},
             'mptcp': {'token_rem', 'token_loc', 'relwrite_seq', 'map_seq', 'map_sfseq',
                       'ssn_offset', 'map_datalen', 'flags', 'id_rem', 'id_loc'}}}

    {} when the kernel sent none of these attributes (TIME-WAIT and
    SYN-RECV sockets, or INFO not requested).

`derived` holds the values ss computes, under the names ss prints, each only
when ss prints it (same conditions), as the C doubles ss computes::

    rto, rtt, rttvar, ato, rcv_rtt, minrtt      ms (float); rto not when 3 s (the initial value),
                                                minrtt not when 0 or ~0, rttvar with rtt
    send                                        bits/s: cwnd * mss * 8e6 / rtt (µs; the vegas rtt
                                                when vegas is enabled and its rtt valid)
    pacing_rate, max_pacing_rate, delivery_rate bits/s (kernel bytes/s * 8); pacing not 0 or ~0,
                                                max only with pacing
    app_limited                                 True (only when set)
    busy, rwnd_limited, sndbuf_limited          ms (int, µs // 1000); the last two only with busy
    rwnd_limited_pct, sndbuf_limited_pct        100 * limited / busy (float)
    bbr                                         {'bw': bits/s, 'mrtt': ms, 'pacing_gain': x,
                                                 'cwnd_gain': x} (gains / 256, only when not 0)
    options                                     ['ts', 'sack', 'ecn', 'ecnseen', 'fastopen'], the ones
                                                set (ss prints them with -o / -e), when any

Other print conditions (zero values hidden, ssthresh only below 0xFFFF,
reordering only when not 3, sacked never for LISTEN, wscale only with the
WSCALE option) are applied by info_text() to the raw tcp_info.

mptcp::

    {'mptcp_info': {...},    # struct mptcp_info, MPTCP_INFO_FIELDS names
     'derived': {'fallback': True, 'remote_key': True}}   # the flags ss prints, when set

udp, raw: {} -- the kernel sends no INFO for them (checked on 6.18 with
INFO requested), and ss prints no info for UDP.

sctp: {'sctp_info': {...}} (struct sctp_info by length), {} without INFO;
decoded and printed by _diag_sctp (_decode_sctp() / _sctp_text() below). The
locals and peers ss prints before it (with -m too) are in the record's `sctp`
key, not here: _render adds them.

info_text(info, state, ...) -> the text ss appends for that socket with -i:
'\\n\\t' (nothing with -O), the caller's skmem text (ss prints it first, and
whenever the kernel sent SKMEMINFO, i.e. with -m), then what tcp_show_info /
mptcp_show_info print. info_block_shown() says whether ss prints that block
at all (not for UDP without -m).
"""

from __future__ import annotations

import math
import socket
import struct

from ansible_collections.netdiag.ss.plugins.module_utils._cparse import to_s32
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import (
    INET_DIAG_BBRINFO, INET_DIAG_CONG, INET_DIAG_DCTCPINFO, INET_DIAG_INFO, INET_DIAG_MD5SIG, INET_DIAG_ULP_INFO,
    INET_DIAG_VEGASINFO,
)
from ansible_collections.netdiag.ss.plugins.module_utils._netlink import iter_attrs
from ansible_collections.netdiag.ss.plugins.module_utils._schema import bytes_text

TCP_LISTEN = 10
_IPPROTO_UDP = 17

# struct tcp_info (linux/tcp.h, 280 bytes on 6.18): (offset, struct format, name). Bytes 6, 7 and
# 276..279 are bitfields, split in _TCP_BITFIELDS.
_TCP_FIELDS = (
    (0, 'B', 'state'), (1, 'B', 'ca_state'), (2, 'B', 'retransmits'), (3, 'B', 'probes'), (4, 'B', 'backoff'),
    (5, 'B', 'options'),
    (8, 'I', 'rto'), (12, 'I', 'ato'), (16, 'I', 'snd_mss'), (20, 'I', 'rcv_mss'),
    (24, 'I', 'unacked'), (28, 'I', 'sacked'), (32, 'I', 'lost'), (36, 'I', 'retrans'), (40, 'I', 'fackets'),
    (44, 'I', 'last_data_sent'), (48, 'I', 'last_ack_sent'), (52, 'I', 'last_data_recv'), (56, 'I', 'last_ack_recv'),
    (60, 'I', 'pmtu'), (64, 'I', 'rcv_ssthresh'), (68, 'I', 'rtt'), (72, 'I', 'rttvar'), (76, 'I', 'snd_ssthresh'),
    (80, 'I', 'snd_cwnd'), (84, 'I', 'advmss'), (88, 'I', 'reordering'), (92, 'I', 'rcv_rtt'), (96, 'I', 'rcv_space'),
    (100, 'I', 'total_retrans'),
    (104, 'Q', 'pacing_rate'), (112, 'Q', 'max_pacing_rate'), (120, 'Q', 'bytes_acked'), (128, 'Q', 'bytes_received'),
    (136, 'I', 'segs_out'), (140, 'I', 'segs_in'), (144, 'I', 'notsent_bytes'), (148, 'I', 'min_rtt'),
    (152, 'I', 'data_segs_in'), (156, 'I', 'data_segs_out'),
    (160, 'Q', 'delivery_rate'), (168, 'Q', 'busy_time'), (176, 'Q', 'rwnd_limited'), (184, 'Q', 'sndbuf_limited'),
    (192, 'I', 'delivered'), (196, 'I', 'delivered_ce'), (200, 'Q', 'bytes_sent'), (208, 'Q', 'bytes_retrans'),
    (216, 'I', 'dsack_dups'), (220, 'I', 'reord_seen'), (224, 'I', 'rcv_ooopack'), (228, 'I', 'snd_wnd'),
    (232, 'I', 'rcv_wnd'), (236, 'I', 'rehash'),
    (240, 'H', 'total_rto'), (242, 'H', 'total_rto_recoveries'), (244, 'I', 'total_rto_time'),
    (248, 'I', 'received_ce'), (252, 'I', 'delivered_e1_bytes'), (256, 'I', 'delivered_e0_bytes'),
    (260, 'I', 'delivered_ce_bytes'), (264, 'I', 'received_e1_bytes'), (268, 'I', 'received_e0_bytes'),
    (272, 'I', 'received_ce_bytes'),
)
# bitfields, LSB first on the little-endian hosts this runs on: (offset, size, ((name, shift, width), ...))
_TCP_BITFIELDS = (
    (6, 1, (('snd_wscale', 0, 4), ('rcv_wscale', 4, 4))),
    (7, 1, (('delivery_rate_app_limited', 0, 1), ('fastopen_client_fail', 1, 2))),
    (276, 4, (('ecn_mode', 0, 2), ('accecn_opt_seen', 2, 2), ('accecn_fail_mode', 4, 4), ('options2', 8, 24))),
)
# the size of struct tcp_info this code knows
TCP_INFO_SIZE = 280

# struct mptcp_info (linux/mptcp.h, 96 bytes on 6.18). endp_laminar_max and endp_fullmesh_max were
# reserved bytes before (always 0), so an older kernel's 96 bytes read them as 0.
_MPTCP_FIELDS = (
    (0, 'B', 'subflows'), (1, 'B', 'add_addr_signal'), (2, 'B', 'add_addr_accepted'), (3, 'B', 'subflows_max'),
    (4, 'B', 'add_addr_signal_max'), (5, 'B', 'add_addr_accepted_max'),
    (8, 'I', 'flags'), (12, 'I', 'token'), (16, 'Q', 'write_seq'), (24, 'Q', 'snd_una'), (32, 'Q', 'rcv_nxt'),
    (40, 'B', 'local_addr_used'), (41, 'B', 'local_addr_max'), (42, 'B', 'csum_enabled'),
    (44, 'I', 'retransmits'), (48, 'Q', 'bytes_retrans'), (56, 'Q', 'bytes_sent'), (64, 'Q', 'bytes_received'),
    (72, 'Q', 'bytes_acked'), (80, 'B', 'subflows_total'), (81, 'B', 'endp_laminar_max'),
    (82, 'B', 'endp_fullmesh_max'), (84, 'I', 'last_data_sent'), (88, 'I', 'last_data_recv'),
    (92, 'I', 'last_ack_recv'),
)
MPTCP_INFO_SIZE = 96
_MPTCP_INFO_FLAG_FALLBACK = 1
_MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED = 2

# field names, in struct order (bitfields at their place)
TCP_INFO_FIELDS = tuple(
    name for _off, name in sorted(
        [(off, name) for off, _fmt, name in _TCP_FIELDS]
        + [(off + i / 10.0, bf[0]) for off, _size, bits in _TCP_BITFIELDS for i, bf in enumerate(bits)]))
MPTCP_INFO_FIELDS = tuple(name for _off, _fmt, name in _MPTCP_FIELDS)

# tcpi_options bits, and the words ss -o prints for them, in ss's order (WSCALE prints wscale:S,R)
TCPI_OPT_TIMESTAMPS = 1
TCPI_OPT_SACK = 2
TCPI_OPT_WSCALE = 4
TCPI_OPT_ECN = 8
TCPI_OPT_ECN_SEEN = 16
TCPI_OPT_SYN_DATA = 32
# iproute2 >= 6.8 also prints usec_ts (TCPI_OPT_USEC_TS, 64) after ts; 6.1.0 does not.
_OPTION_WORDS = ((TCPI_OPT_TIMESTAMPS, 'ts'), (TCPI_OPT_SACK, 'sack'), (TCPI_OPT_ECN, 'ecn'),
                 (TCPI_OPT_ECN_SEEN, 'ecnseen'), (TCPI_OPT_SYN_DATA, 'fastopen'))
# tcpi_options (a byte) -> the words ss prints for it, in that order
_OPTIONS = tuple(tuple(word for bit, word in _OPTION_WORDS if options & bit) for options in range(256))

_U32_MAX = 0xffffffff
_U64_MAX = 0xffffffffffffffff

_VEGAS_NAMES = ('enabled', 'rttcnt', 'rtt', 'minrtt')
_DCTCP = (('enabled', 0, 'H'), ('ce_state', 2, 'H'), ('alpha', 4, 'I'), ('ab_ecn', 8, 'I'), ('ab_tot', 12, 'I'))
_BBR = (('bw_lo', 0), ('bw_hi', 4), ('min_rtt', 8), ('pacing_gain', 12), ('cwnd_gain', 16))

# struct tcp_diag_md5sig: u8 family, u8 prefixlen, u16 keylen, be32 addr[4], u8 key[80] (TCP_MD5SIG_MAXKEYLEN)
_MD5SIG = struct.Struct('=BBH16s80s')

# ULP_INFO nest (linux/inet_diag.h), its TLS nest (linux/tls.h), its MPTCP subflow nest (linux/mptcp.h)
INET_ULP_INFO_NAME = 1
INET_ULP_INFO_TLS = 2
INET_ULP_INFO_MPTCP = 3
_TLS_ATTRS = {1: ('version', 'H'), 2: ('cipher', 'H'), 3: ('txconf', 'H'), 4: ('rxconf', 'H'),
              5: ('zc_ro_tx', None), 6: ('rx_no_pad', None), 7: ('tx_max_payload_len', 'H')}
_SUBFLOW_ATTRS = {1: ('token_rem', 'I'), 2: ('token_loc', 'I'), 3: ('relwrite_seq', 'I'), 4: ('map_seq', 'Q'),
                  5: ('map_sfseq', 'I'), 6: ('ssn_offset', 'I'), 7: ('map_datalen', 'H'), 8: ('flags', 'I'),
                  9: ('id_rem', 'B'), 10: ('id_loc', 'B')}
_SUBFLOW_FLAG_LETTERS = 'MmJjBbecv'     # MPTCP_SUBFLOW_FLAG_* bits 0..8: MCAP_REM .. MAPVALID
_TLS_VERSIONS = {0x0303: '1.2', 0x0304: '1.3'}
_TLS_CIPHERS = {51: 'aes-gcm-128', 52: 'aes-gcm-256'}   # 6.1.0 names only these two, and prints nothing for others
_TLS_CONFS = {1: 'none', 2: 'sw', 3: 'hw', 4: 'hw-record'}


# ---------------------------------------------------------------- attributes

def _nested(data):
    """{type: payload} of a nest, first of each type wins (parse_rtattr_nested)."""
    out = {}
    for atype, aoff, alen in iter_attrs(data, 0, len(data)):
        if atype not in out:
            out[atype] = data[aoff:aoff + alen]
    return out


def _c_string(data):
    """A NUL-terminated attribute string as text (the collection's text form of kernel bytes)."""
    data = bytes(data)
    cut = data.find(b'\0')
    return bytes_text(data if cut < 0 else data[:cut])


class _Layout(object):
    """One struct.Struct reading, from a buffer of a given length, every field of a layout wholly inside it.

    Bitfield words are read in place and split into their fields, so the result is in offset order. This runs
    once per socket for tcp_info (-i): the dict is built in one dict(zip()), each word split by one table
    lookup, and the tuple cut only where a word is.
    """

    __slots__ = ('struct', 'names', 'pieces')

    def __init__(self, fields, length, bitfields=()):
        words = dict((off, (size, bits)) for off, size, bits in bitfields)
        items = sorted(list(fields) +
                       [(off, {1: 'B', 2: 'H', 4: 'I'}[size], None) for off, (size, _bits) in words.items()],
                       key=lambda item: item[0])
        fmt, pos, raw, names, pieces = ['='], 0, 0, [], []
        for off, code, name in items:
            size = struct.calcsize('=' + code)
            if off + size > length:
                continue
            if off > pos:
                fmt.append('%dx' % (off - pos))
            if name is None:
                pieces.append((raw, _splitter(words[off][1])))
                names.extend(bit[0] for bit in words[off][1])
            else:
                names.append(name)
            fmt.append(code)
            raw += 1
            pos = off + size
        self.struct = struct.Struct(''.join(fmt))
        self.names = tuple(names)
        self.pieces = tuple(pieces)     # (index in the raw tuple, word -> tuple of its fields), in order

    def unpack(self, data):
        values = self.struct.unpack_from(data)
        if self.pieces:
            out, start = (), 0
            for index, split in self.pieces:
                out += values[start:index] + split(values[index])
                start = index + 1
            values = out + values[start:]
        return dict(zip(self.names, values))


def _splitter(bits):
    """word -> (field, ...) for a bitfield word: the fields inside its low byte from a table of the 256
    answers, the others (at most one in the layouts here) shifted out."""
    low = [(shift, (1 << width) - 1) for _name, shift, width in bits if shift + width <= 8]
    high = [(shift, (1 << width) - 1) for _name, shift, width in bits if shift + width > 8]
    if [name for name, _s, _w in bits] != [name for name, _s, _w in sorted(bits, key=lambda bit: bit[1])] \
            or len(high) > 1 or (high and high[0][0] < 8):
        raise ValueError('bitfields out of order or across the low byte: %r' % (bits,))
    table = tuple(tuple((byte >> shift) & mask for shift, mask in low) for byte in range(256))
    if not high:
        return lambda word: table[word & 0xff]
    shift, mask = high[0]
    return lambda word: table[word & 0xff] + ((word >> shift) & mask,)


def _layout(cache, fields, length, bitfields=()):
    """The _Layout of `fields` for buffers of `length` bytes (one per length seen: kernels send one length)."""
    lay = cache.get(length)
    if lay is None:
        lay = cache[length] = _Layout(fields, length, bitfields)
    return lay


_TCP_LAYOUTS = {}
_MPTCP_LAYOUTS = {}
_DCTCP_FIELDS = tuple((off, fmt, name) for name, off, fmt in _DCTCP)
_DCTCP_LAYOUTS = {}
_BBR_FIELDS = tuple((off, 'I', name) for name, off in _BBR)
_BBR_LAYOUTS = {}
_BBR_STRUCT = struct.Struct('=IIIII')


# ---------------------------------------------------------------- structures

def decode_tcp_info(data):
    """struct tcp_info by length -> {field: value} (names without tcpi_, TCP_INFO_FIELDS order).

    Fields the kernel did not send are absent; bytes past TCP_INFO_SIZE are ignored.
    """
    return _layout(_TCP_LAYOUTS, _TCP_FIELDS, min(len(data), TCP_INFO_SIZE), _TCP_BITFIELDS).unpack(data)


def decode_mptcp_info(data):
    """struct mptcp_info by length -> {field: value} (names without mptcpi_, MPTCP_INFO_FIELDS order)."""
    return _layout(_MPTCP_LAYOUTS, _MPTCP_FIELDS, min(len(data), MPTCP_INFO_SIZE)).unpack(data)


def _decode_vegas(data):
    n = len(data) // 4
    values = struct.unpack_from('=%dI' % min(n, 4), data) if n else ()
    return dict(zip(_VEGAS_NAMES, values))


def _decode_dctcp(data):
    return _layout(_DCTCP_LAYOUTS, _DCTCP_FIELDS, len(data)).unpack(data)


def _decode_bbr(data):
    if len(data) >= _BBR_STRUCT.size:      # what every kernel with BBR sends
        bw_lo, bw_hi, min_rtt, pacing_gain, cwnd_gain = _BBR_STRUCT.unpack_from(data)
        return {'bw': bw_lo | (bw_hi << 32), 'min_rtt': min_rtt, 'pacing_gain': pacing_gain, 'cwnd_gain': cwnd_gain}
    raw = _layout(_BBR_LAYOUTS, _BBR_FIELDS, len(data)).unpack(data)
    out = {}
    if 'bw_lo' in raw:
        out['bw'] = raw['bw_lo'] | (raw.get('bw_hi', 0) << 32)
    for name in ('min_rtt', 'pacing_gain', 'cwnd_gain'):
        if name in raw:
            out[name] = raw[name]
    return out


def _congestion(data):
    """INET_DIAG_CONG as text; the few names a host has are kept once decoded."""
    data = bytes(data)
    name = _CONGESTION_NAMES.get(data)
    if name is None:
        name = _c_string(data)
        if len(_CONGESTION_NAMES) < 64:
            _CONGESTION_NAMES[data] = name
    return name


_CONGESTION_NAMES = {}


def _decode_md5sig(data):
    keys = []
    for off in range(0, len(data) - _MD5SIG.size + 1, _MD5SIG.size):
        family, prefixlen, keylen, addr, key = _MD5SIG.unpack_from(data, off)
        if family == socket.AF_INET:
            name, address = 'inet', socket.inet_ntop(socket.AF_INET, addr[:4])
        elif family == socket.AF_INET6:
            name, address = 'inet6', socket.inet_ntop(socket.AF_INET6, addr)
        else:
            name, address = family, '???'     # iproute2's format_host for a family it does not know
        keys.append({'family': name, 'prefixlen': prefixlen, 'address': address,
                     'key': escape_key(key[:min(keylen, len(key))])})
    return keys


def escape_key(raw):
    """A key as ss prints it (print_escape_buf with " ,"): printable ASCII as is, other bytes, backslash,
    space and comma as \\ooo."""
    return ''.join(chr(b) if 32 < b < 127 and b not in (0x5c, 0x2c) else '\\%03o' % b for b in bytearray(raw))


def _decode_nest(data, table):
    out = {}
    for atype, payload in _nested(data).items():
        if atype not in table:
            continue
        name, fmt = table[atype]
        if fmt is None:
            out[name] = True
        elif fmt == 'H' and len(payload) >= 2:
            out[name] = struct.unpack_from('=H', payload)[0]
        elif fmt == 'B' and len(payload) >= 1:
            out[name] = payload[0]
        elif len(payload) >= struct.calcsize('=' + fmt):
            out[name] = struct.unpack_from('=' + fmt, payload)[0]
    return out


def _decode_ulp(data):
    nest = _nested(data)
    out = {}
    if INET_ULP_INFO_NAME in nest:
        out['name'] = _c_string(nest[INET_ULP_INFO_NAME])
    if INET_ULP_INFO_TLS in nest:
        out['tls'] = _decode_nest(nest[INET_ULP_INFO_TLS], _TLS_ATTRS)
    if INET_ULP_INFO_MPTCP in nest:
        out['mptcp'] = _decode_nest(nest[INET_ULP_INFO_MPTCP], _SUBFLOW_ATTRS)
    return out


# ---------------------------------------------------------------- what ss derives

class _OrZero(dict):
    """A tcp_info from an older kernel, whose missing fields read as 0 (as ss's zeroed struct reads them)."""

    __slots__ = ()

    def __missing__(self, key):
        return 0


def _tcp_derived(ti, vegas, bbr):
    """The values tcp_show_info computes, each only when tcp_stats_print prints it."""
    t = ti if len(ti) == len(TCP_INFO_FIELDS) else _OrZero(ti)
    d = {}
    options = _OPTIONS[t['options'] & 0xff]
    if options:
        d['options'] = list(options)
    rto = t['rto']
    if rto and rto != 3000000:
        d['rto'] = rto / 1000.0
    rtt = t['rtt']
    if rtt:
        d['rtt'] = rtt / 1000.0
        d['rttvar'] = t['rttvar'] / 1000.0
    if t['ato']:
        d['ato'] = t['ato'] / 1000.0
    if bbr is not None:
        bb = {'bw': float(bbr.get('bw', 0)) * 8.0, 'mrtt': bbr.get('min_rtt', 0) / 1000.0}
        if bbr.get('pacing_gain', 0):
            bb['pacing_gain'] = bbr['pacing_gain'] / 256.0
        if bbr.get('cwnd_gain', 0):
            bb['cwnd_gain'] = bbr['cwnd_gain'] / 256.0
        d['bbr'] = bb
    rtt = float(rtt)
    if vegas is not None and vegas.get('enabled') and vegas.get('rtt') and vegas.get('rtt') != 0x7fffffff:
        rtt = float(vegas['rtt'])
    if rtt > 0 and t['snd_mss'] and t['snd_cwnd']:
        d['send'] = float(t['snd_cwnd']) * float(t['snd_mss']) * 8000000.0 / rtt
    pacing = t['pacing_rate']
    if pacing and pacing != _U64_MAX:
        d['pacing_rate'] = float(pacing) * 8.0
        pmax = t['max_pacing_rate']
        if pmax and pmax != _U64_MAX:
            d['max_pacing_rate'] = float(pmax) * 8.0
    if t['delivery_rate']:
        d['delivery_rate'] = float(t['delivery_rate']) * 8.0
    if t['delivery_rate_app_limited']:
        d['app_limited'] = True
    busy = t['busy_time']
    if busy:
        d['busy'] = busy // 1000
        for name in ('rwnd_limited', 'sndbuf_limited'):
            if t[name]:
                d[name] = t[name] // 1000
                d[name + '_pct'] = 100.0 * t[name] / busy
    if t['rcv_rtt']:
        d['rcv_rtt'] = t['rcv_rtt'] / 1000.0
    min_rtt = t['min_rtt']
    if min_rtt and min_rtt != _U32_MAX:
        d['minrtt'] = min_rtt / 1000.0
    return d


# ---------------------------------------------------------------- decode_info

# the attributes besides INFO and CONG that make a TCP info block
_MORE_TCP_ATTRS = frozenset((INET_DIAG_VEGASINFO, INET_DIAG_DCTCPINFO, INET_DIAG_BBRINFO, INET_DIAG_MD5SIG,
                             INET_DIAG_ULP_INFO))


def _decode_tcp(attrs, state):
    info = attrs.get(INET_DIAG_INFO)
    cong = attrs.get(INET_DIAG_CONG)
    if info is None and cong is None and attrs.keys().isdisjoint(_MORE_TCP_ATTRS):
        return {}
    out = {}
    if info is not None:
        out['tcp_info'] = decode_tcp_info(info)
    out['congestion'] = None if cong is None else _congestion(cong)
    vegas = bbr = None
    if INET_DIAG_VEGASINFO in attrs:
        vegas = out['vegas'] = _decode_vegas(attrs[INET_DIAG_VEGASINFO])
    if INET_DIAG_DCTCPINFO in attrs:
        out['dctcp'] = _decode_dctcp(attrs[INET_DIAG_DCTCPINFO])
    if INET_DIAG_BBRINFO in attrs:
        bbr = out['bbr'] = _decode_bbr(attrs[INET_DIAG_BBRINFO])
    if info is not None:
        # ss reads VEGAS/DCTCP/BBR only together with INFO
        out['derived'] = _tcp_derived(out['tcp_info'], vegas, bbr)
    if INET_DIAG_MD5SIG in attrs:
        out['md5keys'] = _decode_md5sig(bytes(attrs[INET_DIAG_MD5SIG]))
    if INET_DIAG_ULP_INFO in attrs:
        out['ulp'] = _decode_ulp(bytes(attrs[INET_DIAG_ULP_INFO]))
    return out


def _decode_mptcp(attrs, state):
    if INET_DIAG_INFO not in attrs:
        return {}
    mi = decode_mptcp_info(attrs[INET_DIAG_INFO])
    derived = {}
    if mi.get('flags', 0) & _MPTCP_INFO_FLAG_FALLBACK:
        derived['fallback'] = True
    if mi.get('flags', 0) & _MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED:
        derived['remote_key'] = True
    return {'mptcp_info': mi, 'derived': derived}


def _decode_nothing(attrs, state):
    """udp, raw: the kernel has no INFO for them (udp_diag / raw_diag: idiag_info_size 0)."""
    return {}


def _decode_sctp(attrs, state):
    """SCTP: struct sctp_info (INFO) by length, as _diag_sctp decodes it."""
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_sctp import decode_info as decode_sctp_info
    return decode_sctp_info(attrs, state)


_DECODERS = {'tcp': _decode_tcp, 'dccp': _decode_tcp, 'mptcp': _decode_mptcp,
             'udp': _decode_nothing, 'raw': _decode_nothing, 'sctp': _decode_sctp}


def decode_info(protocol, attrs, state):
    """The `info` value of an inet socket of table `protocol` (see the module docstring).

    attrs: {attribute type: payload bytes} of its inet_diag_msg (_diag.attr_map());
    state: its idiag_state (TCP state number).
    """
    try:
        decoder = _DECODERS[protocol]
    except KeyError:
        raise ValueError('not an inet table: %r' % (protocol,))
    return decoder(attrs, state)


# ---------------------------------------------------------------- C formatting

def c_format_g(value, precision=6):
    """printf("%.<precision>g", value) exactly as the C library prints it.

    C99 7.19.6.1: with P the precision (6 if omitted, 1 if 0) and X the
    exponent %e would print (after rounding to P significant digits), use
    %f with precision P-1-X when P > X >= -4, else %e with precision P-1;
    then drop trailing zeros of the fraction, and the point if nothing is
    left after it. Python's %e / %f round correctly (round-half-even on
    the exact binary value), as glibc does in its default rounding mode.
    """
    value = float(value)
    if math.isnan(value):
        return '-nan' if math.copysign(1.0, value) < 0 else 'nan'
    if math.isinf(value):
        return '-inf' if value < 0 else 'inf'
    p = precision if precision > 0 else 1
    text = '%.*e' % (p - 1, value)
    mantissa, _e, exp_text = text.partition('e')
    exp = int(exp_text)
    if -4 <= exp < p:
        text = '%.*f' % (p - 1 - exp, value)
        if '.' in text:
            text = text.rstrip('0').rstrip('.')
        return text
    if '.' in mantissa:
        mantissa = mantissa.rstrip('0').rstrip('.')
    return '%se%s%02d' % (mantissa, '-' if exp < 0 else '+', abs(exp))


def format_bw(bps, numeric=True):
    """A rate in bits/s as ss's sprint_bw prints it: %.0f with -n, else %.3g with a k/M/G/T suffix (SI, decimal)."""
    if numeric:
        return '%.0f' % bps
    for limit, suffix in ((1e12, 'T'), (1e9, 'G'), (1e6, 'M'), (1e3, 'k')):
        if bps >= limit:
            return c_format_g(bps / limit, 3) + suffix
    return c_format_g(bps)


# ---------------------------------------------------------------- info_text

def info_block_shown(protocol, show_info=True, show_mem=False, raw_protocol=None):
    """Whether ss prints the info block (newline, tab, -m and -i text) for a socket of this table.

    ss: `show_mem || (show_tcpinfo && type != IPPROTO_UDP)`, where type is the
    table's protocol, or for a raw socket its INET_DIAG_PROTOCOL (so a raw
    socket of protocol 17 gets no -i block either).
    """
    if show_mem:
        return True
    if not show_info:
        return False
    if protocol == 'udp':
        return False
    if protocol == 'raw' and raw_protocol == _IPPROTO_UDP:
        return False
    return True


def info_text(info, state, skmem_text='', show_options=False, numeric=True, oneline=False, host=None):
    """The text ss appends for a socket's info block: '\\n\\t' (nothing with -O), skmem_text, the -i text.

    info: decode_info()'s result; state: the TCP state number (or 'LISTEN');
    skmem_text: the ' skmem:(...)' text (or ' mem:(...)'), '' without -m;
    show_options: ss -o / -e (ts, sack, ecn, ecnseen, fastopen);
    numeric: ss -n (rates as plain numbers); oneline: ss -O;
    host: address -> name for ss -r (the addresses of md5keys), None for numeric.
    Whether ss prints the block at all: info_block_shown().
    """
    out = [] if oneline else ['\n\t']
    out.append(skmem_text)
    if 'mptcp_info' in info:
        _mptcp_text(info, out)
    elif any(k in info for k in ('sctp_info', 'locals', 'peers')):
        _sctp_text(info, out)
    else:
        listen = state == TCP_LISTEN or state == 'LISTEN'
        if 'tcp_info' in info:
            _tcp_text(info, listen, show_options, numeric, out)
        _md5_ulp_text(info, out, host)
    return ''.join(out)


def _tcp_text(info, listen, show_options, numeric, out):
    """tcp_stats_print (iproute2 6.1.0): tokens in its order, zero values hidden."""
    ti = info['tcp_info']
    d = info.get('derived') or {}
    g = ti.get
    w = out.append
    options = g('options', 0)
    if show_options:
        for word in _OPTIONS[options & 0xff]:
            w(' ' + word)
    cong = info.get('congestion')
    if cong:
        w(' ' + cong[:15])     # ss keeps 15 characters (cong_alg[16])
    if options & TCPI_OPT_WSCALE:
        w(' wscale:%d,%d' % (g('snd_wscale', 0), g('rcv_wscale', 0)))
    if 'rto' in d:
        w(' rto:' + c_format_g(d['rto']))
    if g('backoff', 0):
        w(' backoff:%u' % g('backoff'))
    if 'rtt' in d:
        w(' rtt:%s/%s' % (c_format_g(d['rtt']), c_format_g(d.get('rttvar', 0.0))))
    if 'ato' in d:
        w(' ato:' + c_format_g(d['ato']))
    for key, word, signed in (('snd_mss', 'mss', True), ('pmtu', 'pmtu', False), ('rcv_mss', 'rcvmss', True),
                              ('advmss', 'advmss', True), ('snd_cwnd', 'cwnd', False)):
        if g(key, 0):
            w(' %s:%d' % (word, to_s32(g(key)) if signed else g(key)))
    ssthresh = g('snd_ssthresh', 0)
    if ssthresh and ssthresh < 0xFFFF:
        w(' ssthresh:%d' % ssthresh)
    for key, word in (('bytes_sent', 'bytes_sent'), ('bytes_retrans', 'bytes_retrans'), ('bytes_acked', 'bytes_acked'),
                      ('bytes_received', 'bytes_received'), ('segs_out', 'segs_out'), ('segs_in', 'segs_in'),
                      ('data_segs_out', 'data_segs_out'), ('data_segs_in', 'data_segs_in')):
        if g(key, 0):
            w(' %s:%d' % (word, g(key)))
    if 'dctcp' in info:
        dc = info['dctcp']
        if dc.get('enabled'):
            w(' dctcp:(ce_state:%d,alpha:%d,ab_ecn:%d,ab_tot:%d)' % (dc.get('ce_state', 0), dc.get('alpha', 0),
                                                                     dc.get('ab_ecn', 0), dc.get('ab_tot', 0)))
        else:
            w(' dctcp:fallback_mode')
    if 'bbr' in d:
        bb = d['bbr']
        w(' bbr:(bw:%sbps,mrtt:%s' % (format_bw(bb['bw'], numeric), c_format_g(bb['mrtt'])))
        if 'pacing_gain' in bb:
            w(',pacing_gain:' + c_format_g(bb['pacing_gain']))
        if 'cwnd_gain' in bb:
            w(',cwnd_gain:' + c_format_g(bb['cwnd_gain']))
        w(')')
    if 'send' in d:
        w(' send %sbps' % format_bw(d['send'], numeric))
    for key, word in (('last_data_sent', 'lastsnd'), ('last_data_recv', 'lastrcv'), ('last_ack_recv', 'lastack')):
        if g(key, 0):
            w(' %s:%d' % (word, g(key)))
    if 'pacing_rate' in d:
        w(' pacing_rate %sbps' % format_bw(d['pacing_rate'], numeric))
        if 'max_pacing_rate' in d:
            w('/%sbps' % format_bw(d['max_pacing_rate'], numeric))
    if 'delivery_rate' in d:
        w(' delivery_rate %sbps' % format_bw(d['delivery_rate'], numeric))
    if g('delivered', 0):
        w(' delivered:%d' % g('delivered'))
    if g('delivered_ce', 0):
        w(' delivered_ce:%d' % g('delivered_ce'))
    if d.get('app_limited'):
        w(' app_limited')
    if 'busy' in d:
        w(' busy:%dms' % d['busy'])
        for name in ('rwnd_limited', 'sndbuf_limited'):
            if name in d:
                w(' %s:%dms(%.1f%%)' % (name, d[name], d[name + '_pct']))
    if g('unacked', 0):
        w(' unacked:%d' % g('unacked'))
    if g('retrans', 0) or g('total_retrans', 0):
        w(' retrans:%d/%d' % (g('retrans', 0), g('total_retrans', 0)))
    if g('lost', 0):
        w(' lost:%d' % g('lost'))
    if g('sacked', 0) and not listen:      # for a listener, sacked is its backlog limit
        w(' sacked:%d' % g('sacked'))
    if g('dsack_dups', 0):
        w(' dsack_dups:%d' % g('dsack_dups'))
    if g('fackets', 0):
        w(' fackets:%d' % g('fackets'))
    if g('reordering', 0) != 3:
        w(' reordering:%d' % to_s32(g('reordering', 0)))
    if g('reord_seen', 0):
        w(' reord_seen:%d' % to_s32(g('reord_seen')))
    if 'rcv_rtt' in d:
        w(' rcv_rtt:' + c_format_g(d['rcv_rtt']))
    if g('rcv_space', 0):
        w(' rcv_space:%d' % to_s32(g('rcv_space')))
    if g('rcv_ssthresh', 0):
        w(' rcv_ssthresh:%d' % g('rcv_ssthresh'))
    if g('notsent_bytes', 0):
        w(' notsent:%d' % g('notsent_bytes'))
    if 'minrtt' in d:
        w(' minrtt:' + c_format_g(d['minrtt']))
    if g('rcv_ooopack', 0):
        w(' rcv_ooopack:%d' % g('rcv_ooopack'))
    if g('snd_wnd', 0):
        w(' snd_wnd:%d' % g('snd_wnd'))
    # iproute2 >= 6.6 goes on with rcv_wnd:%u and rehash:%u; 6.1.0 stops here.


def _md5_ulp_text(info, out, host=None):
    """The MD5SIG and ULP_INFO parts of tcp_show_info (printed with or without INFO); host: for -r, as in info_text."""
    w = out.append
    if 'md5keys' in info:
        # (ss also prints one key from whatever bytes a payload shorter than one entry holds; we print none)
        # 6.1.0 prints each key with printf() (print_escape_buf), outside its column buffer, so the
        # keys come out before the table and the token reads 'md5keys:ADDR/PLEN=,...'; later iproute2
        # (out_escape_buf) prints them in place. We print them in place.
        # the address as format_host() prints it: a name with -r
        w(' md5keys:' + ','.join('%s/%d=%s' % (host(k['address']) if host and k['family'] in ('inet', 'inet6')
                                               else k['address'], k['prefixlen'], k['key'])
                                 for k in info['md5keys']))
    ulp = info.get('ulp')
    if not ulp:
        return
    if 'name' in ulp:
        w(' tcp-ulp-' + ulp['name'])
    tls = ulp.get('tls')
    if tls is not None:
        if 'version' in tls:
            v = tls['version']
            w(' version: ' + _TLS_VERSIONS.get(v, 'unknown(%d)' % v))
        if tls.get('cipher') in _TLS_CIPHERS:
            w(' cipher: ' + _TLS_CIPHERS[tls['cipher']])
        for name in ('rxconf', 'txconf'):
            if name in tls:
                w(' %s: %s' % (name, _TLS_CONFS.get(tls[name], 'unknown(%d)' % tls[name])))
        if tls.get('zc_ro_tx'):
            w(' zc_ro_tx')
        # newer iproute2 also prints ' no_pad_rx' (rx_no_pad); 6.1.0 does not
    sf = ulp.get('mptcp')
    if sf is not None:
        _subflow_text(sf, out)


def _subflow_text(sf, out):
    """mptcp_subflow_info (6.1.0: hexadecimal seq/sfseq/ssnoff/maplen; iproute2 >= 6.14 prints them in decimal)."""
    w = out.append
    flags = sf.get('flags', 0)
    if flags:
        letters = ''.join(letter for i, letter in enumerate(_SUBFLOW_FLAG_LETTERS) if flags & (1 << i))
        w(' flags:' + letters)
    if all(k in sf for k in ('token_rem', 'token_loc', 'id_rem', 'id_loc')):
        w(' token:%04x(id:%d)/%04x(id:%d)' % (sf['token_rem'], sf['id_rem'], sf['token_loc'], sf['id_loc']))
    if 'map_seq' in sf:
        w(' seq:%x' % sf['map_seq'])
    if 'map_sfseq' in sf:
        w(' sfseq:%x' % sf['map_sfseq'])
    if 'ssn_offset' in sf:
        w(' ssnoff:%x' % sf['ssn_offset'])
    if 'map_datalen' in sf:
        w(' maplen:%x' % sf['map_datalen'])


def _mptcp_text(info, out):
    """mptcp_stats_print (iproute2 6.1.0).

    6.1.0 prints token, write_seq, snd_una and rcv_nxt in hexadecimal; newer
    iproute2 prints them in decimal and adds local_addr_used, local_addr_max,
    csum_enabled, retransmits, bytes_*, subflows_total, endp_*_max, last_*.
    """
    mi = info['mptcp_info']
    g = mi.get
    w = out.append
    for name in ('subflows', 'add_addr_signal', 'add_addr_accepted', 'subflows_max', 'add_addr_signal_max',
                 'add_addr_accepted_max'):
        if g(name, 0):
            w(' %s:%d' % (name, g(name)))
    if g('flags', 0) & _MPTCP_INFO_FLAG_FALLBACK:
        w(' fallback')
    if g('flags', 0) & _MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED:
        w(' remote_key')
    if g('token', 0):
        w(' token:%x' % g('token'))
    for name in ('write_seq', 'snd_una', 'rcv_nxt'):
        if g(name, 0):
            w(' %s:%x' % (name, g(name)))


def _sctp_text(info, out):
    """SCTP: sctp_stats_print's text (the locals and peers before it come from the record, see _diag_sctp.sctp_text)."""
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_sctp import stats_text
    if info.get('sctp_info'):
        out.append(stats_text(info['sctp_info']))


__all__ = ['decode_info', 'decode_tcp_info', 'decode_mptcp_info', 'info_text', 'info_block_shown',
           'c_format_g', 'format_bw', 'escape_key', 'TCP_INFO_FIELDS', 'MPTCP_INFO_FIELDS', 'TCP_INFO_SIZE',
           'MPTCP_INFO_SIZE']
