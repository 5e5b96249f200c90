# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Warnings about filters that are valid but probably do not mean what was meant.

ss gives `and` and `or` the same precedence and reads them left to right
(its manual page says otherwise): `A or B and C` is `(A or B) and C`.
"""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import And, Expr, Or
from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import (
    KEYWORDS, OPERATORS, T_AND, T_LP, T_OR, T_RP, split_words,
)

MIXED_AND_OR = ('the filter mixes "and" and "or" without parentheses: ss reads them strictly left to right '
                '(A or B and C means (A or B) and C), not with "and" binding tighter; add parentheses')


def mixed_and_or_warning(source):
    """MIXED_AND_OR when `and` and `or` are mixed at one parenthesis level, else None.

    source: words (checked token by token; juxtaposition counts as `and`) or
    a parsed Expr (where an And directly under an Or, or the reverse, was
    not written in parentheses).
    """
    if source is None:
        return None
    if isinstance(source, Expr):
        for node in source.walk():
            if isinstance(node, (And, Or)) and isinstance(node.left, Or if isinstance(node, And) else And) \
                    and not node.left.grouped:
                return MIXED_AND_OR
        return None
    stack = [set()]
    prev_end = False
    for tok in split_words(source):
        k = KEYWORDS.get(tok)
        if k is None:
            prev_end = True
            continue
        if k in OPERATORS:
            continue
        if k in (T_AND, T_OR):
            stack[-1].add(k)
            prev_end = False
        elif k == T_RP:
            if len(stack) > 1:
                stack.pop()
            prev_end = True
            continue
        else:
            if prev_end:
                stack[-1].add(T_AND)
                if len(stack[-1]) == 2:
                    return MIXED_AND_OR
            if k == T_LP:
                stack.append(set())
            prev_end = k == 'autobound'
        if len(stack[-1]) == 2:
            return MIXED_AND_OR
    return None


__all__ = ['mixed_and_or_warning', 'MIXED_AND_OR']
