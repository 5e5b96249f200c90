# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netns connection's own logic, with processes and namespaces faked.

The plugin is loaded through ansible-core's connection loader (as the
community.general connection tests do), so options resolve from variables,
environment and defaults exactly as in a play. Nothing here enters a
namespace or runs nsenter: tests/integration/test_connection_netns.py runs
ansible-playbook against real namespaces.
"""

from __future__ import annotations

import errno
import getpass
import os
import subprocess
import sys
from unittest import mock

import pytest

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.playbook.play_context import PlayContext
from ansible.plugins.connection import ConnectionBase
from ansible.plugins.loader import connection_loader

from ansible_collections.netdiag.ss.plugins.module_utils import _netns

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
NSENTER = '/usr/bin/nsenter'
CLONE_NEWNET = 0x40000000


@pytest.fixture(scope='module')
def loader():
    """The connection loader, able to load this checkout's plugin.

    Plain pytest (unlike ansible-test) installs no collection finder, so the
    plugin's folder is added and the plugin loaded by its short name: the
    same file, documentation and option definitions as netdiag.ss.netns.
    """
    connection_loader.add_directory(os.path.join(ROOT, 'plugins', 'connection'))
    return connection_loader


@pytest.fixture
def conn(loader):
    return loader.get('netns', PlayContext())


@pytest.fixture
def plugin(conn):
    """The plugin's module as the loader loaded it (what the connection's code looks names up in)."""
    return sys.modules[type(conn).__module__]


@pytest.fixture
def netns_dir(tmp_path, monkeypatch):
    """/var/run/netns, made up: a temporary folder."""
    monkeypatch.setattr(_netns, 'NETNS_RUN_DIR', str(tmp_path))
    return tmp_path


@pytest.fixture
def host(plugin, netns_dir, monkeypatch):
    """A world with namespaces 'blue' and 'red' (their files pass the NS_GET_NSTYPE check), nsenter, and root."""
    for name in ('blue', 'red'):
        (netns_dir / name).write_bytes(b'')
    real_ioctl = plugin.fcntl.ioctl

    def ioctl(fd, request, *args):
        if request == plugin.NS_GET_NSTYPE and os.path.dirname(os.readlink('/proc/self/fd/%d' % fd)) == str(netns_dir):
            return CLONE_NEWNET
        return real_ioctl(fd, request, *args)
    monkeypatch.setattr(plugin.fcntl, 'ioctl', ioctl)
    monkeypatch.setattr(plugin, 'get_bin_path', lambda name: {'nsenter': NSENTER}[name])
    monkeypatch.setattr(plugin, 'has_cap_sys_admin', lambda: True)
    return netns_dir


@pytest.fixture
def popen(monkeypatch):
    """subprocess.Popen faked: records argv and keyword arguments, answers (0, b'out', b'err')."""
    calls = []

    def fake(argv, **kwargs):
        proc = mock.Mock(returncode=0)
        proc.communicate.return_value = (b'out', b'err')
        calls.append((argv, kwargs, proc))
        return proc
    monkeypatch.setattr(subprocess, 'Popen', fake)
    return calls


def use(conn, **variables):
    """Set the options from host variables the way the task executor does."""
    conn.set_options(var_options=variables)
    return conn


# ---------------------------------------------------------------- the plugin and its options
def test_is_a_connection_with_pipelining_and_no_tty(conn):
    assert isinstance(conn, ConnectionBase)
    assert conn.transport == 'netdiag.ss.netns' and conn.has_pipelining and not conn.has_tty
    assert conn.get_option('executable') == '/bin/sh' and conn.get_option('nsenter_exe') == 'nsenter'
    assert conn.get_option('pipelining') is False


@pytest.mark.parametrize('variables, name', [
    ({'inventory_hostname': 'blue'}, 'blue'),
    ({'inventory_hostname': 'lab1', 'ansible_netns_name': 'red'}, 'red'),
    ({'inventory_hostname': 'lab1', 'ansible_host': 'green'}, 'green'),        # delegate_to sets ansible_host
    ({'inventory_hostname': 'lab1', 'ansible_host': 'green', 'ansible_netns_name': 'red'}, 'red'),
], ids=['inventory-hostname', 'netns-name-over-hostname', 'ansible-host-over-hostname', 'netns-name-over-all'])
def test_namespace_name_precedence(conn, variables, name):
    assert use(conn, **variables).get_option('remote_addr') == name


def test_other_options_from_variables_and_environment(conn, monkeypatch):
    use(conn, inventory_hostname='blue', ansible_pipelining=True, ansible_executable='/bin/bash',
        ansible_netns_nsenter_exe='/opt/nsenter')
    assert conn.get_option('pipelining') is True and conn.get_option('executable') == '/bin/bash'
    assert conn.get_option('nsenter_exe') == '/opt/nsenter'
    monkeypatch.setenv('ANSIBLE_NETNS_NSENTER_EXE', '/env/nsenter')
    assert use(conn, inventory_hostname='blue').get_option('nsenter_exe') == '/env/nsenter'


# ---------------------------------------------------------------- connecting
def test_connect_checks_and_records_the_namespace(conn, host):
    use(conn, inventory_hostname='lab1', ansible_netns_name='red', ansible_user='someone')._connect()
    assert conn.connected and conn.netns == 'red' and conn.netns_path == str(host / 'red') and conn.nsenter == NSENTER
    assert conn._play_context.remote_user == getpass.getuser()       # ansible_user does not apply
    conn.close()
    assert not conn.connected


def test_default_namespace_folder():
    assert _netns.NETNS_RUN_DIR == '/var/run/netns'


@pytest.mark.parametrize('name', ['', '.', '..', 'a/b', '/var/run/netns/blue', 'x\0y', 'x' * 256, '\u00e9' * 128])
def test_invalid_names_fail_before_any_file_is_opened(conn, host, name, monkeypatch):
    opened = []
    monkeypatch.setattr(os, 'open', lambda *a, **kw: opened.append(a))
    with pytest.raises(AnsibleConnectionFailure, match='is not a valid network namespace name') as info:
        use(conn, inventory_hostname='h', ansible_netns_name=name)._connect()
    assert 'ansible_netns_name' in str(info.value) and not opened and not conn.connected


@pytest.mark.parametrize('name', ['x' * 255, 'with space', 'caf\u00e9', '-dash'])
def test_unusual_valid_names(conn, host, name):
    (host / name).write_bytes(b'')
    use(conn, inventory_hostname=name)._connect()
    assert conn.netns_path == os.path.join(str(host), name)


def test_missing_namespace_is_a_clear_error_and_is_not_created(conn, host):
    with pytest.raises(AnsibleConnectionFailure) as info:
        use(conn, inventory_hostname='green')._connect()
    message = str(info.value)
    assert 'network namespace "green" does not exist' in message and os.path.join(str(host), 'green') in message
    assert 'never creates' in message and sorted(p.name for p in host.iterdir()) == ['blue', 'red']


def test_missing_namespace_folder(conn, plugin, tmp_path, monkeypatch):
    monkeypatch.setattr(_netns, 'NETNS_RUN_DIR', str(tmp_path / 'netns'))
    with pytest.raises(AnsibleConnectionFailure, match='"blue" does not exist'):
        use(conn, inventory_hostname='blue')._connect()
    assert not (tmp_path / 'netns').exists()


def test_a_file_that_is_not_a_namespace(conn, netns_dir, plugin, monkeypatch):
    (netns_dir / 'stale').write_bytes(b'')       # what is left when a namespace's bind mount is gone
    monkeypatch.setattr(plugin, 'get_bin_path', lambda name: NSENTER)
    with pytest.raises(AnsibleConnectionFailure, match=r'stale exists but is not a network namespace'):
        use(conn, inventory_hostname='stale')._connect()


def test_a_namespace_of_another_kind(conn, host, plugin, monkeypatch):
    monkeypatch.setattr(plugin.fcntl, 'ioctl', lambda fd, request: 0x04000000)      # CLONE_NEWUTS
    with pytest.raises(AnsibleConnectionFailure, match='is not a network namespace'):
        use(conn, inventory_hostname='blue')._connect()


def test_unreadable_namespace_file(conn, host, monkeypatch):
    def denied(path, flags):
        raise PermissionError(errno.EACCES, 'Permission denied', path)
    monkeypatch.setattr(os, 'open', denied)
    with pytest.raises(AnsibleConnectionFailure, match=r'permission denied\): entering network namespace "blue" needs root'):
        use(conn, inventory_hostname='blue')._connect()


def test_nsenter_missing(conn, host, plugin, monkeypatch):
    def not_found(name):
        raise ValueError('Failed to find required executable "%s"' % name)
    monkeypatch.setattr(plugin, 'get_bin_path', not_found)
    with pytest.raises(AnsibleConnectionFailure, match='cannot find "nsenter" .*ansible_netns_nsenter_exe'):
        use(conn, inventory_hostname='blue')._connect()


def test_nsenter_exe_absolute_path(conn, host, tmp_path):
    exe = tmp_path / 'my-nsenter'
    exe.write_text('#!/bin/sh\n')
    with pytest.raises(AnsibleConnectionFailure, match='is not an executable file'):
        use(conn, inventory_hostname='blue', ansible_netns_nsenter_exe=str(exe))._connect()
    exe.chmod(0o755)
    use(conn, inventory_hostname='blue', ansible_netns_nsenter_exe=str(exe))._connect()
    assert conn.nsenter == str(exe)


# ---------------------------------------------------------------- without CAP_SYS_ADMIN
def _status(cap_eff):
    return 'Name:\tpython\nCapInh:\t0000000000000000\nCapEff:\t%s\nCapBnd:\t000001ffffffffff\n' % cap_eff


@pytest.mark.parametrize('cap_eff, expected', [('000001ffffffffff', True), ('000001fffedfffff', False),
                                               ('0000000000200000', True), ('0000000000000000', False)])
def test_cap_sys_admin_is_read_from_proc(plugin, monkeypatch, cap_eff, expected):
    from ansible_collections.netdiag.ss.plugins.module_utils import _privilege
    monkeypatch.setattr(_privilege, 'open', mock.mock_open(read_data=_status(cap_eff)), raising=False)
    assert plugin.has_cap_sys_admin() is expected


@pytest.mark.parametrize('euid', [0, 1000])
def test_cap_sys_admin_unknown_is_that_of_root(plugin, monkeypatch, euid):
    """Where /proc/self/status cannot be read, root is taken to have it (nsenter will tell otherwise)."""
    from ansible_collections.netdiag.ss.plugins.module_utils import _privilege
    monkeypatch.setattr(_privilege, 'open', mock.Mock(side_effect=OSError(2, 'No such file or directory')), raising=False)
    monkeypatch.setattr(plugin.os, 'geteuid', lambda: euid)
    assert plugin.has_cap_sys_admin() is (euid == 0)


def test_without_cap_sys_admin_nsenter_is_tried_once_and_its_refusal_explained(conn, host, plugin, monkeypatch):
    monkeypatch.setattr(plugin, 'has_cap_sys_admin', lambda: False)
    runs = []

    def run(argv, **kwargs):
        runs.append(argv)
        return subprocess.CompletedProcess(argv, 1, b'', b"nsenter: reassociate to namespace 'ns/net' failed: Operation not permitted\n")
    monkeypatch.setattr(subprocess, 'run', run)
    with pytest.raises(AnsibleConnectionFailure) as info:
        use(conn, inventory_hostname='blue')._connect()
    message = str(info.value)
    assert 'needs root (CAP_SYS_ADMIN)' in message and 'become cannot help' in message
    assert "nsenter said: nsenter: reassociate to namespace 'ns/net' failed: Operation not permitted" in message
    assert runs == [[NSENTER, '--net=' + str(host / 'blue'), '--', '/bin/sh', '-c', ':']] and not conn.connected


def test_without_cap_sys_admin_a_capable_nsenter_is_accepted(conn, host, plugin, monkeypatch):
    monkeypatch.setattr(plugin, 'has_cap_sys_admin', lambda: False)
    monkeypatch.setattr(subprocess, 'run', lambda argv, **kw: subprocess.CompletedProcess(argv, 0, b'', b''))
    use(conn, inventory_hostname='blue')._connect()
    assert conn.connected


# ---------------------------------------------------------------- running commands
def test_exec_command_enters_only_the_network_namespace(conn, host, popen):
    use(conn, inventory_hostname='lab1', ansible_netns_name='blue')
    assert conn.exec_command('ip -o link') == (0, b'out', b'err')           # connects on first use
    (argv, kwargs, proc), = popen
    assert argv == [NSENTER.encode(), b'--net=' + str(host / 'blue').encode(), b'--', b'/bin/sh', b'-c', b'ip -o link']
    assert kwargs == {'stdin': subprocess.PIPE, 'stdout': subprocess.PIPE, 'stderr': subprocess.PIPE}
    assert 'shell' not in kwargs and 'preexec_fn' not in kwargs
    proc.communicate.assert_called_once_with(None)


def test_exec_command_pipelines_on_stdin_with_the_configured_shell(conn, host, popen):
    use(conn, inventory_hostname='red', ansible_executable='/bin/bash', ansible_pipelining=True)
    conn.exec_command("/bin/sh -c 'python3 && sleep 0'", in_data=b'MODULE')
    (argv, kwargs, proc), = popen
    assert argv[3:] == [b'/bin/bash', b'-c', b"/bin/sh -c 'python3 && sleep 0'"]
    proc.communicate.assert_called_once_with(b'MODULE')


def test_exec_command_returns_the_command_status(conn, host, monkeypatch):
    proc = mock.Mock(returncode=3)
    proc.communicate.return_value = (b'', b'no such file\n')
    monkeypatch.setattr(subprocess, 'Popen', lambda argv, **kw: proc)
    assert use(conn, inventory_hostname='blue').exec_command('false') == (3, b'', b'no such file\n')


def test_exec_command_on_a_missing_namespace_runs_nothing(conn, host, popen):
    with pytest.raises(AnsibleConnectionFailure, match='does not exist'):
        use(conn, inventory_hostname='green').exec_command('true')
    assert popen == []


def test_exec_command_when_nsenter_cannot_start(conn, host, monkeypatch):
    def broken(argv, **kwargs):
        raise OSError(errno.ENOENT, 'No such file or directory')
    monkeypatch.setattr(subprocess, 'Popen', broken)
    with pytest.raises(AnsibleConnectionFailure, match='cannot run /usr/bin/nsenter: No such file or directory'):
        use(conn, inventory_hostname='blue').exec_command('true')


# ---------------------------------------------------------------- files are local
def test_put_and_fetch_copy_local_files(conn, host, tmp_path, popen):
    use(conn, inventory_hostname='blue')
    src = tmp_path / 'src.txt'
    src.write_bytes(b'\x00binary\xff and text\n')
    conn.put_file(str(src), str(tmp_path / 'put.txt'))
    conn.fetch_file(str(tmp_path / 'put.txt'), str(tmp_path / 'fetched.txt'))
    assert (tmp_path / 'put.txt').read_bytes() == (tmp_path / 'fetched.txt').read_bytes() == src.read_bytes()
    empty = tmp_path / 'empty'
    empty.write_bytes(b'')
    conn.put_file(str(empty), str(tmp_path / 'empty.out'))
    assert (tmp_path / 'empty.out').read_bytes() == b''
    assert popen == []                                 # no process: the file system is the controller's


@pytest.mark.parametrize('method', ['put_file', 'fetch_file'])
def test_file_transfer_errors(conn, host, tmp_path, method):
    transfer = getattr(use(conn, inventory_hostname='blue'), method)
    src = tmp_path / 'src.txt'
    src.write_text('x')
    with pytest.raises(AnsibleFileNotFound, match='does not exist: .*missing.txt'):
        transfer(str(tmp_path / 'missing.txt'), str(tmp_path / 'out.txt'))
    with pytest.raises(AnsibleError, match='it is a directory, not a file'):
        transfer(str(tmp_path), str(tmp_path / 'out.txt'))
    with pytest.raises(AnsibleError, match='failed to transfer .*src.txt to .*no/such/dir/out.txt: No such file or directory'):
        transfer(str(src), str(tmp_path / 'no' / 'such' / 'dir' / 'out.txt'))
    with pytest.raises(AnsibleError, match='they are the same file'):
        transfer(str(src), str(src))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['blue', 'red', 'src.txt']


def test_file_transfer_checks_the_namespace_first(conn, host, tmp_path):
    src = tmp_path / 'src.txt'
    src.write_text('x')
    with pytest.raises(AnsibleConnectionFailure, match='does not exist'):
        use(conn, inventory_hostname='green').put_file(str(src), str(tmp_path / 'out.txt'))
    assert not (tmp_path / 'out.txt').exists()


def test_reset_checks_the_namespace_again(conn, host, popen):
    use(conn, inventory_hostname='blue').exec_command('true')
    os.unlink(str(host / 'blue'))
    conn.reset()
    with pytest.raises(AnsibleConnectionFailure, match='"blue" does not exist'):
        conn.exec_command('true')
    assert len(popen) == 1


def test_a_fifo_in_the_namespace_folder_does_not_block(conn, netns_dir, plugin, monkeypatch):
    """Opened without blocking: a FIFO put there by mistake is refused, not waited on."""
    os.mkfifo(str(netns_dir / 'pipe'))
    monkeypatch.setattr(plugin, 'get_bin_path', lambda name: NSENTER)
    with pytest.raises(AnsibleConnectionFailure, match=r'pipe exists but is not a network namespace'):
        use(conn, inventory_hostname='pipe')._connect()


def test_a_namespace_gone_after_the_connection_is_unreachable_not_a_status(conn, host, popen):
    """Deleted between two commands (or by the first): the next command is not run, the host is unreachable."""
    use(conn, inventory_hostname='blue').exec_command('ip netns del blue; exit 1')
    os.unlink(str(host / 'blue'))
    with pytest.raises(AnsibleConnectionFailure, match='"blue" does not exist'):
        conn.exec_command('true')
    assert len(popen) == 1
