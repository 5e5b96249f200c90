# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Churn the socket tables of this namespace: open and close loopback TCP connections (and unix pairs) in a loop.

Usage: churn.py [--seconds S] [--port P] [--live N] [--graceful-every K] [--unix]

Run inside a network namespace of one's own (ip netns exec NS ...). One
listener on 127.0.0.1:PORT; each round connects a client from a rotating
source address 127.2.X.Y, accepts it, and closes the oldest of the N live
connections, so the TCP table has sockets appearing and vanishing in every
hash bucket all the time: SYN-RECV and ESTAB while they live, and for every
K-th connection (client closes first) FIN-WAIT and TIME-WAIT; the others are
closed with SO_LINGER 0 (a reset, no TIME-WAIT), so neither 4-tuples nor the
TIME-WAIT table run out (K=16: at 15k connections/s about 56k TIME-WAIT
sockets, below the 131072 of tcp_max_tw_buckets, beyond which the kernel
logs "time wait bucket table overflow"). With --unix each round also opens a unix socket
pair and closes the oldest of N live pairs (the unix table churns too).

Prints {"ready": true, "pid": ...} when the listener is up, then churns
until its stdin closes or S seconds have passed (at most 3600: it always
stops by itself), and prints one JSON line: connections opened and closed,
unix pairs, seconds, and the rate achieved (connections per second).
Traffic stays on the loopback of this namespace.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import select
import socket
import struct
import sys
import time

LINGER_RESET = struct.pack('ii', 1, 0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    ap.add_argument('--seconds', type=float, default=60.0, help='stop after this long at the latest (max 3600)')
    ap.add_argument('--port', type=int, default=19999)
    ap.add_argument('--live', type=int, default=500, help='connections (and unix pairs) alive at any time')
    ap.add_argument('--graceful-every', type=int, default=16,
                    help='every K-th connection is closed by its client first (FIN, then TIME-WAIT); 0: never')
    ap.add_argument('--unix', action='store_true', help='churn unix socket pairs too')
    args = ap.parse_args(argv)
    seconds = min(max(args.seconds, 0.1), 3600.0)
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(('127.0.0.1', args.port))
    lst.listen(4096)
    addr = lst.getsockname()
    live = collections.deque()
    pairs = collections.deque()
    sys.stdout.write(json.dumps({'ready': True, 'pid': os.getpid()}) + '\n')
    sys.stdout.flush()
    poller = select.poll()
    poller.register(sys.stdin.fileno(), select.POLLIN | select.POLLHUP)
    opened = closed = graceful = unix_pairs = 0
    every = args.graceful_every
    start = time.monotonic()
    deadline = start + seconds
    while True:
        # stdin closed (or anything written to it): stop; checked every 200 rounds
        if poller.poll(0) or time.monotonic() >= deadline:
            break
        for _round in range(200):
            i = opened
            c = socket.socket()
            c.bind(('127.2.%d.%d' % (1 + (i // 250) % 250, 1 + i % 250), 0))
            c.connect(addr)
            a, _peer = lst.accept()
            opened += 1
            live.append((c, a, bool(every) and i % every == 0))
            if len(live) > args.live:
                oc, oa, nice = live.popleft()
                if nice:
                    oc.close()              # the client closes first: it ends in TIME-WAIT
                    oa.close()
                    graceful += 1
                else:
                    oc.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
                    oc.close()              # a reset: no TIME-WAIT
                    oa.close()
                closed += 1
            if args.unix:
                pairs.append(socket.socketpair())
                unix_pairs += 1
                if len(pairs) > args.live:
                    for s in pairs.popleft():
                        s.close()
    elapsed = time.monotonic() - start
    for c, a, _nice in live:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
        c.close()
        a.close()
    for pair in pairs:
        for s in pair:
            s.close()
    lst.close()
    sys.stdout.write(json.dumps({'connections': opened, 'closed': closed, 'graceful': graceful, 'unix_pairs': unix_pairs,
                                 'seconds': round(elapsed, 3), 'rate': round(opened / elapsed, 1) if elapsed else 0}) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
