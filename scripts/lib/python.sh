# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh and scripts/demo.sh.
#
# project_python WHO: print the python3 to build a virtualenv with ($PYTHON, default python3), or
# explain on stderr what is missing and how to get it, and exit 1. It must be >= 3.11 (an
# ansible-core 2.19 controller).
# make_venv DIR: create a virtualenv with that python (scripts/lib/make_venv.py: python -m venv, or
# virtualenv fetched from the package index where Debian's python3 has no venv module).
# Neither installs system packages.

project_python() {
    local who="$1" py="${PYTHON:-python3}"
    if ! command -v "$py" >/dev/null 2>&1; then
        printf '%s: ERROR: %s not found. Install Python >= 3.11 (Debian/Ubuntu: apt-get install -y python3 python3-venv).\n' \
            "$who" "$py" >&2
        exit 1
    fi
    if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
        printf '%s: ERROR: %s is too old: Python >= 3.11 is needed (ansible-core 2.19 controller). Set PYTHON=/path/to/python3.11+.\n' \
            "$who" "$("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')" >&2
        exit 1
    fi
    printf '%s\n' "$py"
}

make_venv() {
    "$PY" "$(dirname "${BASH_SOURCE[0]}")/make_venv.py" "$1"
}
