# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_inet_info against the real ss on live sockets: the -i text of every TCP, MPTCP and UDP socket, token by token.

A helper process inside the namespace dumps the sockets with the
collection's transport (_netlink.dump of _diag_inet.inet_request with the
-i extension bits, plus SKMEMINFO for -m) and sends back, per socket, what
decode_info() made of its attributes. The test renders that with
info_text() (skmem with a small formatter of its own) and compares it with
what ss prints for the same socket, found by (family, local port, peer port).

Two tools cannot read the kernel at the same instant, so each comparison
reads it three times: our dump, ss, our dump again. A token that is the
same in both our reads must be exactly ss's token (text and all); a token
that moved between them (lastsnd, busy, rates and rtt of active
connections, skmem of a busy socket...) must show in ss with the same
form and every number between our two values (printing is monotonic, so
this holds after ss's rounding too). Tokens in only one of our reads may or
may not be in ss's. A difference is retried up to three times (with a
warning), as conftest.compare_with_ss does.

iproute2 6.1.0 prints MD5 keys with printf() outside its column buffer:
they come out before the table and its token reads `md5keys:ADDR/PLEN=,...`.
The test expects exactly that, from our text (see _inet_info).
"""

from __future__ import annotations

import collections
import json
import os
import re
import socket
import subprocess
import sys
import warnings

import pytest

from conftest import COLLECTIONS, Netns, need_root, run_module, run_ss

from ansible_collections.netdiag.ss.plugins.module_utils import _diag_inet as di
from ansible_collections.netdiag.ss.plugins.module_utils import _inet_info as ii

HELPER = r'''
import json, os, socket, struct, sys
from ansible_collections.netdiag.ss.plugins.module_utils import _netlink as nl
from ansible_collections.netdiag.ss.plugins.module_utils import _diag_inet as di
from ansible_collections.netdiag.ss.plugins.module_utils import _inet_info as ii
from ansible_collections.netdiag.ss.plugins.module_utils._diag import attr_map

keep = []


def sysctl(name, value):
    with open('/proc/sys/net/ipv4/' + name, 'w') as f:
        f.write(str(value))


def listener(port, family=socket.AF_INET, addr='127.0.0.1', cc=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if cc:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc)
    s.bind((addr, port))
    s.listen(8)
    keep.append(s)
    return s


def pair(lsock, cc=None):
    c = socket.socket(lsock.family, socket.SOCK_STREAM)
    if cc:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc)
    c.connect(lsock.getsockname()[:2])
    a, _peer = lsock.accept()
    keep.extend((c, a))
    return c, a


def md5_key(sock, family, addr, key, prefix=None):
    """TCP_MD5SIG (14), or TCP_MD5SIG_EXT (32) with TCP_MD5SIG_FLAG_PREFIX for a prefix key."""
    if family == socket.AF_INET:
        sa = struct.pack('=HH4s', family, 0, socket.inet_aton(addr))
    else:
        sa = struct.pack('=HHI16sI', family, 0, 0, socket.inet_pton(family, addr), 0)
    opt = struct.pack('=BBHI', 1 if prefix is not None else 0, prefix or 0, len(key), 0) + key.ljust(80, b'\0')
    sock.setsockopt(socket.IPPROTO_TCP, 32 if prefix is not None else 14, sa.ljust(128, b'\0') + opt)


def extras():
    """Sockets the shared fixture does not have: MD5 keys, cubic and reno, ECN, TCP Fast Open."""
    made = {'skipped': []}
    for name, value in (('tcp_ecn', 1), ('tcp_fastopen', 3)):
        try:
            sysctl(name, value)
        except OSError as exc:
            made['skipped'].append('%s: %s' % (name, exc))
    l4 = listener(5301)
    l6 = listener(5302, socket.AF_INET6, '::1')
    try:
        md5_key(l4, socket.AF_INET, '127.0.0.2', b'se cret,\\\x01\xff~')
        md5_key(l4, socket.AF_INET, '10.1.0.0', b'pfx', 16)
        md5_key(l4, socket.AF_INET, '127.0.0.1', b'lo')      # a name with -r (localhost in /etc/hosts)
        md5_key(l6, socket.AF_INET6, '2001:db8::1', b'six')
        md5_key(l6, socket.AF_INET6, '::ffff:127.0.0.3', b'mapped')
        made['md5'] = True
    except OSError as exc:
        made['skipped'].append('md5: %s' % exc)
    for port, cc in ((5311, b'cubic'), (5312, b'reno')):
        try:
            c, a = pair(listener(port, cc=cc), cc)
        except OSError as exc:
            made['skipped'].append('%s: %s' % (cc, exc))
            continue
        c.sendall(b'x' * 100000)
        got = 0
        while got < 100000:
            got += len(a.recv(1 << 20))
        a.sendall(b'y' * 3000)
    tfo = listener(5313)
    try:
        tfo.setsockopt(socket.IPPROTO_TCP, 23, 16)            # TCP_FASTOPEN
        for i in range(2):                                    # the first gets a cookie, the second uses it
            c = socket.socket()
            c.sendto(b'tfo%d' % i, 0x20000000, tfo.getsockname())   # MSG_FASTOPEN
            a, _peer = tfo.accept()
            keep.extend((c, a))
    except OSError as exc:
        made['skipped'].append('fastopen: %s' % exc)
    return made


made = extras() if 'extras' in sys.argv else {}
sock = nl.open_socket()
wanted = di.detail_attrs({'info', 'memory'}) | {di.INET_DIAG_MEMINFO}
made['pid'] = os.getpid()
print(json.dumps(made), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    rows, errors = [], []
    for table in req['tables']:
        for family in (socket.AF_INET, socket.AF_INET6):
            try:
                for buf, msgs in nl.dump(sock, di.inet_request(family, table, 0xfff, ext=req['ext']), table):
                    for off, mlen in msgs:
                        state = buf[off + 17]
                        sport, dport = struct.unpack_from('>HH', buf, off + 20)
                        attrs = attr_map(buf, off + 16 + 72, off + mlen, wanted)   # as socket_facts reads them
                        sk = attrs.get(di.INET_DIAG_SKMEMINFO)
                        rows.append({'family': buf[off + 16], 'state': state, 'sport': sport, 'dport': dport,
                                     'info': ii.decode_info(table, attrs, state),
                                     'skmem': list(struct.unpack('=%dI' % (len(sk) // 4), sk)) if sk else None})
            except Exception as exc:
                errors.append('%s/%d: %s' % (table, family, exc))
    print(json.dumps({'rows': rows, 'errors': errors}), flush=True)
'''


class Dumper(object):
    """The helper above, running inside a namespace; dump() asks it for one dump of some tables."""

    def __init__(self, ns, extras=False):
        env = dict(os.environ, PYTHONPATH=COLLECTIONS)
        argv = ns.exec_argv([sys.executable, '-c', HELPER] + (['extras'] if extras else []))
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, universal_newlines=True)
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError('the dump helper died before it was ready (rc %s)' % self.proc.returncode)
        self.made = json.loads(line)

    def dump(self, tables, ext):
        self.proc.stdin.write(json.dumps({'tables': tables, 'ext': ext}) + '\n')
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if answer['errors']:
            raise RuntimeError('dump failed: %s' % '; '.join(answer['errors']))
        return answer['rows']

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope='module')
def dumper(netns, sockets):
    d = Dumper(netns)
    yield d
    d.stop()


@pytest.fixture(scope='module')
def private():
    """A namespace of this module's own (sysctls changed there), with the extra sockets."""
    need_root()
    ns = Netns('inf')
    try:
        d = Dumper(ns, extras=True)
    except Exception:
        ns.remove()
        raise
    yield ns, d
    d.stop()
    ns.remove()


