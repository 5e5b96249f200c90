# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Module options -> one immutable Request: what to select, and how.

build_request() merges `ss_args` (read as ss reads its command line, see
_query.py) with the structured options of the selection argument spec
(_argspec.py); where both say different things about one choice, that is
an error naming both. The filter expression (ss_args words, `filter`, then
`filter_file`) is parsed here, without any look-up: a syntax error is
reported before anything is read from the kernel, and the operand-family
side effect of ss (B-14) is applied to the families. Names in the filter
are looked up later, in the network namespace the sockets are read in
(_select.py).
"""

from __future__ import annotations

import collections

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, FilterError, shown
from ansible_collections.netdiag.ss.plugins.module_utils._files import read_regular_file
from ansible_collections.netdiag.ss.plugins.module_utils._netns import check_name
from ansible_collections.netdiag.ss.plugins.module_utils._query import (
    Query, empty_states_warning, inet_dump_families, parse_ss_args,
)
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    AF_INET, AF_INET6, LISTEN_AND_CLOSE, SS_ALL, SS_CONN, TABLE_BY_NAME,
)

# The longest line ss -F reads, in bytes with its newline: its fgets() buffer is 1024 bytes with the NUL, and a line
# that fills all 1023 is refused ("Too long line in filter").
MAX_FILTER_LINE = 1022
# The largest filter file read (ss reads any size; a filter of thousands of conditions is a few hundred kilobytes).
MAX_FILTER_FILE_BYTES = 1 << 20

Request = collections.namedtuple('Request', [
    'tables',           # ss table names to list, in ss's order
    'explicit_tables',  # those named by an option (-t, -A, tables): a warning when the kernel lacks one
    'families',         # AF numbers to keep
    'inet_families',    # which inet dumps to send (the inet families of `families`)
    'states',           # the state mask
    'state_words',      # how the states were chosen: ('state'|'exclude', word) and ('option', '-a'|'-l'), in order
    'filter',           # the parsed, unbound filter expression, or None
    'filter_words',     # its words as given
    'kernel_filter',    # compile the filter to kernel bytecode where possible
    'netns',            # network namespace name, or None
    'processes',        # -p
    'threads',          # -T
    'timers',           # -o
    'summary',          # -s
    'summary_only',     # -s with nothing else that selects sockets: list none
    'resolve',          # -r: host names
    'services',         # -r without -n: service and protocol names too
    'header',           # not -H
    'details',          # frozenset of detail options: extended memory info tos cgroup inet_sockopt bpf context
                        # contexts tipcinfo (_query.DETAIL_OPTS)
    'oneline',          # -O: details on the socket's line, not on a second one
    'events',           # -E: seconds to listen for closed sockets, or None
    'max_events',       # at most this many events are kept
    'max_sockets',      # list at most this many sockets (the first, in ss's order) and stop reading there, or None
    'dump_file',        # -D FILE: write the raw TCP dump there, or None
    'from_dump',        # read the TCP table from this capture (ss -D format) instead of the kernel, or None
    'source',           # where sockets are read: 'auto' (sock_diag, /proc/net where it cannot be used), 'netlink', 'proc'
    'identity',         # records keep their SockId (for requests that address one socket)
    'warnings',         # tuple of texts for the user
])

# What a Request adds to the sockets it selects, off: see bare_selection
_BARE = dict(processes=False, threads=False, timers=False, summary=False, summary_only=False, details=frozenset(),
             identity=False, warnings=())


def bare_selection(request, **fields):
    """The request without what it adds to the sockets it selects (processes, threads, timers, summary, details,
    identity, warnings), with `fields` set on top.

    For the code that reads a table for its own use (socket_assert's shared and counting dumps, socket_kill's checks):
    a Request field that adds to records belongs in _BARE, so that no such read pays for it or repeats its warnings.
    """
    bare = dict(_BARE)
    bare.update(fields)
    return request._replace(**bare)


def check_socket_count(option, value):
    """Refuse a value of a count of sockets option (max_offenders, max_kill) that is no count: negative, or a YAML
    boolean, which Ansible's int type lets through (true would be 1)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ArgsError('%s: %s is not a number of sockets (0 or more)' % (option, shown(value)))


