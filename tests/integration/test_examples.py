# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""examples/ss-examples.yml: every example selects exactly what the real `ss` prints for it.

The playbook runs once, with ansible-playbook, against a host that is a network namespace
(the netdiag.ss.netns connection) holding the socket zoo of sockets_fixture.py and the sockets
the examples talk about (seed_zoo.py: ssh, smtp and http connections, FIN-WAIT-1 sockets to
193.233.7/24 and 192.168.1/24, X's unix sockets, ...), so that every example selects something. A test-only
callback (callback_plugins/record_results.py) writes every task result to a JSON file, and
runs ss_probe.py right before and right after each task of this collection: `ss ARGS -n` in
the namespace for each example of the task (a task named `ss ARGS`, or a socket_assert rule
named so). Each socket_facts task and the socket_kill preview must then print the same rows
as ss did before or after it, token for token and in the same order, with records whose
keys carry what ss printed; each rule must count the rows ss printed.

Why bracket each task: the zoo changes by itself while the playbook runs (its SYN-SENT socket
fails within seconds, its TIME-WAIT socket expires within a minute), so one ss run before the
whole playbook and one after it can both differ from a task in the middle.

Where the module knowingly differs (docs/socket_facts.md): it is numeric by default (hence
`-n`); `ss -Z` fails where SELinux is off while the module lists the sockets with null
contexts (compared with `ss -p`, without our `proc_ctx=unavailable`); ss -K is never run
(the socket_kill task runs in check mode, and is compared with the listing).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from conftest import COLLECTIONS, HERE, ROOT, NamespaceProcess, Netns, SocketFixture, comparable, need_root, run_ss
from ss_probe import examples_of, module, ss_argv, tasks

PLAYBOOK = os.path.join(ROOT, 'examples', 'ss-examples.yml')
# The user's description of ss that the examples come from; not part of the project (the seed test skips without it)
SEED = os.environ.get('NETDIAG_SS_SEED', os.path.join(os.path.dirname(ROOT), 'shared', 'seed', 'ss.md'))


# the addresses the examples name, on lo of the namespace (seed_zoo.py's sockets use them), and X's socket directory
SEED_ADDRESSES = ('172.20.10.3', '123.1.2.100', '193.233.7.10', '192.168.1.10')
X11_DIR = '/tmp/.X11-unix'


def _seed_zoo(ns, made_x11):
    """seed_zoo.py in the namespace: the sockets the examples talk about (ssh, http, FIN-WAIT-1 to 193.233.7/24, ...)."""
    from pyroute2 import IPRoute
    with IPRoute(netns=ns.name) as ipr:
        lo = ipr.link_lookup(ifname='lo')[0]
        for addr in SEED_ADDRESSES:
            ipr.addr('add', index=lo, address=addr, prefixlen=32)
    if made_x11:
        os.mkdir(X11_DIR)
        os.chmod(X11_DIR, 0o1777)       # as X makes it
    return NamespaceProcess(ns, [sys.executable, os.path.join(HERE, 'seed_zoo.py'), X11_DIR])


def _tasks():
    return tasks(PLAYBOOK)


def _examples():
    """(name, kind) of every task and socket_assert rule named after an ss command, in playbook order."""
    return [example for task in _tasks() for example in examples_of(task)]


def _selinux_off(ns):
    rc, _lines, err = run_ss(ns, ['-t', '-Z'])
    return rc != 0 and 'SELinux is not enabled' in err


@pytest.fixture(scope='module')
def played(tmp_path_factory):
    """Run the playbook once in a namespace with the socket zoo; ss's lines for every example before and after."""
    need_root()
    if shutil.which('nsenter') is None:
        pytest.skip('needs nsenter (util-linux) for the netns connection')
    exe = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(exe):
        pytest.skip('ansible-playbook is not installed in this Python environment')
    tmp = tmp_path_factory.mktemp('examples')
    record = str(tmp / 'results.json')
    ns = Netns('ex')                # ndss-ex-<pid>
    zoo = seed = None
    made_x11 = not os.path.isdir(X11_DIR)
    try:
        zoo = SocketFixture(ns)
        seed = _seed_zoo(ns, made_x11)
        selinux_off = _selinux_off(ns)
        probe = [sys.executable, os.path.join(HERE, 'ss_probe.py'), ns.name, PLAYBOOK, '1' if selinux_off else '0']
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
                   ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='false', ANSIBLE_PIPELINING='true',
                   ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'),
                   ANSIBLE_CALLBACKS_ENABLED='record_results', NDSS_RECORD_FILE=record,
                   NDSS_RECORD_PROBE=json.dumps(probe), PYTHONPATH=COLLECTIONS)
        env.pop('ANSIBLE_PYTHON_INTERPRETER', None)
        proc = subprocess.run([exe, '-i', ns.name + ',', '-c', 'netdiag.ss.netns',
                               '-e', 'ansible_python_interpreter=%s' % sys.executable, PLAYBOOK],
                              capture_output=True, text=True, env=env, cwd=str(tmp), timeout=600, check=False)
        with open(record) as f:
            records = json.load(f)
        yield {'proc': proc, 'records': records, 'selinux_off': selinux_off, 'zoo': zoo.info}
    finally:
        for helper in (seed, zoo):
            if helper is not None:
                helper.stop()
        if made_x11 and os.path.isdir(X11_DIR) and not os.listdir(X11_DIR):
            os.rmdir(X11_DIR)
        ns.remove()


