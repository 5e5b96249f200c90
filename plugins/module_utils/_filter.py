# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""The ``ss`` filter language: lexer, parser, AST and user-space matcher.

This is the one grammar used by every module and plugin of the collection.
It follows iproute2 ``ss`` (6.1.0) exactly, including its quirks:

* all binary operators (``and``, ``or``, juxtaposition) have the same
  precedence and group left to right: ``A or B and C`` is ``(A or B) and C``;
* ``not`` binds one term; ``>``, ``<`` and ``!=`` are rewritten as the
  negation of ``<=``, ``>=`` and ``=``;
* operands are read according to the most recent keyword, with ss's own
  address, port, device, mark and cgroup syntax.

Entry points:

``split_words(words)``            the lexer (argv words -> tokens)
``parse(words, ...)``             tokens -> AST root (``Expr``) or None
``make_matcher(expr, ...)``       AST -> ``callable(SockView) -> bool``
``compile_bytecode(expr)``        AST -> inet_diag bytecode (see _bytecode)
``mixed_and_or_warning(x)``       warning text for ``a or b and c`` style input

Kernel vs user space
--------------------
For the inet tables ss sends the compiled bytecode to the kernel *and*
re-checks every returned socket with the user-space matcher, so the live
result is ``kernel(expr) AND userspace(expr)``.  A caller must do the same:
send ``compile_bytecode(expr)`` (when not None) with the inet dump request and
keep only the sockets for which ``make_matcher(expr)(view)`` is true.  This
matters for ``autobound``: the kernel tests "local port not explicitly bound"
(``SOCK_BINDPORT_LOCK`` clear), user space tests "local port inside the
ephemeral range"; a socket must pass both.  For non-inet families, for file
input and for events only the user-space matcher applies.
"""

from __future__ import annotations

import os
import re
import socket
import sys

from ansible_collections.netdiag.ss.plugins.module_utils._sockview import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AF_VSOCK,
)

AF_UNSPEC = 0


# ---------------------------------------------------------------------------
# Errors


# Deepest nesting of parentheses and `not` accepted: far beyond any real
# expression, and low enough that parsing, the evaluator and the bytecode
# compiler (all recursive over the tree) stay within Python's stack.
MAX_NESTING = 200


class FilterError(ValueError):
    """A filter expression could not be parsed.

    word      the offending token (None at end of input)
    position  0-based index of that token in the token list (the message
              counts words from 1)
    hint      a suggestion, or None
    reason    what is wrong with the word
    """

    def __init__(self, reason, word=None, position=None, hint=None):
        self.reason = reason
        self.word = word
        self.position = position
        self.hint = hint
        ValueError.__init__(self, self._render())

    def _render(self):
        if self.word is None:
            text = 'filter: %s' % self.reason
            if self.position is not None:
                text += ' at word %d (end of expression)' % (self.position + 1)
        else:
            text = 'filter: "%s" %s' % (self.word, self.reason)
            if self.position is not None:
                text += ' at word %d' % (self.position + 1)
        if self.hint:
            text += '; %s' % self.hint
        return text

    def __str__(self):
        return self._render()


# ---------------------------------------------------------------------------
# Lexer


def split_words(words):
    """Split argv-style words into tokens exactly like ss.

    Every word is split on spaces and TABs; a backslash makes the next
    character literal (a trailing lone backslash is dropped).  Nothing else
    separates tokens: ``(sport`` or ``sport=22`` stay single tokens.
    """
    if isinstance(words, str):
        words = [words]
    tokens = []
    for word in words:
        if not isinstance(word, str):
            raise FilterError('is not a string', word=repr(word))
        cur = []
        have = False
        i = 0
        n = len(word)
        while i < n:
            ch = word[i]
            if ch == ' ' or ch == '\t':
                if have:
                    tokens.append(''.join(cur))
                    cur = []
                    have = False
                i += 1
                continue
            if ch == '\\':
                i += 1
                if i < n:
                    cur.append(word[i])
                have = True
                i += 1
                continue
            cur.append(ch)
            have = True
            i += 1
        if have:
            tokens.append(''.join(cur))
    return tokens


# token kinds
_T_NOT, _T_AND, _T_OR, _T_LP, _T_RP = 'not', 'and', 'or', '(', ')'
_T_EQ, _T_NE, _T_GE, _T_LE, _T_GT, _T_LT = '=', '!=', '>=', '<=', '>', '<'

_KEYWORDS = {
    '!': _T_NOT, 'not': _T_NOT,
    '&': _T_AND, '&&': _T_AND, 'and': _T_AND,
    '|': _T_OR, '||': _T_OR, 'or': _T_OR,
    '(': _T_LP, ')': _T_RP,
    'src': 'src', 'dst': 'dst', 'sport': 'sport', 'dport': 'dport',
    'dev': 'dev', 'fwmark': 'fwmark', 'cgroup': 'cgroup', 'autobound': 'autobound',
    '=': _T_EQ, '==': _T_EQ, 'eq': _T_EQ,
    '!=': _T_NE, 'ne': _T_NE, 'neq': _T_NE,
    '>=': _T_GE, 'ge': _T_GE, 'geq': _T_GE,
    '<=': _T_LE, 'le': _T_LE, 'leq': _T_LE,
    '>': _T_GT, 'gt': _T_GT,
    '<': _T_LT, 'lt': _T_LT,
}
_OPERATORS = frozenset([_T_EQ, _T_NE, _T_GE, _T_LE, _T_GT, _T_LT])
_PREDICATES = frozenset(['src', 'dst', 'sport', 'dport', 'dev', 'fwmark', 'cgroup', 'autobound'])

# ---------------------------------------------------------------------------
# State names (the caller handles `state X` / `exclude X` before the expression)

STATE_NAMES = {
    'unknown': (0,), 'established': (1,), 'syn-sent': (2,), 'syn-recv': (3,), 'syn-rcv': (3,),
    'fin-wait-1': (4,), 'fin-wait-2': (5,), 'time-wait': (6,), 'unconnected': (7,), 'close': (7,),
    'closed': (7,), 'close-wait': (8,), 'last-ack': (9,), 'listening': (10,), 'closing': (11,),
}
STATE_GROUPS = ('all', 'connected', 'synchronized', 'bucket', 'big')
_STATE_TYPOS = {
    'listen': 'listening', 'estab': 'established', 'syn_sent': 'syn-sent', 'syn_recv': 'syn-recv',
    'fin_wait1': 'fin-wait-1', 'fin_wait2': 'fin-wait-2', 'time_wait': 'time-wait', 'timewait': 'time-wait',
    'close_wait': 'close-wait', 'last_ack': 'last-ack', 'unconn': 'unconnected', 'fin-wait1': 'fin-wait-1',
    'fin-wait2': 'fin-wait-2', 'synchronised': 'synchronized',
}


def check_state_name(word, position=None):
    """Return the lower-cased state or group name, or raise FilterError with a hint."""
    low = word.lower()
    if low in STATE_NAMES or low in STATE_GROUPS:
        return low
    hint = None
    if low in _STATE_TYPOS:
        hint = 'did you mean "%s"?' % _STATE_TYPOS[low]
    return _raise(FilterError('is not a state name', word, position, hint))


def _state_hint(word):
    low = word.lower()
    if low in _STATE_TYPOS:
        return 'did you mean "state %s"? state names go before the expression' % _STATE_TYPOS[low]
    if low in STATE_NAMES or low in STATE_GROUPS:
        return '"%s" is a state name: write "state %s" before the expression' % (word, low)
    return None


def _raise(err):
    raise err


# ---------------------------------------------------------------------------
# C-like number parsing (strtoul/strtol with base 0)

_ULONG_MAX = (1 << 64) - 1
_LONG_MAX = (1 << 63) - 1
_LONG_MIN = -(1 << 63)
_WS = ' \t\n\v\f\r'
_HEX = '0123456789abcdefABCDEF'


def _c_strtox(text, signed):
    """Parse like strtoul/strtol(text, &end, 0).  Returns (value, end_index)."""
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
        return 0, 0        # no conversion: end = beginning of the string
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


def _full_strtol(text):
    """get_integer(): whole string, base 0, must fit a C int.  None when invalid."""
    if not text:
        return None
    val, end = _c_strtox(text, True)
    if end == 0 or end != len(text):
        return None
    if val > 0x7fffffff or val < -0x80000000:
        return None
    return val


def _full_strtoul(text, limit):
    """get_unsigned()/get_u32()/get_u16(): whole string, base 0, <= limit."""
    if not text:
        return None
    val, end = _c_strtox(text, False)
    if end == 0 or end != len(text):
        return None
    if val > limit:
        return None
    return val


def _scanf_i(text):
    """sscanf("%i") into a C int: (value as u32, rest) or None when nothing matched."""
    val, end = _c_strtox(text, True)
    if end == 0:
        return None
    return val & 0xffffffff, text[end:]


def _to_s32(val):
    val &= 0xffffffff
    return val - (1 << 32) if val & 0x80000000 else val


# ---------------------------------------------------------------------------
# AST


class Expr(object):
    """Base class of every AST node.

    The root returned by parse() also carries the operand-family side effect
    of ss (quirk B-14):

    families       tuple of AF_* numbers, in order, that operands forced
                   (explicit ``unix:``/``inet:``/... prefixes or inherited
                   preferred family); empty when none.
    forced_family  the last of them or None.  ss replaces its family set with
                   this single family (keeping the state mask) and makes it
                   the preferred family; the caller applies that.
    """

    families = ()
    forced_family = None
    grouped = False     # set on a node that was written inside parentheses

    def children(self):
        return ()

    def walk(self):
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    def to_ss(self):
        raise NotImplementedError

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def _key(self):
        return ()


class _Binary(Expr):
    """A binary operator node; subclasses only name the operator."""

    __slots__ = ('left', 'right')
    WORD = ''

    def __init__(self, left, right):
        self.left = left
        self.right = right

    def children(self):
        return (self.left, self.right)

    def _key(self):
        return (self.left, self.right)

    def __repr__(self):
        return '%s(%r, %r)' % (type(self).__name__, self.left, self.right)

    def to_ss(self):
        return '( %s %s %s )' % (self.left.to_ss(), self.WORD, self.right.to_ss())


class And(_Binary):
    __slots__ = ()
    WORD = 'and'


class Or(_Binary):
    __slots__ = ()
    WORD = 'or'


class Not(Expr):
    __slots__ = ('child',)

    def __init__(self, child):
        self.child = child

    def children(self):
        return (self.child,)

    def _key(self):
        return (self.child,)

    def __repr__(self):
        return 'Not(%r)' % (self.child,)

    def to_ss(self):
        return 'not %s' % self.child.to_ss()


class Prefix(object):
    """One address alternative of a host condition (ss `inet_prefix`).

    family  AF_* of the address (AF_UNSPEC for `*`, `:port` and unprefixed `all`)
    bitlen  prefix length; 0 = any address
    data    address bytes: 16 for AF_INET6, else 4 (packet/netlink/vsock:
            the number in host byte order, as ss stores it)
    """

    __slots__ = ('family', 'bitlen', 'data')

    def __init__(self, family, bitlen, data):
        self.family = family
        self.bitlen = bitlen
        self.data = bytes(data)

    def _key(self):
        return (self.family, self.bitlen, self.data)

    def __eq__(self, other):
        return isinstance(other, Prefix) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        if self.family == AF_INET6:
            txt = '[%s]' % socket.inet_ntop(socket.AF_INET6, self.data)
        elif self.family == AF_INET:
            txt = socket.inet_ntop(socket.AF_INET, self.data)
        elif self.family in (AF_PACKET, AF_NETLINK, AF_VSOCK):
            txt = '%s:%d' % (_FAMILY_PREFIX[self.family], int.from_bytes(self.data[:4], sys.byteorder))
        else:
            txt = '*'
        return '%s/%d' % (txt, self.bitlen)


class HostCond(Expr):
    """`src`/`dst` (and `sport =`/`dport =`): ss node SCOND / DCOND.

    side      'src' or 'dst'
    family    AF_* of the operand (AF_UNIX: `pattern` is an fnmatch glob)
    port      int, -1 = any (ss keeps the int as typed: -5, 70000 ...)
    prefixes  tuple of Prefix alternatives (OR); empty for unix
    pattern   unix glob or None
    text      the operand as typed
    """

    __slots__ = ('side', 'family', 'port', 'prefixes', 'pattern', 'text')

    def __init__(self, side, family, port, prefixes=(), pattern=None, text=''):
        self.side = side
        self.family = family
        self.port = port
        self.prefixes = tuple(prefixes)
        self.pattern = pattern
        self.text = text

    def _key(self):
        return (self.side, self.family, self.port, self.prefixes, self.pattern)

    def __repr__(self):
        kind = 'SCond' if self.side == 'src' else 'DCond'
        if self.pattern is not None:
            return '%s(unix=%r)' % (kind, self.pattern)
        port = '*' if self.port == -1 else str(self.port)
        hosts = ', '.join(repr(p) for p in self.prefixes) or '*'
        return '%s(host=%s, port=%s)' % (kind, hosts, port)

    def to_ss(self):
        return '%s %s' % (self.side, _quote(self.text))


class PortRange(Expr):
    """`sport >= P` etc.: ss nodes S_GE/S_LE/D_GE/D_LE. op is '>=' or '<='."""

    __slots__ = ('side', 'op', 'port', 'text')

    def __init__(self, side, op, port, text=''):
        self.side = side
        self.op = op
        self.port = port
        self.text = text

    def _key(self):
        return (self.side, self.op, self.port)

    def __repr__(self):
        return '%s(%s %d)' % ('SPort' if self.side == 'src' else 'DPort', self.op, self.port)

    def to_ss(self):
        return '%s %s %s' % ('sport' if self.side == 'src' else 'dport', self.op, _quote(self.text))


class DevCond(Expr):
    __slots__ = ('ifindex', 'text')

    def __init__(self, ifindex, text=''):
        self.ifindex = ifindex
        self.text = text

    def _key(self):
        return (self.ifindex,)

    def __repr__(self):
        return 'Dev(%d)' % self.ifindex

    def to_ss(self):
        return 'dev %s' % _quote(self.text)


class MarkCond(Expr):
    __slots__ = ('mark', 'mask')

    def __init__(self, mark, mask=0xffffffff):
        self.mark = mark
        self.mask = mask

    def _key(self):
        return (self.mark, self.mask)

    def __repr__(self):
        return 'Mark(0x%x/0x%x)' % (self.mark, self.mask)

    def to_ss(self):
        return 'fwmark 0x%x/0x%x' % (self.mark, self.mask)


class CgroupCond(Expr):
    __slots__ = ('cgroup_id', 'path')

    def __init__(self, cgroup_id, path=''):
        self.cgroup_id = cgroup_id
        self.path = path

    def _key(self):
        return (self.cgroup_id,)

    def __repr__(self):
        return 'Cgroup(%d, %r)' % (self.cgroup_id, self.path)

    def to_ss(self):
        return 'cgroup %s' % _quote(self.path)


class AutoBound(Expr):
    __slots__ = ()

    def __repr__(self):
        return 'AutoBound()'

    def to_ss(self):
        return 'autobound'


def _quote(text):
    out = []
    for ch in text:
        if ch in ' \t\\':
            out.append('\\')
        out.append(ch)
    return ''.join(out) or '\\'


_FAMILY_PREFIX = {AF_UNIX: 'unix', AF_PACKET: 'link', AF_NETLINK: 'netlink', AF_VSOCK: 'vsock',
                  AF_INET: 'inet', AF_INET6: 'inet6'}
_PREFIXES = (('unix:', AF_UNIX), ('link:', AF_PACKET), ('netlink:', AF_NETLINK), ('vsock:', AF_VSOCK),
             ('inet:', AF_INET), ('inet6:', AF_INET6))

# ---------------------------------------------------------------------------
# Name tables

# ethertype names understood by iproute2's ll_proto_a2n (case-insensitive), host order values
LL_PROTOS = {
    'loop': 0x0060, 'pup': 0x0200, 'pupat': 0x0201, 'ip': 0x0800, 'x25': 0x0805, 'arp': 0x0806,
    'bpq': 0x08ff, 'ieeepup': 0x0a00, 'ieeepupat': 0x0a01, 'dec': 0x6000, 'dna_dl': 0x6001,
    'dna_rc': 0x6002, 'dna_rt': 0x6003, 'lat': 0x6004, 'diag': 0x6005, 'cust': 0x6006, 'sca': 0x6007,
    'rarp': 0x8035, 'atalk': 0x809b, 'aarp': 0x80f3, 'ipx': 0x8137, 'ipv6': 0x86dd,
    'ppp_disc': 0x8863, 'ppp_ses': 0x8864, 'atmmpoa': 0x884c, 'atmfate': 0x8884, '802_3': 0x0001,
    'ax25': 0x0002, 'all': 0x0003, '802_2': 0x0004, 'snap': 0x0005, 'ddcmp': 0x0006,
    'wan_ppp': 0x0007, 'ppp_mp': 0x0008, 'localtalk': 0x0009, 'can': 0x000c, 'ppptalk': 0x0010,
    'tr_802_2': 0x0011, 'mobitex': 0x0015, 'control': 0x0016, 'irda': 0x0017, 'econet': 0x0018,
    'tipc': 0x88ca, 'profinet': 0x8892, 'aoe': 0x88a2, 'ethercat': 0x88a4, '802.1q': 0x8100,
    '802.1ad': 0x88a8, 'mpls_uc': 0x8847, 'mpls_mc': 0x8848, 'teb': 0x6558, 'lldp': 0x88cc,
}

# netlink protocol names (ss's nl_proto table; extended by /etc/iproute2/nl_protos)
NL_PROTOS = {
    'rtnl': 0, 'unused': 1, 'usersock': 2, 'fw': 3, 'tcpdiag': 4, 'nflog': 5, 'xfrm': 6,
    'selinux': 7, 'iscsi': 8, 'audit': 9, 'fiblookup': 10, 'connector': 11, 'nft': 12, 'ip6fw': 13,
    'dec-rt': 14, 'uevent': 15, 'genl': 16, 'scsi-trans': 18, 'ecryptfs': 19, 'rdma': 20, 'crypto': 21,
}


def _nl_protos():
    table = dict(NL_PROTOS)
    try:
        with open('/etc/iproute2/nl_protos') as fh:
            for line in fh:
                parts = line.split('#', 1)[0].split()
                if len(parts) >= 2:
                    num = _full_strtoul(parts[0], 0xffffffff)
                    if num is not None:
                        table[parts[1]] = num
    except (IOError, OSError, UnicodeError):
        pass
    return table


def _ifindex(name):
    """ll_name_to_index(): interface name, else "if<N>" (sscanf %u)."""
    try:
        idx = socket.if_nametoindex(name)
    except (OSError, ValueError, UnicodeError):
        idx = 0
    if idx:
        return idx
    m = re.match(r'if[ \t\n\v\f\r]*([+-]?)([0-9]+)', name)
    if m:
        val = int(m.group(2))
        if m.group(1) == '-':
            val = -val
        return val & 0xffffffff
    return 0


# ---------------------------------------------------------------------------
# Address parsing


def _ipv4_short(text):
    """iproute2 get_addr_ipv4: up to 4 strtoul(base 0) components <= 255."""
    out = bytearray(4)
    rest = text
    for i in range(4):
        val, end = _c_strtox(rest, False)
        if end == 0 or val > 255:
            return None
        out[i] = val
        if end == len(rest):
            return bytes(out)
        if i == 3 or rest[end] != '.':
            return None
        rest = rest[end + 1:]
    return None


def _addr_1(text, family):
    """get_addr_1: returns Prefix with full bitlen, or None."""
    if text in ('default', 'any', 'all'):
        fam = family if family in (AF_INET, AF_INET6) else AF_UNSPEC
        return Prefix(fam, -2, bytes(16 if fam == AF_INET6 else 4))
    if ':' in text:
        if family not in (AF_UNSPEC, AF_INET6):
            return None
        try:
            data = socket.inet_pton(socket.AF_INET6, text)
        except (OSError, ValueError, UnicodeError):
            return None
        return Prefix(AF_INET6, 128, data)
    if family not in (AF_UNSPEC, AF_INET):
        return None
    data = _ipv4_short(text)
    if data is None:
        return None
    return Prefix(AF_INET, 32, data)


def _mask2bits(data):
    val = int.from_bytes(data, 'big')
    bits = 0
    while bits < 32 and val & (0x80000000 >> bits):
        bits += 1
    if (val << bits) & 0xffffffff:
        return None
    return bits


def _prefix_1(text, family):
    """get_prefix_1: ADDR[/LEN|/MASK]; None when not a literal prefix."""
    slash = text.find('/')
    head = text if slash < 0 else text[:slash]
    pfx = _addr_1(head, family)
    if pfx is None:
        return None
    if pfx.bitlen == -2:
        pfx.bitlen = 0
        if slash >= 0:
            return None
        return pfx
    if slash >= 0:
        tail = text[slash + 1:]
        plen = _full_strtoul(tail, 0xffffffff)
        if plen is None:
            mask = _addr_1(tail, AF_INET)
            if mask is None or mask.family != AF_INET:
                return None
            plen = _mask2bits(mask.data)
            if plen is None:
                return None
        if plen > pfx.bitlen:
            return None
        pfx.bitlen = plen
    return pfx


def _resolve_host(name, family):
    """Host name lookup (ss: gethostbyname2 for AF_INET, and AF_INET6 when unspecified)."""
    if not name or (name.strip('0123456789.') == '' and name.endswith('.')):
        return []
    if name.strip('0123456789.') == '':
        # glibc treats digits-and-dots names numerically (inet_aton), never via NSS
        if family in (AF_UNSPEC, AF_INET):
            try:
                return [Prefix(AF_INET, 32, socket.inet_aton(name))]
            except (OSError, ValueError):
                return []
        return []
    if ':' in name:
        return []
    try:
        socket.inet_aton(name)
        return []       # numeric forms such as 0x0a000001: ss's gethostbyname2 does not accept them
    except (OSError, ValueError):
        pass
    fams = [family] if family in (AF_INET, AF_INET6) else [AF_INET, AF_INET6]
    out = []
    for fam in fams:
        try:
            infos = socket.getaddrinfo(name, None, fam)
        except (OSError, ValueError, UnicodeError):
            continue
        for info in infos:
            addr = info[4][0]
            if fam == AF_INET6:
                if '%' in addr:
                    addr = addr.split('%', 1)[0]
                pfx = Prefix(AF_INET6, 128, socket.inet_pton(socket.AF_INET6, addr))
            else:
                pfx = Prefix(AF_INET, 32, socket.inet_aton(addr))
            if pfx not in out:
                out.append(pfx)
    return out


# ---------------------------------------------------------------------------
# Parser


class _Parser(object):

    def __init__(self, tokens, tables, preferred_family, resolver):
        self.toks = tokens
        self.pos = 0
        self.tables = frozenset(tables or ())
        self.family = preferred_family if preferred_family else AF_UNSPEC
        self.resolver = resolver or _resolve_host
        self.forced = []
        self.depth = 0

    # -- helpers
    def peek(self):
        if self.pos < len(self.toks):
            return self.toks[self.pos]
        return None

    def kind(self, tok):
        return _KEYWORDS.get(tok) if tok is not None else None

    def err(self, reason, pos=None, hint=None):
        if pos is None:
            pos = self.pos
        word = self.toks[pos] if pos < len(self.toks) else None
        return FilterError(reason, word, pos, hint)

    # -- grammar
    def parse(self):
        if not self.toks:
            return None
        node = self.parse_list()
        if self.pos < len(self.toks):
            raise self.err('closes a parenthesis that was never opened', hint='remove it or add "(" before')
        return node

    def parse_list(self):
        left = self.parse_term()
        while True:
            tok = self.peek()
            k = self.kind(tok)
            if tok is None or k == _T_RP:
                return left
            if k == _T_AND:
                self.pos += 1
                left = And(left, self.parse_term())
            elif k == _T_OR:
                self.pos += 1
                left = Or(left, self.parse_term())
            else:
                left = And(left, self.parse_term())

    def parse_term(self):
        tok = self.peek()
        k = self.kind(tok)
        if tok is None:
            prev = self.toks[self.pos - 1] if self.pos else None
            raise FilterError('expression ends too early%s' % (' after "%s"' % prev if prev else ''),
                              None, self.pos, 'a condition (src, dst, sport, dport, dev, fwmark, cgroup, autobound) must follow')
        if k in (_T_LP, _T_NOT):
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.err('nests parentheses and "not" more than %d deep' % MAX_NESTING,
                               hint='simplify the expression')
            try:
                return self._nested_term(k)
            finally:
                self.depth -= 1
        if k in _PREDICATES:
            return self.parse_predicate(k)
        raise self.bad_term(tok, k)

    def _nested_term(self, k):
        """A parenthesised list or a `not` term (parse_term counts the depth)."""
        if k == _T_LP:
            start = self.pos
            self.pos += 1
            if self.kind(self.peek()) == _T_RP:
                raise self.err('closes an empty parenthesis', hint='put a condition between "(" and ")"')
            node = self.parse_list()
            if self.peek() is None:
                raise FilterError('parenthesis opened at word %d is never closed' % (start + 1), None, self.pos,
                                  'add ")"')
            self.pos += 1
            node.grouped = True
            return node
        self.pos += 1
        return Not(self.parse_term())

    def bad_term(self, tok, k):
        if k in (_T_AND, _T_OR):
            return self.err('needs a condition on its left', hint='an expression cannot start with an operator or have two in a row')
        if k == _T_RP:
            return self.err('closes a parenthesis that was never opened')
        if k in _OPERATORS:
            return self.err('is an operator without a keyword', hint='operators follow sport, dport, src, dst, dev, fwmark or cgroup')
        if tok in ('state', 'exclude', 'excl'):
            nxt = self.toks[self.pos + 1] if self.pos + 1 < len(self.toks) else None
            hint = 'ss only accepts "%s NAME" before the expression: move it to the front' % tok
            if nxt is not None and nxt.lower() in _STATE_TYPOS:
                hint += ' (and write "%s" instead of "%s")' % (_STATE_TYPOS[nxt.lower()], nxt)
            return self.err('cannot be used inside the expression', hint=hint)
        hint = _glued_hint(tok)
        if hint is None:
            hint = _state_hint(tok)
        if hint is None and tok.lower() in _PREDICATES:
            hint = 'keywords are case-sensitive: write "%s"' % tok.lower()
        if hint is None:
            hint = 'a condition must start with src, dst, sport, dport, dev, fwmark, cgroup or autobound'
        return self.err('is not a keyword here', hint=hint)

    def parse_predicate(self, k):
        kw_pos = self.pos
        self.pos += 1
        if k == 'autobound':
            return AutoBound()
        op = _T_EQ
        tok = self.peek()
        tk = self.kind(tok)
        if tk in _OPERATORS:
            op = tk
            allowed = {'src': (_T_EQ,), 'dst': (_T_EQ,), 'dev': (_T_EQ, _T_NE), 'fwmark': (_T_EQ, _T_NE),
                       'cgroup': (_T_EQ, _T_NE)}.get(k)
            if allowed is not None and op not in allowed:
                if k in ('src', 'dst'):
                    hint = 'src/dst only accept "="; use "not %s ADDRESS"' % k if op == _T_NE else 'src/dst only accept "="'
                else:
                    hint = '%s only accepts "=" or "!="' % k
                raise self.err('cannot follow "%s"' % k, hint=hint)
            self.pos += 1
        tok = self.peek()
        if tok is None:
            raise FilterError('expression ends too early after "%s"' % self.toks[self.pos - 1], None, self.pos,
                              '"%s" needs %s' % (self.toks[kw_pos], _OPERAND_NAMES[k]))
        if tok in _KEYWORDS:
            raise self.err('is a keyword, not %s' % _OPERAND_NAMES[k],
                           hint='"%s" needs %s' % (self.toks[kw_pos], _OPERAND_NAMES[k]))
        opnd_pos = self.pos
        self.pos += 1
        if k == 'dev':
            node = DevCond(self.parse_dev(tok, opnd_pos), tok)
        elif k == 'fwmark':
            mark, mask = self.parse_mark(tok, opnd_pos)
            node = MarkCond(mark, mask)
        elif k == 'cgroup':
            node = CgroupCond(self.parse_cgroup(tok, opnd_pos), tok)
        else:
            side = 'src' if k in ('src', 'sport') else 'dst'
            cond = self.parse_hostcond(tok, opnd_pos, side, is_port=k in ('sport', 'dport'))
            if op == _T_EQ:
                return cond
            if op == _T_NE:
                return Not(cond)
            port = cond.port
            if op == _T_GE:
                return PortRange(side, '>=', port, tok)
            if op == _T_LE:
                return PortRange(side, '<=', port, tok)
            if op == _T_GT:
                return Not(PortRange(side, '<=', port, tok))
            return Not(PortRange(side, '>=', port, tok))
        if op == _T_NE:
            return Not(node)
        return node

    # -- operands
    def parse_dev(self, tok, pos):
        idx = _ifindex(tok)
        if idx == 0:
            val = _full_strtoul(tok, 0xffffffff) if tok else None
            if val is None:
                raise FilterError('is not a network device name or index', tok, pos,
                                  'use an interface name (lo), an index (1) or "if<index>"')
            idx = val
        return idx

    def parse_mark(self, tok, pos):
        hint = 'write fwmark VALUE or VALUE/MASK (decimal, 0x hex or 0 octal)'
        if '/' in tok:
            first = _scanf_i(tok)
            if first is None or not first[1].startswith('/'):
                raise FilterError('is not a mark', tok, pos, hint)
            second = _scanf_i(first[1][1:])
            if second is None:
                raise FilterError('is not a mark', tok, pos, hint)
            return first[0], second[0]
        first = _scanf_i(tok)
        if first is None:
            raise FilterError('is not a mark', tok, pos, hint)
        return first[0], 0xffffffff

    def parse_cgroup(self, tok, pos):
        try:
            return cgroup_id(tok)
        except (OSError, ValueError) as exc:
            raise FilterError('is not a cgroup (%s)' % exc, tok, pos,
                              'give a path relative to the cgroup2 mount, or an absolute path under it')

    def set_family(self, fam):
        if fam != AF_UNSPEC:
            self.forced.append(fam)
            self.family = fam

    def parse_hostcond(self, tok, pos, side, is_port):
        text = tok
        fam = self.family
        for pfx, pfam in _PREFIXES:
            if text.startswith(pfx):
                fam = pfam
                text = text[len(pfx):]
                break
        if fam == AF_UNIX:
            node = HostCond(side, AF_UNIX, -1, (), text, tok)
        elif fam == AF_PACKET:
            node = self._packet(tok, text, pos, side, is_port)
        elif fam == AF_NETLINK:
            node = self._netlink(tok, text, pos, side, is_port)
        elif fam == AF_VSOCK:
            node = self._vsock(tok, text, pos, side, is_port)
        else:
            node = self._inet(tok, text, pos, side, is_port, fam)
        self.set_family(fam)
        return node

    def _packet(self, tok, text, pos, side, is_port):
        if is_port:
            proto_txt, port_txt = '', text
        else:
            proto_txt, sep, port_txt = text.partition(':')
            if not sep:
                port_txt = ''
        port = -1
        if port_txt and port_txt != '*':
            port = _full_strtol(port_txt)
            if port is None:
                port = _ifindex(port_txt)
                if port <= 0 or port > 0x7fffffff:
                    raise FilterError('names no network device', tok, pos, 'packet sockets take link:PROTO[:INTERFACE]')
        prefixes = (Prefix(AF_PACKET, 0, bytes(4)),)
        if proto_txt and proto_txt != '*':
            val = LL_PROTOS.get(proto_txt.lower())
            if val is None:
                val = _full_strtoul(proto_txt, 0xffff)
            if val is None:
                raise FilterError('is not an ethernet protocol', tok, pos,
                                  'use a name such as ip, arp, ipv6, all, 802.1Q or a number')
            prefixes = (Prefix(AF_PACKET, 32, val.to_bytes(4, sys.byteorder)),)
        return HostCond(side, AF_PACKET, port, prefixes, None, tok)

    def _netlink(self, tok, text, pos, side, is_port):
        if is_port:
            proto_txt, port_txt = '', text
        else:
            proto_txt, sep, port_txt = text.partition(':')
            if not sep:
                port_txt = ''
        port = -1
        if port_txt and port_txt != '*':
            port = _full_strtol(port_txt)
            if port is None:
                if port_txt != 'kernel':
                    raise FilterError('has a bad netlink port id', tok, pos, 'use a number, "kernel" or "*"')
                port = 0
        prefixes = (Prefix(AF_NETLINK, 0, bytes(4)),)
        if proto_txt and proto_txt != '*':
            val = _nl_protos().get(proto_txt)
            if val is None:
                val = _full_strtoul(proto_txt, 0xffffffff)
            if val is None:
                raise FilterError('is not a netlink protocol', tok, pos,
                                  'use a number or one of: %s' % ', '.join(sorted(NL_PROTOS)))
            prefixes = (Prefix(AF_NETLINK, 32, val.to_bytes(4, sys.byteorder)),)
        return HostCond(side, AF_NETLINK, port, prefixes, None, tok)

    def _vsock(self, tok, text, pos, side, is_port):
        if is_port:
            cid_txt, port_txt = '', text
        else:
            cid_txt, sep, port_txt = text.partition(':')
            if not sep:
                port_txt = None
        port = -1
        if port_txt is not None and port_txt != '*':
            val = _full_strtoul(port_txt, 0xffffffff)
            if val is None:
                raise FilterError('has a bad vsock port', tok, pos, 'vsock takes CID[:PORT], unsigned 32-bit numbers or "*"')
            port = _to_s32(val)
        cid, bitlen = 0xffffffff, 0
        if not is_port and cid_txt and cid_txt != '*':
            cid = _full_strtoul(cid_txt, 0xffffffff)
            if cid is None:
                raise FilterError('has a bad vsock CID', tok, pos, 'vsock takes CID[:PORT], unsigned 32-bit numbers or "*"')
            bitlen = 32
        return HostCond(side, AF_VSOCK, port, (Prefix(AF_VSOCK, bitlen, cid.to_bytes(4, sys.byteorder)),), None, tok)

    def _inet(self, tok, text, pos, side, is_port, fam):
        host = ''
        port_txt = None
        if is_port:
            port_txt = text[1:] if text.startswith(':') else text
        elif text.startswith('['):
            end = text.find(']')
            if end < 0:
                raise FilterError('has "[" without "]"', tok, pos, 'write IPv6 addresses as [ADDR] or [ADDR]:PORT')
            host = text[1:end]
            rest = text[end + 1:]
            port_txt = rest[1:] if rest.startswith(':') else rest
            if port_txt.startswith('/'):
                raise FilterError('has a prefix length after "]"', tok, pos,
                                  'write [%s]:PORT or %s%s without brackets' % (host, host, port_txt))
        elif text.startswith('*'):
            rest = text[1:]
            port_txt = rest[1:] if rest.startswith(':') else rest
            host = ''
        else:
            slash = text.find('/')
            col = text.rfind(':', slash if slash >= 0 else 0)
            if col >= 0 and (slash < 0 or col > slash):
                host, port_txt = text[:col], text[col + 1:]
            else:
                host = text
        port = -1
        if port_txt and not port_txt.startswith('*'):
            port = self._port(port_txt, tok, pos)
        prefixes = (Prefix(AF_UNSPEC, 0, bytes(4)),)
        if not is_port and host and not host.startswith('*'):
            pfx = _prefix_1(host, fam if fam in (AF_INET, AF_INET6) else AF_UNSPEC)
            if pfx is not None:
                prefixes = (pfx,)
            else:
                try:
                    found = self.resolver(host, fam if fam in (AF_INET, AF_INET6) else AF_UNSPEC)
                except (OSError, ValueError, UnicodeError):
                    found = []
                if not found:
                    raise FilterError('is not an address, prefix or known host name', tok, pos, self._addr_hint(text, host, fam))
                prefixes = tuple(found)
        return HostCond(side, fam if prefixes[0].family else AF_UNSPEC, port, prefixes, None, tok)

    def _addr_hint(self, text, host, fam):
        if text.count(':') >= 2 and not text.startswith('['):
            return 'IPv6 addresses need brackets: [%s] (or give a prefix length: %s/128)' % (text, text)
        if fam == AF_INET6 and _prefix_1(host, AF_INET) is not None:
            return 'the preferred family is IPv6 (-6 or an earlier inet6: operand); use inet:%s' % text
        if fam == AF_INET and ':' in host:
            return 'the preferred family is IPv4 (-4 or an earlier inet: operand); use inet6:[%s]' % host
        if '/' in host:
            return 'the prefix length must be 0-32 (IPv4) or 0-128 (IPv6), or a contiguous dotted netmask'
        glued = _glued_hint(text)
        if glued:
            return glued
        state = _state_hint(text)
        if state:
            return state
        return 'IPv4 a.b.c.d[/len], IPv6 [addr] or addr/len, "*", or a resolvable host name'

    def _port(self, text, tok, pos):
        val = _full_strtol(text)
        if val is not None:
            return val
        if any(ch.isdigit() for ch in text[:1]) or text[:1] in '+-':
            num, end = _c_strtox(text, True)
            if end == len(text) and end:
                raise FilterError('is out of range for a port', tok, pos, 'ss accepts ports from -2147483648 to 2147483647 (-1 = any)')
        have_tcp = 'tcp' in self.tables
        have_udp = 'udp' in self.tables
        if not have_tcp and not have_udp:
            raise FilterError('does not look like a port', tok, pos,
                              'service names are looked up only when the tcp or udp table is selected; use a number')
        found = []
        for proto, wanted in (('udp', have_udp), ('tcp', have_tcp)):
            if not wanted:
                continue
            try:
                found.append(socket.getservbyname(text, proto))
            except (OSError, ValueError, UnicodeError, OverflowError):
                pass
        if len(found) == 2 and found[0] != found[1]:
            raise FilterError('is an ambiguous port name', tok, pos,
                              'it is %d for udp and %d for tcp: use a number' % (found[0], found[1]))
        if not found:
            raise FilterError('does not look like a port', tok, pos, 'unknown service name; use a number')
        return found[0]


_OPERAND_NAMES = {
    'src': 'an address', 'dst': 'an address', 'sport': 'a port', 'dport': 'a port', 'dev': 'a device',
    'fwmark': 'a mark', 'cgroup': 'a cgroup path',
}


def _glued_hint(tok):
    if len(tok) < 2:
        return None
    m = re.match(r'^([a-z]+)(==|!=|>=|<=|=|<|>)(.*)$', tok)
    if m and m.group(1) in _KEYWORDS:
        return 'separate keywords, operators and parentheses with spaces ("%s")' % ' '.join(g for g in m.groups() if g)
    for kw in sorted(_KEYWORDS, key=len, reverse=True):
        if tok.startswith(kw) and tok != kw and (kw in '()!' or not tok[len(kw)].isalnum()) and kw not in ('<', '>', '='):
            return 'separate keywords, operators and parentheses with spaces ("%s %s")' % (kw, tok[len(kw):])
        if tok.endswith(kw) and tok != kw and kw in ('(', ')'):
            return 'separate keywords, operators and parentheses with spaces ("%s %s")' % (tok[:-len(kw)], kw)
    return None


def parse(words, tables=frozenset(), preferred_family=None, resolver=None):
    """Parse an ss filter expression.

    words             list of argv-style words (or one string); each word is
                      split further by split_words().
    tables            selected ss table names ('tcp', 'udp', ...); decides
                      where service names are looked up.
    preferred_family  AF_* of the last -4/-6/-0/-x/-f option, or None.
    resolver          callable(name, family) -> list of Prefix (for tests);
                      default: numeric rules of glibc, then getaddrinfo.

    Returns the AST root (an Expr, with ``families``/``forced_family`` set)
    or None for an empty expression.  Raises FilterError only.
    """
    tokens = split_words(words)
    parser = _Parser(tokens, tables, preferred_family, resolver)
    root = parser.parse()
    if root is not None:
        root.families = tuple(parser.forced)
        root.forced_family = parser.forced[-1] if parser.forced else None
    return root


def expr_families(expr):
    """(families, forced_family) of a parse() result; ((), None) for None."""
    if expr is None:
        return (), None
    return getattr(expr, 'families', ()), getattr(expr, 'forced_family', None)


# ---------------------------------------------------------------------------
# and/or mixing warning


def mixed_and_or_warning(source):
    """Warn when 'and' and 'or' are mixed at one parenthesis level.

    source: a word list / string (checked token by token; juxtaposition counts
    as 'and') or a parsed Expr (And and Or nodes directly nested in each
    other without a group cannot be told apart there, so words are better).
    Returns a warning string or None.
    """
    if source is None:
        return None
    if isinstance(source, Expr):
        return None if not _ast_mixed(source) else _MIXED_TEXT
    stack = [set()]
    prev_end = False
    for tok in split_words(source):
        k = _KEYWORDS.get(tok)
        if k is None:
            prev_end = True
            continue
        if k in _OPERATORS:
            continue
        if k in (_T_AND, _T_OR):
            stack[-1].add(k)
            prev_end = False
        elif k == _T_RP:
            if len(stack) > 1:
                stack.pop()
            prev_end = True
            continue
        else:
            if prev_end:
                stack[-1].add(_T_AND)
                if len(stack[-1]) == 2:
                    return _MIXED_TEXT
            if k == _T_LP:
                stack.append(set())
            prev_end = k == 'autobound'
        if len(stack[-1]) == 2:
            return _MIXED_TEXT
    return None


_MIXED_TEXT = ('the filter mixes "and" and "or" without parentheses: ss reads them strictly left to right '
               '(A or B and C means (A or B) and C), not with "and" binding tighter; add parentheses')


def _ast_mixed(node):
    for child in node.children():
        if _ast_mixed(child):
            return True
    if isinstance(node, (And, Or)):
        other = Or if isinstance(node, And) else And
        if isinstance(node.left, other) and not node.left.grouped:
            return True
    return False


# ---------------------------------------------------------------------------
# cgroup ids


def cgroup2_mount(mountinfo='/proc/self/mountinfo'):
    """Mount point of the first cgroup2 file system, or None."""
    try:
        with open(mountinfo) as fh:
            for line in fh:
                left, sep, right = line.partition(' - ')
                if sep and right.split(' ', 1)[0] == 'cgroup2':
                    mnt = left.split(' ')[4]
                    return re.sub(r'\\([0-7]{3})', lambda m: chr(int(m.group(1), 8)), mnt)
    except (IOError, OSError):
        return None
    return None


def cgroup_id(path, mountinfo='/proc/self/mountinfo'):
    """cgroup v2 id of PATH, resolved like ss (lib/fs.c get_cgroup2_id, quirk B-11).

    PATH is first looked up as given (relative to the current directory or
    absolute on the real file system); if that fails, leading slashes are
    stripped and it is looked up under the cgroup2 mount.  The id is the
    inode number of the directory (== the kernfs node id on cgroup2).
    Raises OSError/ValueError when nothing is found.
    """
    if not path:
        raise ValueError('empty path')
    try:
        return os.stat(path).st_ino
    except (OSError, ValueError):
        pass
    mnt = cgroup2_mount(mountinfo)
    if mnt is None:
        raise ValueError('no cgroup2 file system is mounted')
    rel = path.lstrip('/')
    st = os.stat(os.path.join(mnt, rel) if rel else mnt)
    return st.st_ino


# ---------------------------------------------------------------------------
# User-space matcher


def read_ephemeral_range(path='/proc/sys/net/ipv4/ip_local_port_range'):
    """(low, high) of the local port range; ss's fallback is 1024-4999."""
    try:
        with open(path) as fh:
            parts = fh.read().split()
        return int(parts[0]), int(parts[1])
    except (IOError, OSError, ValueError, IndexError):
        return 1024, 4999


_MAPPED = b'\0' * 10 + b'\xff\xff'
_ABSTRACT_AUTO = re.compile(r'@[0-9a-f]{5}\Z')


def _view_data(view, side):
    """The 16 address bytes ss would compare for this socket (None: no comparable bytes)."""
    fam = view.family
    val = view.src if side == 'src' else view.dst
    if fam in (AF_INET, AF_INET6):
        if not val:
            return bytes(16)
        return bytes(val).ljust(16, b'\0')
    if fam in (AF_PACKET, AF_NETLINK, AF_VSOCK):
        return (int(val or 0) & 0xffffffff).to_bytes(4, sys.byteorder) + bytes(12)
    return None


def _prefix_test(pfx):
    """Compile one Prefix into test(view_family, data16) -> bool (ss inet2_addr_match)."""
    bitlen = pfx.bitlen
    pval = int.from_bytes(pfx.data.ljust(16, b'\0'), 'big')
    mask = ((1 << bitlen) - 1) << (128 - bitlen) if bitlen else 0
    pval &= mask
    is_v4 = pfx.family == AF_INET

    def test(fam, data):
        # ss: a byte-wise prefix match (families not compared), or else, for a
        # v4-mapped IPv6 socket and an IPv4 prefix, a match of the mapped address
        if data is None:
            return False
        if (int.from_bytes(data, 'big') & mask) == pval:
            return True
        if is_v4 and fam == AF_INET6 and data[:12] == _MAPPED:
            return (int.from_bytes(data[12:] + bytes(12), 'big') & mask) == pval
        return False
    return test


def _glob_regex(pattern):
    """Translate a glibc fnmatch() pattern (no flags but FNM_CASEFOLD) to a regex."""
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == '*':
            out.append('.*')
        elif ch == '?':
            out.append('.')
        elif ch == '\\':
            if i < n:
                out.append(re.escape(pattern[i]))
                i += 1
            else:
                out.append(re.escape('\\'))
        elif ch == '[':
            j = i
            neg = False
            if j < n and pattern[j] in '!^':
                neg = True
                j += 1
            items = []
            first = True
            closed = False
            while j < n:
                c = pattern[j]
                if c == ']' and not first:
                    closed = True
                    j += 1
                    break
                first = False
                if c == '[' and j + 1 < n and pattern[j + 1] == ':':
                    end = pattern.find(':]', j + 2)
                    if end >= 0:
                        cls = pattern[j + 2:end]
                        items.append(_POSIX_CLASSES.get(cls, ''))
                        j = end + 2
                        continue
                if c == '\\' and j + 1 < n:
                    j += 1
                    c = pattern[j]
                if j + 2 < n and pattern[j + 1] == '-' and pattern[j + 2] != ']':
                    hi = pattern[j + 2]
                    if hi == '\\' and j + 3 < n:
                        hi = pattern[j + 3]
                        j += 1
                    items.append('%s-%s' % (re.escape(c), re.escape(hi)) if c <= hi else '')
                    j += 3
                    continue
                items.append(re.escape(c))
                j += 1
            if not closed:
                out.append(re.escape('['))
                continue
            body = ''.join(items)
            if not body:
                out.append('[^\\s\\S]' if not neg else '[\\s\\S]')
            else:
                out.append('[%s%s]' % ('^' if neg else '', body))
            i = j
        else:
            out.append(re.escape(ch))
    return re.compile('(?:%s)\\Z' % ''.join(out), re.IGNORECASE | re.DOTALL)


_POSIX_CLASSES = {
    'alpha': 'a-zA-Z', 'digit': '0-9', 'alnum': 'a-zA-Z0-9', 'upper': 'A-Z', 'lower': 'a-z',
    'space': ' \\t\\n\\r\\f\\v', 'xdigit': '0-9A-Fa-f', 'punct': re.escape('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'),
    'blank': ' \\t', 'cntrl': '\\x00-\\x1f\\x7f', 'print': '\\x20-\\x7e', 'graph': '\\x21-\\x7e',
}


def unix_glob_match(pattern, name):
    """fnmatch(pattern, name, FNM_CASEFOLD) as glibc does it."""
    return _glob_regex(pattern).match(name or '') is not None


def make_matcher(expr, ephemeral_range=None):
    """Compile the AST into callable(SockView) -> bool (ss run_ssfilter semantics).

    ephemeral_range: (low, high) for `autobound` on inet sockets; default:
    read /proc/sys/net/ipv4/ip_local_port_range once (fallback 1024-4999).
    None expr -> a matcher that accepts everything.
    """
    if expr is None:
        return lambda view: True
    if ephemeral_range is None and any(isinstance(n, AutoBound) for n in expr.walk()):
        ephemeral_range = read_ephemeral_range()
    return _compile(expr, ephemeral_range)


def _flatten(node, cls):
    """Operands of a left-deep chain of one operator, without recursion."""
    rights = []
    while isinstance(node, cls):
        rights.append(node.right)
        node = node.left
    rights.append(node)
    rights.reverse()
    return rights


def _compile(node, eph):
    if isinstance(node, (And, Or)):
        funcs = tuple(_compile(n, eph) for n in _flatten(node, type(node)))
        if len(funcs) == 2:
            first, second = funcs
            if isinstance(node, And):
                return lambda v: first(v) and second(v)
            return lambda v: first(v) or second(v)
        if isinstance(node, And):
            return lambda v: all(f(v) for f in funcs)
        return lambda v: any(f(v) for f in funcs)
    if isinstance(node, Not):
        child = _compile(node.child, eph)
        return lambda v: not child(v)
    if isinstance(node, HostCond):
        return _compile_host(node)
    if isinstance(node, PortRange):
        port = node.port
        src = node.side == 'src'
        if node.op == '>=':
            if src:
                return lambda v: v.sport >= port
            return lambda v: v.dport >= port
        if src:
            return lambda v: v.sport <= port
        return lambda v: v.dport <= port
    if isinstance(node, DevCond):
        idx = node.ifindex
        return lambda v: (v.ifindex or 0) == idx
    if isinstance(node, MarkCond):
        mark, mask = node.mark, node.mask
        return lambda v: ((v.mark or 0) & mask) == mark
    if isinstance(node, CgroupCond):
        cgid = node.cgroup_id
        return lambda v: (v.cgroup_id or 0) == cgid
    if isinstance(node, AutoBound):
        low, high = eph

        def auto(v):
            fam = v.family
            if fam == AF_UNIX:
                name = v.src or ''
                return name == '' or _ABSTRACT_AUTO.match(name) is not None
            if fam == AF_PACKET:
                return (v.sport or 0) == 0 and (v.src or 0) == 0
            if fam == AF_NETLINK:
                return v.sport < 0
            if fam == AF_VSOCK:
                return v.sport > 1023
            return low <= v.sport <= high
        return auto
    raise TypeError('not a filter node: %r' % (node,))


def _compile_host(node):
    src = node.side == 'src'
    if node.pattern is not None:
        rx = _glob_regex(node.pattern)

        def unix(v):
            if v.family != AF_UNIX:
                return False   # ss would read the address bytes as a C string pointer
            name = (v.src if src else v.dst) or ''
            return rx.match(name) is not None
        return unix
    port = node.port
    side = node.side
    tests = [_prefix_test(p) for p in node.prefixes if p.bitlen]
    any_addr = len(tests) < len(node.prefixes)  # a bitlen-0 alternative matches every address

    if any_addr or not tests:
        if port == -1:
            return lambda v: True
        if src:
            return lambda v: v.sport == port
        return lambda v: v.dport == port

    def host(v):
        if port != -1 and port != (v.sport if src else v.dport):
            return False
        data = _view_data(v, side)
        fam = v.family
        for test in tests:
            if test(fam, data):
                return True
        return False
    return host


# ---------------------------------------------------------------------------
# Bytecode (implemented in _bytecode; thin wrappers so one import is enough)


def compile_bytecode(expr):
    """See _bytecode.compile_bytecode."""
    from ansible_collections.netdiag.ss.plugins.module_utils import _bytecode
    return _bytecode.compile_bytecode(expr)


__all__ = ['FilterError', 'split_words', 'parse', 'expr_families', 'make_matcher', 'compile_bytecode',
           'mixed_and_or_warning', 'check_state_name', 'cgroup_id', 'cgroup2_mount', 'read_ephemeral_range',
           'unix_glob_match', 'Expr', 'And', 'Or', 'Not', 'HostCond', 'PortRange', 'DevCond', 'MarkCond',
           'CgroupCond', 'AutoBound', 'Prefix', 'STATE_NAMES', 'STATE_GROUPS', 'LL_PROTOS', 'NL_PROTOS',
           'AF_UNSPEC']
