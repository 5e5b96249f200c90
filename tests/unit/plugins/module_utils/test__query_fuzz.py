# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile ss_args: random option soup is read as ss reads it, or is an ArgsError that says why."""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._query import _LONG, _SHORT, Query, parse_ss_args
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import FAMILY_NAMES, QUERY_GROUPS, STATE_WORDS

from fuzzing import fuzz, hypothesis, st

ARGS = sorted(QUERY_GROUPS) + sorted(FAMILY_NAMES) + sorted(STATE_WORDS) + [
    'all,!tcp', '!all', ',', '', 'help', 'tcp,', '!!tcp', 'ns1', '/tmp/x', '-', '--', '=', "'", '"', '\\', '\0',
    '\udcff', 'é']


@st.composite
def _option(draw):
    """One command-line word: a bundle of short options, a long option (maybe abbreviated, maybe with =value),
    a state word or expression word, or junk."""
    kind = draw(st.sampled_from(['short', 'long', 'word', 'junk']))
    if kind == 'short':
        letters = draw(st.lists(st.sampled_from(sorted(_SHORT) + ['y', '?', '-', '=']), min_size=1, max_size=5))
        word = '-' + ''.join(letters)
        if _SHORT.get(letters[-1], ('', False))[1] and draw(st.booleans()):
            word += draw(st.sampled_from(ARGS))
        return [word]
    if kind == 'long':
        name = draw(st.sampled_from(sorted(_LONG) + ['', 'x', 'no-such']))
        name = name[:draw(st.integers(0, len(name)))] if draw(st.booleans()) else name
        if draw(st.booleans()):
            return ['--%s=%s' % (name, draw(st.sampled_from(ARGS)))]
        return ['--' + name]
    if kind == 'word':
        return [draw(st.sampled_from(['state', 'exclude', 'excl', 'sport', '=', ':22', '(', ')', 'and']))]
    return [draw(st.text(max_size=10))]


@fuzz(500)
@hypothesis.given(words=st.lists(_option(), max_size=10), separator=st.sampled_from([' ', '\t', '\n', '  ']))
def test_option_soup(words, separator):
    text = separator.join(w for group in words for w in group)
    try:
        q = parse_ss_args(text, Query())
        q.finish()
    except ArgsError as exc:
        assert str(exc).strip()
        return
    assert q.tables()


@fuzz(300)
@hypothesis.given(text=st.text(max_size=120))
def test_random_text(text):
    try:
        parse_ss_args(text, Query()).finish()
    except ArgsError as exc:
        assert str(exc).strip()


@fuzz(100)
@hypothesis.given(words=st.lists(st.text(max_size=12), max_size=12))
def test_word_lists(words):
    """ss_args given as a list of words (split_args accepts a list)."""
    try:
        parse_ss_args(words, Query()).finish()
    except ArgsError as exc:
        assert str(exc).strip()
