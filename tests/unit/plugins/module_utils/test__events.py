# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""-E: the multicast groups, decoding destroy messages, the deadline and max_events.

Destroy messages are crafted from the UAPI layouts (uapi.py: nlmsghdr +
inet_diag_msg + rtattr), shaped as the kernel's inet_diag_handler_get_info
builds them (net/ipv4/inet_diag.c): type SOCK_DIAG_BY_FAMILY, flags 0,
seq 0, pid 0, uid/inode/timer 0, INET_DIAG_PROTOCOL and, for TCP,
INET_DIAG_INFO. The socket and the clock are fakes, so no test waits.
"""

from __future__ import annotations

import errno
import struct

import pytest

from ansible_collections.netdiag.ss.plugins.module_utils import _events
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, NetlinkError
from ansible_collections.netdiag.ss.plugins.module_utils._facts import events_result
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

from uapi import destroy_msg

event = destroy_msg

TCP4 = event(rq=5)
TCP4_LISTENER = event(dport=0, dst='0.0.0.0', cookie=(0x3b5e, 0))
UDP6 = event(family=AF_INET6, protocol=17, sport=5600, dport=0, src='::1', dst='::', wq=0xffffffff, cookie=(0x3b5f, 0))
UDP4_CONNECTED = event(protocol=17, state=1, sport=5601, dport=9, wq=0xffffffff, cookie=(0x3b60, 0))


class Lookups(HostLookups):
    def ephemeral_range(self):
        return (32768, 60999)


@pytest.mark.parametrize('ss_args, groups', [
    ('-Et', 0x5), ('-Etu', 0xf), ('-Eu', 0xa), ('-Et4', 0x1), ('-Eu6', 0x8), ('-E', 0xf), ('-E -f inet6 -t', 0x4),
    ('-E -A inet', 0xf), ('-E -tx', 0x5),
])
def test_groups_are_those_ss_binds_to(ss_args, groups):
    # reference section 5: nl_groups = OR of 1 << (group - 1), -Et -> 0x5, -Etu -> 0xf
    r = build_request({'ss_args': ss_args, 'events': 1})
    assert _events.event_groups(r.tables, r.families) == groups


@pytest.mark.parametrize('ss_args', ['-E -x', '-E -w', '-E -M', '-E -0'])
def test_nothing_to_follow_is_an_error_naming_what_e_supports(ss_args):
    with pytest.raises(ArgsError, match=r'-E reports destroyed TCP and UDP sockets \(IPv4 and IPv6\) only'):
        build_request({'ss_args': ss_args, 'events': 1})


def decode(messages, tables=('tcp', 'udp'), families=(AF_INET, AF_INET6), match=None, details=frozenset()):
    out = []
    for m in messages:
        _events.decode_event(m, 0, len(m), frozenset(tables), Context(set(families), match=match, details=details), out)
    return out


def test_destroy_messages_decode_with_the_inet_decoder():
    tcp, listener, udp6, udp4 = decode([TCP4, TCP4_LISTENER, UDP6, UDP4_CONNECTED])
    assert tcp == {'netid': 'tcp', 'state': 'UNCONN', 'recv_q': 5, 'send_q': 0, 'local_address': '127.0.0.1',
                   'local_port': 5599, 'peer_address': '127.0.0.1', 'peer_port': 54344, 'interface': None,
                   'family': 'inet', 'uid': 0, 'inode': 0, 'cookie': 0x3b5c}
    assert (listener['peer_address'], listener['peer_port']) == ('0.0.0.0', 0)
    # UDP: the table from INET_DIAG_PROTOCOL, Send-Q -1 as ss prints it, '*' for the IPv6 wildcard (no v6only sent)
    assert (udp6['netid'], udp6['send_q'], udp6['local_address'], udp6['peer_address']) == ('udp', -1, '::1', '*')
    assert (udp4['state'], udp4['peer_port']) == ('ESTAB', 9)        # a connected UDP socket dies ESTAB


def test_families_tables_and_the_filter_select_events():
    assert [r['netid'] for r in decode([TCP4, UDP6], families=(AF_INET,))] == ['tcp']
    assert [r['netid'] for r in decode([TCP4, UDP6], tables=('udp',))] == ['udp']
    assert decode([event(protocol=132)]) == []                       # only tcp and udp are multicast
    assert [r['local_port'] for r in decode([TCP4, UDP6], match=lambda view: view.sport == 5600)] == [5600]


def test_details_come_from_what_the_kernel_sends():
    rec, = decode([TCP4], details=frozenset(['extended', 'tos']))
    # no SHUTDOWN, MARK, CGROUP_ID, TOS attributes in an event: ss -e prints only ino:0 sk:<cookie>
    assert rec['extended'] == {'mark': None, 'cgroup_id': None, 'cgroup': None, 'v6only': None, 'shutdown': None}
    assert rec['tos'] == {'tos': None, 'tclass': None, 'class_id': None}


class FakeSock(object):
    """A non-blocking multicast socket: recv_into returns the next datagram, or raises what the list holds."""

    def __init__(self, datagrams):
        self.datagrams = list(datagrams)
        self.closed = False
        self.reads = 0

    def recv_into(self, buf):
        self.reads += 1
        item = self.datagrams.pop(0)
        if isinstance(item, BaseException):
            raise item
        buf[:len(item)] = item
        return len(item)

    def close(self):
        self.closed = True


class Clock(object):
    """A fake monotonic clock; wait() records each timeout, says whether a datagram is there, and moves time on."""

    def __init__(self, sock, step=0.5):
        self.now = 100.0
        self.sock = sock
        self.step = step
        self.timeouts = []
        self.calls = []

    def __call__(self):
        return self.now

    def wait(self, sock, timeout):
        self.timeouts.append(timeout)
        self.calls.append((self.now, timeout))
        if sock.datagrams:
            self.now += 0.01
            return True
        self.now += min(timeout, self.step)     # poll() never waits longer than it is told
        return False


def listen(datagrams, seconds=3, max_events=10000, step=0.5):
    sock = FakeSock(datagrams)
    clock = Clock(sock, step)
    out = _events.listen(sock, seconds, max_events, frozenset(['tcp', 'udp']), Context({AF_INET, AF_INET6}), clock,
                         clock.wait)
    return out, sock, clock


def test_listening_ends_at_the_deadline_and_never_waits_past_it():
    (records, truncated, overflows), _sock, clock = listen([TCP4 + UDP6, TCP4_LISTENER], seconds=3)
    assert [r['cookie'] for r in records] == [0x3b5c, 0x3b5f, 0x3b5e] and not truncated and not overflows
    assert clock.now == pytest.approx(103.0)             # returned at the deadline, not later
    assert all(now + timeout <= 103.0 + 1e-9 for now, timeout in clock.calls)


def test_each_wait_is_bounded_by_the_time_left():
    (records, _t, _o), _sock, clock = listen([], seconds=2, step=0.7)
    assert records == [] and clock.timeouts == pytest.approx([2.0, 1.3, 0.6])
    assert clock.now == pytest.approx(102.0)


def test_max_events_stops_at_the_first_event_beyond_it():
    (records, truncated, _o), sock, _clock = listen([TCP4, UDP6 + TCP4_LISTENER, UDP4_CONNECTED], max_events=2)
    assert [r['cookie'] for r in records] == [0x3b5c, 0x3b5f] and truncated
    assert sock.datagrams == [UDP4_CONNECTED]            # stopped reading there
    (records, truncated, _o), _sock, _clock = listen([TCP4, UDP6], max_events=2)
    assert len(records) == 2 and not truncated           # exactly max_events is not truncated


def test_lost_events_and_spurious_wakeups():
    lost = OSError(errno.ENOBUFS, 'No buffer space available')
    (records, truncated, overflows), _sock, _clock = listen([BlockingIOError(), TCP4, lost, UDP6])
    assert len(records) == 2 and not truncated and overflows == 1
    with pytest.raises(OSError):
        listen([OSError(errno.EBADF, 'Bad file descriptor')])


def test_a_malformed_datagram_is_an_error():
    with pytest.raises(NetlinkError, match='Bad message'):
        listen([struct.pack('=IHHII', 300, 20, 0, 0, 0) + b'\0' * 20])


def follow(ss_args, datagrams, **params):
    sock = FakeSock(datagrams)
    clock = Clock(sock)
    opened = []

    def open_socket(groups):
        opened.append(groups)
        return sock
    request = build_request(dict(params, ss_args=ss_args, events=params.get('events', 3)))
    return _events.follow(request, Lookups(), open_socket, clock, clock.wait), request, opened, sock


def test_follow_subscribes_filters_and_shapes_records():
    events, _request, opened, sock = follow('-Etu -e -p sport = :5599', [TCP4 + UDP6, TCP4_LISTENER])
    assert opened == [0xf] and sock.closed
    assert [r['cookie'] for r in events.records] == [0x3b5c, 0x3b5e] and not events.truncated
    assert all(r['processes'] == [] and r['extended']['shutdown'] is None and r['timer'] is None
               for r in events.records)
    assert events.warnings == []


def test_follow_says_when_it_stopped_early_or_lost_events():
    events, _r, _o, _s = follow('-Etu', [TCP4, UDP6], max_events=1)
    assert events.truncated and 'more than max_events=1' in events.warnings[0]
    events, _r, _o, _s = follow('-Etu', [OSError(errno.ENOBUFS, 'lost'), TCP4])
    assert events.truncated and len(events.records) == 1 and 'dropped events' in events.warnings[0]


def test_lines_are_those_ss_dash_e_prints():
    # ss -Etun, 6.1.0, for the same four sockets (seen live on kernel 6.18; trailing blanks trimmed)
    events, request, _o, _s = follow('-Etun', [TCP4, TCP4_LISTENER, UDP6, UDP4_CONNECTED])
    lines = events_result(request, events)['lines']
    assert [line.split() for line in lines] == [line.split() for line in [
        'Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
        'tcp   UNCONN 5      0          127.0.0.1:5599     127.0.0.1:54344',
        'tcp   UNCONN 0      0          127.0.0.1:5599       0.0.0.0:*',
        'udp   UNCONN 0      -1             [::1]:5600             *:*',
        'udp   ESTAB  0      -1         127.0.0.1:5601     127.0.0.1:9',
    ]]
    # one table, one state: ss hides the Netid and State columns the same way
    events, request, _o, _s = follow('-Et state established', [TCP4])
    assert events_result(request, events)['lines'][0].split()[:2] == ['Recv-Q', 'Send-Q']


def test_no_event_no_lines():
    """ss -E prints its header with the first event: after a quiet while, nothing at all."""
    events, request, _o, _s = follow('-Etun', [])
    assert events.records == [] and events_result(request, events)['lines'] == []


def test_info_comes_from_the_tcp_info_of_the_event():
    events, request, _o, _s = follow('-Etui', [TCP4, UDP6])
    tcp, udp = events.records
    assert tcp['info']['tcp_info']['state'] == 7 and udp['info'] == {}     # UDP events carry no INET_DIAG_INFO
    lines = events_result(request, events)['lines']
    assert [line.split()[0] for line in lines] == ['Netid', 'tcp', 'reordering:0', 'udp']     # ss's -i line for TCP
