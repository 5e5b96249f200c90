#!/usr/bin/env bash
# Gather socket facts on localhost with netdiag.ss.socket_facts and show them.
#
#   bash scripts/demo.sh [extra ansible-playbook args, e.g. --become]
#
# Needs only python3 (>= 3.11, with venv): it makes a small virtualenv with ansible-core alone
# in .venv-demo/ (or uses the test virtualenv .venv/ when scripts/bootstrap.sh made one), then
# runs examples/socket_facts.yml against localhost. Installs no system packages.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# shellcheck source=scripts/lib/python.sh
source "$ROOT/scripts/lib/python.sh"

say() { printf 'demo: %s\n' "$*"; }

if [ -x "$ROOT/.venv/bin/ansible-playbook" ]; then
    VENV="$ROOT/.venv"
    say "using the test virtualenv $VENV"
else
    VENV="$ROOT/.venv-demo"
    if [ ! -x "$VENV/bin/ansible-playbook" ]; then
        PY="$(project_python demo)"
        say "1/2 creating $VENV with $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
        rm -rf "$VENV"
        make_venv "$VENV"
        say "2/2 installing ansible-core into it (a 10 MB download, 80 MB on disk, once)"
        "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar on 'ansible-core>=2.19' </dev/null
    fi
fi

COLLECTIONS="$VENV/collections"
mkdir -p "$COLLECTIONS/ansible_collections/netdiag"
if [ "$(readlink "$COLLECTIONS/ansible_collections/netdiag/ss" 2>/dev/null || true)" != "$ROOT" ]; then
    rm -rf "$COLLECTIONS/ansible_collections/netdiag/ss"
    ln -s "$ROOT" "$COLLECTIONS/ansible_collections/netdiag/ss"
fi

export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
export ANSIBLE_NOCOLOR="${ANSIBLE_NOCOLOR:-}"
# Ansible keeps its temporary files under the account's home directory (the passwd entry's, not $HOME): an account
# without one (nobody, a container's arbitrary uid) gets them beside the virtualenv instead
home="$(getent passwd "$(id -u)" 2>/dev/null | cut -d: -f6 || true)"
if [ -z "${ANSIBLE_REMOTE_TMP:-}" ] && ! { [ -n "$home" ] && [ -d "$home" ] && [ -w "$home" ]; }; then
    export ANSIBLE_REMOTE_TMP="$VENV/tmp" ANSIBLE_LOCAL_TMP="${ANSIBLE_LOCAL_TMP:-$VENV/tmp}"
fi
cd "$ROOT"
say "ansible-playbook -i localhost, -c local examples/socket_facts.yml $*"
exec "$VENV/bin/ansible-playbook" -i localhost, -c local -e "ansible_python_interpreter=$VENV/bin/python" \
    examples/socket_facts.yml "$@"
