#!/usr/bin/env bash
# Builds each libFuzzer target with -sanitize=fuzzer (plus address) and runs it for
# FUZZ_SECONDS from the committed seed corpus. Any crash, leak or sanitizer report fails the run
# and leaves the input under fuzz-artifacts/ for a regression test.
#
# FUZZ_RUNS=N runs each target for N executions instead (`make fuzz-long`: 10,000,000, the
# figure issue 14 asks for); FUZZ_TARGETS="a b" runs only those targets.
set -euo pipefail
cd "$(dirname "$0")/.."

# Swift's own crash backtracer, under AddressSanitizer, trips ASan in its memory server and can
# hang; libFuzzer prints the stack of a trap itself.
export SWIFT_BACKTRACE=enable=no

seconds=${1:-30}
runs=${FUZZ_RUNS:-}
all_targets=(uplink-frame seal-frame grant firmware-image copier-modbus seal-usb agent-config bill)
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"
scratch=.build-fuzz
# One combined -sanitize=fuzzer,address for the Swift code, not SwiftPM's `--sanitize=fuzzer
# --sanitize=address`: SwiftPM passes those as two flags in an order that changes from one run to the
# next, and swiftc keeps only the last -sanitize= it sees, so a build came out either without
# coverage (the fuzzer explores nothing) or without AddressSanitizer, and a changed order rebuilt
# everything. `--sanitize=fuzzer` stays for SwiftPM's link step (it then links no `_main` shim).
flags=(-c release --scratch-path "$scratch" --sanitize=fuzzer
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)

build() { swift build "${flags[@]}" --product "fuzz-$1"; }

# A fuzzer whose decoder was built without coverage instrumentation would run "green" while
# exploring nothing, and one without AddressSanitizer would miss memory errors: both are checked,
# not assumed. (libFuzzer writes what it finds into its first corpus folder: never the seeds.)
coverage() {
    local scratch_corpus output
    scratch_corpus=$(mktemp -d)
    output=$("$bin/fuzz-$1" -runs=0 "$scratch_corpus" "Fuzz/corpus/$1" 2>&1) || true
    rm -rf "$scratch_corpus"
    if ! grep -Eo 'INITED cov: [0-9]+' <<<"$output" | grep -Eo '[0-9]+$'; then
        echo "fuzz-$1: no coverage line from a seeds-only run; it printed:" >&2
        tail -20 <<<"$output" >&2
        echo 0
    fi
}
has_asan() {
    local count
    count=$(nm "$bin/fuzz-$1" | grep -c ' T __asan_report_load4$' || true)
    (( count > 0 ))
}

for target in "${targets[@]}"; do build "$target"; done
bin=$(swift build "${flags[@]}" --show-bin-path)

mkdir -p fuzz-artifacts
status=0
for target in "${targets[@]}"; do
    cov=$(coverage "$target")
    # Every target's seeds reach 650-1350 points when instrumented (uninstrumented: 0).
    if (( cov < 100 )); then
        echo "fuzz-$target FAILED: its seeds reach only $cov coverage points; the decoder is not instrumented" >&2
        status=1
        continue
    fi
    if ! has_asan "$target"; then
        echo "fuzz-$target FAILED: built without AddressSanitizer" >&2
        status=1
        continue
    fi
    work="Fuzz/corpus-work/$target"
    mkdir -p "$work"
    if [[ -n $runs ]]; then
        limit=(-runs="$runs")
        echo "== fuzz-$target for $runs executions (seeds: Fuzz/corpus/$target, $cov coverage points from the seeds)"
    else
        limit=(-max_total_time="$seconds")
        echo "== fuzz-$target for ${seconds}s (seeds: Fuzz/corpus/$target, $cov coverage points from the seeds)"
    fi
    # A target whose input is text (JSON, TOML) has a dictionary of its keywords.
    dictionary=()
    if [[ -f Fuzz/dictionaries/$target.dict ]]; then dictionary=(-dict="Fuzz/dictionaries/$target.dict"); fi
    if ! "$bin/fuzz-$target" "${limit[@]}" "${dictionary[@]}" -print_final_stats=1 \
        -artifact_prefix="fuzz-artifacts/$target-" "$work" "Fuzz/corpus/$target"; then
        echo "fuzz-$target FAILED: see fuzz-artifacts/" >&2
        status=1
    fi
done
exit $status
