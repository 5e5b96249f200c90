# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Closing sockets like ss -K, with guard rails (netdiag.ss.socket_kill).

plan_kill() selects exactly what socket_facts selects for the same request,
with each socket's kernel identity, and sorts the sockets into those to
close, those protected (the connection Ansible itself uses, both its ends,
and listeners the states did not name), and those the kernel cannot close
(not inet). It refuses an unfiltered selection and more sockets than
max_kill (a listener counting the connections of its accept queue) before
anything is closed. kill() decides from this process's capabilities
whether the kernel will let it close anything, then sends one SOCK_DESTROY
per socket, each addressed by the identity the dump returned (never a
second, looser selection), and reads the selection again to report the
survivors; in check mode it predicts what a run would report.
"""

from __future__ import annotations

import errno
import fcntl
import ipaddress
import os
import struct

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import U32
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import INET_DIAG_REQ_PROTOCOL, INET_REQ
from ansible_collections.netdiag.ss.plugins.module_utils._errors import (
    ArgsError, NetlinkError, OptionElsewhere, SocketToolError, strerror,
)
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._privilege import CAP_NET_ADMIN, has_capability
from ansible_collections.netdiag.ss.plugins.module_utils._procs import ancestor_sockets, under_async_wrapper
from ansible_collections.netdiag.ss.plugins.module_utils._request import bare_selection, build_request
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SOCKID, select_fields
from ansible_collections.netdiag.ss.plugins.module_utils._select import select
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, INET_PROTOCOLS, SS_ALL, SS_CLOSE, SS_CONN, SS_ESTABLISHED, SS_LISTEN,
)

DEFAULT_MAX_KILL = 10
_SOCKID_TAIL = struct.Struct('=III')     # idiag_if, idiag_cookie[2]
_RAW = INET_PROTOCOLS['raw']
_TCP = INET_PROTOCOLS['tcp']
_UDP = INET_PROTOCOLS['udp']
_TABLE_OF = dict((number, name) for name, number in INET_PROTOCOLS.items())
_NO_CAP = 'not permitted: closing sockets needs CAP_NET_ADMIN in the namespace (run as root, become: true)'
_MESSAGES = {
    errno.EPERM: _NO_CAP,
    errno.ENOENT: 'gone already: the socket was closed (or replaced) before it could be',
    errno.EOPNOTSUPP: 'the kernel cannot close sockets of this protocol',
    errno.EINVAL: 'the kernel refused to close it (EINVAL): a TCP subflow of an MPTCP socket, such as the listener an '
                  'MPTCP listening socket shows in the TCP table, cannot be closed on its own',
}


# ENOENT for a socket the second read still finds: the kernel looks a UDP (or raw) socket up by its addresses and
# then checks the cookie, so in a SO_REUSEPORT group it can find another member first
_STILL_THERE = ('not closed, and still there: the kernel looks the socket up by its addresses, found another socket '
                'with the same addresses (a SO_REUSEPORT group) and refused it for its cookie (ENOENT)')


def kill_request(params):
    """The Request of socket_kill's parameters (build_request), with -K in ss_args said to be implied."""
    try:
        return build_request(params, identity=True, selecting=True)
    except OptionElsewhere as exc:
        if exc.option == 'kill':
            raise ArgsError('ss_args: -K is not needed here: socket_kill always closes the sockets it selects, as ss -K '
                            'does; give the selection without it')
        raise


def failures(result):
    """The not_closed entries of a kill() result that are failures: all but the sockets that were gone already."""
    return [r for r in result['not_closed'] if r['errno'] != errno.ENOENT or r['message'] == _STILL_THERE]


def failure_message(result):
    """The message of a kill() whose result has failures(), or None: how many, and each reason once."""
    refused = failures(result)
    if not refused:
        return None
    reasons = sorted(set('%s (%s)' % (r['error'], r['message']) for r in refused))
    return '%d of the selected sockets could not be closed: %s' % (len(refused), '; '.join(reasons))


