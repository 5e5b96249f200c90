#!/usr/bin/env bash
# ansible-test sanity for the ansible-core matrix, without containers, through
# nox + antsibull-nox (the ansible-test-sanity-* sessions of noxfile.py).
#
#   bash scripts/sanity.sh                          # every ansible-core of the matrix
#   bash scripts/sanity.sh --core 2.19              # one of them
#   bash scripts/sanity.sh --test pep8 --test pylint -v
#
# Other arguments go to ansible-test unchanged.  Which Python each ansible-core
# runs on, the get-pip shim and shellcheck: see noxfile.py and docs/development.md.
# Results: tests/output/nox/ansible-test-sanity-<core>/ (JUnit, bot files).
#
# Last line: "sanity: N passed, N failed, N skipped" (one per sanity test and
# ansible-core version; a matrix entry with no Python for it here is one skip).
# Exit status is non-zero if any sanity test failed or a session broke.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
REPORT="$ROOT/tests/output/nox/sanity-report.json"

select=(-t sanity)
passthru=()
while [ $# -gt 0 ]; do
    case "$1" in
        --core)
            [ $# -ge 2 ] || { echo "sanity.sh: --core needs a version, e.g. --core 2.19" >&2; exit 2; }
            [ "${select[0]}" = -s ] || select=(-s)
            select+=("ansible-test-sanity-$2"); shift 2 ;;
        --core=*)
            [ "${select[0]}" = -s ] || select=(-s)
            select+=("ansible-test-sanity-${1#--core=}"); shift ;;
        *) passthru+=("$1"); shift ;;
    esac
done

mkdir -p "$(dirname "$REPORT")"
rm -rf "$REPORT" "$ROOT"/tests/output/nox/ansible-test-sanity-*
bash "$ROOT/scripts/nox.sh" --report "$REPORT" "${select[@]}" -- ${passthru[@]+"${passthru[@]}"} </dev/null
rc=$?

counts="$("$ROOT/.venv/bin/python" "$ROOT/scripts/lib/nox_count.py" "$REPORT" "$ROOT/tests/output/nox")"
echo
echo "sanity.sh: results per ansible-core version (tests/output/nox/):"
sed '$d' <<<"$counts"
read -r passed failed skipped <<<"$(tail -n 1 <<<"$counts")"
case "${passed:-x}${failed:-x}${skipped:-x}" in
    *[!0-9]*) echo "sanity.sh: could not count the results"; passed=0 failed=1 skipped=0 ;;
esac
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "sanity.sh: nox exited $rc without a failed test: counting it as a failure"
    failed=1
fi
echo "sanity: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
