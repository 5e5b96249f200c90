# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Numbers and addresses read the way iproute2 reads them with the C library.

strtoul/strtol with base 0 (octal and hex prefixes, clamping), sscanf("%i"),
and iproute2's get_addr_1 / get_prefix_1 (short IPv4 forms such as
``10.1``, dotted netmasks). Pure functions: no look-ups, no I/O.
"""

from __future__ import annotations

import socket

from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_UNSPEC

_ULONG_MAX = (1 << 64) - 1
_LONG_MAX = (1 << 63) - 1
_LONG_MIN = -(1 << 63)
_WS = ' \t\n\v\f\r'
_HEX = '0123456789abcdefABCDEF'


def c_strtox(text, signed):
    """Parse like strtoul/strtol(text, &end, 0). Returns (value, end index); end 0 means no conversion."""
    i = 0
    n = len(text)
    while i < n and text[i] in _WS:
        i += 1
    neg = False
    if i < n and text[i] in '+-':
        neg = text[i] == '-'
        i += 1
    base = 10
    if i < n and text[i] == '0':
        if i + 2 < n and text[i + 1] in 'xX' and text[i + 2] in _HEX:
            base = 16
            i += 2
        else:
            base = 8
    start = i
    digits = _HEX[:base] if base != 16 else _HEX
    val = 0
    while i < n and text[i] in digits:
        val = val * base + int(text[i], 16)
        i += 1
    if i == start:
        return 0, 0
    if signed:
        if neg:
            val = -val
        val = max(_LONG_MIN, min(_LONG_MAX, val))
    else:
        if val > _ULONG_MAX:
            val = _ULONG_MAX
        elif neg:
            val = (-val) & _ULONG_MAX
    return val, i


def full_strtol(text):
    """iproute2 get_integer(): the whole string, base 0, fitting a C int; None when invalid."""
    if not text:
        return None
    val, end = c_strtox(text, True)
    if end == 0 or end != len(text) or not -0x80000000 <= val <= 0x7fffffff:
        return None
    return val


def full_strtoul(text, limit):
    """iproute2 get_unsigned()/get_u32()/get_u16(): the whole string, base 0, <= limit; None when invalid."""
    if not text:
        return None
    val, end = c_strtox(text, False)
    if end == 0 or end != len(text) or val > limit:
        return None
    return val


def scanf_i(text):
    """sscanf("%i") into a C int: (value as u32, rest of the text), or None when nothing matched."""
    val, end = c_strtox(text, True)
    if end == 0:
        return None
    return val & 0xffffffff, text[end:]


def to_s32(val):
    """The signed 32-bit value of the low 32 bits of val."""
    val &= 0xffffffff
    return val - (1 << 32) if val & 0x80000000 else val


def ipv4_short(text):
    """iproute2 get_addr_ipv4: up to 4 strtoul(base 0) components <= 255, missing ones 0; bytes or None."""
    out = bytearray(4)
    rest = text
    for i in range(4):
        val, end = c_strtox(rest, False)
        if end == 0 or val > 255:
            return None
        out[i] = val
        if end == len(rest):
            return bytes(out)
        if i == 3 or rest[end] != '.':
            return None
        rest = rest[end + 1:]
    return None


# bit length returned for the unprefixed words default/any/all
ANY = -2


def addr_1(text, family):
    """iproute2 get_addr_1: (family, full bit length or ANY, address bytes) or None."""
    if text in ('default', 'any', 'all'):
        fam = family if family in (AF_INET, AF_INET6) else AF_UNSPEC
        return fam, ANY, bytes(16 if fam == AF_INET6 else 4)
    if ':' in text:
        if family not in (AF_UNSPEC, AF_INET6):
            return None
        try:
            return AF_INET6, 128, socket.inet_pton(socket.AF_INET6, text)
        except (OSError, ValueError, UnicodeError):
            return None
    if family not in (AF_UNSPEC, AF_INET):
        return None
    data = ipv4_short(text)
    return None if data is None else (AF_INET, 32, data)


def mask_bits(data):
    """Prefix length of a contiguous IPv4 netmask, or None."""
    val = int.from_bytes(data, 'big')
    bits = 0
    while bits < 32 and val & (0x80000000 >> bits):
        bits += 1
    if (val << bits) & 0xffffffff:
        return None
    return bits


def prefix_1(text, family):
    """iproute2 get_prefix_1: ADDR[/LEN|/MASK] as (family, bit length, address bytes), or None."""
    slash = text.find('/')
    head = text if slash < 0 else text[:slash]
    addr = addr_1(head, family)
    if addr is None:
        return None
    fam, bitlen, data = addr
    if bitlen == ANY:
        return None if slash >= 0 else (fam, 0, data)
    if slash >= 0:
        tail = text[slash + 1:]
        plen = full_strtoul(tail, 0xffffffff)
        if plen is None:
            mask = addr_1(tail, AF_INET)
            if mask is None or mask[0] != AF_INET:
                return None
            plen = mask_bits(mask[2])
            if plen is None:
                return None
        if plen > bitlen:
            return None
        bitlen = plen
    return fam, bitlen, data


def numeric_host(name, family):
    """What glibc's gethostbyname2 answers for a name without asking NSS: (family, 32, bytes), None, or False.

    Digits-and-dots names are read by inet_aton (so ``4294967295`` is
    255.255.255.255); names with ':' and other numeric forms (``0x0a000001``)
    are refused. Returns None when the name must be looked up, and False when
    glibc refuses it without a look-up.
    """
    if not name or ':' in name:
        return False
    if name.strip('0123456789.') == '':
        if name.endswith('.') or family not in (AF_UNSPEC, AF_INET):
            return False
        try:
            return AF_INET, 32, socket.inet_aton(name)
        except (OSError, ValueError):
            return False
    try:
        socket.inet_aton(name)
        return False      # numeric forms such as 0x0a000001: gethostbyname2 does not accept them
    except (OSError, ValueError):
        return None


__all__ = ['c_strtox', 'full_strtol', 'full_strtoul', 'scanf_i', 'to_s32', 'ipv4_short', 'addr_1', 'prefix_1',
           'mask_bits', 'numeric_host', 'ANY']