# Module options for the detail options (the module option is the detail's name) and -O.
DETAIL_OPTIONS = ('extended', 'memory', 'info', 'tos', 'cgroup', 'inet_sockopt', 'bpf', 'context', 'contexts', 'tipcinfo')
DEFAULT_MAX_EVENTS = 10000
SOURCES = ('auto', 'netlink', 'proc')


def _contradiction(option, value, given):
    return ArgsError('option %s=%s contradicts "%s" in ss_args; use one of them' % (option, value, given))


def _no_empty_path(value, option):
    """Refuse an empty path: ss fails on it (fopen("")), and a template that came out empty must not mean "not given"
    (no filter, the live kernel instead of a capture, no capture written)."""
    if value == '':
        raise ArgsError('%s: the path is empty (a variable that came out empty?); give a file on the managed host, or '
                        'leave the option out' % option)


def _bool_text(value):
    return 'true' if value else 'false'


def split_filter_states(text):
    """ss's FILTER is [ state WORD | exclude WORD ]... [ EXPRESSION ]: return ([(word, exclude)], the expression text,
    the number of words before it).

    Words are split as ss splits them (spaces and TABs), by the filter parser's own splitter, so the module and the
    controller's select_sockets read a FILTER alike.
    """
    # imported here: the filter parser is only needed when a filter is given
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import split_state_words
    return split_state_words(text)


def _merge_options(q, params):
    """Apply the structured options of params to a Query built from ss_args."""
    filter_states, text, before = split_filter_states(params['filter']) if params.get('filter') \
        else ([], params.get('filter'), 0)
    if params.get('tables'):
        if not q.saw_query:
            q.saw_query = True
            q.do_default = False
            q.state_filter = q.state_filter or SS_CONN
        for item in params['tables']:
            q.query(item, 'tables')
    for fam in params.get('families') or ():
        q.family(fam, 'families')
    listening, every = params.get('listening'), params.get('all')
    states, excludes = params.get('states'), params.get('exclude_states')
    if listening and every:
        raise ArgsError('options listening=true and all=true contradict each other; use one of them')
    if (listening or every) and (states or excludes or filter_states):
        raise ArgsError('option %s=true contradicts %s; use one of them' % (
            'listening' if listening else 'all',
            'states/exclude_states' if states or excludes else 'the state words of filter'))
    given = q.given.get('states')
    # ss -ta state listening: state words replace what -a or -l chose, so the filter's may follow them
    by_words = given not in (None, '-a', '-l')
    if given and (listening is not None or every is not None or states or excludes or (filter_states and by_words)):
        if listening is not None:
            raise _contradiction('listening', _bool_text(listening), given)
        if every is not None:
            raise _contradiction('all', _bool_text(every), given)
        if filter_states:
            raise ArgsError('the state words of filter (%s) and those of ss_args ("%s") both choose the states; give '
                            'them once' % (shown(params['filter']), given))
        raise _contradiction('states' if states else 'exclude_states', ','.join(states or excludes), given)
    if states or excludes or filter_states:
        q.positional = True
    if listening:
        q.state_filter = LISTEN_AND_CLOSE
        q.state_words.append(('option', '-l'))
    elif every:
        q.state_filter = SS_ALL
        q.state_words.append(('option', '-a'))
    for word in states or ():
        q.state_word(word)
    for word in excludes or ():
        q.state_word(word, exclude=True)
    for word, exclude in filter_states:
        try:
            q.state_word(word, exclude=exclude)
        except ArgsError as exc:
            raise ArgsError('filter: %s' % exc)
    if params.get('resolve') is not None:
        if 'resolve' in q.given and (q.resolve and not q.numeric) != params['resolve']:
            raise _contradiction('resolve', _bool_text(params['resolve']), q.given['resolve'])
        q.resolve = params['resolve']
        q.numeric = not params['resolve']
    for option in ('processes', 'threads', 'timers', 'summary', 'oneline'):
        value = params.get(option)
        if value is None:
            continue
        if option in q.given and bool(getattr(q, option)) != bool(value):
            raise _contradiction(option, _bool_text(value), q.given[option])
        setattr(q, option, bool(value))
    for option in DETAIL_OPTIONS:
        value = params.get(option)
        if value is None:
            continue
        if option in q.given and not value:
            raise _contradiction(option, 'false', q.given[option])
        if value:
            q.details.add(option)
    for option in ('dump_file', 'filter_file', 'from_dump'):
        _no_empty_path(params.get(option), option)
    if params.get('dump_file'):
        if q.dump_file and q.dump_file != params['dump_file']:
            raise _contradiction('dump_file', params['dump_file'], q.given['dump_file'])
        q.dump_file = params['dump_file']
    netns = params.get('netns')
    if netns is not None:
        if q.netns is not None and q.netns != netns:
            raise _contradiction('netns', netns, q.given['netns'])
        q.netns = netns
    check_name(q.netns)
    # state words alone go with an expression in ss_args; anything else in filter (an empty one too) is a second one
    if text is not None and (text.strip() or not filter_states) and q.expression:
        raise ArgsError('option filter=%s contradicts the expression "%s" in ss_args; give the expression once'
                        % (shown(text.strip() if filter_states else params['filter']), ' '.join(q.expression)))
    if text and text.strip():
        q.expression = [text]
        q.filter_offset = before        # its positions in errors count from the start of the filter
    if params.get('filter_file'):
        if q.filter_file and q.filter_file != params['filter_file']:
            raise _contradiction('filter_file', params['filter_file'], '-F %s' % q.filter_file)
        q.filter_file = params['filter_file']


