#!/usr/bin/env bash
# API fuzzing (issue 14): schemathesis against a real `imprimatur-server serve` on 127.0.0.1, with
# the document the server itself serves (GET /openapi.yaml), every operation and every check
# schemathesis has (--checks all: no server error, response conforms to the schema, status code
# and content type documented, and the rest), once per identity: a token of each role
# (employee, approver, administrator, auditor) and none.
#
#   scripts/api-fuzz.sh [MAX_EXAMPLES]      default 5: the budget `make test` runs (< 3 minutes)
#   make fuzz API_FUZZ_EXAMPLES=100         the larger budget (scripts/api-fuzz.sh 100)
#
# The seed is fixed (API_FUZZ_SEED), so a failure seen once is seen again. Prints, per identity
# and in total, operations, examples and failures by check; exits non-zero on any failure and
# then shows the server's stderr. The server and its temporary data folder go on exit, always.
#
# The server is fed demo data through its own CLI and REST API (users of each role with tokens,
# prices, a quota, `demo seed`'s device, jobs, bill, split job and seal application, a firmware
# image and a rollout, an approved application), and the id routes' path parameters are drawn
# half the time from those ids (a schemathesis dictionary), so a GET or an action on an id
# reaches a real object and not only the 404 path.
#
# Lockouts: nothing is excluded. Wrong PINs on /split-jobs/{id}/payers/{payer}/authenticate lock
# that payer's PIN entry (429, documented) — the lockout is behaviour the fuzzer should see. The
# web login (POST /web/login) has no documented form body, so schemathesis posts none; without
# the form's CSRF token the server answers 403 before any password is compared, and no account
# or address is locked. The administrator runs last: its writes (disable a user, take a card,
# set a PIN) would otherwise change what the other identities' runs see. Its dictionary of user
# ids leaves out the administrator's own id, so it does not disable itself mid-run (it may still
# disable the others; their runs are over by then).
set -euo pipefail
cd "$(dirname "$0")/.."

examples=${1:-${API_FUZZ_EXAMPLES:-5}}
seed=${API_FUZZ_SEED:-20261207}
# The coverage phase (every boundary value, every undeclared method such as TRACE) is
# deterministic and not bounded by MAX_EXAMPLES: ~2,700 requests and a minute per identity here,
# too much for `make test`'s 3 minutes. `make api-fuzz` adds it (API_FUZZ_PHASES).
phases=${API_FUZZ_PHASES:-examples,fuzzing,stateful}
# Which of schemathesis's checks fail the run: all of them by default (make api-fuzz). `make test`
# gates on the contract: no server error, responses, status codes, content types and headers as
# documented. The acceptance checks (a schema-valid request accepted, a schema-violating one
# refused) are at 0 at this budget too, but they also judge refusals that depend on the
# server's state (a money payment against a page quota, disabling oneself), which a larger run
# can reach; `make api-fuzz` runs them all.
checks=${API_FUZZ_CHECKS:-all}
[[ $examples =~ ^[0-9]+$ && $examples -ge 1 ]] || { echo "usage: scripts/api-fuzz.sh [MAX_EXAMPLES >= 1]" >&2; exit 2; }

tools=$(scripts/api-tools.sh)
bin=${API_FUZZ_BIN:-$(swift build --show-bin-path)}
for tool in imprimatur-server firmware-sim; do
    [[ -x "$bin/$tool" ]] || { echo "error: $bin/$tool is not built (make build)" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/api-fuzz.XXXXXX")
data=$work/data
server_pid=
stop() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $server_pid ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ $status -ne 0 && -s $work/server.err ]]; then
        echo "--- the server's stderr (last 80 lines of $(wc -l < "$work/server.err")) ---" >&2
        tail -n 80 "$work/server.err" >&2
        echo "--- end of the server's stderr ---" >&2
    fi
    if [[ $status -ne 0 && -n ${API_FUZZ_KEEP:-} ]]; then
        echo "api fuzz: kept $work (reports, server logs)" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap stop EXIT
trap 'exit 130' INT TERM

server() { "$bin/imprimatur-server" "$@" --data "$data"; }

