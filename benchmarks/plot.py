# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Draw a result of benchmarks/run.py as an SVG bar chart (standard library only).

    python benchmarks/plot.py benchmarks/results/RESULT.json docs/images/performance.svg

benchmarks/run.py calls it at the end of every run (the default run writes
docs/images/performance.svg). One row per contender, one bar per socket
count, median wall time on a logarithmic axis, the ratio to the row's
reference (`ss` of the same query, measured in the same run) printed beside
the bar of the largest count. Rows are grouped by what they list.
"""

from __future__ import annotations

import json
import math
import sys
from xml.sax.saxutils import escape

# (group title, [(contender, label)]): what the chart shows, in this order; absent contenders are left out
GROUPS = [
    ('Every TCP socket, as ss -tan lists them', [
        ('ss_tan', 'ss -tan'),
        ('gather_tan', 'netdiag.ss collector, in-process'),
        ('psutil', "psutil.net_connections('tcp'), in-process"),
        ('pyroute2', 'pyroute2 DiagSocket.get_sock_stats, in-process'),
        ('module_nolines', 'socket_facts module, whole process'),
        ('ansible_nolines', 'ansible -m netdiag.ss.socket_facts'),
        ('floor_nolines', 'the floor: ansible -m, same facts, no work'),
    ]),
    ('Listening TCP and UDP sockets with their processes', [
        ('ss_tulnp', 'ss -tulnp'),
        ('ansible_tulnp', 'ansible -m netdiag.ss.socket_facts (-tulnp)'),
        ('listen_ports', 'ansible -m community.general.listen_ports_facts'),
    ]),
]
COLOURS = ['#9ecae1', '#4292c6', '#08519c', '#08306b']
ROW_H, BAR_H, LEFT, WIDTH, RIGHT = 34, 8, 330, 900, 190


def _ticks(lo, hi):
    out, t = [], 10.0 ** math.floor(math.log10(lo))
    while t <= hi * 1.0001:
        for m in (1, 3):
            if lo <= t * m <= hi:
                out.append(t * m)
        t *= 10
    return out


def _seconds(x):
    return '%g s' % float('%.2g' % x) if x >= 0.1 else '%g ms' % float('%.2g' % (x * 1000))


def render(results):
    """The SVG text for a result dict of benchmarks/run.py."""
    sizes = sorted(results['sizes'], key=int)
    rows = []                       # (kind, text, {size: entry}, contender)
    for title, members in GROUPS:
        group = []
        for name, label in members:
            entries = dict((s, results['sizes'][s]['contenders'][name]) for s in sizes
                           if name in results['sizes'][s]['contenders'])
            if entries:
                group.append(('bar', label, entries, name))
        if group:
            rows.append(('title', title, None, None))
            rows.extend(group)
    values = [e['median'] for kind, _t, entries, _n in rows if kind == 'bar' for e in entries.values()]
    if not values:
        raise ValueError('no contender of the chart in this result')
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = next(t for t in _ticks(lo, max(values) * 100) if t >= max(values) * 1.05)
    span = math.log10(hi) - math.log10(lo)
    plot_w = WIDTH - LEFT - RIGHT

    def x(v):
        return LEFT + plot_w * (math.log10(v) - math.log10(lo)) / span

    top = 70
    height = top + ROW_H * len(rows) + 60
    m = results.get('machine', {})
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">' % (WIDTH, height, WIDTH, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="22" font-size="15" font-weight="bold">Time to list sockets, median wall time '
           '(logarithmic; shorter is better)</text>',
           '<text x="10" y="42" fill="#444">%s</text>' % escape(
               '%s cores, %s; kernel %s, Python %s, ansible-core %s, %s; %s' % (
                   m.get('cores'), m.get('cpu'), m.get('kernel'), m.get('python'), m.get('ansible_core'),
                   m.get('ss'), (m.get('date') or '')[:10]))]
    for i, s in enumerate(sizes):
        lx = LEFT + i * 150
        out.append('<rect x="%d" y="52" width="12" height="10" fill="%s"/>' % (lx, COLOURS[i % len(COLOURS)]))
        out.append('<text x="%d" y="61">%s sockets</text>' % (lx + 16, '{:,}'.format(int(s))))
    bottom = top + ROW_H * len(rows)
    for t in _ticks(lo, hi):
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (x(t), top, x(t), bottom))
        out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#444">%s</text>' % (x(t), bottom + 16, _seconds(t)))
    largest = sizes[-1]
    y = top
    for kind, text, entries, name in rows:
        if kind == 'title':
            out.append('<text x="10" y="%d" font-weight="bold">%s</text>' % (y + 22, escape(text)))
            y += ROW_H
            continue
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (LEFT - 8, y + ROW_H // 2 + 4, escape(text)))
        for i, s in enumerate(sizes):
            e = entries.get(s)
            if not e:
                continue
            by = y + 5 + i * BAR_H
            out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s sockets: %s</title></rect>'
                       % (LEFT, by, max(1.0, x(e['median']) - LEFT), BAR_H - 1, COLOURS[i % len(COLOURS)], s,
                          _seconds(e['median'])))
        e = entries.get(largest)
        if e:
            ref = results['sizes'][largest]['contenders'].get(e.get('reference'))
            note = _seconds(e['median'])
            if ref and e.get('reference') != name and not name.startswith('ss_'):
                short = 'the floor' if e['reference'].startswith('floor') else ref['label'].split(',')[0]
                ratio = e['median'] / ref['median']
                note += ' (%s %s)' % ('%.1fx' % ratio if ratio < 10 else '%.0fx' % ratio, short)
            out.append('<text x="%.1f" y="%d" fill="#222">%s</text>' % (
                x(e['median']) + 4, y + 5 + (len(sizes) - 1) * BAR_H + BAR_H - 1, escape(note)))
        y += ROW_H
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>' % (LEFT, top, LEFT, bottom))
    out.append('<text x="10" y="%d" fill="#444">%s</text>' % (bottom + 40, escape(
        'benchmarks/run.py: %s repetitions, contenders in turns; ratios to the reference of the same run '
        '(docs/performance.md)' % results.get('config', {}).get('repeat', '?'))))
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        sys.exit('usage: plot.py RESULT.json OUT.svg')
    with open(argv[0]) as f:
        results = json.load(f)
    with open(argv[1], 'w') as f:
        f.write(render(results))
    print('plot: %s' % argv[1])


if __name__ == '__main__':
    main()