def _check_modes(q, events, from_dump, has_expression, source='auto'):
    """The rules of the three modes that do not list the kernel's sockets: -E, -D and from_dump."""
    if source == 'proc' and (q.events or events):
        raise ArgsError('source: proc has no events: -E (events) listens to sock_diag, which /proc/net does not have; '
                        'use source: auto or netlink')
    if source == 'proc' and q.dump_file:
        raise ArgsError('source: proc cannot write a capture: -D (dump_file) writes the kernel\'s sock_diag answers; '
                        'use source: auto or netlink')
    if q.events and not events:
        raise ArgsError('ss_args: -E listens for closed sockets until it is stopped; give the events option (how many '
                        'seconds to listen) as well')
    if events is not None and (isinstance(events, bool) or not 0 < events <= 3600):     # true is no duration
        raise ArgsError('events: %s is not a number of seconds from 1 to 3600' % shown(events))
    modes = [name for name, given in (('-D (dump_file)', q.dump_file), ('events (-E)', events), ('from_dump', from_dump))
             if given]
    if len(modes) > 1:
        raise ArgsError('%s cannot be combined with %s; give one of them' % (modes[0], modes[1]))
    if modes and q.summary and modes[0] != 'from_dump':
        raise ArgsError('%s cannot be combined with -s (summary); ask for the summary in a task of its own' % modes[0])
    if q.dump_file:
        if q.dump_file == '-':
            raise ArgsError('dump_file: "-D -" writes to standard output, which a module cannot do; give a file path')
        if 'tcp' not in q.dbs:
            raise ArgsError('dump_file: -D writes the TCP table, and no TCP table is selected (ss says "tcpdiag dump '
                            'requested and no tcp in filter")')
        if has_expression:
            raise ArgsError('dump_file: -D writes the whole TCP table (ss ignores a filter expression there, although '
                            'its manual says otherwise); remove the expression, and give it when you read the capture '
                            'with from_dump')
    if from_dump and 'tcp' not in q.dbs:
        raise ArgsError('from_dump: the capture replaces the TCP table, and no TCP table is selected (add -t)')


