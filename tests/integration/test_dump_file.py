# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""-D / dump_file and from_dump on the real kernel and against the real ss.

- dump_file writes, message for message, what `ss -D` writes in the test namespace (the port id of the dumping
  socket aside, and the time left on running timers, which counts down between the two reads);
- `TCPDIAG_FILE=<our file> ss` prints the rows ss prints from the kernel;
- from_dump on our file lists what ss lists from the kernel (both families: unlike ss we read the whole file);
- from_dump on iproute2's own capture ss1.dump prints what `TCPDIAG_FILE=ss1.dump ss` prints, for the cases of
  tests/unit/plugins/module_utils/test_ss1_dump.py (skipped when the capture is absent).

Two programs cannot read the kernel at the same instant, so a socket that changed between the reads makes a
transient difference: each comparison is retried, and every retry is reported as a warning.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import struct
import subprocess
import tempfile
import warnings

import pytest

from conftest import ROOT, SS, comparable, run_module, run_ss

HDR = struct.Struct('=IHHII')
SS1_CASES = os.path.join(ROOT, 'tests', 'unit', 'plugins', 'module_utils', 'test_ss1_dump.py')
SS1_DUMP = os.path.join(os.path.dirname(ROOT), 'shared', 'data', 'ss1.dump')


@pytest.fixture
def tmp(netns):
    path = tempfile.mkdtemp(prefix='ndss-dump-')
    yield path
    shutil.rmtree(path, ignore_errors=True)


def messages(data):
    """The capture as a list of sections (each ended by NLMSG_DONE), each a list of messages with pid and seq zeroed
    and, for a socket whose timer runs, its idiag_expires zeroed too."""
    sections, current, off = [], [], 0
    while off < len(data):
        mlen, mtype, _flags, _seq, _pid = HDR.unpack_from(data, off)
        raw = bytearray(data[off:off + mlen])
        raw[8:16] = b'\0' * 8
        if mtype == 20 and raw[18]:             # idiag_timer != 0: idiag_expires (body offset 52) counts down
            raw[16 + 52:16 + 56] = b'\0' * 4
        current.append(bytes(raw))
        if mtype == 3:
            sections.append(current)
            current = []
        off += (mlen + 3) & ~3
    assert not current, 'capture does not end with NLMSG_DONE'
    return sections


