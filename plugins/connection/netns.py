# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: netns
short_description: Run tasks inside a named network namespace of the controller
version_added: 0.1.0
description:
  - Runs the commands and modules of a host inside a named network namespace on the Ansible controller, one made with
    C(ip netns add NAME) (or anything else that bind-mounts a namespace at C(/var/run/netns/NAME)).
  - B(Only the network namespace changes.) The file system, mounts, users, processes and host name stay those of the
    controller, so files are local files, and M(ansible.builtin.copy), M(ansible.builtin.fetch),
    M(ansible.builtin.slurp) or M(ansible.builtin.template) read and write the controller's file system.
  - Network interfaces, addresses, routes, firewall rules and sockets are those of the namespace, so a set of namespaces
    can stand in for a fleet of hosts in tests, labs and CI.
  - A namespace that does not exist is an error when the connection is made (the host is unreachable); it is never
    created.
  - "How the namespace is entered: every command runs as C(nsenter --net=/var/run/netns/NAME -- /bin/sh -c COMMAND)
    (C(nsenter) from util-linux). That changes the network namespace only, for exactly the command, and C(-vvv) shows the
    whole command line, so it can be run again by hand. C(ip netns exec NAME) is not used because it also enters a new
    mount namespace, remounts C(/sys) and bind-mounts the files of C(/etc/netns/NAME) over C(/etc), which would change
    what tasks see of the file system. Calling C(setns) in a forked child of Ansible's worker (a C(preexec_fn)) is
    avoided too: Python documents that as unsafe when threads exist, and Python 3.11 has no C(os.setns)."
author:
  - netdiag.ss developers (@netdiag)
extends_documentation_fragment:
  - connection_pipelining
options:
  remote_addr:
    description:
      - Name of the network namespace to run in, a file name in C(/var/run/netns) (list them with C(ip netns list)).
      - The first of these variables that is set, in this order, is used (as for the C(community.general.chroot) and
        C(community.general.lxc) connections) - C(ansible_netns_name), then C(ansible_host), then the inventory host name
        (C(inventory_hostname)). So a host named like its namespace needs no variable.
      - With C(delegate_to), ansible-core sets C(ansible_host) to the delegated host's name when that host defines neither
        C(ansible_host) nor C(ansible_netns_name), so a task delegated to another namespace host runs in that host's
        namespace.
      - Names follow the rule of C(ip netns) - not empty, not V(.) or V(..), no C(/), at most 255 bytes. Other names are
        an error.
    type: string
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_netns_name
  executable:
    description:
      - The shell that runs each command inside the namespace (as C(SHELL -c COMMAND)).
    type: string
    default: /bin/sh
    ini:
      - section: defaults
        key: executable
    env:
      - name: ANSIBLE_EXECUTABLE
    vars:
      - name: ansible_executable
  nsenter_exe:
    description:
      - The C(nsenter) program (util-linux) that enters the namespace, a name looked up on E(PATH) and in the sbin
        folders, or an absolute path.
    type: string
    default: nsenter
    ini:
      - section: netns_connection
        key: nsenter_exe
    env:
      - name: ANSIBLE_NETNS_NSENTER_EXE
    vars:
      - name: ansible_netns_nsenter_exe
notes:
  - B(Root.) Entering a network namespace needs C(CAP_SYS_ADMIN), so Ansible itself must run as root on the controller
    (for example C(sudo ansible-playbook ...)). Without it the connection fails with a message saying so, unless
    O(nsenter_exe) can enter the namespace on its own (for example a copy of C(nsenter) with file capabilities).
    Become cannot help, because it runs inside the namespace, after C(nsenter).
  - B(Become) works as on the controller itself - the become command (C(ansible.builtin.su), C(ansible.builtin.sudo),
    ...) runs inside the namespace, so the task sees the same network as the host's other tasks, as the become user.
    Since the connection runs as root, C(su) and C(sudo) ask for no password; the connection provides no terminal and
    answers no password prompt.
  - The remote user (C(ansible_user)) is ignored - commands run as the user running Ansible, or as the become user.
  - Commands run in the controller's working directory and environment.
  - Pipelining is supported - the module is sent on the standard input of the command, through C(nsenter).
  - Because C(/sys) is not remounted, C(/sys/class/net) still lists the controller's interfaces, so the interface list in
    the network facts of M(ansible.builtin.setup) (C(ansible_interfaces)) is the controller's, while everything read
    through netlink or C(/proc/net) (C(ip), C(ss), M(netdiag.ss.socket_facts), routes) is the namespace's.
  - Because C(/etc/netns/NAME) is not bind-mounted, name resolution uses the controller's C(/etc/resolv.conf) and
    C(/etc/hosts); a resolver address that is only reachable from the controller's namespace (such as 127.0.0.53) is not
    reachable from inside a namespace without routes.
  - All namespace hosts share the controller's file system, so tasks of several hosts writing the same path overwrite
    each other; put the host name into such paths.
  - Needs Linux 4.11 or later (the C(NS_GET_NSTYPE) check that the file is a network namespace) and C(nsenter) from
    util-linux 2.23 or later on the controller.
