#!/usr/bin/env bash
# Login-flood benchmark (issue 25, High 1): the release server (demo seeded, 127.0.0.1
# only) gets 1,500 login requests with 200 KB login names, 16 at a time, and the script
# prints the server's resident memory before, at its peak and after, with the answers by
# status. Before the fix the same run took the server from 189 MB to 1.1 GB; the goal is
# a flat line: such a name is refused while the request is read (400) and never reaches a
# rate limiter. Output also goes to bench-out/login-flood.txt.
#
# Usage: scripts/bench-login-flood.sh
# Knobs (environment): FLOOD_REQUESTS (1500), FLOOD_NAME_KB (200), FLOOD_PARALLEL (16).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

REQUESTS="${FLOOD_REQUESTS:-1500}"
NAME_KB="${FLOOD_NAME_KB:-200}"
PARALLEL="${FLOOD_PARALLEL:-16}"

mkdir -p bench-out
exec > >(tee bench-out/login-flood.txt) 2>&1

say "cargo build --release -p augenmerk-server --bin augenmerk-server"
cargo build --release --locked -p augenmerk-server --bin augenmerk-server
SERVER="$CARGO_TARGET_DIR/release/augenmerk-server"

WORK="$(mktemp -d -t augenmerk-login-flood.XXXXXX)"
SERVER_PID=""
SAMPLER_PID=""
cleanup() {
    [[ -n "$SAMPLER_PID" ]] && kill "$SAMPLER_PID" 2>/dev/null || true
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# No stray settings: the defaults are measured.
while IFS='=' read -r name _; do unset "$name"; done < <(env | grep '^AUGENMERK__' || true)

say "starting the server (demo data, 127.0.0.1)"
AUGENMERK_DEMO_PASSWORD="login-flood-demo-passwort" RUST_LOG=warn \
    "$SERVER" --data "$WORK/data" serve --demo --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/server.log" &
SERVER_PID=$!
URL=""
for _ in $(seq 600); do
    URL="$(sed -n 's/^listening on //p' "$WORK/out")"
    [[ -n "$URL" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
[[ -n "$URL" ]] || { echo "the server did not start; log:"; cat "$WORK/server.log"; exit 1; }
echo "server $SERVER_PID at $URL"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status"; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }

# One real login first, so the "before" figure includes a warm server.
curl -s -o /dev/null -w '%{http_code}\n' -H 'content-type: application/json' \
    --data '{"municipality":"01001000","username":"dispatcher","password":"login-flood-demo-passwort"}' \
    "$URL/api/v1/login" | grep -q 200 || { echo "the warm-up login failed"; exit 1; }
sleep 1
BEFORE="$(rss_kb)"

# VmHWM is the peak since start (demo seeding included); sample VmRSS as well to see the
# flood's own peak.
: >"$WORK/samples"
( while kill -0 "$SERVER_PID" 2>/dev/null; do rss_kb >>"$WORK/samples"; sleep 0.05; done ) &
SAMPLER_PID=$!

python3 - "$NAME_KB" >"$WORK/body.json" <<'EOF'
import json, sys
print(json.dumps({"municipality": "01001000", "username": "a" * (int(sys.argv[1]) * 1024), "password": "falsch-falsch"}))
EOF

say "sending $REQUESTS login requests with ${NAME_KB} KB login names, $PARALLEL at a time"
START=$(date +%s.%N)
seq "$REQUESTS" | xargs -P "$PARALLEL" -I{} \
    curl -s -o /dev/null -w '%{http_code}\n' -H 'content-type: application/json' \
    --data-binary @"$WORK/body.json" "$URL/api/v1/login" >"$WORK/codes"
END=$(date +%s.%N)
sleep 2
AFTER="$(rss_kb)"
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
PEAK="$(sort -n "$WORK/samples" | tail -1)"

say "result"
echo "requests: $(wc -l <"$WORK/codes") in $(awk -v s="$START" -v e="$END" 'BEGIN { printf "%.1f", e - s }') s"
echo "answers by status: $(sort "$WORK/codes" | uniq -c | awk '{printf "%s×%s ", $2, $1}')"
echo "server RSS before: $(mb "$BEFORE")"
echo "server RSS peak:   $(mb "$PEAK") (during the flood; VmHWM since start, demo seeding included: $(mb "$(hwm_kb)"))"
echo "server RSS after:  $(mb "$AFTER")"
echo "growth at the peak: $(mb $((PEAK - BEFORE)))"
