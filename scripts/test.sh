#!/usr/bin/env bash
# Runs every test: unit tests and end-to-end tests that start real servers, simulators and
# agents on loopback. Prints a last line "tests: N passed, M failed" (Swift Testing's count) and
# keeps it in .build/test-summary for CI to repeat at the very end of its log.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
swift test --skip-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
total=$(grep -Eo 'Test run with [0-9]+ tests?' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Ec '^✘ Test [^ ]+.* failed after' "$log" || true)
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
summary="tests: $((total - failed)) passed, $failed failed"
mkdir -p .build && echo "$summary" > .build/test-summary
rm -f "$log"
echo "$summary"
exit "$status"
