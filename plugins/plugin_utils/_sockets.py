# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
# Controller side only (Python 3.11+, standard library and module_utils only).
"""Socket records on the controller: select them with an ss FILTER, print them as ss prints them.

The filters netdiag.ss.select_sockets and netdiag.ss.socket_lines and the
test netdiag.ss.socket_matching are thin wrappers around this file; it
raises ArgsError (FilterError for the filter text), and they turn that
into AnsibleFilterError.

A FILTER is what ss reads after its options, in one string:
``[state NAME | exclude NAME]... EXPRESSION``. The state words are read
here (ss's rules: the first ``state`` starts from no state, the first
``exclude`` from every state); the expression goes to the shared parser
(_filter/_syntax) and is evaluated on the records by
_filter/_match.record_matcher, which binds host and service names on this
host (the controller) and refuses what records cannot answer. Positions in
messages count the words of the whole FILTER, state words included.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, FilterError, kind, shown
from ansible_collections.netdiag.ss.plugins.module_utils._query import empty_states_warning, parse_ss_args
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import (
    FAMILY_NAMES, LISTEN_AND_CLOSE, SS_ALL, SS_LISTEN, STATE_NUMBERS, STATE_TYPOS, STATE_WORDS,
)

# service names are looked up for both tables, as socket_facts does by default (ss: only for the selected tables)
SERVICE_TABLES = ('tcp', 'udp')
# the keys render() reads from every record
RENDER_KEYS = ('netid', 'state', 'recv_q', 'send_q', 'local_address', 'local_port', 'peer_address', 'peer_port', 'family')


class Selection:
    """A compiled FILTER: call it with a record to learn whether the FILTER selects it.

    states   the state mask of the state words, or None (no state word: every state)
    family   the AF number an operand's family prefix forced (ss B-14), or None
    matcher  _match.record_matcher's callable for the expression
    warning  the mixed and/or warning for the expression, or None
    """

    def __init__(self, states, family, matcher, warning):
        self.states = states
        self.family = family
        self.matcher = matcher
        self.warning = warning

    def __call__(self, rec):
        if not isinstance(rec, Mapping):
            raise ArgsError('not a socket record (a dict as socket_facts returns it) but %s: %s' % (kind(rec), shown(rec)))
        try:
            if self.states is not None and not _in_states(rec, self.states):
                return False
            if rec['family'] == 'tipc':
                return True     # ss lists tipc sockets whatever the families and the expression say
            if self.family is not None and FAMILY_NAMES[rec['family']] != self.family:
                return False
        except (KeyError, TypeError, ValueError) as exc:
            raise ArgsError('not a socket record as socket_facts returns it (%s: %s): %s'
                            % (type(exc).__name__, exc, shown(rec))) from None
        return self.matcher(rec)


# the Netids of raw sockets from raw sock_diag whose protocol names no other table (PROTOCOL_NETIDS, B-21): a raw socket
# of protocol 6 or 17 prints tcp or udp and cannot be told from one of those tables in a record
_RAW_NETIDS = frozenset(('raw', '???', 'icmp6'))


def _in_states(rec, mask):
    """Whether the record's state is in the mask, as the kernel selects by state.

    SCTP (net/sctp/diag.c) does not select by the socket's state: it lists
    every endpoint when the mask has LISTEN, and every association (which
    carries an SCTP state) when it has any state but LISTEN and CLOSE.
    """
    if rec['netid'] == 'sctp':
        if (rec.get('sctp') or {}).get('endpoint') is not None:
            return bool(mask & ~LISTEN_AND_CLOSE)
        return bool(mask & (1 << SS_LISTEN))
    if rec['netid'] in _RAW_NETIDS and rec.get('cookie') is not None and rec['family'] in ('inet', 'inet6'):
        return True     # raw_diag lists every raw socket whatever the states (_diag_inet.dump_raw); /proc/net's are selected
    number = STATE_NUMBERS.get(rec['state'])
    if number is None:
        raise ValueError('state %s is no state ss prints' % shown(rec['state']))
    return bool(mask & (1 << number))


# ---------------------------------------------------------------------------- the FILTER

def split_filter(text):
    """(state mask or None, expression text, the number of words before it) of a FILTER string.

    Raises FilterError for a state word without a name or a name that is not
    a state. State words that leave no state give a mask of 0: ss then ignores
    them (its default states), and compile_filter keeps every state, with a warning.
    """
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import split_state_words
    words, expression, count = split_state_words(text)
    mask = None
    for index, (name, exclude) in enumerate(words):
        bits = STATE_WORDS.get(name.lower())
        if bits is None:
            typo = STATE_TYPOS.get(name.lower())
            raise FilterError('is not a state name', name, 2 * index + 1,
                              'did you mean "%s"?' % typo if typo else 'valid: %s' % ', '.join(sorted(STATE_WORDS)))
        if exclude:
            mask = (SS_ALL if mask is None else mask) & ~bits
        else:
            mask = (mask or 0) | bits
    return mask, expression, count


def _hint(exc, count, expression):
    """A better hint for two mistakes people make when they come from the ss command line."""
    if count:
        from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import joined_state_words
        hinted = joined_state_words(exc, expression)
        if hinted is not exc:
            return hinted
    if exc.position == 0 and exc.word and exc.word.startswith('-'):
        return FilterError(exc.reason, exc.word, exc.position,
                           'a FILTER has no ss options (-t, -l, ...): only state words and an expression; select '
                           'tables by the records\' netid (selectattr("netid", "eq", "tcp"))')
    return exc


@functools.lru_cache(maxsize=128)
def compile_filter(text):
    """The Selection of a FILTER string (cached by text: names are looked up once per process).

    Raises FilterError.
    """
    # imported here: parsing and binding are only needed when a filter is given
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._lint import mixed_and_or_warning
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._match import record_matcher
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._syntax import parse
    states, expression, count = split_filter(text)
    try:
        expr = parse([expression]) if expression.strip() else None
        matcher = record_matcher(expr, SERVICE_TABLES)
    except FilterError as exc:
        raise _hint(exc, count, expression).shifted(count) from None
    family = expr.forced_family if expr is not None else None
    warning = mixed_and_or_warning([expression]) if expr is not None else None
    if states == 0:
        # ss ignores state words that leave nothing (it lists its default states): every state is kept here, as without
        # state words, and the user is told
        states = None
        warning = '; '.join(w for w in (empty_states_warning(' '.join(text.split()[:count])), warning) if w)
    return Selection(states, family, matcher, warning)


def selection(text):
    """compile_filter() for any string (Ansible's tagged strings are cached as plain ones); ArgsError for anything else."""
    if not isinstance(text, str):
        raise ArgsError('the filter must be a string (an ss FILTER such as "state listening sport = :22"), not %s: %s'
                        % (kind(text), shown(text)))
    return compile_filter(str(text))


def select(records, text):
    """The records (in their order) that the FILTER selects; (that list, the Selection)."""
    sel = selection(text)
    if isinstance(records, (str, bytes, Mapping)) or not hasattr(records, '__iter__'):
        raise ArgsError('the input must be a list of socket records (ansible_facts.sockets), not %s: %s'
                        % (kind(records), shown(records)))
    out = []
    for index, rec in enumerate(records):
        try:
            if sel(rec):
                out.append(rec)
        except ArgsError as exc:
            raise ArgsError('item %d of the input: %s' % (index, exc)) from None
    return out, sel


# ---------------------------------------------------------------------------- ss lines

# what socket_lines cannot do, by the Query attribute that asks for it
_NOT_LAYOUT = (
    ('resolve', '-r would name hosts and services on the controller, not on the managed host; socket_lines prints '
                'numbers, as ss -n does'),
    ('summary', '-s prints a summary, not socket lines; use socket_facts with summary=true'),
    ('events', '-E listens for closed sockets on a host; use socket_facts with events'),
    ('dump_file', '-D writes a capture on a host; use socket_facts with dump_file'),
    ('filter_file', '-F reads a filter file; select the sockets with netdiag.ss.select_sockets first'),
    ('netns', '-N names a network namespace of a host; use socket_facts with netns'),
)


def layout(ss_args):
    """The _request.Request whose columns, header and detail text an `ss_args` command line asks for.

    Only options that change how rows look are accepted (tables, families,
    states, -H, -p, -T, -o, the detail options, -O, -n); anything that
    selects or reads sockets is an ArgsError that says what to use instead.
    """
    if not isinstance(ss_args, str):
        raise ArgsError('ss_args must be a string of ss options (for example "-tlnp"), not %s: %s'
                        % (kind(ss_args), shown(ss_args)))
    from ansible_collections.netdiag.ss.plugins.module_utils._request import build_request
    query = parse_ss_args(ss_args)
    for attr, why in _NOT_LAYOUT:
        if getattr(query, attr):
            raise ArgsError('ss_args: %s' % why)
    if query.expression:
        raise ArgsError('ss_args: "%s" is a filter expression; socket_lines prints every record it is given: select '
                        'them with netdiag.ss.select_sockets first' % ' '.join(query.expression))
    return build_request({'ss_args': ss_args})


def lines(records, ss_args='', header=True):
    """The lines `ss -n` with these options prints for these records (a record alone is a list of one)."""
    request = layout(ss_args)
    if isinstance(records, Mapping):
        records = [records]
    elif isinstance(records, (str, bytes)) or not hasattr(records, '__iter__'):
        raise ArgsError('the input must be a list of socket records (ansible_facts.sockets) or one record, not %s: %s'
                        % (kind(records), shown(records)))
    records = list(records)
    for index, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise ArgsError('item %d of the input is not a socket record (a dict as socket_facts returns it) but %s: %s'
                            % (index, kind(rec), shown(rec)))
        missing = [key for key in RENDER_KEYS if key not in rec]
        if missing:
            raise ArgsError('item %d of the input is not a socket record as socket_facts returns it: it has no %s '
                            '(the fields option of socket_facts may have left it out): %s'
                            % (index, ', '.join(missing), shown(rec)))
    if not header:
        request = request._replace(header=False)
    from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
    try:
        return listing(request, records)
    except _NOT_A_RECORD as exc:
        raise _bad_record(request, records, exc) from None


# what rendering a record raises when a value in it is not what socket_facts returns
_NOT_A_RECORD = (KeyError, TypeError, ValueError, AttributeError)


def _bad_record(request, records, exc):
    """The ArgsError for a listing that failed with `exc`, naming the first record that fails alone (the error
    path renders each record again, so the listing itself stays one pass)."""
    from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
    alone = request._replace(header=False)
    for index, rec in enumerate(records):
        try:
            listing(alone, [rec])
        except _NOT_A_RECORD as own:
            return ArgsError('item %d of the input is not a socket record as socket_facts returns it (%s: %s): %s'
                             % (index, type(own).__name__, own, shown(rec)))
    return ArgsError('a record is not what socket_facts returns (%s: %s)' % (type(exc).__name__, exc))


__all__ = ['Selection', 'compile_filter', 'selection', 'select', 'split_filter', 'layout', 'lines', 'SERVICE_TABLES']
