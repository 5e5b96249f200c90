# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_fnmatch.compile_glob selects exactly the unix sockets that `ss -xa src unix:PATTERN` selects.

In a network namespace of its own, a helper process binds unix sockets with
awkward names (both cases, UTF-8, bytes that are not UTF-8, backslash,
glob characters, abstract names with NULs inside, an autobound and an
unnamed socket). For each pattern the real ss is the oracle: the sockets it
prints (found by inode, so names are never parsed) must be the sockets
whose display name (the path, '@' for every NUL of an abstract name, ''
when unnamed) compile_glob matches.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile

import pytest

from conftest import SS, NamespaceProcess, Netns, need_root

from ansible_collections.netdiag.ss.plugins.module_utils._filter._fnmatch import compile_glob

E_ACUTE = u'\u00e9'.encode('utf-8')
KELVIN = u'\u212a'.encode('utf-8')
SHARP_S = u'\u00df'.encode('utf-8')

# Names inside the temporary directory, and abstract names (leading NUL).
LEAVES = [b'Alpha.sock', b'beta.SOCK', b'x.sock', b'k.sock', KELVIN + b'.sock', E_ACUTE + b'.sock', u'\u00c9'.encode('utf-8') + b'.sock',
          b'stra' + SHARP_S + b'e', b'\xff.sock', b'\xc3.sock', b'\xc3', b'\xe9', b'back\\slash', b'\\', b'br[ack', b'st*ar', b'q?mark',
          b'UPPER', b'lower', b'Mixed123', b'dash-name', b']close', b'!bang', b'^caret', b'ix', b'IX', b'Z', b'a', b'A', b'_', b'`',
          b'[', b']', b'-', b'x]', b'a]', b'[a', b'[x', b'colon:name', b'dot.name', b'eq=name', b'.hidden', b'sub']
ABSTRACT = [b'\0ndss-Abs', b'\0ndss\0two', b'\0\0lead', b'\0\xffbin', b'\0' + E_ACUTE, b'\0[x]', b'\0ndss-glob*', b'\0trail\0']

HELPER = r'''
import json, os, socket, sys
keep, out = [], []
for arg in sys.argv[1:]:
    kind, _, hexname = arg.partition(':')
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM if kind != 'unnamed' else socket.SOCK_DGRAM)
    if kind == 'bind':
        s.bind(bytes.fromhex(hexname))
        s.listen(1)
        name = bytes.fromhex(hexname)
    elif kind == 'autobind':
        s.bind(b'')
        s.listen(1)
        name = s.getsockname()
        name = name if isinstance(name, bytes) else os.fsencode(name)
    else:
        name = b''
    keep.append(s)
    out.append([kind, name.hex(), os.fstat(s.fileno()).st_ino])
print(json.dumps(out), flush=True)
sys.stdin.read()
'''


def display_name(name):
    """The name as ss shows it and hands to fnmatch: abstract names get '@' for each NUL."""
    if name.startswith(b'\0'):
        return name.replace(b'\0', b'@')
    return name