# ---------------------------------------------------------------- what we print

def skmem_text(words):
    """ss's print_skmeminfo for a SKMEMINFO attribute (a list of u32)."""
    if not words:
        return ''
    text = ' skmem:(r%d,rb%d,t%d,tb%d,f%d,w%d,o%d' % tuple(words[:7])
    if len(words) >= 8:
        text += ',bl%d' % words[7]
    if len(words) >= 9:
        text += ',d%d' % words[8]
    return text + ')'


class Options(object):
    """The ss options of one command line that shape the -i block."""

    def __init__(self, argv):
        letters = ''.join(a[1:] for a in argv if a.startswith('-') and not a.startswith('--'))
        self.table = {'t': 'tcp', 'u': 'udp', 'M': 'mptcp'}[[c for c in letters if c in 'tuM'][0]]
        self.show_info = 'i' in letters
        self.show_mem = 'm' in letters
        self.show_options = 'o' in letters or 'e' in letters
        self.numeric = 'n' in letters
        self.oneline = 'O' in letters
        self.main_extra = 'o' in letters or 'e' in letters    # tokens after the peer column on the main line
        self.ext = di.DETAIL_EXT['info'] if self.show_info else 0
        if self.show_mem:
            self.ext |= di.DETAIL_EXT['memory']


