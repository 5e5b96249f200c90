# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab of the socket_compliance Molecule scenario: network namespaces as hosts.

  lab.py up LAN '{"NS": ["ADDR/PLEN", ...], ...}'
      Creates the namespace LAN with a bridge br0, and each namespace NS with an
      eth0 (a veth whose peer is a port of br0) holding those addresses.  Fails
      if any of them exists already (run destroy first).  Needs pyroute2.
  lab.py down NS...
      Removes those namespaces (the ones that exist) and prints their names.
  lab.py start PIDFILE '{"tcp": ["ADDR:PORT", ...], "udp": [...], "connect": {"ADDR:PORT": N}}'
      Run inside a namespace: opens the TCP listeners, bound UDP sockets and N
      TCP connections to each ADDR:PORT, then leaves a process holding them until
      it gets SIGTERM.  Appends that process's PID to PIDFILE and prints it.
  lab.py stop PIDFILE
      Ends the processes of PIDFILE by PID (only those that are still `lab.py start`
      processes), prints their PIDs and removes PIDFILE.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time

BRIDGE = 'br0'


def up(lan, hosts):
    from pyroute2 import IPRoute, netns  # pylint: disable=import-outside-toplevel
    taken = sorted(set(netns.listnetns()) & ({lan} | set(hosts)))
    if taken:
        sys.exit(f'lab.py: namespace(s) {", ".join(taken)} exist already: run destroy first')
    netns.create(lan)
    with IPRoute(netns=lan) as ipr:
        ipr.link('add', ifname=BRIDGE, kind='bridge')
        bridge = ipr.link_lookup(ifname=BRIDGE)[0]
        ipr.link('set', index=bridge, state='up')
    for number, (name, addresses) in enumerate(hosts.items()):
        port = f'port{number}'
        netns.create(name)
        with IPRoute(netns=name) as ipr:
            ipr.link('add', ifname='eth0', kind='veth', peer={'ifname': port, 'net_ns_fd': lan})
            eth0 = ipr.link_lookup(ifname='eth0')[0]
            for address in addresses:
                addr, plen = address.split('/')
                ipr.addr('add', index=eth0, address=addr, prefixlen=int(plen))
            ipr.link('set', index=eth0, state='up')
            ipr.link('set', index=ipr.link_lookup(ifname='lo')[0], state='up')
        with IPRoute(netns=lan) as ipr:
            ipr.link('set', index=ipr.link_lookup(ifname=port)[0], master=bridge, state='up')


def down(names):
    from pyroute2 import netns  # pylint: disable=import-outside-toplevel
    removed = [name for name in names if name in set(netns.listnetns())]
    for name in removed:
        netns.remove(name)
    print(json.dumps({'removed': removed}))


def _endpoint(text):
    """'203.0.113.10:5432' or '[::]:8080' -> (family, (host, port))."""
    host, _sep, port = text.rpartition(':')
    if host.startswith('['):
        return socket.AF_INET6, (host[1:-1], int(port))
    return socket.AF_INET, (host, int(port))


def start(pidfile, spec):
    held = []
    for kind, items in (('tcp', spec.get('tcp', [])), ('udp', spec.get('udp', []))):
        for text in items:
            family, address = _endpoint(text)
            sock = socket.socket(family, socket.SOCK_STREAM if kind == 'tcp' else socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            if kind == 'tcp':
                sock.listen(64)
            held.append(sock)
    for text, count in spec.get('connect', {}).items():
        family, address = _endpoint(text)
        for _dummy in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(5)
            sock.connect(address)
            held.append(sock)
    pid = os.fork()
    if pid == 0:  # the holder: no terminal, no pipes of the caller (Ansible waits for them to close)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        while True:
            signal.pause()
    with open(pidfile, 'a', encoding='ascii') as handle:
        handle.write(f'{pid}\n')
    print(json.dumps({'pid': pid}))


def _is_holder(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as handle:
            argv = handle.read().split(b'\0')
        with open(f'/proc/{pid}/stat', 'rb') as handle:
            state = handle.read().rpartition(b')')[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != b'Z' and any(arg.endswith(b'/lab.py') for arg in argv) and b'start' in argv


def stop(pidfile):
    try:
        with open(pidfile, encoding='ascii') as handle:
            pids = [int(line) for line in handle if line.strip()]
    except FileNotFoundError:
        pids = []
    ended = [pid for pid in pids if _is_holder(pid)]
    for pid in ended:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while any(_is_holder(pid) for pid in ended):
        if time.monotonic() > deadline:
            sys.exit(f'lab.py: processes {", ".join(str(p) for p in ended if _is_holder(p))} did not end on SIGTERM')
        time.sleep(0.1)
    if os.path.exists(pidfile):
        os.remove(pidfile)
    print(json.dumps({'ended': ended}))


def main(argv):
    command, args = (argv[0], argv[1:]) if argv else ('', [])
    if command == 'up':
        up(args[0], json.loads(args[1]))
    elif command == 'down':
        down(args)
    elif command == 'start':
        start(args[0], json.loads(args[1]))
    elif command == 'stop':
        stop(args[0])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
