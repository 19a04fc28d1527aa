#!/usr/bin/env bash
# Runs every test: unit tests and end-to-end tests that start real servers, simulators and
# agents on loopback. Prints a last line "tests: N passed, M failed" (Swift Testing's count) and
# keeps it in .build/test-summary for CI to repeat at the very end of its log.
#
# Three runs: everything, then the seal's USB tests (SealAgentUSBTests) and the seal's end-to-end
# system tests (SealSystemTests) again under umockdev-wrapper, which preloads umockdev so libusb
# sees the simulated seal, then the seal's firmware rollout (SealRolloutSystemTests) the same way
# in a process of its own (its testbed beside the others' could abort the test process). In the
# first run those tests are skipped (they need the preload);
# the preload stays out of the other suites, which open real /dev and /sys paths.
# Then the web pages' browser tests (scripts/browser-test.sh: headless Chromium and Selenium
# against a real server); their counts join the total.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
usb_log=$(mktemp)
browser_log=$(mktemp)
rollout_log=$(mktemp)
# The OpenAPI validator the contract's test runs (a venv under .build/, from PyPI once).
scripts/api-tools.sh >/dev/null || echo "warning: scripts/api-tools.sh failed: OpenAPIValidationTests will fail" >&2
system_log=$(mktemp)
system_status=0
if [[ $# -eq 0 ]]; then
    # The end-to-end suites (SystemTests: real servers, agents and simulators) in a process of
    # their own, after the rest: side by side with 900 in-process tests on two cores they were
    # starved past their deadlines, and the one process's descriptors passed 1023, where
    # libmodbus's select() aborts it (FD_SETSIZE).
    swift test --skip-build --skip '^SystemTests\.' 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    swift test --skip-build --filter '^SystemTests\.' 2>&1 | tee "$system_log"
    system_status=${PIPESTATUS[0]}
else
    swift test --skip-build "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
fi
usb_status=0
rollout_status=0
# One umockdev run: `umockdev_run FILTER LOG`, its status in $run_status. umockdev's preload
# aborts the whole test process when the simulated seal's ioctl socket breaks under it
# ("libumockdev-preload: Error communicating with ioctl socket"): seen now and then while the
# seal is unplugged mid-session (SealAgentUSBTests, 2 of 14 runs before the firmware work), a
# fault of the simulation that a real unplug does not have and that no test result explains.
# Such a run, and only such a run, is run again once, and says so; any test failure stands.
umockdev_run() {
    umockdev-wrapper swift test --skip-build --filter "$1" 2>&1 | tee "$2"
    run_status=${PIPESTATUS[0]}
    if [[ $run_status -ne 0 ]] && grep -q 'libumockdev-preload: Error communicating with ioctl socket' "$2" \
        && ! grep -Eq '^✘ Test [^ ]+.* (failed after|recorded an issue)' "$2"; then
        echo "note: umockdev's preload aborted the test process (see above); running '$1' again" | tee -a "$notes"
        umockdev-wrapper swift test --skip-build --filter "$1" 2>&1 | tee "$2"
        run_status=${PIPESTATUS[0]}
    fi
}
notes=$(mktemp)
if [[ $# -eq 0 ]]; then
    umockdev_run 'SealAgentUSBTests|SealSystemTests' "$usb_log"
    usb_status=$run_status
    umockdev_run 'SealRolloutSystemTests' "$rollout_log"
    rollout_status=$run_status
fi
# schemathesis against a real server, the small budget (scripts/api-fuzz.sh, issue 14).
api_fuzz_status=0
if [[ $# -eq 0 ]]; then API_FUZZ_CHECKS=not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance scripts/api-fuzz.sh 5; api_fuzz_status=$?; fi
browser_status=0
if [[ $# -eq 0 ]]; then
    scripts/browser-test.sh 2>&1 | tee "$browser_log"
    browser_status=${PIPESTATUS[0]}
fi
browser_line=$(grep -Eo 'browser tests: [0-9]+ passed, [0-9]+ failed' "$browser_log" | tail -1)
browser_passed=$(echo "$browser_line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
browser_failed=$(echo "$browser_line" | sed -n 's/.*passed, \([0-9]*\) failed/\1/p')
browser_passed=${browser_passed:-0}
browser_failed=${browser_failed:-0}
if [[ $browser_status -ne 0 && $browser_failed -eq 0 ]]; then browser_failed=1; fi
count() { grep -Eo 'Test run with [0-9]+ tests?' "$1" | tail -1 | grep -Eo '[0-9]+' || echo 0; }
# Each failed test's own line; the closing "✘ Test run with N tests … failed" line is not one.
failures() { grep -E '^✘ Test [^ ]+.* failed after' "$1" | grep -Evc '^✘ Test run with' || true; }
skipped=$(( $(grep -Ec '^➜ Test [^ ]+.* skipped' "$log" || true) + $(grep -Ec '^➜ Test [^ ]+.* skipped' "$system_log" || true) ))
total=$(( $(count "$log") + $(count "$system_log") - skipped + $(count "$usb_log") + $(count "$rollout_log") + browser_passed + browser_failed ))
failed=$(( $(failures "$log") + $(failures "$system_log") + $(failures "$usb_log") + $(failures "$rollout_log") + browser_failed ))
if [[ ($status -ne 0 || $system_status -ne 0 || $usb_status -ne 0 || $rollout_status -ne 0 || $api_fuzz_status -ne 0) && $failed -eq 0 ]]; then failed=1; fi
summary="tests: $((total - failed)) passed, $failed failed"
mkdir -p .build && echo "$summary" > .build/test-summary
cat "$notes"
rm -f "$log" "$system_log" "$usb_log" "$rollout_log" "$browser_log" "$notes"
echo "$summary"
[[ $status -eq 0 && $system_status -eq 0 && $usb_status -eq 0 && $rollout_status -eq 0 && $browser_status -eq 0 && $api_fuzz_status -eq 0 ]]