def _read_bounded(path, limit):
    """The bytes of a filter file, at most `limit` of them; raises ArgsError.

    Anything but a regular file (a FIFO, /dev/zero, a directory) is refused
    before it is read (opened without blocking), so nothing can hang or fill
    the memory; a file that grows past the limit while it is read is refused too.
    `-` (ss's standard input) is refused: a module's standard input is not the
    user's (empty with pipelining, held open over ssh without it).
    """
    if path == '-':
        raise ArgsError('filter_file: "-" is standard input, which a module cannot read (Ansible, not you, gives it its '
                        'standard input); give a file on the managed host, or the expression itself in filter')
    return read_regular_file(path, limit, ArgsError, 'filter_file', 'the filter expression')


def read_filter_file(path, limit=MAX_FILTER_FILE_BYTES):
    """Expression words from a filter file, read the way `ss -F FILE` reads it.

    Lines end at a newline only (ss reads them with fgets(): a carriage return, form feed or vertical tab is part
    of its line, and then of a word); lines starting with '#' (and, as in ss, '0') are skipped; a line longer than ss
    accepts (MAX_FILTER_LINE bytes with its newline) or holding a NUL byte (where ss stops reading the line) is an
    error. The file must be a regular file of at most `limit` bytes, in UTF-8 (see _read_bounded).
    """
    data = _read_bounded(path, limit)
    lines = data.split(b'\n')
    if not lines[-1]:
        lines.pop()         # the file ends with a newline
    last = len(lines) if data.endswith(b'\n') else len(lines) - 1      # lines 1..last end with a newline
    words, start = [], 0       # start: the offset of the line in the file
    for number, raw in enumerate(lines, 1):
        size = len(raw) + (number <= last)
        if size > MAX_FILTER_LINE:
            raise ArgsError('filter_file: line %d of %s is too long (%d bytes with its newline; ss accepts up to %d)'
                            % (number, path, size, MAX_FILTER_LINE))
        if b'\0' in raw:
            raise ArgsError('filter_file: line %d of %s holds a NUL byte (ss would stop reading the line there)'
                            % (number, path))
        try:
            line = raw.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise ArgsError('filter_file: cannot read %s: it is not UTF-8 text (byte %d, line %d)'
                            % (path, start + exc.start, number))
        start += size
        if line[:1] in ('#', '0'):
            continue
        if line.strip(' \t'):
            words.append(line)
    return words


