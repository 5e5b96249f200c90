# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""The ss command line as data: which tables, families and states to dump.

`parse_ss_args()` reads what a user would type after `ss` (GNU getopt rules:
options anywhere, bundled short options, unambiguous long-option prefixes,
`--`), then the leading `state`/`exclude` words, and leaves the rest as
filter-expression words. `Query` reproduces how iproute2 6.1.0 turns
options into table/family/state sets (misc/ss.c: filter_db_set,
filter_af_set, the -A handling, filter_merge_defaults). It is a builder:
after finish() it cannot change (see _request.py for the immutable request
the modules use).
"""

from __future__ import annotations

import shlex

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, OptionElsewhere, shown
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, AF_PACKET, AF_TIPC, AF_UNIX, AF_VSOCK, AF_XDP, FAMILY_DEFAULTS, FAMILY_NAMES, LISTEN_AND_CLOSE,
    QUERY_GROUPS, SS_ALL, SS_CONN, TABLE_BY_NAME, TABLE_ORDER, TABLES, ascii_lower, state_mask,
)

# ---------------------------------------------------------------- options
# short option letter -> (long name, takes argument)
_SHORT = {
    'h': ('help', False), 'V': ('version', False), 'v': ('version', False), 'n': ('numeric', False),
    'r': ('resolve', False), 'a': ('all', False), 'l': ('listening', False), 'o': ('options', False),
    'e': ('extended', False), 'm': ('memory', False), 'p': ('processes', False), 'T': ('threads', False),
    'i': ('info', False), 's': ('summary', False), 'b': ('bpf', False), 'E': ('events', False),
    'Z': ('context', False), 'z': ('contexts', False), 'N': ('net', True), '4': ('ipv4', False),
    '6': ('ipv6', False), '0': ('packet', False), 't': ('tcp', False), 'M': ('mptcp', False),
    'S': ('sctp', False), 'u': ('udp', False), 'd': ('dccp', False), 'w': ('raw', False),
    'x': ('unix', False), 'f': ('family', True), 'K': ('kill', False), 'H': ('no-header', False),
    'O': ('oneline', False), 'A': ('query', True), 'D': ('diag', True), 'F': ('filter', True),
}
_LONG = {
    'numeric': False, 'resolve': False, 'options': False, 'extended': False, 'memory': False, 'info': False,
    'processes': False, 'threads': False, 'bpf': False, 'events': False, 'dccp': False, 'tcp': False,
    'sctp': False, 'udp': False, 'raw': False, 'unix': False, 'vsock': False, 'tipc': False, 'xdp': False,
    'mptcp': False, 'all': False, 'listening': False, 'ipv4': False, 'ipv6': False, 'packet': False,
    'family': True, 'socket': True, 'query': True, 'summary': False, 'diag': True, 'filter': True,
    'version': False, 'help': False, 'context': False, 'contexts': False, 'net': True, 'kill': False,
    'no-header': False, 'oneline': False, 'tos': False, 'cgroup': False, 'tipcinfo': False,
    'inet-sockopt': False,
}
# detail options: long name -> the detail it adds to each record (Query.details; the Request's details)
DETAIL_OPTS = {
    'extended': 'extended', 'memory': 'memory', 'info': 'info', 'tos': 'tos', 'cgroup': 'cgroup',
    'inet-sockopt': 'inet_sockopt', 'bpf': 'bpf', 'context': 'context', 'contexts': 'contexts', 'tipcinfo': 'tipcinfo',
}
# how ss spells each detail (for contradiction messages)
DETAIL_SPELLING = {
    'extended': '-e', 'memory': '-m', 'info': '-i', 'tos': '--tos', 'cgroup': '--cgroup', 'inet_sockopt': '--inet-sockopt',
    'bpf': '-b', 'context': '-Z', 'contexts': '-z', 'tipcinfo': '--tipcinfo',
}
NOT_HERE = {
    'kill': '-K closes sockets: use the netdiag.ss.socket_kill module for that',
    'help': '-h prints usage text; see the documentation of this module or plugin (ansible-doc -l netdiag.ss and '
            'ansible-doc -t filter -l netdiag.ss list them)',
    'version': '-V prints the ss version; it has no meaning for this module',
}
# boolean options: long name -> (Query attribute, contradiction key, how ss spells it)
_FLAG_OPTS = {
    'numeric': ('numeric', 'resolve', '-n'), 'resolve': ('resolve', 'resolve', '-r'),
    'processes': ('processes', 'processes', '-p'), 'threads': ('threads', 'threads', '-T'),
    'options': ('timers', 'timers', '-o'), 'summary': ('summary', 'summary', '-s'),
}
_TABLE_OPTS = {'tcp': 'tcp', 'udp': 'udp', 'dccp': 'dccp', 'raw': 'raw', 'sctp': 'sctp', 'mptcp': 'mptcp'}
# ss: --vsock, --tipc and --xdp set their family (filter_af_set), like -x or -0
_FAMILY_OPTS = {'ipv4': AF_INET, 'ipv6': AF_INET6, 'packet': AF_PACKET, 'unix': AF_UNIX, 'vsock': AF_VSOCK,
                'tipc': AF_TIPC, 'xdp': AF_XDP}
# families whose option names their tables (--vsock, -f xdp, ...): a warning when the kernel lacks them
_NAMING_FAMILIES = frozenset((AF_VSOCK, AF_TIPC, AF_XDP))
# -A groups that name no table in particular: a table of theirs the kernel lacks is listed in unsupported_tables,
# without a warning, as a default table is
_BROAD_GROUPS = frozenset(('all', 'inet'))


def split_args(text):
    """Split an ss command-line string like a POSIX shell would."""
    if isinstance(text, (list, tuple)):
        return [str(w) for w in text]
    try:
        words = shlex.split(text or '')
    except ValueError as exc:
        raise ArgsError('ss_args: cannot split %s like a shell would: %s' % (shown(text), exc))
    if words and words[0] == 'ss':
        words = words[1:]
    return words


def getopt(words):
    """GNU getopt_long over ss's options: return ([(name, value)], positional words)."""
    opts = []
    rest = []
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if w == '--':
            rest.extend(words[i:])
            break
        if w.startswith('--'):
            body = w[2:]
            name, eq, value = body.partition('=')
            if name in _LONG:
                matches = [name]
            else:
                matches = [n for n in _LONG if n.startswith(name)]
                # aliases of the same option are not ambiguous (socket/query)
                if len(set('query' if m == 'socket' else m for m in matches)) == 1:
                    matches = matches[:1]
            if not matches:
                raise ArgsError('ss_args: unknown option "%s"' % w)
            if len(matches) > 1:
                raise ArgsError('ss_args: option "%s" is ambiguous (%s)' % (w, ', '.join('--' + m for m in sorted(matches))))
            name = 'query' if matches[0] == 'socket' else matches[0]
            if _LONG[matches[0]]:
                if not eq:
                    if i >= len(words):
                        raise ArgsError('ss_args: option "--%s" needs an argument' % name)
                    value = words[i]
                    i += 1
                opts.append((name, value))
            else:
                if eq:
                    raise ArgsError('ss_args: option "--%s" takes no argument' % name)
                opts.append((name, None))
            continue
        if w.startswith('-') and len(w) > 1:
            j = 1
            while j < len(w):
                ch = w[j]
                j += 1
                spec = _SHORT.get(ch)
                if spec is None:
                    raise ArgsError('ss_args: unknown option "-%s" in "%s"' % (ch, w))
                name, needs = spec
                if needs:
                    if j < len(w):
                        value = w[j:]
                    elif i < len(words):
                        value = words[i]
                        i += 1
                    else:
                        raise ArgsError('ss_args: option "-%s" needs an argument' % ch)
                    opts.append((name, value))
                    break
                opts.append((name, None))
            continue
        rest.append(w)
    return opts, rest


