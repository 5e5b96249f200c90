# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each module run as an unprivileged user (nobody, uid 65534, through setpriv) on the socket zoo, held by root.

The oracle is ss run as nobody too, in the same namespace: ss cannot read root's processes either,
so the rows must match it, holders included (nobody's own helper process shows its holders to both).
What was hidden must be said, with counts that agree with a run as root. Both tools run through
`nsenter --net` (only the network namespace changes), as conftest.run_ss runs ss.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import warnings

import pytest

from conftest import SS, NamespaceProcess, Netns, SocketFixture, comparable, need_root, run_module

NOBODY_UID = 65534
NOBODY = ['setpriv', '--reuid=%d' % NOBODY_UID, '--regid=%d' % NOBODY_UID, '--clear-groups']
HELPER_PORT = 5301

pytestmark = pytest.mark.skipif(shutil.which('setpriv') is None or shutil.which('nsenter') is None,
                                reason='needs setpriv and nsenter (util-linux) to run as nobody')

# nobody's own sockets: a listener, a connection to root's listener on 5001, a UDP socket, an abstract unix listener
HELPER = r'''
import json, os, socket, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', %d)); l.listen(4)
c = socket.create_connection(('127.0.0.1', 5001))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))
x = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); x.bind('\0ndss-nobody'); x.listen(1)
print(json.dumps({'inodes': [os.fstat(s.fileno()).st_ino for s in (l, c, u, x)]}), flush=True)
sys.stdin.read()
''' % HELPER_PORT

HOLDERS = re.compile(r'^not root: the processes of other users are hidden: (\d+) of the (\d+) listed sockets (?:has|have) no '
                     r'visible holder \(the open files of (\d+) process(?:es)? could not be read\); run with become: true$')
MARKS = re.compile(r'^not root: socket marks are hidden: the kernel reports them only to callers with CAP_NET_ADMIN, so '
                   r'extended\.mark is null for (\d+) inet sockets? \(ss -e shows no fwmark for them either(?:; (\d+) of them '
                   r'(?:is|are) TIME-WAIT or SYN-RECV, whose marks older kernels report to no one)?\); run with '
                   r'become: true$')
FILTERS = re.compile(r'^not root: packet socket filters are hidden: the kernel reports them only to callers with '
                     r'CAP_NET_ADMIN, so bpf is \[\] for (\d+) packet sockets? \(ss -b shows an empty filter for them too\); '
                     r'run with become: true$')


@pytest.fixture(scope='module')
def zoo():
    """A namespace with the socket zoo (root's) and nobody's helper."""
    need_root()
    ns = Netns('nr')
    fx = helper = None
    try:
        fx = SocketFixture(ns)
        helper = NamespaceProcess(ns, NOBODY + [sys.executable, '-c', HELPER])
        yield ns
    finally:
        for proc in (helper, fx):
            if proc is not None:
                proc.stop()
        ns.remove()


def in_ns(ns):
    return ['nsenter', '--net=/var/run/netns/' + ns.name]


def ss_as_nobody(ns, argv):
    """ss run as nobody inside the namespace: (rc, lines, stderr), names in the collection's text form (see run_ss)."""
    from ansible_collections.netdiag.ss.plugins.module_utils._schema import bytes_text
    proc = subprocess.run(in_ns(ns) + NOBODY + [SS] + list(argv), capture_output=True, timeout=60, check=False)
    return proc.returncode, bytes_text(proc.stdout).splitlines(), proc.stderr.decode('utf-8', 'replace')


def as_nobody(ns, name, args, check=False):
    """Run module NAME as nobody inside the namespace (no netns option: the process is in it already)."""
    return run_module(name, args, check=check, prefix=in_ns(ns) + NOBODY)


def as_root(ns, name, args, check=True):
    return run_module(name, dict(args, netns=ns.name), check=check)


def _compare(ns, argv):
    """(problem or None, module result): socket_facts as nobody against ss as nobody, rows compared as conftest does."""
    rc, ss_lines, err = ss_as_nobody(ns, ['-n'] + list(argv))
    assert rc == 0, err
    result = as_nobody(ns, 'socket_facts', {'ss_args': ' '.join(shlex.quote(a) for a in argv)})
    if result.get('failed'):
        return 'module failed: %s' % result.get('msg'), result
    expected, _times = comparable(ss_lines[1:])
    got, _times = comparable(result['lines'][1:])
    if result['lines'][0].split()[:2] != ss_lines[0].split()[:2]:
        return 'columns differ: %r vs %r' % (result['lines'][0], ss_lines[0]), result
    if got != expected:
        diff = [(a, b) for a, b in zip(got, expected) if a != b][:3]
        return 'rows differ (%d vs %d rows): %s' % (len(got), len(expected), diff or (got[len(expected):] + expected[len(got):])[:3]), result
    return None, result


def compare(ns, argv, attempts=3):
    """_compare, retried: the two tools read the kernel one after the other (see differences.md, 'Not the same instant')."""
    for attempt in range(attempts):
        problem, result = _compare(ns, argv)
        if problem is None:
            return result
        warnings.warn('attempt %d of ss %s as nobody differed: %s' % (attempt + 1, ' '.join(argv), problem))
    raise AssertionError(problem)


def texts(result):
    """The module's warnings as texts (ansible-core 2.19 returns each as a dict with the text in event.msg)."""
    return [w['event']['msg'] if isinstance(w, dict) else w for w in result.get('warnings') or ()]


def _warnings(result, pattern):
    return [pattern.match(w) for w in texts(result) if pattern.match(w)]


# (ss arguments, whether holders, marks, packet filters are asked for)
LISTINGS = [
    ('-tuna', False, False, False), ('-tunap', True, False, False), ('-xap', True, False, False),
    ('-tlnpe', True, True, False), ('-lnp -A inet,unix', True, False, False), ('-tanT', True, False, False),
    ('-0 -a -b -p', True, False, True), ('-wap', True, False, False), ('-f netlink -a', False, False, False),
]


@pytest.mark.parametrize('args, holders, marks, filters', LISTINGS)
def test_rows_match_ss_run_as_nobody(zoo, args, holders, marks, filters):
    """What nobody gets is what ss shows nobody, row for row (holders, marks and filters left out by the kernel alike)."""
    result = compare(zoo, shlex.split(args))
    sockets = result['ansible_facts']['sockets']
    said = _warnings(result, HOLDERS)
    if holders:
        # root's sockets are listed without holders, and the warning counts them
        hidden = [s for s in sockets if s['inode'] and not s['processes']]
        assert hidden, 'the zoo is root\'s: some sockets must have no visible holder'
        assert len(said) == 1, texts(result)
        assert (int(said[0].group(1)), int(said[0].group(2))) == (len(hidden), len(sockets))
        assert int(said[0].group(3)) > 0
    else:
        assert not said
    assert len(_warnings(result, MARKS)) == int(marks)
    assert len(_warnings(result, FILTERS)) == int(filters)
    assert len([w for w in texts(result) if w.startswith('not root')]) == int(holders) + int(marks) + int(filters), texts(result)


def test_hidden_holders_are_counted_accurately(zoo):
    """Sockets without a visible holder as nobody are exactly those whose holders, as root sees them, are not nobody's;
    the warning counts them."""
    args = '-tuxap'
    for attempt in range(3):
        result = as_nobody(zoo, 'socket_facts', {'ss_args': args}, check=True)
        mine = dict((s['inode'], s) for s in result['ansible_facts']['sockets'])
        root = dict((s['inode'], s) for s in as_root(zoo, 'socket_facts', {'ss_args': args})['ansible_facts']['sockets'])
        uids = _uids(set(h['pid'] for s in root.values() for h in s['processes']))
        wrong = []
        for ino in set(mine) & set(root) - {0}:
            visible = [h for h in root[ino]['processes'] if uids.get(h['pid']) == NOBODY_UID]
            if mine[ino]['processes'] != visible:
                wrong.append((ino, mine[ino]['processes'], root[ino]['processes']))
        if not wrong and set(mine) == set(root):
            break
        warnings.warn('attempt %d: holders differ: %s, or the sockets: %s' % (attempt + 1, wrong[:3], set(mine) ^ set(root)))
    assert not wrong and set(mine) == set(root)
    # every socket of the zoo with an inode has a holder root can read: those nobody cannot see are counted
    assert all(root[ino]['processes'] for ino in root if ino)
    hidden = [ino for ino in mine if ino and not mine[ino]['processes']]
    (said,) = _warnings(result, HOLDERS)
    assert int(said.group(1)) == len(hidden) > 10 and int(said.group(2)) == len(result['ansible_facts']['sockets'])
    # nobody's helper holds four sockets: their holders are visible to nobody
    assert sum(1 for ino in mine if mine[ino]['processes']) == 4


def test_root_is_told_nothing_hidden_in_the_zoo(zoo):
    """As root, every socket of the zoo has a visible holder or none can have one (kernel netlink sockets, TIME-WAIT,
    the module's own sock_diag socket): no warning, even where some process of the host cannot be read."""
    result = as_root(zoo, 'socket_facts', {'ss_args': '-ap'})
    assert not [w for w in texts(result) if 'hidden' in w or 'could not be read' in w], texts(result)


def _uids(pids):
    out = {}
    for pid in pids:
        try:
            with open('/proc/%d/status' % pid) as fh:
                out[pid] = int([line for line in fh if line.startswith('Uid:')][0].split()[1])
        except (OSError, IndexError):
            pass
    return out


def test_marks_are_null_with_a_warning(zoo):
    args = {'ss_args': '-tle sport = :5002'}
    (root_rec,) = as_root(zoo, 'socket_facts', args)['ansible_facts']['sockets']
    assert root_rec['extended']['mark'] == 0x23
    result = as_nobody(zoo, 'socket_facts', args, check=True)
    (rec,) = result['ansible_facts']['sockets']
    assert rec['extended']['mark'] is None and 'fwmark' not in ' '.join(result['lines'])
    (warning,) = _warnings(result, MARKS)
    assert warning.group(1) == '1'
    assert texts(result) == [warning.group(0)]


def test_time_wait_marks_are_counted_and_told_apart(zoo):
    """The zoo's TIME-WAIT socket: 6.18 sends its mark to CAP_NET_ADMIN (older kernels to no one), so as nobody the
    warning counts it among the hidden marks and says which of them older kernels would not report either."""
    args = {'ss_args': '-tne state time-wait'}
    root = as_root(zoo, 'socket_facts', args)
    assert root['ansible_facts']['sockets'] and not any(t.startswith('not root') for t in texts(root))
    result = as_nobody(zoo, 'socket_facts', args, check=True)
    sockets = result['ansible_facts']['sockets']
    assert len(sockets) == len(root['ansible_facts']['sockets']) and all(r['extended']['mark'] is None for r in sockets)
    (warning,) = _warnings(result, MARKS)
    assert warning.group(1) == warning.group(2) == str(len(sockets)), warning.group(0)


def test_packet_filters_are_empty_with_a_warning(zoo):
    root = as_root(zoo, 'socket_facts', {'ss_args': '-0 -b'})['ansible_facts']['sockets']
    assert root and all(r['bpf'] == [[6, 0, 0, 0]] for r in root)        # the zoo's packet sockets drop everything
    result = as_nobody(zoo, 'socket_facts', {'ss_args': '-0 -b'}, check=True)
    assert [r['bpf'] for r in result['ansible_facts']['sockets']] == [[]] * len(root)
    (warning,) = _warnings(result, FILTERS)
    assert int(warning.group(1)) == len(root)


def test_fwmark_filters_fail_with_the_reason(zoo):
    message = ('filter: the kernel evaluates fwmark conditions only for callers with CAP_NET_ADMIN (dump of table %s failed: '
               'Operation not permitted (errno 1 EPERM)); run as root (become: true)')
    rc, _lines, err = ss_as_nobody(zoo, ['-t', 'fwmark = 0x23'])
    assert 'Operation not permitted' in err        # ss says only that (and falls back to /proc/net, B-23)
    result = as_nobody(zoo, 'socket_facts', {'ss_args': '-t fwmark = 0x23'})
    assert result['failed'] and result['msg'] == message % 'tcp'
    result = as_nobody(zoo, 'socket_assert', {'rules': [{'name': 'marked', 'filter': 'fwmark = 0x23', 'tables': ['tcp']}]})
    # the rule that has fwmark is named (among a baseline of rules, which one is it?)
    assert result['failed'] and result['msg'] == 'rule "marked": ' + message % 'tcp' and 'rules' not in result
    assert rc in (0, 1)


@pytest.mark.parametrize('name, args', [
    ('socket_facts', {'ss_args': '-tlnp'}),
    ('socket_assert', {'filter': 'sport = :5001', 'states': ['listening']}),
    ('socket_kill', {'ss_args': '-t sport = :5001'}),
])
def test_namespaces_need_cap_sys_admin(zoo, name, args):
    """netns as nobody: a clear error before anything is read (or closed)."""
    before = ss_as_nobody(zoo, ['-tn'])[1]
    result = run_module(name, dict(args, netns=zoo.name), check=False, prefix=NOBODY)
    assert result['failed'] and result['msg'] == (
        'netns: cannot enter "%s": not root: entering a network namespace needs CAP_SYS_ADMIN, and nothing was read; run '
        'with become: true' % zoo.name)
    assert not any(key in result for key in ('ansible_facts', 'rules', 'killed', 'not_closed'))
    assert ss_as_nobody(zoo, ['-tn'])[1] == before or name != 'socket_kill'


RULES = [
    {'name': 'only python on 5001', 'ss_args': '-tl sport = :5001', 'allow_process': {'name': 'python3'}},
    {'name': 'python listens on 5001', 'ss_args': '-tl sport = :5001', 'process': {'name': 'python3'}, 'expect': 'present'},
    {'name': 'nobody listens on 5301', 'ss_args': '-tl sport = :5301', 'process': {'user': 'nobody'}, 'expect': 'present'},
    {'name': 'nothing of root on 5301', 'ss_args': '-tl sport = :5301', 'process': {'user': 0}},
    {'name': 'no telnet', 'filter': 'sport = :23'},
    {'name': 'six TCP listeners', 'ss_args': '-tl', 'min': 6, 'expect': 'present'},
]


def test_socket_assert_never_passes_on_a_hidden_holder(zoo):
    """Rules with process conditions: decided where the visible holders suffice, otherwise failed as not decided."""
    name = [h['name'] for h in as_root(zoo, 'socket_facts', {'ss_args': '-tlp sport = :5001'})['ansible_facts']['sockets'][0]['processes']]
    rules = [dict(r, process={'name': name[0]}) if 'process' in r and 'name' in r['process'] else
             dict(r, allow_process={'name': name[0]}) if 'allow_process' in r else r for r in RULES]
    root = as_root(zoo, 'socket_assert', {'rules': rules, 'report_only': True})
    assert root['passed'], [r for r in root['rules'] if not r['passed']]
    assert root['passed'] and all(r['decided'] and r['hidden_holders'] == 0 for r in root['rules'])
    assert not texts(root)
    result = as_nobody(zoo, 'socket_assert', {'rules': rules, 'report_only': True}, check=True)
    got = dict((r['name'], (r['passed'], r['decided'], r['count'], r['hidden_holders'])) for r in result['rules'])
    listeners = len(ss_as_nobody(zoo, ['-tlnH'])[1])
    assert got == {
        'only python on 5001': (False, False, 0, 1),        # root's python holds it: hidden, so not decided
        'python listens on 5001': (False, False, 0, 1),
        'nobody listens on 5301': (True, True, 1, 0),       # nobody's own holder is visible: decided
        'nothing of root on 5301': (False, False, 0, 1),    # a root process might share it
        'no telnet': (True, True, 0, 0),                    # no process condition: holders do not matter
        'six TCP listeners': (True, True, listeners, 0),
    }
    assert result['failed_rules'] == ['only python on 5001', 'python listens on 5001', 'nothing of root on 5301']
    (warning,) = texts(result)
    assert re.match(r'^not root: the processes of other users are hidden \(the open files of \d+ processes could not be '
                    r'read\): rules with process conditions \("only python on 5001", "python listens on 5001", "nothing '
                    r'of root on 5301"\) select sockets whose holders may not all be seen; such a rule passes only where '
                    r'no hidden holder could change its outcome, and fails as not decided otherwise; run with become: '
                    r'true$', warning), warning
    failed = as_nobody(zoo, 'socket_assert', {'rules': rules[:1]})
    assert failed['failed'] and failed['msg'].startswith('1 of 1 rules failed\nrule "only python on 5001" not decided: ')
    (offender,) = failed['rules'][0]['offenders']
    assert offender['local_port'] == 5001 and offender['processes'] == []


def test_socket_kill_changes_nothing_and_fails(zoo):
    before = ss_as_nobody(zoo, ['-tn', 'sport = :5001'])[1]
    result = as_nobody(zoo, 'socket_kill', {'ss_args': '-t sport = :5001'})
    assert result['failed'] and result['changed'] is False and result['killed'] == [] and result['aborted'] == []
    assert len(result['not_closed']) == len(before) - 1 and result['not_closed']
    assert all(r['error'] == 'EPERM' and 'CAP_NET_ADMIN' in r['message'] for r in result['not_closed'])
    assert result['msg'].startswith('%d of the selected sockets could not be closed: EPERM (not permitted: closing sockets '
                                    'needs CAP_NET_ADMIN' % len(result['not_closed']))
    assert ss_as_nobody(zoo, ['-tn', 'sport = :5001'])[1] == before


def test_holders_hidden_by_hidepid(zoo):
    """/proc mounted with hidepid=invisible lists only nobody's processes: no EACCES to count, and the warning says why."""
    if shutil.which('unshare') is None:
        pytest.skip('needs unshare (util-linux)')
    script = 'mount -t proc -o hidepid=invisible proc /proc && exec "$@"'
    prefix = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh'] + in_ns(zoo) + NOBODY
    result = run_module('socket_facts', {'ss_args': '-tlp'}, check=True, prefix=prefix)
    sockets = result['ansible_facts']['sockets']
    (warning,) = [w for w in texts(result) if 'hidden' in w]
    assert warning == ('not root: the processes of other users are hidden: %d of the %d listed sockets have no visible holder '
                       '(/proc does not list the processes of other users to this user (hidepid=invisible)); run with '
                       'become: true' % (len(sockets) - 1, len(sockets)))
    assert [s['local_port'] for s in sockets if s['processes']] == [HELPER_PORT]
