# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Closing sockets like ss -K, with guard rails (netdiag.ss.socket_kill).

plan_kill() selects exactly what socket_facts selects for the same request,
with each socket's kernel identity, and sorts the sockets into those to
close, those protected (the connection Ansible itself uses, and listeners
the states did not name), and those the kernel cannot close (not inet).
It refuses an unfiltered selection and more sockets than max_kill before
anything is closed. kill() then sends one SOCK_DESTROY per socket, each
addressed by the identity the dump returned (never a second, looser
selection), and reads the selection again to report the survivors.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import INET_DIAG_REQ_PROTOCOL, INET_REQ
from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, NetlinkError, SocketToolError, strerror
from ansible_collections.netdiag.ss.plugins.module_utils._procs import ancestor_holders
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID, select_fields
from ansible_collections.netdiag.ss.plugins.module_utils._select import select
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, INET_PROTOCOLS, SS_ALL, SS_CONN

DEFAULT_MAX_KILL = 10
_SOCKID_TAIL = struct.Struct('=III')     # idiag_if, idiag_cookie[2]
_RAW = INET_PROTOCOLS['raw']
_TCP = INET_PROTOCOLS['tcp']
_TABLE_OF = dict((number, name) for name, number in INET_PROTOCOLS.items())
_MESSAGES = {
    errno.EPERM: 'not permitted: closing sockets needs CAP_NET_ADMIN in the namespace (run as root, become: true)',
    errno.ENOENT: 'gone already: the socket was closed (or replaced) before it could be',
    errno.EOPNOTSUPP: 'the kernel cannot close sockets of this protocol',
    errno.EINVAL: 'the kernel refused to close it (EINVAL): a TCP subflow of an MPTCP socket, such as the listener an '
                  'MPTCP listening socket shows in the TCP table, cannot be closed on its own',
}


# ENOENT for a socket the second read still finds: the kernel looks a UDP (or raw) socket up by its addresses and
# then checks the cookie, so in a SO_REUSEPORT group it can find another member first
_STILL_THERE = ('not closed, and still there: the kernel looks the socket up by its addresses, found another socket '
                'with the same addresses (a SO_REUSEPORT group) and refused it for its cookie (ENOENT)')


def failures(result):
    """The not_closed entries of a kill() result that are failures: all but the sockets that were gone already."""
    return [r for r in result['not_closed'] if r['errno'] != errno.ENOENT or r['message'] == _STILL_THERE]


class KillPlan(object):
    """What a kill would do: to_kill, protected and cannot lists of records (with their SockId)."""

    def __init__(self, request, selection):
        self.request = request
        self.selection = selection
        self.to_kill = []
        self.protected = []
        self.cannot = []


def ssh_connection(environ=None):
    """The (client address, client port, server address, server port) Ansible's ssh connection uses, or None."""
    text = (environ if environ is not None else os.environ).get('SSH_CONNECTION', '')
    parts = text.split()
    if len(parts) != 4:
        return None
    try:
        return (_addr(parts[0]), int(parts[1]), _addr(parts[2]), int(parts[3]))
    except ValueError:
        return None


def _addr(text):
    """An address for comparing: IPv4 for a v4-mapped IPv6 address, no zone, no wildcards."""
    addr = ipaddress.ip_address(text.split('%', 1)[0])
    if addr.version == 6 and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _is_connection(rec, conn):
    if rec['family'] not in ('inet', 'inet6') or rec['netid'] not in ('tcp', 'mptcp') or conn is None:
        return False
    try:
        local = (_addr(rec['local_address']), rec['local_port'])
        peer = (_addr(rec['peer_address']), rec['peer_port'])
    except ValueError:
        return False
    client, server = (conn[0], conn[1]), (conn[2], conn[3])
    return (local, peer) in ((server, client), (client, server))


# tables whose sock_diag handler (mptcp_diag, sctp_diag, dccp_diag) has no destroy: SOCK_DESTROY answers EOPNOTSUPP
_NO_DESTROY = {'mptcp': 'MPTCP', 'sctp': 'SCTP', 'dccp': 'DCCP'}


