# Shared helpers for the capture scripts. Source it: `. "$(dirname "$0")/lib.sh"`.
# Every function is safe to call from `set -euo pipefail` scripts.

CAPTURES_DIR="${CAPTURES_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
CAPTURES_WORK="${CAPTURES_WORK:-$CAPTURES_DIR/work}"
PKI_WORK="${PKI_WORK:-$CAPTURES_WORK/pki}"
PKI_PUBLIC="${PKI_PUBLIC:-$CAPTURES_DIR/pki}"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# wait_port PORT [TIMEOUT_SECONDS]: return once something listens on 127.0.0.1:PORT (TCP).
wait_port() {
  local port="$1" timeout="${2:-10}" i
  for ((i = 0; i < timeout * 20; i++)); do
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then return 0; fi
    sleep 0.05
  done
  log "nothing listens on port $port after ${timeout}s"
  return 1
}

# wait_port_free PORT [TIMEOUT_SECONDS]: return once nothing listens on PORT any more.
wait_port_free() {
  local port="$1" timeout="${2:-10}" i
  for ((i = 0; i < timeout * 20; i++)); do
    if ! ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then return 0; fi
    sleep 0.05
  done
  log "port $port still busy after ${timeout}s"
  return 1
}

# capture_start FILE PORT [EXTRA_FILTER]: start tcpdump on loopback writing classic pcap to FILE,
# filtered to `tcp port PORT`. Sets CAPTURE_PID. Returns once tcpdump is listening (it prints
# "listening on" to stderr once the filter is installed), so no early packet is lost.
capture_start() {
  local file="$1" port="$2" extra="${3:-}" errf i filter
  filter="tcp port $port"
  [ -n "$extra" ] && filter="$filter and ($extra)"
  mkdir -p "$(dirname "$file")" "$CAPTURES_WORK"
  rm -f "$file"
  errf="$CAPTURES_WORK/tcpdump.$port.err"
  : >"$errf"
  tcpdump -i lo -U --immediate-mode -s 0 -w "$file" "$filter" 2>"$errf" &
  CAPTURE_PID=$!
  for ((i = 0; i < 200; i++)); do
    if grep -q 'listening on' "$errf"; then
      sleep 0.2 # the filter is attached; give the kernel ring a moment before traffic starts
      return 0
    fi
    if ! kill -0 "$CAPTURE_PID" 2>/dev/null; then
      cat "$errf" >&2
      die "tcpdump exited before listening ($file)"
    fi
    sleep 0.05
  done
  die "tcpdump did not start listening ($file)"
}

# capture_stop [PID]: stop the capture cleanly (SIGINT flushes the file) after a short grace period
# so the last FIN/ACK packets are written. Prints tcpdump's packet counts to the log.
capture_stop() {
  local pid="${1:-${CAPTURE_PID:-}}" i
  [ -n "$pid" ] || return 0
  sleep 0.5
  kill -INT "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "${pid}" = "${CAPTURE_PID:-}" ] && CAPTURE_PID=""
  return 0
}

# start_bg NAME CMD...: run CMD in the background with stdout+stderr in $CAPTURES_WORK/NAME.log,
# remembering its pid in $CAPTURES_WORK/NAME.pid so a re-run can kill a leftover instance.
start_bg() {
  local name="$1"; shift
  stop_bg "$name"
  mkdir -p "$CAPTURES_WORK"
  "$@" >"$CAPTURES_WORK/$name.log" 2>&1 &
  echo $! >"$CAPTURES_WORK/$name.pid"
  BG_PID=$!
}

# stop_bg NAME: kill the process started by start_bg NAME (if still alive) and wait for it.
stop_bg() {
  local name="$1" pidf="$CAPTURES_WORK/$1.pid" pid i
  [ -f "$pidf" ] || return 0
  pid="$(cat "$pidf")"
  rm -f "$pidf"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return 0
}

# json_str STRING: print STRING as a JSON string literal.
json_str() {
  node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' -- "$1"
}

# first_line FILE [PATTERN]: first non-empty line of FILE (matching PATTERN if given).
first_line() {
  local file="$1" pat="${2:-.}"
  [ -f "$file" ] || { echo ""; return 0; }
  grep -m1 -E -- "$pat" "$file" 2>/dev/null | tr -d '\r' || true
}

# write_meta OUT_JSON SCENARIO DESCRIPTION SERVER CLIENT CLIENT_EXIT CLIENT_SAID SERVER_SAID WIRE_JSON [COMMAND...]
# Write the scenario's meta.json: how it was recorded and what the peers said. WIRE_JSON is what the wire shows,
# as the recording script checks it with tshark (null when it checks nothing), e.g.
#   '{"handshakeCompleted":false,"alert":{"from":"server","description":"unknown_ca"}}'
# What tlsdiag must report is the capture's .expected.json (npm run expected), not meta.json.
# Absolute paths under the captures folder are shortened to captures/… so the file is machine-independent.
write_meta() {
  local out="$1"; shift
  node - "$CAPTURES_DIR" "$out" "$@" <<'JS'
const fs = require('node:fs');
const path = require('node:path');
const [capturesDir, out, scenario, description, server, client, clientExit, clientSaid, serverSaid, wire, ...commands] =
  process.argv.slice(2);
const root = path.dirname(capturesDir);
const relative = (s) => s.split(root + '/').join('');
const meta = {
  scenario,
  description,
  server,
  client,
  commands: commands.map(relative),
  clientExit: Number(clientExit),
  clientSaid: relative(clientSaid),
  serverSaid: relative(serverSaid),
  ...(JSON.parse(wire) === null ? {} : { wire: JSON.parse(wire) }),
};
fs.writeFileSync(out, JSON.stringify(meta, null, 2) + '\n');
JS
}
