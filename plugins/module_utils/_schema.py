# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""The socket record: its keys, their types, and the text form of kernel bytes.

The decoders build records with exactly these keys, the `fields` option
offers them as choices and every module's RETURN documents them; a unit
test checks that the three agree.

Names the kernel hands over as bytes (unix socket names, process names)
are not always UTF-8. Their text form is unambiguous and reversible:

* valid UTF-8 is kept as it is;
* a byte that is not part of valid UTF-8 becomes ``\\xHH`` (two lower-case
  hex digits), and a backslash becomes ``\\\\``;
* abstract unix names are shown as ss shows them: every NUL byte is ``@``;
  a real ``@`` in an abstract name becomes ``\\x40``, so the two differ;
* a path name that starts with ``@`` starts with ``\\x40`` instead, and the
  path ``*`` is ``\\x2a``: a leading ``@`` always means an abstract name and
  ``*`` an unnamed socket.

``name_bytes()`` turns the text back into the bytes.
"""

from __future__ import annotations

import re

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError

# The keys of every record, in order, with their types (as the module documentation spells them).
BASE_FIELDS = (
    ('netid', 'str'), ('state', 'str'), ('recv_q', 'int'), ('send_q', 'int'),
    ('local_address', 'str'), ('local_port', 'int'), ('peer_address', 'str'), ('peer_port', 'int'),
    ('interface', 'str'), ('family', 'str'), ('uid', 'int'), ('inode', 'int'), ('cookie', 'int'),
)
# Keys only the records of one table have, always (after the base keys): table -> keys.
# sctp: {'endpoint', 'locals', 'peers'} (see _diag_sctp): which endpoint an association belongs to, and the
# addresses the kernel sends with every SCTP socket.
TABLE_FIELDS = {
    'sctp': (('sctp', 'dict'),),
}
TABLE_FIELD_ORDER = ('sctp',)
# Keys added only when a detail option asks for them: option -> keys.
# A detail key is in every record when its option is given, null where the detail does not apply to the
# socket's family (for example `tos` for a unix socket).
DETAIL_FIELDS = {
    'processes': (('processes', 'list'),),
    'timers': (('timer', 'str'), ('timer_expires_ms', 'int'), ('timer_retrans', 'int')),
    'extended': (('extended', 'dict'),),
    'memory': (('skmem', 'dict'),),
    'info': (('info', 'dict'),),
    'tos': (('tos', 'dict'),),
    'cgroup': (('cgroup', 'str'),),
    'inet_sockopt': (('sockopt', 'list'),),
    'bpf': (('bpf', 'list'),),
    'tipcinfo': (('tipc_info', 'dict'),),
    'context': (('context', 'str'),),
}
# the detail options in the order their keys follow the base keys
DETAIL_ORDER = ('processes', 'timers', 'extended', 'memory', 'info', 'tos', 'cgroup', 'inet_sockopt', 'bpf', 'tipcinfo',
                'context')
# Keys of one entry of `processes` (context with -Z/-z, socket_context with -z).
HOLDER_FIELDS = (('name', 'str'), ('pid', 'int'), ('fd', 'int'), ('tid', 'int'), ('context', 'str'),
                 ('socket_context', 'str'))
# The kernel's struct sk_meminfo (SK_MEMINFO_*), the keys of `skmem`, in order.
SKMEM_FIELDS = ('rmem_alloc', 'rcvbuf', 'wmem_alloc', 'sndbuf', 'fwd_alloc', 'wmem_queued', 'optmem', 'backlog', 'drops')

BASE_KEYS = tuple(name for name, _type in BASE_FIELDS)
FIELD_TYPES = dict(BASE_FIELDS)
for _fields in list(TABLE_FIELDS.values()) + list(DETAIL_FIELDS.values()):
    FIELD_TYPES.update(_fields)
# every key a record can have, in order (the choices of the `fields` option)
RECORD_FIELDS = BASE_KEYS + tuple(name for table in TABLE_FIELD_ORDER for name, _type in TABLE_FIELDS[table]) \
    + tuple(name for option in DETAIL_ORDER for name, _type in DETAIL_FIELDS[option])
# detail option -> its keys (for filling in the ones a family does not have)
DETAIL_KEYS = dict((option, tuple(name for name, _type in fields)) for option, fields in DETAIL_FIELDS.items())

# Where a record keeps the kernel's identity of its socket (a _diag.SockId), when asked for, and
# which rules of a tagging matcher selected it (_assert). Never returned to Ansible: shape the
# records with select_fields() first.
SOCKID = 'sockid'
MATCHES = 'matches'
PRIVATE_KEYS = (SOCKID, MATCHES)


def bytes_text(raw):
    """The text form of kernel bytes: UTF-8 as it is, other bytes as \\xHH, a backslash as \\\\."""
    if b'\\' in raw:
        raw = raw.replace(b'\\', b'\\\\')
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError:
        return raw.decode('utf-8', 'backslashreplace')


def unix_display(raw):
    """The bytes ss shows for a unix socket name from the kernel (UNIX_DIAG_NAME), and its filters match.

    A path name ends at its first NUL byte (ss reads it as a C string); an
    abstract name (first byte NUL) is kept whole, with '@' for each NUL.
    """
    if raw[:1] == b'\0':
        return raw.replace(b'\0', b'@')
    cut = raw.find(b'\0')
    return raw if cut < 0 else raw[:cut]


def unix_name_text(raw):
    """The text form of a unix socket name from the kernel (UNIX_DIAG_NAME); '' when unnamed."""
    if not raw:
        return ''
    if raw[0] == 0:
        if b'\\' in raw:
            raw = raw.replace(b'\\', b'\\\\')
        raw = raw.replace(b'@', b'\\x40').replace(b'\0', b'@')
    else:
        raw = unix_display(raw)
        if b'\\' in raw:
            raw = raw.replace(b'\\', b'\\\\')
        if raw[:1] == b'@' or raw == b'*':
            # a path that starts with '@' is not an abstract name, and a path '*' is not an unnamed socket
            raw = (b'\\x40' if raw[:1] == b'@' else b'\\x2a') + raw[1:]
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError:
        return raw.decode('utf-8', 'backslashreplace')


def display_bytes(text):
    """The bytes ss shows (and its filters match) for a text form: '@' for each NUL of an abstract name."""
    data = text.encode('utf-8')
    if b'\\' not in data:
        return data
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        ch = data[i]
        if ch == 0x5c and i + 1 < n:
            if data[i + 1] == 0x5c:
                out.append(0x5c)
                i += 2
                continue
            if data[i + 1] == 0x78 and _HEX2.match(data, i + 2):
                out.append(int(data[i + 2:i + 4], 16))
                i += 4
                continue
        out.append(ch)
        i += 1
    return bytes(out)


_HEX2 = re.compile(b'[0-9a-f]{2}')


def name_bytes(text):
    """The kernel's bytes behind a text form: an abstract name (leading '@') gets its NUL bytes back."""
    if text[:1] == '@':
        return display_bytes(text.replace('@', '\\x00'))
    return display_bytes(text)