class Query(object):
    """Which tables, families and states to dump, computed the way ss does."""

    def __init__(self):
        self.dbs = set()
        self.families = set()
        self.states = 0
        self.state_filter = 0
        self.preferred_family = None
        self.do_default = True
        self.saw_query = False
        self.saw_states = False
        self.state_words = []       # how the states were chosen: ('state'|'exclude', word), ('option', '-a'|'-l')
        self.resolve = False        # -r: host names (and, without -n, service names)
        self.numeric = False        # -n: no service names
        self.processes = False
        self.threads = False
        self.timers = False
        self.summary = False
        self.positional = False     # state words or an expression were given
        self.netns = None
        self.header = True
        self.filter_file = None
        self.details = set()        # detail options (-e -m -i --tos ...)
        self.oneline = False        # -O
        self.events = False         # -E
        self.dump_file = None       # -D FILE
        self.expression = []
        self.filter_offset = 0      # the words of the filter option before its expression (state words)
        self.explicit_tables = set()     # tables asked for by name: a warning when the kernel lacks one
        self.queried_tables = set()      # tables an -A item (or `tables`) asked for, `all` and `inet` included
        self.states_ignored = False
        self.named_families = set()     # families an option named (-x, -0, -f, --vsock, -4 ...)
        self.given = {}      # option name -> how the user spelled it (for contradiction messages)
        self._final = False

    def __setattr__(self, name, value):
        if getattr(self, '_final', False):
            raise AttributeError('Query is finished: %s cannot change' % name)
        object.__setattr__(self, name, value)

    # -- the ss.c primitives
    def db_set(self, name, named=True):
        """Select a table (named: asked for by name, see explicit_tables)."""
        self.states |= TABLE_BY_NAME[name].default_states
        self.dbs.add(name)
        if named:
            self.explicit_tables.add(name)
        self.do_default = False

    def af_set(self, af):
        self.states |= FAMILY_DEFAULTS[af][1]
        self.families.add(af)
        self.do_default = False
        self.preferred_family = af
        self.named_families.add(af)
        if af in _NAMING_FAMILIES:
            self.explicit_tables.update(FAMILY_DEFAULTS[af][0])

    def query(self, text, where='-A'):
        if not self.saw_query:
            self.dbs = set()
            self.state_filter = self.state_filter or SS_CONN
            self.saw_query = True
            self.do_default = False
        for item in text.split(','):
            neg = item.startswith('!')
            key = item[1:] if neg else item
            names = QUERY_GROUPS.get(key)
            if names is None:
                raise ArgsError('%s: "%s" is not a socket table (valid: %s)' % (where, item, ', '.join(sorted(QUERY_GROUPS))))
            # a table named alone, or in a family's group (unix, packet, vsock), was asked for by name: a kernel
            # without it is worth a warning; `all` and `inet` name no table in particular
            broad = key in _BROAD_GROUPS
            for n in names:
                if neg:
                    self.dbs.discard(n)
                    self.explicit_tables.discard(n)
                    self.queried_tables.discard(n)
                    continue
                self.queried_tables.add(n)
                self.db_set(n, named=not broad)

    def family(self, name, where='-f'):
        af = FAMILY_NAMES.get(name)
        if af is None:
            raise ArgsError('%s: "%s" is not a family (valid: %s)' % (where, name, ', '.join(sorted(FAMILY_NAMES))))
        self.af_set(af)

    def state_word(self, word, exclude=False):
        mask = state_mask(word, 'exclude' if exclude else 'state')
        self.state_words.append(('exclude' if exclude else 'state', ascii_lower(word)))
        if exclude:
            if not self.saw_states:
                self.state_filter = SS_ALL
            self.state_filter &= ~mask
        else:
            if not self.saw_states:
                self.state_filter = 0
            self.state_filter |= mask
        self.saw_states = True

    def finish(self):
        """Apply ss's defaults and cross-completion, then freeze; idempotent."""
        if self._final:
            return self
        # ss ignores state words that leave no state (its default states then): said in a warning (_request)
        self.states_ignored = self.saw_states and not self.state_filter
        if self.do_default:
            self.state_filter = self.state_filter or SS_CONN
            for n in QUERY_GROUPS['all']:
                self.states |= TABLE_BY_NAME[n].default_states
                self.dbs.add(n)
        if self.state_filter:
            self.states = self.state_filter
        for n in sorted(self.dbs, key=TABLE_ORDER.get):
            fams = TABLE_BY_NAME[n].families
            if not fams & self.families:
                self.families |= fams
        for af in list(self.families):
            names = FAMILY_DEFAULTS[af][0]
            if not set(names) & self.dbs:
                self.dbs.update(names)
        if not self.dbs:
            raise ArgsError('no socket tables to show with such filter (ss says the same)')
        if not self.states:
            raise ArgsError('no socket states to show with such filter (ss says the same)')
        self._final = True
        return self

    def summary_only(self):
        """ss -s prints only the summary when no table, family or query option and no state word or expression came."""
        return self.summary and self.do_default and not self.positional and not self.expression

    def tables(self):
        """Selected table names in ss's output order."""
        return [t.name for t in TABLES if t.name in self.dbs]