class KillPlan(object):
    """What a kill would do: to_kill (records, with their SockId), protected ((record, why) pairs) and cannot
    ((record, errno, why) triples)."""

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
              held=None, detached=None):
    """Select and sort the sockets (raises ArgsError for an unfiltered or too large selection, before any close).

    held: {inode: pid} of the sockets that processes this module runs under hold (protected, and so is the other end
    of such a connection), or None to look them up (_procs.ancestor_sockets). detached: whether the module runs under
    Ansible's async_wrapper, or None to look (_procs.under_async_wrapper).
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
        broad = unnarrowed_tables(request)
        if broad:
            # all, -a, exclude ..., connected, and for UDP and raw established: states that select in a table at least
            # what no state words select there narrow nothing
            raise ArgsError('no filter, and the states (%s) select every state ss selects without any in the %s '
                            'table%s%s: this would close every socket ss -K closes there without state words; give a '
                            'filter or narrower states (or allow_unfiltered: true if that is really meant)'
                            % (' '.join(word for _kind, word in request.state_words), ' and '.join(broad),
                               's' if len(broad) > 1 else '',
                               ' (a UDP or raw socket is either connected, ESTAB, or not, UNCONN: established is every '
                               'connected one)' if set(broad) & _DATAGRAM else ''))
    conn = ssh_connection(environ) if protect_connection else None
    if protect_connection and conn is None and request.netns is None and _CONNECTION_TABLES & set(request.tables) \
            and (under_async_wrapper() if detached is None else detached):
        raise ArgsError(_ASYNC_BLIND)
    selection = select(request._replace(identity=True))
    plan = KillPlan(request, selection)
    # the other end of each connection that could be closed, when it is in this namespace: protected with its end
    # (controller and target on one host: the ssh client's end and sshd's are both here)
    if not protect_connection:
        held = {}
    elif held is None:
        held = ancestor_sockets()
    # the whole TCP table is read for the other ends only when a process above holds a socket that is not selected
    # (the ssh client's end, for sshd's end selected): the selected pairs are matched among themselves below
    selected = set(rec['inode'] for rec in selection.records)
    others = _other_ends(request, selection.records) if any(ino not in selected for ino in held) else {}
    listeners = listeners_named(request)
    for rec in selection.records:
        other = others.get(id(rec))
        if _is_connection(rec, conn):
            plan.protected.append((rec, 'the connection Ansible uses (SSH_CONNECTION)'))
        elif rec['inode'] in held:
            plan.protected.append((rec, _HELD % held[rec['inode']]))
        elif other is not None and other['inode'] in held:
            plan.protected.append((rec, _OTHER_END % held[other['inode']]))
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
    if protect_connection:
        _protect_swapped(plan)
    if any(rec[SOCKID].protocol == _RAW for rec in plan.to_kill):
        _hold_ambiguous_raw(plan)
    if len(plan.to_kill) + accept_queued(plan.to_kill) > max_kill:
        raise KillLimitExceeded(plan, max_kill)
    return plan


# Ansible's async_wrapper detaches the module (two forks and a new session) from the processes that hold the
# connection, so ancestor_sockets finds none of them; only SSH_CONNECTION, which become resets, could name it
_ASYNC_BLIND = ('protect_connection: under async the module runs detached from the processes that hold the connection '
                'Ansible uses, and SSH_CONNECTION, which names it, is not set (become resets it; a local connection has '
                'none): a TCP connection of Ansible\'s here could not be found, so nothing was read or closed; run the '
                'task without async, or set protect_connection: false if no connection of Ansible\'s can be among the '
                'sockets selected')
# the tables the connection Ansible uses can be in (ssh over TCP; MPTCP lists its subflows' connection too)
_CONNECTION_TABLES = frozenset(('tcp', 'mptcp'))
_HELD = 'held by process %d, which this module runs under (the connection Ansible uses is held so by sshd)'
_OTHER_END = ('the other end of a connection held by process %d, which this module runs under (the controller on this '
              'host: closing this end would reset the connection Ansible uses)')
# tables whose sockets are only connected (ESTAB) or not (UNCONN)
_DATAGRAM = frozenset(('udp', 'raw'))
_CAN_HOLD = dict((name, (1 << SS_ESTABLISHED) | (1 << SS_CLOSE)) for name in _DATAGRAM)


def unnarrowed_tables(request):
    """The selected tables in which the request's states select every state ss selects there without state words.

    Judged per table by the states its sockets can be in: ss selects the connected states without state words (for
    TCP: not LISTEN, SYN-RECV, TIME-WAIT or CLOSE), so -a, state all, exclude listening or state connected narrow
    nothing; a UDP or raw socket is only ESTAB (connected) or UNCONN, so there state established narrows nothing either.
    """
    return [name for name in request.tables if SS_CONN & _CAN_HOLD.get(name, SS_ALL) & ~request.states == 0]


def accept_queued(records):
    """The connections waiting in the accept queues (Recv-Q) of the TCP listeners among records: closing a listener
    resets them (the kernel's inet_csk_listen_stop; ss -K does the same)."""
    return sum(rec['recv_q'] or 0 for rec in records if rec['state'] == 'LISTEN' and rec[SOCKID].protocol == _TCP)


def _ends(rec):
    """((local address, port), (peer address, port)) of a TCP socket with a peer, or None."""
    if rec['family'] not in ('inet', 'inet6') or rec['netid'] != 'tcp' or not rec['peer_port']:
        return None
    try:
        return (_addr(rec['local_address']), rec['local_port']), (_addr(rec['peer_address']), rec['peer_port'])
    except ValueError:
        return None


def _other_ends(request, records):
    """{id(record): the record of its other end} for the TCP connections among records whose other end is in this
    namespace: the whole TCP table (both families, every state) is read for them, whatever the selection."""
    wanted = {}
    for rec in records:
        ends = _ends(rec)
        if ends is not None and rec[SOCKID].cookie is not None:
            wanted.setdefault((ends[1], ends[0]), []).append(rec)
    if not wanted:
        return {}
    table = bare_selection(
        request, tables=('tcp',), explicit_tables=frozenset(), families=frozenset((AF_INET, AF_INET6)),
        inet_families=(AF_INET, AF_INET6), filter=None, filter_words=(), states=SS_ALL & ~(1 << SS_LISTEN),
        state_words=(), max_sockets=None, identity=True, resolve=False, services=False, from_dump=None)
    out = {}
    for other in select(table).records:
        for rec in wanted.get(_ends(other), ()):
            if other[SOCKID].cookie != rec[SOCKID].cookie:      # (a socket connected to itself is its own peer)
                out[id(rec)] = other
    return out


def _protect_swapped(plan):
    """Move to plan.protected the TCP sockets to close that are the other end of a protected one (same addresses
    and ports, swapped): closing either end resets the connection."""
    guarded = {}
    for rec, why in plan.protected:
        ends = _ends(rec)
        if ends is not None:
            guarded.setdefault((ends[1], ends[0]), why)
    if not guarded:
        return
    keep = []
    for rec in plan.to_kill:
        why = guarded.get(_ends(rec))
        if why is None:
            keep.append(rec)
        else:
            plan.protected.append((rec, 'the other end of a protected connection: %s' % why))
    plan.to_kill = keep


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
    return bare_selection(request, tables=tables, explicit_tables=frozenset(), filter=None, filter_words=(),
                          states=SS_ALL, state_words=(), max_sockets=None, identity=True)


def _raw_matches(other, sid):
    """Whether raw_diag's lookup for `sid` could find `other` (same family and protocol; blank fields match)."""
    size = 4 if sid.family == AF_INET else 16
    blank = bytes(size)
    return (other.family == sid.family and other.sport == sid.sport
            and other.dst[:size] in (blank, sid.dst[:size]) and other.src[:size] in (blank, sid.src[:size])
            and other.ifindex in (0, sid.ifindex))


class KillLimitExceeded(ArgsError):
    """More sockets match than max_kill (counting the accept queues of listeners): nothing was closed."""

    def __init__(self, plan, max_kill):
        self.plan = plan
        self.max_kill = max_kill
        matched, queued = len(plan.to_kill), accept_queued(plan.to_kill)
        self.count = matched + queued
        if queued:
            text = ('%s, and closing %s also resets the %d connection%s waiting in %s accept queue%s (Recv-Q of a '
                    'listener): %d in all, more than max_kill (%d)'
                    % ('1 socket matches' if matched == 1 else '%d sockets match' % matched,
                       'it' if matched == 1 else 'the listeners among them', queued, '' if queued == 1 else 's',
                       'its' if matched == 1 else 'their', '' if matched == 1 else 's', self.count, max_kill))
        else:
            text = '%d sockets match, more than max_kill (%d)' % (matched, max_kill)
        super(KillLimitExceeded, self).__init__(
            '%s: nothing was closed; narrow the selection or raise max_kill' % text)


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
    """Check that this kernel can close sockets: a SOCK_DESTROY no socket can match must say ENOENT (raises
    SocketToolError otherwise; nothing was closed)."""
    # TCP 0.0.0.0:0 -> 0.0.0.0:0 with cookie 0, which no socket has (the kernel's cookies start at 1). The address
    # alone does not make it safe: the kernel's listener lookup runs BPF sk_lookup programs, and a catch-all one answers
    # with its listener, which INET_DIAG_NOCOOKIE would let through. With a cookie the kernel compares it
    # (sock_diag_check_cookie) and answers ENOENT before anything is closed. Without CONFIG_INET_DIAG_DESTROY it answers
    # EOPNOTSUPP before any lookup. CAP_NET_ADMIN is checked only for a socket found and matched, so this probe cannot
    # tell whether closing is permitted (close_denied does).
    nothing = INET_REQ.pack(AF_INET, _TCP, 0, 0, 0, b'\0' * 36 + _SOCKID_TAIL.pack(0, 0, 0))
    err = nl.request_ack(sock, nl.SOCK_DESTROY, nothing, 'tcp', seq=1)
    if err == errno.ENOENT:
        return 0
    if err == errno.EOPNOTSUPP:
        raise SocketToolError('this kernel cannot close sockets: it was built without CONFIG_INET_DIAG_DESTROY '
                              '(SOCK_DESTROY answers EOPNOTSUPP)')
    name = errno.errorcode.get(err, str(err))
    hint = ' (a security module, such as SELinux, refusing SOCK_DESTROY?)' if err in (errno.EPERM, errno.EACCES) else ''
    raise SocketToolError('the kernel answered %s to a SOCK_DESTROY that matches no socket (it answers ENOENT when it '
                          'can close sockets)%s: nothing was closed' % (name if err else 'answered 0, success,', hint))


# ioctls of namespace files (linux/nsfs.h)
_NS_GET_USERNS = 0xb701
_NS_GET_PARENT = 0xb702
_NS_GET_OWNER_UID = 0xb704
_ABOVE = ('not permitted: closing sockets needs CAP_NET_ADMIN in the user namespace that owns the network namespace, '
          'and this process runs in another user namespace, whose capabilities do not count there (root of a rootless '
          'container sharing the host\'s network?): nothing was sent for it')


def close_denied():
    """Why the kernel would refuse this process every SOCK_DESTROY in its network namespace (EPERM), or None.

    The kernel checks CAP_NET_ADMIN in the user namespace owning the socket's network namespace (sock_diag_destroy), as
    cap_capable does: this process's effective capabilities (CapEff) count when that is its own user namespace or one
    below it; in one below, a process whose euid owns the user namespace just below its own has every capability
    there; in any other, none counts. Decided before anything is sent, so that check mode and a run agree.
    """
    effective = has_capability(CAP_NET_ADMIN)
    owner = _netns_owner()
    if owner == 'above':
        return _ABOVE
    if isinstance(owner, tuple) and owner[1] == os.geteuid():
        return None
    return None if effective else _NO_CAP


def _netns_owner(proc='/proc/self'):
    """Where the user namespace owning this process's network namespace is: 'own' (this process's), ('below', uid of
    the owner of the user namespace just below this process's, on the way), 'above' (neither its own nor below it),
    or None when it cannot be told (the ioctls of namespace files came in Linux 4.9 and 4.11)."""
    fds = []
    try:
        fds.append(os.open(proc + '/ns/net', os.O_RDONLY | getattr(os, 'O_CLOEXEC', 0)))
        try:
            fds.append(fcntl.ioctl(fds[0], _NS_GET_USERNS))
        except OSError as exc:
            if exc.errno == errno.EPERM:        # the kernel's answer for an owner outside this process's user namespace
                return 'above'
            raise
        mine = os.stat(proc + '/ns/user')
        mine = (mine.st_dev, mine.st_ino)
        for _level in range(40):                # user namespaces nest 32 deep at most
            here = os.fstat(fds[-1])
            if (here.st_dev, here.st_ino) == mine:
                return 'own'
            fds.append(fcntl.ioctl(fds[-1], _NS_GET_PARENT))
            parent = os.fstat(fds[-1])
            if (parent.st_dev, parent.st_ino) == mine:
                uid = bytearray(4)
                fcntl.ioctl(fds[-2], _NS_GET_OWNER_UID, uid, True)
                return ('below', struct.unpack('=I', bytes(uid))[0])
        return None
    except (OSError, IOError, ValueError):
        return None
    finally:
        for fd in fds:
            os.close(fd)


def _predict(records, lookups=None):
    """(killed, aborted, maybe aborted): what a run would report for records, before anything is sent (check mode).

    SOCK_DESTROY removes a TCP or raw socket; it aborts a UDP socket and removes it only when the kernel picked its
    port (the application never bound one): __udp_disconnect keeps a port bound by the application (SOCK_BINDPORT_LOCK).
    No dump says which; a port the kernel cannot have picked (outside ip_local_port_range, or reserved) was bound so,
    and any other may be either.
    """
    killed, aborted, maybe = [], [], []
    autobind = None
    for rec in records:
        if rec[SOCKID].protocol != _UDP:
            killed.append(rec)
            continue
        if autobind is None:
            autobind = (lookups or HostLookups()).autobind_ports() or (lambda port: True)
        (maybe if autobind(rec['local_port']) else aborted).append(rec)
    return killed, aborted, maybe


def kill(plan, check_mode=False, diff=False):
    """Close plan.to_kill; return the result dict: changed, killed, aborted, maybe_aborted, not_closed, protected,
    survivors, lines; diff if asked; warnings (a list of texts for the caller to give, then drop) when there are any."""
    killed, failed, unclosed, maybe = [], [], [], []
    for rec, err, why in plan.cannot:
        failed.append(_failure(rec, err, why))
    denied = close_denied() if plan.to_kill else None
    if denied:
        # every SOCK_DESTROY would fail with EPERM (in check mode too): nothing is sent
        for rec in plan.to_kill:
            failed.append(_failure(rec, errno.EPERM, denied))
    elif plan.to_kill:
        try:
            sock = nl.open_socket()
        except OSError as exc:
            raise SocketToolError('cannot open a sock_diag socket to close sockets: %s' % exc)
        try:
            try:
                probe_destroy(sock)             # in check mode too: it matches no socket, and a run would fail so
            except (NetlinkError, OSError) as exc:      # nothing closed yet
                raise SocketToolError('closing sockets failed: %s' % exc)
            for index, rec in enumerate(() if check_mode else plan.to_kill):
                try:
                    err = nl.request_ack(sock, nl.SOCK_DESTROY, destroy_request(rec[SOCKID]), rec['netid'],
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
    aborted, warnings = [], []
    if check_mode:
        killed, aborted, maybe = _predict(plan.to_kill if not denied else [])
        gone = set(id(r) for r in killed + maybe)
        survivors = [r for r in plan.selection.records if id(r) not in gone]
    elif killed or unclosed:
        try:
            killed, aborted, survivors = _read_again(plan, killed, failed[len(plan.cannot):], unclosed)
        except SocketToolError as exc:
            if not killed:
                raise       # nothing was closed: the error is the whole answer
            # the sockets are closed already: say so (changed), with what is not known
            survivors = None
            warnings.append('the sockets in killed were closed (the kernel acknowledged each), but the selection could '
                            'not be read again afterwards, so survivors is null and a UDP or raw socket its application '
                            'still holds is in killed, not aborted: %s' % exc)
    else:
        survivors = plan.selection.records
    request = plan.request
    result = {
        'changed': bool(killed or aborted or maybe),
        'killed': select_fields(killed, None),
        'aborted': select_fields(aborted, None),
        'maybe_aborted': select_fields(maybe, None),
        'not_closed': failed,
        'protected': [dict(select_fields([rec], None)[0], reason=why) for rec, why in plan.protected],
        'survivors': None if survivors is None else select_fields(survivors, None),
        'lines': _listing(request, killed + aborted + maybe),
    }
    if warnings:
        result['warnings'] = warnings
    if diff:
        # one set of column widths for both, so that only the closed sockets' lines differ (not the header's)
        selected = plan.selection.records
        before, after = _listings(request, (selected, survivors or []))
        result['diff'] = {'before': '\n'.join(before) + '\n',
                          'after': '\n'.join(after) + '\n' if survivors is not None else '(not read again)\n'}
    return result


def _read_again(plan, killed, failed, unclosed):
    """(killed, aborted, survivors) from a fresh read of the selection after closing; failed: the not_closed entries
    of `unclosed`, whose message says so when the socket is still there. Raises SocketToolError."""
    survivors = select(plan.request._replace(identity=True)).records
    # a UDP socket whose application bound its port keeps it after SOCK_DESTROY (the kernel aborts it: its
    # application gets ECONNABORTED, a connected one is disconnected) until the application closes it
    alive = set(_cookie(r) for r in survivors)
    moved = sorted(set(_TABLE_OF[r[SOCKID].protocol] for r in killed
                       if _cookie(r) not in alive and r[SOCKID].protocol != _TCP))
    if moved:
        # disconnected, it may no longer match a selection by its peer: its tables are read whole for it
        alive.update(_cookie(r) for r in select(_whole(plan.request, tuple(moved))).records)
    for entry, rec in zip(failed, unclosed):
        if entry['errno'] == errno.ENOENT and _cookie(rec) in alive:
            entry['message'] = _STILL_THERE
    return ([r for r in killed if _cookie(r) not in alive], [r for r in killed if _cookie(r) in alive], survivors)


def _cookie(rec):
    sid = rec[SOCKID]
    return (sid.family, sid.protocol, sid.cookie)


def _failure(rec, err, why):
    out = select_fields([rec], None)[0]
    name = 'EOPNOTSUPP' if err == errno.EOPNOTSUPP else errno.errorcode.get(err, str(err))   # Linux: ENOTSUP is the same number
    out.update(errno=err, error=name, message=why)
    return out


def _listing(request, records):
    return _listings(request, (records,))[0]


def _listings(request, groups):
    from ansible_collections.netdiag.ss.plugins.module_utils._render import listings
    return listings(request, groups)


__all__ = ['plan_kill', 'kill', 'kill_request', 'failures', 'failure_message', 'destroy_request', 'probe_destroy', 'close_denied',
           'ssh_connection', 'listeners_named', 'unnarrowed_tables', 'accept_queued', 'KillPlan', 'KillLimitExceeded',
           'DEFAULT_MAX_KILL']
