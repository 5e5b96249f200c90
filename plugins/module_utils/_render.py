# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Render records as the rows `ss -n` prints (compact, non-tty layout)."""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._schema import SKMEM_FIELDS
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import ETH_P_ALL, ETHERTYPES, PROTOCOL_NETIDS


class Names(object):
    """Name lookups for `ss -r` output, each answer cached (ss caches them too)."""

    def __init__(self, hosts=True, services=True, lookups=None):
        self.hosts = hosts
        self.services = services
        self.lookups = lookups or HostLookups()
        self._hosts = {}
        self._services = {}
        self._nl = None
        self._ll = None

    def host(self, addr):
        """Reverse-resolve an address like ss -r; unresolvable addresses stay numeric."""
        if not self.hosts:
            return addr
        name = self._hosts.get(addr)
        if name is None:
            name = addr
            if addr != '*':
                # ss resolves 0.0.0.0 (and :: of a v6only socket) like any address: an /etc/hosts line names it
                name = self.lookups.host_name(addr) or addr
            self._hosts[addr] = name
        return name

    def service(self, port, proto):
        """Service name for a port (not for ports in the ephemeral range), else the number."""
        if not self.services:
            return str(port)
        low, high = self.lookups.ephemeral_range()
        if low <= port <= high:
            return str(port)
        key = (port, proto)
        name = self._services.get(key)
        if name is None:
            name = self._services[key] = self.lookups.service_name(port, proto) or str(port)
        return name

    def protocol(self, number):
        """A raw socket's port (its IP protocol) as ss -r prints it: the /etc/protocols name, else ipproto-N."""
        if not self.services:
            return str(number)
        return self.lookups.protocol_name(number) or 'ipproto-%d' % number

    def netlink_protocol(self, number):
        if not self.services:
            return str(number)
        if self._nl is None:
            self._nl = dict((v, k) for k, v in self.lookups.netlink_protocols().items())
        return self._nl.get(number, str(number))

    def netlink_port(self, portid):
        """ss: 'kernel' for 0, 'comm/pid' when a process of that pid exists, else the number."""
        if not self.services:
            return str(portid)
        if portid == 0:
            return 'kernel'
        if portid > 0:
            comm = self.lookups.task_name(portid)
            if comm is not None:
                return '%s/%d' % (comm, portid)
        return str(portid)

    def ethertype(self, number):
        if not self.services:
            return '[%d]' % number
        if self._ll is None:
            self._ll = dict((v, k) for k, v in ETHERTYPES.items() if v != ETH_P_ALL)
        return self._ll.get(number, '[%d]' % number)


_SERVICE_PROTO = {'tcp': 'tcp', 'udp': 'udp'}
_PORTS_ALWAYS = ('inet', 'inet6', 'unix')   # families whose rows always have a port column
VMADDR_PORT_ANY = 0xffffffff        # a vsock port ss prints as '*'


def address_cell(rec, side, names=None):
    """The address text ss prints for one side, with IPv6 brackets and %dev ('*' where it is unknown: a netlink peer
    read from /proc/net, which ss's /proc mode prints as '*')."""
    addr = rec[side + '_address']
    if addr is None:
        return '*'
    fam = rec['family']
    if names is not None:
        if fam in ('inet', 'inet6') and addr != '*':
            name = names.host(addr)
            if name != addr:
                return name if side == 'peer' or not rec.get('interface') else '%s%%%s' % (name, rec['interface'])
        elif fam == 'netlink' and side == 'local':
            return names.netlink_protocol(int(addr))
        elif fam == 'link' and side == 'local' and addr.startswith('['):
            return names.ethertype(int(addr[1:-1]))
    if fam == 'inet6' and addr != '*':
        addr = '[%s]' % addr
    if side == 'local' and rec.get('interface') and fam in ('inet', 'inet6'):
        addr = '%s%%%s' % (addr, rec['interface'])
    return addr


