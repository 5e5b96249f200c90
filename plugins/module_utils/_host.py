# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""What the running host says about names: the one place that looks them up.

Interfaces, services, host names, IP protocol names from /etc/protocols,
netlink protocol names from /etc/iproute2/nl_protos, cgroup ids, the clock
tick rate and the ephemeral port range are all answered by the host (and, for interfaces,
the ephemeral range and /proc/self/net, by the network namespace) the code
runs in. The filter
binder and the renderer ask a `HostLookups`; tests and controller-side
plugins give them another one.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import struct

from ansible_collections.netdiag.ss.plugins.module_utils._netlink import MAGIC_SEQ, NLM_F_REQUEST, NLMSG_HDR, nlmsg, rtattr
from ansible_collections.netdiag.ss.plugins.module_utils._schema import bytes_text, display_bytes
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET6, NETLINK_PROTOCOLS


def os_text(name):
    """A name the OS gave as text (interface names, cgroup paths: bytes not UTF-8 come as surrogates) in the text
    form of socket names (_schema.bytes_text: \\xHH for such bytes, \\\\ for a backslash). A surrogate would make
    Ansible refuse the whole result ("Refusing to deserialize an invalid UTF8 string value")."""
    if name.isascii() and '\\' not in name:
        return name
    return bytes_text(os.fsencode(name))


# rtnetlink (linux/rtnetlink.h, linux/if_link.h): a device by its alternative name, as iproute2's ll_link_get() asks for
# a name too long for if_nametoindex() (IFNAMSIZ is 16 with the NUL; alternative names take up to ALTIFNAMSIZ, 128)
_RTM_NEWLINK = 16
_RTM_GETLINK = 18
_IFLA_ALT_IFNAME = 53
_IFNAMSIZ = 16
_ALTIFNAMSIZ = 128
_IFINFOMSG = struct.Struct('=BxHiII')     # family, (pad), type, index, flags, change


def altname_index(raw):
    """The index of the device whose alternative name is `raw` (bytes), or 0 when no device has it.

    Only names if_nametoindex() cannot take (16 to 127 bytes) are asked: a shorter alternative name is found by
    if_nametoindex() itself (the kernel's SIOCGIFINDEX knows alternative names).
    """
    if not _IFNAMSIZ <= len(raw) < _ALTIFNAMSIZ or b'\0' in raw:
        return 0
    request = nlmsg(_RTM_GETLINK, NLM_F_REQUEST, _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
                    + rtattr(_IFLA_ALT_IFNAME, raw + b'\0'))
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | getattr(socket, 'SOCK_CLOEXEC', 0), 0) as sock:
            sock.settimeout(5.0)        # NETLINK_ROUTE answers at once; never wait forever
            sock.send(request)
            answer = sock.recv(1 << 16)     # the header is all that is read: a longer answer may be cut
    except OSError:
        return 0
    if len(answer) < NLMSG_HDR.size + _IFINFOMSG.size:
        return 0
    length, msg_type, _flags, seq, _pid = NLMSG_HDR.unpack_from(answer)
    if msg_type != _RTM_NEWLINK or seq != MAGIC_SEQ or length < NLMSG_HDR.size + _IFINFOMSG.size:
        return 0        # NLMSG_ERROR (no such device), or no answer to this request
    return _IFINFOMSG.unpack_from(answer, NLMSG_HDR.size)[2]


def _device_spellings(name):
    """The bytes a device name given as text may stand for: as written, then, with a backslash, the bytes of the text
    form this module gives a name that is not UTF-8 (os_text: nd\\xff0 is b'nd\\xff0'); none that cannot be bytes."""
    out = []
    for spell in (os.fsencode, display_bytes) if '\\' in name else (os.fsencode,):
        try:
            out.append(spell(name))
        except (ValueError, UnicodeError):
            pass
    return out


def _nametoindex(raw):
    """if_nametoindex() of a name as bytes, 0 for a name no device has (or none can have)."""
    try:
        return socket.if_nametoindex(os.fsdecode(raw))
    except (OSError, ValueError, UnicodeError):
        return 0


