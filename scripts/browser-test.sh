#!/usr/bin/env bash
# The web pages' browser tests (issue 7; docs/web.md): a real imprimatur-server on 127.0.0.1
# with a fresh data folder, the demo users (with passwords) and the demo history, driven by
# headless Chromium through Selenium (tests/browser). Prints "browser tests: N passed, M failed"
# last and exits non-zero on any failure. Screenshots land in docs/screenshots/.
set -uo pipefail
cd "$(dirname "$0")/.."

bin=$(swift build --show-bin-path)
python=$(scripts/browser-deps.sh) || { echo "browser tests: 0 passed, 1 failed (cannot install Selenium)"; exit 1; }
state=$(mktemp -d /tmp/imprimatur-browser.XXXXXX)
server_pid=
cleanup() {
    [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$state"
}
trap cleanup EXIT

data=$state/server
server() { "$bin/imprimatur-server" "$@" --data "$data" >/dev/null; }
seed() {
    server user add --name "Ada Admin" --id ada --role administrator --card 9000 --pin 2468 --password ada-demo-pw &&
    server user add --name "Arthur Approver" --id arthur --role approver --role employee --card 9001 --pin 1357 --password arthur-demo-pw &&
    server user add --name "Aude Auditor" --id aude --role auditor --password aude-demo-pw &&
    server user add --name "Alice Employee" --id alice --role employee --department sales --card 0042 --pin 1234 --password alice-demo-pw &&
    server user add --name "Bob Employee" --id bob --role employee --department sales --card 0043 --password bob-demo-pw &&
    server user add --name "Eve Employee" --id eve --role employee --department legal --password eve-demo-pw &&
    for paper in A4 A3; do
        server price set --paper "$paper" --mono --price 5 --currency EUR && server price set --paper "$paper" --colour --price 20 --currency EUR || return 1
    done &&
    server quota set --user alice --limit 200 --unit pages --adjustment 20 &&
    server quota set --user bob --limit 1000 --unit money --currency EUR &&
    server quota set --user arthur --limit 300 --unit pages &&
    "$bin/imprimatur-server" demo seed --data "$data" --days 60
}
if ! seed > "$state/seed.log" 2>&1; then
    cat "$state/seed.log" >&2
    echo "browser tests: 0 passed, 1 failed (seeding the test server failed)"
    exit 1
fi

"$bin/imprimatur-server" serve --data "$data" --port 0 > "$state/server.out" 2> "$state/server.log" &
server_pid=$!
url=
for _ in $(seq 1 300); do
    url=$(sed -n 's/.*listening on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$state/server.out" 2>/dev/null | head -1)
    [[ -n "$url" ]] && break
    sleep 0.1
done
if [[ -z "$url" ]]; then
    cat "$state/server.log" >&2
    echo "browser tests: 0 passed, 1 failed (the server did not start)"
    exit 1
fi

IMPRIMATUR_WEB=$url IMPRIMATUR_SCREENSHOTS=$PWD/docs/screenshots "$python" tests/browser/run.py 2>&1
status=$?
if [[ $status -ne 0 ]]; then
    echo "--- server log (last 40 lines) ---" >&2
    tail -40 "$state/server.log" >&2
fi
exit $status