def port_cell(rec, side, names=None):
    port = rec[side + '_port']
    fam = rec['family']
    if port is None:
        # unknown (read from /proc/net): what ss's /proc mode prints there, '*' for an inet port and 0 for a unix
        # peer's inode; else the record has no port where ss prints none
        return '*' if fam in ('inet', 'inet6') else '0' if fam == 'unix' else ''
    if fam in ('inet', 'inet6'):
        if port == 0:
            return '*'
        if names is None:
            return str(port)
        if rec['netid'] == 'raw':
            return names.protocol(port)     # both sides: ss resolves every raw "port" as a protocol
        return names.service(port, _SERVICE_PROTO.get(rec['netid']))
    if fam == 'netlink' and side == 'local' and names is not None:
        return names.netlink_port(port)
    if fam == 'link' and side == 'local':
        return rec.get('interface') or '*'
    if fam == 'vsock' and port == VMADDR_PORT_ANY:
        return '*'
    if fam == 'xdp':
        return 'q%d' % port      # the queue id of a bound socket (ss: "q%d")
    return str(port)


def is_association(rec):
    """Whether a record is an SCTP association (listed under its endpoint's row)."""
    return rec['netid'] == 'sctp' and (rec.get('sctp') or {}).get('endpoint') is not None


def netid_cell(rec):
    """The Netid column: the record's netid, but for a raw socket listed by raw sock_diag the name ss gives its
    protocol (icmp6, udp, ..., '???' for others, B-21), and nothing for an SCTP association."""
    netid = rec['netid']
    if netid == 'raw' and rec['cookie'] is not None:
        return PROTOCOL_NETIDS.get(rec['local_port'], '???')
    if netid == 'sctp' and is_association(rec):
        return ''
    return netid


def state_cell(rec):
    """The State column: the record's state, "`- STATE" for an SCTP association (ss's sock_state_print)."""
    if rec['netid'] == 'sctp' and is_association(rec):
        return '`- ' + rec['state']
    return rec['state']


def users_cell(rec):
    if rec['family'] == 'netlink':
        return ''   # ss -p prints no users for netlink sockets (it shows them by port id)
    procs = rec.get('processes')
    if not procs:
        return ''
    parts = []
    for p in procs:
        text = '("%s",pid=%d' % (p['name'], p['pid'])
        if 'tid' in p:
            text += ',tid=%d' % p['tid']
        if 'context' in p:
            text += ',proc_ctx=%s' % (p['context'] or 'unavailable')
        text += ',fd=%d' % p['fd']
        if 'socket_context' in p:
            text += ',sock_ctx=%s' % (p['socket_context'] or 'unavailable')
        parts.append(text + ')')
    return 'users:(' + ','.join(parts) + ')'


def format_timer_ms(ms):
    """A timer's remaining time as ss prints it.

    The iproute2 >= 6.11 form ('4.796sec'); 6.1.0 printed '4.796ms' for the
    same 4.796 seconds (quirk B-15), which we do not copy.
    """
    minutes, seconds, millis = ms // 60000, (ms // 1000) % 60, ms % 1000
    out = ''
    if minutes:
        out += '%dmin' % minutes
        millis = 0
        if minutes > 9:
            seconds = 0
    if seconds:
        if seconds > 9:
            millis = 0
        out += '%d%s' % (seconds, '.' if millis else 'sec')
    if millis:
        out += '%03d%s' % (millis, 'sec' if seconds else 'ms')
    return out


def timer_text(rec):
    """ss -o's timer text, or ''."""
    if rec.get('timer'):
        return 'timer:(%s,%s,%d)' % (rec['timer'], format_timer_ms(rec['timer_expires_ms']), rec['timer_retrans'])
    return ''


def extra_cell(rec):
    """What follows the Process column when no detail option is given: the timer (-o), with its leading blank."""
    text = timer_text(rec)
    return ' ' + text if text else ''


def _hex(value):
    """C's %#x: 0 prints as 0."""
    return '0x%x' % value if value else '0'


def skmem_text(skmem):
    """ss -m's ` skmem:(...)`, or ''."""
    if not skmem:
        return ''
    text = ' skmem:(r%d,rb%d,t%d,tb%d,f%d,w%d,o%d' % tuple(skmem.get(k, 0) for k in SKMEM_FIELDS[:7])
    if 'backlog' in skmem:
        text += ',bl%d' % skmem['backlog']
    if 'drops' in skmem:
        text += ',d%d' % skmem['drops']
    return text + ')'


