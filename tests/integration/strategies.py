# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hypothesis strategies for filter expressions from the ss grammar, over the operands of sockets_fixture.py.

Every keyword the fixture can exercise, every operator spelling, parentheses, not, juxtaposition,
and operands that hit and miss the fixture's sockets (test namespaces have ndveth0, 203.0.113.1/24).
"""

from __future__ import annotations

import hypothesis.strategies as st

PORTS = [':5001', '5002', ':5003', '5004', '5005', ':5006', ':9', '0x1389', '*', ':ssh', '-1', '70000', ':0']
HOSTS = ['127.0.0.1', '127.0.0.0/8', '0.0.0.0', '203.0.113.0/24', '203.0.113.2', '[::1]', '[::]', '::1/128', '*',
         '0/0', 'all', '127.0.0.1:5002', '*:5001', '[::1]:5005', '[::ffff:127.0.0.1]', '10.0.0', 'inet:127.0.0.1']
PORT_OPS = ['=', '==', 'eq', '!=', 'ne', 'neq', '>', 'gt', '<', 'lt', '>=', 'ge', 'geq', '<=', 'le', 'leq', '']


def predicates():
    port = st.builds(lambda kw, op, p: ' '.join(w for w in (kw, op, p) if w),
                     st.sampled_from(['sport', 'dport']), st.sampled_from(PORT_OPS), st.sampled_from(PORTS))
    host = st.builds(lambda kw, eq, h: ' '.join(w for w in (kw, eq, h) if w),
                     st.sampled_from(['src', 'dst']), st.sampled_from(['', '=']), st.sampled_from(HOSTS))
    other = st.sampled_from(['dev ndveth0', 'dev != ndveth0', 'dev lo', 'dev 0', 'fwmark = 0x23', 'fwmark != 0x23',
                             'fwmark 0x20/0xf0', 'autobound', 'cgroup /sys/fs/cgroup/unified'])
    return st.one_of(port, host, other)


def expressions():
    def extend(inner):
        binary = st.builds(lambda a, op, b: '%s %s %s' % (a, op, b) if op else '%s %s' % (a, b), inner,
                           st.sampled_from(['and', '&&', '&', 'or', '||', '|', '']), inner)
        negated = st.builds(lambda n, a: '%s %s' % (n, a), st.sampled_from(['not', '!']), inner)
        grouped = st.builds(lambda a: '( %s )' % a, inner)
        return st.one_of(binary, negated, grouped)
    return st.recursive(predicates(), extend, max_leaves=5)