def our_rows(rows, opts):
    """{(family, local port, peer port): (shown, our tokens)} from one of our dumps; None values for duplicate keys."""
    out = {}
    for row in rows:
        key = (row['family'], row['sport'], row['dport'])
        shown = ii.info_block_shown(opts.table, opts.show_info, opts.show_mem)
        text = ii.info_text(row['info'], row['state'], skmem_text(row['skmem']), show_options=opts.show_options,
                            numeric=opts.numeric, oneline=opts.oneline)
        out[key] = None if key in out else (shown, _md5_as_6_1_0(text.replace('\\', '\\\\')), row)
    return out


def _md5_as_6_1_0(text):
    """Our text as 6.1.0 prints it in the line (md5 keys moved out, see the module docstring)."""
    tokens = []
    for token in text.split():
        if token.startswith('md5keys:'):
            token = 'md5keys:' + ','.join(p.split('=', 1)[0] + '=' for p in token[8:].split(','))
        tokens.append(token)
    return tokens


def md5_keys_printed(row):
    """The key texts 6.1.0 prints before its table for this socket, as run_ss shows them."""
    return ''.join(k['key'] for k in row['info'].get('md5keys', ())).replace('\\', '\\\\')


# ---------------------------------------------------------------- what ss prints

def _port(text, table):
    if text == '*':
        return 0
    if text.isdigit():
        return int(text)
    for proto in (table, 'tcp', 'udp'):
        try:
            return socket.getservbyname(text, proto)
        except OSError:
            continue
    raise ValueError('unknown service name %r' % text)


def ss_rows(lines, opts):
    """[(key, main-line tokens, info tokens or None)] of an ss listing (one table, header first)."""
    rows = []
    for line in lines[1:]:
        if line.startswith('\t'):
            if rows and rows[-1][2] is None:
                rows[-1] = (rows[-1][0], rows[-1][1], line.split())
            continue
        t = line.split()
        if len(t) < 5:
            continue
        local, peer = t[3], t[4]
        laddr, lport = local.rsplit(':', 1)
        family = socket.AF_INET6 if laddr.startswith('[') or laddr == '*' else socket.AF_INET
        key = (family, _port(lport, opts.table), _port(peer.rsplit(':', 1)[1], opts.table))
        rows.append((key, t, t[5:] if opts.oneline else None))
    return rows


# ---------------------------------------------------------------- comparing

