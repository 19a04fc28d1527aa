#!/usr/bin/env bash
# Builds each libFuzzer target with -sanitize=fuzzer (plus address) and runs it for
# FUZZ_SECONDS from the committed seed corpus. Any crash, leak or sanitizer report fails the run
# and leaves the input under fuzz-artifacts/ for a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
targets=(uplink-frame seal-frame grant)
scratch=.build-fuzz
flags=(-c release --scratch-path "$scratch" --sanitize=fuzzer --sanitize=address -Xswiftc -parse-as-library)

build() { swift build "${flags[@]}" --product "fuzz-$1"; }

# Coverage the seeds reach: a fuzzer whose decoder was built without coverage instrumentation
# would run "green" while exploring nothing, so that is checked, not assumed.
# (libFuzzer writes what it finds into its first corpus folder: never the committed seeds.)
coverage() {
    local scratch_corpus
    scratch_corpus=$(mktemp -d)
    "$bin/fuzz-$1" -runs=0 "$scratch_corpus" "Fuzz/corpus/$1" 2>&1 | grep -Eo 'INITED cov: [0-9]+' | grep -Eo '[0-9]+$' || echo 0
    rm -rf "$scratch_corpus"
}

for target in "${targets[@]}"; do build "$target"; done
bin=$(swift build "${flags[@]}" --show-bin-path)

mkdir -p fuzz-artifacts
status=0
for target in "${targets[@]}"; do
    # Seen here: in a fresh scratch folder the first product SwiftPM builds can come out with
    # only the harness instrumented; building it again after the others fixes that.
    if (( $(coverage "$target") < 100 )); then
        echo "fuzz-$target: its seeds reach little coverage; building it again"
        build "$target"
    fi
    cov=$(coverage "$target")
    if (( cov < 100 )); then
        echo "fuzz-$target FAILED: its seeds reach only $cov coverage points; the decoder is not instrumented" >&2
        status=1
        continue
    fi
    work="Fuzz/corpus-work/$target"
    mkdir -p "$work"
    echo "== fuzz-$target for ${seconds}s (seeds: Fuzz/corpus/$target, $cov coverage points from the seeds)"
    if ! "$bin/fuzz-$target" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="fuzz-artifacts/$target-" "$work" "Fuzz/corpus/$target"; then
        echo "fuzz-$target FAILED: see fuzz-artifacts/" >&2
        status=1
    fi
done
exit $status
