#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: socket_facts
short_description: List sockets the way C(ss) does, as facts
version_added: 0.1.0
description:
  - Lists the sockets of the managed host, or of one of its network namespaces, over the kernel's
    C(NETLINK_SOCK_DIAG) interface, selecting exactly the sockets that C(ss) (iproute2) would print for the same
    arguments, with the same values.
  - Does not run C(ss) or C(netstat) and parses no text. Needs only Python's standard library on the managed host.
  - Tables the running kernel cannot list (for example SCTP or DCCP without their diag modules) are skipped, with a
    warning when you asked for them explicitly.
author:
  - netdiag.ss developers (@netdiag)
extends_documentation_fragment:
  - netdiag.ss._attributes
  - netdiag.ss._attributes.FACTS
  - netdiag.ss._attributes.INFO_MODULE
  - netdiag.ss._selection
options:
  resolve:
    description:
      - Resolve host names, service names and netlink or packet protocol names in RV(lines), like C(ss -r)
        (C(-r) in O(ss_args) does the same).
      - The default is numeric, like C(ss -n), also when O(ss_args) has no C(-n); unlike C(ss), service names are
        not looked up unless asked for.
      - The socket records in RV(ansible_facts.sockets) are always numeric.
    type: bool
  processes:
    description:
      - Add the processes holding each socket, like C(ss -p). Processes are looked up with one scan of C(/proc),
        only when asked, and only for the sockets that were selected.
    type: bool
  threads:
    description:
      - Like O(processes) but per thread, like C(ss -T); each holder has a C(tid).
    type: bool
  timers:
    description:
      - Add each inet socket's running timer, like C(ss -o), as RV(ansible_facts.sockets[].timer),
        RV(ansible_facts.sockets[].timer_expires_ms) and RV(ansible_facts.sockets[].timer_retrans).
    type: bool
  summary:
    description:
      - Add the kernel's socket statistics, like C(ss -s), as RV(ansible_facts.socket_stats) (and at the top of
        RV(lines)). They come from C(/proc/net/sockstat), C(/proc/net/sockstat6) and C(/proc/net/snmp) of the
        namespace, not from a socket dump.
      - As with C(ss -s), when nothing else selects sockets (no table, family or query option, no state word, no
        expression) no socket is listed.
    type: bool
  fields:
    description:
      - Keep only these keys in each socket record. Large listings cost Ansible time for every value returned,
        so asking only for what you use makes them faster.
    type: list
    elements: str
    choices: [netid, state, recv_q, send_q, local_address, local_port, peer_address, peer_port, interface,
              family, uid, inode, cookie, processes, timer, timer_expires_ms, timer_retrans]
  lines:
    description:
      - Also return RV(lines), the rows as C(ss -n) prints them, for reading an ad-hoc run.
      - Set to V(false) for very large listings you only process as data.
    type: bool
    default: true
notes:
  - Run as root (C(become=true)) to see the processes of other users and sockets' marks.
  - Known differences from C(ss) are listed in the collection's C(docs/) folder.
seealso:
  - name: ss(8)
    description: The ss manual page.
    link: https://man7.org/linux/man-pages/man8/ss.8.html
"""

EXAMPLES = r"""
---
- name: Listening TCP and UDP sockets with their processes
  netdiag.ss.socket_facts:
    ss_args: -tulnp

- name: Show what was found
  ansible.builtin.debug:
    var: ansible_facts.sockets

- name: The same with structured options
  netdiag.ss.socket_facts:
    tables: [tcp, udp]
    listening: true
    processes: true

- name: Established connections inside a network namespace, only a few fields
  netdiag.ss.socket_facts:
    ss_args: -t state established
    netns: blue
    fields: [local_address, local_port, peer_address, peer_port]

- name: Everything except TCP, in every state (ss -a -A 'all,!tcp')
  netdiag.ss.socket_facts:
    ss_args: "-a -A 'all,!tcp'"
