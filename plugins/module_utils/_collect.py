# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Collect sockets over NETLINK_SOCK_DIAG: every selected table, in ss's order, into flat records.

One module per request kind decodes the replies (_diag_inet, _diag_unix,
_diag_packet, _diag_netlink, _diag_vsock, _diag_tipc, _diag_xdp); they share
_diag.Context. Records are built only for the sockets the filter keeps
(ss does not filter tipc sockets). With identity=True every record also
keeps the kernel's identity of its socket (a _diag.SockId under the private
key 'sockid'), so that a later request (SOCK_DESTROY) addresses exactly the
socket that was selected.

Where the sockets come from (the `source` option): sock_diag (`netlink`),
the /proc/net text files as ss reads them (`proc`, _proc_net.py), or
(`auto`, the default) sock_diag, and /proc/net where sock_diag cannot be
used. The decision is made here, in collect(), at two points:

* sock_diag as a whole is refused or missing: socket(AF_NETLINK,
  NETLINK_SOCK_DIAG) fails with one of SOCKET_REFUSED (gVisor and WSL 1
  have no sock_diag; seccomp or an LSM can deny the socket), or the first
  dump is refused (DUMP_REFUSED: an LSM denies sending it, or the kernel
  answers EACCES, or EPERM to a dump without a filter program). From then
  on every table is read from /proc/net (Sources.refused says why);
* the kernel answers one table's dump with "no handler" (TableNotSupported:
  ENOENT ... for a kernel without raw_diag, or a diag module it cannot
  load): that table alone is read from /proc/net, as ss does.

Tables with no file in /proc/net (mptcp, sctp, dccp, vsock, tipc, xdp) are
then unsupported. Any other error is raised: EPERM for a program with a
fwmark condition (the kernel wants CAP_NET_ADMIN for it) is not a refusal
of sock_diag, and reading /proc/net instead would make `fwmark = 0` match
every socket (B-23). What was read from /proc/net, and why, is reported in
a Sources object given to collect() (_select.py turns it into warnings).

