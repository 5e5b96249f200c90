# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hold many kinds of real sockets open inside a network namespace.

Run as `ip netns exec NS python3 sockets_fixture.py TMPDIR PEER_ADDR`.
Prints one JSON line describing what it made, then waits until stdin
closes. Used by the differential tests: every socket here must be listed
by socket_facts exactly as `ss` lists it.
"""

import ctypes
import errno
import json
import os
import socket
import subprocess
import sys
import threading
import time

keep = []
info = {'pid': os.getpid(), 'skipped': []}


def hold(*socks):
    keep.extend(socks)
    return socks[0] if len(socks) == 1 else socks


def tcp_listener(family, addr, port=0, v6only=None, backlog=16):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
    s.bind((addr, port))
    s.listen(backlog)
    return hold(s)


def tcp_pair(listener, family, addr):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((addr, listener.getsockname()[1]))
    a, _peer = listener.accept()
    return hold(c, a)


def fill(sock):
    """Send until the socket's buffer is full: leaves Send-Q > 0 here and Recv-Q > 0 at the peer."""
    sock.setblocking(False)
    chunk = b'x' * 65536
    while True:
        try:
            sock.send(chunk)
        except BlockingIOError:
            break
    sock.setblocking(True)


class _SockFilter(ctypes.Structure):
    _fields_ = [('code', ctypes.c_uint16), ('jt', ctypes.c_uint8), ('jf', ctypes.c_uint8), ('k', ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [('len', ctypes.c_uint16), ('filter', ctypes.POINTER(_SockFilter))]


_DROP = (_SockFilter * 1)(_SockFilter(0x06, 0, 0, 0))   # BPF_RET|BPF_K 0: accept nothing


def drop_all(sock):
    """Attach a classic BPF filter that drops every packet (SO_ATTACH_FILTER = 26), then drain the queue."""
    sock.setsockopt(socket.SOL_SOCKET, 26, bytes(_SockFprog(1, _DROP)))
    sock.setblocking(False)
    try:
        while True:
            sock.recv(65536)
    except BlockingIOError:
        pass
    sock.setblocking(True)
    return sock


def main():
    tmp, peer = sys.argv[1], sys.argv[2]
    # Fixed ports (this namespace is ours alone) so filter tests can name them:
    # TCP 5001-5006, UDP 5101-5103, MPTCP 5201; clients use ephemeral ports.
    lo4 = tcp_listener(socket.AF_INET, '0.0.0.0', 5001)
    lo4b = tcp_listener(socket.AF_INET, '127.0.0.1', 5002, backlog=5)
    lo4b.setsockopt(socket.SOL_SOCKET, 36, 0x23)   # SO_MARK, for fwmark filters
    dual = tcp_listener(socket.AF_INET6, '::', 5003, v6only=False)
    v6only = tcp_listener(socket.AF_INET6, '::', 5004, v6only=True)
    lo6 = tcp_listener(socket.AF_INET6, '::1', 5005)
    info['tcp_ports'] = [s.getsockname()[1] for s in (lo4, lo4b, dual, v6only, lo6)]
    # established pairs: plain, with unread data, with a full send buffer
    c, a = tcp_pair(lo4b, socket.AF_INET, '127.0.0.1')
    c.send(b'unread bytes')
    c2, a2 = tcp_pair(lo4, socket.AF_INET, '127.0.0.1')
    fill(a2)
    c3, a3 = tcp_pair(lo6, socket.AF_INET6, '::1')
    c3.send(b'x' * 1000)
    c4, a4 = tcp_pair(dual, socket.AF_INET, '127.0.0.1')   # v4-mapped on the server side
    a4.send(b'hello')
    # an accept queue that is not empty (Recv-Q of a listener)
    hold(*[socket.create_connection(('::1', v6only.getsockname()[1])) for _i in range(2)])
    # CLOSE-WAIT / FIN-WAIT-2: the client closes, the server does not
    c5, a5 = tcp_pair(lo4, socket.AF_INET, '127.0.0.1')
    c5.shutdown(socket.SHUT_WR)
    # FIN-WAIT-1: data still unacknowledged when we shut down (peer window full)
    c6, a6 = tcp_pair(lo4, socket.AF_INET, '127.0.0.1')
    fill(c6)
    c6.shutdown(socket.SHUT_WR)
    # TIME-WAIT: server closes after the client did
    c7, a7 = tcp_pair(lo4, socket.AF_INET, '127.0.0.1')
    c7.close()
    time.sleep(0.05)
    a7.close()
    keep.remove(c7)
    keep.remove(a7)
    # SYN-SENT: nobody answers ARP for this address on the veth
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    err = s.connect_ex((peer, 9))
    if err not in (errno.EINPROGRESS, 0):
        info['skipped'].append('syn-sent: connect gave %s' % errno.errorcode.get(err))
    hold(s)
    # a listener bound to a device (%dev in ss)
    d = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    d.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'ndveth0')
    d.bind(('0.0.0.0', 5006))
    d.listen(3)
    hold(d)
    # UDP: bound v4 / v6 / dual, connected pair, unread datagrams
    u4 = hold(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    u4.bind(('127.0.0.1', 5101))
    u6 = hold(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
    u6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    u6.bind(('::', 5102))
    ud = hold(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
    ud.bind(('::', 5103))
    uc = hold(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    uc.connect(u4.getsockname())
    uc.send(b'datagram one')
    uc.send(b'datagram two')
    # unix: stream listener with a path, abstract listener, pairs, dgram, seqpacket
    path = os.path.join(tmp, 'stream.sock')
    ul = hold(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
    ul.bind(path)
    ul.listen(4)
    uc1 = hold(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
    uc1.connect(path)
    ua1, _peer = ul.accept()
    hold(ua1)
    uc1.send(b'unix unread')
    pending = hold(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
    pending.connect(path)                # waits in the accept queue
    ab = hold(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
    ab.bind('\0netdiag-abstract\0with-nul')
    ab.listen(2)
    hold(*socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM))
    hold(*socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM))
    hold(*socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET))
    dg = hold(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
    dg.bind(os.path.join(tmp, 'dgram.sock'))
    hold(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))     # unnamed, unconnected
    sq = hold(socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET))
    sq.bind(os.path.join(tmp, 'seq.sock'))
    sq.listen(1)
    auto = hold(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
    auto.bind('')                        # autobind: abstract @xxxxx name
    # unix names that are not plain ASCII: a byte that is not UTF-8, a literal backslash (the two once looked
    # alike), UTF-8 letters (one character, two or three bytes), upper case; for glob filters (fnmatch on bytes)
    names = [b'/\xff.sock', b'/\\xff.sock', '/\u00e9.sock'.encode(), '/\u212a.sock'.encode(), b'/UPPER.sock']
    for name in names:
        hold(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)).bind(os.fsencode(tmp) + name)
    # packet sockets: all protocols, and IPv4 only on the veth; both drop
    # every packet (classic BPF "ret #0") so their Recv-Q stays still
    try:
        hold(drop_all(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))))
        p = hold(drop_all(socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))))
        p.bind(('ndveth0', 0x0800))
    except OSError as exc:
        info['skipped'].append('packet: %s' % exc)
    # a packet socket whose device is then removed: the kernel sets its ifindex to -1, which ss prints as
    # *:if4294967295
    try:
        subprocess.run(['ip', 'link', 'add', 'ndgone0', 'type', 'veth', 'peer', 'name', 'ndgone1'], check=True)
        gone = hold(drop_all(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))))
        gone.bind(('ndgone0', 0x88b5))
        subprocess.run(['ip', 'link', 'del', 'ndgone0'], check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        info['skipped'].append('packet of a removed device: %s' % exc)
    # a netlink socket of our own (route protocol)
    n = hold(socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0))
    n.bind((0, 0))
    # a connected netlink pair (NETLINK_USERSOCK): the second autobound socket of a protocol gets a negative
    # port id, and the first one connects to it, so ss prints its peer as 0:-NNN
    first = hold(socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2))
    first.bind((0, 0))
    second = hold(socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2))
    second.bind((0, 0))
    first.connect((second.getsockname()[0], 0))
    info['netlink_peer'] = second.getsockname()[0]
    # MPTCP listener and connection, where the kernel has it
    try:
        m = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
        m.bind(('127.0.0.1', 5201))
        m.listen(3)
        hold(m)
        mc = hold(socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262))
        mc.connect(m.getsockname())
        ma, _peer = m.accept()
        hold(ma)
    except OSError as exc:
        info['skipped'].append('mptcp: %s' % exc)
    # raw sockets (ss -w): ICMP unbound, ICMPv6 unbound, ICMP bound to 127.0.0.1, and protocol 253 (RFC 3692,
    # for experiments: nothing else here uses it) bound and connected, v4 and v6, each with one datagram of its
    # own queued (a stable Recv-Q). The ICMP ones drop every packet: the namespace's own ICMP (neighbour discovery
    # on the veth, unreachables for the SYN-SENT socket) would otherwise change their Recv-Q between two reads.
    try:
        hold(drop_all(socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)))
        hold(drop_all(socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)))
        hold(drop_all(socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))).bind(('127.0.0.1', 0))
        for family, addr in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
            r = hold(socket.socket(family, socket.SOCK_RAW, 253))
            r.bind((addr, 0))
            r.connect((addr, 0))
            r.send(b'raw datagram')
        info['raw_protocols'] = [1, 58, 1, 253, 253]
    except OSError as exc:
        info['skipped'].append('raw: %s' % exc)
    # a second thread, so that ss -T lists every socket once per thread
    threading.Thread(target=threading.Event().wait, daemon=True).start()
    info['unix_path'] = path
    info['count'] = len(keep)
    time.sleep(0.2)   # let TIME-WAIT / FIN states settle
    sys.stdout.write(json.dumps(info) + '\n')
    sys.stdout.flush()
    sys.stdin.read()


if __name__ == '__main__':
    main()
