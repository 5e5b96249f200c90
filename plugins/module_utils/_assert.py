# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the netdiag.ss collection: may change or break at any time.
"""Compliance rules written as ss selections, answered from one dump (netdiag.ss.socket_assert).

parse_rules() checks every rule and builds its Request before anything is
read, so a bad rule is an error that names the rule. evaluate() enters the
namespace, binds every rule's filter there, dumps each table once for the
union of what the rules select (with a kernel program that is the OR of the
rules' programs, where every rule has one), and lets one matcher tell, per
socket, which rules select it. Each rule then sees exactly the sockets that
`ss` would print for its selection: its tables, families, states, and both
halves of its filter (the kernel's half is run in Python, as with
kernel_filter=false). A rule with `autobound`, whose kernel half cannot be
seen from user space, gets a dump of its own.
"""

from __future__ import annotations

import collections
import os
import re

from ansible.module_utils.common.validation import check_type_bool, check_type_list

from ansible_collections.netdiag.ss.plugins.module_utils._argspec import selection_argspec
from ansible_collections.netdiag.ss.plugins.module_utils._errors import ArgsError, MarkNotPermitted, shown
from ansible_collections.netdiag.ss.plugins.module_utils._host import HostLookups
from ansible_collections.netdiag.ss.plugins.module_utils._netns import check_name, enter
from ansible_collections.netdiag.ss.plugins.module_utils._privilege import CAP_SYS_PTRACE, advice, has_capability
from ansible_collections.netdiag.ss.plugins.module_utils._request import DETAIL_OPTIONS, bare_selection, build_request, check_socket_count
from ansible_collections.netdiag.ss.plugins.module_utils._schema import MATCHES, PRIVATE_KEYS, bytes_text, display_bytes
from ansible_collections.netdiag.ss.plugins.module_utils._select import select
from ansible_collections.netdiag.ss.plugins.module_utils._vocab import AF_INET, AF_INET6, LISTEN_AND_CLOSE, TABLE_BY_NAME

# The selection keys a rule may have (those of the selection argument spec; netns is the module's)
SELECTION_KEYS = ('ss_args', 'tables', 'families', 'listening', 'all', 'states', 'exclude_states', 'filter',
                  'filter_file', 'kernel_filter')
RULE_KEYS = ('name', 'expect', 'min', 'max', 'process', 'allow_process') + SELECTION_KEYS
PROCESS_KEYS = ('name', 'user', 'pid')
EXPECTATIONS = ('absent', 'present')
DEFAULT_MAX_OFFENDERS = 20

Rule = collections.namedtuple('Rule', [
    'index', 'name', 'request', 'expect', 'min', 'max',
    'process',          # tuple of holder conditions (dicts): the rule selects only sockets one of them holds
    'allow_process',    # tuple of holder conditions: sockets held only by these are fine (expect: absent)
])


def _rule_error(name, message):
    return ArgsError('rule "%s": %s' % (name, message))


def _holder_conditions(name, key, value):
    """A tuple of {name, user, pid} conditions from a dict or a list of dicts.

    A condition no process can meet would make an absent rule pass whatever holds its sockets, so a pid is a whole
    number, 1 or more (25883.9 is not taken as 25883), and a user a uid or a name, looked up now (as its uid:
    /proc/PID/status gives the holders' uids). A name this host does not have (nginx on a host without nginx: one
    policy serves a fleet) matches no process, and evaluate() says so in a warning (UNKNOWN_USER keeps the name).
    """
    if value is None:
        return ()
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not items:
        raise _rule_error(name, '%s must be a dict or a non-empty list of dicts with keys %s' % (key, ', '.join(PROCESS_KEYS)))
    conditions = []
    for item in items:
        if not isinstance(item, dict) or not item:
            raise _rule_error(name, '%s: %s is not a dict with keys %s' % (key, shown(item), ', '.join(PROCESS_KEYS)))
        unknown = sorted(set(item) - set(PROCESS_KEYS))
        if unknown:
            raise _rule_error(name, '%s: unknown key(s) %s (valid: %s)' % (key, ', '.join(unknown), ', '.join(PROCESS_KEYS)))
        cond = {}
        for k, v in item.items():
            if k == 'pid':
                v = _pid(name, key, v)
            elif k == 'user':
                uid = _uid(name, key, v)
                if uid is None:
                    cond[UNKNOWN_USER] = v
                v = uid
            elif not isinstance(v, str):
                raise _rule_error(name, '%s: %s %s is not text' % (key, k, shown(v)))
            elif k == 'name':
                _process_name(name, key, v)
            cond[k] = v
        conditions.append(cond)
    return tuple(conditions)


