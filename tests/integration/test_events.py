# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""-E / events on the real kernel: socket_facts listens in a namespace of its own while TCP and UDP sockets (IPv4
and IPv6) are opened and closed there; it must report exactly those, with their addresses, ports and cookies, and
print the rows `ss -E` prints at the same time.

ss 6.1.0 writes -E rows through stdio and does not flush them (B-16): it runs under `stdbuf -oL`, which makes its
stdout line-buffered, so every row is out before it is stopped. Both listeners are known to be subscribed before
any socket is closed: their sock_diag socket shows up, with the destroy groups, in /proc/PID/net/netlink.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from conftest import SS, ModuleProcess, Netns, comparable, need_root

# Opens and closes sockets inside the namespace; prints what it closed, as JSON (cookies from SO_COOKIE).
MAKE_AND_CLOSE = r'''
import json, socket, time
SO_COOKIE = 57
made = []

def note(sock, proto, state, peer=None):
    local = sock.getsockname()
    peer = peer or (('0.0.0.0' if sock.family == socket.AF_INET else '::'), 0)
    made.append({'family': 'inet' if sock.family == socket.AF_INET else 'inet6', 'netid': proto, 'state': state,
                 'local': [local[0], local[1]], 'peer': [peer[0], peer[1]],
                 'cookie': int.from_bytes(sock.getsockopt(socket.SOL_SOCKET, SO_COOKIE, 8), 'little')})

for family, addr, port in ((socket.AF_INET, '127.0.0.1', 5599), (socket.AF_INET6, '::1', 5598)):
    listener = socket.socket(family)
    listener.bind((addr, port))
    listener.listen()
    client = socket.create_connection((addr, port))
    server, _peer = listener.accept()
    client.send(b'hello')              # left unread: the server dies with Recv-Q 5 (and resets the connection)
    time.sleep(0.05)
    note(server, 'tcp', 'UNCONN', client.getsockname()[:2])
    note(client, 'tcp', 'UNCONN', server.getsockname()[:2])
    note(listener, 'tcp', 'UNCONN')
    server.close(); client.close(); listener.close()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(('127.0.0.1', 5601))
note(udp, 'udp', 'UNCONN'); udp.close()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(('127.0.0.1', 5602)); udp.connect(('127.0.0.1', 9))
note(udp, 'udp', 'ESTAB', ('127.0.0.1', 9)); udp.close()
udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); udp.bind(('::1', 5603))
note(udp, 'udp', 'UNCONN'); udp.close()
unix = socket.socket(socket.AF_UNIX); unix.close()     # not a TCP or UDP socket: never reported
print(json.dumps(made))
'''


@pytest.fixture(scope='module')
def evns():
    need_root()
    if shutil.which('stdbuf') is None:
        pytest.skip('needs stdbuf (coreutils) to make ss -E flush its rows')
    ns = Netns('ev')
    yield ns
    ns.remove()


