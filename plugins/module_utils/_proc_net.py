# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Sockets read from the /proc/net text files, the way ss reads them when the kernel refuses a dump.

ss falls back to /proc/net/<file> of its network namespace when a sock_diag
dump fails (misc/ss.c raw_show, udp_show, tcp_show, unix_show, ...). This
module does the same, line by line as ss's C code reads them:

    generic_record_read    read_records()    the header line skipped; a line
                                             that does not fit ss's 256-byte
                                             buffer, or has no newline, ends
                                             the table (ss returns -1); a line
                                             ss cannot split ends the file
    proc_inet_split_line   split_inet_line()
    proc_parse_inet_addr   parse_inet_addr()  sscanf("%x:%x"), IPv6 four "%08x"
                                             words, all in host byte order
    dgram_show_line        dgram_line()      state (filtered first, from the
                                             state's second hex digit), then
                                             the user-space filter, then the
                                             rest: tx_queue (Send-Q), rx_queue
                                             (Recv-Q), uid, inode

Only raw is read for now: a kernel without CONFIG_INET_RAW_DIAG has no raw
sock_diag (the dump ends with ENOENT). Another table adds its files to
PROC_FILES and, for a new line format, its line reader next to dgram_line()
(tcp_show_line, unix_show, packet_show, netlink_show in ss).

The records have the base keys (_schema.BASE_KEYS). What /proc/net/raw{,6}
cannot give, and how the record says so:

* the socket cookie: the `pointer` column is the kernel's address (hashed,
  or 0 without privileges), not a cookie: `cookie` is None, which marks a
  record read from /proc (ss prints no `-e` text for these lines, see below);
* the bound interface (SO_BINDTODEVICE): `interface` is None and a `dev`
  filter sees index 0, as ss's does;
* v6only: an IPv6 wildcard is `*`, as ss prints it (it passes v6only=false);
* the peer port of a connected raw socket: the kernel writes 0 there, where
  raw sock_diag gives the port given to connect();
