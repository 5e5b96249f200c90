# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_kill's main() with hostile arguments: a result, or a failure with a message, never a traceback, and
nothing closed that it should not close.

No real netlink socket can be opened (the fake host fails the test), so no
SOCK_DESTROY reaches a kernel. The fake one records every SOCK_DESTROY: a
run that fails, or runs in check mode, must have sent none; a run that
closed sockets sent one probe and one request per socket it reports, never
more than max_kill, each addressed to a socket of the fake dump.
"""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.modules import socket_kill

from hostile import hypothesis, install, run_main, st
from fuzzing import fuzz
# files: the fixture of the prepared paths
from test_socket_facts_fuzz import OPTION_VALUES as FACTS_VALUES, arguments, files  # noqa: F401 pylint: disable=unused-import

OPTION_VALUES = dict((k, v) for k, v in FACTS_VALUES.items() if k in (
    'ss_args', 'tables', 'families', 'states', 'exclude_states', 'filter', 'netns'))
OPTION_VALUES['max_kill'] = st.integers(-2, 3)
COOKIES = (11, 12, 13)      # the sockets of the fake dump (hostile.SOCKETS)


@fuzz(250)
@hypothesis.given(data=st.data())
def test_hostile_arguments(monkeypatch, tmp_path, files, capsys, data):
    kernel = install(monkeypatch, tmp_path)
    args = data.draw(arguments(files, OPTION_VALUES, bools=('listening', 'all', 'kernel_filter', 'allow_unfiltered',
                                                            'protect_connection'), paths=('filter_file',)))
    rc, result = run_main(socket_kill, args, capsys)
    assert rc == (1 if result.get('failed') else 0), result
    if args.get('_ansible_check_mode') or (result.get('failed') and 'not_closed' not in result):
        # check mode, or refused before anything was closed (a run that closed some and could not close others
        # fails too, with not_closed)
        assert kernel.destroyed == [], (args, result)
    elif kernel.destroyed:
        requests = kernel.destroyed
        (probe,) = kernel.probes                            # one probe, before the first close
        assert probe[8:56] == b'\0' * 48                    # the probe names no socket, and cookie 0 (none has it)
        # nothing is sent for MPTCP sockets: the kernel cannot close them (B-34)
        sent = [r for r in result['killed'] + result['aborted'] + result['not_closed'] if r['netid'] != 'mptcp']
        assert len(requests) == len(sent), (args, result)
        assert len(requests) <= max(0, args.get('max_kill', 10))
        for payload in requests:
            cookie = int.from_bytes(payload[48:52], 'little')
            assert cookie in COOKIES, payload
    hypothesis.event('failed: %s' % result['msg'].split(':')[0][:30] if result.get('failed')
                     else 'closed %d' % len(result['killed']))
