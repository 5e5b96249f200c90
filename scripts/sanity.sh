#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of this collection, without containers.
#
#   bash scripts/sanity.sh                       # all sanity tests
#   bash scripts/sanity.sh --test pep8 --test pylint -v
#   bash scripts/sanity.sh --keep                # keep the temp copy for debugging
#   bash scripts/sanity.sh --selftest            # also add a throwaway module to the copy
#
# Other arguments go to ansible-test unchanged.  Environment:
#   SANITY_PYTHON=X.Y   Python for ansible-test --python (default: the .venv's, 3.11 here)
#
# Why a copy: ansible-test must run inside .../ansible_collections/netdiag/ss/ and
# rejects a symlink to the checkout.  The copy holds `git ls-files -co
# --exclude-standard` (tracked + untracked-not-ignored files).
# Why a get-pip shim: see scripts/lib/get_pip_shim.py and docs/development.md.
#
# Last line: "sanity: N passed, N failed, N skipped" (one per sanity test).
# Exit status is non-zero if any sanity test failed or ansible-test broke.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
OUT="$ROOT/tests/output/sanity"

keep=0
selftest=0
passthru=()
for arg in "$@"; do
    case "$arg" in
        --keep) keep=1 ;;
        --selftest) selftest=1 ;;
        *) passthru+=("$arg") ;;
    esac
done

say() { printf 'sanity.sh: %s\n' "$*"; }

# --- venv ------------------------------------------------------------------
if [ ! -x "$ROOT/.venv/bin/ansible-test" ] || [ -z "${NETDIAG_SS_BOOTSTRAPPED:-}" ]; then
    bash "$ROOT/scripts/bootstrap.sh" >/dev/null
fi
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
PYVER="${SANITY_PYTHON:-$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')}"

# --- shellcheck (for the shellcheck sanity test; Debian package) -----------
if ! command -v shellcheck >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing shellcheck with apt-get (for the shellcheck sanity test)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q shellcheck </dev/null >/dev/null 2>&1 \
            || { apt-get update -q </dev/null >/dev/null 2>&1 && apt-get install -y -q shellcheck </dev/null >/dev/null 2>&1; } \
            || say "WARNING: could not install shellcheck; the shellcheck sanity test will be skipped"
    else
        say "WARNING: shellcheck not installed; the shellcheck sanity test will be skipped"
    fi
fi

# --- offline get-pip for ansible-test's sanity venvs -----------------------
# ansible-test bootstraps pip in each sanity venv from ~/.ansible/test/cache/get_pip_X_Y.py
# and would download that script from a host not reachable here.
PIPVER="$(python - <<'EOF'
import re, ansible_test, pathlib
src = (pathlib.Path(ansible_test.__file__).parent / '_internal' / 'python_requirements.py').read_text()
m = re.search(r"default_packages\s*=\s*dict\(\s*pip='([0-9.]+)'", src)
print(m.group(1) if m else '24.2')
EOF
)"
CACHE="$HOME/.ansible/test/cache"
SHIM="$CACHE/get_pip_${PIPVER//./_}.py"
mkdir -p "$CACHE"
if ! compgen -G "$CACHE/pip-$PIPVER-*.whl" >/dev/null; then
    say "fetching pip $PIPVER wheel for the get-pip shim"
    python -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
        -d "$CACHE" "pip==$PIPVER" >/dev/null 2>"$CACHE/pip-download.log" \
        || { cat "$CACHE/pip-download.log" >&2; say "ERROR: pip download pip==$PIPVER failed"; exit 2; }
fi
if ! cmp -s "$ROOT/scripts/lib/get_pip_shim.py" "$SHIM"; then
    # Replaces a real get-pip.py too, if one was ever cached: ours works offline.
    cp "$ROOT/scripts/lib/get_pip_shim.py" "$SHIM"
fi

