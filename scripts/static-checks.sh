#!/usr/bin/env bash
# Lint and type-check side by side (each uses about one core), so `npm test` waits for the
# longer of the two, not their sum. Each one's output is printed whole, after it ended;
# the exit status is non-zero when either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
lint_log=$(mktemp) typecheck_log=$(mktemp)
trap 'rm -f "$lint_log" "$typecheck_log"' EXIT
npm run --silent lint >"$lint_log" 2>&1 &
lint=$!
npm run --silent typecheck >"$typecheck_log" 2>&1 &
typecheck=$!
wait "$lint"; lint_status=$?
wait "$typecheck"; typecheck_status=$?
status=0
if [ "$lint_status" -ne 0 ]; then echo "lint (eslint .) failed:" >&2; cat "$lint_log" >&2; status=1; fi
if [ "$typecheck_status" -ne 0 ]; then echo "typecheck (tsc --noEmit) failed:" >&2; cat "$typecheck_log" >&2; status=1; fi
[ "$status" -eq 0 ] && echo "lint and typecheck passed"
exit "$status"