def first_difference(ours, theirs):
    if len(ours) != len(theirs):
        return 'ours has %d dumps, ss %d' % (len(ours), len(theirs))
    for n, (a, b) in enumerate(zip(ours, theirs)):
        if len(a) != len(b):
            return 'dump %d: ours %d messages, ss %d' % (n, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return 'dump %d message %d: ours %s, ss %s' % (n, i, x.hex(), y.hex())
    return None


def retried(what, attempt_once, attempts=3):
    for attempt in range(attempts):
        problem = attempt_once()
        if problem is None:
            return
        warnings.warn('attempt %d of %s differed: %s' % (attempt + 1, what, problem))
    raise AssertionError(problem)


@pytest.mark.parametrize('args', ['-ta', '-t', '-tl6', '-ta4', '-tam', '-ta --tos', '-t state established'])
def test_dump_file_writes_what_ss_dash_d_writes(netns, sockets, tmp, args):
    ours, theirs = os.path.join(tmp, 'ours.dump'), os.path.join(tmp, 'theirs.dump')

    def once():
        result = run_module('socket_facts', {'ss_args': args, 'dump_file': ours, 'netns': netns.name})
        rc, _out, err = run_ss(netns, ['-D', theirs] + args.split())
        assert rc == 0 and not err, err
        assert result['changed'] is True and result['dump']['written'] and result['lines'] == []
        assert result['ansible_facts'] == {} and result['dump']['bytes'] == os.path.getsize(ours)
        data = open(ours, 'rb').read()
        assert len(messages(data)) == len(result['dump']['families']) and result['dump']['sockets'] > 0
        return first_difference(messages(data), messages(open(theirs, 'rb').read()))
    retried('dump_file vs ss -D %s' % args, once)


def test_check_mode_writes_nothing(netns, sockets, tmp):
    path = os.path.join(tmp, 'never.dump')
    result = run_module('socket_facts', {'ss_args': '-ta', 'dump_file': path, 'netns': netns.name,
                                         '_ansible_check_mode': True})
    assert result['changed'] is True and result['dump']['written'] is False and result['dump']['sockets'] > 10
    assert not os.path.exists(path)


def _tcpdiag_file_ss(path, argv, ns=None):
    """`TCPDIAG_FILE=path ss ARGV`, in the namespace ns (where interface indexes get their names) if given."""
    prefix = ['nsenter', '--net=/var/run/netns/' + ns.name] if ns else []
    proc = subprocess.run(prefix + [SS] + argv, env=dict(os.environ, TCPDIAG_FILE=path), capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    return proc.stdout.splitlines()


@pytest.mark.parametrize('dump_args, file_args, live_args', [
    ('-ta4', '-tan', '-tan4'), ('-ta6', '-tan', '-tan6'), ('-ta4 -e', '-tane', '-tane4'),
])
def test_tcpdiag_file_reads_our_capture_as_ss_reads_the_kernel(netns, sockets, tmp, dump_args, file_args, live_args):
    """One family per file: ss reads a capture only up to its first NLMSG_DONE."""
    path = os.path.join(tmp, 'ours.dump')

    def once():
        run_module('socket_facts', {'ss_args': dump_args, 'dump_file': path, 'netns': netns.name})
        from_file = comparable(_tcpdiag_file_ss(path, file_args.split(), netns))[0]
        rc, lines, err = run_ss(netns, live_args.split())
        assert rc == 0, err
        from_kernel = comparable(lines)[0]
        return None if from_file == from_kernel else 'TCPDIAG_FILE ss %s, ss %s' % (from_file, from_kernel)
    retried('TCPDIAG_FILE=ours ss %s' % file_args, once)


@pytest.mark.parametrize('args', ['-ta', '-t', '-tl', '-t6 -a', '-t4 state established', '-tae',
                                  '-ta sport = :5001 or dport = :5001', '-ta dst [::1]', '-tao dev ndveth0'])
def test_from_dump_lists_what_ss_lists_from_the_kernel(netns, sockets, tmp, args):
    path = os.path.join(tmp, 'ours.dump')

    def once():
        run_module('socket_facts', {'ss_args': '-tae', 'dump_file': path, 'netns': netns.name})
        result = run_module('socket_facts', {'ss_args': args, 'from_dump': path, 'netns': netns.name})
        rc, lines, err = run_ss(netns, shlex.split(args))
        assert rc == 0, err
        ours, theirs = comparable(result['lines']), comparable(lines)
        return None if ours[0] == theirs[0] else 'from_dump %s, ss %s' % (ours[0], theirs[0])
    retried('from_dump %s' % args, once)


# ---------------------------------------------------------------- iproute2's capture


def _ss1_cases():
    spec = importlib.util.spec_from_file_location('ss1_cases', SS1_CASES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [case[0] for case in module.OFFICIAL] + module.EXTRA


need_ss1 = pytest.mark.skipif(not os.path.exists(SS1_DUMP), reason='iproute2 capture ss1.dump not found at %s'
                              % SS1_DUMP)


@need_ss1
@pytest.mark.parametrize('expr', _ss1_cases() if os.path.exists(SS1_DUMP) else [])
def test_from_dump_on_ss1_dump_prints_what_ss_prints(expr):
    """ss reads only the IPv4 half of ss1.dump (it stops at the first NLMSG_DONE) and ignores -4: we read the whole
    file and honour -4, so `-4` gives exactly ss's rows. `src [::]:22` cannot be given with -4 (the address is IPv6);
    without it, our rows are ss's and the IPv6 listener that ss never reads."""
    theirs = [r.split() for r in _tcpdiag_file_ss(SS1_DUMP, ['-Htna'] + ([expr] if expr else []))]
    forced = expr == 'src [::]:22'
    result = run_module('socket_facts', {'ss_args': '-Htna' if forced else '-Htna4', 'filter': expr or None,
                                         'from_dump': SS1_DUMP})
    ours = [r.split() for r in result['lines']]
    assert ours == (theirs + [['LISTEN', '0', '128', '[::]:22', '[::]:*']] if forced else theirs)


@need_ss1
def test_from_dump_reads_both_halves_of_ss1_dump():
    result = run_module('socket_facts', {'ss_args': '-tna', 'from_dump': SS1_DUMP, 'fields': ['local_address']})
    assert [s['local_address'] for s in result['ansible_facts']['sockets']] == [
        '0.0.0.0', '10.0.0.1', '10.0.0.1', '10.0.0.1', '::', 'fec0:42::24', 'fec0:42::24']
    # ss's default states leave the listeners out, on a capture as on the kernel (ss shows them: it ignores states)
    result = run_module('socket_facts', {'ss_args': '-tn', 'from_dump': SS1_DUMP})
    assert [line.split()[0] for line in result['lines'][1:]] == ['ESTAB'] * 5


@pytest.mark.parametrize('args', ['-tani4', '-taneo4', '-tanm4', '-tan4 --tos', '-tani6'])
def test_from_dump_prints_what_tcpdiag_file_ss_prints_from_the_same_file(netns, sockets, tmp, args):
    """No second read of the kernel here: both read one file (with one family, all ss reads), details included."""
    path = os.path.join(tmp, 'ours.dump')
    run_module('socket_facts', {'ss_args': args, 'dump_file': path, 'netns': netns.name})
    theirs = comparable(_tcpdiag_file_ss(path, args.split(), netns))[0]
    ours = comparable(run_module('socket_facts', {'ss_args': args, 'from_dump': path, 'netns': netns.name})['lines'])[0]
    assert ours == theirs