def _record(played, task_name):
    found = [r for r in played['records'] if r['task'] == task_name]
    assert len(found) == 1, 'task %r ran %d times' % (task_name, len(found))
    assert found[0]['status'] == 'ok', found[0]
    return found[0]


def _result(played, name):
    return _record(played, name)['result']


def _ss_lines(record, name):
    """What ss printed for the example right before and right after its task."""
    out = []
    for when in ('probe_before', 'probe_after'):
        probe = record[when]
        assert probe and 'error' not in probe, (when, probe)
        out.append((when[len('probe_'):], probe[name]))
    return out


def test_playbook_runs(played):
    proc = played['proc']
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(r'\sfailed=0\s+skipped=0', proc.stdout), proc.stdout[-1000:]
    assert all(r['status'] == 'ok' for r in played['records']), [r for r in played['records'] if r['status'] != 'ok']
    # every task ran, debug tasks included
    assert [r['task'] for r in played['records']] == [t['name'] for t in _tasks()]


# ------------------------------------------------------------------------ rows and records

def _normalize(selinux_off):
    def normalize(tokens):
        if selinux_off:   # ss -p prints no context where ss -Z cannot run
            tokens = [t.replace('proc_ctx=unavailable,', '') for t in tokens]
        return tokens
    return normalize


def _rows(lines, normalize=None):
    """The data rows of a listing (header checked apart), without the listing tool's own sock_diag socket."""
    return comparable(lines[1:], normalize=normalize)[0]


def _own_diag(rec):
    return rec.get('netid') == 'nl' and rec.get('local_address') == '4' and rec.get('local_port') not in (0, None)


def _endpoint(text):
    """ss's ADDR:PORT (maybe [v6], %dev) -> (address, port, device)."""
    addr, _sep, port = text.rpartition(':')
    addr, _sep, dev = addr.partition('%')
    if addr.startswith('[') and addr.endswith(']'):
        addr = addr[1:-1]
    return addr, (0 if port == '*' else int(port)), dev or None


def _check_records(header, rows, records):
    """The records say what the rows say: netid, state, queues, addresses, ports, device (inet only)."""
    records = [r for r in records if not _own_diag(r)]
    assert len(records) == len(rows), (len(records), len(rows))
    columns = header.split()
    has_netid, has_state = columns[0] == 'Netid', 'State' in columns[:2]
    for rec, tokens in zip(records, rows):
        i = 0
        expected = {}
        if has_netid:
            expected['netid'], i = tokens[0], 1
        if has_state:
            expected['state'], i = tokens[i], i + 1
        expected['recv_q'], expected['send_q'] = int(tokens[i]), int(tokens[i + 1])
        if rec.get('family', 'inet') in ('inet', 'inet6') and rec.get('netid') != 'raw':
            local, peer = _endpoint(tokens[i + 2]), _endpoint(tokens[i + 3])
            expected.update(local_address=local[0], local_port=local[1], interface=local[2],
                            peer_address=peer[0], peer_port=peer[1])
        for key, value in expected.items():
            if key not in rec:
                continue                        # fields: only some keys were asked for
            if key.endswith('_address') and value == '::' and rec[key] in ('*', '::'):
                continue                        # ss -n prints [::] for both wildcards (docs/differences.md)
            if key == 'netid' and rec.get('family') in ('inet', 'inet6') and rec[key] == 'raw':
                continue                        # raw rows: ss's Netid is the protocol's name
            assert rec[key] == value, (key, rec, tokens)


