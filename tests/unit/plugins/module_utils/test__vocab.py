# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ss's vocabulary is defined once and is self-consistent."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    FAMILY_DEFAULTS, FAMILY_NAMES, FAMILY_TEXT, QUERY_GROUPS, SS_ALL, STATE_NAMES, STATE_NUMBERS, STATE_TYPOS, STATE_WORDS,
    TABLE_BY_NAME, TABLES, state_mask,
)


def test_every_state_has_one_name_and_every_word_a_mask():
    assert len(STATE_NAMES) == 12 and STATE_NUMBERS['LISTEN'] == 10 and STATE_NUMBERS['UNCONN'] == 7
    assert all(0 < mask <= SS_ALL for mask in STATE_WORDS.values())
    assert all(target in STATE_WORDS for target in STATE_TYPOS.values())
    assert not set(STATE_TYPOS) & set(STATE_WORDS)


@pytest.mark.parametrize('word, message', [
    ('listen', '"listen" is not a state name; did you mean "listening"?'),
    ('synchronised', 'did you mean "synchronized"?'),
    ('bogus', '(valid: all, big, bucket,'),
    ('buc\u212aet', 'is not a state name'),       # a Kelvin sign: strcasecmp folds ASCII letters only, str.lower() more
])
def test_state_mask_errors(word, message):
    with pytest.raises(ArgsError) as info:
        state_mask(word)
    assert message in str(info.value)
    assert state_mask('LISTENING') == 1 << 10 and state_mask('BucKet') == state_mask('bucket')


def test_tables_groups_and_families_agree():
    netids = [t.netid for t in TABLES]
    assert len(set(netids)) == len(netids)
    for group, names in QUERY_GROUPS.items():
        assert all(n in TABLE_BY_NAME for n in names), group
    for af, (names, _states) in FAMILY_DEFAULTS.items():
        assert all(af in TABLE_BY_NAME[n].families or n in QUERY_GROUPS['inet'] for n in names)
    assert FAMILY_NAMES == dict((v, k) for k, v in FAMILY_TEXT.items())
