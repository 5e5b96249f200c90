# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The detail options (-e -m --tos --cgroup --inet-sockopt -b -O) print what ss prints, and the records hold it.

Same namespace and sockets as test_differential.py (sockets_fixture.py); the
real ss is the oracle. Documented differences (docs/differences.md) are
normalized on both sides: a unix socket's device in -e (ss decodes the
kernel's dev_t with glibc's macros, B-8; the records are checked against
stat() instead).
"""

from __future__ import annotations

import os
import re
import shlex

import pytest

from conftest import compare_with_ss, run_module

from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request

ARGS = [
    '-te', '-tae', '-tem', '-tam', '-ue', '-uam', '-xe', '-xae', '-xam', '-xaem', '-0e', '-0ae', '-0am', '-0aem', '-0ab',
    '-0abe', '-f netlink -ae', '-f netlink -am', '-f netlink -aem', '-ta --tos', '-ua --tos', '-ta --cgroup',
    '-ta --inet-sockopt', '-ua --inet-sockopt', '-tae --tos --cgroup --inet-sockopt -m', '-taemO',
    '-ta --inet-sockopt -O', '-0aebO', '-Mae', '-Mam', '-taep', '-xaep', '-6tae', '-4tae', '-tlem',
    '-ae', '-am', '-tae state listening', '-tem state established',
]


def _dev_free(tokens):
    """Leave out what two reads a moment apart cannot agree on, or where we differ from ss on purpose.

    ss prints a unix socket's device with glibc's major()/minor() on the kernel's dev_t (B-8);
    the drop counter of a socket that keeps receiving (the fixture's full buffers) moves.
    """
    return [re.sub(r',d\d+\)$', ',d*)', t) for t in tokens if not re.match(r'^dev:\d+/\d+$', t)]


@pytest.mark.parametrize('args', ARGS)
def test_details_print_what_ss_prints(netns, sockets, args):
    problem, _expected, _got, result = compare_with_ss(netns, shlex.split(args) + ['-n'], normalize=_dev_free)
    assert problem is None, problem
    details = build_request({'ss_args': args}).details
    records = result['ansible_facts']['sockets']
    assert all(('extended' in r) == ('extended' in details) and ('skmem' in r) == ('memory' in details) for r in records)
    if 'extended' in details:
        assert all('timer' in r for r in records if r['family'].startswith('inet'))      # -e implies -o


def test_unix_device_is_the_real_one(netns, sockets):
    """The device of a unix socket's file, as stat() reports it (where ss prints 0/65024 for 254:0)."""
    result = run_module('socket_facts', {'ss_args': '-xae', 'netns': netns.name})
    path = sockets.info['unix_path']
    rec = [r for r in result['ansible_facts']['sockets'] if r['local_address'] == path and r['state'] == 'LISTEN'][0]
    st = os.stat(path)
    vfs = rec['extended']['vfs']
    assert (vfs['inode'], vfs['dev_major'], vfs['dev_minor']) == (st.st_ino, os.major(st.st_dev), os.minor(st.st_dev))


def test_records_hold_the_details(netns, sockets):
    result = run_module('socket_facts', {'ss_args': '-ta', 'extended': True, 'memory': True, 'tos': True, 'cgroup': True,
                                         'inet_sockopt': True, 'netns': netns.name, 'lines': False})
    listeners = [r for r in result['ansible_facts']['sockets'] if r['state'] == 'LISTEN' and r['local_port'] == 5002]
    (rec,) = listeners
    assert rec['extended']['mark'] == 0x23 and rec['extended']['shutdown'] == '<->' and rec['extended']['cgroup_id']
    assert rec['skmem']['rcvbuf'] > 0 and set(rec['skmem']) >= {'rmem_alloc', 'sndbuf', 'drops'}
    assert rec['tos'] == {'tos': 0, 'tclass': None, 'class_id': 0} and rec['cgroup'].startswith('/')
    assert 'is_icsk' in rec['sockopt']
    unix = run_module('socket_facts', {'ss_args': '-xa', 'extended': True, 'tos': True, 'netns': netns.name, 'lines': False})
    assert all(r['tos'] is None and r['extended'] is not None for r in unix['ansible_facts']['sockets'])


def test_info_through_the_module(netns, sockets):
    """-i as records and lines through socket_facts (test_inet_info_vs_ss.py compares every token with ss)."""
    result = run_module('socket_facts', {'ss_args': '-tani', 'netns': netns.name})
    listener = [r for r in result['ansible_facts']['sockets'] if r['local_port'] == 5001 and r['state'] == 'LISTEN'][0]
    assert listener['info']['congestion'] and listener['info']['tcp_info']['snd_cwnd'] > 0
    estab = [r for r in result['ansible_facts']['sockets'] if r['state'] == 'ESTAB' and r['netid'] == 'tcp']
    assert estab and all(r['info']['tcp_info']['snd_mss'] > 0 for r in estab)
    assert any(line.startswith('\t') and 'cwnd:' in line for line in result['lines'])
    udp = run_module('socket_facts', {'ss_args': '-uani', 'netns': netns.name})
    assert all(r['info'] == {} for r in udp['ansible_facts']['sockets'])        # the kernel sends none for udp
