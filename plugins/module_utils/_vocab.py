# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""The fixed vocabulary of ss: families, states, tables, protocol and timer names.

Every other file takes these names and numbers from here, so the command
line, the filter language, the collector and the renderer cannot drift
apart. Values follow iproute2 6.1.0 (misc/ss.c) and the kernel UAPI.
Names read from the host (/etc/iproute2, /etc/services, interfaces) are
not here: see _host.py.
"""

from __future__ import annotations

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError

# ---------------------------------------------------------------- address families (linux/socket.h)
# Defined here, not taken from `socket`: not every Python build exposes all of them.
AF_UNSPEC = 0
AF_UNIX = 1
AF_INET = 2
AF_INET6 = 10
AF_NETLINK = 16
AF_PACKET = 17
AF_TIPC = 30
AF_VSOCK = 40
AF_XDP = 44

# the `family` value of a record, by AF number
FAMILY_TEXT = {AF_INET: 'inet', AF_INET6: 'inet6', AF_UNIX: 'unix', AF_PACKET: 'link', AF_NETLINK: 'netlink',
               AF_VSOCK: 'vsock', AF_TIPC: 'tipc', AF_XDP: 'xdp'}
# -f names (ss's family names are the same words)
FAMILY_NAMES = dict((text, af) for af, text in FAMILY_TEXT.items())

# the first 12 bytes of an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
V4_MAPPED_PREFIX = b'\0' * 10 + b'\xff\xff'

# ---------------------------------------------------------------- states
SS_UNKNOWN, SS_ESTABLISHED, SS_SYN_SENT, SS_SYN_RECV, SS_FIN_WAIT1, SS_FIN_WAIT2, SS_TIME_WAIT, \
    SS_CLOSE, SS_CLOSE_WAIT, SS_LAST_ACK, SS_LISTEN, SS_CLOSING = range(12)
SS_MAX = 12
SS_ALL = (1 << SS_MAX) - 1
SS_CONN = SS_ALL & ~((1 << SS_LISTEN) | (1 << SS_CLOSE) | (1 << SS_TIME_WAIT) | (1 << SS_SYN_RECV))
LISTEN_AND_CLOSE = (1 << SS_LISTEN) | (1 << SS_CLOSE)     # what -l selects

# what the State column prints, by state number
STATE_NAMES = ('UNKNOWN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT',
               'UNCONN', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING')
STATE_NUMBERS = dict((name, number) for number, name in enumerate(STATE_NAMES))
# what the State column prints for an SCTP association, by SCTP state number (enum sctp_state;
# ss's sctp_sstate_name); an SCTP endpoint prints STATE_NAMES (its sk_state uses the TCP numbers)
SCTP_STATE_NAMES = ('CLOSED', 'COOKIE_WAIT', 'COOKIE_ECHOED', 'ESTAB', 'SHUTDOWN_PENDING', 'SHUTDOWN_SENT',
                    'SHUTDOWN_RECEIVED', 'ACK_SENT')

# words accepted after `state` / `exclude` (case-insensitive, as ss), with their masks
STATE_WORDS = {
    'unknown': 1 << SS_UNKNOWN,
    'established': 1 << SS_ESTABLISHED,
    'syn-sent': 1 << SS_SYN_SENT,
    'syn-recv': 1 << SS_SYN_RECV,
    'syn-rcv': 1 << SS_SYN_RECV,
    'fin-wait-1': 1 << SS_FIN_WAIT1,
    'fin-wait-2': 1 << SS_FIN_WAIT2,
    'time-wait': 1 << SS_TIME_WAIT,
    'unconnected': 1 << SS_CLOSE,
    'close': 1 << SS_CLOSE,
    'closed': 1 << SS_CLOSE,
    'close-wait': 1 << SS_CLOSE_WAIT,
    'last-ack': 1 << SS_LAST_ACK,
    'listening': 1 << SS_LISTEN,
    'closing': 1 << SS_CLOSING,
    # groups
    'all': SS_ALL,
    'connected': SS_ALL & ~((1 << SS_CLOSE) | (1 << SS_LISTEN)),
    'synchronized': SS_ALL & ~((1 << SS_CLOSE) | (1 << SS_LISTEN) | (1 << SS_SYN_SENT)),
    'bucket': (1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT),
    'big': SS_ALL & ~((1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT)),
}
# what people type instead of a state word, and the word they meant
STATE_TYPOS = {
    'listen': 'listening', 'estab': 'established', 'established,': 'established', 'timewait': 'time-wait',
    'time_wait': 'time-wait', 'closewait': 'close-wait', 'close_wait': 'close-wait', 'synsent': 'syn-sent',
    'syn_sent': 'syn-sent', 'synrecv': 'syn-recv', 'syn_recv': 'syn-recv', 'fin-wait1': 'fin-wait-1',
    'fin-wait2': 'fin-wait-2', 'fin_wait1': 'fin-wait-1', 'fin_wait2': 'fin-wait-2', 'unconn': 'unconnected',
    'lastack': 'last-ack', 'last_ack': 'last-ack', 'synchronised': 'synchronized',
}


def ascii_lower(word):
    """A word folded as strcasecmp() folds it in the C locale, where ss runs: ASCII letters only (str.lower() also
    makes the Kelvin sign a "k")."""
    return word.lower() if word.isascii() else ''.join(ch.lower() if ch < '\x80' else ch for ch in word)


def state_mask(word, where='state'):
    """Return the state bit mask of one state word or group, or raise ArgsError naming it."""
    mask = STATE_WORDS.get(ascii_lower(word))
    if mask is None:
        msg = '%s: "%s" is not a state name' % (where, word)
        hint = STATE_TYPOS.get(ascii_lower(word))
        if hint:
            msg += '; did you mean "%s"?' % hint
        else:
            msg += ' (valid: %s)' % ', '.join(sorted(STATE_WORDS))
        raise ArgsError(msg)
    return mask


# ---------------------------------------------------------------- tables
class Table(object):
    """One ss socket table (an `-A` name): netid, families, states ss selects by default."""

    __slots__ = ('name', 'netid', 'families', 'default_states', 'aliases')

    def __init__(self, name, netid, families, default_states, aliases=()):
        self.name = name
        self.netid = netid
        self.families = families
        self.default_states = default_states
        self.aliases = aliases


_INET = frozenset((AF_INET, AF_INET6))
_EST = 1 << SS_ESTABLISHED
_CLOSE = 1 << SS_CLOSE
# In ss's output order: netlink, packet, unix, raw, udp, tcp, dccp, sctp, vsock, tipc, xdp, mptcp.
TABLES = (
    Table('netlink', 'nl', frozenset((AF_NETLINK,)), _CLOSE),
    Table('packet_raw', 'p_raw', frozenset((AF_PACKET,)), _CLOSE, ('p_raw',)),
    Table('packet_dgram', 'p_dgr', frozenset((AF_PACKET,)), _CLOSE, ('p_dgr',)),
    Table('unix_stream', 'u_str', frozenset((AF_UNIX,)), SS_CONN, ('u_str',)),
    Table('unix_dgram', 'u_dgr', frozenset((AF_UNIX,)), _CLOSE, ('u_dgr',)),
    Table('unix_seqpacket', 'u_seq', frozenset((AF_UNIX,)), SS_CONN, ('u_seq',)),
    Table('raw', 'raw', _INET, _EST),
    Table('udp', 'udp', _INET, _EST),
    Table('tcp', 'tcp', _INET, SS_CONN),
    Table('dccp', 'dccp', _INET, SS_CONN),
    Table('sctp', 'sctp', _INET, SS_CONN),
    Table('vsock_stream', 'v_str', frozenset((AF_VSOCK,)), SS_CONN, ('v_str',)),
    Table('vsock_dgram', 'v_dgr', frozenset((AF_VSOCK,)), SS_CONN, ('v_dgr',)),
    Table('tipc', 'tipc', frozenset((AF_TIPC,)), (1 << SS_ESTABLISHED) | (1 << SS_CLOSE) | (1 << SS_LISTEN)),
    Table('xdp', 'xdp', frozenset((AF_XDP,)), _CLOSE),
    Table('mptcp', 'mptcp', _INET, SS_CONN),
)
TABLE_BY_NAME = dict((t.name, t) for t in TABLES)
TABLE_ORDER = dict((t.name, i) for i, t in enumerate(TABLES))

# -A group names
QUERY_GROUPS = {
    'all': tuple(t.name for t in TABLES if t.name != 'tipc'),
    'inet': ('udp', 'dccp', 'tcp', 'mptcp', 'sctp', 'raw'),
    'unix': ('unix_stream', 'unix_dgram', 'unix_seqpacket'),
    'packet': ('packet_raw', 'packet_dgram'),
    'vsock': ('vsock_stream', 'vsock_dgram'),
}
for _t in TABLES:
    QUERY_GROUPS.setdefault(_t.name, (_t.name,))
    for _a in _t.aliases:
        QUERY_GROUPS[_a] = (_t.name,)

# the tables and default states each family brings (default_afs in ss.c)
FAMILY_DEFAULTS = {
    AF_INET: (QUERY_GROUPS['inet'], SS_CONN),
    AF_INET6: (QUERY_GROUPS['inet'], SS_CONN),
    AF_UNIX: (QUERY_GROUPS['unix'], SS_CONN),
    AF_PACKET: (QUERY_GROUPS['packet'], _CLOSE),
    AF_NETLINK: (('netlink',), _CLOSE),
    AF_VSOCK: (QUERY_GROUPS['vsock'], SS_CONN),
    AF_TIPC: (('tipc',), TABLE_BY_NAME['tipc'].default_states),
    AF_XDP: (('xdp',), _CLOSE),
}

# ---------------------------------------------------------------- protocols
# IP protocol of each inet table (sdiag_protocol; MPTCP's does not fit the u8 and goes in an attribute)
INET_PROTOCOLS = {'tcp': 6, 'udp': 17, 'dccp': 33, 'sctp': 132, 'raw': 255, 'mptcp': 262}
# The Netid ss prints for a raw socket listed by raw sock_diag: its protocol (INET_DIAG_PROTOCOL) through
# ss's proto_name(), which knows only these; every other protocol (ICMP, IPPROTO_RAW...) prints '???' (B-21).
# A raw socket read from /proc/net/raw prints 'raw'.
PROTOCOL_NETIDS = {0: 'raw', 6: 'tcp', 17: 'udp', 33: 'dccp', 58: 'icmp6', 132: 'sctp', 262: 'mptcp'}

# idiag_timer values as ss -o names them (5, delayed ACK, is named only by iproute2 >= 7.1)
TIMER_NAMES = {1: 'on', 2: 'keepalive', 3: 'timewait', 4: 'persist', 5: 'delack'}

# ethertype names of iproute2's ll_proto_a2n (case-insensitive), host-order values
ETHERTYPES = {
    'loop': 0x0060, 'pup': 0x0200, 'pupat': 0x0201, 'ip': 0x0800, 'x25': 0x0805, 'arp': 0x0806,
    'bpq': 0x08ff, 'ieeepup': 0x0a00, 'ieeepupat': 0x0a01, 'dec': 0x6000, 'dna_dl': 0x6001,
    'dna_rc': 0x6002, 'dna_rt': 0x6003, 'lat': 0x6004, 'diag': 0x6005, 'cust': 0x6006, 'sca': 0x6007,
    'rarp': 0x8035, 'atalk': 0x809b, 'aarp': 0x80f3, 'ipx': 0x8137, 'ipv6': 0x86dd,
    'ppp_disc': 0x8863, 'ppp_ses': 0x8864, 'atmmpoa': 0x884c, 'atmfate': 0x8884, '802_3': 0x0001,
    'ax25': 0x0002, 'all': 0x0003, '802_2': 0x0004, 'snap': 0x0005, 'ddcmp': 0x0006,
    'wan_ppp': 0x0007, 'ppp_mp': 0x0008, 'localtalk': 0x0009, 'can': 0x000c, 'ppptalk': 0x0010,
    'tr_802_2': 0x0011, 'mobitex': 0x0015, 'control': 0x0016, 'irda': 0x0017, 'econet': 0x0018,
    'tipc': 0x88ca, 'profinet': 0x8892, 'aoe': 0x88a2, 'ethercat': 0x88a4, '802.1q': 0x8100,
    '802.1ad': 0x88a8, 'mpls_uc': 0x8847, 'mpls_mc': 0x8848, 'teb': 0x6558, 'lldp': 0x88cc,
}
ETH_P_ALL = ETHERTYPES['all']

# netlink protocol names built into ss (its nl_proto table); /etc/iproute2/nl_protos adds to them (_host.py)
NETLINK_PROTOCOLS = {
    'rtnl': 0, 'unused': 1, 'usersock': 2, 'fw': 3, 'tcpdiag': 4, 'nflog': 5, 'xfrm': 6,
    'selinux': 7, 'iscsi': 8, 'audit': 9, 'fiblookup': 10, 'connector': 11, 'nft': 12, 'ip6fw': 13,
    'dec-rt': 14, 'uevent': 15, 'genl': 16, 'scsi-trans': 18, 'ecryptfs': 19, 'rdma': 20, 'crypto': 21,
}


__all__ = ['AF_UNSPEC', 'AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_PACKET', 'AF_TIPC', 'AF_VSOCK', 'AF_XDP',
           'FAMILY_TEXT', 'FAMILY_NAMES', 'V4_MAPPED_PREFIX', 'SS_ALL', 'SS_CONN', 'SS_UNKNOWN', 'SS_CLOSE', 'SS_LISTEN',
           'SS_ESTABLISHED', 'SS_TIME_WAIT', 'SS_SYN_RECV', 'SS_SYN_SENT', 'LISTEN_AND_CLOSE', 'STATE_NAMES',
           'STATE_NUMBERS', 'SCTP_STATE_NAMES', 'STATE_WORDS', 'STATE_TYPOS', 'ascii_lower', 'state_mask', 'Table', 'TABLES',
           'TABLE_BY_NAME', 'TABLE_ORDER', 'QUERY_GROUPS', 'FAMILY_DEFAULTS', 'INET_PROTOCOLS',
           'PROTOCOL_NETIDS', 'TIMER_NAMES', 'ETHERTYPES', 'ETH_P_ALL', 'NETLINK_PROTOCOLS']
