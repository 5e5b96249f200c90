#!/usr/bin/env bash
# Create (or refresh) the project virtualenv in <repo>/.venv.
#
#   bash scripts/bootstrap.sh
#
# Idempotent: a second run only checks that .venv works, that
# tests/requirements.txt has not changed since the last install, and that the
# collection symlink is in place.  Environment:
#   PYTHON=/path/to/python3   interpreter for the venv (default: python3, must be >= 3.11)
#   BOOTSTRAP_FORCE=1         reinstall requirements even if unchanged
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
VENV="$ROOT/.venv"
REQ="$ROOT/tests/requirements.txt"
STAMP="$VENV/.requirements.sha256"
COLL_PARENT="$VENV/collections/ansible_collections/netdiag"
COLL_LINK="$COLL_PARENT/ss"

say() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: ERROR: %s\n' "$*" >&2; exit 1; }

# --- 1. a suitable python3 -------------------------------------------------
# shellcheck source=scripts/lib/python.sh
source "$ROOT/scripts/lib/python.sh"
PY="$(project_python bootstrap)"

# --- 2. the venv -----------------------------------------------------------
venv_ok() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1 \
        && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}
if ! venv_ok; then
    if [ -e "$VENV" ]; then
        say "existing .venv is unusable: recreating it"
        rm -rf "$VENV"
    fi
    say "creating $VENV with $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    make_venv "$VENV"
fi

# --- 3. requirements (skipped when unchanged) ------------------------------
want="$(sha256sum <"$REQ" | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [ "$want" != "$have" ] || [ "${BOOTSTRAP_FORCE:-0}" = 1 ]; then
    say "installing tests/requirements.txt (quiet)"
    rm -f "$STAMP"
    log="$VENV/pip-install.log"
    if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ" </dev/null >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "pip install -r tests/requirements.txt failed (full log: $log)"
    fi
    printf '%s\n' "$want" > "$STAMP"
else
    say "requirements unchanged since last install"
fi

# --- 4. the collection as ansible_collections/netdiag/ss -------------------
mkdir -p "$COLL_PARENT"
if [ "$(readlink "$COLL_LINK" 2>/dev/null || true)" != "$ROOT" ]; then
    rm -rf "$COLL_LINK"
    ln -s "$ROOT" "$COLL_LINK"
fi

say "venv:        $VENV ($("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])'), $("$VENV/bin/ansible" --version 2>/dev/null | head -1 | sed 's/^ansible //'))"
say "collection:  $COLL_LINK -> $ROOT"
say "use it with: source scripts/env.sh"
