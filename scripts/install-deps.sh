#!/usr/bin/env bash
# Installs the Debian packages Imprimatur needs, and only those that are missing, so that
# `make run` and `make test` work on a fresh Debian machine with Swift and nothing else.
set -euo pipefail

packages=(
    pkg-config
    openssl curl          # make run: the demo seal box's key and its enrolment
    zlib1g-dev            # PNG encoding of simulated photos and scans
    libmodbus-dev          # Modbus TCP/RTU for the agent's copier driver and the simulated copier
    libusb-1.0-0-dev       # USB for the agent's seal driver
    libsqlite3-dev         # the agent's and the server's store (through GRDB)
    sqlite3                # tests: a system test reads a stopped agent's store
    umockdev libumockdev-dev  # the simulated USB seal: a live device for libusb
    qpdf                   # split charges: page counts and per-payer page extraction of held PDFs
    poppler-utils          # the simulated copier's print port renders printed pages to PNG (pdftoppm)
    chromium chromium-driver  # the web pages' browser tests (headless, driven by Selenium)
    python3-venv           # the browser tests' Selenium lives in a venv under .build/
)
extra=${IMPRIMATUR_EXTRA_PACKAGES:-}
# shellcheck disable=SC2206
packages+=($extra)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

echo "Installing missing packages: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then
        sudo="sudo"
    else
        echo "error: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
