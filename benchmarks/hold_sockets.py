# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hold N established TCP sockets (N/2 loopback connections) in this namespace.

Usage: hold_sockets.py N [PORT]. Raises its own file limit; prints READY,
then waits until stdin closes. Run several for more sockets than one
process may hold.
"""

import resource
import socket
import sys


def main():
    n = int(sys.argv[1])
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    want = n + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
        except (ValueError, OSError):
            pass
    else:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(('127.0.0.1', port))
    lst.listen(4096)
    addr = lst.getsockname()
    keep = []
    pairs = n // 2
    # clients use many source addresses so 4-tuples never run out
    for i in range(pairs):
        c = socket.socket()
        c.bind(('127.0.%d.%d' % (1 + (i // 250) % 250, 1 + i % 250), 0))
        c.connect(addr)
        a, _peer = lst.accept()
        keep.append(c)
        keep.append(a)
    sys.stdout.write('READY %d\n' % len(keep))
    sys.stdout.flush()
    sys.stdin.read()


if __name__ == '__main__':
    main()
