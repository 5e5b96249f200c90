# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""The ss filter language: text -> AST, with no look-ups and no I/O.

It follows iproute2 ss (6.1.0) exactly, quirks included:

* all binary operators (``and``, ``or``, juxtaposition) have the same
  precedence and group left to right: ``A or B and C`` is ``(A or B) and C``;
* ``not`` binds one term; ``>``, ``<`` and ``!=`` are the negations of
  ``<=``, ``>=`` and ``=``;
* operands are read according to the most recent family (``-4``/``-6``/...
  or an earlier ``unix:``/``inet6:``/... operand), with ss's own address,
  port, device, mark and cgroup syntax.

Names that the host must answer (services, host names, devices, cgroups,
netlink protocol names) are left in the AST for _bind. Every error is a
FilterError that names the word and its position.
"""

from __future__ import annotations

import re
import socket
import sys

from ansible_collections.netdiag.ss.plugins.module_utils import _cparse as c
from ansible_collections.netdiag.ss.plugins.module_utils._errors import FilterError, shown
from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import (
    FAMILY_PREFIXES, And, AutoBound, CgroupCond, DevCond, HostCond, MarkCond, Not, Or, PortRange, Prefix,
)
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AF_UNSPEC, AF_VSOCK, ETHERTYPES,
    STATE_TYPOS, STATE_WORDS, ascii_lower,
)

# Deepest nesting of parentheses and `not` accepted: far beyond any real
# expression, and low enough that the recursive parser, evaluator and
# bytecode compiler stay within Python's stack.
MAX_NESTING = 200


# ---------------------------------------------------------------------------
# Lexer

def split_words(words):
    """Split argv-style words into tokens exactly like ss.

    Every word is split on spaces and TABs; a backslash makes the next
    character literal (a trailing lone backslash is dropped). Nothing else
    separates tokens: ``(sport`` or ``sport=22`` stay single tokens.
    """
    if isinstance(words, str):
        words = [words]
    tokens = []
    for word in words:
        if not isinstance(word, str):
            raise FilterError('%s is not a string' % shown(word))
        token, pos = _next_word(word, 0)
        while token is not None:
            tokens.append(token)
            token, pos = _next_word(word, pos)
    return tokens


def _next_word(text, i):
    """(word, end) of the word at or after text[i], (None, len(text)) past the last one: words end at spaces and
    TABs, and a backslash makes the next character literal (a lone one at the end is dropped)."""
    n = len(text)
    while i < n and text[i] in ' \t':
        i += 1
    if i >= n:
        return None, n
    chars = []
    while i < n and text[i] not in ' \t':
        if text[i] == '\\':
            i += 1
            if i < n:
                chars.append(text[i])
        else:
            chars.append(text[i])
        i += 1
    return ''.join(chars), min(i, n)


STATE_KEYWORDS = ('state', 'exclude', 'excl')


def split_state_words(text):
    """ss's FILTER is [ state NAME | exclude NAME ]... [ EXPRESSION ]: ([(name, exclude)], the expression's text as
    written, the number of words before it), the words split as split_words splits them (spaces and TABs).

    Space around the whole filter is no word (a YAML block (|) ends with a line break). The names are checked by the
    caller (which knows the names it takes), but for a line break, which no state name has and which FilterError
    explains. Raises FilterError for a state word with no name after it, or a name with a line break.
    """
    if not isinstance(text, str):
        raise FilterError('%s is not a string' % shown(text))
    text = text.strip()
    words, pos, count = [], 0, 0
    while True:
        word, end = _next_word(text, pos)
        if word not in STATE_KEYWORDS:
            return words, text[pos:], count
        name, after = _next_word(text, end)
        if name is None:
            raise FilterError('needs a state name after it', word, count, 'for example "%s established"' % word)
        if '\n' in name or '\r' in name:
            raise FilterError('is not a state name', name, count + 1, 'valid: %s' % ', '.join(sorted(STATE_WORDS)))
        words.append((name, word != 'state'))
        pos, count = after, count + 2


# token kinds
T_NOT, T_AND, T_OR, T_LP, T_RP = 'not', 'and', 'or', '(', ')'
T_EQ, T_NE, T_GE, T_LE, T_GT, T_LT = '=', '!=', '>=', '<=', '>', '<'

KEYWORDS = {
    '!': T_NOT, 'not': T_NOT,
    '&': T_AND, '&&': T_AND, 'and': T_AND,
    '|': T_OR, '||': T_OR, 'or': T_OR,
    '(': T_LP, ')': T_RP,
    'src': 'src', 'dst': 'dst', 'sport': 'sport', 'dport': 'dport',
    'dev': 'dev', 'fwmark': 'fwmark', 'cgroup': 'cgroup', 'autobound': 'autobound',
    '=': T_EQ, '==': T_EQ, 'eq': T_EQ,
    '!=': T_NE, 'ne': T_NE, 'neq': T_NE,
    '>=': T_GE, 'ge': T_GE, 'geq': T_GE,
    '<=': T_LE, 'le': T_LE, 'leq': T_LE,
    '>': T_GT, 'gt': T_GT,
    '<': T_LT, 'lt': T_LT,
}
OPERATORS = frozenset([T_EQ, T_NE, T_GE, T_LE, T_GT, T_LT])
PREDICATES = frozenset(['src', 'dst', 'sport', 'dport', 'dev', 'fwmark', 'cgroup', 'autobound'])
_OPERAND_NAMES = {
    'src': 'an address', 'dst': 'an address', 'sport': 'a port', 'dport': 'a port', 'dev': 'a device',
    'fwmark': 'a mark', 'cgroup': 'a cgroup path',
}
_ONLY_EQ = {'src': (T_EQ,), 'dst': (T_EQ,), 'dev': (T_EQ, T_NE), 'fwmark': (T_EQ, T_NE), 'cgroup': (T_EQ, T_NE)}


# ---------------------------------------------------------------------------
# Hints

def quote_hint(tok):
    """A hint when a word starts with a shell quote: a FILTER is not a command line, its quotes are kept."""
    if tok[:1] in ('"', "'"):
        return 'quotes are not removed in a filter (it is no shell command line): leave them out, as in ( sport = :22 )'
    return None


def glued_hint(tok):
    """A hint when a keyword, operator or parenthesis is glued to another word."""
    if len(tok) < 2:
        return None
    m = re.match(r'^([a-z]+)(==|!=|>=|<=|=|<|>)(.*)$', tok)
    if m and m.group(1) in KEYWORDS:
        return 'separate keywords, operators and parentheses with spaces ("%s")' % ' '.join(g for g in m.groups() if g)
    for kw in sorted(KEYWORDS, key=len, reverse=True):
        if tok.startswith(kw) and tok != kw and (kw in '()!' or not tok[len(kw)].isalnum()) and kw not in ('<', '>', '='):
            return 'separate keywords, operators and parentheses with spaces ("%s %s")' % (kw, tok[len(kw):])
        if tok.endswith(kw) and tok != kw and kw in ('(', ')'):
            return 'separate keywords, operators and parentheses with spaces ("%s %s")' % (tok[:-len(kw)], kw)
    return None


def state_hint(word):
    """A hint when a state name (or a typo of one) appears inside the expression."""
    low = word.lower()
    if low in STATE_TYPOS:
        return 'did you mean "state %s"? state names go before the expression' % STATE_TYPOS[low]
    if low in STATE_WORDS:
        return '"%s" is a state name: write "state %s" before the expression' % (word, low)
    return None


def _is_ipv6(text):
    try:
        socket.inet_pton(socket.AF_INET6, text)
    except (OSError, ValueError):
        return False
    return True


def _inet6_advice(text, host):
    """The inet6: operand for an IPv6 address written where the preferred family is IPv4; `host` is the part ss took
    for the address (before the port's ':')."""
    if text.startswith('['):
        return 'inet6:' + text                          # brackets already: the family prefix alone
    addr, slash, plen = text.partition('/')
    if slash and _is_ipv6(addr):
        return 'inet6:%s/%s' % (addr, plen)             # brackets would take a port, not a prefix length
    port = text[len(host) + 1:] if text.startswith(host + ':') else ''
    if _is_ipv6(text):
        # all of it is an address; what came before its last ':' may be one too, with a port
        other = ' (or inet6:[%s]:%s for port %s)' % (host, port, port) if port.isdigit() and _is_ipv6(host) else ''
        return 'inet6:[%s]%s' % (text, other)
    return 'inet6:[%s]%s' % (host, ':' + port if port else '')


def address_hint(text, host, family):
    """The hint for an operand that is no address and no resolvable host name."""
    if family == AF_INET6 and c.prefix_1(host, AF_INET) is not None:
        return 'the preferred family is IPv6 (-6 or an earlier inet6: operand); use inet:%s' % text
    if '%' in text:
        return 'an address takes no scope (%NAME) in a filter; give the address alone, and dev NAME for the interface'
    if family == AF_INET and ':' in host:
        return 'the preferred family is IPv4 (-4 or an earlier inet: operand); use ' + _inet6_advice(text, host)
    if '/' in host:
        return 'the prefix length must be 0-32 (IPv4) or 0-128 (IPv6), or a contiguous dotted netmask'
    if not text.startswith('[') and _is_ipv6(text):
        # ss splits ADDRESS:PORT at the last ':', so "::1" reads as host "::" and port 1
        return 'IPv6 addresses need brackets: [%s] (or give a prefix length: %s/128)' % (text, text)
    return glued_hint(text) or state_hint(text) or \
        'IPv4 a.b.c.d[/len], IPv6 [addr] or addr/len, "*", or a resolvable host name'


# ---------------------------------------------------------------------------
# Parser

def parse(words, preferred_family=None):
    """Parse an ss filter expression into an unbound AST.

    words             argv-style words (or one string); each is split further by split_words().
    preferred_family  AF_* of the last -4/-6/-0/-x/-f option, or None.

    Returns the root (an Expr, with ``families``/``forced_family`` set) or
    None for an empty expression. Raises FilterError only.
    """
    parser = _Parser(split_words(words), preferred_family)
    root = parser.parse()
    if root is not None:
        root.families = tuple(parser.forced)
        root.forced_family = parser.forced[-1] if parser.forced else None
    return root


class _Parser(object):

    def __init__(self, tokens, preferred_family):
        self.toks = tokens
        self.pos = 0
        self.family = preferred_family if preferred_family else AF_UNSPEC
        self.forced = []
        self.depth = 0

    def peek(self):
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    @staticmethod
    def kind(tok):
        return KEYWORDS.get(tok) if tok is not None else None

    def err(self, reason, pos=None, hint=None):
        if pos is None:
            pos = self.pos
        return FilterError(reason, self.toks[pos] if pos < len(self.toks) else None, pos, hint)

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
            if tok is None or k == T_RP:
                return left
            if k == T_AND:
                self.pos += 1
                left = And(left, self.parse_term())
            elif k == T_OR:
                self.pos += 1
                left = Or(left, self.parse_term())
            else:
                left = And(left, self.parse_term())

    def parse_term(self):
        tok = self.peek()
        k = self.kind(tok)
        if tok is None:
            prev = self.toks[self.pos - 1] if self.pos else None
            raise FilterError('expression ends too early%s' % (' after "%s"' % prev if prev else ''), None, self.pos,
                              'a condition (src, dst, sport, dport, dev, fwmark, cgroup, autobound) must follow')
        if k in (T_LP, T_NOT):
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.err('nests parentheses and "not" more than %d deep' % MAX_NESTING, hint='simplify the expression')
            try:
                return self._nested_term(k)
            finally:
                self.depth -= 1
        if k in PREDICATES:
            return self.parse_predicate(k)
        raise self.bad_term(tok, k)

    def _nested_term(self, k):
        if k == T_LP:
            start = self.pos
            self.pos += 1
            if self.kind(self.peek()) == T_RP:
                raise self.err('closes an empty parenthesis', hint='put a condition between "(" and ")"')
            node = self.parse_list()
            if self.peek() is None:
                raise FilterError('parenthesis opened at word %d is never closed' % (start + 1), None, self.pos, 'add ")"')
            self.pos += 1
            node.grouped = True
            return node
        self.pos += 1
        return Not(self.parse_term())

    def bad_term(self, tok, k):
        if k in (T_AND, T_OR):
            return self.err('needs a condition on its left', hint='an expression cannot start with an operator or have two in a row')
        if k == T_RP:
            return self.err('closes a parenthesis that was never opened')
        if k in OPERATORS:
            return self.err('is an operator without a keyword', hint='operators follow sport, dport, src, dst, dev, fwmark or cgroup')
        if tok in ('state', 'exclude', 'excl'):
            nxt = self.toks[self.pos + 1] if self.pos + 1 < len(self.toks) else None
            hint = 'ss only accepts "%s NAME" before the expression: move it to the front' % tok
            if nxt is not None and nxt.lower() in STATE_TYPOS:
                hint += ' (and write "%s" instead of "%s")' % (STATE_TYPOS[nxt.lower()], nxt)
            return self.err('cannot be used inside the expression', hint=hint)
        hint = quote_hint(tok) or glued_hint(tok) or state_hint(tok)
        if hint is None and tok.lower() in PREDICATES:
            hint = 'keywords are case-sensitive: write "%s"' % tok.lower()
        if hint is None:
            hint = 'a condition must start with src, dst, sport, dport, dev, fwmark, cgroup or autobound'
        return self.err('is not a keyword here', hint=hint)

    def parse_predicate(self, k):
        kw_pos = self.pos
        self.pos += 1
        if k == 'autobound':
            return AutoBound(kw_pos)
        op = T_EQ
        tk = self.kind(self.peek())
        if tk in OPERATORS:
            op = tk
            allowed = _ONLY_EQ.get(k)
            if allowed is not None and op not in allowed:
                if k in ('src', 'dst'):
                    hint = 'src/dst only accept "="; use "not %s ADDRESS"' % k if op == T_NE else 'src/dst only accept "="'
                else:
                    hint = '%s only accepts "=" or "!="' % k
                raise self.err('cannot follow "%s"' % k, hint=hint)
            self.pos += 1
        tok = self.peek()
        if tok is None:
            raise FilterError('expression ends too early after "%s"' % self.toks[self.pos - 1], None, self.pos,
                              '"%s" needs %s' % (self.toks[kw_pos], _OPERAND_NAMES[k]))
        if tok in KEYWORDS:
            raise self.err('is a keyword, not %s' % _OPERAND_NAMES[k], hint='"%s" needs %s' % (self.toks[kw_pos], _OPERAND_NAMES[k]))
        pos = self.pos
        self.pos += 1
        if k == 'dev':
            node = DevCond(None, tok, pos)
        elif k == 'fwmark':
            mark, mask = self.parse_mark(tok, pos)
            node = MarkCond(mark, mask, tok, pos)
        elif k == 'cgroup':
            node = CgroupCond(None, tok, pos)
        else:
            side = 'src' if k in ('src', 'sport') else 'dst'
            cond = self.parse_hostcond(tok, pos, side, is_port=k in ('sport', 'dport'))
            if op == T_EQ:
                return cond
            if op == T_NE:
                return Not(cond)
            if op in (T_GE, T_LE):
                return PortRange(side, op, cond.port, tok, pos, cond.port_name, cond.family)
            # > and < are the negations of <= and >=
            return Not(PortRange(side, T_LE if op == T_GT else T_GE, cond.port, tok, pos, cond.port_name, cond.family))
        return Not(node) if op == T_NE else node

    # -- operands
    @staticmethod
    def parse_mark(tok, pos):
        hint = 'write fwmark VALUE or VALUE/MASK (decimal, 0x hex or 0 octal)'
        first = c.scanf_i(tok)
        if first is None:
            raise FilterError('is not a mark', tok, pos, hint)
        if '/' not in tok:
            return first[0], 0xffffffff
        if not first[1].startswith('/'):
            raise FilterError('is not a mark', tok, pos, hint)
        second = c.scanf_i(first[1][1:])
        if second is None:
            raise FilterError('is not a mark', tok, pos, hint)
        return first[0], second[0]

    def parse_hostcond(self, tok, pos, side, is_port):
        text = tok
        fam = self.family
        for prefix, pfam in FAMILY_PREFIXES:
            if text.startswith(prefix):
                fam = pfam
                text = text[len(prefix):]
                break
        if fam == AF_UNIX:
            try:
                pattern = text.encode('utf-8', 'surrogateescape')
            except UnicodeError:
                raise FilterError('is not valid text for a unix name pattern', tok, pos)
            node = HostCond(side, AF_UNIX, -1, (), pattern, tok, pos)
        elif fam == AF_PACKET:
            node = self._packet(tok, text, pos, side, is_port)
        elif fam == AF_NETLINK:
            node = self._netlink(tok, text, pos, side, is_port)
        elif fam == AF_VSOCK:
            node = self._vsock(tok, text, pos, side, is_port)
        else:
            node = self._inet(tok, text, pos, side, is_port, fam)
        if fam != AF_UNSPEC:
            self.forced.append(fam)
            self.family = fam
        return node

    @staticmethod
    def _split_proto(text, is_port):
        """(protocol text, port text) of a link:/netlink: operand."""
        if is_port:
            return '', text[1:] if text[:1] == ':' else text     # ss find_port: a leading ':' is dropped
        proto, sep, port = text.partition(':')
        return proto, port if sep else ''

    def _packet(self, tok, text, pos, side, is_port):
        proto_txt, port_txt = self._split_proto(text, is_port)
        port, port_name = -1, None
        if port_txt and port_txt != '*':
            port = c.full_strtol(port_txt)
            if port is None:
                port_name = port_txt       # an interface name, looked up by _bind (port stays None until then)
        prefixes = (Prefix(AF_PACKET, 0, bytes(4)),)
        if proto_txt and proto_txt != '*':
            val = ETHERTYPES.get(ascii_lower(proto_txt))
            if val is None:
                val = c.full_strtoul(proto_txt, 0xffff)
            if val is None:
                raise FilterError('is not an ethernet protocol', tok, pos, 'use a name such as ip, arp, ipv6, all, 802.1Q or a number')
            prefixes = (Prefix(AF_PACKET, 32, val.to_bytes(4, sys.byteorder)),)
        return HostCond(side, AF_PACKET, port, prefixes, None, tok, pos, port_name=port_name)

    def _netlink(self, tok, text, pos, side, is_port):
        proto_txt, port_txt = self._split_proto(text, is_port)
        port = -1
        if port_txt and port_txt != '*':
            port = c.full_strtol(port_txt)
            if port is None:
                if port_txt != 'kernel':
                    raise FilterError('has a bad netlink port id', tok, pos, 'use a number, "kernel" or "*"')
                port = 0
        prefixes, host_name = (Prefix(AF_NETLINK, 0, bytes(4)),), None
        if proto_txt and proto_txt != '*':
            val = c.full_strtoul(proto_txt, 0xffffffff)
            if val is None:
                # a name: ss's table and /etc/iproute2/nl_protos (which may rename entries) answer it in _bind
                prefixes, host_name = (), proto_txt
            else:
                prefixes = (Prefix(AF_NETLINK, 32, val.to_bytes(4, sys.byteorder)),)
        return HostCond(side, AF_NETLINK, port, prefixes, None, tok, pos, host_name=host_name)

    @staticmethod
    def _vsock(tok, text, pos, side, is_port):
        hint = 'vsock takes CID[:PORT], unsigned 32-bit numbers or "*"'
        if is_port:
            cid_txt, port_txt = '', text[1:] if text[:1] == ':' else text    # ss find_port: a leading ':' is dropped
        else:
            cid_txt, sep, port_txt = text.partition(':')
            if not sep:
                port_txt = None
        port = -1
        if port_txt is not None and port_txt != '*':
            val = c.full_strtoul(port_txt, 0xffffffff)
            if val is None:
                raise FilterError('has a bad vsock port', tok, pos, hint)
            port = c.to_s32(val)
        cid, bitlen = 0xffffffff, 0
        if not is_port and cid_txt and cid_txt != '*':
            cid = c.full_strtoul(cid_txt, 0xffffffff)
            if cid is None:
                raise FilterError('has a bad vsock CID', tok, pos, hint)
            bitlen = 32
        return HostCond(side, AF_VSOCK, port, (Prefix(AF_VSOCK, bitlen, cid.to_bytes(4, sys.byteorder)),), None, tok, pos)

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
        else:
            slash = text.find('/')
            col = text.rfind(':', slash if slash >= 0 else 0)
            if col >= 0 and (slash < 0 or col > slash):
                host, port_txt = text[:col], text[col + 1:]
            else:
                host = text
        port, port_name = -1, None
        if port_txt and not port_txt.startswith('*'):
            port = c.full_strtol(port_txt)
            if port is None:
                if port_txt[:1].isdigit() or port_txt[:1] in '+-':
                    _num, end = c.c_strtox(port_txt, True)
                    if end == len(port_txt):
                        raise FilterError('is out of range for a port', tok, pos,
                                          'ss accepts ports from -2147483648 to 2147483647 (-1 = any)')
                port_name = port_txt       # a service name, looked up by _bind (port stays None until then)
        prefixes, host_name = (Prefix(AF_UNSPEC, 0, bytes(4)),), None
        if not is_port and host and not host.startswith('*'):
            want = fam if fam in (AF_INET, AF_INET6) else AF_UNSPEC
            found = c.prefix_1(host, want) or c.numeric_host(host, want)
            if found:
                prefixes = (Prefix(*found),)
            elif found is False:
                raise FilterError('is not an address, prefix or known host name', tok, pos, address_hint(text, host, fam))
            else:
                prefixes, host_name = (), host     # a host name, looked up by _bind
        return HostCond(side, fam if not prefixes or prefixes[0].family else AF_UNSPEC, port, prefixes, None, tok, pos,
                        port_name=port_name, host_name=host_name)


_JOINERS = ('and', '&&', '&', 'or', '||', '|')


def joined_state_words(exc, expression):
    """exc (a FilterError) with a hint when the expression after state words starts with and / or, as in `state
    established and dport = :443`, which ss rejects too; else exc. expression: its text (or its words)."""
    if exc.position != 0 or exc.word not in _JOINERS:
        return exc
    text = expression if isinstance(expression, str) else ' '.join(expression)
    rest = text.strip()[len(exc.word):].strip()
    return FilterError(exc.reason, exc.word, exc.position,
                       'state words are not joined to the expression with "%s" (ss rejects it too): write the '
                       'expression right after them%s' % (exc.word, ' ("... %s")' % rest if rest else ''))


__all__ = ['parse', 'split_words', 'split_state_words', 'STATE_KEYWORDS',
           'joined_state_words', 'quote_hint', 'glued_hint', 'state_hint', 'address_hint', 'KEYWORDS', 'OPERATORS', 'PREDICATES',
           'MAX_NESTING', 'T_AND', 'T_OR', 'T_LP', 'T_RP', 'T_NOT']
