#!/usr/bin/env bash
# THE test command for the netdiag.ss collection (CI runs it through .ci/run).
#
#   bash scripts/test.sh                  # all stages
#   bash scripts/test.sh unit sanity      # only some stages, in the order given
#   bash scripts/test.sh --list           # list the stages
#
# Stages:
#   unit         pytest tests/unit, through nox (noxfile.py units-*), for ansible-core 2.19
#                and the newest release, each on a Python found here (as sanity)
#   integration  pytest tests/integration (builds network namespaces: needs root;
#                without root the tests are expected to skip themselves)
#   long         the long runs: tests/integration/test_churn.py with NDSS_CHURN_LONG=1
#                (100k held sockets beside a churn of thousands of connections a
#                second, about a minute; needs root)
#   molecule     nox session molecule: molecule test for each scenario of
#                extensions/molecule (network namespaces: skipped without root)
#   py38         modules + module_utils compile, module_utils import, on Python 3.8
#                (ansible-core 2.19's oldest target Python); skipped if no python3.8
#   sanity       scripts/sanity.sh: ansible-test sanity, no containers, through nox +
#                antsibull-nox (noxfile.py), for ansible-core 2.19 and the newest release,
#                each on a Python found here; a version with no Python here is a skip
#   changelog    nox session changelog-lint: antsibull-changelog lint + lint-changelog-yaml,
#                and CHANGELOG.rst up to date (scripts/lib/changelog_render.py --check)
#   docs         nox session docs-check (antsibull-nox): antsibull-docs
#                lint-collection-docs --plugin-docs (O()/RV() references, markup)
#   lint         nox session ansible-lint: the collection, production profile,
#                offline (.ansible-lint)
#
# It bootstraps .venv itself (scripts/bootstrap.sh) and never installs system
# packages.  Results: tests/output/test/ and tests/output/nox/<session>/.
# Environment: STAGE_TIMEOUT (seconds per stage, default 1500), SANITY_PYTHONS (e.g.
# "3.12 3.13": the Pythons the sanity matrix may use), PYTEST_ADDOPTS (passed
# to pytest as usual, e.g. "-n auto" or "-k name").
#
# Output: one line per stage, the skipped count, then as the very last line
#   "N passed, N failed"
# Exit status: 0 only if nothing failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
ALL_STAGES=(unit integration long molecule py38 sanity changelog docs lint)
OUT="$ROOT/tests/output/test"
STAGE_TIMEOUT="${STAGE_TIMEOUT:-1500}"

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

stages=()
for arg in "$@"; do
    case "$arg" in
        -h|--help) usage; exit 0 ;;
        --list) printf '%s\n' "${ALL_STAGES[@]}"; exit 0 ;;
        unit|integration|long|molecule|py38|sanity|changelog|docs|lint) stages+=("$arg") ;;
        *) echo "test.sh: unknown stage '$arg' (stages: ${ALL_STAGES[*]})" >&2; exit 2 ;;
    esac
done
[ ${#stages[@]} -gt 0 ] || stages=("${ALL_STAGES[@]}")

# --- set-up ----------------------------------------------------------------
if ! bash "$ROOT/scripts/bootstrap.sh"; then
    echo "test.sh: bootstrap failed"
    echo "0 passed, 1 failed"
    exit 1
fi
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
export NETDIAG_SS_BOOTSTRAPPED=1
export PYTHONDONTWRITEBYTECODE=1
cd "$ROOT" || exit 1
rm -rf "$OUT"
mkdir -p "$OUT"

banner() { printf '\n===== %s =====\n' "$*"; }

# Each stage function sets P F S (passed, failed, skipped) and NOTE.
junit_counts() {  # junit_counts FILE... -> sets P F S
    read -r P F S < <(python "$ROOT/scripts/lib/junit_count.py" "$@")
}

run_pytest() {  # run_pytest NAME PATH [PYTEST ARGS...]
    local dir="$2" xml="$OUT/$1.xml" rc
    if [ ! -e "$dir" ]; then
        P=0 F=0 S=0 NOTE="no $dir"
        return
    fi
    timeout -k 10 "$STAGE_TIMEOUT" python -m pytest "$dir" "${@:3}" -q -p no:cacheprovider \
        --junitxml="$xml" -o junit_family=xunit2 </dev/null
    rc=$?
    junit_counts "$xml"
    case "$rc" in
        0) NOTE="" ;;
        5) NOTE="no tests collected" ;;  # pytest: nothing to run is not a failure here
        1) NOTE=""; [ "$F" -gt 0 ] || F=1 ;;
        124) NOTE="timed out after ${STAGE_TIMEOUT}s"; F=$((F + 1)) ;;
        *) NOTE="pytest exited $rc"; F=$((F + 1)) ;;
    esac
}

stage_unit() {
    run_nox unit -t units
    NOTE="$(matrix_note units-)"
}

stage_integration() {
    if [ "$(id -u)" != 0 ]; then
        echo "test.sh: not root: integration tests that need network namespaces will skip themselves"
    fi
    run_pytest integration tests/integration
}

stage_long() {
    if [ "$(id -u)" != 0 ]; then
        echo "test.sh: not root: the long runs build network namespaces: skipping"
        P=0 F=0 S=1 NOTE="needs root (network namespaces)"
        return
    fi
    NDSS_CHURN_LONG=1 run_pytest long tests/integration/test_churn.py -k long
}

stage_molecule() {
    if [ "$(id -u)" != 0 ]; then
        echo "test.sh: not root: the molecule scenarios build network namespaces: skipping"
        P=0 F=0 S=1 NOTE="needs root (network namespaces)"
        return
    fi
    run_nox molecule molecule
}

