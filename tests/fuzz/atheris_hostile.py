# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Coverage-guided fuzzing of the hostile-input paths with atheris (optional; not part of the test stages).

The same promise as the hypothesis fuzz tests (tests/unit/**/test_*_fuzz.py,
docs/reliability.md): only the project's own errors, with a message, may come
out. The first input byte picks the target, the rest is its input:

    0 filter text    parse, bind (names the test controls), lint, plan, bytecode, match
    1 ss_args        the command line, then build_request
    2 capture        parse_capture, then the inet decoder and the ss lines
    3 dump           a sock_diag answer through _netlink.dump and one decoder (byte 2 picks it)
    4 /proc line     /proc/net/raw{,6} lines, as dump_proc reads them
    5 filter file    read_filter_file on those bytes

atheris is not in tests/requirements.txt (it builds only on some Pythons).
In a venv of its own, with the project's venv first on the path:

    python3.11 -m venv /tmp/atheris-venv && /tmp/atheris-venv/bin/pip install atheris
    source scripts/env.sh
    PYTHONPATH=$PYTHONPATH:/tmp/atheris-venv/lib/python3.11/site-packages \\
        python tests/fuzz/atheris_hostile.py -max_total_time=600 -rss_limit_mb=2048
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile

try:
    import atheris
except ImportError:     # not a test requirement: see the docstring
    atheris = None

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'unit', 'plugins', 'module_utils'))
sys.path.insert(0, os.path.join(HERE, '..', 'unit', 'plugins', 'module_utils', '_filter'))

with atheris.instrument_imports(include=['ansible_collections.netdiag']) if atheris else contextlib.nullcontext():
    from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import decode_inet
    from ansible_collections.netdiag.ss.plugins.module_utils._dumpfile import capture_chunks, parse_capture
    from ansible_collections.netdiag.ss.plugins.module_utils._errors import SocketToolError
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._lint import mixed_and_or_warning
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._plan import plan
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import parse
    from ansible_collections.netdiag.ss.plugins.module_utils._proc_net import LinesError, dgram_line, read_records
    from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
    from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request, read_filter_file
    from ansible_collections.netdiag.ss.plugins.module_utils._sockview import SockView
    from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, AF_UNIX

from test__diag_fuzz import DETAILS, DUMPERS, LOOKUPS, MATCHERS, REQUEST, Sock  # noqa: E402

DUMP_GROUPS = sorted(DUMPERS)
VIEWS = [SockView(AF_INET, 'tcp', 1, b'\x7f\0\0\x01', b'\x0a\0\0\x01', 22, 40000, 1, 0x10, 2),
         SockView(AF_INET6, 'udp', 7, b'\0' * 15 + b'\x01', b'\0' * 16, 53, 0),
         SockView(AF_UNIX, 'u_str', 10, b'/run/x.sock', b'', 1234, 0)]
FILTER_FILE = os.path.join(tempfile.mkdtemp(prefix='netdiag-atheris-'), 'filter')


def _filter(text):
    expr = parse(text)
    mixed_and_or_warning([text])
    bound = bind(expr, ('tcp', 'udp'), LOOKUPS)
    if bound is not None:
        for kernel_filter in (True, False):
            planned = plan(bound, kernel_filter, (32768, 60999))
            for view in VIEWS:
                planned.match(view)


def _decode(group, data):
    dumper, tables = DUMPERS[group]
    ctx = Context({2, 10, 1, 17, 16, 40, 30, 44}, match=MATCHERS['sport = :22 or dst 10/8'], needs_attrs=True,
                  timers=True, identity=True, lookups=LOOKUPS, details=DETAILS, tagged=True)
    out = []
    dumper(Sock([data]), group, tables, 0xffffffff, ctx, out, inet_families=(AF_INET, AF_INET6))
    for rec in out:
        for key in ('extended', 'skmem', 'info', 'tos', 'cgroup', 'sockopt', 'bpf', 'tipc_info'):
            rec.setdefault(key, None)
    listing(REQUEST, out, LOOKUPS)


def one_input(data):
    if len(data) < 2:
        return
    target, body = data[0] % 6, data[1:]
    try:
        if target == 0:
            _filter(body.decode('utf-8', 'surrogateescape'))
        elif target == 1:
            build_request({'ss_args': body.decode('utf-8', 'surrogateescape')})
        elif target == 2:
            capture = parse_capture(body)
            out = []
            ctx = Context({AF_INET, AF_INET6}, lookups=LOOKUPS, details=DETAILS, timers=True, identity=True)
            decode_inet(capture_chunks(capture), 'tcp', ctx, out)
            listing(REQUEST, out, LOOKUPS)
        elif target == 3:
            _decode(DUMP_GROUPS[body[0] % len(DUMP_GROUPS)], body[1:65000])
        elif target == 4:
            ctx = Context({AF_INET, AF_INET6}, lookups=LOOKUPS, timers=True, identity=True)
            try:
                for line in read_records(body):
                    dgram_line(line, AF_INET6 if body[:1] == b'6' else AF_INET, 'raw', 0xffffffff, ctx, None)
            except LinesError:
                pass
        else:
            with open(FILTER_FILE, 'wb') as fh:
                fh.write(body)
            read_filter_file(FILTER_FILE)
    except SocketToolError as exc:
        if not str(exc).strip():
            raise AssertionError('%s without a message' % type(exc).__name__)


def main():
    if atheris is None:
        sys.exit('atheris is not installed (see the docstring of %s)' % __file__)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == '__main__':
    main()
