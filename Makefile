# Imprimatur: the two commands are `make run` and `make test` (README.md).
SWIFT ?= swift
FUZZ_SECONDS ?= 30
BUILD_FLAGS ?=

.PHONY: deps build test run bench fuzz fuzz-long api-fuzz soak clean

# Installs only what is missing (Debian packages; see scripts/install-deps.sh).
deps:
	@scripts/install-deps.sh

# Tests are built too, so `make run` and `make test` share one build (same compiler flags).
build: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)

test: build
	scripts/test.sh

run: deps build
	scripts/run.sh

# The agent and server executables too: the benchmark measures their memory as processes.
bench: deps
	$(SWIFT) build -c release --product imprimatur-server
	$(SWIFT) build -c release --product imprimatur-agent
	$(SWIFT) build -c release --product imprimatur-bench
	$(SWIFT) build -c release --product firmware-sim
	$$($(SWIFT) build -c release --show-bin-path)/imprimatur-bench
	umockdev-wrapper $$($(SWIFT) build -c release --show-bin-path)/imprimatur-bench seal

# The crash loop's long version (issue 13, docs/crash-loop.md); `make test` runs a short one.
SOAK_JOBS ?= 300
SOAK_AGENT_KILLS ?= 100
SOAK_SERVER_KILLS ?= 50
SOAK_OFFLINE_AGENT_KILLS ?= 5
# The seal's crash loop, under umockdev-wrapper (it drives the simulated USB seal).
SOAK_SEAL_SESSIONS ?= 50
SOAK_SEAL_AGENT_KILLS ?= 20
soak: build
	SOAK_JOBS=$(SOAK_JOBS) SOAK_AGENT_KILLS=$(SOAK_AGENT_KILLS) SOAK_SERVER_KILLS=$(SOAK_SERVER_KILLS) \
	SOAK_OFFLINE_AGENT_KILLS=$(SOAK_OFFLINE_AGENT_KILLS) $(SWIFT) test --skip-build --filter CrashLoopSystemTests 2>&1 \
	| tee .build/soak.log | grep -E '^soak:|^crash loop:|✘|recorded an issue'; \
	grep -q '✔ Test run with' .build/soak.log
	SOAK_SEAL_SESSIONS=$(SOAK_SEAL_SESSIONS) SOAK_SEAL_AGENT_KILLS=$(SOAK_SEAL_AGENT_KILLS) \
	umockdev-wrapper $(SWIFT) test --skip-build --filter 'SealSystemTests/seal_crash_loop' 2>&1 \
	| tee .build/soak-seal.log | grep -E '^soak:|^seal crash loop: [0-9]|✘|recorded an issue'; \
	grep -q '✔ Test run with' .build/soak-seal.log

fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)
	$(MAKE) api-fuzz

# schemathesis against a real server, every operation, each role's token and none (issue 14,
# scripts/api-fuzz.sh); `make test` runs it with a budget of 5 examples per operation and
# without the coverage phase.
API_FUZZ_EXAMPLES ?= 100
API_FUZZ_PHASES ?= examples,coverage,fuzzing,stateful
api-fuzz: build
	API_FUZZ_PHASES=$(API_FUZZ_PHASES) scripts/api-fuzz.sh $(API_FUZZ_EXAMPLES)

# Issue 14's long run: every target to FUZZ_RUNS executions, one after another (one job each).
FUZZ_RUNS ?= 10000000
fuzz-long: deps
	FUZZ_RUNS=$(FUZZ_RUNS) scripts/fuzz.sh

clean:
	rm -rf .build .build-fuzz Fuzz/corpus-work fuzz-artifacts
