# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property test on live sockets: random expressions from the ss grammar select what ss selects.

Hypothesis builds expressions from the grammar (every keyword the fixture
can exercise, every operator spelling, parentheses, not, juxtaposition,
operands that hit and miss the fixture's sockets). For each one the real
ss and socket_facts (bytecode and user-space paths) must agree: the same
rows, or both reject the expression. Each example runs three processes, so
the example count is modest; CI runs a fixed (derandomized) set.
"""

from __future__ import annotations

import os
import re
import shlex

import pytest

from conftest import compare_with_ss

hypothesis = pytest.importorskip('hypothesis')
st = hypothesis.strategies

from strategies import expressions  # noqa: E402  (needs hypothesis)


def _not_unix(tokens):
    return not tokens[0].startswith('u_')


SETTINGS = dict(max_examples=int(os.environ.get('NETDIAG_PROPERTY_EXAMPLES', '25')), deadline=None,
                derandomize=bool(os.environ.get('CI')),
                suppress_health_check=list(hypothesis.HealthCheck))


@hypothesis.settings(**SETTINGS)
@hypothesis.given(expr=expressions(), opts=st.sampled_from(['-tan', '-tuan', '-an', '-4tan', '-6tan', '-tano']),
                  kernel_filter=st.booleans())
def test_random_expressions_select_what_ss_selects(netns, sockets, expr, opts, kernel_filter):
    argv = shlex.split(opts) + shlex.split(expr)
    # documented difference (docs/filter-language.md): ss compares an IP address with the bytes of
    # a pointer for unix sockets (unnamed ones match 0.0.0.0); here an IP never matches them
    keep = _not_unix if re.search(r'\b(src|dst)\b', expr) else None
    problem, _expected, _got, _result = compare_with_ss(netns, argv, {'kernel_filter': kernel_filter}, keep=keep)
    assert problem is None, '%s: %s' % (' '.join(argv), problem)