class UnixSockets(object):
    def __init__(self):
        self.ns = Netns('glob')
        self.tmp = tempfile.mkdtemp(prefix='ndss-glob-')
        self.dir = os.fsencode(self.tmp)
        assert re.match(rb'^[A-Za-z0-9_/.-]+$', self.dir), self.dir     # no glob characters in the prefix
        os.mkdir(os.path.join(self.dir, b'subdir'))
        args = ['bind:' + os.path.join(self.dir, leaf).hex() for leaf in LEAVES]
        args.append('bind:' + os.path.join(self.dir, b'subdir', b'deep.sock').hex())
        args += ['bind:' + name.hex() for name in ABSTRACT] + ['autobind:', 'unnamed:']
        try:
            self.helper = NamespaceProcess(self.ns, [sys.executable, '-c', HELPER] + args, self.tmp)
        except Exception:
            self.ns.remove()
            raise
        self.sockets = {inode: display_name(bytes.fromhex(name)) for _kind, name, inode in self.helper.info}

    def stop(self):
        self.helper.stop()
        self.ns.remove()

    def ss_selects(self, pattern):
        """Inodes of our sockets that `ss -xa -n src unix:PATTERN` prints (ss's lexer eats backslashes: escape them)."""
        word = b'unix:' + re.sub(rb'([\\ \t])', rb'\\\1', pattern)
        argv = [b'nsenter', b'--net=/var/run/netns/' + self.ns.name.encode(), os.fsencode(SS), b'-xa', b'-n', b'src', word]
        env = {k: v for k, v in os.environ.items() if k != 'POSIXLY_CORRECT'}
        proc = subprocess.run(argv, capture_output=True, timeout=60, check=False, env=env)
        assert proc.returncode == 0, (pattern, proc.stderr)
        printed = set()
        for line in proc.stdout.splitlines()[1:]:
            tokens = line.split()
            # ... Local-Address Port Peer-Address Port: the local "port" of a unix socket is its inode
            if len(tokens) >= 6 and tokens[-3].isdigit():
                printed.add(int(tokens[-3]))
        return printed & set(self.sockets)

    def we_select(self, pattern):
        match = compile_glob(pattern)
        return {inode for inode, name in self.sockets.items() if match(name)}


@pytest.fixture(scope='module')
def unix_sockets():
    need_root()
    fx = UnixSockets()
    yield fx
    fx.stop()


def check(fx, pattern):
    theirs = fx.ss_selects(pattern)
    ours = fx.we_select(pattern)
    assert ours == theirs, 'pattern %r: only ours %r, only ss %r' % (
        pattern, sorted(fx.sockets[i] for i in ours - theirs), sorted(fx.sockets[i] for i in theirs - ours))
    return len(ours)


def test_ss_lists_all_our_sockets(unix_sockets):
    assert len(unix_sockets.sockets) == len(LEAVES) + 1 + len(ABSTRACT) + 2
    assert unix_sockets.ss_selects(b'*') == set(unix_sockets.sockets)
    assert unix_sockets.we_select(b'*') == set(unix_sockets.sockets)


def test_ss_matches_the_display_form(unix_sockets):
    """What ss hands to fnmatch: '@' for every NUL of an abstract name, '' for an unnamed socket (shown as '*')."""
    by_name = {name: inode for inode, name in unix_sockets.sockets.items()}
    assert unix_sockets.ss_selects(b'@ndss@two') == {by_name[b'@ndss@two']}
    assert unix_sockets.ss_selects(b'@@lead') == {by_name[b'@@lead']}
    assert unix_sockets.ss_selects(b'@trail@') == {by_name[b'@trail@']}
    assert unix_sockets.ss_selects(b'') == {by_name[b'']}
    assert unix_sockets.ss_selects(b'?') == set()
    autobound = [name for name in by_name if re.match(rb'^@[0-9a-f]{5}$', name)]
    assert len(autobound) == 1 and unix_sockets.ss_selects(autobound[0]) == {by_name[autobound[0]]}


