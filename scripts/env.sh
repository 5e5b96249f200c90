# Source this file (bash or zsh) after scripts/bootstrap.sh:
#
#   source scripts/env.sh
#
# It puts the project venv first on PATH and points Ansible and Python at
# .venv/collections, where ansible_collections/netdiag/ss links to this repo.
# shellcheck shell=bash

if [ -n "${BASH_SOURCE:-}" ]; then
    _netdiag_src="${BASH_SOURCE[0]}"
elif [ -n "${ZSH_VERSION:-}" ]; then
    # shellcheck disable=SC2296
    _netdiag_src="${(%):-%x}"
else
    _netdiag_src="$0"
fi
NETDIAG_SS_ROOT="$(cd "$(dirname "$_netdiag_src")/.." && pwd -P)"
unset _netdiag_src
export NETDIAG_SS_ROOT

if [ ! -x "$NETDIAG_SS_ROOT/.venv/bin/python" ]; then
    echo "env.sh: $NETDIAG_SS_ROOT/.venv missing: run 'bash scripts/bootstrap.sh' first" >&2
fi

export VIRTUAL_ENV="$NETDIAG_SS_ROOT/.venv"
case ":$PATH:" in
    *":$VIRTUAL_ENV/bin:"*) ;;
    *) export PATH="$VIRTUAL_ENV/bin:$PATH" ;;
esac
export ANSIBLE_COLLECTIONS_PATH="$VIRTUAL_ENV/collections"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
case ":${PYTHONPATH:-}:" in
    *":$VIRTUAL_ENV/collections:"*) ;;
    *) export PYTHONPATH="$VIRTUAL_ENV/collections${PYTHONPATH:+:$PYTHONPATH}" ;;
esac
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_PYTHON_INTERPRETER="$VIRTUAL_ENV/bin/python"
if [ -n "${CI:-}" ]; then
    export ANSIBLE_NOCOLOR=1
fi
