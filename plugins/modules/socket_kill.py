#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: socket_kill
short_description: Close sockets like C(ss -K), safely
version_added: 0.1.0
description:
  - Closes the sockets of the managed host (or of one of its network namespaces) that a selection picks, as
    C(ss -K) does; the selection is exactly that of M(netdiag.ss.socket_facts) for the same arguments, with the same
    default states as C(ss -K) (without state words, listeners and TIME-WAIT sockets are not selected).
  - Each socket is closed with C(SOCK_DESTROY) addressed by the identity the kernel reported for it in the dump (its
    addresses, ports, interface and cookie), never by a second, looser selection. The application holding it sees
    C(ECONNABORTED) and, for TCP, its peer C(ECONNRESET).
  - "Guard rails: a selection without a filter is refused unless O(allow_unfiltered=true) when it has no state words,
    or states that select, in one of the selected tables, at least what none select there (C(-a), C(state all),
    C(exclude listening), C(connected); for UDP and raw, whose sockets are only connected or not, also
    C(state established), so C(-u state established) and C(-tu state established) are refused);
    when more than O(max_kill) sockets match (a listener counting the connections waiting in its accept queue),
    nothing is closed and the task fails; the connection Ansible itself uses is never closed, nor its other end when
    both ends are on this host (O(protect_connection)); listeners are closed only when the states name them
    (C(state listening), C(-l), O(listening=true)); a raw socket is closed only when no other raw socket of its
    protocol could be taken for it (the kernel finds raw sockets by protocol and addresses, not by cookie)."
  - The kernel closes inet sockets only (TCP, UDP and raw; not MPTCP, SCTP or DCCP on current kernels); any other socket
    selected is reported in RV(not_closed) with the reason, and nothing is sent for it.
  - The task fails when a selected socket could not be closed (RV(not_closed) other than V(ENOENT) for a socket that
    was gone already), after closing every other one; RV(killed) and RV(not_closed) say which. A socket the kernel
    answers V(ENOENT) for but a fresh read still finds (one of a C(SO_REUSEPORT) group, which the kernel looks up by
    its addresses) counts as not closed. An error of the netlink socket partway stops the closing; the sockets closed
    before it are in RV(killed), the others in RV(not_closed).
  - O(ss_args) options of other modes (C(-E), C(-D)) are refused; this module selects and closes. C(-K) is not
    needed (it is what this module does) and is refused with a message that says so.
  - Running it again with the same selection closes nothing more, and reports no change, with one exception the
    kernel makes. A UDP socket whose application bound its port stays bound after it is aborted (its application gets
    C(ECONNABORTED)) until the application closes it; it is reported in RV(aborted), and a second run aborts it again.
author:
  - netdiag.ss developers (@netdiag)
extends_documentation_fragment:
  - netdiag.ss._attributes
  - netdiag.ss._selection
attributes:
  check_mode:
    support: full
    details:
      - Closes nothing and reports what a run would report. RV(killed) lists what would be closed; RV(aborted) the UDP
        sockets the kernel would only abort, those bound to a port it cannot have chosen itself (outside
        C(net.ipv4.ip_local_port_range) or reserved); RV(maybe_aborted) the UDP sockets with a port inside that range,
        which a run reports in RV(killed) when the kernel chose the port (C(connect) or C(sendto) without C(bind)) and
        in RV(aborted) when the application bound it, which no socket listing tells.
      - Without the privilege to close sockets, every socket is in RV(not_closed) with V(EPERM) and the task fails, as
        a run would.
  diff_mode:
    support: full
    details: The selected sockets before and the survivors after, as C(ss) lines.
options:
  allow_unfiltered:
    description:
      - Allow a selection with no filter and no state words, which closes every socket of the selected tables in
        C(ss)'s default states, or with states that narrow nothing in one of its tables (C(-a), C(state all),
        C(exclude listening), C(connected); C(established) for UDP and raw).
    type: bool
    default: false
  max_kill:
    description:
      - The most sockets one run may close (0 or more), counting for each listener to close the connections waiting in
        its accept queue (its C(Recv-Q)), which the kernel resets when it closes the listener, as with C(ss -K). When
        more match, nothing is closed and the task fails, showing the count and the first matches as C(ss) lines.
      - Connections still in their handshake (C(SYN-RECV)) are dropped with their listener too, and are not counted.
    type: int
    default: 10
  protect_connection:
    description:
      - Never close the connection Ansible uses; it is reported in RV(protected). It is found twice over, from
        C(SSH_CONNECTION) in both directions and as the sockets the processes this module runs under hold (up to,
        not including, pid 1). Under ssh, sshd's session processes are among them and hold the connection, also
        where C(become) through sudo left no C(SSH_CONNECTION) in the environment.
      - The other end of such a connection is protected too, when it is in the same network namespace (the controller
        on the managed host itself), since closing either end resets the connection.
      - Under C(async) the module runs detached from those processes; without C(SSH_CONNECTION) (C(become) resets it)
        the connection cannot be found, and when the selection can hold TCP connections of the module's own network
        namespace the task fails before anything is read. A C(become) method that starts the
        module through systemd (C(machinectl), C(run0)) detaches it the same way and is not covered; use sudo or su.
    type: bool
    default: true