def listeners_named(request):
    """Whether the request's states name listening sockets explicitly (state listening, -l, listening: true)."""
    return any(word == ('state', 'listening') or word == ('option', '-l') for word in request.state_words)


def plan_kill(request, allow_unfiltered=False, max_kill=DEFAULT_MAX_KILL, protect_connection=True, environ=None,
              held=None):
    """Select and sort the sockets (raises ArgsError for an unfiltered or too large selection, before any close).

    held: {inode: pid} of the selected sockets that processes this module runs under hold (protected), or None to
    look them up (_procs.ancestor_holders).
    """
    if request.source == 'proc':
        raise ArgsError('source: proc cannot close sockets: SOCK_DESTROY names a socket by the identity sock_diag '
                        'reports for it (addresses, ports, bound interface and cookie), and /proc/net has no cookie '
                        'and no interface, so a socket read there could not be told from one that replaced it; use '
                        'source: auto (sockets it has to read from /proc/net are reported in not_closed, nothing is sent '
                        'for them) or netlink')
    if request.filter is None and not allow_unfiltered:
        if not request.state_words:
            raise ArgsError('no filter and no state words: this would close every socket of the selected tables; give '
                            'a filter or states (or allow_unfiltered: true if that is really meant)')
        if request.states & SS_CONN == SS_CONN:
            # all, -a, exclude ..., connected: states that select at least what no state words select narrow nothing
            raise ArgsError('no filter, and the states (%s) select every state ss selects without any: this would close '
                            'every socket of the selected tables; give a filter or narrower states (or '
                            'allow_unfiltered: true if that is really meant)'
                            % ' '.join(word for _kind, word in request.state_words))
    selection = select(request._replace(identity=True))
    plan = KillPlan(request, selection)
    conn = ssh_connection(environ) if protect_connection else None
    if held is None:
        held = ancestor_holders([rec['inode'] for rec in selection.records]) if protect_connection else {}
    listeners = listeners_named(request)
    for rec in selection.records:
        if _is_connection(rec, conn):
            plan.protected.append((rec, 'the connection Ansible uses (SSH_CONNECTION)'))
        elif rec['inode'] in held:
            plan.protected.append((rec, 'held by process %d, which this module runs under (the connection Ansible uses '
                                        'is held so by sshd)' % held[rec['inode']]))
        elif rec['state'] == 'LISTEN' and not listeners:
            plan.protected.append((rec, 'a listener: name listening in the states to close listeners'))
        elif rec[SOCKID].family not in (AF_INET, AF_INET6):
            why = 'the kernel closes only inet sockets (SOCK_DESTROY); this is a %s socket' % rec['family']
            plan.cannot.append((rec, errno.EOPNOTSUPP, why))
        elif rec['netid'] in _NO_DESTROY:
            # (B-34) inet_diag answers EOPNOTSUPP for them; ss -K sends the request and says nothing
            why = 'the kernel cannot close %s sockets: its sock_diag handler for them has no SOCK_DESTROY' \
                % _NO_DESTROY[rec['netid']]
            plan.cannot.append((rec, errno.EOPNOTSUPP, why))
        elif rec[SOCKID].cookie is None:
            # read from /proc/net (_proc_net, source=auto): no cookie to address it by, and no sock_diag for its
            # table (or at all) to close it with (ss -K lists such sockets and closes nothing)
            why = 'this %s socket was read from /proc/net (sock_diag cannot list its table here), so there is no ' \
                'sock_diag identity to close it by' % rec['netid']
            plan.cannot.append((rec, errno.EOPNOTSUPP, why))
        else:
            plan.to_kill.append(rec)
    if any(rec[SOCKID].protocol == _RAW for rec in plan.to_kill):
        _hold_ambiguous_raw(plan)
    if len(plan.to_kill) > max_kill:
        raise KillLimitExceeded(plan, max_kill)
    return plan


