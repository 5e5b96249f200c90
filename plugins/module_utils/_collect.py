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

Tables that change while they are read (sockets opening and closing by
the thousand): a sock_diag dump is not a snapshot. The kernel fills one
buffer per read and resumes at a position (hash bucket, index in it); a
socket added or removed before that position between two reads makes the
next read repeat or skip a socket (the sock_diag handlers never flag this
NLM_F_DUMP_INTR, although the flag would be honoured). So every group's
records are checked for a cookie listed twice, and the repeats are dropped
(DumpReport.duplicates); SCTP is left alone (an endpoint and its
associations share the socket's cookie), and so are records read from
/proc/net (no cookie). A dump flagged NLM_F_DUMP_INTR, or whose read failed
with ENOBUFS, is read again on a fresh socket, up to _RETRIES reads in all;
the last read goes on through NLM_F_DUMP_INTR to the end of the dump, as ss
does, and its records are listed with the group named in
DumpReport.inconsistent (a warning); a last read that fails with ENOBUFS
raises DumpInterrupted.

With `limit`, collection stops at the first kept record beyond it: the
dump in progress is abandoned (its socket closed, so the kernel stops
it), no later table is read, `limit` records are returned and
DumpReport.truncated is set. A dump is never read further than that, so
memory stays bounded by the limit whatever the size of the tables.

Adding a table: write its request builder, decoder and dump function in a
_diag_<kind>.py of the same shape and register the dump function in GROUPS.
"""

from __future__ import annotations

import collections
import errno
import gc
import operator

from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._diag_inet import decode_inet, dump_inet, dump_raw
from ansible_collections.netdiag.ss.plugins.module_utils._errors import DumpInterrupted, NetlinkError, TableNotSupported, strerror
from ansible_collections.netdiag.ss.plugins.module_utils._schema import DETAIL_KEYS
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6


# The decoders of the other tables are imported when their table is read: a module runs from a zip that Python
# compiles at every import, and most calls (socket_assert's rules, the role) read TCP and UDP only.

def dump_netlink(*args, **kwargs):
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_netlink import dump_netlink as dump
    return dump(*args, **kwargs)


def dump_packet(*args, **kwargs):
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_packet import dump_packet as dump
    return dump(*args, **kwargs)


def dump_unix(*args, **kwargs):
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_unix import dump_unix as dump
    return dump(*args, **kwargs)


def dump_sctp(*args, **kwargs):
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_sctp import dump_sctp as dump
    return dump(*args, **kwargs)


def dump_vsock(*args, **kwargs):
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_vsock import dump_vsock as dump
    return dump(*args, **kwargs)


def dump_tipc(*args, **kwargs):
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_tipc import dump_tipc as dump
    return dump(*args, **kwargs)


def dump_xdp(*args, **kwargs):
    from ansible_collections.netdiag.ss.plugins.module_utils._diag_xdp import dump_xdp as dump
    return dump(*args, **kwargs)


def dump_proc(*args, **kwargs):
    from ansible_collections.netdiag.ss.plugins.module_utils._proc_net import dump_proc as dump
    return dump(*args, **kwargs)


# the groups _proc_net reads from /proc/net (its PROC_FILES; a test keeps the two the same)
PROC_GROUPS = frozenset(('netlink', 'packet', 'unix', 'raw', 'udp', 'tcp'))

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
_COOKIE = operator.itemgetter('cookie')
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


class DumpReport(object):
    """How collect()'s dumps went (filled in by collect()), for warnings and for tests.

    interrupted   {group: reads of it that were interrupted (NLM_F_DUMP_INTR or ENOBUFS) and made again}
    inconsistent  groups whose last read was flagged NLM_F_DUMP_INTR too: listed as read then, in ss's order
    duplicates    {group: records dropped because their cookie was already listed in that group}
    truncated     more records were kept than the limit: the first `limit` were returned, the dump stopped
    counted       with count_after: selected sockets beyond the records returned, counted and not decoded
    """

    def __init__(self):
        self.interrupted = collections.OrderedDict()
        self.inconsistent = []
        self.duplicates = collections.OrderedDict()
        self.truncated = False
        self.counted = 0


class _Counted(list):
    """The records of one group when collect() has count_after: the cookies of the sockets counted beyond them."""

    def __init__(self):
        super(_Counted, self).__init__()
        self.beyond = set()


class _Full(Exception):
    """A _Limited list got the record beyond the limit: stop collecting."""


class _Limited(list):
    """The records of one group when collect() has a limit: raises _Full when `room` records were appended.

    Duplicates (a cookie already appended) are dropped here, so that the
    count is one of distinct sockets, except with dedupe=False (SCTP, whose
    associations carry their endpoint's cookie: see unique()). Used only
    with a limit: a plain list's append is faster.
    """

    def __init__(self, room, dedupe=True):
        super(_Limited, self).__init__()
        self.room = room
        self.seen = set() if dedupe else None
        self.dropped = 0

    def append(self, rec):
        cookie = rec.get('cookie')
        if cookie and self.seen is not None:
            if cookie in self.seen:
                self.dropped += 1
                return
            self.seen.add(cookie)
        list.append(self, rec)
        if len(self) >= self.room:
            raise _Full()

    def extend(self, recs):
        for rec in recs:
            self.append(rec)


class _LastTry(object):
    """A sock_diag socket for a group's last read: _netlink.dump() goes on through NLM_F_DUMP_INTR and says so."""

    def __init__(self, sock):
        self.sock = sock
        self.interrupted = False

    def send(self, data):
        return self.sock.send(data)

    def recv_into(self, buf):
        return self.sock.recv_into(buf)

    def dump_interrupted(self, _table):
        self.interrupted = True

    def close(self):
        self.sock.close()


def unique(records, group=None):
    """The records without repeats of a socket (a cookie seen before in them); returns (records, dropped).

    SCTP records are returned as they are (an endpoint and its associations
    share a cookie), and so are records without a cookie (/proc/net). The
    check is one pass in C when nothing repeats, the usual case.
    """
    if group == 'sctp' or not records or records[0]['cookie'] is None:
        return records, 0
    if len(set(map(_COOKIE, records))) == len(records):
        return records, 0
    seen = set()
    kept = []
    for rec in records:
        cookie = rec['cookie']
        if cookie:
            if cookie in seen:
                continue
            seen.add(cookie)
        kept.append(rec)
    return kept, len(records) - len(kept)


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
    return '%s (%s)' % (strerror(err), errno.errorcode.get(err, err))


def _refused(exc, program_sent):
    """Whether an error of the first dump means that sock_diag cannot be used here."""
    if isinstance(exc, TableNotSupported):
        return False
    if isinstance(exc, NetlinkError):
        return exc.errno in DUMP_REFUSED and not (exc.errno == errno.EPERM and program_sent)
    return getattr(exc, 'errno', None) in SEND_REFUSED


def collect(tables, families, states, bytecode=None, inet_families=(AF_INET, AF_INET6), match=None,
            needs_attrs=False, timers=False, identity=False, lookups=None, details=frozenset(), tagged=False,
            capture=None, source='auto', sources=None, limit=None, report=None, count_after=None):
    """Read the given tables in ss's order; return (records, {unsupported group: why}).

    tables         ss table names to list; families: AF numbers to keep;
    states         the kernel's state mask; inet_families: which inet dumps
                   to send (one per inet family selected: _query.inet_dump_families);
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
    sources        a Sources, told what was read from /proc/net and why;
    limit          return at most this many records, and stop reading at the
                   first kept one beyond it (report.truncated); None: all;
    report         a DumpReport, told of retries, repeated sockets dropped,
                   inconsistent reads and truncation;
    count_after    decode at least this many records of each inet table and only
                   count the sockets beyond them (report.counted), where the
                   kernel's program selects them whole (match None): for a count.
    A group this kernel (or this version, or the source) cannot list is
    skipped and named, in ss's order, in the second value.
    """
    if source not in SOURCES:
        raise ValueError('source must be one of %s, not %r' % (', '.join(SOURCES), source))
    if limit is not None and limit < 1:
        raise ValueError('limit must be at least 1, not %r' % (limit,))
    if limit is not None and count_after is not None:
        raise ValueError('limit and count_after do not go together')
    if sources is None:
        sources = Sources()
    if report is None:
        report = DumpReport()
    ctx = Context(set(families), match=match, needs_attrs=needs_attrs, timers=timers, identity=identity,
                  lookups=lookups, details=frozenset(details), tagged=tagged, count_after=count_after)
    selected = set(tables)
    reader = _Reader(ctx, states, bytecode, inet_families, source, sources, report, limit, count_after)
    if source != 'proc':
        reader.open()
    # Records hold no reference cycles, so the cyclic collector finds nothing in them; left on, it walks every
    # record built so far again and again as they pile up (about a third of -i at 100k sockets). Off while the
    # records are built; as it was afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for group, group_tables, dumper in GROUPS:
            wanted = [t for t in group_tables if t in selected]
            if not wanted:
                continue
            reader.start(group)
            if group == 'tcp' and capture is not None:
                decode_inet(capture[0], 'tcp', Context(ctx.families, match=capture[1], needs_attrs=needs_attrs,
                                                       timers=timers, identity=identity, lookups=ctx.lookups,
                                                       details=ctx.details, tagged=tagged), reader.part)
            elif reader.sock is None:
                reader.from_proc(wanted)        # source=proc, or sock_diag refused
            else:
                reader.dump(wanted, dumper)
            reader.add()
    except _Full:
        # the record beyond the limit: the dump in progress is abandoned (closing its socket below stops it)
        reader.add()
        report.truncated = len(reader.out) > limit
        del reader.out[limit:]
    finally:
        if collecting:
            gc.enable()
        reader.close()
    out = reader.out
    if details:
        keys = [key for option in details for key in DETAIL_KEYS.get(option, ())]
        for rec in out:
            for key in keys:
                if key not in rec:
                    rec[key] = None
    return out, reader.unsupported


class _Reader(object):
    """What one collect() call reads with: the sock_diag socket (None: /proc/net), the group being read and its
    records (`part`), the records kept (`out`), and what it tells (unsupported groups, `sources`, `report`)."""

    def __init__(self, ctx, states, bytecode, inet_families, source, sources, report, limit, count_after):
        self.ctx, self.states, self.bytecode, self.inet_families = ctx, states, bytecode, inet_families
        self.source, self.sources, self.report = source, sources, report
        self.limit, self.count_after = limit, count_after
        self.sock = None
        self.out = []
        self.unsupported = collections.OrderedDict()
        self.group = None
        self.part = []

    def open(self):
        """Open the sock_diag socket; where it is refused and source is auto, the tables come from /proc/net."""
        try:
            sock = nl.open_socket()
        except OSError as exc:
            if self.source == 'netlink' or exc.errno not in SOCKET_REFUSED:
                raise
            self.sources.refused = 'socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: %s' % _strerror(exc)
        else:
            self.sock = _FirstDump(sock) if self.source == 'auto' else sock

    def close(self):
        if self.sock is not None:
            self.sock.close()

    def start(self, group):
        """Begin reading `group`: an empty part for its records."""
        self.group = group
        self._new_part()

    def _new_part(self):
        # with a limit: room for the records still wanted, and one more to know that there are more
        if self.count_after is not None:
            self.part = _Counted()
        elif self.limit is None:
            self.part = []
        else:
            self.part = _Limited(self.limit + 1 - len(self.out), dedupe=self.group != 'sctp')

    def add(self):
        """Keep the group's records: repeats of a socket dropped (and counted), the sockets counted beyond them."""
        group, part = self.group, self.part
        beyond = getattr(part, 'beyond', None)
        kept, dropped = unique(part, group)
        if beyond:
            beyond.difference_update(rec['cookie'] for rec in kept)
            self.report.counted += len(beyond)
        dropped += getattr(part, 'dropped', 0)
        if dropped:
            self.report.duplicates[group] = dropped
        self.out.extend(kept)

    def from_proc(self, wanted):
        _from_proc(self.group, wanted, self.states, self.ctx, self.part, self.unsupported, self.sources, self.source)

    def dump(self, wanted, dumper):
        """Read the group over sock_diag: again on a fresh socket when the dump was interrupted (the last read
        goes on through NLM_F_DUMP_INTR, and says so); from /proc/net where the kernel has no handler for it (auto)
        or sock_diag is refused at the first dump (auto)."""
        group, report = self.group, self.report
        for attempt in range(_RETRIES):
            self._new_part()
            if attempt == _RETRIES - 1:
                self.sock = _LastTry(self.sock)
            try:
                dumper(self.sock, group, set(wanted), self.states, self.ctx, self.part, bytecode=self.bytecode,
                       inet_families=self.inet_families)
            except DumpInterrupted:
                # the table changed while we read it, or replies were lost: read it again on a fresh socket
                report.interrupted[group] = report.interrupted.get(group, 0) + 1
                self.sock = _reopen(self.sock)
                if attempt == _RETRIES - 1:
                    raise
                continue
            except TableNotSupported as exc:
                self.sock = _reopen(self.sock)
                self._new_part()
                if self.source == 'auto' and group in PROC_GROUPS:
                    # as ss: the table's /proc/net file, where the kernel has no sock_diag handler for it
                    self.sources.proc[group] = 'the kernel has no sock_diag handler for it (%s)' % strerror(exc.errno)
                    self.from_proc(wanted)
                else:
                    self.unsupported[group] = str(exc)
                    if self.source == 'netlink' and group in PROC_GROUPS:
                        self.unsupported[group] += ' (source: auto reads it from /proc/net)'
            except (NetlinkError, OSError) as exc:
                if not (isinstance(self.sock, _FirstDump)
                        and _refused(exc, bool(self.bytecode) and group in _INET_GROUPS)):
                    raise
                self.sources.refused = 'the first dump (table %s) was refused: %s' % (group, _strerror(exc))
                self.sock.close()
                self.sock = None
                self._new_part()
                self.from_proc(wanted)
            if isinstance(self.sock, _LastTry):
                if self.sock.interrupted:
                    report.interrupted[group] = report.interrupted.get(group, 0) + 1
                    report.inconsistent.append(group)
                self.sock = self.sock.sock
            if isinstance(self.sock, _FirstDump) and self.sock.sent:
                self.sock = self.sock.sock        # sock_diag answered: no fallback decision after this
            return


def _reopen(sock):
    """A fresh sock_diag socket after an error or an interrupted dump (the kernel answered: the decision is made)."""
    sock.close()
    return nl.open_socket()


def _from_proc(group, wanted, states, ctx, out, unsupported, sources, source):
    """Read one group from /proc/net (source=proc, or sock_diag refused), or name it unsupported."""
    if group not in PROC_GROUPS:
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


__all__ = ['collect', 'unique', 'DumpReport', 'GROUPS', 'PROC_GROUPS', 'SOURCES', 'SOCKET_REFUSED', 'SEND_REFUSED', 'DUMP_REFUSED',
           'Sources']
