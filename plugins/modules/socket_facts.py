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
  - With O(events) it reports, instead, the TCP and UDP sockets destroyed while it listens (C(ss -E)); with O(dump_file)
    it writes the kernel's raw TCP dump to a file (C(ss -D)); O(from_dump) reads the TCP table from such a file
    (C(TCPDIAG_FILE)).
author:
  - netdiag.ss developers (@netdiag)
extends_documentation_fragment:
  - netdiag.ss._attributes
  - netdiag.ss._attributes.FACTS
  - netdiag.ss._selection
  - netdiag.ss._selection.DETAILS
options:
  fields:
    description:
      - Keep only these keys in each socket record. Large listings cost Ansible time for every value returned,
        so asking only for what you use makes them faster.
    type: list
    elements: str
    choices: [netid, state, recv_q, send_q, local_address, local_port, peer_address, peer_port, interface,
              family, uid, inode, cookie, sctp, processes, timer, timer_expires_ms, timer_retrans, extended, skmem,
              info, tos, cgroup, sockopt, bpf, tipc_info, context]
  lines:
    description:
      - Also return RV(lines), the rows as C(ss -n) prints them, for reading an ad-hoc run.
      - Set to V(false) for very large listings you only process as data.
    type: bool
    default: true
  events:
    description:
      - Listen this many seconds (1 to 3600) for TCP and UDP sockets being destroyed, like C(ss -E), and return them
        in RV(events) instead of listing sockets. The task takes that long. C(-E) in O(ss_args) needs this option too,
        since C(ss -E) listens until it is stopped.
      - Follows the selected tables and families among TCP and UDP, IPv4 and IPv6 (the kernel reports no others).
        Other selected tables are ignored, with a warning when you named them; a selection without TCP or UDP is an
        error.
      - As with C(ss -E), the filter is checked in user space only, and states do not select events (they only decide
        whether RV(lines) has a State column); a socket is destroyed in state C(UNCONN), or C(ESTAB) for a connected
        UDP socket.
      - The kernel sends each socket's addresses, ports, queues and cookie, and for TCP its C(tcp_info) (see O(info));
        its uid and inode are 0, it has no timer and no other details (their keys are null). RV(ansible_facts) is
        returned empty, so socket facts from an earlier listing are kept.
    type: int
  max_events:
    description:
      - With O(events), keep at most this many destroyed sockets. Listening stops at the first one beyond it, and
        RV(events_truncated) is true.
    type: int
    default: 10000
  max_sockets:
    description:
      - List at most this many sockets, the first ones in C(ss)'s order, so that one host with a huge socket table
        cannot swamp the controller. Reading stops at the first selected socket beyond the limit (the kernel's dump
        is abandoned there, and later tables are not read), so memory and time stay bounded by the limit.
      - When more sockets are selected, RV(truncated) is true and a warning says how many were listed;
        RV(ansible_facts.socket_summary) and RV(lines) then count and show the listed ones only.
      - The filter and the states select first; the limit applies to what they keep.
      - Not for O(events) (see O(max_events)) or O(dump_file). M(netdiag.ss.socket_assert) has no such option (its
        counts stay exact), and M(netdiag.ss.socket_kill) has O(netdiag.ss.socket_kill#module:max_kill) instead.
      - By default every selected socket is listed.
    type: int
  dump_file:
    description:
      - Write the kernel's raw answer to the TCP dump to this file on the managed host, in the format C(ss -D FILE)
        writes, and list no sockets (C(-D FILE) in O(ss_args) does the same). RV(dump) says what was written.
      - Sends the requests C(ss -D) sends, in the namespace of O(netns). IPv4 then IPv6 (one of them with C(-4) or
        C(-6)), with the selected states and the attributes O(memory), O(info) and O(tos) ask for. The file holds every
        answer verbatim, each ending with its C(NLMSG_DONE). The TCP table must be selected.
      - A filter expression is refused. C(ss) ignores it with C(-D) although its manual says otherwise; give it to
        O(from_dump) when you read the capture.
      - The file is written at once, as a new file renamed over the old one (which keeps its permissions); a path that
        exists must be a regular file. Reports changed. In check mode the TCP table is read and nothing is written.
      - Read the file with O(from_dump), or with C(TCPDIAG_FILE=FILE ss), which shows only the first (IPv4) dump of it.
    type: path
  from_dump:
    description:
      - Read the TCP table from this capture on the managed host (written by O(dump_file) or C(ss -D FILE)) instead of
        the kernel, like C(TCPDIAG_FILE=FILE ss). Other selected tables are read from the kernel. The TCP table must be
        selected.
      - The filter is checked in user space only, as C(ss) does for a file.
      - Unlike C(ss), every dump in the file is read (C(ss) stops at the first one, so it never shows the IPv6 half of a
        capture), and states and families select sockets as they would on the kernel (C(ss) ignores them for a file).
      - The file must be a regular file of at most 64 MiB. A truncated or corrupt capture is an error that says where.
      - Interface names, cgroups, services and processes are looked up on the managed host, as C(ss) does, so for a
        capture taken on another host only the numbers mean something.
    type: path
attributes:
  check_mode:
    support: full
    details: Only O(dump_file) changes the managed host. In check mode it reads the TCP table, writes nothing and
      reports what it would write.
  diff_mode:
    support: none
notes:
  - Run as root (C(become=true)) to see the processes of other users and sockets' marks.
  - Without root the module lists what the kernel shows that user, as C(ss) run by that user does, and warns once for
    each part that was hidden, with its count. The parts are the processes of other users (C(processes) is V([]) for
    their sockets), marks (C(extended.mark) null) and packet socket filters (C(bpf) V([])). O(netns) needs
    CAP_SYS_ADMIN and C(fwmark) filters CAP_NET_ADMIN; without them the module fails before reading anything.
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

- name: TCP connections to port 443 closed during the next 30 seconds (ss -Et dport = :443)
  netdiag.ss.socket_facts:
    ss_args: -Et dport = :443
    events: 30
  register: closed

- name: Save the TCP table, every state, as ss -D would (ss -D /tmp/tcp.dump -ta)
  netdiag.ss.socket_facts:
    ss_args: -ta
    dump_file: /tmp/tcp.dump

- name: Read it back later, here or on another host, with a filter (TCPDIAG_FILE=/tmp/tcp.dump ss -ta sport = :22)
  netdiag.ss.socket_facts:
    ss_args: -ta sport = :22
    from_dump: /tmp/tcp.dump
"""

RETURN = r"""
ansible_facts:
  description:
    - Facts about the sockets.
    - Empty with O(events) and O(dump_file), which list no sockets, so that the host's socket facts from an earlier
      listing are kept.
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
      returned: when sockets are listed (not with O(events) or O(dump_file))
      contains:
        netid:
          description:
            - Socket table as C(ss) prints it (V(tcp), V(udp), V(raw), V(dccp), V(sctp), V(mptcp), V(u_str), V(u_dgr), V(u_seq),
              V(p_raw), V(p_dgr), V(nl), V(v_str), V(v_dgr), V(ti_st), V(ti_dg), V(ti_rd), V(ti_sq), V(xdp)).
            - V(???) for a vsock or tipc socket of a type C(ss) has no name for (for example a vsock SOCK_SEQPACKET socket,
              which C(ss) 6.1.0 lists with any vsock table).
            - V(raw) for every raw socket. Where the kernel lists raw sockets itself (raw sock_diag), C(ss) prints the name of
              the socket's protocol instead (V(icmp6), V(udp), ..., V(???) for others), and so does RV(lines).
          type: str
          sample: tcp
        state:
          description: State as C(ss) prints it (V(ESTAB), V(LISTEN), V(UNCONN), V(TIME-WAIT), ...).
          type: str
          sample: LISTEN
        recv_q:
          description:
            - Receive queue (for listeners, the accept queue length).
            - Null for unix sockets read from C(/proc/net) (RV(proc_tables)), which has no queues for them.
          type: int
        send_q:
          description:
            - Send queue (for listeners, the backlog).
            - Null for unix sockets and TCP listeners read from C(/proc/net) (RV(proc_tables)), which has neither.
          type: int
        local_address:
          description:
            - Local address as C(ss -n) prints it, without IPv6 brackets and without the C(%dev) suffix (see RV(ansible_facts.sockets[].interface)).
            - V(*) for an IPv6 wildcard that also accepts IPv4, V(::) for an IPv6-only wildcard, V(0.0.0.0) for IPv4.
            - For unix sockets the path, V(@name) for abstract names (each NUL byte shown as V(@), as C(ss) does),
              V(*) when unnamed. Names are kept exact; a byte that is not valid UTF-8 is written C(\xHH), a
              backslash C(\\), a real C(@) in an abstract name (or at the start of a path) C(\x40), and a path
              that is just C(*) is C(\x2a); see C(docs/socket_facts.md) for turning such a name back into bytes.
            - For netlink sockets the protocol number; for packet sockets V(*) (all protocols) or V([N]) (an ethertype).
            - For vsock sockets the CID, V(*) for VMADDR_CID_ANY; for tipc sockets the node address; for xdp sockets the
              interface the socket is bound to, V(*) when unbound.
          type: str
          sample: 0.0.0.0
        local_port:
          description:
            - Local port (0 where C(ss) prints V(*)); for unix sockets the inode; for netlink the port id; for packet the ifindex.
            - For vsock the port, 4294967295 (VMADDR_PORT_ANY) where C(ss) prints V(*); for tipc the port id (socket
              reference); for xdp the queue id (C(ss) prints C(q<id>)), null when unbound.
            - For raw sockets the socket's IP protocol (V(1) for ICMP), which C(ss) prints in the port column.
          type: int
          sample: 22
        peer_address:
          description:
            - Peer address, same rules as RV(ansible_facts.sockets[].local_address); V(*) for unix peers (C(ss) never collects their
              names).
            - For tipc the peer's node when connected, else V(-); for xdp always V(*).
            - Null for netlink sockets read from C(/proc/net) (RV(proc_tables)), which does not say whether they are
              connected.
          type: str
        peer_port:
          description:
            - Peer port (0 where C(ss) prints V(*)); for unix sockets the peer's inode (0 if none); null where C(ss) prints nothing.
            - For vsock 4294967295 (VMADDR_PORT_ANY) where C(ss) prints V(*); for tipc the peer's port id, null when not
              connected; null for xdp.
            - Null for unix, raw and netlink sockets read from C(/proc/net) (RV(proc_tables)), which does not have it.
          type: int
        interface:
          description:
            - The device the socket is bound to (C(%dev) in C(ss)'s address column), or null.
            - Always null for TCP, UDP and raw sockets read from C(/proc/net) (RV(proc_tables)), which does not have it.
          type: str
        family:
          description: V(inet), V(inet6), V(unix), V(link), V(netlink), V(vsock), V(tipc) or V(xdp).
          type: str
        uid:
          description: Owner's user id (null where the kernel does not tell, as for netlink and vsock sockets, and for unix
            sockets read from C(/proc/net)).
          type: int
        inode:
          description: Socket inode (0 for TIME-WAIT and request sockets).
          type: int
        cookie:
          description:
            - The kernel's 64-bit socket cookie (C(sk:) in C(ss -e), as an integer).
            - Null for sockets read from C(/proc/net) (RV(proc_tables), see O(source)), which has no cookie; their detail
              keys are null too.
          type: int
        sctp:
          description:
            - "SCTP only: C(endpoint), null for an endpoint (a socket), for an association the inode of the endpoint it belongs to
              (the row C(ss) lists it under, as C(`- STATE)); C(locals) and C(peers), the addresses the kernel gives
              (C(locals:) and C(peers:) of C(ss -i) and C(ss -m)), null when it gives none (C(peers) for endpoints)."
            - The C(state) of an association is its SCTP state as C(ss) names it (V(COOKIE_WAIT), V(COOKIE_ECHOED), V(ESTAB),
              V(SHUTDOWN_PENDING), V(SHUTDOWN_SENT), V(SHUTDOWN_RECEIVED), V(ACK_SENT), V(CLOSED)).
          returned: for sctp sockets
          type: dict
          sample: {"endpoint": 4242, "locals": ["192.0.2.1", "198.51.100.1"], "peers": ["192.0.2.2"]}
        processes:
          description: Holders of the socket as C(ss -p) lists them.
          returned: when O(processes) or O(threads) is true, or C(-p)/C(-T) is in O(ss_args)
          type: list
          elements: dict
          sample: [{"name": "sshd", "pid": 812, "fd": 3}]
          contains:
            name:
              description: The task name (C(comm)), in the same exact text form as unix socket names.
              type: str
            pid:
              description: Process id.
              type: int
            fd:
              description: File descriptor number of the socket in that process.
              type: int
            tid:
              description: Thread id.
              returned: with O(threads) or C(-T)
              type: int
            context:
              description: The process's SELinux context (null where SELinux is not enabled).
              returned: with O(context) or C(-Z)
              type: str
            socket_context:
              description: The socket's SELinux context (null where SELinux is not enabled).
              returned: with O(contexts) or C(-z)
              type: str
        timer:
          description:
            - The socket's running timer as C(ss -o) names it (V(on) for retransmit or probe, V(keepalive),
              V(timewait), V(persist), V(delack); V(T3_RTX) for SCTP associations), or null when none runs. Inet sockets only.
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
        extended:
          description:
            - What C(ss -e) shows, by family (null for families it shows nothing for). Base fields such as RV(ansible_facts.sockets[].uid),
              RV(ansible_facts.sockets[].inode) and RV(ansible_facts.sockets[].cookie) stay where they are.
            - "inet: C(mark) (null without CAP_NET_ADMIN), C(cgroup_id), C(cgroup) (its path, as C(ss) prints it),
              C(v6only) (IPv6 sockets that are listening or not connected, as C(ss) prints it), C(shutdown) (C(<->) open, C(-->) receive side shut,
              C(<--) send side shut, C(---) both; null for TIME-WAIT and request sockets)."
            - "unix: C(shutdown), C(vfs) (C(inode), C(dev_major), C(dev_minor) of the socket file, null when unnamed), C(icons)
              (inodes of connections waiting to be accepted, for listeners)."
            - "packet: C(version), C(copy_thresh), C(tstamp), C(flags) (running, auxdata, origdev, vnethdr, loss), C(ring_rx) and
              C(ring_tx) (C(block_size), C(block_nr), C(frame_size), C(frame_nr), C(retire_tmo), C(sizeof_priv), C(features)),
              C(fanout) (C(id), C(type))."
            - "netlink: C(groups) (the first word of the multicast group bitmap)."
            - "tipc: an empty dict (C(ss -e) shows only the uid, inode and cookie). vsock: null (C(ss -e) shows nothing)."
            - "xdp: C(ring_rx), C(ring_tx), C(ring_fill), C(ring_completion) (each C(entries), or null), C(umem) (C(id), C(size),
              C(num_pages), C(chunk_size), C(headroom), C(ifindex), C(queue_id), C(zerocopy), C(refs)), C(stats) (C(rx_dropped),
              C(rx_invalid), C(rx_full), C(fill_ring_empty), C(tx_invalid), C(tx_ring_empty))."
          returned: when O(extended=true) or C(-e) is in O(ss_args)
          type: dict
          sample: {"mark": 0, "cgroup_id": 1, "cgroup": "/", "v6only": null, "shutdown": "<->"}
        skmem:
          description:
            - The socket's memory (C(struct sk_meminfo), C(ss -m)'s C(skmem:(r,rb,t,tb,f,w,o,bl,d))), in bytes, but for
              C(drops), a count of packets; null where the kernel gives none.
          returned: when O(memory=true) or C(-m) is in O(ss_args)
          type: dict
          sample: {"rmem_alloc": 0, "rcvbuf": 131072, "wmem_alloc": 0, "sndbuf": 16384, "fwd_alloc": 0, "wmem_queued": 0,
                   "optmem": 0, "backlog": 0, "drops": 0}
        info:
          description:
            - What C(ss -i) shows, as data (see C(docs/socket_facts.md) for every key); null where the kernel gives none.
          returned: when O(info=true) or C(-i) is in O(ss_args)
          type: dict
        tos:
          description: The type of service (C(tos)), the IPv6 traffic class (C(tclass)) and the class id (C(class_id), the
            net_cls class or else the socket priority), as C(ss --tos) prints them; null for other than inet sockets.
          returned: when O(tos=true) or C(--tos) is in O(ss_args)
          type: dict
          sample: {"tos": 0, "tclass": null, "class_id": 0}
        cgroup:
          description: The socket's cgroup, as a path relative to the cgroup2 mount (C(/) for the root), or
            C(unreachable:<hex id>); null for other than inet sockets.
          returned: when O(cgroup=true) or C(--cgroup) is in O(ss_args)
          type: str
          sample: /system.slice/sshd.service
        sockopt:
          description: The inet socket options that are set, as C(ss --inet-sockopt) names them; null for other than inet
            sockets.
          returned: when O(inet_sockopt=true) or C(--inet-sockopt) is in O(ss_args)
          type: list
          elements: str
          sample: [is_icsk, mc_loop, mc_all]
        bpf:
          description: The classic BPF filter of a packet socket, one C([code, jt, jf, k]) per instruction, as C(ss -b)
            shows it; an empty list when the caller may not see it; null when there is none.
          returned: when O(bpf=true) or C(-b) is in O(ss_args)
          type: list
          elements: list
          sample: [[6, 0, 0, 0]]
        tipc_info:
          description:
            - TIPC socket details as C(ss --tipcinfo) shows them; null for other sockets.
            - C(type) (V(STREAM), V(DGRAM), V(RDM), V(SEQPACKET) or V(UNKNOWN)), C(cong) (the congestion the socket waits
              on, V(link), V(conn) or V(none)), C(drop) (messages dropped), C(publ) (true when the socket has published names),
              C(via) (C(type) and C(inst) of the service name a connected socket reached, or null).
          returned: when O(tipcinfo=true) or C(--tipcinfo) is in O(ss_args)
          type: dict
          sample: {"type": "STREAM", "cong": "none", "drop": 0, "publ": false, "via": {"type": 1000, "inst": 1}}
        context:
          description:
            - For netlink sockets, the SELinux context C(ss -Z) shows as C(proc_ctx) (the process the port id names, or the
              kernel's); null for other sockets (their holders carry theirs) and where SELinux is not enabled.
          returned: when O(context=true) or O(contexts=true), or C(-Z)/C(-z) is in O(ss_args)
          type: str
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
      returned: when sockets are listed (not with O(events) or O(dump_file))
      sample: {"total": 3, "by_netid": {"tcp": 3}, "by_state": {"ESTAB": 2, "LISTEN": 1}, "by_netid_state": {"tcp": {"ESTAB": 2, "LISTEN": 1}}}
lines:
  description:
    - The listing as C(ss -n) prints it (column padding may differ), header first.
    - With O(events), the header and a row per destroyed socket, as C(ss -E) prints them. With O(dump_file), empty
      (C(ss -D) prints nothing).
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
proc_tables:
  description:
    - Selected tables that were read from the C(/proc/net) text files instead of the kernel's sock_diag interface
      (every table read with O(source=proc); with O(source=auto) those sock_diag could not list, see O(source)).
    - Their records have null where C(/proc/net) cannot tell (RV(ansible_facts.sockets[].cookie), the details, and per
      table some queues, peers and interfaces; C(docs/socket_facts.md) lists them).
  returned: always
  type: list
  elements: str
  sample: [raw]
truncated:
  description:
    - True when more sockets were selected than O(max_sockets) allows; the first O(max_sockets) are listed.
  returned: when sockets are listed (not with O(events) or O(dump_file))
  type: bool
  sample: false
events:
  description:
    - The TCP and UDP sockets destroyed while the module listened, in the order the kernel reported them, each a
      record with the keys of RV(ansible_facts.sockets) (only those in O(fields) when it is set).
    - Values are the kernel's at destruction. RV(ansible_facts.sockets[].state) is V(UNCONN) (V(ESTAB) for a
      connected UDP socket); C(uid) and C(inode) are 0; C(send_q) of a UDP socket is V(-1), as C(ss -E) prints it.
  returned: when O(events) is set
  type: list
  elements: dict
  sample: [{"netid": "tcp", "state": "UNCONN", "recv_q": 0, "send_q": 0, "local_address": "127.0.0.1",
            "local_port": 5599, "peer_address": "127.0.0.1", "peer_port": 54344, "interface": null, "family": "inet",
            "uid": 0, "inode": 0, "cookie": 15197}]
events_truncated:
  description:
    - True when RV(events) is incomplete. Either more than O(max_events) sockets were destroyed (listening stopped at
      the first one beyond it), or the kernel dropped events because they came faster than they were read. A warning
      says which.
  returned: when O(events) is set
  type: bool
dump:
  description: What O(dump_file) wrote, or in check mode would write.
  returned: when O(dump_file) is set or C(-D) is in O(ss_args)
  type: dict
  contains:
    path:
      description: The file, as given.
      type: str
    written:
      description: Whether the file was written (false in check mode).
      type: bool
    bytes:
      description: Size of the capture.
      type: int
    messages:
      description: Netlink messages in it, the C(NLMSG_DONE) ending each dump included.
      type: int
    sockets:
      description: Sockets in it.
      type: int
    families:
      description: The dumps it holds, in order (V(inet), V(inet6)).
      type: list
      elements: str
  sample: {"path": "/tmp/tcp.dump", "written": true, "bytes": 1240, "messages": 13, "sockets": 11,
           "families": ["inet", "inet6"]}
"""

from ansible_collections.netdiag.ss.plugins.module_utils._argspec import details_argspec, selection_argspec
from ansible_collections.netdiag.ss.plugins.module_utils._errors import SocketToolError
from ansible_collections.netdiag.ss.plugins.module_utils._facts import module_result
from ansible_collections.netdiag.ss.plugins.module_utils._request import DEFAULT_MAX_EVENTS, build_request
from ansible_collections.netdiag.ss.plugins.module_utils._schema import RECORD_FIELDS


def main():
    spec = selection_argspec().merge(details_argspec()).update_argspec(
        fields=dict(type='list', elements='str', choices=list(RECORD_FIELDS)),
        lines=dict(type='bool', default=True),
        events=dict(type='int'),
        max_events=dict(type='int', default=DEFAULT_MAX_EVENTS),
        max_sockets=dict(type='int'),
        dump_file=dict(type='path'),
        from_dump=dict(type='path'),
    )
    module = spec.create_ansible_module(supports_check_mode=True)
    try:
        request = build_request(module.params)
        result, warnings = module_result(request, module.params['fields'], module.params['lines'], module.check_mode)
    except SocketToolError as exc:
        module.fail_json(msg=str(exc))
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