class DetailText(object):
    """The text ss prints after a socket's Process column for the detail options (-o -e -m -i --tos ...).

    A call returns the text for one record; '\n\t' (a space with -O, as ss
    does) starts a continuation line. before_process(rec) is the text ss
    prints before the process column (tipc's -e); render() places it.
    """

    def __init__(self, details=frozenset(), timers=False, oneline=False, numeric=True, host=None):
        self.details = details
        self.timers = timers
        self.oneline = oneline
        self.newline = ' ' if oneline else '\n\t'       # before text that has no leading blank of its own
        self.wrap = '' if oneline else '\n\t'           # before text that has one (skmem, tcp info)
        self.numeric = numeric
        self.host = host            # callable(address text) -> what ss -r prints (SCTP locals and peers, md5keys), or None
        # vsock: ss prints nothing for -e or -m
        self.by_family = {'inet': self.inet, 'inet6': self.inet, 'unix': self.unix, 'link': self.packet,
                          'netlink': self.netlink, 'tipc': self.tipc, 'xdp': self.xdp}

    def __call__(self, rec):
        text = (' ' + timer_text(rec)) if self.timers and rec.get('timer') else ''
        if self.details:
            family_text = self.by_family.get(rec['family'])
            if family_text is not None:
                text += family_text(rec)
        return text

    def before_process(self, rec):
        """ss's text before the process column: tipc prints -e's uid, inode and cookie there (tipc_show_sock)."""
        if rec['family'] == 'tipc' and rec.get('extended') is not None:
            return self.sock_details(rec)
        return ''

    @staticmethod
    def sock_details(rec):
        """ss's sock_details_print: uid, inode, cookie (mark and cgroup for inet)."""
        text = ' uid:%d' % rec['uid'] if rec.get('uid') else ''
        return text + ' ino:%d sk:%x' % (rec['inode'], rec['cookie'])

    def inet(self, rec):
        if rec['cookie'] is None:
            # read from /proc (_proc_net): ss's dgram_show_line prints no detail text at all
            return ''
        d = self.details
        text = ''
        ext = rec.get('extended')
        if ext is not None:
            text += self.sock_details(rec)
            if ext['mark']:
                text += ' fwmark:0x%x' % ext['mark']
            if ext['cgroup_id']:
                text += ' cgroup:%s' % ext['cgroup']
            if ext['v6only'] is not None and rec['family'] == 'inet6':
                text += ' v6only:%d' % ext['v6only']
            if ext['shutdown']:
                text += ' ' + ext['shutdown']
        tos = rec.get('tos')
        if tos is not None:
            for key in ('tos', 'tclass', 'class_id'):
                if tos[key] is not None:
                    text += ' %s:%s' % (key, _hex(tos[key]))
        if rec.get('cgroup') is not None:
            text += ' cgroup:%s' % rec['cgroup']
        if rec.get('sockopt') is not None:
            text += self.newline + 'inet-sockopt: (' + ''.join(' ' + name for name in rec['sockopt']) + ')'
        # ss: show_mem || (show_tcpinfo && type != IPPROTO_UDP), type being a raw socket's own protocol
        udp = rec['netid'] == 'udp' or (rec['netid'] == 'raw' and rec['local_port'] == 17)
        if 'memory' in d or ('info' in d and not udp):
            if rec['netid'] == 'sctp':
                # sctp_show_info: skmem, the locals and peers (in the record's `sctp` key), sctp_info's stats
                from ansible_collections.netdiag.ss.plugins.module_utils._diag_sctp import sctp_text
                text += self.wrap + skmem_text(rec.get('skmem')) + sctp_text(rec, self.host)
            elif rec.get('info') is not None:
                from ansible_collections.netdiag.ss.plugins.module_utils._inet_info import info_text
                text += info_text(rec['info'], rec['state'], skmem_text=skmem_text(rec.get('skmem')),
                                  show_options=self.timers, numeric=self.numeric, oneline=self.wrap == '', host=self.host)
            else:
                text += self.wrap + skmem_text(rec.get('skmem'))
        return text

    def unix(self, rec):
        text = skmem_text(rec.get('skmem'))
        ext = rec.get('extended')
        if ext is not None:
            if ext['shutdown']:
                text += ' ' + ext['shutdown']
            if ext['vfs']:
                text += ' ino:%d dev:%d/%d' % (ext['vfs']['inode'], ext['vfs']['dev_major'], ext['vfs']['dev_minor'])
            if ext['icons'] is not None:
                text += ' peers:' + ''.join(' %d' % ino for ino in ext['icons'])
        return text

    def packet(self, rec):
        text = ''
        ext = rec.get('extended')
        if ext is not None:
            text += self.sock_details(rec)
            if ext['version'] is not None:
                flags = ext['flags']
                text += '%sver:%d cpy_thresh:%d flags( %s%s )' % (
                    self.newline, ext['version'], ext['copy_thresh'], 'running' if 'running' in flags else '',
                    ''.join(' ' + f for f in flags if f != 'running') or ('' if flags else '0'))
            for ring in ('ring_rx', 'ring_tx'):
                if ext[ring]:
                    r = ext[ring]
                    text += '%s%s(blk_size:%d,blk_nr:%d,frm_size:%d,frm_nr:%d,tmo:%d,features:0x%x)' % (
                        self.newline, ring, r['block_size'], r['block_nr'], r['frame_size'], r['frame_nr'],
                        r['retire_tmo'], r['features'])
            if ext['fanout']:
                text += '%sfanout(id:%d,type:%s)' % (self.newline, ext['fanout']['id'], ext['fanout']['type'])
        if rec.get('bpf') is not None:
            text += '%sbpf filter (%d): ' % (self.newline, len(rec['bpf'])) + ''.join(
                ' 0x%02x %d %d %d,' % tuple(op) for op in rec['bpf'])
        return text + skmem_text(rec.get('skmem'))

    def netlink(self, rec):
        text = ''
        if 'context' in self.details:
            text += ' proc_ctx=%s' % (rec.get('context') or 'unavailable')
        if rec.get('extended') is not None:
            text += ' sk=0 cb=0 groups=0x%08x' % rec['extended']['groups']
        if rec.get('skmem'):
            text += '\t' + skmem_text(rec['skmem'])
        return text

    def tipc(self, rec):
        """--tipcinfo (tipc_show_sock): a new line starting with a blank (not a tab), or a blank with -O."""
        info = rec.get('tipc_info')
        if info is None:
            return ''
        text = '%s type:%s cong:%s  drop:%d ' % ('' if self.oneline else '\n', info['type'], info['cong'], info['drop'])
        if info['publ']:
            text += ' publ'
        if info['via'] is not None:
            text += ' via {%d,%d} ' % (info['via']['type'], info['via']['inst'])
        return text

    def xdp(self, rec):
        """-e (xdp_stats_print, xdp_show_sock): uid, inode, cookie, then rings, umem and statistics; -m: skmem.

        With -O, ss 6.1.0 prints 'tumem(' for 'umem(' (B-26); we print 'umem('.
        """
        text = ''
        ext = rec.get('extended')
        if ext is not None:
            text += self.sock_details(rec)
            for key, label in (('ring_rx', 'rx'), ('ring_tx', 'tx')):
                if ext[key] is not None:
                    text += '%s%s(entries:%d)' % (self.newline, label, ext[key]['entries'])
            umem = ext['umem']
            if umem is not None:
                text += '%sumem(id:%d,size:%d,num_pages:%d,chunk_size:%d,headroom:%d,ifindex:%d,qid:%d,zc:%d,refs:%d)' % (
                    self.newline, umem['id'], umem['size'], umem['num_pages'], umem['chunk_size'], umem['headroom'],
                    umem['ifindex'], umem['queue_id'], umem['zerocopy'], umem['refs'])
                for key, label in (('ring_fill', 'fr'), ('ring_completion', 'cr')):
                    if ext[key] is not None:
                        text += '%s%s(entries:%d)' % (self.newline, label, ext[key]['entries'])
            stats = ext['stats']
            if stats is not None:
                text += ('%sstats(rx dropped:%d,rx invalid:%d,rx queue full:%d,rx fill ring empty:%d,tx invalid:%d,'
                         'tx ring empty:%d)') % (self.newline, stats['rx_dropped'], stats['rx_invalid'], stats['rx_full'],
                                                 stats['fill_ring_empty'], stats['tx_invalid'], stats['tx_ring_empty'])
        return text + skmem_text(rec.get('skmem'))