notes:
  - Closing sockets needs CAP_NET_ADMIN in the user namespace that owns the network namespace (run as root,
    C(become=true)). It is read from the process's capabilities before anything is sent (the kernel checks it only
    after it found the socket); without it every socket fails with C(EPERM), nothing is sent and nothing changes, in
    check mode too. Root of another user namespace (a rootless container on the host's network) does not have it.
  - See C(docs/socket_kill.md) in the collection for how to preview what would be closed.
seealso:
  - module: netdiag.ss.socket_facts
  - name: ss(8)
    description: The ss manual page (option -K).
    link: https://man7.org/linux/man-pages/man8/ss.8.html
"""

EXAMPLES = r"""
---
- name: Preview which connections to the old database would be closed
  netdiag.ss.socket_kill:
    ss_args: -t state established dst 10.0.0.5:5432
  check_mode: true
  diff: true

- name: Close them (at most 50)
  netdiag.ss.socket_kill:
    ss_args: -t state established dst 10.0.0.5:5432
    max_kill: 50

- name: Close stuck CLOSE-WAIT connections of port 8080
  netdiag.ss.socket_kill:
    tables: [tcp]
    states: [close-wait]
    filter: sport = :8080
"""

RETURN = r"""
killed:
  description:
    - The sockets closed (in check mode, those that would be), as socket records of M(netdiag.ss.socket_facts).
  returned: always
  type: list
  elements: dict
maybe_aborted:
  description:
    - Check mode only (empty in a run) - UDP sockets with a port inside C(net.ipv4.ip_local_port_range) that a run
      would close or only abort - closed when the kernel chose the port, aborted and kept bound when the application
      bound it, which the kernel does not report. Counts as a change.
  returned: always
  type: list
  elements: dict
aborted:
  description:
    - Sockets the kernel aborted but did not remove, because their application still holds them bound (UDP sockets
      whose application bound their port); the application got C(ECONNABORTED), a connected one was disconnected, and
      the socket stays until the application closes it (in RV(survivors) when the selection still matches it; a selection by
      its peer no longer does once it is disconnected, so its table is read whole to find it). Counts as a change.
    - In check mode, the UDP sockets bound to a port the kernel cannot have chosen itself (outside
      C(net.ipv4.ip_local_port_range), or reserved), which a run would abort.
  returned: always
  type: list
  elements: dict
not_closed:
  description:
    - Selected sockets that were not closed, each a socket record with C(errno), C(error) (its name, such as V(EPERM),
      V(ENOENT) when it was gone already, V(EOPNOTSUPP) when the kernel cannot close that kind of socket) and
      C(message).
  returned: always
  type: list
  elements: dict
protected:
  description:
    - Selected sockets left open on purpose (the connection Ansible uses and its other end, listeners the states did
      not name), each with its C(reason).
  returned: always
  type: list
  elements: dict
survivors:
  description:
    - The sockets the same selection finds after closing (a fresh read).
    - V(null) when that read failed after sockets were closed (a warning says why); C(changed) and RV(killed) still
      report what was closed.
  returned: always
  type: list
  elements: dict
lines:
  description: The closed sockets as C(ss -K -n) prints them (numeric addresses and ports).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.netdiag.ss.plugins.module_utils._argspec import selection_argspec
from ansible_collections.netdiag.ss.plugins.module_utils._errors import SocketToolError
from ansible_collections.netdiag.ss.plugins.module_utils._kill import (
    DEFAULT_MAX_KILL, KillLimitExceeded, failure_message, kill, kill_request, plan_kill,
)
from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
from ansible_collections.netdiag.ss.plugins.module_utils._request import check_socket_count


def main():
    spec = selection_argspec().update_argspec(
        allow_unfiltered=dict(type='bool', default=False),
        max_kill=dict(type='int', default=DEFAULT_MAX_KILL),
        protect_connection=dict(type='bool', default=True),
    )
    module = spec.create_ansible_module(supports_check_mode=True)
    p = module.params
    try:
        check_socket_count('max_kill', p['max_kill'])
        request = kill_request(p)
        plan = plan_kill(request, p['allow_unfiltered'], p['max_kill'], p['protect_connection'])
        result = kill(plan, check_mode=module.check_mode, diff=module._diff)
    except KillLimitExceeded as exc:
        lines = listing(exc.plan.request, exc.plan.to_kill[:10])
        module.fail_json(msg='%s\n%s' % (exc, '\n'.join(lines)), count=exc.count, lines=lines)
    except SocketToolError as exc:
        module.fail_json(msg=str(exc))
    for warning in list(plan.selection.warnings) + result.pop('warnings', []):
        module.warn(warning)
    message = failure_message(result)
    if message:
        module.fail_json(msg=message, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
