#!/usr/bin/env bash
# The browser tests' Python side: a venv under .build/ with Selenium from PyPI, made once and
# reused (idempotent; needs PyPI only the first time). Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/browser-venv
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import selenium' 2>/dev/null; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'selenium>=4.10' >&2
fi
echo "$PWD/$venv/bin/python"