def empty_states_warning(words):
    """The warning for state words (text) that leave no state, which ss ignores."""
    return 'the state words "%s" leave no state; they are ignored, as ss ignores them' % words


def inet_dump_families(families):
    """Which inet dumps to send: one for each inet family in the family set (IPv4 first), both when it has none.

    ss sends only the dump of the last -4/-6 (or -f inet/inet6) given, so `-4 -6` lists no IPv4 socket of a
    sock_diag table (docs/differences.md): both are dumped here, as the user asked for both families.
    """
    return tuple(family for family in (AF_INET, AF_INET6) if family in families) or (AF_INET, AF_INET6)


def parse_ss_args(text, query=None):
    """Apply an ss command line to a Query (a new one by default) and return it.

    Raises ArgsError naming the word that is wrong.
    """
    q = query or Query()
    opts, rest = getopt(split_args(text))
    for name, value in opts:
        if name in NOT_HERE:
            raise OptionElsewhere('ss_args: ' + NOT_HERE[name], name)
        if name in _TABLE_OPTS:
            q.db_set(_TABLE_OPTS[name])
        elif name in _FAMILY_OPTS:
            q.af_set(_FAMILY_OPTS[name])
        elif name == 'family':
            if value == 'help':
                raise ArgsError('ss_args: -f help prints usage text; families are: ' + ', '.join(sorted(FAMILY_NAMES)))
            q.family(value, 'ss_args: -f')
        elif name == 'query':
            q.query(value, 'ss_args: -A')
        elif name == 'all':
            q.state_filter = SS_ALL
            q.state_words.append(('option', '-a'))
            q.given['states'] = '-a'
        elif name == 'listening':
            q.state_filter = LISTEN_AND_CLOSE
            q.state_words.append(('option', '-l'))
            q.given['states'] = '-l'
        elif name in _FLAG_OPTS:
            attr, key, spelling = _FLAG_OPTS[name]
            setattr(q, attr, True)
            q.given[key] = spelling
        elif name == 'net':
            if q.netns is not None:
                # ss enters each in turn (failing at a missing one) and lists the last: one is what a task means
                raise ArgsError('ss_args: more than one network namespace (-N) given')
            q.netns = value
            q.given['netns'] = '-N %s' % value
        elif name == 'no-header':
            q.header = False
        elif name in DETAIL_OPTS:
            q.details.add(DETAIL_OPTS[name])
            q.given[DETAIL_OPTS[name]] = DETAIL_SPELLING[DETAIL_OPTS[name]]
        elif name == 'oneline':
            q.oneline = True
            q.given['oneline'] = '-O'
        elif name == 'events':
            q.events = True
            q.given['events'] = '-E'
        elif name == 'diag':
            if q.dump_file is not None:
                raise ArgsError('ss_args: more than one dump file (-D) given')
            if not value:
                raise ArgsError('ss_args: -D has an empty path; give the file to write')
            q.dump_file = value
            q.given['dump_file'] = '-D %s' % value
        elif name == 'filter':
            if q.filter_file is not None:
                raise ArgsError('ss_args: more than one filter file (-F) given')
            if not value:
                raise ArgsError('ss_args: -F has an empty path; give the filter file to read')
            q.filter_file = value
        else:  # pragma: no cover - every option in _LONG is handled above
            raise ArgsError('ss_args: option --%s is not handled' % name)
    i = 0
    while i < len(rest) and rest[i] in ('state', 'exclude', 'excl'):
        if i + 1 >= len(rest):
            raise ArgsError('ss_args: "%s" needs a state name after it' % rest[i])
        q.state_word(rest[i + 1], exclude=rest[i] != 'state')
        q.given['states'] = '%s %s' % (rest[i], rest[i + 1])
        i += 2
    q.expression.extend(rest[i:])
    q.positional = q.positional or bool(rest)
    return q


__all__ = ['empty_states_warning', 'Query', 'parse_ss_args', 'split_args', 'getopt', 'inet_dump_families', 'DETAIL_OPTS', 'DETAIL_SPELLING']