class HostLookups(object):
    """Name look-ups on the host this process runs on, each answer cached."""

    def __init__(self, proc='/proc', etc='/etc'):
        self.proc = proc
        self.etc = etc
        self._nl = None
        self._eph = None
        self._protocols = None

    # -- interfaces
    def ifindex(self, name):
        """iproute2 ll_name_to_index(): the index of the interface with this name or alternative name, else "if<N>"
        read as %u, else 0."""
        spellings = _device_spellings(name)
        # names first (if_nametoindex also knows alternative names of up to 15 bytes), then longer alternative names
        idx = next((i for i in map(_nametoindex, spellings) if i), 0) or \
            next((i for i in map(altname_index, spellings) if i), 0)
        if idx:
            return idx
        m = re.match(r'if[ \t\n\v\f\r]*([+-]?)([0-9]+)', name)
        if m:
            val = int(m.group(2))
            if m.group(1) == '-':
                val = -val
            return val & 0xffffffff
        return 0

    def ifname(self, index):
        """The name of interface `index` (as ss prints %dev), or "if<N>" when it is gone; in the text form of
        socket names (os_text)."""
        try:
            return os_text(socket.if_indextoname(index))
        except (OSError, OverflowError, ValueError):     # gone, or no index at all (out of range)
            return 'if%d' % index

    # -- services
    def service_port(self, name, protocol):
        """Port of a service name for 'tcp' or 'udp', or None."""
        try:
            return socket.getservbyname(name, protocol)
        except (OSError, ValueError, UnicodeError, OverflowError):
            return None

    def service_name(self, port, protocol=None):
        """Service name of a port (for protocol 'tcp'/'udp', or any), or None."""
        try:
            return socket.getservbyport(port, protocol) if protocol else socket.getservbyport(port)
        except (OSError, OverflowError):
            return None

    # -- host names
    def addresses(self, name, families):
        """[(family, packed address)] a host name resolves to, in families (AF_INET / AF_INET6) order."""
        out = []
        for fam in families:
            sys_fam = socket.AF_INET6 if fam == AF_INET6 else socket.AF_INET
            try:
                infos = socket.getaddrinfo(name, None, sys_fam)
            except (OSError, ValueError, UnicodeError):
                continue
            for info in infos:
                addr = info[4][0].split('%', 1)[0]
                item = (fam, socket.inet_pton(sys_fam, addr))
                if item not in out:
                    out.append(item)
        return out

    def host_name(self, text):
        """Reverse look-up of a printed address like ss -r (glibc answers ::ffff:a.b.c.d with a.b.c.d's name), or None."""
        query = text[7:] if text.startswith('::ffff:') and '.' in text else text
        try:
            return socket.gethostbyaddr(query)[0]
        except (OSError, UnicodeError):
            return None

    # -- IP protocols
    def protocol_name(self, number):
        """The name /etc/protocols gives IP protocol `number` (glibc's getprotobynumber: first line wins), or None.

        Python has no getprotobynumber. Only the file is read: an nsswitch.conf that sends `protocols`
        to another database is not followed.
        """
        if self._protocols is None:
            table = {}
            try:
                with open(os.path.join(self.etc, 'protocols'), 'rb') as fh:
                    for line in fh:
                        parts = line.split(b'#', 1)[0].split()
                        digits = parts[1] if len(parts) >= 2 else b''
                        if digits[:1] == b'+':
                            digits = digits[1:]
                        if digits.isdigit():
                            table.setdefault(int(digits), parts[0].decode('utf-8', 'backslashreplace'))
            except (IOError, OSError):
                pass
            self._protocols = table
        return self._protocols.get(number)

    # -- netlink protocols
    def netlink_protocols(self):
        """name -> number: ss's built-in table, extended by /etc/iproute2/nl_protos."""
        if self._nl is None:
            from ansible_collections.netdiag.ss.plugins.module_utils._cparse import full_strtoul
            table = dict(NETLINK_PROTOCOLS)
            try:
                with open(os.path.join(self.etc, 'iproute2', 'nl_protos')) as fh:
                    for line in fh:
                        parts = line.split('#', 1)[0].split()
                        if len(parts) >= 2:
                            num = full_strtoul(parts[0], 0xffffffff)
                            if num is not None:
                                table[parts[1]] = num
            except (IOError, OSError, UnicodeError):
                pass
            self._nl = table
        return self._nl

    def task_name(self, pid):
        """The task name of a pid (see _procs.task_name), or None."""
        from ansible_collections.netdiag.ss.plugins.module_utils._procs import task_name
        return task_name(pid, self.proc)

    # -- cgroups
    def cgroup2_mount(self):
        """Mount point of the first cgroup2 file system, or None."""
        try:
            with open(os.path.join(self.proc, 'self', 'mountinfo'), 'rb') as fh:
                for raw in fh:
                    # mount points are bytes: not UTF-8 ones come back as they are (surrogateescape, as os.fsdecode)
                    left, sep, right = raw.decode('utf-8', 'surrogateescape').partition(' - ')
                    fields = left.split(' ')
                    # (a NUL byte cannot be in a path: such a line is not one the kernel wrote)
                    if sep and right.split(' ', 1)[0] == 'cgroup2' and len(fields) > 4 and '\0' not in fields[4]:
                        return re.sub(r'\\([0-7]{3})', lambda m: chr(int(m.group(1), 8)), fields[4])
        except (IOError, OSError):
            return None
        return None

    def cgroup_id(self, path):
        """cgroup v2 id of PATH, resolved like ss (lib/fs.c get_cgroup2_id, quirk B-11).

        PATH is first looked up as given (relative to the current directory or
        absolute); if that fails, leading slashes are stripped and it is looked
        up under the cgroup2 mount. The id is the directory's inode number (the
        kernfs node id on cgroup2). Raises OSError/ValueError when nothing is found.

        A path must be on the cgroup2 file system (where one is mounted): ss takes any file handle of 8 bytes for an
        id, so the root of /proc or /dev (inode 1, the id of the root cgroup) or a file on ext4 would stand for a
        cgroup (docs/differences.md).
        """
        if not path:
            raise ValueError('empty path')
        mnt = self.cgroup2_mount()
        try:
            dev = os.stat(mnt).st_dev if mnt is not None else None      # the cgroup2 file system's device
        except OSError:
            dev = None          # a mount that cannot be read: no path counts as on it
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            st = None
        if st is not None and (mnt is None or st.st_dev == dev):
            return st.st_ino
        if mnt is None:
            raise ValueError('no cgroup2 file system is mounted')
        rel = path.lstrip('/')
        try:
            st = os.stat(os.path.join(mnt, rel) if rel else mnt)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise
            st = None
        if st is None or st.st_dev != dev:
            raise ValueError('not a directory of the cgroup2 file system mounted on %s' % mnt)
        return st.st_ino

    def cgroup_paths(self):
        """{cgroup id: path} for every cgroup of the cgroup2 mount, paths relative to it ('/' for the root), as ss maps them."""
        mnt = self.cgroup2_mount()
        paths = {}
        if mnt is None:
            return paths
        for top, dirs, _files in os.walk(mnt):
            try:
                ino = os.stat(top).st_ino
            except OSError:
                continue
            rel = os.path.relpath(top, mnt)
            paths[ino] = '/' if rel == '.' else os_text('/' + rel)
            dirs.sort()
        return paths

    # -- ports
    def _sysctl(self, name):
        """The text of the namespace's /proc/sys/net/ipv4/NAME (raises OSError)."""
        with open(os.path.join(self.proc, 'sys', 'net', 'ipv4', name)) as fh:
            return fh.read()

    def _port_range(self):
        """(low, high) of ip_local_port_range, or None when it cannot be read (read once)."""
        if self._eph is None:
            try:
                parts = self._sysctl('ip_local_port_range').split()
                self._eph = (int(parts[0]), int(parts[1]))
            except (IOError, OSError, ValueError, IndexError):
                self._eph = False
        return self._eph or None

    def ephemeral_range(self):
        """(low, high) of the local port range; ss's fallback is 1024-4999."""
        return self._port_range() or (1024, 4999)

    def autobind_ports(self):
        """port -> whether the kernel could have picked it itself (autobind: connect or sendto without bind) in this
        network namespace: inside ip_local_port_range and not in ip_local_reserved_ports; None when either cannot be
        read (unlike ephemeral_range, which has ss's fallback for its filter)."""
        ports = self._port_range()
        if ports is None:
            return None
        low, high = ports
        try:
            reserved = []
            for part in self._sysctl('ip_local_reserved_ports').strip().split(','):
                if part:
                    first, _dash, last = part.partition('-')
                    reserved.append((int(first), int(last or first)))
        except (IOError, OSError, ValueError):
            return None
        return lambda port: low <= port <= high and not any(first <= port <= last for first, last in reserved)

    # -- clock
    def clock_ticks(self):
        """Clock ticks a second (USER_HZ, sysconf(_SC_CLK_TCK)): the unit of the timers in /proc/net/tcp, as ss reads them."""
        try:
            hz = os.sysconf('SC_CLK_TCK')
        except (ValueError, OSError):
            hz = 0
        return hz if hz > 0 else 100


__all__ = ['HostLookups', 'os_text', 'altname_index']
