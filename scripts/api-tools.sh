#!/usr/bin/env bash
# The API contract's third-party tools: a venv under .build/ with openapi-spec-validator from
# PyPI, made once and reused (idempotent; needs PyPI only the first time). OpenAPIValidationTests
# runs it on the served document. Prints the venv's bin folder.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/api-venv
if [[ ! -x "$venv/bin/openapi-spec-validator" ]]; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'openapi-spec-validator>=0.7' >&2
fi
echo "$PWD/$venv/bin"
