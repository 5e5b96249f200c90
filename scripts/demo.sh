#!/usr/bin/env bash
# Gather socket facts on localhost with netdiag.ss.socket_facts and show them.
#
#   bash scripts/demo.sh [extra ansible-playbook args, e.g. -v]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
bash "$ROOT/scripts/bootstrap.sh"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
cd "$ROOT"
echo "demo: ansible-playbook -i localhost, -c local examples/socket_facts.yml $*"
exec ansible-playbook -i localhost, -c local examples/socket_facts.yml "$@"