# Demo data through the CLI: one user per role (the approver only an approver, so its run shows
# what that role alone may do), two employees for the split job, prices and quotas.
server user add --name "Ada Admin" --id ada --role administrator --card 9000 --pin 2468 --password ada-demo-pw >/dev/null
server user add --name "Arthur Approver" --id arthur --role approver --card 9001 --pin 1357 --password arthur-demo-pw >/dev/null
server user add --name "Aude Auditor" --id aude --role auditor --password aude-demo-pw >/dev/null
server user add --name "Alice Employee" --id alice --role employee --department sales --card 0042 --pin 1234 --password alice-demo-pw >/dev/null
server user add --name "Bob Employee" --id bob --role employee --department sales --card 0043 --pin 4321 --password bob-demo-pw >/dev/null
for paper in A4 A3 B4 B5 Letter Legal; do
    server price set --paper "$paper" --mono --price 5 --currency EUR >/dev/null
    server price set --paper "$paper" --colour --price 20 --currency EUR >/dev/null
done
server quota set --user alice --limit 200 --unit pages --adjustment 20 >/dev/null
server quota set --user bob --limit 1000 --unit money --currency EUR >/dev/null
server payments webhook-secret >/dev/null
seeded=$("$bin/imprimatur-server" demo seed --data "$data" --days 14)
bill=$(sed -n 's/.*, bill \([^,]*\).*/\1/p' <<<"$seeded")
split_job=$(sed -n 's/.*, split job \([^,]*\).*/\1/p' <<<"$seeded")
pending=$(sed -n 's/.*, seal application \([^,]*\).*/\1/p' <<<"$seeded")
[[ -n $bill && -n $split_job && -n $pending ]] || { echo "error: demo seed printed no bill, split job or application: $seeded" >&2; exit 1; }
declare -A token
token[employee]=$(server token create --user alice --name fuzz 2>/dev/null)
token[approver]=$(server token create --user arthur --name fuzz 2>/dev/null)
token[administrator]=$(server token create --user ada --name fuzz 2>/dev/null)
token[auditor]=$(server token create --user aude --name fuzz 2>/dev/null)

