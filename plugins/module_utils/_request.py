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

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError
from ansible_collections.netdiag.ss.plugins.module_utils._query import Query, inet_dump_families, parse_ss_args
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import LISTEN_AND_CLOSE, SS_ALL, SS_CONN

# The longest line ss -F reads (its buffer is 1024 bytes with the newline and NUL).
MAX_FILTER_LINE = 1021

Request = collections.namedtuple('Request', [
    'tables',           # ss table names to list, in ss's order
    'explicit_tables',  # those named by an option (-t, -A, tables): a warning when the kernel lacks one
    'families',         # AF numbers to keep
    'inet_families',    # which inet dumps to send (only one when -4/-6 came last)
    'states',           # the state mask
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
    'identity',         # records keep their SockId (for requests that address one socket)
    'warnings',         # tuple of texts for the user
])


def _contradiction(option, value, given):
    return ArgsError('option %s=%s contradicts "%s" in ss_args; use one of them' % (option, value, given))


def _bool_text(value):
    return 'true' if value else 'false'


def _merge_options(q, params):
    """Apply the structured options of params to a Query built from ss_args."""
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
    if (listening or every) and (states or excludes):
        raise ArgsError('option %s=true contradicts states/exclude_states; use one of them'
                        % ('listening' if listening else 'all'))
    given = q.given.get('states')
    if given and (listening is not None or every is not None or states or excludes):
        if listening is not None:
            raise _contradiction('listening', _bool_text(listening), given)
        if every is not None:
            raise _contradiction('all', _bool_text(every), given)
        raise _contradiction('states' if states else 'exclude_states', ','.join(states or excludes), given)
    if states or excludes:
        q.positional = True
    if listening:
        q.state_filter = LISTEN_AND_CLOSE
    elif every:
        q.state_filter = SS_ALL
    for word in states or ():
        q.state_word(word)
    for word in excludes or ():
        q.state_word(word, exclude=True)
    if params.get('resolve') is not None:
        if 'resolve' in q.given and (q.resolve and not q.numeric) != params['resolve']:
            raise _contradiction('resolve', _bool_text(params['resolve']), q.given['resolve'])
        q.resolve = params['resolve']
        q.numeric = not params['resolve']
    for option in ('processes', 'threads', 'timers', 'summary'):
        value = params.get(option)
        if value is None:
            continue
        if option in q.given and bool(getattr(q, option)) != bool(value):
            raise _contradiction(option, _bool_text(value), q.given[option])
        setattr(q, option, bool(value))
    netns = params.get('netns')
    if netns:
        if q.netns and q.netns != netns:
            raise _contradiction('netns', netns, q.given['netns'])
        q.netns = netns
    text = params.get('filter')
    if text is not None and q.expression:
        raise ArgsError('option filter=%r contradicts the expression "%s" in ss_args; give the expression once'
                        % (text, ' '.join(q.expression)))
    if text:
        q.expression = [text]
    if params.get('filter_file'):
        if q.filter_file and q.filter_file != params['filter_file']:
            raise _contradiction('filter_file', params['filter_file'], '-F %s' % q.filter_file)
        q.filter_file = params['filter_file']


def read_filter_file(path):
    """Expression words from a filter file, read the way `ss -F FILE` reads it.

    Lines starting with '#' (and, as in ss, '0') are skipped; a line longer
    than ss accepts is an error; `-` means standard input.
    """
    try:
        if path == '-':
            import sys
            lines = sys.stdin.read().splitlines()
        else:
            with open(path, 'r') as f:
                lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError, ValueError) as exc:   # ValueError: a NUL byte in the path
        raise ArgsError('filter_file: cannot read %s: %s' % (path, exc))
    words = []
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_FILTER_LINE:
            raise ArgsError('filter_file: line %d of %s is too long (%d characters; ss accepts up to %d)'
                            % (number, path, len(line), MAX_FILTER_LINE))
        if line[:1] in ('#', '0'):
            continue
        if line.strip():
            words.append(line)
    return words


def build_request(params, identity=False):
    """Return the Request that module parameters describe (raises ArgsError, FilterError)."""
    q = parse_ss_args(params.get('ss_args') or '', Query())
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
        from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import parse
        expr = parse(words, preferred_family=preferred)
    if expr is not None:
        warning = mixed_and_or_warning(words)
        if warning:
            warnings.append(warning)
        if expr.forced_family is not None:
            # ss (B-14): an operand's family replaces the family set and becomes the preferred one
            families = frozenset((expr.forced_family,))
            preferred = expr.forced_family
    return Request(
        tables=tuple(q.tables()),
        explicit_tables=frozenset(q.explicit_tables),
        families=families,
        inet_families=inet_dump_families(preferred),
        states=q.states,
        filter=expr,
        filter_words=tuple(words),
        kernel_filter=params.get('kernel_filter', True) is not False,
        netns=q.netns,
        processes=q.processes,
        threads=q.threads,
        timers=q.timers,
        summary=q.summary,
        summary_only=q.summary_only(),
        resolve=q.resolve,
        services=q.resolve and not q.numeric,
        header=q.header,
        identity=identity,
        warnings=tuple(warnings),
    )


__all__ = ['Request', 'build_request', 'read_filter_file', 'MAX_FILTER_LINE']
