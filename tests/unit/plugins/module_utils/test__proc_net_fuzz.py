# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile /proc (and /etc) text: every reader of it gives records, defaults, or a project error.

/proc/net/raw{,6} (the raw table's fallback), /proc/net/sockstat{,6}, snmp
and /proc/slabinfo (-s), /proc/PID/stat and status (holders, socket_assert's
users), /proc/self/mountinfo and mounts (cgroup2, SELinux),
/proc/sys/net/ipv4/ip_local_port_range, /etc/iproute2/nl_protos and
/etc/protocols: random lines, mutated real lines, bytes that are not UTF-8.
"""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.module_utils._assert import _process_uids
from ansible_collections.netdiag.ss.plugins.module_utils._diag import Context
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._procs import task_name
from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
from ansible_collections.netdiag.ss.plugins.module_utils._selinux import SELinux
from ansible_collections.netdiag.ss.plugins.module_utils._summary import read_summary, summary_lines
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6

from fuzzing import fuzz, hypothesis, mutated, project_error_or_result, st
from test__diag_fuzz import MATCHERS, REQUEST
from test__proc_net import RAW4, RAW6

SOCKSTAT = (b'sockets: used 242\nTCP: inuse 9 orphan 0 tw 2 alloc 12 mem 1\nUDP: inuse 4 mem 2\nUDPLITE: inuse 0\n'
            b'RAW: inuse 1\nFRAG: inuse 0 memory 0\n')
SOCKSTAT6 = b'TCP6: inuse 3\nUDP6: inuse 2\nUDPLITE6: inuse 0\nRAW6: inuse 1\nFRAG6: inuse 0 memory 0\n'
SNMP = (b'Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens CurrEstab\n'
        b'Tcp: 1 200 120000 -1 54 6\n')
SLABINFO = b'slabinfo - version: 2.1\ntcp_open_request 3 4 5\n'
MOUNTINFO = (b'22 1 0:21 / /proc rw,nosuid - proc proc rw\n'
             b'30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n')
MOUNTS = b'proc /proc proc rw 0 0\nselinuxfs /sys/fs/selinux selinuxfs rw 0 0\n'
STAT = b'4242 (nginx: worker) S 1 4242 4242 0 -1 4194624 0 0 0 0\n'
STATUS = b'Name:\tnginx\nUid:\t33\t33\t33\t33\nGid:\t33\t33\t33\t33\n'
NL_PROTOS = b'0 rtnl\n0x10 generic # comment\n99 mine\n'
PROTOCOLS = b'ip\t0\tIP\ntcp\t6\tTCP\n+x\t+7\n'

FILES = {
    'net/raw': [RAW4], 'net/raw6': [RAW6], 'net/sockstat': [SOCKSTAT], 'net/sockstat6': [SOCKSTAT6], 'net/snmp': [SNMP],
    'slabinfo': [SLABINFO], 'self/mountinfo': [MOUNTINFO], 'self/mounts': [MOUNTS], '4242/stat': [STAT],
    '4242/status': [STATUS], 'sys/net/ipv4/ip_local_port_range': [b'32768\t60999\n'],
}
ETC = {'iproute2/nl_protos': [NL_PROTOS], 'protocols': [PROTOCOLS]}


def _write(root, files, draw, cgroup2=b'/nonexistent'):
    for name, valid in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        how = draw(st.sampled_from(['valid', 'mutated', 'mutated', 'lines', 'bytes', 'missing']))
        if how == 'missing':
            if path.exists():
                path.unlink()
            continue
        if how == 'valid':
            data = valid[0]
        elif how == 'mutated':
            data = draw(mutated(valid, max_ops=6))
        elif how == 'lines':
            lines = draw(st.lists(st.one_of(st.text(max_size=60).map(lambda t: t.encode('utf-8', 'surrogatepass')),
                                            st.sampled_from(valid[0].splitlines()),
                                            st.binary(max_size=60)), max_size=6))
            data = b'\n'.join(lines) + draw(st.sampled_from([b'', b'\n']))
        else:
            data = draw(st.binary(max_size=300))
        path.write_bytes(data.replace(b'/sys/fs/cgroup', cgroup2))     # not this host's cgroups (walked whole)


@fuzz(250)
@hypothesis.given(data=st.data(), filter_text=st.sampled_from(sorted(MATCHERS, key=str)))
def test_hostile_proc_and_etc(tmp_path, data, filter_text):
    proc, etc = tmp_path / 'proc', tmp_path / 'etc'
    cgroup2 = tmp_path / 'cgroup2'
    (cgroup2 / 'system.slice').mkdir(parents=True, exist_ok=True)
    _write(proc, FILES, data.draw, str(cgroup2).encode())
    _write(etc, ETC, data.draw)
    lookups = HostLookups(proc=str(proc), etc=str(etc))

    # the raw table from /proc/net (every kind of context the collector makes)
    from ansible_collections.netdiag.ss.plugins.module_utils._proc_net import dump_proc
    out = []
    ctx = Context({AF_INET, AF_INET6}, match=MATCHERS[filter_text], timers=True, identity=True, lookups=lookups,
                  details=frozenset(['extended', 'memory']), tagged=True)
    project_error_or_result(dump_proc, 'raw', 0xffffffff, ctx, out)
    for rec in out:
        rec.update(extended=None, skmem=None, info=None, tos=None, cgroup=None, sockopt=None, bpf=None, tipc_info=None)
    listing(REQUEST, out)

    # -s
    kind, summary = project_error_or_result(read_summary, str(proc))
    if kind == 'ok':
        summary_lines(summary)

    # holders, users, names, ranges, mounts
    task_name(4242, str(proc))
    _process_uids([4242, 1], str(proc))
    lookups.ephemeral_range()
    lookups.netlink_protocols()
    lookups.protocol_name(6)
    lookups.cgroup2_mount()
    lookups.cgroup_paths()
    try:
        lookups.cgroup_id('no/such/cgroup')
    except (OSError, ValueError):
        pass      # what _bind turns into a FilterError naming the word
    selinux = SELinux(proc=str(proc))
    selinux.process(4242)
    selinux.kernel()


# ---------------------------------------------------------------- findings (regression tests)

def test_sockstat_values_that_are_not_numbers_count_zero(tmp_path):
    """ValueError: invalid literal for int() with base 10: 'inuse' (a line 'TCP6:TCP6: inuse 3'); not UTF-8 was
    a UnicodeDecodeError."""
    (tmp_path / 'net').mkdir()
    (tmp_path / 'net' / 'sockstat').write_bytes(b'sockets: used 7\nTCP: inuse x orphan 0 tw 2 alloc 12\n\xff\xfe: 1 2\n')
    (tmp_path / 'net' / 'sockstat6').write_bytes(b'TCP6:TCP6: inuse 3\n')
    (tmp_path / 'net' / 'snmp').write_bytes(b'Tcp: CurrEstab ActiveOpens\nTcp: many 5\n')
    summary = read_summary(str(tmp_path))
    assert summary['total'] == 7 and summary['tcp']['timewait'] == 2 and summary['tcp']['estab'] == 0
    assert summary['transport']['tcp'] == {'total': 0, 'ipv4': 0, 'ipv6': 0}


def test_protocols_line_with_two_plus_signs_is_skipped(tmp_path):
    """ValueError: invalid literal for int() with base 10: b'++7'."""
    (tmp_path / 'protocols').write_bytes(b'x ++7\ntcp 6 TCP\nicmp +1 ICMP\n')
    lookups = HostLookups(etc=str(tmp_path))
    assert (lookups.protocol_name(7), lookups.protocol_name(6), lookups.protocol_name(1)) == (None, 'tcp', 'icmp')


def test_mountinfo_short_lines_and_names_that_are_not_utf8(tmp_path):
    """IndexError for a line with too few fields before ' - cgroup2'; UnicodeDecodeError for a mount point that is
    not UTF-8 anywhere in the file (any host can have one), which made every cgroup look-up fail."""
    cgroup2 = tmp_path / b'cg\xff'.decode('utf-8', 'surrogateescape')
    (cgroup2 / 'netdiag-fuzz.slice').mkdir(parents=True)
    (tmp_path / 'self').mkdir()
    (tmp_path / 'self' / 'mountinfo').write_bytes(
        b'1 2 - cgroup2 cgroup2 rw\n'
        b'40 23 0:30 / /mnt/caf\xe9 rw - ext4 /dev/sda1 rw\n'
        b'30 23 0:26 / ' + bytes(tmp_path) + b'/cg\xff rw - cgroup2 cgroup2 rw\n')
    lookups = HostLookups(proc=str(tmp_path))
    assert lookups.cgroup2_mount() == str(cgroup2)
    assert lookups.cgroup_id('/netdiag-fuzz.slice') == (cgroup2 / 'netdiag-fuzz.slice').stat().st_ino
    assert lookups.cgroup_paths()[cgroup2.stat().st_ino] == '/'


def test_mounts_that_are_not_utf8_do_not_hide_selinuxfs(tmp_path):
    """UnicodeDecodeError while SELinux() looked for selinuxfs (-Z, -z)."""
    (tmp_path / 'self').mkdir()
    (tmp_path / 'self' / 'mounts').write_bytes(b'/dev/sda1 /mnt/caf\xe9 ext4 rw 0 0\nselinuxfs /sys/fs/selinux selinuxfs rw 0 0\n')
    assert SELinux(proc=str(tmp_path)).selinuxfs == '/sys/fs/selinux'


def test_a_selinuxfs_mount_point_with_a_nul_byte_gives_no_context(tmp_path):
    """ValueError: embedded null byte, from open() (SELinux.kernel(), -Z on netlink sockets)."""
    (tmp_path / 'self').mkdir()
    (tmp_path / 'self' / 'mounts').write_bytes(b'selinuxfs \0/sys/fs/selinux selinuxfs rw 0 0\n')
    selinux = SELinux(proc=str(tmp_path))
    assert selinux.enabled and selinux.kernel() is None


def test_a_cgroup2_mount_point_with_a_nul_byte_is_skipped(tmp_path):
    """ValueError: embedded null byte, from os.walk() in cgroup_paths() (-e, --cgroup)."""
    (tmp_path / 'self').mkdir()
    (tmp_path / 'self' / 'mountinfo').write_bytes(b'30 23 0:26 / \0/sys/fs/cgroup rw - cgroup2 cgroup2 rw\n')
    lookups = HostLookups(proc=str(tmp_path))
    assert (lookups.cgroup2_mount(), lookups.cgroup_paths()) == (None, {})
