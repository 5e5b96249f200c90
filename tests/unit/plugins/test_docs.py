# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every documentation block of every plugin and doc fragment is valid YAML.

ansible-doc and the validate-modules sanity test check more, but take a
minute; this catches the commonest mistake (an unquoted ': ') in a second.
"""

from __future__ import annotations

import ast
import glob
import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BLOCKS = ('DOCUMENTATION', 'EXAMPLES', 'RETURN', 'FACTS', 'INFO_MODULE')


def _blocks():
    for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', '*', '*.py'))):
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id in BLOCKS and isinstance(node.value, ast.Constant):
                yield pytest.param(node.value.value, id='%s:%s' % (os.path.relpath(path, ROOT), node.targets[0].id))


@pytest.mark.parametrize('text', list(_blocks()))
def test_block_is_yaml(text):
    data = yaml.safe_load(text)
    assert data is None or isinstance(data, (dict, list))