def _hold_ambiguous_raw(plan):
    """Move to plan.cannot the raw sockets SOCK_DESTROY could mistake for another.

    raw_diag finds the socket to close by protocol, addresses and interface (raw_v4_match / raw_v6_match), not by
    cookie: the first socket of the protocol whose destination and bound address are blank or equal to those asked,
    and whose device is none or the one asked, is closed. So a raw socket is closed only when no other raw socket
    of its family and protocol would match its identity; every raw socket of the namespace is read for that.
    """
    peers = [rec[SOCKID] for rec in select(_whole(plan.request, ('raw',))).records if rec[SOCKID].cookie is not None]
    keep = []
    for rec in plan.to_kill:
        sid = rec[SOCKID]
        if sid.protocol == _RAW and any(_raw_matches(other, sid) for other in peers if other.cookie != sid.cookie):
            why = ('the kernel closes a raw socket by its protocol and addresses, not its cookie, and another raw '
                   'socket of protocol %d here would match them first or as well: not closed' % sid.sport)
            plan.cannot.append((rec, errno.EOPNOTSUPP, why))
        else:
            keep.append(rec)
    plan.to_kill = keep


def _whole(request, tables):
    """The request for every socket of `tables` (in the request's namespace and families), whatever the filter."""
    return request._replace(tables=tables, explicit_tables=frozenset(), filter=None, filter_words=(), states=SS_ALL,
                            state_words=(), max_sockets=None, identity=True)


def _raw_matches(other, sid):
    """Whether raw_diag's lookup for `sid` could find `other` (same family and protocol; blank fields match)."""
    size = 4 if sid.family == AF_INET else 16
    blank = bytes(size)
    return (other.family == sid.family and other.sport == sid.sport
            and other.dst[:size] in (blank, sid.dst[:size]) and other.src[:size] in (blank, sid.src[:size])
            and other.ifindex in (0, sid.ifindex))


class KillLimitExceeded(ArgsError):
    """More sockets match than max_kill: nothing was closed."""

    def __init__(self, plan, max_kill):
        self.plan = plan
        self.max_kill = max_kill
        super(KillLimitExceeded, self).__init__(
            '%d sockets match, more than max_kill (%d): nothing was closed; narrow the selection or raise max_kill'
            % (len(plan.to_kill), max_kill))


def destroy_request(sid):
    """The inet_diag_req_v2 of a SOCK_DESTROY for one socket identity (and the protocol attribute past 255)."""
    sockid = struct.pack('>HH', sid.sport, sid.dport) + sid.src + sid.dst + \
        _SOCKID_TAIL.pack(sid.ifindex, sid.cookie & 0xffffffff, sid.cookie >> 32)
    # raw sockets: the socket's protocol (their local "port") goes in the pad byte, sdiag_raw_protocol
    payload = INET_REQ.pack(sid.family, sid.protocol & 0xff, 0, sid.sport & 0xff if sid.protocol == _RAW else 0, 0, sockid)
    if sid.protocol > 255:
        payload += nl.rtattr(INET_DIAG_REQ_PROTOCOL, U32.pack(sid.protocol))
    return payload


def probe_destroy(sock):
    """Check that this kernel can close sockets: a SOCK_DESTROY for a socket that cannot exist must say ENOENT."""
    # 0.0.0.0:0 -> 0.0.0.0:0 with no cookie check (INET_DIAG_NOCOOKIE): no socket has that address
    nothing = INET_REQ.pack(AF_INET, INET_PROTOCOLS['tcp'], 0, 0, 0, b'\0' * 36 + _SOCKID_TAIL.pack(0, 0xffffffff, 0xffffffff))
    err = nl.request_ack(sock, nl.SOCK_DESTROY, nothing, 'tcp', seq=1)
    if err == errno.EOPNOTSUPP:
        raise SocketToolError('this kernel cannot close sockets: it was built without CONFIG_INET_DIAG_DESTROY '
                              '(SOCK_DESTROY answers EOPNOTSUPP)')
    if err == errno.EPERM:
        return err          # every close will fail the same way: reported per socket
    return 0


