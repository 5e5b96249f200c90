# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Sockets read from the /proc/net text files, the way ss reads them when it has no sock_diag.

ss reads /proc/net/<file> of its network namespace when a sock_diag dump
fails (misc/ss.c tcp_show, udp_show, raw_show, unix_show, packet_show,
netlink_show). This module reads the same files, for the `source` option
(_collect.py decides when: source=proc always, source=auto where sock_diag
is refused or has no handler for the table):

    table    files                 ss's line reader       here
    tcp      tcp, tcp6             tcp_show_line          tcp_line()
    udp      udp, udp6             dgram_show_line        dgram_line()
    raw      raw, raw6             dgram_show_line        dgram_line()
    unix     unix                  unix_show's loop       unix_lines()
    packet   packet                packet_show_line       packet_line()
    netlink  netlink               netlink_show's loop    netlink_line()

MPTCP, SCTP, DCCP, vsock, tipc and xdp have no file in /proc/net.

The inet files are read line by line as ss's C code reads them:

    generic_record_read    read_records()    the header line skipped; a line
                                             that does not fit ss's 256-byte
                                             buffer, or has no newline, ends
                                             the table (ss returns -1); a line
                                             ss cannot split ends the file
    proc_inet_split_line   split_inet_line()
    proc_parse_inet_addr   parse_inet_addr()  sscanf("%x:%x"), IPv6 four "%08x"
                                             words, all in host byte order
    tcp_show_line,         tcp_line(),       state (filtered first, from the
    dgram_show_line        dgram_line()      state's second hex digit), then
                                             the user-space filter, then the
                                             rest as their sscanf reads it

unix, packet and netlink lines are split on blanks; a line that does not
have the kernel's fields is skipped (ss would print the values of the line
before, or of uninitialised memory, for it).

The records have the keys netlink's have (_schema.BASE_KEYS, the timer keys
with -o, detail keys filled in by _collect). What /proc cannot give is None,
never a made-up value (docs/socket_facts.md lists it per table); `lines`
print what ss prints in its /proc mode there (_render.py):

* every table: `cookie` (the files show the kernel's address of the socket,
  hashed, not its cookie), and every detail key (-e -m -i --tos --cgroup
  --inet-sockopt -b: the files have none of it);
* tcp, udp, raw: `interface` (SO_BINDTODEVICE is not in the files); marks,
  cgroup ids and the bound device read as 0 for the filter, as in ss; an
  IPv6 wildcard address is `*` (v6only is not in the files), as ss prints it;
