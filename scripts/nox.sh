#!/usr/bin/env bash
# Run nox on this collection's noxfile.py (+ antsibull-nox.toml) from the project venv.
#
#   bash scripts/nox.sh -l                                  # list the sessions
#   bash scripts/nox.sh -s docs-check changelog-lint
#   bash scripts/nox.sh -t sanity -- --test pep8            # args after -- go to ansible-test
#
# Bootstraps .venv first (nox and antsibull-nox come from tests/requirements.txt);
# session venvs live in .nox/ (reused; `rm -rf .nox` for fresh ones).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
if [ ! -x "$ROOT/.venv/bin/nox" ] || [ -z "${NETDIAG_SS_BOOTSTRAPPED:-}" ]; then
    bash "$ROOT/scripts/bootstrap.sh" >/dev/null
fi
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
cd "$ROOT"
exec nox "$@"
