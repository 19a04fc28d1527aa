#!/usr/bin/env bash
# `make run`: the whole system on loopback — the central server (SQLite), the simulated copier
# and its enrolled agent, the simulated USB seal and its box's agent (under umockdev-wrapper) —
# with demo accounts made on the first run and reused after.
# Ctrl-C stops everything cleanly (the agents lock the copier and the seal on their way out).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(swift build --show-bin-path)
state=${IMPRIMATUR_RUN_DIR:-var/run}
# Absolute, for the agents' configurations (IMPRIMATUR_RUN_DIR may be either).
case $state in /*) abs_state=$state ;; *) abs_state=$PWD/$state ;; esac
data=$state/server
port=${IMPRIMATUR_PORT:-8080}
modbus=${IMPRIMATUR_MODBUS_PORT:-1502}
panel=${IMPRIMATUR_PANEL_PORT:-1503}
printport=${IMPRIMATUR_PRINT_PORT:-1504}
seal_panel=${IMPRIMATUR_SEAL_PANEL_PORT:-1505}
server() { "$bin/imprimatur-server" "$@" --data "$data"; }

for p in "$port" "$modbus" "$panel" "$printport" "$seal_panel"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        echo "error: port $p on 127.0.0.1 is in use (set IMPRIMATUR_PORT, IMPRIMATUR_MODBUS_PORT, IMPRIMATUR_PANEL_PORT, IMPRIMATUR_PRINT_PORT or IMPRIMATUR_SEAL_PANEL_PORT)" >&2
        exit 1
    fi
done

mkdir -p "$state" && chmod 700 "$state"
first_run=false
if [[ ! -f "$data/server.sqlite" ]]; then
    first_run=true
    echo "First run: creating demo data in $state"
    server user add --name "Ada Admin" --id ada --role administrator --card 9000 --pin 2468 --password ada-demo-pw >/dev/null
    server user add --name "Arthur Approver" --id arthur --role approver --role employee --card 9001 --pin 1357 --password arthur-demo-pw >/dev/null
    server user add --name "Aude Auditor" --id aude --role auditor --password aude-demo-pw >/dev/null
    server user add --name "Alice Employee" --id alice --role employee --department sales --card 0042 --pin 1234 --password alice-demo-pw >/dev/null
    server user add --name "Bob Employee" --id bob --role employee --department sales --card 0043 --password bob-demo-pw >/dev/null
    for paper in A4 A3 B4 B5 Letter Legal; do
        server price set --paper "$paper" --mono --price 5 --currency EUR >/dev/null
        server price set --paper "$paper" --colour --price 20 --currency EUR >/dev/null
    done
    server quota set --user alice --limit 200 --unit pages --adjustment 20 >/dev/null
    server quota set --user bob --limit 1000 --unit money --currency EUR >/dev/null
    # Money (docs/quotas.md): Alice's overdraft raised for this month, Bob pays 2.50 EUR.
    server quota adjust --user alice --amount 10 --note "demo: exam week" >/dev/null
    server quota pay --user bob --amount 250 --note "demo: cash at reception" >/dev/null
    server payments webhook-secret > /dev/null
    # The web pages' demo history (issue 7): device demo-archive with 60 days of jobs and scans,
    # a bill for alice, a print job split between bob and alice, an application waiting on arthur.
    "$bin/imprimatur-server" demo seed --data "$data" --days 60 >/dev/null
    server token create --user ada --name demo > "$state/admin-token"
    server token create --user alice --name demo > "$state/alice-token"
    server token create --user arthur --name demo > "$state/arthur-token"
    chmod 600 "$state/admin-token" "$state/alice-token" "$state/arthur-token"
fi

pids=()
seal_pid=
stop() {
    trap - INT TERM
    # Whatever reads our output (a `| tee`, a closed terminal) may be gone already, and a closed
    # terminal sends a hang-up: neither may kill this script before it has stopped everything,
    # the seal above all (it runs in its own session, so nothing else stops it).
    trap '' PIPE HUP
    echo 2>/dev/null
    echo "Stopping..." 2>/dev/null
    # The agents first, so they lock the copier and the seal while those still answer; the seal
    # last of all: umockdev's preload aborts a client whose seal process dies while the device
    # is open. (The seal runs in its own session, so the terminal's Ctrl-C does not reach it.)
    for pid in $(printf '%s\n' "${pids[@]}" | tac) $seal_pid; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "Stopped. Data kept in $state (delete it to start afresh)." 2>/dev/null
    exit 0
}
trap stop INT TERM HUP

"$bin/imprimatur-server" serve --data "$data" --port "$port" > "$state/server.out" 2> "$state/server.log" &
pids+=($!)
for _ in $(seq 1 100); do grep -q "listening" "$state/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q "listening" "$state/server.out" || { echo "error: the server did not start; see $state/server.log" >&2; stop; }

# Firmware (docs/firmware.md): a demo vendor key the simulated devices trust, and signed images
# newer than what they run, for `imprimatur-agent flash`.
fw="$state/firmware"
if [[ ! -f "$fw/vendor.pub" ]]; then
    "$bin/firmware-sim" image keygen --out "$fw" >/dev/null
    printf 'name=C45 1.1 demo\npage-rate=20\nfeature=stapling\n' > "$fw/copier-payload.txt"
    printf 'name=S1 1.1 demo\nfeature=ink-saver\n' > "$fw/seal-payload.txt"
    for model in copier seal; do
        "$bin/firmware-sim" image build --model $model --version 1.1.0 --min-version 1.0.0 \
            --payload "$fw/$model-payload.txt" --out "$fw/$model-1.1.0.img" >/dev/null
        "$bin/firmware-sim" image sign --key "$fw/vendor.key" "$fw/$model-1.1.0.img" >/dev/null
    done
fi
# The same images on the server, for a rollout (docs/firmware-rollout.md); stored once.
for model in copier seal; do
    if ! server firmware images | awk -v m=$model '$2 == m && $3 == "1.1.0" {found=1} END {exit !found}'; then
        server firmware upload "$fw/$model-1.1.0.img" >/dev/null
    fi
done

"$bin/firmware-sim" copier serve --modbus "127.0.0.1:$modbus" --panel "127.0.0.1:$panel" --print "127.0.0.1:$printport" \
    --vendor-key "$fw/vendor.pub" --state-dir "$state/copier" > "$state/copier.out" 2> "$state/copier.log" &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$state/copier.out" ]] && break; sleep 0.1; done

cat > "$state/agent.toml" <<TOML
[server]
url = "http://127.0.0.1:$port"
checkpoint_seconds = 5
[device]
id = "copier-1"
location = "Demo office, 1st floor"
[copier]
modbus = "127.0.0.1:$modbus"
print = "127.0.0.1:$printport"
scan_folder = "$abs_state/copier/scans"
[state]
dir = "$abs_state/agent"
TOML
if [[ ! -f "$state/agent/agent.sqlite" ]] || $first_run; then
    token=$(server device token --name "Demo copier")
    "$bin/imprimatur-agent" enroll --config "$state/agent.toml" --token "$token" >/dev/null
fi
# The demo seal box (issue 6): its own agent, device seal-box-1, driving the USB seal seal-1.
cat > "$state/seal-agent.toml" <<TOML
[server]
url = "http://127.0.0.1:$port"
[device]
id = "seal-box-1"
location = "Demo office, reception"
[seal]
id = "seal-1"
photo_mode = "automatic"
[state]
dir = "$abs_state/seal-agent"
TOML
seal_box=true
if [[ ! -f "$state/seal-agent/agent.sqlite" ]]; then
    if $first_run; then
        seal_token=$(server device token --name "Demo seal box")
        "$bin/imprimatur-agent" enroll --config "$state/seal-agent.toml" --token "$seal_token" --model IMP-SIM-S1 >/dev/null
    else
        echo "warning: seal-box-1 was enrolled by an older make run without its agent; delete $state to get the seal demo" >&2
        seal_box=false
    fi
fi
if $seal_box; then
    # The seal trusts the server's current grant-signing key (it verifies every grant itself).
    seal_key=$(server keys list | awk '/current/ {print $NF}')
    setsid "$bin/firmware-sim" seal serve --state-dir "$state/seal" --panel "127.0.0.1:$seal_panel" \
        --serial seal-1 --device-id seal-box-1 --trusted-key "$seal_key" --vendor-key "$fw/vendor.pub" \
        > "$state/seal.out" 2> "$state/seal.log" &
    seal_pid=$!
    for _ in $(seq 1 100); do [[ -s "$state/seal.out" ]] && break; sleep 0.1; done
    umockdev_dir=$(sed -n 's/.*"umockdev_dir":"\([^"]*\)".*/\1/p' "$state/seal.out")
    if [[ -z "$umockdev_dir" ]]; then
        echo "warning: the simulated seal did not start; see $state/seal.log" >&2
        seal_box=false
    fi