seealso:
  - module: netdiag.ss.socket_facts
    description: Lists sockets; its O(netdiag.ss.socket_facts#module:netns) option lists one namespace's sockets on any host.
  - name: nsenter(1)
    description: The program that enters the namespace.
    link: https://man7.org/linux/man-pages/man1/nsenter.1.html
  - name: ip-netns(8)
    description: Creates and lists named network namespaces.
    link: https://man7.org/linux/man-pages/man8/ip-netns.8.html
"""

EXAMPLES = r"""
---
# Inventory (YAML): one host per network namespace of the controller.
#   lab:
#     hosts:
#       blue: {}                        # the namespace is named like the host
#       router1:
#         ansible_netns_name: red      # the namespace "red"
#     vars:
#       ansible_connection: netdiag.ss.netns
#       ansible_python_interpreter: "{{ ansible_playbook_python }}"

- name: Check every namespace of the lab
  hosts: lab
  gather_facts: false
  tasks:
    - name: Links of this namespace only
      ansible.builtin.command: ip -o link
      changed_when: false

    - name: Sockets listening in this namespace
      netdiag.ss.socket_facts:
        ss_args: -tuln

    - name: A file written by a task is a file on the controller
      ansible.builtin.copy:
        content: "{{ ansible_facts.sockets | to_nice_json }}\n"
        dest: "/tmp/sockets-{{ inventory_hostname }}.json"
        mode: "0644"
"""

import errno
import fcntl
import getpass
import os
import shutil
import subprocess

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.process import get_bin_path
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

from ansible_collections.netdiag.ss.plugins.module_utils._errors import NamespaceError
from ansible_collections.netdiag.ss.plugins.module_utils._netns import CLONE_NEWNET, NETNS_RUN_DIR, netns_path
from ansible_collections.netdiag.ss.plugins.module_utils._privilege import CAP_SYS_ADMIN, has_capability

display = Display()

NAME_MAX = 255            # bytes in a file name (limits.h); ip netns has the same limit
NS_GET_NSTYPE = 0xB703    # _IO(0xb7, 0x3) from linux/nsfs.h: the CLONE_NEW* type of a namespace file (Linux 4.11+)


def namespace_path(name: str | None) -> str:
    """/var/run/netns/NAME for a valid name; AnsibleConnectionFailure for anything else."""
    text = '' if name is None else to_text(name, errors='surrogate_or_strict')
    try:
        path = netns_path(text)
    except NamespaceError:
        path = None
    if path is None or len(to_bytes(text, errors='surrogate_or_strict')) > NAME_MAX:
        raise AnsibleConnectionFailure(
            f'netdiag.ss.netns: {text!r} is not a valid network namespace name (a file name in {NETNS_RUN_DIR}: not empty,'
            f' not "." or "..", no "/", at most {NAME_MAX} bytes); set ansible_netns_name for a host whose inventory name'
            ' is not the name of its namespace')
    return path


def check_namespace(name: str, path: str) -> None:
    """Fail unless `path` exists and is a network namespace. Opens it read-only: never creates anything."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)     # a FIFO put there must not block
    except FileNotFoundError:
        raise AnsibleConnectionFailure(
            f'netdiag.ss.netns: network namespace "{name}" does not exist: {path} not found (see "ip netns list");'
            f' this connection never creates one: create it first, for example with "ip netns add {name}"') from None
    except PermissionError:
        raise AnsibleConnectionFailure(
            f'netdiag.ss.netns: cannot open {path} (permission denied): entering network namespace "{name}" needs root'
            ' (CAP_SYS_ADMIN) on the controller') from None
    except OSError as exc:
        raise AnsibleConnectionFailure(f'netdiag.ss.netns: cannot open {path}: {exc.strerror}') from exc
    try:
        try:
            kind = fcntl.ioctl(fd, NS_GET_NSTYPE)
        except OSError as exc:
            if exc.errno not in (errno.ENOTTY, errno.EINVAL):
                raise AnsibleConnectionFailure(f'netdiag.ss.netns: cannot check {path}: {exc.strerror}') from exc
            kind = None
        if kind != CLONE_NEWNET:
            raise AnsibleConnectionFailure(
                f'netdiag.ss.netns: {path} exists but is not a network namespace (a file left behind when the'
                f' namespace "{name}" went away?); remove it and create the namespace again with "ip netns add {name}"')
    finally:
        os.close(fd)


def has_cap_sys_admin() -> bool:
    """Whether this process may call setns() (CAP_SYS_ADMIN in its effective set; root's when it cannot be told)."""
    return has_capability(CAP_SYS_ADMIN, default=os.geteuid() == 0)


def copy_local(src: str, dst: str) -> None:
    """Copy one regular file on the controller, with the errors of a file transfer."""
    b_src = to_bytes(src, errors='surrogate_or_strict')
    b_dst = to_bytes(dst, errors='surrogate_or_strict')
    if not os.path.exists(b_src):
        raise AnsibleFileNotFound(f'file or module does not exist: {src}')
    if os.path.isdir(b_src):
        raise AnsibleError(f'failed to transfer {src}: it is a directory, not a file')
    try:
        shutil.copyfile(b_src, b_dst)
    except shutil.SameFileError:
        raise AnsibleError(f'failed to transfer {src} to {dst}: they are the same file') from None
    except OSError as exc:
        raise AnsibleError(f'failed to transfer {src} to {dst}: {exc.strerror or exc}') from exc


class Connection(ConnectionBase):
    """Run commands in a named network namespace of the controller; files are local."""

    transport = 'netdiag.ss.netns'
    has_pipelining = True
    has_tty = False  # commands get pipes, never a terminal: no become plugin that needs one, no password prompts

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        try:
            self.default_user = getpass.getuser()
        except KeyError:
            self.default_user = ''
        self.netns: str | None = None        # the namespace entered (set on connect)
        self.netns_path: str | None = None
        self.nsenter: str | None = None

    def _connect(self) -> Connection:
        """Check the namespace, the privilege to enter it and nsenter; create nothing."""
        name = self.get_option('remote_addr')
        path = namespace_path(name)
        check_namespace(name, path)
        nsenter = self._find_nsenter()
        self.netns, self.netns_path, self.nsenter = name, path, nsenter
        if not has_cap_sys_admin():
            self._probe(name)
        # like the local connection: commands run as the user running Ansible, whatever ansible_user says
        self._play_context.remote_user = self.default_user
        if not self._connected:
            display.vvv(f'ESTABLISH NETNS CONNECTION TO {path} FOR USER: {self.default_user}', host=name)
            self._connected = True
        return self

    def _find_nsenter(self) -> str:
        exe = self.get_option('nsenter_exe')
        if os.path.isabs(exe):
            if not os.access(exe, os.X_OK) or os.path.isdir(exe):
                raise AnsibleConnectionFailure(f'netdiag.ss.netns: nsenter_exe {exe} is not an executable file')
            return exe
        try:
            return get_bin_path(exe)
        except ValueError:
            raise AnsibleConnectionFailure(
                f'netdiag.ss.netns: cannot find "{exe}" (util-linux) on the controller; install util-linux or set'
                ' ansible_netns_nsenter_exe to its path') from None

    def _probe(self, name: str) -> None:
        """Without CAP_SYS_ADMIN, try nsenter once (it may have file capabilities) and explain a failure."""
        try:
            proc = subprocess.run(self._argv(':'), stdin=subprocess.DEVNULL, capture_output=True, check=False)
        except OSError as exc:
            raise AnsibleConnectionFailure(f'netdiag.ss.netns: cannot run {self.nsenter}: {exc.strerror}') from exc
        if proc.returncode != 0:
            raise AnsibleConnectionFailure(
                f'netdiag.ss.netns: entering network namespace "{name}" needs root (CAP_SYS_ADMIN) on the controller,'
                f' and Ansible runs as uid {os.geteuid()} without it: run ansible-playbook as root (become cannot help:'
                f' it runs inside the namespace, after nsenter). nsenter said: {to_text(proc.stderr).strip()}')

    def _argv(self, cmd: str) -> list[str]:
        """The command line that runs `cmd` with the host's shell inside the namespace."""
        return [self.nsenter, f'--net={self.netns_path}', '--', self.get_option('executable'), '-c', cmd]

    def exec_command(self, cmd: str, in_data: bytes | None = None, sudoable: bool = True) -> tuple[int, bytes, bytes]:
        """Run `cmd` in the namespace; `in_data` (pipelining) goes to its standard input."""
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        # the namespace may be gone since the connection was made: nsenter would then exit 1 as if the command had,
        # and the host would fail (or, with failed_when: rc > 1, pass) instead of being unreachable
        check_namespace(self.netns, self.netns_path)
        argv = self._argv(to_text(cmd, errors='surrogate_or_strict'))
        display.vvv(f'EXEC {argv}', host=self.netns)
        try:
            proc = subprocess.Popen([to_bytes(arg, errors='surrogate_or_strict') for arg in argv],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise AnsibleConnectionFailure(f'netdiag.ss.netns: cannot run {self.nsenter}: {exc.strerror}') from exc
        stdout, stderr = proc.communicate(in_data)
        return proc.returncode, stdout, stderr

    def put_file(self, in_path: str, out_path: str) -> None:
        """A local copy: the namespace has the controller's file system."""
        super().put_file(in_path, out_path)
        display.vvv(f'PUT {in_path} TO {out_path}', host=self.netns)
        copy_local(in_path, out_path)

    def fetch_file(self, in_path: str, out_path: str) -> None:
        """A local copy: the namespace has the controller's file system."""
        super().fetch_file(in_path, out_path)
        display.vvv(f'FETCH {in_path} TO {out_path}', host=self.netns)
        copy_local(in_path, out_path)

    def reset(self) -> None:
        """Nothing is kept open: the next task checks the namespace again."""
        self.close()

    def close(self) -> None:
        """Nothing to close: every command is its own process."""
        self._connected = False
