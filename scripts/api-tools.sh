#!/usr/bin/env bash
# The API contract's third-party tools: a venv under .build/ with openapi-spec-validator and
# schemathesis from PyPI, made once and reused (idempotent; needs PyPI only the first time).
# OpenAPIValidationTests runs the validator on the served document; scripts/api-fuzz.sh runs
# schemathesis against a real server. schemathesis is pinned: its checks and generation change
# from release to release, and `make test` must fail only when the server or the document does.
# Prints the venv's bin folder.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/api-venv
schemathesis_version=4.32.5
if [[ ! -x "$venv/bin/python3" ]]; then
    python3 -m venv "$venv" >&2
fi
if [[ ! -x "$venv/bin/openapi-spec-validator" ]]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'openapi-spec-validator>=0.7' >&2
fi
if [[ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != *" $schemathesis_version" ]]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version" >&2
fi
echo "$PWD/$venv/bin"