def _fixed_patterns(d):
    t = d + b'/'
    return [
        b'', b'*', b'?*', t + b'*', t + b'*.sock', t + b'*.SOCK', t + b'?.sock', t + b'??.sock', t + b'???.sock',
        t + b'k*', t + b'K*', t + b'[[:upper:]]*', t + b'[[:lower:]]*', t + b'[![:alpha:]]*', t + b'[[:punct:]]*',
        t + b'[[:alnum:]]', t + b'[![:print:]]*', t + b'[[:foo:]]*', t + b'*[[:foo:]]', t + b'[a[:foo:]]*',
        t + b'[[=i=]]*', t + b'[[=I=]]*', t + b'[[=a=]]', t + b'[[.a.]]', t + b'[[.hyphen.]]', t + b'[[.-.]]', t + b'[[.].]]',
        t + b'[[:alpha:]', t + b'[', t + b'[!', t + b'[^', t + b'[\\', t + b'[a-', t + b'[a', t + b'\\[a', t + b'[[]a', t + b'[[]*',
        t + b'\\\\', t + b'*\\\\*', t + b'*[\\\\]*', t + b'back\\slash', t + b'back\\\\slash', t + b'back[\\]slash',
        t + b'*\\', t + b'st\\*ar', t + b'*[*]*', t + b'q\\?mark', t + b'*[?]*', t + b'br[[]ack', t + b'br\\[ack',
        t + b'[]]*', t + b'[!]]*', t + b'[]-a]', t + b'[!a-z]*', t + b'[^a-z]*', t + b'[a-z]*', t + b'[A-Z]*',
        t + b'[Z-a]', t + b'[A-_]', t + b'[_-a]', t + b'[[.Z.]-a]', t + b'[a-]', t + b'[-a]', t + b'[c-a]*',
        t + b'*\xff*', t + b'\xc3*', t + b'\xc3', t + b'\xe9', t + b'*[\x80-\xff]*', t + b'stra?e', t + b'stra??e',
        t + b'STRA*E', t + E_ACUTE + b'.sock', t + u'\u00c9'.encode('utf-8') + b'.sock',
        t + b'.*', t + b'?hidden', t + b'*/*', t + b'sub*', t + b'*deep*', d + b'*deep.sock',
        t + b'[x[=a]', t + b'[x#-[:alpha:]]', t + b'[x#-[:alpha:]]*', t + b'*[x#-[:alpha:]?]*',
        b'@*', b'@ndss*', b'@NDSS*', b'@ndss@two', b'@*@*', b'@@*', b'*@', b'@\xff*', b'@[[]x]', b'@\\[x]', b'@?????',
        b'@[[:xdigit:]][[:xdigit:]][[:xdigit:]][[:xdigit:]][[:xdigit:]]', b'@', b'@ndss-glob\\*', b'@ndss-glob[*]',
        b'@' + E_ACUTE, b'@?', b'@??',
    ]


def test_fixed_patterns(unix_sockets):
    selected = 0
    for pattern in _fixed_patterns(unix_sockets.dir):
        selected += check(unix_sockets, pattern)
    assert selected > 100


try:
    import hypothesis
    from hypothesis import strategies as st
except ImportError:     # the fixed patterns above still run
    hypothesis = None

PARTS = [b'*', b'?', b'[', b']', b'!', b'^', b'-', b'\\', b':', b'=', b'.', b'@', b'#', b'_', b'/',
         b'a', b'A', b'k', b'K', b'i', b'I', b's', b'S', b'x', b'X', b'z', b'Z', b'0',
         b'[:alpha:]', b'[:upper:]', b'[:lower:]', b'[=a=]', b'[.-.]', b'[:foo:]',
         b'\x80', b'\xa9', b'\xc3', b'\xe9', b'\xff', E_ACUTE, KELVIN, SHARP_S, b'sock', b'SOCK', b'ndss']


if hypothesis is None:
    def test_drawn_patterns():
        pytest.skip('needs hypothesis')
else:
    @hypothesis.settings(max_examples=400, deadline=None, derandomize=True, database=None,
                         suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture, hypothesis.HealthCheck.too_slow])
    @hypothesis.given(prefix=st.sampled_from(['', '*', 'dir', '@']), parts=st.lists(st.sampled_from(PARTS), max_size=6),
                      star=st.booleans())
    def test_drawn_patterns(unix_sockets, prefix, parts, star):
        head = {'': b'', '*': b'*', 'dir': unix_sockets.dir + b'/', '@': b'@'}[prefix]
        check(unix_sockets, head + b''.join(parts) + (b'*' if star else b''))
