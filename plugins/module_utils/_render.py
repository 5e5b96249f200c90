# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Render records as the rows `ss -n` prints (compact, non-tty layout)."""

from __future__ import annotations


def address_cell(rec, side):
    """The address text ss prints for one side, with IPv6 brackets and %dev."""
    addr = rec[side + '_address']
    fam = rec['family']
    if fam == 'inet6' and addr != '*':
        addr = '[%s]' % addr
    if side == 'local' and rec.get('interface') and fam in ('inet', 'inet6'):
        addr = '%s%%%s' % (addr, rec['interface'])
    return addr


def port_cell(rec, side):
    port = rec[side + '_port']
    fam = rec['family']
    if port is None:
        return ''
    if fam in ('inet', 'inet6'):
        return '*' if port == 0 else str(port)
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


def render(records, show_netid=True, show_state=True, header=True, show_process=False):
    """Return the lines of an `ss -n` listing of `records`.

    Columns as ss's compact (non-tty) layout: Netid and State only when more
    than one table / state is selected, address cells right-aligned and
    glued to their port cells, then the process and extra text. Trailing
    blanks are trimmed (as iproute2 >= 7.0 does).
    """
    rows = []
    if header:
        rows.append(((['Netid'] if show_netid else []) + (['State'] if show_state else []),
                     ['Recv-Q', 'Send-Q'], ('Local Address:', 'Port', 'Peer Address:', 'Port'), 'Process', ''))
    for rec in records:
        delim = ' ' if rec['family'] == 'unix' else ':'
        rows.append((([rec['netid']] if show_netid else []) + ([rec['state']] if show_state else []),
                     ['%-6d' % rec['recv_q'], '%-6d' % rec['send_q']],   # ss: %-6d even with -H
                     (address_cell(rec, 'local') + delim, port_cell(rec, 'local'),
                      address_cell(rec, 'peer') + (delim if rec['peer_port'] is not None else ''), port_cell(rec, 'peer')),
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


__all__ = ['render', 'address_cell', 'port_cell', 'users_cell', 'extra_cell', 'format_timer_ms']