fi

"$bin/imprimatur-agent" run --config "$state/agent.toml" > "$state/agent.out" 2> "$state/agent.log" &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$state/agent.out" ]] && break; sleep 0.1; done
if $seal_box; then
    # The seal box's agent sees the seal through umockdev's preload and the seal's testbed.
    UMOCKDEV_DIR=$umockdev_dir umockdev-wrapper "$bin/imprimatur-agent" run --config "$state/seal-agent.toml" \
        > "$state/seal-agent.out" 2> "$state/seal-agent.log" &
    pids+=($!)
    for _ in $(seq 1 100); do [[ -s "$state/seal-agent.out" ]] && break; sleep 0.1; done
fi

cat <<TEXT

Imprimatur is running on 127.0.0.1 (logs in $state/*.log):
  web pages   http://127.0.0.1:$port/web   (log in with a demo account below; docs/web.md)
  server      http://127.0.0.1:$port   (/healthz, /metrics, REST API under /api/v1)
  copier      Modbus 127.0.0.1:$modbus, front panel 127.0.0.1:$panel, print port 127.0.0.1:$printport (docs/print-port.md; tray $state/copier/tray)
  agent       device copier-1, local API $state/agent/agent.sock
  seal        simulated USB seal seal-1 (umockdev), front panel 127.0.0.1:$seal_panel
  seal agent  device seal-box-1, local API $state/seal-agent/agent.sock

Demo accounts (card / PIN / web password) — log in at http://127.0.0.1:$port/web as, e.g., aude / aude-demo-pw:
  ada     administrator   9000 / 2468 / ada-demo-pw    API token in $state/admin-token
  arthur  approver        9001 / 1357 / arthur-demo-pw
  aude    auditor            -  /   -  / aude-demo-pw
  alice   employee        0042 / 1234 / alice-demo-pw  (200 pages a month + 20 overdraft, +10 this month)
  bob     employee        0043 /   -  / bob-demo-pw    (10.00 EUR a month, paid 2.50)

Try, in another terminal:
  $bin/imprimatur-agent tap --card 0042 --pin 1234 --config $state/agent.toml
  $bin/firmware-sim copier job --panel 127.0.0.1:$panel --copies 2 --pages 3 --colour
  $bin/imprimatur-agent logout --config $state/agent.toml
  curl -s -H "Authorization: Bearer \$(cat $state/admin-token)" http://127.0.0.1:$port/api/v1/jobs

The seal (docs/seal-approval.md): alice applies for 2 uses of seal-1, arthur approves, alice taps at the
seal box with the application id, stamps twice (a third press is refused), and the server shows the uses:
  curl -s -H "Authorization: Bearer \$(cat $state/alice-token)" -d '{"seal": "seal-1", "reason": "Contract", "uses": 2, "approvers": ["arthur"]}' http://127.0.0.1:$port/api/v1/seal-applications
  curl -s -X POST -H "Authorization: Bearer \$(cat $state/arthur-token)" http://127.0.0.1:$port/api/v1/seal-applications/<id>/approve
  $bin/imprimatur-agent tap --card 0042 --pin 1234 --seal --application <id> --config $state/seal-agent.toml
  $bin/firmware-sim seal stamp --panel 127.0.0.1:$seal_panel
  $bin/imprimatur-agent status --config $state/seal-agent.toml
  curl -s -H "Authorization: Bearer \$(cat $state/alice-token)" http://127.0.0.1:$port/api/v1/seal-applications/<id>
  (revoke the rest: curl -s -X POST -H "Authorization: Bearer \$(cat $state/arthur-token)" http://127.0.0.1:$port/api/v1/seal-applications/<id>/revoke)

Firmware (docs/firmware.md): flash the signed demo images through the agents (progress, then the result);
the copier then runs 1.1.0 at 20 pages/s (copier status), the seal reports 1.1.0 in its device info:
  $bin/firmware-sim image show $fw/copier-1.1.0.img --vendor-key $fw/vendor.pub
  $bin/imprimatur-agent flash --device copier --image $fw/copier-1.1.0.img --config $state/agent.toml
  $bin/imprimatur-agent flash --device seal --image $fw/seal-1.1.0.img --config $state/seal-agent.toml
  $bin/firmware-sim copier status --panel 127.0.0.1:$panel

Firmware rollout from the server (docs/firmware-rollout.md): the same images are uploaded; roll one out
to the copier (or the seal box) and follow each device (offline, sending, verifying, installed, trial, confirmed):
  $bin/imprimatur-server firmware images --data $data
  $bin/imprimatur-server firmware rollout --image <id> --device copier-1 --data $data   # or seal-box-1 with the seal image
  $bin/imprimatur-server firmware status --data $data
  curl -s -H "Authorization: Bearer \$(cat $state/admin-token)" http://127.0.0.1:$port/api/v1/firmware/rollouts/<id>

Quotas and payments (docs/quotas.md):
  $bin/imprimatur-server quota show --user alice --data $data
  $bin/imprimatur-server quota pay --user alice --amount 100 --currency EUR --data $data   # 20 pages; the agent hears within 2 s
  curl -s -H "Authorization: Bearer \$(cat $state/admin-token)" http://127.0.0.1:$port/api/v1/users/bob/ledger
  # the payment provider's webhook, signed with $data/payment-webhook.secret:
  body='{"idempotency_key":"demo-1","user":"bob","amount":500,"currency":"EUR"}'; ts=\$(date +%s)
  sig=\$(printf '%s.%s' "\$ts" "\$body" | openssl dgst -sha256 -mac HMAC -macopt hexkey:\$(cat $data/payment-webhook.secret) -r | cut -d' ' -f1)
  curl -s -H "Imprimatur-Timestamp: \$ts" -H "Imprimatur-Signature: v1=\$sig" -d "\$body" http://127.0.0.1:$port/api/v1/payments/webhook

Bills that can be checked (docs/bills.md), after a job above and the agent's next checkpoint (every 5 s here):
  $bin/imprimatur-server bill issue --account user:alice --from \$(date -u +%Y-%m) --out $state/bill.json --data $data
  $bin/imprimatur-agent verify-bill $state/bill.json --config $state/agent.toml            # MATCH, MISMATCH or ALTERED
  $bin/imprimatur-agent verify-bill $state/bill.json --line 1 --config $state/agent.toml   # one line, by its inclusion proof
  curl -s -H "Authorization: Bearer \$(cat $state/admin-token)" http://127.0.0.1:$port/api/v1/bills

Split charges (docs/split-charges.md): alice holds a PDF (any of 2 pages or more) split with arthur; both approve
with their PIN; each part is printed on the copier's print port (pages in $state/copier/tray) and its PDF deleted:
  curl -s -H "Authorization: Bearer \$(cat $state/alice-token)" -H 'Content-Type: application/pdf' \\
    -H 'X-Imprimatur-Split: {"title":"Offer","device":"copier-1","shares":[{"payer":"alice","pages":"1"},{"payer":"arthur","pages":"2"}]}' \\
    --data-binary @offer.pdf http://127.0.0.1:$port/api/v1/split-jobs
  curl -s -H "Authorization: Bearer \$(cat $state/alice-token)" -d '{"pin":"1234"}' http://127.0.0.1:$port/api/v1/split-jobs/<id>/payers/alice/authenticate
  curl -s -X POST -H "Authorization: Bearer \$(cat $state/alice-token)" http://127.0.0.1:$port/api/v1/split-jobs/<id>/payers/alice/approve
  (arthur the same with \$(cat $state/arthur-token) and PIN 1357), then:
  ls $state/copier/tray; curl -s -H "Authorization: Bearer \$(cat $state/alice-token)" http://127.0.0.1:$port/api/v1/split-jobs/<id>

Press Ctrl-C to stop everything.
TEXT
wait