def _matches(played, name, lines, records):
    """None if the module's lines and records are those ss printed right before or after the task, else the difference."""
    normalize = _normalize(played['selinux_off'])
    ours = _rows(lines, normalize)
    problems = []
    for when, theirs_lines in _ss_lines(_record(played, name), name):
        if lines[0].split()[:2] != theirs_lines[0].split()[:2]:
            problems.append('%s: header %r, ss %r' % (when, lines[0], theirs_lines[0]))
            continue
        theirs = _rows(theirs_lines, normalize)
        if ours == theirs:
            _check_records(lines[0], theirs, records)
            return None
        problems.append('%s: ours %s, ss %s' % (when, [r for r in ours if r not in theirs], [r for r in theirs if r not in ours]))
    return '; '.join(problems)


def _facts_examples():
    return [name for name, kind in _examples() if kind == 'netdiag.ss.socket_facts' and ss_argv(name)[0] != '-s']


@pytest.mark.parametrize('name', _facts_examples())
def test_socket_facts_example_selects_what_ss_prints(played, name):
    result = _result(played, name)
    problem = _matches(played, name, result['lines'], result['ansible_facts']['sockets'])
    assert problem is None, problem
    assert result['ansible_facts']['socket_summary']['total'] == len(result['ansible_facts']['sockets'])


def test_examples_select_something(played):
    """Guard: the comparison means something only if the examples select sockets (the zoo's and seed_zoo.py's)."""
    empty = [name for name in _facts_examples() if not _rows(_record(played, name)['probe_after'][name])]
    assert empty == [], empty
    assert len(_facts_examples()) >= 30


def test_summary_example_prints_what_ss_prints(played):
    """ss -s: the same lines; in "Total:" and "TCP:" only the words (the kernel's allocation counters there
    count sockets of the whole machine, which other processes change between two reads)."""
    name = next(name for name, _kind in _examples() if ss_argv(name)[0] == '-s')
    result = _result(played, name)
    before, after = (lines for _when, lines in _ss_lines(_record(played, name), name))

    def shape(lines):
        out = []
        for line in lines:
            tokens = line.split()
            if tokens[:1] in (['Total:'], ['TCP:']):
                tokens = [re.sub(r'\d+', 'N', t) for t in tokens]
            out.append(tokens)
        return out
    assert shape(result['lines']) in (shape(before), shape(after)), (result['lines'], before, after)
    stats = result['ansible_facts']['socket_stats']
    assert stats['transport']['udp']['total'] == 4 and result['ansible_facts']['sockets'] == []


def test_socket_kill_preview_lists_what_ss_lists(played):
    """The socket_kill task (check mode) would close exactly the sockets `ss` lists for its selection, and closed none."""
    names = [name for name, kind in _examples() if kind == 'netdiag.ss.socket_kill']
    assert names
    for name in names:
        result = _result(played, name)
        assert result['changed'] == bool(result['killed'])
        problem = _matches(played, name, result['lines'], result['killed'])
        assert problem is None, problem
        # (Ansible takes the module's `failed` list as its own failed flag: an empty one is dropped from the result)
        assert not result.get('failed') and not result['protected']
    # the CLOSE-WAIT connection of the zoo is still there
    assert any(len(_rows(_record(played, name)['probe_after'][name])) for name in names)


def test_socket_assert_rules_count_what_ss_lists(played):
    task = next(t for t in _tasks() if module(t) == 'netdiag.ss.socket_assert')
    record = _record(played, task['name'])
    rules = dict((r['name'], r) for r in record['result']['rules'])
    for name, _kind in examples_of(task):
        counts = set(len(_rows(lines)) for _when, lines in _ss_lines(record, name))
        assert rules[name]['count'] in counts, (name, rules[name], counts)
    result = record['result']
    assert result['passed'] and any(r['count'] for r in result['rules'])


def test_every_example_of_the_seed_is_in_the_playbook():
    """Each ss command of the EXEMPLES section of the description this project started from is a task."""
    if not os.path.exists(SEED):
        pytest.skip('%s is not here (set NETDIAG_SS_SEED to its path)' % SEED)
    with open(SEED, encoding='utf-8') as f:
        text = f.read()
    section = text.split('## EXEMPLES', 1)
    if len(section) != 2:
        pytest.skip('%s has no EXEMPLES section' % SEED)
    commands = []
    for block in re.findall(r'```shell\n(.*?)```', section[1], re.S):
        for line in block.splitlines():
            if line.strip().startswith('ss '):
                commands.append(shlex.split(line)[1:])
    assert len(commands) >= 25, commands
    names = [ss_argv(name)[:-1] for name, _kind in _examples()]
    missing = [' '.join(c) for c in commands if c not in names]
    assert not missing, missing
