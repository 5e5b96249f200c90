# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sockets the examples of the ss documentation (EXEMPLES) talk about, so that each one selects something.

Run as `ip netns exec NS python3 seed_zoo.py X11_DIR` in a namespace whose lo holds 172.20.10.3,
123.1.2.100, 193.233.7.10 and 192.168.1.10 (test_examples.py adds them). Prints one JSON line
when ready, then waits until stdin closes. It holds:

- listeners on 22 (ssh), 25 (smtp), 80 (http), 443 (https) and 5228, and an established
  connection to each of 22, 25, 80 and 443;
- a connection from 172.20.10.3 to 172.20.10.3:5228 (`src`/`dst 172.20.10.3`, `dst :5228`) and
  one to 123.1.2.100:80 (`dst 123.1.2.100:http`);
- the server ends of connections from 193.233.7.10 to :80 and from 192.168.1.10 to :443 in
  FIN-WAIT-1, and a client end (an ephemeral port, to 127.0.0.1:8080) in FIN-WAIT-1 too: each sends until
  the peer, which never reads, shows a zero window, then shuts its sending side, so its FIN
  waits behind the data (the socket stays owned by this process, so the kernel keeps it);
- a unix stream listener and a connection in X11_DIR (`src /tmp/.X11-unix/*`).
"""

import json
import os
import socket
import sys

from sockets_fixture import fill     # this directory: send until the buffers are full

keep = []


def listener(port, addr='0.0.0.0'):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    keep.append(s)
    return s


def connect(lst, to, source=None, rcvbuf=None):
    c = socket.socket()
    if rcvbuf:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if source:
        c.bind((source, 0))
    c.connect(to)
    a, _peer = lst.accept()
    keep.extend((c, a))
    return c, a


def fin_wait_1(sender):
    """Send until the peer's window is shut (it never reads), then shut the sending side: FIN-WAIT-1 stays."""
    fill(sender)
    sender.shutdown(socket.SHUT_WR)


def main():
    x11 = sys.argv[1]
    lst = dict((port, listener(port)) for port in (22, 25, 80, 443, 5228))
    slow = socket.socket()       # a listener whose connections read into a small buffer (inherited at accept)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.bind(('127.0.0.1', 8080))
    slow.listen(1)
    keep.append(slow)
    for port in (22, 25, 80, 443):
        connect(lst[port], ('127.0.0.1', port))
    connect(lst[5228], ('172.20.10.3', 5228), source='172.20.10.3')
    connect(lst[80], ('123.1.2.100', 80))
    for port, source in ((80, '193.233.7.10'), (443, '192.168.1.10')):
        _client, server = connect(lst[port], ('127.0.0.1', port), source=source, rcvbuf=4096)
        fin_wait_1(server)
    client, _server = connect(slow, ('127.0.0.1', 8080))
    fin_wait_1(client)
    path = os.path.join(x11, 'X%d' % os.getpid())
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.bind(path)
    u.listen(1)
    uc = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    uc.connect(path)
    ua, _peer = u.accept()
    keep.extend((u, uc, ua))
    print(json.dumps({'pid': os.getpid(), 'x11': path}), flush=True)
    try:
        sys.stdin.read()
    finally:
        os.unlink(path)


if __name__ == '__main__':
    main()
