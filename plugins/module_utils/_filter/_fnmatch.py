# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""glibc ``fnmatch(pattern, name, FNM_CASEFOLD)`` in the "C" locale, on bytes.

``ss -x src PATTERN`` selects unix sockets with exactly that call (iproute2
misc/ss.c, ``unix_match``), and ss never calls ``setlocale()``, so glibc runs
in the C locale: it compares bytes, folds ASCII letters only, and ``?`` is
one byte. This module reproduces that, rule for rule, in pure Python:

``compile_glob(pattern)``             -> ``callable(name) -> bool``

It takes and compares ``bytes``. Behaviour follows glibc 2.36
(posix/fnmatch.c, posix/fnmatch_loop.c; byte version ``internal_fnmatch``,
nothing in them has changed in meaning up to 2.42) with only ``FNM_CASEFOLD``
set: backslash escapes, ``/`` and leading ``.`` are ordinary, no extended
patterns. The glibc rules that surprise (each is tested against the real
glibc in tests/unit/plugins/module_utils/_filter/test__fnmatch.py):

* Character classes ``[[:upper:]]`` and equivalence classes ``[[=a=]]``
  test the UNFOLDED byte, ordinary characters and range ends are folded:
  ``[[:upper:]]`` does not match ``a``, ``[[=a=]]`` does not match ``A``,
  ``[A]`` matches ``a``.
