# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hold one fleet host's sockets (benchmarks/fleet.py), run inside the host's namespace.

Usage: fleet_hold.py '{"tcp": ["ADDR:PORT", ...], "udp": [...]}'

Opens the TCP listeners and bound UDP sockets, prints READY, then reads
commands on stdin, one JSON line each:

    {"connect": {"ADDR:PORT": N, ...}}   opens N TCP connections to each, prints CONNECTED <n>

and accepts every connection that arrives on its listeners, so both ends of
a connection are held by a process, as on a real host. Ends when stdin
closes (the caller ends it by closing the pipe, or by PID).
"""

import json
import selectors
import socket
import sys


def endpoint(text):
    """'198.18.0.5:5432' or '[::]:22' -> (family, (host, port))."""
    host, _sep, port = text.rpartition(':')
    if host.startswith('['):
        return socket.AF_INET6, (host[1:-1], int(port))
    return socket.AF_INET, (host, int(port))


def main():
    spec = json.loads(sys.argv[1])
    held = []
    sel = selectors.DefaultSelector()
    for kind in ('tcp', 'udp'):
        for text in spec.get(kind, []):
            family, address = endpoint(text)
            sock = socket.socket(family, socket.SOCK_STREAM if kind == 'tcp' else socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)   # as sshd does: [::]:22 beside 0.0.0.0:22
            sock.bind(address)
            if kind == 'tcp':
                sock.listen(128)
                sock.setblocking(False)
                sel.register(sock, selectors.EVENT_READ, 'accept')
            held.append(sock)
    sys.stdout.write('READY %d\n' % len(held))
    sys.stdout.flush()
    sel.register(sys.stdin, selectors.EVENT_READ, 'command')
    while True:
        for key, _mask in sel.select():
            if key.data == 'accept':
                try:
                    conn, _peer = key.fileobj.accept()
                except BlockingIOError:
                    continue
                held.append(conn)
                continue
            line = sys.stdin.readline()
            if not line:
                return
            made = 0
            for text, count in json.loads(line).get('connect', {}).items():
                family, address = endpoint(text)
                for _dummy in range(count):
                    sock = socket.socket(family, socket.SOCK_STREAM)
                    sock.settimeout(5)
                    sock.connect(address)
                    held.append(sock)
                    made += 1
            sys.stdout.write('CONNECTED %d\n' % made)
            sys.stdout.flush()


if __name__ == '__main__':
    main()
