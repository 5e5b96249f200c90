#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The action plugin of the same name does the work, on the controller; this file documents it.

from __future__ import annotations

DOCUMENTATION = r"""
module: compliance_report_files
short_description: Write a socket compliance report's files on the controller
version_added: 0.1.0
description:
  - Writes C(report.json), C(report.junit.xml) and C(report.html) of a fleet's socket compliance report into a
    directory of the controller, in one step and without running anything on a managed host. The three files are
    exactly what P(netdiag.ss.compliance_report#filter) renders for the same O(report), in the formats V(json),
    V(junit) and V(html).
  - The directory and any missing parents are created with mode C(0755) (a directory that exists keeps its mode),
    the files are written with mode C(0644), each through a temporary file in the same directory that then replaces
    it, so a reader never sees half a file. A file whose content and mode are right already is left alone; a
    symbolic link in the place of a file is replaced by the file (its target is left alone).
  - The files belong to the user who runs Ansible, as with M(ansible.builtin.fetch); C(become) does not apply.
  - The role C(netdiag.ss.socket_compliance) writes its report with this action. The report is checked first, and
    nothing is written when it is not valid; the error names the place in O(report) and what is wrong.
author:
  - netdiag.ss developers (@netdiag)
extends_documentation_fragment:
  - netdiag.ss._attributes
attributes:
  action:
    description: Runs on the controller, as an action plugin; nothing is sent to the managed host.
    support: full
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  check_mode:
    support: full
    details: Reports whether the files would change and writes nothing.
  diff_mode:
    support: none
options:
  report:
    description:
      - The report, as P(netdiag.ss.compliance_report#filter) takes it - C(title), C(generated), C(rules) (the policy's
        rule names, in order) and C(hosts) (host name to C({status, result}) or C({status, msg}), as
        P(netdiag.ss.compliance_host_status#filter) returns them).
    type: dict
    required: true
  dest:
    description:
      - The directory on the controller that receives the three files; created when it does not exist.
    type: path
    required: true
  whole_play:
    description:
      - The report is of every host of the play, gathered by a C(run_once) task (as the role C(netdiag.ss.socket_compliance)
        writes it). Fails, writing nothing, when the play runs in C(serial) batches or with a strategy that does not
        honour C(run_once) (C(free), C(host_pinned)), where the task would see only some of the hosts.
    type: bool
    default: false
seealso:
  - plugin: netdiag.ss.compliance_report
    plugin_type: filter
  - plugin: netdiag.ss.compliance_host_status
    plugin_type: filter
"""

EXAMPLES = r"""
---
- name: Check every host, results kept whatever they are
  netdiag.ss.socket_assert:
    rules: "{{ socket_policy }}"
    report_only: true
  register: socket_check
  ignore_unreachable: true
  failed_when: false

- name: Write the fleet report on the controller
  netdiag.ss.compliance_report_files:
    dest: "{{ playbook_dir }}/reports"
    report:
      title: Socket compliance
      generated: "{{ now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ') }}"
      rules: "{{ socket_policy | map(attribute='name') }}"
      # the hosts of this play run (ansible_play_batch): a host that left the play before has no result of this
      # run, whatever an earlier task registered as socket_check
      hosts: >-
        {{ dict(ansible_play_batch | zip(ansible_play_batch | map('extract', hostvars)
                                         | map('netdiag.ss.compliance_host_status', 'socket_check'))) }}
    whole_play: true
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
files:
  description: The paths of the three files, C(report.json), C(report.junit.xml) and C(report.html), in that order.
  returned: always
  type: list
  elements: path
  sample: [/srv/reports/report.json, /srv/reports/report.junit.xml, /srv/reports/report.html]
passed:
  description: Whether every host passed every rule it has (the report's C(passed); false for a report of no host).
  returned: always
  type: bool
  sample: false
totals:
  description: The report's C(totals) - hosts by status, the number of rules and cells by status.
  returned: always
  type: dict
  sample: {"hosts": 8, "hosts_checked": 7, "hosts_passed": 1, "hosts_failed": 6, "hosts_unreachable": 1,
           "hosts_error": 0, "rules": 16,
           "cells": {"passed": 88, "failed": 8, "not_applicable": 16, "unreachable": 16, "error": 0}}
"""
