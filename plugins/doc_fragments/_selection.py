# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
# Keep in sync with selection_argspec() and details_argspec() in plugins/module_utils/_argspec.py
# (tests/unit/plugins/doc_fragments/test__selection.py checks that they agree).

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  ss_args:
    description:
      - An C(ss) command line, everything you would type after C(ss), for example V(-tlnp) or
        V(-a -t state established).
      - Options are spelled as C(ss) spells them, short or long, bundled short options included
        (V(-tuna), V(--tcp --listening), V(-A all,!tcp), V(-f inet6)); they may appear anywhere, as with GNU getopt.
      - State words (V(state established), V(exclude listening), groups such as V(connected) or V(bucket)) are read
        right after the options, as C(ss) reads them.
      - Selects exactly the sockets C(ss) would list with the same arguments, with C(ss)'s defaults when nothing is
        given (TCP, UDP, unix, MPTCP and the other tables in the C(connected) states, as plain C(ss) shows).
      - A filter expression may follow, quoted as in a shell, for example
        V(-o state established '( dport = :ssh or sport = :ssh \)'); C(-F FILE) reads one from a file.
        See O(filter).
      - C(-E) (with the C(events) option, how many seconds to listen) and C(-D FILE) (the C(dump_file) option) are
        taken by M(netdiag.ss.socket_facts) only, and refused by the other modules. C(-K) is refused everywhere,
        since closing is what M(netdiag.ss.socket_kill) does and the other modules never close sockets.
    type: str
  tables:
    description:
      - Socket tables to list, like C(ss -A). Names and groups as C(ss) knows them
        (V(all), V(inet), V(tcp), V(udp), V(mptcp), V(raw), V(unix), V(unix_stream) or V(u_str), V(unix_dgram),
        V(unix_seqpacket), V(packet), V(netlink), V(vsock), V(tipc), V(xdp), ...); V(!name) removes a table.
      - Adds to the tables that O(ss_args) selects.
    type: list
    elements: str
  families:
    description:
      - Address families to list, like C(ss -f), among V(inet), V(inet6), V(unix), V(link), V(netlink), V(vsock),
        V(tipc), V(xdp). Adds to the families that O(ss_args) selects.
      - V(inet) and V(inet6) together list both, in any order (C(ss -f inet -f inet6) lists only the last one given).
    type: list
    elements: str
  listening:
    description:
      - List only listening (and unconnected) sockets, like C(ss -l).
      - Contradicts O(all), O(states), and C(-a), C(-l) or state words in O(ss_args).
    type: bool
  all:
    description:
      - List sockets in every state, like C(ss -a).
      - Contradicts O(listening), O(states), and C(-a), C(-l) or state words in O(ss_args).
    type: bool
  states:
    description:
      - State names and groups to list, like C(ss state NAME) repeated, among V(established), V(syn-sent),
        V(syn-recv), V(fin-wait-1), V(fin-wait-2), V(time-wait), V(closed), V(close-wait), V(last-ack),
        V(listening), V(closing), V(all), V(connected), V(synchronized), V(bucket), V(big).
    type: list
    elements: str
  exclude_states:
    description:
      - State names and groups to leave out, like C(ss exclude NAME) repeated (applied after O(states)).
    type: list
    elements: str
  filter:
    description:
      - An C(ss) filter, as typed after C(ss) and its options - state words, then the expression - for example
        V(( dport = :ssh or sport = :ssh \)), V(src 10.0.0.0/8 and not dport = :443) or
        V(state listening sport = :23). State words here (C(state NAME), C(exclude NAME)) choose the states as
        O(states) and O(exclude_states) do.
      - The whole C(ss) language (C(src dst sport dport dev fwmark cgroup autobound), every operator spelling,
        parentheses, C(not)). C(and) and C(or) have equal precedence and are read left to right, as C(ss)
        does; a warning says so when they are mixed without parentheses.
      - Where the kernel can evaluate it, the expression is compiled to sock_diag bytecode, so sockets that do not
        match never reach Python; the rest is checked in user space.
      - Words are split at spaces and TABs, as C(ss) splits them; a line break inside the filter is an error (write
        it on one line, or as a folded YAML block C(>)).
      - An expression here contradicts an expression in O(ss_args); give it once. State words alone go with one.
      - See C(docs/filter-language.md) in the collection for the grammar and the differences from C(ss).
    type: str
  filter_file:
    description:
      - A file on the managed host holding a filter expression, read as C(ss -F FILE) reads it (lines starting
        with C(#) are comments). Its words come after those of O(ss_args) or O(filter).
      - It must be a regular file of at most 1 MiB in UTF-8; a FIFO or a device is refused without being read.
        C(-) (standard input for C(ss -F -)) is refused, since a module's standard input comes from Ansible.
    type: path
  kernel_filter:
    description:
      - Compile the filter to kernel bytecode where possible (the default, and what C(ss) does).
      - With V(false) every socket of the selected tables is read and the kernel's part of the filter is run in
        Python, which selects the same sockets more slowly; meant for troubleshooting. An expression with
        C(autobound) still goes to the kernel, whose test (port not explicitly bound) cannot be made in user space.
    type: bool
    default: true
  netns:
    description:
      - Name of a network namespace (as created by C(ip netns add)) to list sockets in, like C(ss -N NAME).
      - A missing namespace is an error; it is never created.
    type: str
  source:
    description:
      - Where sockets are read from.
      - V(netlink) reads the kernel's sock_diag interface (C(NETLINK_SOCK_DIAG)) only; a table it has no handler for
        is named in C(unsupported_tables) (M(netdiag.ss.socket_facts)).
      - V(proc) reads the C(/proc/net) text files only (C(tcp), C(tcp6), C(udp), C(udp6), C(raw), C(raw6), C(unix),
        C(packet), C(netlink)), as C(ss) reads them when it has no sock_diag. MPTCP, SCTP, DCCP, vsock, tipc and xdp
        have no file there and are unsupported. What the files do not tell is null in the records (the cookie, the
        details, and per table some queues, peers and interfaces; see C(docs/socket_facts.md)), and the filter runs
        in user space only, with marks, cgroups and bound devices of inet sockets read as 0, as C(ss) does.
        C(-E) and C(-D) need sock_diag and are refused; M(netdiag.ss.socket_kill) refuses V(proc), because closing a
        socket needs the identity sock_diag reports for it.
      - V(auto) reads sock_diag, and C(/proc/net) where sock_diag cannot be used, with a warning. When the sock_diag
        socket cannot be opened or the first dump is refused (C(EPROTONOSUPPORT), C(EAFNOSUPPORT), C(EACCES),
        C(EPERM) and the like, as in gVisor, WSL 1 or a sandbox that forbids it), every table that has a file is read
        from C(/proc/net) and the warning says why and which. When the kernel has no sock_diag handler for one table
        (raw sockets on kernels without raw sock_diag), that table is read from C(/proc/net), as C(ss) does, with a
        warning when the table was asked for by name. M(netdiag.ss.socket_facts) names the tables read from
        C(/proc/net) in C(proc_tables).
    type: str
    choices: [auto, netlink, proc]
    default: auto
"""

    # Options that say what to show of each selected socket.
    DETAILS = r"""
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
  extended:
    description:
      - Add the details C(ss -e) prints as RV(ansible_facts.sockets[].extended) (mark, cgroup id, v6only, shutdown
        state; unix file identity and pending connections; packet, netlink and xdp details), like C(-e).
      - As with C(ss), it also shows the timers (O(timers)).
    type: bool
  memory:
    description:
      - Add the socket's memory use as RV(ansible_facts.sockets[].skmem), like C(ss -m).
    type: bool
  info:
    description:
      - Add protocol information as RV(ansible_facts.sockets[].info), like C(ss -i) (C(struct tcp_info), the
        congestion control and its state, the rates C(ss) derives; MPTCP, SCTP and TIPC information).
    type: bool
  tos:
    description:
      - Add the type of service, traffic class and class id as RV(ansible_facts.sockets[].tos), like C(ss --tos).
    type: bool
  cgroup:
    description:
      - Add the socket's cgroup path as RV(ansible_facts.sockets[].cgroup), like C(ss --cgroup).
    type: bool
  inet_sockopt:
    description:
      - Add the inet socket options that are set as RV(ansible_facts.sockets[].sockopt), like C(ss --inet-sockopt).
    type: bool
  bpf:
    description:
      - Add the classic BPF filter of packet sockets as RV(ansible_facts.sockets[].bpf), like C(ss -b). Implies O(timers).
    type: bool
  context:
    description:
      - Add each holder's SELinux context, like C(ss -Z). Implies O(processes).
      - Where SELinux is not enabled the contexts are null and a warning says so (C(ss) fails there instead).
    type: bool
  contexts:
    description:
      - Like O(context), and add each socket's own SELinux context, like C(ss -z).
    type: bool
  tipcinfo:
    description:
      - Add TIPC socket details (type, congestion, drops, publications, the service name a connection reached) as
        RV(ansible_facts.sockets[].tipc_info) of the TIPC records, like C(ss --tipcinfo).
    type: bool
  oneline:
    description:
      - Print each socket's details on its own line in RV(lines), like C(ss -O), instead of on a second line.
    type: bool
"""
