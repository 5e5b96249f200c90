# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_facts' result shaped from a Selection."""

from __future__ import annotations

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._facts import facts_result, summarize
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID, select_fields
from ansible_collections.netdiag.ss.plugins.module_utils._select import Selection


def _rec(**kw):
    rec = {'netid': 'tcp', 'state': 'LISTEN', 'recv_q': 0, 'send_q': 128, 'local_address': '0.0.0.0', 'local_port': 22,
           'peer_address': '0.0.0.0', 'peer_port': 0, 'interface': None, 'family': 'inet', 'uid': 0, 'inode': 1, 'cookie': 1}
    rec.update(kw)
    return rec


def test_summary_and_fields():
    recs = [_rec(), _rec(state='ESTAB'), _rec(netid='udp', state='UNCONN')]
    assert summarize(recs) == {'total': 3, 'by_netid': {'tcp': 2, 'udp': 1}, 'by_state': {'LISTEN': 1, 'ESTAB': 1, 'UNCONN': 1},
                               'by_netid_state': {'tcp': {'LISTEN': 1, 'ESTAB': 1}, 'udp': {'UNCONN': 1}}}
    assert select_fields(recs[:1], ['state', 'local_port']) == [{'state': 'LISTEN', 'local_port': 22}]
    with pytest.raises(ArgsError, match='unknown field'):
        select_fields(recs, ['bogus'])


STATS = {'total': 9, 'tcp': {'total': 1, 'estab': 0, 'closed': 0, 'orphaned': 0, 'timewait': 0},
         'transport': dict((k, {'total': 0, 'ipv4': 0, 'ipv6': 0}) for k in ('raw', 'udp', 'tcp', 'inet', 'frag'))}


def test_facts_result_shapes_records_lines_and_stats():
    recs = [_rec(**{SOCKID: ('private',)}), _rec(state='ESTAB', **{SOCKID: ('private',)})]
    out = facts_result(build_request({'ss_args': '-ta'}), Selection(recs, ['raw'], [], None))
    assert out['unsupported_tables'] == ['raw'] and out['ansible_facts']['socket_summary']['total'] == 2
    assert out['proc_tables'] == []
    assert facts_result(build_request({'ss_args': '-ta'}), Selection(recs, [], [], None, ('tcp',)))['proc_tables'] == ['tcp']
    assert all(SOCKID not in r for r in out['ansible_facts']['sockets'])      # the identity is never returned
    assert out['lines'][0].startswith('State') and len(out['lines']) == 3
    out = facts_result(build_request({'ss_args': '-s'}), Selection([], [], [], STATS), fields=['state'], lines=True)
    assert out['ansible_facts']['socket_stats'] == STATS and out['lines'][0] == 'Total: 9'
    assert not any('Local Address' in line for line in out['lines'])        # -s alone lists no socket
    out = facts_result(build_request({'ss_args': '-t'}), Selection(recs, [], [], None), fields=['state'], lines=False)
    assert 'lines' not in out and out['ansible_facts']['sockets'] == [{'state': 'LISTEN'}, {'state': 'ESTAB'}]