Adding a table: write its request builder, decoder and dump function in a
_diag_<kind>.py of the same shape and register the dump function in GROUPS.
"""

from __future__ import annotations

import collections
import errno
import os

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context, SockId
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import decode_inet, dump_inet, dump_raw
from ansible_collections.netdiag.ss.plugins.module_utils._diag_netlink import dump_netlink
from ansible_collections.netdiag.ss.plugins.module_utils._diag_packet import dump_packet
from ansible_collections.netdiag.ss.plugins.module_utils._diag_sctp import dump_sctp
from ansible_collections.netdiag.ss.plugins.module_utils._diag_tipc import dump_tipc
from ansible_collections.netdiag.ss.plugins.module_utils._diag_unix import dump_unix
from ansible_collections.netdiag.ss.plugins.module_utils._diag_vsock import dump_vsock
from ansible_collections.netdiag.ss.plugins.module_utils._diag_xdp import dump_xdp
from ansible_collections.netdiag.ss.plugins.module_utils._errors import DumpInterrupted, NetlinkError, TableNotSupported
from ansible_collections.netdiag.ss.plugins.module_utils._proc_net import PROC_FILES, dump_proc
from ansible_collections.netdiag.ss.plugins.module_utils._schema import DETAIL_KEYS
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

# Dump groups in ss's output order: (group name, tables it covers, dump function).
GROUPS = (
    ('netlink', ('netlink',), dump_netlink),
    ('packet', ('packet_raw', 'packet_dgram'), dump_packet),
    ('unix', ('unix_stream', 'unix_dgram', 'unix_seqpacket'), dump_unix),
    ('raw', ('raw',), dump_raw),
    ('udp', ('udp',), dump_inet),
    ('tcp', ('tcp',), dump_inet),
    ('dccp', ('dccp',), dump_inet),
    ('sctp', ('sctp',), dump_sctp),
    ('vsock', ('vsock_stream', 'vsock_dgram'), dump_vsock),
    ('tipc', ('tipc',), dump_tipc),
    ('xdp', ('xdp',), dump_xdp),
    ('mptcp', ('mptcp',), dump_inet),
)
_RETRIES = 5
SOURCES = ('auto', 'netlink', 'proc')
# errnos of socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG), and of sending or reading a dump, that mean "no
# sock_diag here": no such protocol or family (gVisor, WSL 1, a kernel without it), denied (seccomp, an LSM),
# not implemented; EINVAL from socket() only (SOCK_CLOEXEC unknown)
SOCKET_REFUSED = frozenset((errno.EPROTONOSUPPORT, errno.EAFNOSUPPORT, errno.ESOCKTNOSUPPORT, errno.EOPNOTSUPP,
                            errno.EACCES, errno.EPERM, errno.ENOSYS, errno.EINVAL))
SEND_REFUSED = frozenset((errno.EPROTONOSUPPORT, errno.EAFNOSUPPORT, errno.EOPNOTSUPP, errno.EACCES, errno.EPERM,
                          errno.ENOSYS, errno.ECONNREFUSED))
# the kernel's answer to the first dump that means "not for you": EACCES, and EPERM to a dump without a program
DUMP_REFUSED = frozenset((errno.EACCES, errno.EPERM))
_INET_GROUPS = frozenset(('raw', 'udp', 'tcp', 'dccp', 'sctp', 'mptcp'))


class Sources(object):
    """What collect() read from /proc/net instead of sock_diag, and why (filled in by collect()).

    proc     {group: why it was read from /proc/net}, in ss's order (with source=proc: every group read)
    refused  why sock_diag could not be used at all (source=auto), or None
    """

    def __init__(self):
        self.proc = collections.OrderedDict()
        self.refused = None


class _FirstDump(object):
    """A sock_diag socket that notes whether a dump was sent on it: the fallback decision is made on the first one."""

    def __init__(self, sock):
        self.sock = sock
        self.sent = False

    def send(self, data):
        self.sent = True
        return self.sock.send(data)

    def recv_into(self, buf):
        return self.sock.recv_into(buf)

    def close(self):
        self.sock.close()


def _strerror(exc):
    """'Permission denied (EACCES)' for an OSError or a NetlinkError."""
    err = getattr(exc, 'errno', None)
    if not err:
        return str(exc)
    return '%s (%s)' % (os.strerror(err), errno.errorcode.get(err, err))


def _refused(exc, program_sent):
    """Whether an error of the first dump means that sock_diag cannot be used here."""
    if isinstance(exc, TableNotSupported):
        return False
    if isinstance(exc, NetlinkError):
        return exc.errno in DUMP_REFUSED and not (exc.errno == errno.EPERM and program_sent)
    return getattr(exc, 'errno', None) in SEND_REFUSED


def collect(tables, families, states, bytecode=None, inet_families=(AF_INET, AF_INET6), match=None,
            needs_attrs=False, timers=False, identity=False, lookups=None, details=frozenset(), tagged=False,
            capture=None, source='auto', sources=None):
    """Read the given tables in ss's order; return (records, {unsupported group: why}).

    tables         ss table names to list; families: AF numbers to keep;
    states         the kernel's state mask; inet_families: which inet dumps
                   to send (ss sends one when -4/-6 came last);
    bytecode       the compiled filter sent with every inet dump, or None;
    match          callable(SockView) -> bool run on every socket, or None;
    needs_attrs    the filter reads marks or cgroup ids;
    timers         add the -o timer keys; identity: keep each SockId;
    details        detail options (-e -m -i ...): every record gets their keys,
                   null where the detail does not apply to its family;
    tagged         what match returns for a kept socket is kept in its record
                   under _schema.MATCHES (for callers that evaluate several filters);
    capture        (chunks, match): the TCP table is decoded from these chunks
                   (a capture, see _dumpfile.capture_chunks) with this matcher
                   instead of being asked from the kernel, as ss does with
                   TCPDIAG_FILE;
    source         'netlink' (sock_diag only), 'proc' (/proc/net only) or
                   'auto' (sock_diag, /proc/net where it cannot be used: see
                   the module's documentation);
    sources        a Sources, told what was read from /proc/net and why.
    A group this kernel (or this version, or the source) cannot list is
    skipped and named, in ss's order, in the second value.
    """
    if source not in SOURCES:
        raise ValueError('source must be one of %s, not %r' % (', '.join(SOURCES), source))
    if sources is None:
        sources = Sources()
    ctx = Context(set(families), match=match, needs_attrs=needs_attrs, timers=timers, identity=identity,
                  lookups=lookups, details=frozenset(details), tagged=tagged)
    selected = set(tables)
    out = []
    unsupported = collections.OrderedDict()
    sock = None
    if source != 'proc':
        try:
            sock = nl.open_socket()
        except OSError as exc:
            if source == 'netlink' or exc.errno not in SOCKET_REFUSED:
                raise
            sources.refused = 'socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: %s' % _strerror(exc)
        else:
            if source == 'auto':
                sock = _FirstDump(sock)
    try:
        for group, group_tables, dumper in GROUPS:
            wanted = [t for t in group_tables if t in selected]
            if not wanted:
                continue
            if group == 'tcp' and capture is not None:
                decode_inet(capture[0], 'tcp', Context(ctx.families, match=capture[1], needs_attrs=needs_attrs,
                                                       timers=timers, identity=identity, lookups=ctx.lookups,
                                                       details=ctx.details, tagged=tagged), out)
                continue
            if sock is None:
                # source=proc, or sock_diag refused
                _from_proc(group, wanted, states, ctx, out, unsupported, sources, source)
                continue
            for attempt in range(_RETRIES):
                part = []
                try:
                    dumper(sock, group, set(wanted), states, ctx, part, bytecode=bytecode, inet_families=inet_families)
                except DumpInterrupted:
                    # the table changed while we read it: read it again on a fresh socket
                    sock = _reopen(sock)
                    if attempt == _RETRIES - 1:
                        raise
                    continue
                except TableNotSupported as exc:
                    sock = _reopen(sock)
                    part = []
                    if source == 'auto' and group in PROC_FILES:
                        # as ss: the table's /proc/net file, where the kernel has no sock_diag handler for it
                        sources.proc[group] = 'the kernel has no sock_diag handler for it (%s)' % os.strerror(exc.errno)
                        _from_proc(group, wanted, states, ctx, part, unsupported, sources, source)
                    else:
                        unsupported[group] = str(exc)
                        if source == 'netlink' and group in PROC_FILES:
                            unsupported[group] += ' (source: auto reads it from /proc/net)'
                except (NetlinkError, OSError) as exc:
                    if not (isinstance(sock, _FirstDump) and _refused(exc, bool(bytecode) and group in _INET_GROUPS)):
                        raise
                    sources.refused = 'the first dump (table %s) was refused: %s' % (group, _strerror(exc))
                    sock.close()
                    sock = None
                    part = []
                    _from_proc(group, wanted, states, ctx, part, unsupported, sources, source)
                if isinstance(sock, _FirstDump) and sock.sent:
                    sock = sock.sock        # sock_diag answered: no fallback decision after this
                out.extend(part)
                break
    finally:
        if sock is not None:
            sock.close()
    if details:
        keys = [key for option in details for key in DETAIL_KEYS.get(option, ())]
        for rec in out:
            for key in keys:
                if key not in rec:
                    rec[key] = None
    return out, unsupported


def _reopen(sock):
    """A fresh sock_diag socket after an error or an interrupted dump (the kernel answered: the decision is made)."""
    sock.close()
    return nl.open_socket()


def _from_proc(group, wanted, states, ctx, out, unsupported, sources, source):
    """Read one group from /proc/net (source=proc, or sock_diag refused), or name it unsupported."""
    if group not in PROC_FILES:
        if source == 'proc':
            unsupported[group] = 'table %s has no file in /proc/net (source: proc); it was skipped' % group
        else:
            unsupported[group] = ('table %s cannot be listed: sock_diag cannot be used here and /proc/net has no file '
                                  'for it; it was skipped' % group)
        return
    if group not in sources.proc:
        sources.proc[group] = sources.refused or 'source: proc'
    try:
        dump_proc(group, states, ctx, out, wanted)
    except TableNotSupported as exc:
        sources.proc.pop(group, None)
        unsupported[group] = str(exc)


__all__ = ['collect', 'GROUPS', 'SOURCES', 'SOCKET_REFUSED', 'SEND_REFUSED', 'DUMP_REFUSED', 'Sources', 'Context', 'SockId']
