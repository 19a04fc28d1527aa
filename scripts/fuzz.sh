#!/usr/bin/env bash
# Builds each libFuzzer target with -sanitize=fuzzer (plus address) and runs it for
# FUZZ_SECONDS from the committed seed corpus. Any crash, leak or sanitizer report fails the run
# and leaves the input under fuzz-artifacts/ for a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
targets=(uplink-frame seal-frame grant)
scratch=.build-fuzz

for target in "${targets[@]}"; do
    swift build -c release --scratch-path "$scratch" --product "fuzz-$target" \
        --sanitize=fuzzer --sanitize=address -Xswiftc -parse-as-library
done

bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path --sanitize=fuzzer --sanitize=address)
mkdir -p fuzz-artifacts
status=0
for target in "${targets[@]}"; do
    work="Fuzz/corpus-work/$target"
    mkdir -p "$work"
    echo "== fuzz-$target for ${seconds}s (seeds: Fuzz/corpus/$target)"
    if ! "$bin/fuzz-$target" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="fuzz-artifacts/$target-" "$work" "Fuzz/corpus/$target"; then
        echo "fuzz-$target FAILED: see fuzz-artifacts/" >&2
        status=1
    fi
done
exit $status