def kill(plan, check_mode=False, diff=False):
    """Close plan.to_kill; return the result dict (killed, aborted, not_closed, protected, survivors, lines, changed; diff if
    asked)."""
    killed, failed, unclosed = [], [], []
    for rec, err, why in plan.cannot:
        failed.append(_failure(rec, err, why))
    if check_mode:
        killed = list(plan.to_kill)
    elif plan.to_kill:
        try:
            sock = nl.open_socket()
        except OSError as exc:
            raise SocketToolError('cannot open a sock_diag socket to close sockets: %s' % exc)
        try:
            try:
                denied = probe_destroy(sock)
            except (NetlinkError, OSError) as exc:      # nothing closed yet
                raise SocketToolError('closing sockets failed: %s' % exc)
            for index, rec in enumerate(plan.to_kill):
                try:
                    err = denied or nl.request_ack(sock, nl.SOCK_DESTROY, destroy_request(rec[SOCKID]), rec['netid'],
                                                   seq=index + 2)
                except (NetlinkError, OSError) as exc:
                    # the sockets closed so far are reported with the rest, as closed; this one and those after it
                    # as not closed
                    why = 'not closed: closing stopped at an error: %s' % exc
                    for left in plan.to_kill[index:]:
                        failed.append(_failure(left, getattr(exc, 'errno', None) or errno.EIO, why))
                        unclosed.append(left)
                    break
                if err == 0:
                    killed.append(rec)
                else:
                    failed.append(_failure(rec, err, _MESSAGES.get(err) or strerror(err)))
                    unclosed.append(rec)
        finally:
            sock.close()
    aborted = []
    if check_mode:
        gone = set(id(r) for r in killed)
        survivors = [r for r in plan.selection.records if id(r) not in gone]
    else:
        survivors = select(plan.request._replace(identity=True)).records if killed or unclosed else plan.selection.records
        # a UDP socket bound to an address keeps it after SOCK_DESTROY (the kernel aborts it: its application gets
        # ECONNABORTED, a connected one is disconnected) until the application closes it
        alive = set(_cookie(r) for r in survivors)
        moved = sorted(set(_TABLE_OF[r[SOCKID].protocol] for r in killed
                           if _cookie(r) not in alive and r[SOCKID].protocol != _TCP))
        if moved:
            # disconnected, it may no longer match a selection by its peer: its tables are read whole for it
            alive.update(_cookie(r) for r in select(_whole(plan.request, tuple(moved))).records)
        aborted = [r for r in killed if _cookie(r) in alive]
        killed = [r for r in killed if _cookie(r) not in alive]
        for entry, rec in zip(failed[len(plan.cannot):], unclosed):
            if entry['errno'] == errno.ENOENT and _cookie(rec) in alive:
                entry['message'] = _STILL_THERE
    request = plan.request
    result = {
        'changed': bool(killed or aborted),
        'killed': select_fields(killed, None),
        'aborted': select_fields(aborted, None),
        'not_closed': failed,
        'protected': [dict(select_fields([rec], None)[0], reason=why) for rec, why in plan.protected],
        'survivors': select_fields(survivors, None),
        'lines': _listing(request, killed + aborted),
    }
    if diff:
        result['diff'] = {'before': '\n'.join(_listing(request, plan.selection.records)) + '\n',
                          'after': '\n'.join(_listing(request, survivors)) + '\n'}
    return result


def _cookie(rec):
    sid = rec[SOCKID]
    return (sid.family, sid.protocol, sid.cookie)


def _failure(rec, err, why):
    out = select_fields([rec], None)[0]
    name = 'EOPNOTSUPP' if err == errno.EOPNOTSUPP else errno.errorcode.get(err, str(err))   # Linux: ENOTSUP is the same number
    out.update(errno=err, error=name, message=why)
    return out


def _listing(request, records):
    from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
    return listing(request, records)


__all__ = ['plan_kill', 'kill', 'failures', 'destroy_request', 'probe_destroy', 'ssh_connection',
           'listeners_named', 'KillPlan', 'KillLimitExceeded', 'DEFAULT_MAX_KILL']