* Range ends are folded before comparing, so ``[A-_]`` (``a``-``_``) is
  empty and ``[Z-a]`` (``z``-``a``) is empty; ``[[.Z.]-a]`` keeps its
  collating-symbol start unfolded: it matches ``[ \\ ] ^ _ ` a A`` but not
  ``Z``.
* In the C locale there are no collation rules: ``[[.x.]]`` and ``[[=x=]]``
  accept exactly one character; ``[[.hyphen.]]`` is an error (no match).
* A bracket that cannot close treats its ``[`` as a literal and reads the
  rest as ordinary pattern: ``[!`` matches ``[!``, ``[a`` matches ``[a``.
  But some errors inside a bracket fail the whole match instead: ``[\\``,
  ``[a-`` (range without end), ``[[:foo:]]`` (unknown class), ``[[.ab.]]``.
* glibc reads a bracket in two ways: item by item until something matches,
  then skipping to the closing ``]`` with simpler rules. The two disagree
  on a few constructs, so what a bracket matches, and where it ends, can
  depend on the byte: ``[x[=a]`` matches ``=`` but not ``x`` (the skip
  rejects the malformed ``[=a]`` that the item reader took as plain
  characters); ``[x#-[:alpha:]]`` ends at the second ``]`` for ``x`` and at
  the first for ``a`` (after a range ending in ``[`` the item reader sees
  ``:alpha:`` as plain characters, the skip sees a class).
* After ``*``, glibc takes the LEFTMOST position where the pattern up to the
  next ``*`` matches and never reconsiders it. For ordinary patterns that
  is the same as a backtracking glob; it only differs when a bracket ends
  in different places for different bytes (previous rule).
* ``^`` negates a bracket like ``!`` unless the environment variable
  ``POSIXLY_CORRECT`` is set (see ``posixly_correct``).
* A class name longer than 2047/2048 characters is an error; a class name
  with a character outside ``a``-``y`` is not a class name (``[[:z:]]`` is a
  bracket of ``[ : z`` followed by ``]``).

Patterns are translated once to a ``re`` bytes pattern: each bracket becomes
the exact set of bytes glibc accepts there (computed by simulating glibc's
bracket reader for every byte value), letters become ``[Aa]``, ``*`` between
two segments becomes an atomic leftmost search (``(?=(.*?SEG))`` plus a
back-reference), so matching is linear like glibc's and never backtracks
exponentially. The rare patterns whose brackets end in byte-dependent
places fall back to a direct interpreter of glibc's algorithm.
"""

from __future__ import annotations

import re

__all__ = ['compile_glob']

# Pattern bytes that glibc's matcher looks at.
_NUL = 0x00
_BANG = 0x21     # !
_DOT = 0x2e      # .
_COLON = 0x3a    # :
_EQUALS = 0x3d   # =
_QMARK = 0x3f    # ?
_STAR = 0x2a     # *
_DASH = 0x2d     # -
_LBRACKET = 0x5b  # [
_BACKSLASH = 0x5c  # \
_RBRACKET = 0x5d  # ]
_CARET = 0x5e    # ^
_LOWER_A = 0x61  # a
_LOWER_Z = 0x7a  # z

# CHARCLASS_NAME_MAX of glibc (posix/bits/posix2_lim.h), CHAR_CLASS_MAX_LENGTH in fnmatch.c.
_CLASS_NAME_MAX = 2048

# tolower() in the C locale: A-Z -> a-z, every other byte unchanged.
_FOLD = bytes(range(256)).lower()


def _byte_set(test):
    return frozenset(b for b in range(256) if test(b))


# The character classes of glibc's C locale (locale/C-ctype.c): ASCII only,
# no byte >= 0x80 belongs to any class. wctype() knows exactly these names.
_UPPER = _byte_set(lambda b: 0x41 <= b <= 0x5a)
_LOWER = _byte_set(lambda b: 0x61 <= b <= 0x7a)
_DIGIT = _byte_set(lambda b: 0x30 <= b <= 0x39)
_ALPHA = _UPPER | _LOWER
_ALNUM = _ALPHA | _DIGIT
_GRAPH = _byte_set(lambda b: 0x21 <= b <= 0x7e)
_CLASSES = {
    b'upper': _UPPER,
    b'lower': _LOWER,
    b'alpha': _ALPHA,
    b'digit': _DIGIT,
    b'xdigit': _DIGIT | _byte_set(lambda b: 0x41 <= b <= 0x46 or 0x61 <= b <= 0x66),
    b'space': frozenset(b' \t\n\v\f\r'),
    b'print': _GRAPH | frozenset(b' '),
    b'graph': _GRAPH,
    b'blank': frozenset(b' \t'),
    b'cntrl': _byte_set(lambda b: b < 0x20 or b == 0x7f),
    b'punct': _GRAPH - _ALNUM,
    b'alnum': _ALNUM,
}

# For each pattern byte: the name bytes it matches outside brackets (itself and its ASCII case partner).
_SAME_FOLD = [frozenset(b for b in range(1, 256) if _FOLD[b] == _FOLD[c]) for c in range(256)]

# Outcomes of one bracket expression for one name byte (besides an int: the
# pattern index just after the bracket, where matching goes on).
_NO = -1    # the byte does not match (or the bracket is malformed: glibc returns FNM_NOMATCH)
_OPEN = -2  # the bracket does not close: its '[' is an ordinary character


def _class_name(pat, p):
    """Read '[:name:]' as the item reader does. p: index of the ':'.

    Returns (name, index after ':]'), None when this is no class name (the
    '[' is then an ordinary character), or _NO when the name is too long.
    """
    name = bytearray()
    while True:
        if len(name) == _CLASS_NAME_MAX:
            return _NO
        p += 1
        ch = pat[p]
        if ch == _COLON and pat[p + 1] == _RBRACKET:
            return bytes(name), p + 2
        # glibc: "c < 'a' || c >= 'z'": a class name has only the letters a to y
        if ch < _LOWER_A or ch >= _LOWER_Z:
            return None
        name.append(ch)


def _collating_symbol(pat, p):
    """Read '[.x.]' (p: index of the first '.'); return (symbol byte, index after '.]') or _NO.

    The C locale has no collating elements: only a single character is a
    valid name ([[.hyphen.]] fails), and an unterminated one fails too.
    """
    q = p
    while True:
        q += 1
        ch = pat[q]
        if ch == _DOT and pat[q + 1] == _RBRACKET:
            break
        if ch == _NUL:
            return _NO
    if q - p - 1 != 1:
        return _NO
    return pat[p + 1], q + 2


def _skip_rest(pat, p):
    """After a match inside a bracket, find its end the way glibc skips the rest.

    Returns the index after the closing ']', _OPEN or _NO. This reader is
    simpler than the item reader and disagrees with it on malformed '[=' and
    '[.' items and on class names of 2047 letters.
    """
    while True:
        c = pat[p]
        p += 1
        if c == _RBRACKET:
            return p
        if c == _NUL:
            return _OPEN
        if c == _BACKSLASH:
            if pat[p] == _NUL:
                return _NO
            p += 1
        elif c == _LBRACKET and pat[p] == _COLON:
            start = p
            count = 0
            while True:
                p += 1
                ch = pat[p]
                count += 1
                if count == _CLASS_NAME_MAX:
                    return _NO
                if ch == _COLON and pat[p + 1] == _RBRACKET:
                    p += 2
                    break
                if ch < _LOWER_A or ch >= _LOWER_Z:
                    p = start
                    break
        elif c == _LBRACKET and pat[p] == _EQUALS:
            if pat[p + 1] == _NUL or pat[p + 2] != _EQUALS or pat[p + 3] != _RBRACKET:
                return _NO
            p += 4
        elif c == _LBRACKET and pat[p] == _DOT:
            while True:
                p += 1
                ch = pat[p]
                if ch == _NUL:
                    return _NO
                if ch == _DOT and pat[p + 1] == _RBRACKET:
                    break
            p += 2


def _bracket(pat, p, byte, caret_negates):
    """What the bracket expression starting at pat[p] (just after its '[') does with one name byte.

    pat is NUL-padded. Returns the index after the bracket (the byte
    matches), _NO, or _OPEN (the bracket never closes: '[' is literal).
    """
    folded = _FOLD[byte]
    negated = pat[p] == _BANG or (caret_negates and pat[p] == _CARET)
    if negated:
        p += 1
    c = pat[p]
    p += 1
    while True:
        low = None      # start of a possible range, once an ordinary item is read
        matched = False
        if c == _BACKSLASH:
            if pat[p] == _NUL:
                return _NO
            low = _FOLD[pat[p]]
            p += 1
            single = True
        elif c == _LBRACKET and pat[p] == _COLON:
            found = _class_name(pat, p)
            if found is _NO:
                return _NO
            if found is None:
                low, single = _LBRACKET, True     # not a class: '[' is an ordinary item
            else:
                name, p = found
                members = _CLASSES.get(name)
                if members is None:
                    return _NO                   # unknown class: glibc fails the match
                if byte in members:              # tested on the unfolded byte
                    matched = True
                else:
                    c = pat[p]
                    p += 1
        elif c == _LBRACKET and pat[p] == _EQUALS:
            sym = pat[p + 1]
            if sym == _NUL or pat[p + 2] != _EQUALS or pat[p + 3] != _RBRACKET:
                low, single = _LBRACKET, True     # malformed: '[' is an ordinary item
            else:
                p += 4
                if byte == sym:                  # C locale: the class is the byte itself, unfolded
                    matched = True
                else:
                    c = pat[p]
                    p += 1
        elif c == _NUL:
            return _OPEN
        elif c == _LBRACKET and pat[p] == _DOT:
            found = _collating_symbol(pat, p)
            if found is _NO:
                return _NO
            sym, p = found
            # a collating symbol starts a range even before "-]"
            if not (pat[p] == _DASH and pat[p + 1] != _NUL) and byte == sym:
                matched = True
            else:
                low, single = sym, False         # unfolded
        else:
            low, single = _FOLD[c], True
        if low is not None and not matched:
            if single:
                is_range = pat[p] == _DASH and pat[p + 1] != _NUL and pat[p + 1] != _RBRACKET
                if not is_range and low == folded:
                    matched = True
            if not matched:
                c = pat[p]
                p += 1
                if c == _DASH and pat[p] != _RBRACKET:
                    high = pat[p]
                    p += 1
                    if high == _LBRACKET and pat[p] == _DOT:
                        found = _collating_symbol(pat, p)
                        if found is _NO:
                            return _NO
                        high, p = found              # unfolded
                    else:
                        if high == _BACKSLASH:
                            high = pat[p]
                            p += 1
                        if high == _NUL:
                            return _NO
                        high = _FOLD[high]
                    # the C locale's collation sequence is the byte value
                    if low <= folded <= high:
                        matched = True
                    else:
                        c = pat[p]
                        p += 1
        if matched:
            end = _skip_rest(pat, p)
            if negated and end >= 0:
                return _NO
            return end
        if c == _RBRACKET:
            return p if negated else _NO


def _pad(pattern):
    # C strings: the pattern ends at its first NUL; padding lets the readers look ahead safely.
    return pattern.split(b'\0', 1)[0] + b'\0\0\0\0'


class _Brackets(object):
    """Per-byte outcome tables of the brackets of one pattern, computed on demand."""

    def __init__(self, pat, caret_negates):
        self.pat = pat
        self.caret = caret_negates
        self.tables = {}

    def table(self, p):
        table = self.tables.get(p)
        if table is None:
            table = [_NO] + [_bracket(self.pat, p, b, self.caret) for b in range(1, 256)]
            self.tables[p] = table
        return table


_DONE = object()


def _run(pat, brackets, p, name, n, segment):
    """glibc's internal_fnmatch on name[n:] from pat[p]: _DONE, None (no match),
    or, when segment is true and a '*' is reached, (index of the '*', n)."""
    end = len(name)
    while True:
        c = pat[p]
        p += 1
        if c == _NUL:
            return _DONE if n == end else None
        if c == _QMARK:
            if n == end:
                return None
        elif c == _BACKSLASH:
            c = pat[p]
            p += 1
            if c == _NUL or n == end or _FOLD[c] != _FOLD[name[n]]:
                return None
        elif c == _STAR:
            if segment:
                return p - 1, n
            c = pat[p]
            while c == _QMARK or c == _STAR:
                if c == _QMARK:
                    if n == end:
                        return None
                    n += 1
                p += 1
                c = pat[p]
            if c == _NUL:
                return _DONE
            # leftmost position where the pattern up to the next '*' matches; never reconsidered
            found = None
            if c == _LBRACKET:
                for k in range(n, end):
                    found = _run(pat, brackets, p, name, k, True)
                    if found is not None:
                        break
            else:
                first = _FOLD[pat[p + 1] if c == _BACKSLASH else c]
                for k in range(n, end):
                    if _FOLD[name[k]] == first:
                        found = _run(pat, brackets, p, name, k, True)
                        if found is not None:
                            break
            if found is None or found is _DONE:
                return found
            p, n = found
            continue
        elif c == _LBRACKET:
            if n == end:
                return None
            outcome = brackets.table(p)[name[n]]
            if outcome == _OPEN:
                if name[n] != _LBRACKET:
                    return None
            elif outcome == _NO:
                return None
            else:
                p = outcome
        elif n == end or _FOLD[c] != _FOLD[name[n]]:
            return None
        n += 1


class _Irregular(Exception):
    """A bracket ends in different places for different bytes: use the interpreter."""


_STAR_ITEM = 'star'
_ANY = frozenset(range(1, 256))
_NEVER = None


def _items(pat, caret_negates):
    """The pattern as a list of byte sets (one name byte each) and _STAR_ITEM; _NEVER if it cannot match."""
    items = []
    brackets = _Brackets(pat, caret_negates)
    p = 0
    while True:
        c = pat[p]
        p += 1
        if c == _NUL:
            return items
        if c == _STAR:
            items.append(_STAR_ITEM)
        elif c == _QMARK:
            items.append(_ANY)
        elif c == _LBRACKET:
            ends = {}
            for byte, outcome in enumerate(brackets.table(p)):
                if outcome == _OPEN:
                    if byte == _LBRACKET:
                        ends.setdefault(p, set()).add(byte)   # literal '[', then on after it
                elif outcome >= 0:
                    ends.setdefault(outcome, set()).add(byte)
            if not ends:
                return _NEVER
            if len(ends) > 1:
                raise _Irregular()
            p, members = next(iter(ends.items()))
            items.append(frozenset(members))
        else:
            if c == _BACKSLASH:
                c = pat[p]
                p += 1
                if c == _NUL:
                    return _NEVER        # "Trailing \ loses."
            items.append(_SAME_FOLD[c])


def _class_regex(members):
    if members == _ANY:
        return b'.'
    runs = []
    for b in sorted(members):
        if runs and runs[-1][1] == b - 1:
            runs[-1][1] = b
        else:
            runs.append([b, b])
    if len(runs) == 1 and runs[0][0] == runs[0][1]:
        return b'\\x%02x' % runs[0][0]
    body = b''.join(b'\\x%02x' % lo if lo == hi else b'\\x%02x-\\x%02x' % (lo, hi) for lo, hi in runs)
    return b'[' + body + b']'


def _regex(items):
    """Translate items to a regex with glibc's '*' semantics."""
    # glibc consumes '?' right after '*' at once: "*?" is "?*". Then split on the stars.
    segments = [[]]
    pending_star = False
    for item in items:
        if item is _STAR_ITEM:
            pending_star = True
        elif item is _ANY and pending_star:
            segments[-1].append(item)
        else:
            if pending_star:
                segments.append([])
                pending_star = False
            segments[-1].append(item)
    if pending_star:
        segments.append([])
    parts = [b''.join(_class_regex(m) for m in segment) for segment in segments]
    out = [parts[0]]
    for i, part in enumerate(parts[1:-1], 1):
        # leftmost match of the segment, kept (an atomic group, written for Python 3.8)
        out.append(b'(?=(?P<s%d>.*?%s))(?P=s%d)' % (i, part, i))
    if len(parts) > 1:
        out.append(b'.*' + parts[-1])
    return b''.join(out)


def _never(name):
    return False


def compile_glob(pattern, posixly_correct=False):
    """Compile a glob; return ``match(name) -> bool``, true exactly when glibc's
    ``fnmatch(pattern, name, FNM_CASEFOLD) == 0`` in the C locale.

    pattern and name are bytes; like C strings, both end at their first NUL.
    posixly_correct: behave as glibc does when the environment variable
    POSIXLY_CORRECT is set (``[^...]`` is then not negated).
    """
    if not isinstance(pattern, (bytes, bytearray, memoryview)):
        raise TypeError('compile_glob() needs a bytes pattern, not %s' % type(pattern).__name__)
    pat = _pad(bytes(pattern))
    caret_negates = not posixly_correct
    try:
        items = _items(pat, caret_negates)
    except _Irregular:
        return _interpreter(pat, caret_negates)
    if items is _NEVER:
        return _never
    fullmatch = re.compile(_regex(items), re.DOTALL).fullmatch

    def match(name):
        if b'\0' in name:
            name = name[:name.index(b'\0')]
        return fullmatch(name) is not None
    return match


def _interpreter(pat, caret_negates):
    """match(name) by running glibc's algorithm directly (pat: NUL-padded)."""
    brackets = _Brackets(pat, caret_negates)

    def interpret(name):
        if b'\0' in name:
            name = name[:name.index(b'\0')]
        return _run(pat, brackets, 0, name, 0, False) is _DONE
    return interpret