# --- the copy --------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/netdiag-ss-sanity.XXXXXX")"
cleanup() { if [ "$keep" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
COPY="$WORK/ansible_collections/netdiag/ss"
mkdir -p "$COPY"
cd "$ROOT"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Deleted-but-tracked files are listed too: keep only those that exist.
    git ls-files -co --exclude-standard -z \
        | python -c 'import os,sys; sys.stdout.write("".join(p+"\0" for p in sys.stdin.read().split("\0") if p and os.path.lexists(p)))' \
        | tar --null -cf - -T - | tar -xf - -C "$COPY"
else
    tar --exclude=./.venv --exclude=./.git --exclude=./tests/output --exclude='__pycache__' \
        --exclude=.pytest_cache -cf - . | tar -xf - -C "$COPY"
fi

if [ "$selftest" = 1 ]; then
    say "adding throwaway module plugins/modules/sanity_selftest.py to the copy only"
    mkdir -p "$COPY/plugins/modules"
    cat > "$COPY/plugins/modules/sanity_selftest.py" <<'EOF'
#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sanity_selftest
short_description: Throwaway module that proves the sanity pipeline works
version_added: 0.1.0
description:
  - Returns its input. Exists only in the temporary copy made by C(scripts/sanity.sh --selftest).
author:
  - Netdiag Contributors (@netdiag)
options:
  value:
    description: A string to echo back.
    type: str
    default: hello
attributes:
  check_mode:
    support: full
    description: Can run in check mode.
  diff_mode:
    support: none
    description: Returns no diff.
"""

EXAMPLES = r"""
- name: Echo a value
  netdiag.ss.sanity_selftest:
    value: hi
"""

RETURN = r"""
value:
  description: The input value.
  returned: always
  type: str
  sample: hi
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    """Module entry point."""
    module = AnsibleModule(argument_spec=dict(value=dict(type='str', default='hello')), supports_check_mode=True)
    module.exit_json(changed=False, value=module.params['value'])


if __name__ == '__main__':
    main()
EOF
fi

# --- run -------------------------------------------------------------------
color=auto
if [ -n "${CI:-}" ] || [ ! -t 1 ]; then color=no; fi
cd "$COPY"
say "ansible-test sanity --python $PYVER in $COPY"
LOG="$WORK/ansible-test.log"
rc=0
set +e
ansible-test sanity --python "$PYVER" --requirements --junit --color "$color" ${passthru[@]+"${passthru[@]}"} </dev/null 2>&1 \
    | tee "$LOG" \
    | grep -v -E "^WARNING: Location 'file://.*' is ignored|^ *(Looking in|Collecting|Processing|Downloading|Installing collected|Successfully installed|Requirement already|Using cached) |━━|^Installing requirements for" || true
rc=${PIPESTATUS[0]}
set -e

# Keep results in the repo's (ignored) tests/output/sanity.
rm -rf "$OUT"; mkdir -p "$OUT"
cp "$LOG" "$OUT/"
[ -d tests/output/junit ] && cp -r tests/output/junit "$OUT/"

# --- count -----------------------------------------------------------------
# Primary: ansible-test's JUnit files (one per sanity test, pass/fail/skip).
# Fallback: its console lines 'Running sanity test "X"' and the failure list.
read -r passed failed skipped < <(python "$ROOT/scripts/lib/junit_count.py" --names "$OUT/junit" 2>/dev/null \
    | tee "$WORK/names" | tail -n 1) || true
grep -E '^(failed|skipped): ' "$WORK/names" | sed 's/^/sanity.sh: /' || true
ran="$(grep -c -E "^Running sanity test [\"'][^\"']+[\"']" "$LOG" || true)"
if [ -z "${passed:-}" ] || [ $((passed + failed + skipped)) -eq 0 ]; then
    # e.g. an ansible-test without --junit output: parse the console.
    failed="$(sed -n -E 's/^(ERROR|FATAL): The ([0-9]+) sanity test\(s\) listed below.*failed.*/\2/p' "$LOG" | tail -n 1)"
    failed="${failed:-0}"
    skipped=0
    passed=$((ran > failed ? ran - failed : 0))
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    say "ERROR: ansible-test exited $rc without a failed test: counting it as a failure (see $OUT/ansible-test.log)"
    failed=1
fi
say "results in $OUT"
echo "sanity: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