def subscribed(pid, groups, timeout=30):
    """Wait until process pid has a NETLINK_SOCK_DIAG socket bound to `groups` (in the namespace it is in)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open('/proc/%d/net/netlink' % pid) as f:
                rows = [line.split() for line in f.read().splitlines()[1:]]
        except OSError:
            rows = []
        if any(r[1] == '4' and r[2] == str(pid) and int(r[3], 16) == groups for r in rows):
            return
        time.sleep(0.05)
    raise AssertionError('process %d did not subscribe to groups %#x within %d s' % (pid, groups, timeout))


def start_ss(ns, argv):
    return subprocess.Popen(['nsenter', '--net=/var/run/netns/' + ns.name, 'stdbuf', '-oL', SS] + argv,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop_ss(proc):
    proc.terminate()
    out, _err = proc.communicate(timeout=10)
    return out.splitlines()


def make_and_close(ns):
    proc = subprocess.run(ns.exec_argv([sys.executable, '-c', MAKE_AND_CLOSE]), capture_output=True, text=True,
                          timeout=30, check=True)
    return json.loads(proc.stdout)


def expected_record(sock):
    return {'netid': sock['netid'], 'state': sock['state'], 'family': sock['family'],
            'local_address': sock['local'][0], 'local_port': sock['local'][1],
            'peer_address': '*' if sock['peer'][0] == '::' else sock['peer'][0], 'peer_port': sock['peer'][1],
            'uid': 0, 'inode': 0, 'interface': None}


def test_events_are_exactly_the_sockets_closed_and_what_ss_prints(evns):
    filtered_ss = ['-Etun', 'sport = :5599 or sport = :5601']
    ss_all, ss_some, ss_ext = start_ss(evns, ['-Etun']), start_ss(evns, filtered_ss), start_ss(evns, ['-Etuneo'])
    ss_inf = start_ss(evns, ['-Etuni'])
    try:
        every = ModuleProcess('socket_facts', {'ss_args': '-tun', 'events': 4, 'netns': evns.name})
        some = ModuleProcess('socket_facts', {'ss_args': '-tun', 'filter': filtered_ss[1], 'events': 4,
                                              'netns': evns.name, 'fields': ['local_port', 'cookie']})
        ext = ModuleProcess('socket_facts', {'ss_args': '-tuneo', 'events': 4, 'netns': evns.name})
        inf = ModuleProcess('socket_facts', {'ss_args': '-tuni', 'events': 4, 'netns': evns.name})
        for pid in (ss_all.pid, ss_some.pid, ss_ext.pid, ss_inf.pid, every.pid, some.pid, ext.pid, inf.pid):
            subscribed(pid, 0xf)
        made = make_and_close(evns)
        result, filtered, extended, info = every.result(), some.result(), ext.result(), inf.result()
    finally:
        ss_rows, ss_filtered, ss_extended = stop_ss(ss_all), stop_ss(ss_some), stop_ss(ss_ext)
        ss_info = stop_ss(ss_inf)
    assert len(made) == 9 and result['changed'] is False and result['ansible_facts'] == {}
    assert not result['events_truncated'] and not filtered['events_truncated']
    by_cookie = dict((e['cookie'], e) for e in result['events'])
    assert sorted(by_cookie) == sorted(s['cookie'] for s in made), (result['events'], made)
    for sock in made:
        got = by_cookie[sock['cookie']]
        assert dict((k, got[k]) for k in expected_record(sock)) == expected_record(sock), (got, sock)
    queues = [(by_cookie[s['cookie']]['recv_q'], by_cookie[s['cookie']]['send_q']) for s in made]
    assert queues[0] == (5, 0) and queues[6] == (0, -1)      # the server's unread bytes; UDP's Send-Q as ss prints it
    # the rows ss -E printed meanwhile, header first, in the same order (one multicast, read by both)
    assert comparable(result['lines'])[0] == comparable(ss_rows)[0], (result['lines'], ss_rows)
    assert comparable(filtered['lines'])[0] == comparable(ss_filtered)[0], (filtered['lines'], ss_filtered)
    # -e -o: only `ino:0 sk:<cookie>` (no other attribute comes with an event), no timer
    assert comparable(extended['lines'])[0] == comparable(ss_extended)[0], (extended['lines'], ss_extended)
    rows = zip(extended['lines'][1:], extended['events'])
    assert all(line.split()[-2:] == ['ino:0', 'sk:%x' % e['cookie']] for line, e in rows)
    # -i: the tcp_info each TCP event carries, as ss prints it
    assert comparable(info['lines'])[0] == comparable(ss_info)[0], (info['lines'], ss_info)
    assert [e['info']['tcp_info']['state'] for e in info['events'] if e['netid'] == 'tcp'] == [7] * 6
    assert sorted(e['local_port'] for e in filtered['events']) == [5599, 5599, 5601]
    assert set(filtered['events'][0]) == {'local_port', 'cookie'}


def test_max_events_stops_listening_early(evns):
    started = time.monotonic()
    proc = ModuleProcess('socket_facts', {'ss_args': '-t4', 'events': 60, 'max_events': 2, 'netns': evns.name})
    subscribed(proc.pid, 0x1)
    make_and_close(evns)
    result = proc.result(timeout=60)
    assert result['events_truncated'] is True and len(result['events']) == 2
    assert all(e['family'] == 'inet' and e['netid'] == 'tcp' for e in result['events'])
    assert time.monotonic() - started < 30 and 'more than max_events=2' in json.dumps(result['warnings'])


def test_nothing_closed_nothing_reported(evns):
    started = time.monotonic()
    result = ModuleProcess('socket_facts', {'ss_args': '-u6', 'events': 1, 'netns': evns.name,
                                            'lines': False}).result()
    assert result['events'] == [] and 'lines' not in result and time.monotonic() - started >= 1