def render(records, show_netid=True, show_state=True, header=True, show_process=False, resolve=False, services=None,
           lookups=None, extra=extra_cell):
    """Return the lines of an `ss -n` listing of `records`.

    Columns as ss's compact (non-tty) layout: Netid and State only when more
    than one table / state is selected, address cells right-aligned and
    glued to their port cells (no delimiter where the record has no port:
    xdp's unbound '*', tipc's unconnected '-'), then the process and extra
    text. Trailing blanks are trimmed (as iproute2 >= 7.0 does).
    resolve=True names hosts like `ss -r`; services=True names services and
    netlink/packet protocols (ss does unless -n; this collection only with
    -r); lookups: a
    _host.HostLookups (default: this host); extra: callable(record) -> the
    text after the Process column (a DetailText), where '\n' starts a
    continuation line of its own (the text brings its own leading blank);
    its before_process(record), if it has one, is the text ss prints before
    the process (tipc's -e).
    """
    return render_groups((records,), show_netid, show_state, header, show_process, resolve, services, lookups,
                         extra)[0]


def render_groups(groups, show_netid=True, show_state=True, header=True, show_process=False, resolve=False,
                  services=None, lookups=None, extra=extra_cell):
    """render() of each list of records in `groups`, with one set of column widths for them all (so that a diff's
    before and after line up); each group's records are rendered once, not again for the other groups' widths."""
    if services is None:
        services = resolve
    names = Names(hosts=resolve, services=services, lookups=lookups) if (resolve or services) else None
    head = ((['Netid'] if show_netid else []) + (['State'] if show_state else []),
            ['Recv-Q', 'Send-Q'], ('Local Address:', 'Port', 'Peer Address:', 'Port'), 'Process', '')
    before = getattr(extra, 'before_process', None)
    grouped = []
    for records in groups:
        rows = [head] if header else []
        for rec in records:
            fam = rec['family']
            delim = ' ' if fam == 'unix' else ':'
            lead = before(rec) if before is not None else ''
            # a port is unknown (None) only in a record read from /proc/net, where ss prints one (see port_cell)
            peer_delim = rec['peer_port'] is not None or (fam in _PORTS_ALWAYS and rec['peer_address'] is not None)
            rows.append((([netid_cell(rec)] if show_netid else []) + ([state_cell(rec)] if show_state else []),
                         # ss: %-6d even with -H; a queue /proc/net does not have is 0 in ss's /proc mode
                         ['%-6d' % (rec['recv_q'] or 0), '%-6d' % (rec['send_q'] or 0)],
                         (address_cell(rec, 'local', names) + (delim if rec['local_port'] is not None else ''),
                          port_cell(rec, 'local', names),
                          address_cell(rec, 'peer', names) + (delim if peer_delim else ''),
                          port_cell(rec, 'peer', names)),
                         (lead + ' ' + users_cell(rec)).rstrip() if show_process else '',
                         extra(rec) if show_process else lead + extra(rec)))
        grouped.append(rows)
    every = grouped[0] if len(grouped) == 1 else [row for rows in grouped for row in rows]
    if not every:
        return [[] for _rows in grouped]
    nlead = len(head[0]) + 2
    lead_w = [max(len((r[0] + r[1])[i]) for r in every) for i in range(nlead)]
    addr_w = [max(len(r[2][i]) for r in every) for i in range(4)]
    proc_w = max(len(r[3]) for r in every)
    out = []
    for rows in grouped:
        lines = []
        for lead, queues, addr, proc, more in rows:
            parts = [cell.ljust(w) for cell, w in zip(lead + queues, lead_w)]
            parts.append(addr[0].rjust(addr_w[0]) + addr[1].ljust(addr_w[1]))
            parts.append(addr[2].rjust(addr_w[2]) + addr[3].ljust(addr_w[3]))
            # ss prints the Process column with no delimiter (its "users:(" text
            # brings its own leading blank), then the extra text
            text = ' '.join(parts) + proc.ljust(proc_w) + more
            lines.extend(line.rstrip() for line in text.split('\n'))
        out.append(lines)
    return out


def listing(request, records, lookups=None):
    """The rows ss prints for the records of a _request.Request: its columns, header, processes, names and details."""
    return listings(request, (records,), lookups)[0]


def listings(request, groups, lookups=None):
    """listing() of each list of records in `groups`, with one set of column widths for them all (render_groups)."""
    host = Names(hosts=True, services=False, lookups=lookups).host if request.resolve else None
    extra = DetailText(request.details, request.timers, request.oneline, numeric=not request.services, host=host) \
        if request.details or request.timers else extra_cell
    return render_groups(groups, show_netid=len(request.tables) > 1,
                         show_state=bool(request.states & (request.states - 1)), header=request.header,
                         show_process=request.processes or request.threads, resolve=request.resolve,
                         services=request.services, lookups=lookups, extra=extra)


__all__ = ['Names', 'render', 'render_groups', 'listing', 'listings', 'address_cell', 'port_cell', 'netid_cell', 'state_cell', 'is_association',
           'users_cell', 'extra_cell', 'timer_text', 'skmem_text',
           'DetailText', 'format_timer_ms']