def build_request(params, identity=False, selecting=False):
    """Return the Request that module parameters describe (raises ArgsError, FilterError).

    selecting: the module only selects sockets (socket_assert, socket_kill): -E and -D in ss_args, which socket_facts
    runs as modes of their own, are refused instead of asking for socket_facts' options.
    """
    q = parse_ss_args(params.get('ss_args') or '', Query())
    if selecting:
        for given, what, option in ((q.events, '-E listens for closed sockets', 'events'),
                                    (q.dump_file, '-D writes a capture of the TCP table', 'dump_file')):
            if given:
                raise ArgsError('ss_args: %s, which this module does not do: it only selects sockets (socket_facts '
                                'does it, with %s); remove it' % (what, option))
    _merge_options(q, params)
    q.finish()
    words = list(q.expression)
    if q.filter_file:
        words.extend(read_filter_file(q.filter_file))
    families, preferred = frozenset(q.families), q.preferred_family
    expr, warnings = None, []
    if any(w.strip() for w in words):
        # imported here: Ansible compiles module code on every run, and a listing without a filter need not pay for it
        from ansible_collections.netdiag.ss.plugins.module_utils._filter._lint import mixed_and_or_warning
        from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import joined_state_words, parse
        if preferred in (AF_INET, AF_INET6) and AF_INET in families and AF_INET6 in families:
            # both inet families were asked for (-4 -6, families: [inet, inet6]): ss gives the operands the last one,
            # which narrows the whole listing to it (`ss -46 -t sport = :25` lists no IPv4 socket); neither here
            preferred = None
        try:
            expr = parse(words, preferred_family=preferred)
        except FilterError as exc:
            if any(kind in ('state', 'exclude') for kind, _word in q.state_words):
                exc = joined_state_words(exc, words)
            raise exc.shifted(q.filter_offset) from None
    if expr is not None:
        warning = mixed_and_or_warning(words)
        if warning:
            warnings.append(warning)
        if expr.forced_family is not None:
            # ss (B-14): an operand's family replaces the family set (and becomes the preferred one, which the
            # parser has applied to the operands after it)
            families = frozenset((expr.forced_family,))
    details = frozenset(q.details)
    events, from_dump = params.get('events'), params.get('from_dump')
    source = params.get('source') or 'auto'
    if source not in SOURCES:
        raise ArgsError('source: %s is not one of %s' % (shown(source), ', '.join(SOURCES)))
    _check_modes(q, events, from_dump, expr is not None, source)
    if 'contexts' in details:
        details |= {'context'}          # ss -z shows the process contexts too
    max_events = params.get('max_events')
    if max_events is None:
        max_events = DEFAULT_MAX_EVENTS
    if isinstance(max_events, bool) or max_events < 1:      # true (a YAML boolean passes Ansible's int) is no count
        raise ArgsError('max_events: %s must be at least 1' % shown(max_events))
    max_sockets = params.get('max_sockets')
    if max_sockets is not None and (isinstance(max_sockets, bool) or max_sockets < 1):
        raise ArgsError('max_sockets: %s must be at least 1' % shown(max_sockets))
    if max_sockets is not None and (events or q.dump_file):
        raise ArgsError('max_sockets limits a listing; %s lists no sockets (%s)' % (
            ('events (-E)', 'use max_events to bound it') if events else ('-D (dump_file)', 'it writes the whole TCP table')))
    if q.states_ignored:
        warnings.append(empty_states_warning(' '.join('%s %s' % word for word in q.state_words)))
    if events:
        # imported here: only event mode needs it
        from ansible_collections.netdiag.ss.plugins.module_utils._events import event_warnings
        # a family option (-x, -0, -f netlink) names its tables here: -E cannot follow them, which is worth saying
        named = q.named_families - {AF_INET, AF_INET6}
        # and so does any -A item, `-A all` too: -E follows only tcp and udp of what it asks for
        warnings.extend(event_warnings(q.tables(), families, q.explicit_tables.union(q.queried_tables).union(
            t for t in q.tables() if TABLE_BY_NAME[t].families & named)))
    return Request(
        tables=tuple(q.tables()),
        explicit_tables=frozenset(q.explicit_tables),
        families=families,
        inet_families=inet_dump_families(families),
        states=q.states,
        state_words=tuple(q.state_words),
        filter=expr,
        filter_words=tuple(words),
        kernel_filter=params.get('kernel_filter', True) is not False,
        netns=q.netns,
        processes=q.processes or 'context' in details,     # -Z/-z show the holders' contexts
        threads=q.threads,
        timers=q.timers or bool(details & {'extended', 'bpf'}),   # ss: -e and -b imply -o
        summary=q.summary,
        summary_only=q.summary_only(),
        resolve=q.resolve,
        services=q.resolve and not q.numeric,
        header=q.header,
        details=details,
        oneline=q.oneline,
        events=events or None,
        max_events=max_events,
        max_sockets=max_sockets,
        dump_file=q.dump_file,
        from_dump=from_dump or None,
        source=source,
        identity=identity,
        warnings=tuple(warnings),
    )


__all__ = ['Request', 'build_request', 'bare_selection', 'check_socket_count',
           'read_filter_file', 'split_filter_states', 'MAX_FILTER_LINE', 'MAX_FILTER_FILE_BYTES',
           'DETAIL_OPTIONS', 'DEFAULT_MAX_EVENTS', 'SOURCES']