"""

RETURN = r"""
ansible_facts:
  description: Facts about the sockets.
  returned: always
  type: dict
  contains:
    sockets:
      description:
        - One record per socket, the same rows C(ss) prints, in the same order. Tables come in C(ss)'s order
          (netlink, packet, unix, raw, udp, tcp, dccp, sctp, vsock, tipc, xdp, mptcp), IPv4 before IPv6.
        - Only the keys in O(fields) when it is set.
      type: list
      elements: dict
      returned: always
      contains:
        netid:
          description: Socket table as C(ss) prints it (V(tcp), V(udp), V(mptcp), V(u_str), V(u_dgr), V(u_seq), V(p_raw), V(p_dgr), V(nl)).
          type: str
          sample: tcp
        state:
          description: State as C(ss) prints it (V(ESTAB), V(LISTEN), V(UNCONN), V(TIME-WAIT), ...).
          type: str
          sample: LISTEN
        recv_q:
          description: Receive queue (for listeners, the accept queue length).
          type: int
        send_q:
          description: Send queue (for listeners, the backlog).
          type: int
        local_address:
          description:
            - Local address as C(ss -n) prints it, without IPv6 brackets and without the C(%dev) suffix (see RV(ansible_facts.sockets[].interface)).
            - V(*) for an IPv6 wildcard that also accepts IPv4, V(::) for an IPv6-only wildcard, V(0.0.0.0) for IPv4.
            - For unix sockets the path, V(@name) for abstract names, V(*) when unnamed.
            - For netlink sockets the protocol number; for packet sockets V(*) (all protocols) or V([N]) (an ethertype).
          type: str
          sample: 0.0.0.0
        local_port:
          description: Local port (0 where C(ss) prints V(*)); for unix sockets the inode; for netlink the port id; for packet the ifindex.
          type: int
          sample: 22
        peer_address:
          description: Peer address, same rules as RV(ansible_facts.sockets[].local_address); V(*) for unix peers (C(ss) never collects their names).
          type: str
        peer_port:
          description: Peer port (0 where C(ss) prints V(*)); for unix sockets the peer's inode (0 if none); null where C(ss) prints nothing.
          type: int
        interface:
          description: The device the socket is bound to (C(%dev) in C(ss)'s address column), or null.
          type: str
        family:
          description: V(inet), V(inet6), V(unix), V(link) or V(netlink).
          type: str
        uid:
          description: Owner's user id (null where the kernel does not tell, as for netlink sockets).
          type: int
        inode:
          description: Socket inode (0 for TIME-WAIT and request sockets).
          type: int
        cookie:
          description: The kernel's 64-bit socket cookie (C(sk:) in C(ss -e), as an integer).
          type: int
        processes:
          description: Holders of the socket as C(ss -p) lists them (C(tid) only with O(threads)).
          returned: when O(processes) or O(threads) is true, or C(-p)/C(-T) is in O(ss_args)
          type: list
          elements: dict
          sample: [{"name": "sshd", "pid": 812, "fd": 3}]
        timer:
          description:
            - The socket's running timer as C(ss -o) names it (V(on) for retransmit or probe, V(keepalive),
              V(timewait), V(persist), V(delack)), or null when none runs. Inet sockets only.
          returned: when O(timers=true) or C(-o) is in O(ss_args)
          type: str
        timer_expires_ms:
          description: Milliseconds until the timer fires (null when no timer runs).
          returned: when O(timers=true) or C(-o) is in O(ss_args)
          type: int
        timer_retrans:
          description: Retransmissions or probes sent so far (the third field of the C(timer:) that C(ss -o) prints).
          returned: when O(timers=true) or C(-o) is in O(ss_args)
          type: int
    socket_stats:
      description: The kernel's socket statistics as C(ss -s) prints them.
      returned: when O(summary=true) or C(-s) is in O(ss_args)
      type: dict
      sample: {"total": 9, "tcp": {"total": 1, "estab": 0, "closed": 0, "orphaned": 0, "timewait": 0},
               "transport": {"raw": {"total": 0, "ipv4": 0, "ipv6": 0}, "udp": {"total": 0, "ipv4": 0, "ipv6": 0},
                             "tcp": {"total": 1, "ipv4": 1, "ipv6": 0}, "inet": {"total": 1, "ipv4": 1, "ipv6": 0},
                             "frag": {"total": 0, "ipv4": 0, "ipv6": 0}}}
    socket_summary:
      description: Counts of the listed sockets.
      type: dict
      returned: always
      sample: {"total": 3, "by_netid": {"tcp": 3}, "by_state": {"ESTAB": 2, "LISTEN": 1}, "by_netid_state": {"tcp": {"ESTAB": 2, "LISTEN": 1}}}
lines:
  description: The listing as C(ss -n) prints it (column padding may differ), header first.
  returned: when O(lines=true)
  type: list
  elements: str
  sample: ["State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process", "LISTEN 0      128          0.0.0.0:22        0.0.0.0:*"]
unsupported_tables:
  description: Selected tables that this kernel or this collection version cannot list (they are skipped).
  returned: always
  type: list
  elements: str
  sample: [sctp, dccp]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdiag.ss.plugins.module_utils._errors import SocketToolError
from ansible_collections.netdiag.ss.plugins.module_utils._facts import (
    RECORD_FIELDS, SELECTION_ARGSPEC, build_query, gather, parse_filter, select_fields, summarize,
)
from ansible_collections.netdiag.ss.plugins.module_utils._netns import enter
from ansible_collections.netdiag.ss.plugins.module_utils._render import render
from ansible_collections.netdiag.ss.plugins.module_utils._summary import read_summary, summary_lines


def main():
    argument_spec = dict(SELECTION_ARGSPEC)
    argument_spec.update(
        resolve=dict(type='bool'),
        processes=dict(type='bool'),
        threads=dict(type='bool'),
        timers=dict(type='bool'),
        summary=dict(type='bool'),
        fields=dict(type='list', elements='str', choices=list(RECORD_FIELDS)),
        lines=dict(type='bool', default=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        query = build_query(module.params)
        if query.netns:
            enter(query.netns)
        parse_filter(query)
        for warning in query.warnings:
            module.warn(warning)
        facts = {}
        lines = []
        if query.summary:
            # read before any socket of ours exists, as ss does
            facts['socket_stats'] = read_summary()
            lines = summary_lines(facts['socket_stats'])
        records, unsupported = [], []
        if not query.summary_only():
            records, unsupported = gather(query, warn=module.warn, kernel_filter=module.params['kernel_filter'])
            lines += render(records, show_netid=len(query.dbs) > 1, show_state=bool(query.states & (query.states - 1)),
                            header=query.header, show_process=query.processes or query.threads,
                            resolve=query.resolve, services=query.resolve and not query.numeric)
        result = dict(changed=False, unsupported_tables=unsupported)
        if module.params['lines']:
            result['lines'] = lines
        facts['socket_summary'] = summarize(records)
        facts['sockets'] = select_fields(records, module.params['fields'])
    except SocketToolError as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg='cannot read sockets from the kernel: %s; sock_diag needs Linux, and root for '
                             'some tables and for other namespaces' % exc)
    result['ansible_facts'] = facts
    module.exit_json(**result)


if __name__ == '__main__':
    main()