"$bin/imprimatur-server" serve --data "$data" --host 127.0.0.1 --port 0 > "$work/server.out" 2> "$work/server.err" &
server_pid=$!
port=
for _ in $(seq 1 300); do
    port=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$work/server.out" 2>/dev/null)
    [[ -n $port ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
[[ -n $port ]] || { echo "error: the server did not start" >&2; exit 1; }
base=http://127.0.0.1:$port

# More objects through the REST API, as a client makes them: a firmware image and a rollout of it
# to the demo device, and a second seal application that the approver approves (for revoke).
api() { # METHOD PATH TOKEN [curl args...]
    local method=$1 path=$2 bearer=$3; shift 3
    curl -sS --fail-with-body -X "$method" -H "Authorization: Bearer $bearer" "$@" "$base$path"
}
fw=$work/firmware
"$bin/firmware-sim" image keygen --out "$fw" >/dev/null
printf 'name=C45 1.1 fuzz\n' > "$fw/payload.txt"
"$bin/firmware-sim" image build --model copier --version 1.1.0 --min-version 1.0.0 --payload "$fw/payload.txt" --out "$fw/copier.img" >/dev/null
"$bin/firmware-sim" image sign --key "$fw/vendor.key" "$fw/copier.img" >/dev/null
image=$(api POST /api/v1/firmware/images "${token[administrator]}" -H 'Content-Type: application/octet-stream' --data-binary "@$fw/copier.img" \
    | "$tools/python3" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
rollout=$(api POST /api/v1/firmware/rollouts "${token[administrator]}" -H 'Content-Type: application/json' \
    -d "{\"image\": $image, \"devices\": [\"demo-archive\"]}" | "$tools/python3" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
approved=$(api POST /api/v1/seal-applications "${token[employee]}" -H 'Content-Type: application/json' \
    -d '{"seal": "demo-seal", "reason": "fuzz: approved", "uses": 3, "approvers": ["arthur"]}' \
    | "$tools/python3" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api POST "/api/v1/seal-applications/$approved/approve" "${token[approver]}" >/dev/null

# The known ids, for the path parameters of the routes that take them (half the time; the rest
# is schemathesis's own strings). The TOML is the run's configuration file.
cat > "$work/schemathesis.toml" <<TOML
[dictionaries]
users = { values = ["alice", "bob", "arthur", "aude"] }
cards = { values = ["0042", "0043", "9001"] }
devices = { values = ["demo-archive"] }
applications = { values = ["$pending", "$approved"] }
splits = { values = ["$split_job"] }
payers = { values = ["alice", "bob"] }
bills = { values = ["$bill"] }
rollouts = { values = [$rollout] }

[[operations]]
include-path-regex = "^/api/v1/users/\\\\{id\\\\}"
parameters = { "path.id" = { dictionary = "users", probability = 0.5 }, "path.number" = { dictionary = "cards", probability = 0.5 } }

[[operations]]
include-path-regex = "^/api/v1/devices/\\\\{id\\\\}"
parameters = { "path.id" = { dictionary = "devices", probability = 0.5 } }

[[operations]]
include-path-regex = "^/(api/v1/seal-applications|web/applications)/\\\\{id\\\\}"
parameters = { "path.id" = { dictionary = "applications", probability = 0.5 } }

[[operations]]
include-path-regex = "^/api/v1/split-jobs/\\\\{id\\\\}"
parameters = { "path.id" = { dictionary = "splits", probability = 0.5 }, "path.payer" = { dictionary = "payers", probability = 0.5 } }

[[operations]]
include-path-regex = "^/(api/v1|web)/bills/\\\\{id\\\\}"
parameters = { "path.id" = { dictionary = "bills", probability = 0.5 } }

[[operations]]
include-path-regex = "^/api/v1/firmware/rollouts/\\\\{id\\\\}"
parameters = { "path.id" = { dictionary = "rollouts", probability = 0.5 } }

# The web pages refuse a request without a live session cookie by sending the browser to the
# login page (303 See Other to /web/login, documented on every page operation), not with a 401:
# for these operations 303 counts as the refusal of a request with the session left out.
# Two operations take a file whose validity no schema can state: POST /api/v1/firmware/images
# (a signed IMFW image) and POST /api/v1/split-jobs (a readable PDF, with its split in a JSON
# header). Generated bytes are refused with a 400 that names the field (image, pdf,
# X-Imprimatur-Split), so the positive-data check takes that 400 for these two; every other
# check runs as everywhere, and the decoders are fuzzed by libFuzzer (firmware-image) and the
# split tests.
[[operations]]
include-path-regex = "^/api/v1/(firmware/images|split-jobs)\$"
include-method = "POST"
checks = { positive_data_acceptance = { expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"] } }

[[operations]]
include-path-regex = "^/web(/|\$)"
checks = { negative_data_rejection = { expected-statuses = ["303", "400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"] } }
TOML

identities=(none employee approver auditor administrator)
status=0
for who in "${identities[@]}"; do
    auth=()
    [[ $who != none ]] && auth=(-H "Authorization: Bearer ${token[$who]}")
    set +e
    PYTHONPATH=scripts SCHEMATHESIS_HOOKS=api_fuzz_hooks "$tools/schemathesis" --config-file "$work/schemathesis.toml" run "$base/openapi.yaml" \
        --checks "$checks" --max-examples "$examples" --seed "$seed" --phases "$phases" \
        --workers 1 --request-timeout 20 --generation-database none --no-color \
        --report json --report-json-path "$work/$who.json" "${auth[@]}" > "$work/$who.log" 2>&1
    run_status=$?
    set -e
    if [[ $run_status -ne 0 ]]; then
        status=1
        # schemathesis's own account of each failure: the request, the response, a curl to repeat it.
        echo "=== schemathesis as $who: exit $run_status ==="
        sed -n '/^=* *\(ERRORS\|FAILURES\)/,$p' "$work/$who.log" | head -n 400 || true
        [[ -s $work/$who.json ]] || tail -n 40 "$work/$who.log"
    fi
done

# The figures: per identity and in total.
"$tools/python3" - "$work" "$examples" "$seed" "$checks" "${identities[@]}" <<'PY'
import collections, json, os, sys
work, examples, seed, checks, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
total_cases = 0
total_failures = collections.Counter()
print(f"api fuzz: schemathesis, --max-examples {examples} --seed {seed}, checks {checks}")
for name in names:
    path = os.path.join(work, f"{name}.json")
    if not os.path.exists(path):
        print(f"  {name:13} no report (schemathesis did not run to the end)")
        total_failures["(no report)"] += 1
        continue
    report = json.load(open(path))
    ops = report.get("operations") or {}
    cases = report["test_cases"]["generated"]
    total_cases += cases
    by_check = collections.Counter()
    for failure in report["failures"]:
        by_check[failure.get("title") or failure["type"]] += failure["count"]
    for error in report["errors"]:
        by_check["error: " + error["title"]] += error["count"]
    total_failures.update(by_check)
    listed = ", ".join(f"{check} {count}" for check, count in sorted(by_check.items())) or "none"
    print(f"  {name:13} operations {ops.get('tested', 0)}/{ops.get('selected', 0)}, examples {cases}, failures: {listed}")
listed = ", ".join(f"{check} {count}" for check, count in sorted(total_failures.items())) or "none"
print(f"api fuzz: {len(names)} identities, examples {total_cases}, failures {sum(total_failures.values())}: {listed}")
PY
exit $status
