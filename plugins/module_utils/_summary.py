# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Socket statistics as `ss -s` prints them, from /proc/net/sockstat{,6} and /proc/net/snmp.

No socket is dumped: the kernel keeps these counters per network namespace
(read through /proc/self/net, so they follow the namespace this process is in).
"""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.module_utils._errors import SocketToolError


def _sockstat(text):
    """{'TCP': {'inuse': 1, ...}, 'sockets': {'used': 9}, ...} from a sockstat file."""
    out = {}
    for line in text.splitlines():
        name, _sep, rest = line.partition(':')
        words = rest.split()
        out[name.strip()] = dict((words[i], int(words[i + 1])) for i in range(0, len(words) - 1, 2)
                                 if _is_int(words[i + 1]))
    return out


def _is_int(word):
    """Whether int() reads the word (a value ss's sscanf would not read is left out: it counts 0)."""
    try:
        int(word)
    except ValueError:
        return False
    return True


def _snmp_tcp(text):
    """The Tcp: counters of /proc/net/snmp as a dict."""
    rows = [line.split()[1:] for line in text.splitlines() if line.startswith('Tcp:')]
    if len(rows) < 2:
        return {}
    return dict((k, int(v)) for k, v in zip(rows[0], rows[1]) if _is_int(v))


def _request_socks(text):
    """TCP request sockets from /proc/slabinfo, as ss counts them (a 'tcp_open_request' slab; absent on modern kernels)."""
    for line in text.splitlines():
        if line.startswith('tcp_open_request'):
            parts = line.split()
            if len(parts) > 1 and parts[1].isdigit():
                return int(parts[1])
    return 0


def _read(path, required=True):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')
    except OSError as exc:
        if required:
            raise SocketToolError('cannot read %s for the socket summary: %s' % (path, exc.strerror))
        return ''


def read_summary(proc='/proc'):
    """The numbers `ss -s` prints, as a dict."""
    v4 = _sockstat(_read(proc + '/net/sockstat'))
    v6 = _sockstat(_read(proc + '/net/sockstat6', required=False))
    tcp_snmp = _snmp_tcp(_read(proc + '/net/snmp', required=False))
    syns = _request_socks(_read(proc + '/slabinfo', required=False))

    def get(table, proto, key):
        return table.get(proto, {}).get(key, 0)

    tcp = v4.get('TCP', {})
    alloc, tw = tcp.get('alloc', 0), tcp.get('tw', 0)
    transport = {}
    for name, p4, p6 in (('raw', 'RAW', 'RAW6'), ('udp', 'UDP', 'UDP6'), ('tcp', 'TCP', 'TCP6'), ('frag', 'FRAG', 'FRAG6')):
        ipv4, ipv6 = get(v4, p4, 'inuse'), get(v6, p6, 'inuse')
        transport[name] = {'total': ipv4 + ipv6, 'ipv4': ipv4, 'ipv6': ipv6}
    transport['inet'] = dict((k, sum(transport[t][k] for t in ('raw', 'udp', 'tcp'))) for k in ('total', 'ipv4', 'ipv6'))
    return {
        'total': get(v4, 'sockets', 'used'),
        'tcp': {
            'total': alloc + syns + tw,
            'estab': tcp_snmp.get('CurrEstab', 0),
            'closed': alloc - (transport['tcp']['ipv4'] + transport['tcp']['ipv6'] - tw),
            'orphaned': tcp.get('orphan', 0),
            'timewait': tw,
        },
        'transport': transport,
    }


def summary_lines(s):
    """The summary as ss -s prints it."""
    t = s['tcp']
    lines = ['Total: %d' % s['total'],
             'TCP:   %d (estab %d, closed %d, orphaned %d, timewait %d)' % (
                 t['total'], t['estab'], t['closed'], t['orphaned'], t['timewait']),
             '',
             'Transport Total     IP        IPv6']
    for name in ('raw', 'udp', 'tcp', 'inet', 'frag'):
        row = s['transport'][name]
        lines.append(('%s\t  %-9d %-9d %-9d' % (name.upper(), row['total'], row['ipv4'], row['ipv6'])).rstrip())
    lines.append('')    # ss ends the summary with a blank line
    return lines


__all__ = ['read_summary', 'summary_lines']
