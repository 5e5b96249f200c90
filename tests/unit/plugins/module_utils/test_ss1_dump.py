# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iproute2's own filter test suite (testsuite/tests/ss/ssfilter.t) on its capture ss1.dump.

The capture is not part of this repository (it is iproute2's file); the
test reads it from the shared folder beside the checkout and skips when it
is absent. It is read with the module's own reader (_dumpfile, what
from_dump uses), decoded and filtered in user space: the IPv4 rows must be,
token for token, what the real ss prints for the same file (TCPDIAG_FILE;
ss stops at the first NLMSG_DONE, so it shows only those), and the twelve
official cases must match their expected lines.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import decode_inet
from ansible_collections.netdiag.ss.plugins.module_utils._dumpfile import capture_chunks, read_capture
from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import make_matcher
from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import parse
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._render import render
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
DUMP = os.path.join(os.path.dirname(ROOT), 'shared', 'data', 'ss1.dump')
pytestmark = pytest.mark.skipif(not os.path.exists(DUMP), reason='iproute2 capture ss1.dump not found at %s' % DUMP)

# (filter, the line ssfilter.t greps for)
OFFICIAL = [
    ('dport = 22', 'ESTAB 0      0      10.0.0.1:36266 10.0.0.1:22'),
    ('dport 22', 'ESTAB 0      0      10.0.0.1:36266 10.0.0.1:22'),
    ('( dport = 22 )', 'ESTAB 0      0      10.0.0.1:36266 10.0.0.1:22'),
    ('src = 0.0.0.0', 'LISTEN 0      128    0.0.0.0:22 0.0.0.0:*'),
    ('src 0.0.0.0', 'LISTEN 0      128    0.0.0.0:22 0.0.0.0:*'),
    ('src 0.0.0.0 sport = 22', 'LISTEN 0      128    0.0.0.0:22 0.0.0.0:*'),
    ('src 0.0.0.0 and sport = 22', 'LISTEN 0      128    0.0.0.0:22 0.0.0.0:*'),
    ('src 10.0.0.1 and sport = 22 and dport = 50312', 'ESTAB 0      0      10.0.0.1:22 10.0.0.2:50312'),
    ('src 10.0.0.1 and sport = 22 and ( dport = 50312 )', 'ESTAB 0      0      10.0.0.1:22 10.0.0.2:50312'),
    ('src 10.0.0.1 and ( sport = 22 and dport = 50312 )', 'ESTAB 0      0      10.0.0.1:22 10.0.0.2:50312'),
    ('( src 10.0.0.1 and sport = 22 ) and dport = 50312', 'ESTAB 0      0      10.0.0.1:22 10.0.0.2:50312'),
    ('( src 0.0.0.0 or src 10.0.0.1 ) and dst 10.0.0.2', 'ESTAB 0      0      10.0.0.1:22 10.0.0.2:50312'),
]
# more cases from the reference's oracle table (section 9.5)
EXTRA = [
    '', 'src 0.0.0.0 or src 10.0.0.1 and dst 10.0.0.2', 'dst 10.0.0.2 and src 10.0.0.1 or src 0.0.0.0',
    'not sport = 22 and dport = 22', '! ( sport = 22 or dport = 22 )', 'sport > 22', 'sport >= 22', 'sport lt 36266',
    'dport != 22', 'dport ne :22', 'sport = :ssh', 'src 10.0.0/24', 'src 10/8', 'src 10.0.0', 'dst 10.0.0.2:50312',
    'dst 10.0.0.2:*', 'dst 10.0.0.2/0:50312', 'src *:22', 'src any:22', 'src [::]:22', 'fwmark = 0', 'dev 0',
    'src 0/0', 'src all', 'src default', 'sport = -1', 'fwmark != 0', 'dev lo', 'autobound', 'sport = 026', 'sport = 0x16',
]


def ours(expr_text, families=(AF_INET,)):
    """Rows we print for `ss -Htna EXPR` on the capture's sockets of these families (user-space filtering only, as ss
    does for files; IPv4 alone is what ss reads of this capture)."""
    expr = bind(parse([expr_text] if expr_text else []), frozenset(['tcp']))
    match = make_matcher(expr, HostLookups().ephemeral_range()) if expr is not None else None
    records = []
    decode_inet(capture_chunks(read_capture(DUMP), families=frozenset(families)), 'tcp',
                Context({AF_INET, AF_INET6}, match=match), records)
    return render(records, show_netid=False, show_state=True, header=False)


def real_ss(expr_text):
    proc = subprocess.run(['ss', '-Htna'] + ([expr_text] if expr_text else []), env=dict(os.environ, TCPDIAG_FILE=DUMP),
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    return proc.stdout.splitlines()


def test_capture_holds_four_ipv4_rows_and_three_ipv6_rows_that_ss_never_reads():
    capture = read_capture(DUMP)
    assert [len(section) for section in capture.sections] == [4, 3]
    assert [r.split()[3] for r in ours('')] == ['0.0.0.0:22', '10.0.0.1:22', '10.0.0.1:36266', '10.0.0.1:22']
    assert [r.split()[3] for r in ours('', (AF_INET6,))] == ['[::]:22', '[fec0:42::24]:40520', '[fec0:42::24]:22']


@pytest.mark.parametrize('expr,line', OFFICIAL, ids=[c[0] for c in OFFICIAL])
def test_official_case(expr, line):
    # ssfilter.t greps for an extended regex; the columns of a one-row result fit it exactly
    rows = ours(expr)
    assert any(re.search(re.escape(line), row) for row in rows), rows


@pytest.mark.skipif(shutil.which('ss') is None, reason='needs the real ss')
@pytest.mark.parametrize('expr', [c[0] for c in OFFICIAL] + EXTRA)
def test_same_rows_as_real_ss_on_the_capture(expr):
    assert [r.split() for r in ours(expr)] == [r.split() for r in real_ss(expr)]