# the kernel keeps a process name (comm) in 16 bytes, the last a NUL: ss -p and /proc/PID/comm show at most 15
_COMM_BYTES = 15


def _process_name(name, key, value):
    """Refuse a process name no process can have (a condition no process meets would make an absent rule pass)."""
    if not value:
        raise _rule_error(name, '%s: name "" is empty: no process has it' % key)
    try:
        raw = display_bytes(value)      # the name's bytes, from the text form holders are shown in (\\xHH, \\\\)
    except UnicodeError:
        raw = value.encode('utf-8', 'surrogateescape')
    if len(raw) > _COMM_BYTES:
        # the kernel cuts a name at 15 bytes, also inside a character: the hint is the text form of those bytes
        raise _rule_error(name, '%s: name %s is longer than the %d bytes the kernel keeps of a process name, so no '
                                'process has it; write %s, as ss -p and socket_facts show it'
                          % (key, shown(value), _COMM_BYTES, shown(bytes_text(raw[:_COMM_BYTES]))))


# (uid_t)-1 means "no uid" to the kernel: no process runs as it
_NO_UID = 0xFFFFFFFF
# the kernel's highest pid_max (PID_MAX_LIMIT): no process has a higher pid
_PID_MAX_LIMIT = 4194304
_WHOLE = re.compile(r'\s*[+-]?[0-9]+\s*\Z')


