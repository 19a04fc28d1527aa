#!/usr/bin/env bash
# Runs every test: unit tests and, as they arrive, end-to-end tests that start real servers,
# simulators and agents on loopback. Tests that touch the simulated USB seal need umockdev's
# preload library, so the whole run goes under umockdev-wrapper (harmless for the others).
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift test --skip-build "$@"