* marks and cgroup ids (a filter sees 0, as ss's does), and what the detail
  options show (shutdown, skmem, tos, class id, socket options, timers):
  their keys are None. ss's dgram_show_line prints nothing for -e -m -i -o
  --tos --cgroup --inet-sockopt (its `opt` text is always cleared: its
  sscanf cannot reach the 9 fields it asks for).

Filtering: ss sends no program to any kernel here; the user-space filter
alone decides (so `autobound` is "port in the ephemeral range", and a raw
socket's port is its protocol). With kernel_filter=False the Plan's match
also runs the kernel's half: only its user-space half is used here.
"""

from __future__ import annotations

import errno
import os
import struct

from ansible_collections.netdiag.ss.plugins.module_utils._diag import SockId
from ansible_collections.netdiag.ss.plugins.module_utils._errors import TableNotSupported
from ansible_collections.netdiag.ss.plugins.module_utils._schema import MATCHES, SOCKID
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, INET_PROTOCOLS, STATE_NAMES, TABLE_BY_NAME,
)

# the files ss reads for a table, by family, under <proc>/net (ss: PROC_NET_RAW, PROC_NET_RAW6)
PROC_FILES = {
    'raw': ((AF_INET, 'raw'), (AF_INET6, 'raw6')),
}
# generic_record_read reads with fgets(line, 256): a line and its newline must fit in 255 bytes
LINE_MAX = 255

_U32 = struct.Struct('=I')
_V6_ANY = b'\0' * 16
_SPACE = b' \t\n\v\f\r'
_HEX = b'0123456789abcdefABCDEF'


class LinesError(Exception):
    """A line ss's fgets() would not read whole: ss stops reading the table there."""


def _fgets(data, pos):
    """fgets(line, 256) at data[pos:]: (the bytes it reads, the next position); b'' at the end."""
    nl = data.find(b'\n', pos, pos + LINE_MAX)
    end = nl + 1 if nl >= 0 else min(len(data), pos + LINE_MAX)
    return data[pos:end], end


def read_records(data):
    """The record lines of a /proc/net file's bytes, as generic_record_read reads them (without newlines).

    Yields each line after the header; raises LinesError at a line that is
    longer than LINE_MAX with its newline, or has no newline (the last one).
    """
    line, pos = _fgets(data, 0)         # the header
    if not line:
        return
    while True:
        line, pos = _fgets(data, pos)
        if not line:
            return
        if line[-1:] != b'\n':
            raise LinesError('a line longer than %d bytes, or without newline, at byte %d' % (LINE_MAX - 1, pos))
        yield line[:-1]


def _scan_int(text, pos, base=16, width=None):
    """One sscanf %x / %d / %u conversion at text[pos:]: (value, next position), or (None, pos) on no match.

    As glibc: leading white space skipped (it does not count in the width),
    an optional sign, for base 16 an optional 0x prefix, then digits; the
    value is the C library's strtoul/strtol one, kept in 32 bits.
    """
    n = len(text)
    while pos < n and text[pos] in _SPACE:
        pos += 1
    i = pos
    limit = n if width is None else min(n, pos + width)
    neg = False
    if i < limit and text[i] in b'+-':
        neg = text[i] == 0x2d
        i += 1
    digits = _HEX if base == 16 else b'0123456789'
    if base == 16 and i + 1 < limit and text[i] == 0x30 and text[i + 1] in b'xX':
        i += 2
        zero = True                  # "0x" alone reads as 0
    else:
        zero = False
    start = i
    while i < limit and text[i] in digits:
        i += 1
    if i == start and not zero:
        return None, pos
    value = int(text[start:i], base) if i > start else 0
    if value > 0xffffffffffffffff:
        value = 0xffffffffffffffff   # strtoul's ULONG_MAX on overflow
    return (-value if neg else value) & 0xffffffff, i


def _as_int(value):
    """A 32-bit value stored through an unsigned pointer and read as C int."""
    return value - (1 << 32) if value & 0x80000000 else value


def split_inet_line(line):
    """proc_inet_split_line: (local, remote, data) of a line, or None where ss's split fails.

    The local address starts 2 bytes after the line's first ':' and ends 4
    bytes after its own ':' (the port); the remote address likewise; data is
    the rest after one more byte.
    """
    p = line.find(b':')
    if p < 0:
        return None
    loc = p + 2
    p = line.find(b':', loc)
    if p < 0:
        return None
    local = line[loc:p + 5]
    rem = p + 6
    p = line.find(b':', rem)
    if p < 0:
        return None
    return local, line[rem:p + 5], line[p + 6:]


def parse_inet_addr(text, family):
    """proc_parse_inet_addr for one side: (address bytes, port) as ss reads them.

    AF_INET: sscanf("%x:%x"); AF_INET6: sscanf("%08x%08x%08x%08x:%x"). The
    kernel prints each 32-bit word of the address in host byte order, and so
    does sscanf store it: the bytes come back in network order. A conversion
    that fails leaves its word, and every later one, 0 (ss's zeroed struct).
    """
    words = []
    pos = 0
    port = 0
    count, width = (1, None) if family == AF_INET else (4, 8)
    for _i in range(count):
        value, pos = _scan_int(text, pos, 16, width)
        if value is None:
            break
        words.append(value)
    else:
        if text[pos:pos + 1] == b':':
            value, pos = _scan_int(text, pos + 1, 16)
            if value is not None:
                port = _as_int(value)
    words.extend([0] * (count - len(words)))
    return b''.join(_U32.pack(w) for w in words), port


# dgram_show_line's sscanf(data, "%x %x:%x %*x:%*x %*x %d %*d %u %d %llx %[^\n]\n", &state, &wq, &rq, &uid,
# &ino, &refcnt, &sk, opt): the conversions it makes, in order (None: assigned to nothing), and the literal
# ':' between some of them
_DGRAM_DATA = (('state', 16), ('wq', 16), ':', ('rq', 16), (None, 16), ':', (None, 16), (None, 16), ('uid', 10),
               (None, 10), ('ino', 10))


def parse_dgram_data(data):
    """The fields dgram_show_line reads from the text after the addresses: state, wq, rq, uid, ino (0 if not read).

    Parsed as its sscanf does: a failed conversion or literal ends the scan
    and leaves the rest 0. `wq` is the file's tx_queue, `rq` its rx_queue.
    """
    out = {'state': 0, 'wq': 0, 'rq': 0, 'uid': 0, 'ino': 0}
    pos = 0
    for item in _DGRAM_DATA:
        if item == ':':
            if data[pos:pos + 1] != b':':
                break
            pos += 1
            continue
        name, base = item
        value, pos = _scan_int(data, pos, base)
        if value is None:
            break
        if name is not None:
            out[name] = value
    return out


def dgram_line(line, family, table, states, ctx, match):
    """dgram_show_line: the record of one line of /proc/net/{raw,udp}{,6}, None to skip it, False to stop the file.

    `match` is the user-space filter (or None); ctx: the _diag.Context.
    """
    parts = split_inet_line(line)
    if parts is None:
        return False
    local, remote, data = parts
    # ss tests the state mask before anything else, on the state's second hex digit
    ch = data[1] if len(data) > 1 else 0
    state = ch - 0x41 + 10 if ch >= 0x41 else ch - 0x30
    if not 0 <= state < 32 or not states & (1 << state):
        return None
    src, sport = parse_inet_addr(local, family)
    dst, dport = parse_inet_addr(remote, family)
    hit = True
    if match is not None:
        # ss's struct at this point: addresses and ports only (state, iface, mark, cgroup are still 0)
        hit = match(SockView(family, table, state, src, dst, sport, dport, 0, 0, 0))
        if not hit:
            return None
    fields = parse_dgram_data(data)
    state = fields['state']
    if family == AF_INET:
        laddr = ctx.v4(src)
        raddr = ctx.v4(dst)
    else:
        laddr = '*' if src == _V6_ANY else ctx.v6(src)
        raddr = '*' if dst == _V6_ANY else ctx.v6(dst)
    rec = {
        'netid': TABLE_BY_NAME[table].netid, 'state': STATE_NAMES[state] if state < 12 else 'UNKNOWN',
        'recv_q': _as_int(fields['rq']), 'send_q': _as_int(fields['wq']),
        'local_address': laddr, 'local_port': sport, 'peer_address': raddr, 'peer_port': dport,
        'interface': None, 'family': 'inet' if family == AF_INET else 'inet6',
        'uid': fields['uid'], 'inode': fields['ino'], 'cookie': None,
    }
    if ctx.timers:
        rec['timer'] = rec['timer_expires_ms'] = rec['timer_retrans'] = None
    if ctx.identity:
        rec[SOCKID] = SockId(family, INET_PROTOCOLS[table], src.ljust(16, b'\0'), dst.ljust(16, b'\0'), sport, dport,
                             0, None, fields['ino'])
    if ctx.tagged:
        rec[MATCHES] = hit
    return rec


# the line reader of each table's file format
_LINE_READERS = {'raw': dgram_line}


def dump_proc(table, states, ctx, out):
    """Append the records of `table` read from <proc>/net as ss reads them, in ss's order (IPv4 file, then IPv6).

    ctx.lookups.proc is the /proc to read (the namespace's own once it was
    entered). The IPv4 file must exist (else TableNotSupported, ss prints
    nothing either); a missing IPv6 file (no IPv6) is skipped, as ss does.
    """
    reader = _LINE_READERS[table]
    match = ctx.match
    if match is not None:
        match = getattr(match, 'userspace', match)   # no kernel filters here: see _filter._plan
    proc = ctx.lookups.proc
    for index, (family, name) in enumerate(PROC_FILES[table]):
        if family not in ctx.families:
            continue
        path = os.path.join(proc, 'net', name)
        try:
            with open(path, 'rb') as fh:
                data = fh.read()
        except (IOError, OSError) as exc:
            if index:
                continue
            err = exc.errno or errno.ENOENT
            unsupported = TableNotSupported(err, table)
            unsupported.args = ('table %s is not supported by this kernel (no sock_diag handler) and %s cannot be '
                                'read (%s); it was skipped' % (table, path, os.strerror(err)),)
            raise unsupported
        try:
            for line in read_records(data):
                rec = reader(line, family, table, states, ctx, match)
                if rec is False:
                    break
                if rec is not None:
                    out.append(rec)
        except LinesError:
            return      # ss gives up the whole table (its later files too)


__all__ = ['PROC_FILES', 'LINE_MAX', 'LinesError', 'read_records', 'split_inet_line', 'parse_inet_addr',
           'parse_dgram_data', 'dgram_line', 'dump_proc']