def _whole(value):
    """value as an int when it is a whole number (an int, a float such as 2.0, or its digits as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _WHOLE.match(value):
        return int(value)
    return None


def _pid(name, key, value):
    pid = _whole(value)
    if pid is None or not 1 <= pid <= _PID_MAX_LIMIT:
        raise _rule_error(name, '%s: pid %s is not a process id (a whole number, 1 to %d)' % (key, shown(value), _PID_MAX_LIMIT))
    return pid


# the key of a holder condition that keeps a user name this host does not have (its 'user' is then None)
UNKNOWN_USER = 'unknown_user'


def _uid(name, key, value):
    """A user condition -> its uid: a uid as it is (a number, or digits), a name looked up in this host's users
    (None for a name it does not have)."""
    if isinstance(value, str) and value.strip() and not _WHOLE.match(value):
        try:
            import pwd
            return pwd.getpwnam(value).pw_uid
        except KeyError:
            return None
        except ValueError:      # a name with a NUL
            pass
    uid = _whole(value) if isinstance(value, (int, str)) else None
    if uid is None or uid < 0 or uid >= _NO_UID:
        raise _rule_error(name, '%s: user %s is not a user (a name, or a uid: 0 or more)' % (key, shown(value)))
    return uid


def _count(name, key, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        try:
            count = -1 if isinstance(value, bool) else int(value)
            if isinstance(value, float) and count != value:
                count = -1                  # 1.5 sockets: not a count (int() would make it 1)
        except (TypeError, ValueError, OverflowError):
            count = -1
        if count < 0:
            raise _rule_error(name, '%s must be a whole number of sockets, 0 or more, not %s' % (key, shown(value)))
        value = count
    return value


def _selection(name, raw):
    """The rule's selection keys, checked and converted as Ansible converts the module options of the same name.

    Rules come as raw data (the rules option is a list of dicts), so nothing has converted them:
    listening: "no" must mean false, and a value of the wrong kind is an error, not a crash.
    """
    spec = selection_argspec().argument_spec
    params = {}
    for key in SELECTION_KEYS:
        value = raw.get(key)
        if value is None:
            continue
        kind = spec[key]['type']
        if kind == 'bool':
            try:
                value = check_type_bool(value)
            except TypeError:
                raise _rule_error(name, '%s must be true or false, not %s' % (key, shown(value)))
        elif kind == 'list':
            try:
                value = None if isinstance(value, bool) else check_type_list(value)   # "tcp,udp": [tcp, udp]
            except TypeError:
                value = None
            if value is None or not all(isinstance(v, str) for v in value):
                raise _rule_error(name, '%s must be a list of names, not %s' % (key, shown(raw[key])))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)                      # ss_args: -4 is a number in YAML
        elif not isinstance(value, str):
            raise _rule_error(name, '%s must be text, not %s' % (key, shown(value)))
        elif kind == 'path':
            value = os.path.expanduser(os.path.expandvars(value))     # as Ansible expands a path option
        params[key] = value
    return params


def parse_rule(index, raw, netns=None):
    """One rule (a dict) -> Rule; raises ArgsError naming the rule and what is wrong."""
    if not isinstance(raw, dict):
        raise ArgsError('rule %d: %s is not a dict (give name, a selection and an expectation)' % (index + 1, shown(raw)))
    name = raw.get('name')
    if name is not None and name != '' and not isinstance(name, str):
        raise ArgsError('rule %d: name must be text, not %s' % (index + 1, shown(name)))
    if not name:
        raise ArgsError('rule %d has no name (every rule needs one, to be reported)' % (index + 1))
    if not name.strip():
        raise ArgsError('rule %d has no name (%s is blank: every rule needs one, to be reported)' % (index + 1, shown(name)))
    unknown = sorted(set(raw) - set(RULE_KEYS))
    if unknown:
        hint = ''
        if set(unknown) & set(DETAIL_OPTIONS + ('processes', 'threads', 'timers', 'summary', 'resolve')):
            hint = '; rules select sockets and cannot ask for details (offenders come with their holders when a rule has process conditions)'
        raise _rule_error(name, 'unknown key(s) %s (valid: %s)%s' % (', '.join(unknown), ', '.join(RULE_KEYS), hint))
    expect = raw.get('expect')
    low, high = _count(name, 'min', raw.get('min')), _count(name, 'max', raw.get('max'))
    if expect is None:
        # only a missing expect (false, 0 or "" is a mistake, not absent): absent, or with min / max the range alone
        expect = 'present' if low else 'absent'
    if not isinstance(expect, str) or expect not in EXPECTATIONS:
        raise _rule_error(name, 'expect must be absent or present, not %s (use min / max for a count range)' % shown(expect))
    if low is not None and high is not None and low > high:
        raise _rule_error(name, 'min %d is more than max %d' % (low, high))
    if expect == 'absent' and low:
        raise _rule_error(name, 'expect: absent contradicts min: %d; use expect: present with min' % low)
    if expect == 'present' and high == 0:
        raise _rule_error(name, 'expect: present contradicts max: 0')
    # rules that could never fail
    if expect == 'present' and low is not None and low < 1:
        raise _rule_error(name, 'expect: present contradicts min: %d (present is at least 1 socket)' % low)
    if low == 0 and high is None:
        raise _rule_error(name, 'min: 0 without max allows any number of sockets: the rule could never fail '
                                '(give max, or expect: present with min 1 or more)')
    process = _holder_conditions(name, 'process', raw.get('process'))
    allow = _holder_conditions(name, 'allow_process', raw.get('allow_process'))
    if allow and (expect != 'absent' or low is not None or high is not None):
        raise _rule_error(name, 'allow_process says which holders are fine: it goes with expect: absent (no min / max)')
    text = raw.get('filter')
    if (isinstance(text, str) and not text.strip()) or (isinstance(text, list) and not ''.join(map(str, text)).strip()):
        # a template that came out empty would select every socket of the rule's tables
        raise _rule_error(name, 'filter is empty: give the expression, or leave filter out to select every socket of '
                                'the tables and states')
    params = _selection(name, raw)
    try:
        request = build_request(params, selecting=True)
    except ArgsError as exc:
        raise _rule_error(name, str(exc))
    if request.netns and request.netns != netns:
        raise _rule_error(name, '-N %s: every rule reads the namespace of the module (netns option)' % request.netns)
    if request.details or request.processes or request.threads or request.timers or request.summary or request.resolve:
        raise _rule_error(name, 'ss_args: rules select sockets; leave out detail options (-p -T -o -e -m -i -s -r ...)')
    return Rule(index, name, request, expect, low, high, process, allow)


def parse_rules(rules, netns=None, skip=()):
    """A list of rule dicts -> Rules, every one checked (raises ArgsError).

    skip: names of rules to leave out, before they are read (a rule left out is not checked in any way); the others
    keep their numbers in messages.
    """
    if not isinstance(rules, list) or not rules:
        raise ArgsError('rules: give at least one rule')
    check_name(netns)
    parsed = []
    seen = set()
    for index, raw in enumerate(rules):
        if skip and isinstance(raw, dict) and isinstance(raw.get('name'), str) and raw['name'] in skip:
            continue
        rule = parse_rule(index, raw, netns)
        if rule.name in seen:
            raise _rule_error(rule.name, 'the name is used by another rule: names must be unique')
        seen.add(rule.name)
        parsed.append(rule)
    if not parsed:
        raise ArgsError('rules: every rule given is in skip: give at least one rule to check')
    return parsed


def unknown_skips(rules, skip):
    """The names in skip that name no rule of rules (in skip's order, once each): a misspelt name leaves the rule it
    meant checked."""
    names = set(raw['name'] for raw in rules if isinstance(raw, dict) and isinstance(raw.get('name'), str))
    out = []
    for name in skip:
        if name not in names and name not in out:
            out.append(name)
    return out


# ---------------------------------------------------------------------------- evaluation

def _union_request(rules, netns, source='auto'):
    """One Request that selects what every rule selects (tables, families, states, inet dumps), read from `source`."""
    tables, families, states, inet = set(), set(), 0, set()
    for rule in rules:
        r = rule.request
        tables.update(r.tables)
        families.update(r.families)
        states |= r.states
        inet.update(r.inet_families)
    base = rules[0].request
    explicit = frozenset(t for rule in rules for t in rule.request.explicit_tables)
    return bare_selection(
        base, tables=tuple(t for t in TABLE_BY_NAME if t in tables), explicit_tables=explicit,
        families=frozenset(families), inet_families=tuple(f for f in (AF_INET, AF_INET6) if f in inet), states=states,
        filter=None, filter_words=(), kernel_filter=True, netns=netns, source=source)


class _RuleMatcher(object):
    """Tells, for one socket, which rules select it (a tuple of rule indexes, empty for none).

    Called, it runs each rule's filter as socket_facts' selection does for a socket from sock_diag (ss's user-space
    half and the kernel's half); its `userspace` method runs ss's user-space half alone, which the readers of sockets
    no kernel filters (/proc/net, SCTP) take instead, as they do for socket_facts (see _filter._plan).
    """

    def __init__(self, rules, lookups, kernel_filter, bound):
        """bound: {rule index: its filter bound on this host} (_bind_names)."""
        from ansible_collections.netdiag.ss.plugins.module_utils._filter._ast import Or
        from ansible_collections.netdiag.ss.plugins.module_utils._filter._bytecode import compile_bytecode
        from ansible_collections.netdiag.ss.plugins.module_utils._filter._plan import ephemeral_range_for, plan
        self.checks = []
        self.user_checks = []
        self.programs = []      # each rule's own kernel program (as socket_facts would send it), or None
        self.needs_attrs = self.has_mark = False
        exprs = []
        programs_complete = True
        for rule in rules:
            r = rule.request
            expr = bound.get(rule.index)
            match = None
            if expr is not None:
                eph = ephemeral_range_for(expr, lookups)
                # both halves in Python (the kernel's where it decides differently): the union dump is only a pre-filter
                planned = plan(expr, kernel_filter=False, ephemeral_range=eph)
                match = planned.match
                own = plan(expr, kernel_filter=True, ephemeral_range=eph)
                self.programs.append(own.bytecode)
                self.needs_attrs = self.needs_attrs or planned.needs_attrs
                self.has_mark = self.has_mark or planned.has_mark
                if own.bytecode is None:
                    programs_complete = False
                exprs.append(expr)
            else:
                self.programs.append(None)
                programs_complete = False
            netids = frozenset(TABLE_BY_NAME[t].netid for t in r.tables)
            check = (rule.index, netids, frozenset(r.families), frozenset(r.inet_families), r.states)
            self.checks.append(check + (match,))
            self.user_checks.append(check + (getattr(match, 'userspace', match),))
        self.bytecode = None
        if kernel_filter and programs_complete and exprs:
            union = exprs[0]
            for expr in exprs[1:]:
                union = Or(union, expr)
            self.bytecode = compile_bytecode(union)

    def __call__(self, view):
        return self._select(view, self.checks)

    def userspace(self, view):
        return self._select(view, self.user_checks)

    @staticmethod
    def _select(view, checks):
        fam = view.family
        inet = fam in (AF_INET, AF_INET6)
        bit = 1 << view.state
        return tuple(index for index, netids, families, inet_families, states, match in checks
                     if view.table in netids and fam in families and states & bit and (not inet or fam in inet_families)
                     and (match is None or match(view)))

    def plan(self):
        """The Plan of one dump for these rules: this matcher, tagging each kept socket with the rules it matches."""
        from ansible_collections.netdiag.ss.plugins.module_utils._filter._plan import Plan
        return Plan(self, self.needs_attrs, self.bytecode, self.has_mark, tagged=True)


def _has_mark(rule):
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._plan import uses_mark
    return uses_mark(rule.request.filter)


def _has_autobound(rule):
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._plan import uses_autobound
    return uses_autobound(rule.request.filter)


def _holder_matches(holder, cond, users):
    if 'pid' in cond and holder['pid'] != cond['pid']:
        return False
    if 'name' in cond and holder['name'] != cond['name']:
        return False
    if 'user' in cond:
        uid = users.get(holder['pid'])          # the condition's user is a uid (parse_rules looked names up)
        return uid is not None and uid == cond['user']
    return True


def _others_hidden(scan):
    """Whether processes that may share a socket with a visible holder are among those the scan could not read.

    Not root: yes. Root without CAP_SYS_PTRACE (a container's default) cannot read other users' processes, such as a
    daemon's workers, nor root's own processes that are not dumpable (sshd, ssh-agent, any that changed its ids or
    ran a setuid program): any process it could not read may share a socket with its visible master. Root with
    CAP_SYS_PTRACE reads every process of its user namespace: those it cannot read that run as root (an outer user
    namespace's, such as a container's init seen from inside) hold no socket of this host's daemons.
    """
    if os.geteuid() != 0:
        return True
    if not scan.denied:
        return False
    if not has_capability(CAP_SYS_PTRACE, default=False):
        return True
    uids = _process_uids(int(pid) for pid in scan.denied)
    return any(uid != 0 for uid in uids.values())     # None: gone, or hidden from us too


def _process_uids(pids, proc='/proc'):
    """pid -> effective uid of each process (from /proc/PID/status: the user it runs as, which ps shows; a setuid-root
    program run by nobody is root), None when gone."""
    uids = {}
    for pid in pids:
        try:
            with open('%s/%d/status' % (proc, pid)) as fh:
                for line in fh:
                    if line.startswith('Uid:'):
                        uids[pid] = int(line.split()[2])
                        break
        except (IOError, OSError, ValueError, IndexError):
            uids[pid] = None
    return uids


def _planner(batch, bound):
    """select()'s planner for one dump answering the rules of BATCH (tagging each record with the rules it matches);
    bound: their filters, bound by _bind_names."""
    def planner(request, lookups):
        matcher = _RuleMatcher(batch, lookups, kernel_filter=True, bound=bound)
        planned = matcher.plan()
        if len(batch) == 1 and _has_autobound(batch[0]):
            return planned._replace(bytecode=matcher.programs[0])
        return planned
    return planner


def _bind_names(rules, netns, lookups):
    """{rule index: its filter bound}: every name the rules' filters give (devices, services, cgroups) looked up in the
    namespace they read, before any socket is read, so that a rule naming something this host lacks fails, with the
    rule's name. The dumps' planners take these (_planner)."""
    named = [rule for rule in rules if rule.request.filter is not None]
    if not named:
        return {}
    from ansible_collections.netdiag.ss.plugins.module_utils._filter._bind import bind
    if netns:
        enter(netns)
    bound = {}
    for rule in named:
        try:
            bound[rule.index] = bind(rule.request.filter, rule.request.tables, lookups)
        except ArgsError as exc:
            raise _rule_error(rule.name, str(exc))
    return bound


def evaluate(rules, netns=None, max_offenders=DEFAULT_MAX_OFFENDERS, lookups=None, source='auto'):
    """Answer every rule, from sock_diag or /proc/net as `source` says (the module's option, as netns, is one for
    every rule); return (result dict, warnings). Raises SocketToolError (ArgsError for a bad max_offenders)."""
    check_socket_count('max_offenders', max_offenders)
    lookups = lookups or HostLookups()
    bound = _bind_names(rules, netns, lookups)
    counting, batches = _batches(rules)
    # each rule's own warnings (a filter that mixes and/or, state words that leave no state), as socket_facts gives them
    warnings = ['rule %s: %s' % (shown(rule.name), w) for rule in rules for w in rule.request.warnings]
    counted = {}
    for rule in counting:
        selection = select(bare_selection(rule.request, netns=netns, source=source), lookups,
                           count_after=max(1, max_offenders))
        warnings.extend(w for w in selection.warnings if w not in warnings)
        counted[rule.index] = (selection.records, selection.counted)
    records = []
    for batch in batches:
        try:
            selection = select(_union_request(batch, netns, source), lookups, planner=_planner(batch, bound))
        except MarkNotPermitted as exc:
            marked = [rule.name for rule in batch if _has_mark(rule)]
            raise ArgsError('rule%s %s: %s' % ('s' if len(marked) > 1 else '', ', '.join(shown(n) for n in marked), exc))
        warnings.extend(w for w in selection.warnings if w not in warnings)
        records.extend(selection.records)
    by_rule = dict((rule.index, list(counted[rule.index][0]) if rule.index in counted else []) for rule in rules)
    for rec in records:
        for index in rec[MATCHES]:
            by_rule[index].append(rec)
    users, scan, hidden, shared = _attach_holders(rules, by_rule, records)
    results = []
    for rule in rules:
        sure, unsure = _by_holders(rule, by_rule[rule.index], users, hidden, shared)
        results.append(_judge(rule, sure, max_offenders, unsure, beyond=counted.get(rule.index, ((), 0))[1]))
    warnings.extend(_unknown_user_warnings(rules))
    if any(r['hidden_holders'] for r in results):
        warnings.append(hidden_warning([r for r, res in zip(rules, results) if res['hidden_holders']], scan))
    failed = [r['name'] for r in results if not r['passed']]
    return {'rules': results, 'failed_rules': failed, 'passed': not failed}, warnings


def _batches(rules):
    """(the rules answered by counting, the batches of rules that share a dump), in the order they are read.

    A rule without a filter and without holder conditions (a count of a table's states, such as "at most 50,000
    established connections") can select every socket of a big table: it gets a dump of its own, in which the sockets
    beyond its first offenders are counted from the kernel's messages, never decoded. The other rules share a dump
    whose program is the union of theirs: the kernel walks the table once for all of them. Two such dumps, in fact:
    one for the rules about listeners and unconnected sockets (-l), one for the others. The kernel's program cannot
    test a state, so in one dump a listener rule ("nothing but nginx on :443") would bring every connection to that
    port to user space; apart, the listeners' dump walks the kernel's table of listeners and passes over the
    connections by their state alone. A rule with autobound has a kernel half that only the kernel can evaluate: it
    is dumped with its own program.
    """
    counting, listening, connected, alone = [], [], [], []
    for rule in rules:
        if rule.request.filter is None and not (rule.process or rule.allow_process):
            counting.append(rule)
        elif _has_autobound(rule):
            alone.append(rule)
        elif rule.request.states & ~LISTEN_AND_CLOSE:
            connected.append(rule)
        else:
            listening.append(rule)
    return counting, [batch for batch in (listening, connected) if batch] + [[r] for r in alone]


def _attach_holders(rules, by_rule, records):
    """Look up the holders of the records that rules with process conditions select, and add them to those records
    (`processes`); return (users, scan, hidden, shared): {pid: effective uid} when a condition names a user, the
    ProcScan (None when no rule needs holders), whether some processes could not be read, and whether those may
    hold sockets beside the holders that were seen (_others_hidden)."""
    needs_holders = [r for r in rules if r.process or r.allow_process]
    if not needs_holders:
        return {}, None, False, False
    from ansible_collections.netdiag.ss.plugins.module_utils._procs import ProcScan, find_holders
    wanted = set(id(rec) for r in needs_holders for rec in by_rule[r.index])
    subset = [rec for rec in records if id(rec) in wanted]
    scan = ProcScan()
    holders = find_holders([rec['inode'] for rec in subset], scan=scan)
    for rec in subset:
        rec['processes'] = holders.get(rec['inode'], [])
    users = _process_uids(set(h['pid'] for hs in holders.values() for h in hs)) \
        if any('user' in c for r in needs_holders for c in r.process + r.allow_process) else {}
    hidden = not scan.complete
    return users, scan, hidden, hidden and _others_hidden(scan)


def _unknown_user_warnings(rules):
    """A warning for each process condition of a rule that names a user this host does not have."""
    warnings = []
    for rule in rules:
        for key, conditions in (('process', rule.process), ('allow_process', rule.allow_process)):
            unknown = [c[UNKNOWN_USER] for c in conditions if UNKNOWN_USER in c]
            if unknown:
                warnings.append('rule %s: %s: %s %s %s no user of this host, so no process matches %s'
                                % (shown(rule.name), key, 'user' if len(unknown) == 1 else 'users',
                                   ', '.join(shown(u) for u in unknown), 'is' if len(unknown) == 1 else 'are',
                                   'that condition' if len(unknown) == 1 else 'those conditions'))
    return warnings


def hidden_warning(rules, scan):
    """The warning of a run in which the holders of some sockets that rules with process conditions select may be hidden."""
    if scan.invisible:
        why = '/proc does not list the processes of other users to this user (hidepid=invisible)'
    else:
        why = 'the open files of %d process%s could not be read' % (len(scan.denied), '' if len(scan.denied) == 1 else 'es')
    names = ', '.join('"%s"' % r.name for r in rules)
    head = 'not root: the processes of other users are hidden' if os.geteuid() != 0 else \
        'some processes could not be read even as root'
    return ('%s (%s): rules with process conditions (%s) select sockets whose holders may not all be seen; such a rule '
            'passes only where no hidden holder could change its outcome, and fails as not decided otherwise%s'
            % (head, why, names, advice()))


def _by_holders(rule, selected, users, hidden, shared):
    """(sure, unsure): the rule's sockets that count for it whatever hidden holders there are, and those that might.

    Without process conditions every selected socket counts. With `process`, a socket counts when a visible holder
    matches; with `allow_process`, when a visible holder is not allowed, or when no process can hold it (_procs.unheld).
    hidden: some processes could not be read, so a socket with an inode and no visible holder may be held by one of
    them. shared: a socket's visible holders may not be all of them either: other users' processes could not be read
    (a daemon opens its socket as root and shares it with workers of another user, which a caller that is not root,
    or root without CAP_SYS_PTRACE, cannot read). A socket that may have a holder that was not seen, and might count
    through it, is unsure.
    """
    if not (rule.process or rule.allow_process):
        return selected, []
    from ansible_collections.netdiag.ss.plugins.module_utils._procs import unheld
    sure, unsure = [], []
    for rec in selected:
        maybe_hidden = hidden and not unheld(rec) and (shared or not rec['processes'])
        if rule.process:
            counts = any(_holder_matches(h, c, users) for h in rec['processes'] for c in rule.process)
        elif not rec['processes']:
            counts = not maybe_hidden          # held by no process at all: not fine
        else:
            counts = not all(any(_holder_matches(h, c, users) for c in rule.allow_process) for h in rec['processes'])
        if counts:
            sure.append(rec)
        elif maybe_hidden:
            unsure.append(rec)
    return sure, unsure


def _judge(rule, selected, max_offenders, unsure=(), beyond=0):
    """The rule's result from the sockets that count for it (`selected`, and `beyond` more that were counted and not
    decoded) and those that might (`unsure`: their holders may be hidden). The true count lies between the count and
    the count + len(unsure): the rule passes only when every count in that range meets it, fails when none does, and
    otherwise fails as not decided."""
    count = len(selected) + beyond
    unsure = list(unsure)
    if rule.expect == 'absent' and rule.min is None and rule.max is None:
        low, high, expect = 0, 0, 'absent'
    else:
        low = rule.min if rule.min is not None else (1 if rule.expect == 'present' else 0)
        high = rule.max
        if high is None:
            expect = 'present' if low == 1 else 'at least %d' % low
        else:
            expect = 'at most %d' % high if low == 0 else '%d to %d' % (low, high)
    most = count + len(unsure)
    passed = count >= low and (high is None or most <= high)
    decided = passed or most < low or (high is not None and count > high)
    if high is not None and most > high:
        # too many, or perhaps too many: the sockets that count, then those that might
        offenders = selected + unsure if not (count > high) else selected
    else:
        offenders = []
    # records are shared between rules: each rule shows its offenders with holders only when it looked them up
    holders = bool(rule.process or rule.allow_process)
    drop = PRIVATE_KEYS if holders else PRIVATE_KEYS + ('processes',)
    listed = [dict((k, v) for k, v in rec.items() if k not in drop) for rec in offenders[:max_offenders]]
    lines = []
    if listed:
        # offenders as ss lines: imported only here, so a host without offenders runs without the renderer
        from ansible_collections.netdiag.ss.plugins.module_utils._render import listing
        lines = listing(rule.request._replace(processes=holders, header=True), listed)     # header first, also with -H
    return {
        'name': rule.name,
        'passed': passed,
        'decided': decided,
        'expect': expect,
        'count': count,
        'hidden_holders': len(unsure),
        'offenders': listed,
        'offenders_total': len(offenders) + (beyond if offenders else 0),
        'lines': lines,
    }


def failure_message(result, rules=None):
    """The message of a failed run: each failed rule and its first offenders as ss lines.

    rules: the Rules of the run, in order, when known: the count then says what the holders had to be.
    """
    parts = []
    for index, outcome in enumerate(result['rules']):
        if outcome['passed']:
            continue
        counted = 'socket' if outcome['count'] == 1 else 'sockets'
        if rules is not None:
            counted += _holder_words(rules[index])
        head = 'rule "%s" failed: expected %s, found %d %s' % (outcome['name'], outcome['expect'], outcome['count'], counted)
        if not outcome.get('decided', True):
            head = ('rule "%s" not decided: expected %s, found %d %s, and %d more whose holders may be hidden '
                    '(not every process could be read%s)' % (
                        outcome['name'], outcome['expect'], outcome['count'], counted, outcome['hidden_holders'], advice()))
        lines = outcome['lines'][1:6] if outcome['lines'] else []
        parts.append(head + (':\n  ' + '\n  '.join(lines) if lines else ''))
    return '%d of %d rules failed\n%s' % (len(result['failed_rules']), len(result['rules']), '\n'.join(parts))


def _holder_words(rule):
    """What the counted sockets' holders are, in a failure message: nothing for a rule without a process condition."""
    if rule.allow_process:
        return ' not held by an allowed process (allow_process)'
    if rule.process:
        return ' held by a process the rule names (process)'
    return ''


__all__ = ['Rule', 'parse_rule', 'parse_rules', 'unknown_skips', 'evaluate', 'hidden_warning', 'failure_message',
           'RULE_KEYS', 'SELECTION_KEYS', 'PROCESS_KEYS', 'EXPECTATIONS', 'UNKNOWN_USER', 'DEFAULT_MAX_OFFENDERS']
