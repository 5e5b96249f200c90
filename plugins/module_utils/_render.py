# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Render records as the rows `ss -n` prints (compact, non-tty layout)."""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import ETH_P_ALL, ETHERTYPES


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
            if addr not in ('0.0.0.0', '::', '*'):
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


def address_cell(rec, side, names=None):
    """The address text ss prints for one side, with IPv6 brackets and %dev."""
    addr = rec[side + '_address']
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
        return ''
    if fam in ('inet', 'inet6'):
        if port == 0:
            return '*'
        return names.service(port, _SERVICE_PROTO.get(rec['netid'])) if names is not None else str(port)
    if fam == 'netlink' and side == 'local' and names is not None:
        return names.netlink_port(port)
    if fam == 'link' and side == 'local':
        return rec.get('interface') or '*'
    return str(port)


def users_cell(rec):
    if rec['family'] == 'netlink':
        return ''   # ss -p prints no users for netlink sockets (it shows them by port id)
    procs = rec.get('processes')
    if not procs:
        return ''
    parts = []
    for p in procs:
        if 'tid' in p:
            parts.append('("%s",pid=%d,tid=%d,fd=%d)' % (p['name'], p['pid'], p['tid'], p['fd']))
        else:
            parts.append('("%s",pid=%d,fd=%d)' % (p['name'], p['pid'], p['fd']))
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


def extra_cell(rec):
    """Text ss prints after the Process column (so far: -o timers)."""
    if rec.get('timer'):
        return 'timer:(%s,%s,%d)' % (rec['timer'], format_timer_ms(rec['timer_expires_ms']), rec['timer_retrans'])
    return ''


def render(records, show_netid=True, show_state=True, header=True, show_process=False, resolve=False, services=None,
           lookups=None):
    """Return the lines of an `ss -n` listing of `records`.

    Columns as ss's compact (non-tty) layout: Netid and State only when more
    than one table / state is selected, address cells right-aligned and
    glued to their port cells, then the process and extra text. Trailing
    blanks are trimmed (as iproute2 >= 7.0 does). resolve=True names hosts
    like `ss -r`; services=True names services and netlink/packet protocols
    (ss does unless -n; this collection only with -r); lookups: a
    _host.HostLookups (default: this host).
    """
    if services is None:
        services = resolve
    names = Names(hosts=resolve, services=services, lookups=lookups) if (resolve or services) else None
    rows = []
    if header:
        rows.append(((['Netid'] if show_netid else []) + (['State'] if show_state else []),
                     ['Recv-Q', 'Send-Q'], ('Local Address:', 'Port', 'Peer Address:', 'Port'), 'Process', ''))
    for rec in records:
        delim = ' ' if rec['family'] == 'unix' else ':'
        rows.append((([rec['netid']] if show_netid else []) + ([rec['state']] if show_state else []),
                     ['%-6d' % rec['recv_q'], '%-6d' % rec['send_q']],   # ss: %-6d even with -H
                     (address_cell(rec, 'local', names) + delim, port_cell(rec, 'local', names),
                      address_cell(rec, 'peer', names) + (delim if rec['peer_port'] is not None else ''),
                      port_cell(rec, 'peer', names)),
                     (' ' + users_cell(rec)).rstrip() if show_process else '', extra_cell(rec)))
    if not rows:
        return []
    nlead = len(rows[0][0]) + 2
    lead_w = [max(len((r[0] + r[1])[i]) for r in rows) for i in range(nlead)]
    addr_w = [max(len(r[2][i]) for r in rows) for i in range(4)]
    proc_w = max(len(r[3]) for r in rows)
    lines = []
    for lead, queues, addr, proc, extra in rows:
        parts = [cell.ljust(w) for cell, w in zip(lead + queues, lead_w)]
        parts.append(addr[0].rjust(addr_w[0]) + addr[1].ljust(addr_w[1]))
        parts.append(addr[2].rjust(addr_w[2]) + addr[3].ljust(addr_w[3]))
        # ss prints the Process column with no delimiter (its "users:(" text
        # brings its own leading blank), then the extra text
        text = ' '.join(parts) + proc.ljust(proc_w)
        if extra:
            text += ' ' + extra
        lines.append(text.rstrip())
    return lines


def listing(request, records, lookups=None):
    """The rows ss prints for the records of a _request.Request: its columns, header, processes and names."""
    return render(records, show_netid=len(request.tables) > 1, show_state=bool(request.states & (request.states - 1)),
                  header=request.header, show_process=request.processes or request.threads, resolve=request.resolve,
                  services=request.services, lookups=lookups)


__all__ = ['Names', 'render', 'listing', 'address_cell', 'port_cell', 'users_cell', 'extra_cell', 'format_timer_ms']