PAIRED = frozenset(('send', 'pacing_rate', 'delivery_rate', 'version:', 'cipher:', 'rxconf:', 'txconf:'))
HEX_NAMES = frozenset(('token:', 'seq:', 'sfseq:', 'ssnoff:', 'maplen:', 'write_seq:', 'snd_una:', 'rcv_nxt:'))
_DEC = re.compile(r'\d+(?:\.\d+)?(?:e[+-]\d+)?[kMGT]?')
_HEX = re.compile(r'[0-9a-f]+')
_SI = {'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12}
# token name -> how often it was compared exactly / within our two reads (NDSS_INFO_STATS=1 prints them)
STATS = collections.defaultdict(collections.Counter)


def items(tokens):
    """Tokens as (name, text): 'send 1.2Gbps' is one item, 'rtt:0.1/0.05' is ('rtt:', ...), flags are their own name."""
    out, i = [], 0
    while i < len(tokens):
        t = tokens[i]
        if t in PAIRED and i + 1 < len(tokens):
            out.append((t, t + ' ' + tokens[i + 1]))
            i += 2
            continue
        out.append((t.split(':', 1)[0] + ':' if ':' in t else t, t))
        i += 1
    return out


def _numbers(name, text):
    if name in HEX_NAMES:
        return _HEX.sub('#', text.split(':', 1)[1]), [int(x, 16) for x in _HEX.findall(text.split(':', 1)[1])]
    values = []
    for m in _DEC.findall(text):
        mult = _SI.get(m[-1], 1.0)
        values.append(float(m[:-1] if m[-1] in _SI else m) * mult)
    return _DEC.sub('#', text), values


def _between(name, s, a, b):
    """ss's token s is possible between our tokens a and b (either may be None: absent in that read)."""
    form, got = _numbers(name, s)
    known = [x for x in (a, b) if x is not None]
    parsed = [_numbers(name, x) for x in known]
    if all(p[0] != form for p in parsed):
        return False
    if len(parsed) < 2:
        return True
    return len(got) == len(parsed[0][1]) == len(parsed[1][1]) and all(
        min(x, y) <= v <= max(x, y) for v, x, y in zip(got, parsed[0][1], parsed[1][1]))


def sandwich(a_tokens, s_tokens, b_tokens):
    """None if ss's tokens are possible between our two reads, else what is wrong."""
    if a_tokens == b_tokens:
        for name, _text in items(s_tokens):
            STATS[name]['exact'] += 1
        return None if s_tokens == a_tokens else 'ours %s, ss %s' % (' '.join(a_tokens), ' '.join(s_tokens))
    a, s, b = dict(items(a_tokens)), items(s_tokens), dict(items(b_tokens))
    names = [n for n, _t in s]
    if len(set(names)) != len(names):
        return 'ss repeats a token: %s' % ' '.join(s_tokens)
    for ours in (items(a_tokens), items(b_tokens)):
        order = [n for n, _t in ours]
        if [n for n in order if n in names] != [n for n in names if n in order]:
            return 'token order: ours %s / %s, ss %s' % (' '.join(a_tokens), ' '.join(b_tokens), ' '.join(s_tokens))
    if set(names) - set(a) - set(b):
        return 'ss has tokens neither of our reads has: %s' % sorted(set(names) - set(a) - set(b))
    for n in set(a) & set(b):
        if n not in names:
            return '%s missing in ss (ours %s / %s)' % (n, a[n], b[n])
    for name, text in s:
        x, y = a.get(name), b.get(name)
        if x == y == text:
            STATS[name]['exact'] += 1
            continue
        if x == y:
            return '%s: ours %s, ss %s' % (name, x, text)
        if not _between(name, text, x, y):
            return '%s: ss %s is not between ours %s and %s' % (name, text, x, y)
        STATS[name]['between'] += 1
    return None


def compare_once(ns, dumper, argv):
    """(problem or None, number of sockets compared, ss lines)."""
    opts = Options(argv)
    first = our_rows(dumper.dump([opts.table], opts.ext), opts)
    rc, lines, err = run_ss(ns, argv)
    second = our_rows(dumper.dump([opts.table], opts.ext), opts)
    if rc != 0 or not lines:
        return 'ss failed (rc %d): %s' % (rc, err.strip()), 0, lines
    rows = ss_rows(lines, opts)
    seen = collections.Counter(key for key, _main, _info in rows)
    problems, compared, keys_text = [], 0, ''
    for key, main, info in rows:
        if key not in first and key not in second:
            problems.append('%s: ss lists a socket neither of our dumps has' % (key,))
            continue
        a, b = first.get(key), second.get(key)
        if seen[key] > 1 or a is None or b is None:
            continue            # ambiguous key, or a socket that came or went between our reads
        keys_text += md5_keys_printed(a[2])
        shown = a[0]
        if not shown:
            if info:
                problems.append('%s: ss prints an info block we do not: %s' % (key, info))
            compared += 1
            continue
        if info is None:
            problems.append('%s: ss printed no info block' % (key,))
            continue
        if opts.oneline and opts.main_extra:
            raise ValueError('-O with -o/-e is not parsed here')
        why = sandwich(a[1], info, b[1])
        if why:
            problems.append('%s %s: %s' % (key, main[0], why))
        compared += 1
    missing = set(k for k in first if first[k] is not None and k in second and second[k] is not None) - set(seen)
    if missing:
        problems.append('sockets in both our dumps that ss did not list: %s' % sorted(missing))
    if not lines[0].startswith(keys_text) or not lines[0][len(keys_text):].startswith(('State', 'Recv-Q')):
        problems.append('ss did not print the md5 keys %r before its table: %r' % (keys_text, lines[0][:200]))
    return ('; '.join(problems) or None), compared, lines


def compare(ns, dumper, argv, at_least, attempts=3):
    for attempt in range(attempts):
        problem, compared, lines = compare_once(ns, dumper, argv)
        if problem is None:
            assert compared >= at_least, 'only %d sockets compared for ss %s: %s' % (compared, ' '.join(argv), lines)
            return compared
        warnings.warn('attempt %d of ss %s differed: %s' % (attempt + 1, ' '.join(argv), problem))
    pytest.fail('ss %s: %s' % (' '.join(argv), problem))


def teardown_module(module):
    if os.environ.get('NDSS_INFO_STATS'):
        for name in sorted(STATS):
            sys.stderr.write('%-16s %s\n' % (name, dict(STATS[name])))


# ---------------------------------------------------------------- the tests

TCP_ARGVS = [['-tain'], ['-tai'], ['-taino'], ['-taine'], ['-tainm'], ['-tainO'], ['-taie']]


@pytest.mark.parametrize('argv', TCP_ARGVS, ids=[a[0] for a in TCP_ARGVS])
def test_tcp_info_like_ss(netns, sockets, dumper, argv):
    # listeners 5001-5006, pairs with unread data and full buffers, FIN/CLOSE-WAIT, TIME-WAIT, MPTCP subflows
    compare(netns, dumper, argv, at_least=12)


MPTCP_ARGVS = [['-Main'], ['-Mainm'], ['-Mai'], ['-MainO']]


@pytest.mark.parametrize('argv', MPTCP_ARGVS, ids=[a[0] for a in MPTCP_ARGVS])
def test_mptcp_info_like_ss(netns, sockets, dumper, argv):
    if any(s.startswith('mptcp') for s in sockets.info.get('skipped', ())):
        pytest.skip('no MPTCP here: %s' % sockets.info['skipped'])
    compare(netns, dumper, argv, at_least=3)        # the listener on 5201 and both ends of a connection


@pytest.mark.parametrize('argv', [['-uain'], ['-uainm']], ids=['-uain', '-uainm'])
def test_udp_has_no_info_and_skmem_only_with_m(netns, sockets, dumper, argv):
    rows = dumper.dump(['udp'], Options(argv).ext)
    assert rows and all(r['info'] == {} for r in rows)            # the kernel sends no INFO for UDP
    compare(netns, dumper, argv, at_least=4)


@pytest.mark.parametrize('argv', [['-tain'], ['-taino'], ['-tai'], ['-tainm']], ids=['-tain', '-taino', '-tai', '-tainm'])
def test_md5_cubic_reno_ecn_fastopen_like_ss(private, argv):
    ns, d = private
    compare(ns, d, argv, at_least=10)
    rows = dict(((r['family'], r['sport'], r['dport']), r) for r in d.dump(['tcp'], di.DETAIL_EXT['info']))
    if not d.made.get('md5'):
        pytest.skip('no TCP MD5 signatures here: %s' % d.made['skipped'])
    v4 = rows[(socket.AF_INET, 5301, 0)]['info']['md5keys']
    assert sorted((k['address'], k['prefixlen'], k['key']) for k in v4) == [
        ('10.1.0.0', 16, 'pfx'), ('127.0.0.1', 32, 'lo'), ('127.0.0.2', 32, 'se\\040cret\\054\\134\\001\\377~')]
    v6 = rows[(socket.AF_INET6, 5302, 0)]['info']['md5keys']
    # the kernel keeps a v4-mapped address as an AF_INET key
    assert sorted((k['family'], k['address'], k['prefixlen']) for k in v6) == [
        ('inet', '127.0.0.3', 32), ('inet6', '2001:db8::1', 128)]
    congestion = set(r['info'].get('congestion') for r in rows.values() if r['sport'] in (5311, 5312))
    words = set(w for r in rows.values() for w in r['info'].get('derived', {}).get('options', ()))
    if not d.made['skipped']:
        assert congestion == {'cubic', 'reno'} and {'ecn', 'ecnseen', 'fastopen'} <= words


def test_md5_key_addresses_are_names_with_r(private):
    """ss -r prints a key's address with format_host(), resolved like the socket's own (127.0.0.1: localhost)."""
    ns, d = private
    if not d.made.get('md5'):
        pytest.skip('no TCP MD5 signatures here: %s' % d.made['skipped'])
    result = run_module('socket_facts', {'ss_args': '-tlir sport = :5301', 'netns': ns.name})
    rc, lines, err = run_ss(ns, ['-tlir', 'sport = :5301'])
    assert rc == 0, err

    def addresses(text):
        token = [t for t in text.split() if t.startswith('md5keys:')]
        assert len(token) == 1, text
        return sorted(key.split('=', 1)[0] for key in token[0][len('md5keys:'):].split(','))
    ours = addresses(result['lines'][-1])
    assert ours == addresses(lines[-1]), (result['lines'], lines)
    assert '127.0.0.1/32' not in ours and '10.1.0.0/16' in ours, ours