find_python38() {  # prints a working python3.8 (pyenv's shim alone may not be one)
    local cand root
    root="$(pyenv root 2>/dev/null || true)"
    for cand in ${root:+"$root"/versions/3.8*/bin/python3.8} "$HOME"/.pyenv/versions/3.8*/bin/python3.8 \
                /root/.pyenv/versions/3.8*/bin/python3.8 "$(command -v python3.8 2>/dev/null)" \
                /usr/bin/python3.8 /usr/local/bin/python3.8; do
        if [ -n "$cand" ] && [ -x "$cand" ] \
            && "$cand" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 8) else 1)' >/dev/null 2>&1; then
            echo "$cand"
            return 0
        fi
    done
    return 1
}

stage_py38() {
    local py38 mu rc
    if ! py38="$(find_python38)"; then
        echo "test.sh: python3.8 not found (pyenv install 3.8 to enable this stage): skipping"
        P=0 F=0 S=1 NOTE="python3.8 not found"
        return
    fi
    mu="$(python -c 'import ansible.module_utils, os; print(os.path.dirname(ansible.module_utils.__file__))')"
    echo "using $py38 ($("$py38" -c 'import sys; print(sys.version.split()[0])'))"
    timeout -k 10 "$STAGE_TIMEOUT" "$py38" -I -S -B "$ROOT/scripts/lib/py_target_check.py" "$ROOT" "$mu" "$OUT/py38.xml" </dev/null
    rc=$?
    junit_counts "$OUT/py38.xml"
    NOTE=""
    if [ "$rc" -ne 0 ] && [ "$F" -eq 0 ]; then NOTE="checker exited $rc"; F=1; fi
    [ $((P + F)) -gt 0 ] || NOTE="no module or module_utils files yet"
}

run_nox() {  # run_nox NAME SESSION | run_nox NAME -t TAG -> runs nox sessions, sets P F S NOTE from nox's report
    local report="$OUT/$1-nox.json" rc counts select
    if [ "$2" = -t ]; then select=(-t "$3"); else select=(-s "$2"); fi
    # no stale results: a session that breaks before writing its own must not count them
    rm -rf "$report"
    if [ "$2" = -t ]; then rm -rf "$ROOT/tests/output/nox/$3"-*; else rm -rf "$ROOT/tests/output/nox/$2"; fi
    timeout -k 10 "$STAGE_TIMEOUT" bash "$ROOT/scripts/nox.sh" --report "$report" "${select[@]}" </dev/null
    rc=$?
    NOTE=""
    if [ ! -s "$report" ]; then
        P=0 F=1 S=0 NOTE="nox wrote no report (exit $rc)"
        [ "$rc" -ne 124 ] || NOTE="timed out after ${STAGE_TIMEOUT}s"
        return
    fi
    counts="$(python "$ROOT/scripts/lib/nox_count.py" "$report" "$ROOT/tests/output/nox")"
    sed '$d' <<<"$counts"
    read -r P F S <<<"$(tail -n 1 <<<"$counts")"
    if [ "$rc" -ne 0 ] && [ "$F" -eq 0 ]; then NOTE="nox exited $rc"; F=1; fi
}

matrix_note() {  # matrix_note PREFIX -> "core 2.19.14 on py3.11; core 2.21.5 on py3.13" from the sessions' notes
    local dir v py items=()
    for dir in "$ROOT"/tests/output/nox/"$1"*/; do
        [ -d "$dir" ] || continue
        if [ -f "$dir/versions.txt" ]; then
            v="$(sed -n 's/^ansible-core //p' "$dir/versions.txt")"
            py="$(sed -n 's/^python \([0-9.]*\).*/\1/p' "$dir/versions.txt")"
            items+=("core ${v:-?} on py${py:-?}")
        elif [ -f "$dir/skipped.txt" ]; then
            items+=("$(basename "$dir" | sed "s/^$1//") skipped: no Python")
        fi
    done
    local IFS=';'
    printf '%s' "${items[*]}" | sed 's/;/; /g'
}

stage_sanity() {
    local log="$OUT/sanity.log" line rc
    timeout -k 10 "$STAGE_TIMEOUT" bash "$ROOT/scripts/sanity.sh" </dev/null 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line="$(grep -E '^sanity: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)"
    if [ -n "$line" ]; then
        read -r P F S < <(sed -E 's/^sanity: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/' <<<"$line")
        S="${S:-0}"
        NOTE="$(matrix_note ansible-test-sanity-)"
    else
        P=0 F=1 S=0 NOTE="sanity.sh printed no summary (exit $rc)"
        [ "$rc" -ne 124 ] || NOTE="timed out after ${STAGE_TIMEOUT}s"
    fi
    if [ "$rc" -ne 0 ] && [ "$F" -eq 0 ]; then NOTE="sanity.sh exited $rc"; F=1; fi
}

stage_changelog() {
    run_nox changelog changelog-lint
}

stage_docs() {
    run_nox docs docs-check
}

stage_lint() {
    run_nox lint ansible-lint
}

# --- run -------------------------------------------------------------------
declare -a summary
tp=0 tf=0 ts=0
for stage in "${stages[@]}"; do
    banner "$stage"
    start=$SECONDS
    P=0 F=0 S=0 NOTE=""
    "stage_$stage"
    took=$((SECONDS - start))
    tp=$((tp + P)); tf=$((tf + F)); ts=$((ts + S))
    summary+=("$(printf '%-12s %s passed, %s failed, %s skipped (%ss)%s' "$stage:" "$P" "$F" "$S" "$took" "${NOTE:+  [$NOTE]}")")
done

banner "summary (results in tests/output/test, tests/output/nox)"
printf '%s\n' "${summary[@]}"
echo "skipped: $ts"
echo "$tp passed, $tf failed"
[ "$tf" -eq 0 ]