def select_fields(records, fields, in_place=False):
    """Records with only `fields` (names from RECORD_FIELDS), or without the private keys when fields is empty.

    With in_place=True the list `records` is changed and returned, each record replaced by its smaller copy as it
    is made, so that the whole records are freed one by one instead of all living beside the copies (for callers
    that need the whole records no more).
    """
    if not fields:
        if records and any(k in records[0] for k in PRIVATE_KEYS):
            return _each_replaced(records, lambda r: dict((k, v) for k, v in r.items() if k not in PRIVATE_KEYS),
                                  in_place)
        return records
    bad = [f for f in fields if f not in RECORD_FIELDS]
    if bad:
        raise ArgsError('fields: unknown field(s) %s (valid: %s)' % (', '.join(bad), ', '.join(RECORD_FIELDS)))
    keep = tuple(fields)
    return _each_replaced(records, lambda r: dict((k, r[k]) for k in keep if k in r), in_place)


def _each_replaced(records, shape, in_place):
    if not in_place:
        return [shape(r) for r in records]
    for i, r in enumerate(records):
        records[i] = shape(r)
    return records


__all__ = ['BASE_FIELDS', 'TABLE_FIELDS', 'TABLE_FIELD_ORDER', 'DETAIL_FIELDS', 'DETAIL_ORDER', 'DETAIL_KEYS',
           'HOLDER_FIELDS', 'SKMEM_FIELDS', 'BASE_KEYS',
           'FIELD_TYPES', 'RECORD_FIELDS', 'SOCKID', 'MATCHES', 'PRIVATE_KEYS',
           'bytes_text', 'unix_display', 'unix_name_text', 'name_bytes', 'display_bytes', 'select_fields']
