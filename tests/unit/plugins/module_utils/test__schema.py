# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The record schema agrees with the decoders, the `fields` choices and every module's RETURN; the text form of bytes."""

from __future__ import annotations

import ast
import glob
import os

import pytest
import yaml

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._schema import (
    BASE_KEYS, DETAIL_FIELDS, FIELD_TYPES, HOLDER_FIELDS, RECORD_FIELDS, bytes_text, display_bytes, name_bytes,
    select_fields, unix_name_text,
)

hypothesis = pytest.importorskip('hypothesis')
st = hypothesis.strategies

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def _module_docs():
    for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))):
        blocks = {}
        for node in ast.parse(open(path).read()).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.targets[0].id in ('DOCUMENTATION', 'RETURN'):
                blocks[node.targets[0].id] = yaml.safe_load(node.value.value)
        yield os.path.basename(path), blocks


def _record_docs(ret):
    """Every `contains` block in RETURN that documents socket records (it has netid and state)."""
    stack = [ret]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            contains = node.get('contains')
            if isinstance(contains, dict) and 'netid' in contains and 'state' in contains:
                yield contains
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(node)


MODULES = list(_module_docs())


@pytest.mark.parametrize('name, blocks', MODULES, ids=[m[0] for m in MODULES])
def test_return_documents_the_schema(name, blocks):
    docs = list(_record_docs(blocks['RETURN']))
    if name == 'socket_facts.py':
        assert docs, 'socket_facts documents no socket records'      # the others refer to socket_facts' records
    for contains in docs:
        assert list(contains) == list(RECORD_FIELDS), name
        for key, spec in contains.items():
            assert spec['type'] == FIELD_TYPES[key], (name, key)
        holders = contains['processes'].get('contains')
        if holders:
            assert list(holders) == [k for k, _t in HOLDER_FIELDS]


@pytest.mark.parametrize('name, blocks', MODULES, ids=[m[0] for m in MODULES])
def test_fields_choices_are_the_schema(name, blocks):
    fields = blocks['DOCUMENTATION'].get('options', {}).get('fields')
    if fields:
        assert fields['choices'] == list(RECORD_FIELDS)


def test_decoders_build_the_base_keys():
    """Every decoder's record has exactly the base keys, in order (crafted messages from uapi.py)."""
    from ansible_collections.netdiag.ss.plugins.module_utils import _diag_inet, _diag_netlink, _diag_packet, _diag_unix
    from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
    from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
    from uapi import FakeSock, done, inet_msg, msg, unix_msg
    import struct
    from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_NETLINK, AF_PACKET, AF_UNIX
    out = []
    _diag_inet.decode_inet(nl.dump(FakeSock([inet_msg() + done()]), b'', 'tcp'), 'tcp', Context({AF_INET}), out)
    _diag_unix.decode_unix(nl.dump(FakeSock([unix_msg() + done()]), b'', 'unix'), {'unix_stream'}, Context({AF_UNIX}), out)
    packet = msg(struct.pack('=BBHIII', AF_PACKET, 3, 3, 5, 1, 0)) + done()
    _diag_packet.decode_packet(nl.dump(FakeSock([packet]), b'', 'packet'), {'packet_raw'}, Context({AF_PACKET}), out)
    netlink = msg(struct.pack('=BBBBiiIIII', AF_NETLINK, 3, 0, 7, 1, 0, 0, 6, 1, 0)) + done()
    _diag_netlink.decode_netlink(nl.dump(FakeSock([netlink]), b'', 'netlink'), Context({AF_NETLINK}), out)
    from ansible_collections.netdiag.ss.plugins.module_utils import _diag_tipc, _diag_vsock, _diag_xdp
    from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_TIPC, AF_VSOCK, AF_XDP
    from uapi import tipc_msg, vsock_msg, xdp_msg
    _diag_vsock.decode_vsock(nl.dump(FakeSock([vsock_msg() + done()]), b'', 'vsock'), {'vsock_stream'}, Context({AF_VSOCK}), out)
    _diag_tipc.decode_tipc(nl.dump(FakeSock([tipc_msg() + done()]), b'', 'tipc'), Context({AF_TIPC}), out)
    _diag_xdp.decode_xdp(nl.dump(FakeSock([xdp_msg(ifindex=0) + done()]), b'', 'xdp'), Context({AF_XDP}), out)
    assert [tuple(r) for r in out] == [BASE_KEYS] * 7
    timed = []
    _diag_inet.decode_inet(nl.dump(FakeSock([inet_msg() + done()]), b'', 'tcp'), 'tcp', Context({AF_INET}, timers=True), timed)
    assert tuple(timed[0]) == BASE_KEYS + tuple(k for k, _t in DETAIL_FIELDS['timers'])


def test_select_fields():
    rec = dict((k, 1) for k in BASE_KEYS)
    assert select_fields([rec], ['state', 'local_port']) == [{'state': 1, 'local_port': 1}]
    with pytest.raises(ArgsError, match='unknown field'):
        select_fields([rec], ['bogus'])


def test_select_fields_in_place_replaces_each_record():
    """For a caller that needs the whole records no more: no second list, each whole record freed as it is replaced."""
    records = [dict((k, i) for k in BASE_KEYS) for i in range(3)]
    copy = select_fields(records, ['state'])
    assert copy is not records and records[0]['netid'] == 0
    same = select_fields(records, ['state'], in_place=True)
    assert same is records and records == [{'state': 0}, {'state': 1}, {'state': 2}]
    private = [dict(state=1, sockid='x')]
    assert select_fields(private, None, in_place=True) is private and private == [{'state': 1}]


@pytest.mark.parametrize('raw, text', [
    (b'plain', 'plain'), (b'caf\xc3\xa9', 'caf\u00e9'), (b'\xff\xfe', '\\xff\\xfe'), (b'a\\b', 'a\\\\b'),
    (b'\\xff', '\\\\xff'), (b'\xc3', '\\xc3'),
])
def test_bytes_text(raw, text):
    assert bytes_text(raw) == text and name_bytes(text) == raw


@hypothesis.settings(max_examples=500, deadline=None, derandomize=True)
@hypothesis.given(st.binary(max_size=24), st.booleans())
def test_unix_names_round_trip(raw, abstract):
    """Every name the kernel can report has one text form, and the text gives the bytes back."""
    raw = (b'\0' + raw) if abstract else raw.split(b'\0')[0]
    text = unix_name_text(raw)
    if not raw:
        assert text == ''
        return
    assert name_bytes(text) == raw
    assert display_bytes(text) == (raw.replace(b'\0', b'@') if abstract else raw)
    assert text.startswith('@') == abstract and text != '*'
    text.encode('utf-8')      # always valid text for JSON
