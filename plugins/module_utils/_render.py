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


def render(records, show_netid=True, show_state=True, header=True, show_process=False):
    """Return the lines of an `ss -n` listing of `records` (column padding as ss's compact mode)."""
    rows = []
    if header:
        rows.append((['Netid'] if show_netid else []) + (['State'] if show_state else [])
                    + ['Recv-Q', 'Send-Q', 'Local Address:', 'Port', 'Peer Address:', 'Port', 'Process'])
    for rec in records:
        delim = ' ' if rec['family'] == 'unix' else ':'
        rows.append((([rec['netid']] if show_netid else []) + ([rec['state']] if show_state else [])
                     + [str(rec['recv_q']), str(rec['send_q']),
                        address_cell(rec, 'local') + delim, port_cell(rec, 'local'),
                        address_cell(rec, 'peer') + (delim if rec['peer_port'] is not None else ''), port_cell(rec, 'peer'),
                        users_cell(rec) if show_process else '']))
    if not rows:
        return []
    ncol = len(rows[0])
    widths = [max(len(r[i]) for r in rows) for i in range(ncol)]
    first_addr = ncol - 5
    lines = []
    for r in rows:
        parts = []
        for i, cell in enumerate(r):
            if i in (first_addr, first_addr + 2):      # address columns: right-aligned
                parts.append((' ' if i else '') + cell.rjust(widths[i]))
            elif i in (first_addr + 1, first_addr + 3, ncol - 1):  # ports / process: glued to the address
                parts.append(cell.ljust(widths[i]) if i != ncol - 1 else (' ' + cell if cell else ''))
            else:
                parts.append((' ' if i else '') + cell.ljust(widths[i]))
        lines.append(''.join(parts).rstrip())
    return lines


__all__ = ['render', 'address_cell', 'port_cell', 'users_cell']
