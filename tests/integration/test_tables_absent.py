# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vsock, tipc and xdp on a kernel without their sock_diag modules (vsock_diag, tipc, xsk_diag), as the test machine is.

The kernel answers ENOENT for these families. ss prints its header and
nothing else; the module lists no sockets, names the table in
unsupported_tables and warns when the table was asked for by name
(--vsock, --tipc, --xdp, -A, `tables`), not when it only came with a
broader selection (-a). Their decoding is tested on replies built from the
UAPI layouts (tests/unit/plugins/module_utils/test__diag_{vsock,tipc,xdp}.py).
Where the kernel has a module, its table's cases are skipped.
"""

from __future__ import annotations

import json

import pytest

from conftest import run_module, run_ss

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag_tipc import tipc_request
from ansible_collections.netdiag.ss.plugins.module_utils._diag_vsock import vsock_request
from ansible_collections.netdiag.ss.plugins.module_utils._diag_xdp import xdp_request
from ansible_collections.netdiag.ss.plugins.module_utils._errors import TableNotSupported

REQUESTS = {'vsock': vsock_request(0xfff), 'tipc': tipc_request(0xfff), 'xdp': xdp_request()}


def _absent(group):
    """Whether this kernel has no sock_diag handler for the group (asked directly, outside the module)."""
    sock = nl.open_socket()
    try:
        for _chunk in nl.dump(sock, REQUESTS[group], group):
            pass
    except TableNotSupported:
        return True
    finally:
        sock.close()
    return False


def _need_absent(group):
    if not _absent(group):
        pytest.skip('this kernel has a sock_diag module for %s' % group)


def _mentions(warnings, group):
    """The module's warnings that name the table (ansible-core 2.19 returns each as a dict)."""
    return [json.dumps(w) for w in warnings or () if 'table %s ' % group in json.dumps(w)]


@pytest.mark.parametrize('args,group', [
    ('--vsock', 'vsock'), ('--tipc', 'tipc'), ('--xdp', 'xdp'), ('-A vsock_stream', 'vsock'), ('-a -A v_dgr', 'vsock'),
    ('-a -A tipc', 'tipc'), ('-a -f xdp', 'xdp'), ('--tipc --tipcinfo -e', 'tipc'), ('--xdp -e -m -O', 'xdp'),
    ('--vsock -a -e -m', 'vsock'),
])
def test_asked_for_by_name(netns, args, group):
    """No sockets, the table named in unsupported_tables, and a warning; the listing is ss's (a header only)."""
    _need_absent(group)
    result = run_module('socket_facts', {'ss_args': args, 'netns': netns.name})
    assert result['ansible_facts']['sockets'] == [] and result['unsupported_tables'] == [group]
    (warning,) = _mentions(result.get('warnings'), group)
    assert 'is not supported by this kernel' in warning
    rc, ss_lines, _err = run_ss(netns, args.split() + ['-n'])
    assert rc == 0 and [line.split() for line in ss_lines] == [line.split() for line in result['lines']]


def test_asked_for_with_the_tables_option(netns):
    _need_absent('xdp')
    result = run_module('socket_facts', {'tables': ['xdp', 'unix_stream'], 'all': True, 'netns': netns.name})
    assert result['unsupported_tables'] == ['xdp'] and _mentions(result.get('warnings'), 'xdp')
    assert {r['family'] for r in result['ansible_facts']['sockets']} <= {'unix'}


def test_all_lists_them_without_a_warning(netns):
    """-a selects vsock and xdp (not tipc, as in ss): named in unsupported_tables, in ss's order, without a warning."""
    for group in ('vsock', 'xdp'):
        _need_absent(group)
    result = run_module('socket_facts', {'ss_args': '-a', 'netns': netns.name})
    unsupported = result['unsupported_tables']
    assert 'vsock' in unsupported and 'xdp' in unsupported and 'tipc' not in unsupported
    assert unsupported.index('vsock') < unsupported.index('xdp')
    assert not any(_mentions(result.get('warnings'), g) for g in ('vsock', 'tipc', 'xdp'))
    assert not {'vsock', 'tipc', 'xdp'} & {r['family'] for r in result['ansible_facts']['sockets']}
