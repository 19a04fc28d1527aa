#!/usr/bin/env bash
# Starts what exists of the system on loopback. Grows with the server, copier and seal issues.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build --show-bin-path)
echo "Imprimatur $("$bin/imprimatur-agent" --version)"
echo
echo "Built: imprimatur-server, imprimatur-agent, firmware-sim (try --help on each)."
echo "Coming with their issues: the central server and its web page, the simulated copier"
echo "and seal, and an enrolled agent, all started here on 127.0.0.1."