* tcp: a listener's `send_q` (the backlog; the file's tx_queue is not it);
* raw: `peer_port` (the kernel writes 0 there);
* unix: `recv_q`, `send_q`, `peer_port` (the peer's inode) and `uid`; the
  NUL bytes of an abstract name are `@` in the file, as a real `@` is, so
  every `@` of an abstract name is taken for a NUL (and a path that starts
  with `@` for an abstract name);
* netlink: `peer_address` and `peer_port` (the file does not say whether,
  or to what, a socket is connected).

Where ss's /proc mode is wrong, the records say what netlink says (see
docs/differences.md): a unix datagram socket is ESTAB only when connected
(ss reads the kernel's address column as the peer and calls every one
ESTAB), a connection not yet accepted (inode 0: no socket yet) is not
listed (ss lists it as SYN-SENT, netlink does not list it), a unix name
keeps its blanks (ss's %s cuts it at the first), and only the selected
packet types are listed (ss tests the type before it has read it).

Filtering: ss sends no program to any kernel here; the user-space filter
alone decides (so `autobound` is "port in the ephemeral range", and a raw
socket's port is its protocol). With kernel_filter=False the Plan's match
also runs the kernel's half: only its user-space half is used here.
"""

from __future__ import annotations

import errno
import os
import re
import struct

from ansible_collections.netdiag.ss.plugins.module_utils._cparse import to_s32
from ansible_collections.netdiag.ss.plugins.module_utils._diag import SockId
from ansible_collections.netdiag.ss.plugins.module_utils._errors import TableNotSupported
from ansible_collections.netdiag.ss.plugins.module_utils._schema import MATCHES, SOCKID, unix_display, unix_name_text
from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, ETH_P_ALL, INET_PROTOCOLS, SS_CLOSE, SS_ESTABLISHED, SS_LISTEN,
    SS_UNKNOWN, STATE_NAMES, TABLE_BY_NAME,
)

# the files ss reads for a table group (_collect.GROUPS), by family, under <proc>/net (ss: PROC_NET_TCP, ...)
PROC_FILES = {
    'netlink': ((AF_NETLINK, 'netlink'),),
    'packet': ((AF_PACKET, 'packet'),),
    'unix': ((AF_UNIX, 'unix'),),
    'raw': ((AF_INET, 'raw'), (AF_INET6, 'raw6')),
    'udp': ((AF_INET, 'udp'), (AF_INET6, 'udp6')),
    'tcp': ((AF_INET, 'tcp'), (AF_INET6, 'tcp6')),
}
# the tables of each group (what the group lists when its caller names none)
GROUP_TABLES = {
    'netlink': ('netlink',), 'packet': ('packet_raw', 'packet_dgram'),
    'unix': ('unix_stream', 'unix_dgram', 'unix_seqpacket'), 'raw': ('raw',), 'udp': ('udp',), 'tcp': ('tcp',),
}
# generic_record_read reads with fgets(line, 256): a line and its newline must fit in 255 bytes
LINE_MAX = 255
# ss's unix_show keeps at most MAX_UNIX_REMEMBER sockets (1 MiB of its 624-byte struct sockstat on 64-bit hosts) in
# its list sorted by type and inode; with one more it prints the list and starts a new one
MAX_UNIX_REMEMBER = (1024 * 1024) // 624
# the timer names of tcp_timer_print (tmr_name); codes above 4 print "unknown"
PROC_TIMERS = {1: 'on', 2: 'keepalive', 3: 'timewait', 4: 'persist'}

_U32 = struct.Struct('=I')
_V6_ANY = b'\0' * 16
_SPACE = b' \t\n\v\f\r'
_HEX = b'0123456789abcdefABCDEF'
_ACCEPTCON = 1 << 16               # __SO_ACCEPTCON in a unix socket's Flags: a listener
_UNIX_TYPES = {1: 'unix_stream', 2: 'unix_dgram', 5: 'unix_seqpacket'}
_PACKET_TYPES = {3: 'packet_raw', 2: 'packet_dgram'}
# unix_seq_show: "%pK: %08X %08X %08X %04X %02X %5lu" and, for a bound socket, one blank and the name
_UNIX_LINE = re.compile(br'[ \t]*[0-9A-Fa-f]+: +[0-9A-Fa-f]+ +[0-9A-Fa-f]+ +([0-9A-Fa-f]+) +([0-9A-Fa-f]+) '
                        br'+([0-9A-Fa-f]+) +([0-9]+)(?: (.*))?')


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


def _body_lines(data):
    """The lines after the header (a last line without its newline included): unix, packet and netlink files."""
    lines = data.split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    return lines[1:]


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


def _sscanf(data, spec):
    """The values a sscanf() of `spec` assigns from data: {name: value}, 0 for those it does not reach.

    spec: (name or None, base) for a %x / %d / %u conversion (None: %*...),
    ':' for a literal colon. A failed conversion or literal ends the scan.
    """
    out = dict((item[0], 0) for item in spec if item != ':' and item[0] is not None)
    pos = 0
    for item in spec:
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
                port = to_s32(value)
    words.extend([0] * (count - len(words)))
    return b''.join(_U32.pack(w) for w in words), port


# dgram_show_line's sscanf(data, "%x %x:%x %*x:%*x %*x %d %*d %u %d %llx %[^\n]\n", &state, &wq, &rq, &uid,
# &ino, &refcnt, &sk, opt): the conversions it makes, in order (None: assigned to nothing), and the literal
# ':' between some of them
_DGRAM_DATA = (('state', 16), ('wq', 16), ':', ('rq', 16), (None, 16), ':', (None, 16), (None, 16), ('uid', 10),
               (None, 10), ('ino', 10))
# tcp_show_line's sscanf(data, "%x %x:%x %x:%x %x %d %d %u %d %llx %d %d %d %u %d %[^\n]\n", &state, &wq, &rq,
# &timer, &timeout, &retrans, &uid, &probes, &ino, ...): as far as the inode (rto, ato, qack, cwnd and
# ssthresh feed only ss's -i text)
_TCP_DATA = (('state', 16), ('wq', 16), ':', ('rq', 16), ('timer', 16), ':', ('when', 16), ('retrans', 16),
             ('uid', 10), ('probes', 10), ('ino', 10))


def parse_dgram_data(data):
    """The fields dgram_show_line reads from the text after the addresses: state, wq, rq, uid, ino (0 if not read).

    Parsed as its sscanf does: a failed conversion or literal ends the scan
    and leaves the rest 0. `wq` is the file's tx_queue, `rq` its rx_queue.
    """
    return _sscanf(data, _DGRAM_DATA)


def parse_tcp_data(data):
    """The fields tcp_show_line reads after the addresses: state, wq, rq, timer, when, retrans, uid, probes, ino.

    `when` is the timer's remaining time in clock ticks (USER_HZ); TIME-WAIT
    and SYN-RECV lines end early (uid, inode 0), as ss reads them.
    """
    return _sscanf(data, _TCP_DATA)


def _state_digit(data):
    """The state ss tests its mask with before it parses a line: the state's second hex digit, as ss reads it."""
    ch = data[1] if len(data) > 1 else 0
    return ch - 0x41 + 10 if ch >= 0x41 else ch - 0x30


def _inet_start(line, family, table, states, match):
    """What tcp_show_line and dgram_show_line do before their sscanf.

    Returns (src, sport, dst, dport, hit, data), None to skip the line (state
    or filter), or False when ss cannot split it (that ends the file).
    """
    parts = split_inet_line(line)
    if parts is None:
        return False
    local, remote, data = parts
    state = _state_digit(data)
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
    return src, sport, dst, dport, hit, data


def _inet_record(ctx, table, family, state, src, sport, dst, dport, rq, wq, uid, ino, hit):
    if family == AF_INET:
        laddr = ctx.v4(src)
        raddr = ctx.v4(dst)
    else:
        laddr = '*' if src == _V6_ANY else ctx.v6(src)
        raddr = '*' if dst == _V6_ANY else ctx.v6(dst)
    rec = {
        'netid': TABLE_BY_NAME[table].netid, 'state': STATE_NAMES[state] if state < 12 else 'UNKNOWN',
        'recv_q': rq, 'send_q': wq,
        'local_address': laddr, 'local_port': sport, 'peer_address': raddr, 'peer_port': dport,
        'interface': None, 'family': 'inet' if family == AF_INET else 'inet6',
        'uid': uid, 'inode': ino, 'cookie': None,
    }
    if ctx.timers:
        rec['timer'] = rec['timer_expires_ms'] = rec['timer_retrans'] = None
    if ctx.identity:
        rec[SOCKID] = SockId(family, INET_PROTOCOLS[table], src.ljust(16, b'\0'), dst.ljust(16, b'\0'), sport,
                             dport or 0, 0, None, ino)
    if ctx.tagged:
        rec[MATCHES] = hit
    return rec


def dgram_line(line, family, table, states, ctx, match, hz=None):
    """dgram_show_line: the record of one line of /proc/net/{raw,udp}{,6}, None to skip it, False to stop the file.

    `match` is the user-space filter (or None); ctx: the _diag.Context. The
    peer port of a raw socket is None: the kernel writes 0 there.
    """
    start = _inet_start(line, family, table, states, match)
    if not start:
        return start
    src, sport, dst, dport, hit, data = start
    fields = parse_dgram_data(data)
    return _inet_record(ctx, table, family, fields['state'], src, sport, dst, None if table == 'raw' else dport,
                        to_s32(fields['rq']), to_s32(fields['wq']), fields['uid'], fields['ino'], hit)


def tcp_line(line, family, table, states, ctx, match, hz=100):
    """tcp_show_line: the record of one line of /proc/net/tcp{,6}, None to skip it, False to stop the file.

    A listener's Send-Q is None (the file's tx_queue is not its backlog).
    With -o (ctx.timers) the timer as ss computes it: `when` clock ticks
    (hz a second) rounded up to milliseconds; the retransmissions for the
    retransmit timer, the probes for the others.
    """
    start = _inet_start(line, family, table, states, match)
    if not start:
        return start
    src, sport, dst, dport, hit, data = start
    f = parse_tcp_data(data)
    state = f['state']
    rec = _inet_record(ctx, table, family, state, src, sport, dst, dport, to_s32(f['rq']),
                       None if state == SS_LISTEN else to_s32(f['wq']), f['uid'], f['ino'], hit)
    timer = f['timer']
    if ctx.timers and timer:
        rec['timer'] = PROC_TIMERS.get(timer, 'unknown')
        rec['timer_expires_ms'] = (f['when'] * 1000 + hz - 1) // hz
        rec['timer_retrans'] = f['retrans'] if timer == 1 else f['probes']
    return rec


def _unix_name(path):
    """The kernel's bytes of a unix name as /proc/net/unix shows it ('@' for each NUL of an abstract name)."""
    if path[:1] == b'@':
        return path.replace(b'@', b'\0')
    return path


def unix_lines(data, tables, states, ctx, match, out):
    """Append the records of /proc/net/unix's bytes, in ss's order: sorted by type, then inode (unix_show).

    The state is the kernel's sk_state (netlink's): LISTEN for a listener
    (__SO_ACCEPTCON), ESTAB for a connected socket (SS_CONNECTED), else
    UNCONN. Lines without the kernel's fields, and sockets without an inode
    (a connection not yet accepted: netlink does not list them), are skipped.
    """
    batch = []
    for line in _body_lines(data):
        m = _UNIX_LINE.fullmatch(line)
        if m is None:
            continue
        flags, stype, st, ino = int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16), int(m.group(4))
        if not ino:
            continue
        table = _UNIX_TYPES.get(stype, 'unix_dgram')
        if table not in tables:
            continue
        if flags & _ACCEPTCON:
            state = SS_LISTEN
        elif st in (2, 3):          # SS_CONNECTING (no socket yet: not listed), SS_CONNECTED
            state = SS_ESTABLISHED
        elif st in (1, 4):          # SS_UNCONNECTED, SS_DISCONNECTING
            state = SS_CLOSE
        else:
            state = SS_UNKNOWN
        if not states & (1 << state):
            continue
        name = _unix_name(m.group(5) or b'')
        netid = TABLE_BY_NAME[table].netid
        hit = True
        if match is not None:
            hit = match(SockView(AF_UNIX, netid, state, unix_display(name), b'', ino, 0))
            if not hit:
                continue
        rec = {
            'netid': netid, 'state': STATE_NAMES[state], 'recv_q': None, 'send_q': None,
            'local_address': unix_name_text(name) or '*', 'local_port': ino,
            'peer_address': '*', 'peer_port': None,
            'interface': None, 'family': 'unix', 'uid': None, 'inode': ino, 'cookie': None,
        }
        if ctx.identity:
            rec[SOCKID] = SockId(AF_UNIX, stype, b'', b'', 0, 0, 0, None, ino)
        if ctx.tagged:
            rec[MATCHES] = hit
        batch.append((stype, ino, rec))
        if len(batch) > MAX_UNIX_REMEMBER:
            out.extend(rec for _t, _i, rec in sorted(batch, key=_type_inode))
            batch = []
    out.extend(rec for _t, _i, rec in sorted(batch, key=_type_inode))


def _type_inode(item):
    return item[0], item[1]


def _ints(fields, bases):
    """The leading fields as integers in the given bases, or None if one is not a number."""
    try:
        return [int(text, base) for text, base in zip(fields, bases)]
    except ValueError:
        return None


def packet_line(line, tables, ctx, match):
    """packet_show_line: the record of one line of /proc/net/packet, None to skip it.

    Fields (packet_seq_show): sk RefCnt Type Proto Iface R Rmem User Inode.
    """
    fields = line.split()
    values = _ints(fields[2:9], (10, 16, 10, 10, 10, 10, 10)) if len(fields) >= 9 else None
    if values is None:
        return None
    stype, proto, ifindex, _running, rmem, uid, ino = values
    ifindex &= 0xffffffff       # the file prints it signed: -1 for a device that was removed (sock_diag: 4294967295)
    table = _PACKET_TYPES.get(stype)
    if table not in tables:
        return None
    netid = TABLE_BY_NAME[table].netid
    hit = True
    if match is not None:
        # ss's port for it is the device index in an int: -1 for a removed device
        hit = match(SockView(AF_PACKET, netid, SS_CLOSE, proto, 0, to_s32(ifindex), 0, ifindex))
        if not hit:
            return None
    rec = {
        'netid': netid, 'state': 'UNCONN', 'recv_q': rmem, 'send_q': 0,
        'local_address': '*' if proto == ETH_P_ALL else '[%d]' % proto,
        'local_port': ifindex, 'peer_address': '*', 'peer_port': None,
        'interface': ctx.ifname(ifindex), 'family': 'link',
        'uid': uid, 'inode': ino, 'cookie': None,
    }
    if ctx.identity:
        rec[SOCKID] = SockId(AF_PACKET, stype, b'', b'', 0, 0, ifindex, None, ino)
    if ctx.tagged:
        rec[MATCHES] = hit
    return rec


def netlink_line(line, ctx, match):
    """The record of one line of /proc/net/netlink (netlink_show's loop), None to skip it.

    Fields (netlink_seq_show): sk Eth Pid Groups Rmem Wmem Dump Locks Drops
    Inode. The port id is printed unsigned and read signed, as ss does
    (autobound ids are negative); whether and to what the socket is
    connected is not in the file: the peer is None.
    """
    fields = line.split()
    values = _ints(fields[1:6], (10, 10, 16, 10, 10)) if len(fields) >= 6 else None
    if values is None:
        return None
    proto, portid, _groups, rmem, wmem = values
    ino = _ints(fields[9:10], (10,)) if len(fields) >= 10 else None
    ino = ino[0] if ino else None
    portid = to_s32(portid)
    hit = True
    if match is not None:
        hit = match(SockView(AF_NETLINK, 'nl', SS_CLOSE, proto, 0, portid, -1))
        if not hit:
            return None
    rec = {
        'netid': 'nl', 'state': 'UNCONN', 'recv_q': rmem, 'send_q': wmem,
        'local_address': str(proto), 'local_port': portid,
        'peer_address': None, 'peer_port': None,
        'interface': None, 'family': 'netlink',
        'uid': None, 'inode': ino, 'cookie': None,
    }
    if ctx.identity:
        rec[SOCKID] = SockId(AF_NETLINK, None, b'', b'', 0, 0, 0, None, ino)    # the file has no socket type
    if ctx.tagged:
        rec[MATCHES] = hit
    return rec


# the line reader of each inet table's file format
_LINE_READERS = {'raw': dgram_line, 'udp': dgram_line, 'tcp': tcp_line}


def _read(path, table):
    """The bytes of one /proc/net file, or TableNotSupported naming it and why it cannot be read."""
    try:
        with open(path, 'rb') as fh:
            return fh.read()
    except (IOError, OSError) as exc:
        err = exc.errno or errno.ENOENT
        unsupported = TableNotSupported(err, table)
        unsupported.args = ('table %s: %s cannot be read (%s); it was skipped' % (table, path, os.strerror(err)),)
        raise unsupported


def dump_proc(table, states, ctx, out, tables=None):
    """Append the records of a table group read from <proc>/net as ss reads them, in ss's order.

    table   a key of PROC_FILES (a _collect group: tcp udp raw unix packet netlink);
    tables  the tables of the group to keep (unix_stream, packet_raw, ...; default: all of them).
    ctx.lookups.proc is the /proc to read (the namespace's own once it was
    entered). As ss: the IPv4 file of an inet table is read first, then the
    IPv6 one; packet and netlink are read only when UNCONN is among the
    states. A file that cannot be read raises TableNotSupported (ss prints
    nothing for it either); an IPv6 file that cannot be read (missing: no
    IPv6) is skipped after its IPv4 one, as ss does.
    """
    files = PROC_FILES[table]
    if not any(family in ctx.families for family, _name in files):
        return
    if table in ('packet', 'netlink') and not states & (1 << SS_CLOSE):
        return
    tables = frozenset(tables or GROUP_TABLES[table])
    match = ctx.match
    if match is not None:
        match = getattr(match, 'userspace', match)   # no kernel filters here: see _filter._plan
    proc = ctx.lookups.proc
    for index, (family, name) in enumerate(files):
        if family not in ctx.families:
            continue
        path = os.path.join(proc, 'net', name)
        try:
            data = _read(path, table)
        except TableNotSupported:
            if index:
                continue
            raise
        if table == 'unix':
            unix_lines(data, tables, states, ctx, match, out)
        elif table == 'packet':
            for line in _body_lines(data):
                rec = packet_line(line, tables, ctx, match)
                if rec is not None:
                    out.append(rec)
        elif table == 'netlink':
            for line in _body_lines(data):
                rec = netlink_line(line, ctx, match)
                if rec is not None:
                    out.append(rec)
        else:
            reader = _LINE_READERS[table]
            hz = ctx.lookups.clock_ticks() if table == 'tcp' and ctx.timers else 100
            try:
                for line in read_records(data):
                    rec = reader(line, family, table, states, ctx, match, hz)
                    if rec is False:
                        break
                    if rec is not None:
                        out.append(rec)
            except LinesError:
                return      # ss gives up the whole table (its later files too)


__all__ = ['PROC_FILES', 'GROUP_TABLES', 'LINE_MAX', 'MAX_UNIX_REMEMBER', 'PROC_TIMERS', 'LinesError', 'read_records',
           'split_inet_line', 'parse_inet_addr', 'parse_dgram_data', 'parse_tcp_data', 'dgram_line', 'tcp_line',
           'unix_lines', 'packet_line', 'netlink_line', 'dump_proc']
