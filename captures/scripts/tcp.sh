#!/usr/bin/env bash
# Records the TCP reassembly captures in captures/tcp/: many parallel TLS connections, a reused 4-tuple, an RST,
# a server that writes its response in many small segments, and copies of that capture edited with Wireshark's
# editcap/mergecap to lose, duplicate and reorder frames, to start mid-connection, and (rewritten by the small
# Node program below) to wrap the sequence numbers. Everything runs in a private network namespace whose loopback
# has a 1500-byte MTU, so segments look like they do on Ethernet. See captures/README-tcp.md.
# Safe to re-run: every output is rewritten. Ports 21000-21999 only.
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$SCRIPTS/lib.sh"

OUT="$CAPTURES_DIR/tcp"
WORK="$CAPTURES_WORK/tcp"
NS="tlsdiag-tcp-$$"
SERVER_PORT=21443
CHUNKED_PORT=21444
REUSED_CLIENT_PORT=21600
mkdir -p "$OUT" "$WORK"

need() { command -v "$1" >/dev/null || die "$1 is not installed"; }
for tool in ip openssl curl tcpdump editcap mergecap tshark node; do need "$tool"; done

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT

in_ns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS" || die "cannot create a network namespace (needs root)"
ip -n "$NS" link set lo mtu 1500
ip -n "$NS" link set lo up

# A throwaway self-signed P-256 certificate keeps the handshakes (and the captures) small.
if [ ! -s "$WORK/server.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$WORK/server.key" -out "$WORK/server.crt" 2>/dev/null
fi
mkdir -p "$WORK/www"
head -c 300 /dev/zero | tr '\0' 'a' >"$WORK/www/small.txt"

ns_wait_port() { # PORT
  local i
  for ((i = 0; i < 200; i++)); do
    in_ns ss -Hltn "sport = :$1" | grep -q . && return 0
    sleep 0.05
  done
  die "nothing listens on port $1 in the namespace"
}

# capture NAME FILTER: tcpdump inside the namespace, classic pcap, returns once the filter is attached.
capture() {
  local name="$1" filter="$2" errf="$WORK/$1.err" i
  rm -f "$WORK/$name"
  : >"$errf"
  ip netns exec "$NS" tcpdump -i lo -U --immediate-mode -B 16384 -s 0 -w "$WORK/$name" "$filter" 2>"$errf" &
  CAPTURE_PID=$!
  PIDS+=("$CAPTURE_PID")
  for ((i = 0; i < 200; i++)); do
    grep -q 'listening on' "$errf" && { sleep 0.3; return 0; }
    sleep 0.05
  done
  cat "$errf" >&2
  die "tcpdump did not start for $name"
}

stop_capture() {
  sleep 0.7
  kill -INT "$CAPTURE_PID" 2>/dev/null || true
  wait "$CAPTURE_PID" 2>/dev/null || true
}

# openssl s_server -WWW serves files from its working directory, one connection at a time: parallel clients
# queue in the listen backlog, so their connections overlap in time and their packets interleave.
(cd "$WORK/www" && exec ip netns exec "$NS" openssl s_server -quiet -WWW -accept "$SERVER_PORT" \
  -cert "$WORK/server.crt" -key "$WORK/server.key") >"$WORK/s_server.log" 2>&1 &
PIDS+=($!)
ns_wait_port "$SERVER_PORT"

# A TLS server that writes its response as 40 small records a few milliseconds apart: many data segments.
ip netns exec "$NS" node --input-type=module -e '
  import { createServer } from "node:tls";
  import { readFileSync } from "node:fs";
  const [certFile, keyFile, port] = process.argv.slice(1);
  createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (socket) => {
    socket.setNoDelay(true);
    socket.once("data", async () => {
      socket.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n");
      for (let i = 0; i < 40; i++) {
        socket.write(`${String(i).padStart(2, "0")} `.repeat(200) + "\n");
        await new Promise((r) => setTimeout(r, 3));
      }
      socket.end();
    });
    socket.on("error", () => {});
  }).listen(Number(port), "127.0.0.1");
' "$WORK/server.crt" "$WORK/server.key" "$CHUNKED_PORT" >"$WORK/chunked-server.log" 2>&1 &
PIDS+=($!)
ns_wait_port "$CHUNKED_PORT"

log "parallel-20: 20 concurrent curl requests"
capture parallel-20.pcap "tcp port $SERVER_PORT"
CLIENTS=()
for i in $(seq 1 20); do
  ip netns exec "$NS" curl -sk --max-time 20 -o /dev/null "https://127.0.0.1:$SERVER_PORT/small.txt" &
  CLIENTS+=($!)
done
for pid in "${CLIENTS[@]}"; do wait "$pid" || log "a parallel curl failed"; done
stop_capture

log "reused-4tuple: two requests from the same client port"
capture reused-4tuple.pcap "tcp port $SERVER_PORT"
# The client waits for the server to close first, so the TIME_WAIT is on the server side and the client port is
# free at once; the server accepts the second SYN on the same 4-tuple (its sequence number is higher).
for attempt in 1 2; do
  ip netns exec "$NS" node --input-type=module -e '
    import { connect } from "node:tls";
    import { createConnection } from "node:net";
    const [port, localPort] = process.argv.slice(1).map(Number);
    const raw = createConnection({ host: "127.0.0.1", port, localAddress: "127.0.0.1", localPort });
    const socket = connect({ socket: raw, rejectUnauthorized: false }, () => socket.write("GET /small.txt HTTP/1.0\r\n\r\n"));
    socket.resume();
    socket.on("end", () => socket.end());
    socket.on("error", (e) => { console.error(e.message); process.exitCode = 1; });
  ' "$SERVER_PORT" "$REUSED_CLIENT_PORT" || log "reused-4tuple client $attempt failed"
  sleep 0.3
done
stop_capture

log "rst: a client that resets its connection right after the handshake"
capture rst.pcap "tcp port $SERVER_PORT"
ip netns exec "$NS" node --input-type=module -e '
  import { connect } from "node:tls";
  import { createConnection } from "node:net";
  // resetAndDestroy works on the plain TCP socket only, so TLS runs over one we hold.
  const raw = createConnection({ host: "127.0.0.1", port: Number(process.argv[1]) });
  const socket = connect({ socket: raw, rejectUnauthorized: false }, () => {
    socket.write("GET /small.txt HTTP/1.0\r\n\r\n");
    setTimeout(() => raw.resetAndDestroy(), 50);
  });
  socket.on("error", () => {});
  raw.on("error", () => {});
' "$SERVER_PORT" || log "rst client failed"
stop_capture

log "chunked: one response in 40 records"
capture chunked.pcap "tcp port $CHUNKED_PORT"
in_ns curl -sk --max-time 10 -o /dev/null "https://127.0.0.1:$CHUNKED_PORT/" || log "curl failed: $?"
stop_capture

# Frame numbers of the server's data segments in chunked.pcap, to pick which ones to edit.
mapfile -t DATA_FRAMES < <(tshark -r "$WORK/chunked.pcap" 2>/dev/null -Y "tcp.srcport == $CHUNKED_PORT && tcp.len > 0" -T fields -e frame.number)
FRAMES=$(tshark -r "$WORK/chunked.pcap" 2>/dev/null -T fields -e frame.number | wc -l)
[ "${#DATA_FRAMES[@]}" -ge 12 ] || die "chunked.pcap has only ${#DATA_FRAMES[@]} server data segments"
log "chunked.pcap: $FRAMES frames, ${#DATA_FRAMES[@]} server data segments"

# range FIRST LAST OUT: frames FIRST..LAST of chunked.pcap (editcap -r keeps the selected ones).
range() { editcap -r "$WORK/chunked.pcap" "$3" "$1-$2"; }

log "lost: two server data segments removed (the client's ACKs still cover them)"
editcap "$WORK/chunked.pcap" "$WORK/lost.pcap" "${DATA_FRAMES[5]}" "${DATA_FRAMES[9]}"

log "duplicated: three frames written twice, in place"
a=${DATA_FRAMES[3]} b=${DATA_FRAMES[6]} c=${DATA_FRAMES[8]}
range 1 "$a" "$WORK/d1.pcap"; range "$a" "$b" "$WORK/d2.pcap"; range "$b" "$c" "$WORK/d3.pcap"; range "$c" "$FRAMES" "$WORK/d4.pcap"
mergecap -a -F pcap -w "$WORK/duplicated.pcap" "$WORK/d1.pcap" "$WORK/d2.pcap" "$WORK/d3.pcap" "$WORK/d4.pcap"

# in_order OUT FRAME...: chunked.pcap's frames in the given order (one editcap per frame, joined by mergecap -a,
# which keeps file order instead of sorting by time).
in_order() {
  local out="$1" n parts=()
  shift
  rm -rf "$WORK/order" && mkdir -p "$WORK/order"
  for n in "$@"; do
    editcap -r "$WORK/chunked.pcap" "$WORK/order/$n.pcap" "$n"
    parts+=("$WORK/order/$n.pcap")
  done
  mergecap -a -F pcap -w "$out" "${parts[@]}"
}
# Pairs of server data segments sent back to back (no client segment between them) after the handshake.
PAIRS=()
for ((i = 4; i + 1 < ${#DATA_FRAMES[@]}; i++)); do
  [ $((DATA_FRAMES[i] + 1)) = "${DATA_FRAMES[i + 1]}" ] && PAIRS+=("${DATA_FRAMES[i]}")
done
[ "${#PAIRS[@]}" -ge 6 ] || die "chunked.pcap has only ${#PAIRS[@]} back-to-back server segment pairs"

log "reordered: three back-to-back pairs of server segments swapped (no ACK passes them: nothing is lost)"
SWAP=" ${PAIRS[1]} ${PAIRS[3]} ${PAIRS[5]} "
ORDER=()
for ((n = 1; n <= FRAMES; n++)); do
  if [[ "$SWAP" == *" $n "* ]]; then ORDER+=($((n + 1)) "$n"); n=$((n + 1)); else ORDER+=("$n"); fi
done
in_order "$WORK/reordered.pcap" "${ORDER[@]}"

log "late-after-ack: one server segment moved after the client ACK that covers it (seen as lost, the late copy dropped)"
LATE=${PAIRS[2]}
ORDER=()
for ((n = 1; n <= FRAMES; n++)); do
  [ "$n" = "$LATE" ] && continue
  ORDER+=("$n")
  [ "$n" = $((LATE + 2)) ] && ORDER+=("$LATE")
done
in_order "$WORK/late-after-ack.pcap" "${ORDER[@]}"

log "midstream: the capture starts after the handshake (first frames cut)"
range "${DATA_FRAMES[2]}" "$FRAMES" "$WORK/midstream.pcap"

log "seq-wrap: chunked.pcap with its sequence numbers rewritten to wrap past 2^32 inside both streams"
node --input-type=module - "$WORK/chunked.pcap" "$WORK/seq-wrap.pcap" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs';
const [input, output] = process.argv.slice(2);
const buf = readFileSync(input);
if (buf.readUInt32LE(0) !== 0xa1b2c3d4 || buf.readUInt32LE(20) !== 1) throw new Error('expected a µs pcap of Ethernet frames');
// New initial sequence numbers: the client wraps inside its first flight, the server a few segments in.
const target = { client: 0x100000000 - 400, server: 0x100000000 - 6000 };
const isn = {};
let clientKey = null;
const shift = (dir, value) => (value - isn[dir] + target[dir]) >>> 0;
for (let off = 24; off + 16 <= buf.length; ) {
  const caplen = buf.readUInt32LE(off + 8);
  const frame = off + 16;
  off = frame + caplen;
  if (buf.readUInt16BE(frame + 12) !== 0x0800) continue;
  const ip = frame + 14;
  if (buf[ip + 9] !== 6) continue;
  const tcp = ip + (buf[ip] & 0x0f) * 4;
  const key = `${buf.readUInt16BE(tcp)}`;
  const flags = buf[tcp + 13];
  if (clientKey === null) clientKey = key; // the first frame is the client SYN
  const dir = key === clientKey ? 'client' : 'server';
  const other = dir === 'client' ? 'server' : 'client';
  const seq = buf.readUInt32BE(tcp + 4);
  if (isn[dir] === undefined) isn[dir] = seq;
  buf.writeUInt32BE(shift(dir, seq), tcp + 4);
  if (flags & 0x10 && isn[other] !== undefined) buf.writeUInt32BE(shift(other, buf.readUInt32BE(tcp + 8)), tcp + 8);
  const end = tcp + (buf[tcp + 12] >> 4) * 4;
  for (let o = tcp + 20; o < end; ) {
    const kind = buf[o];
    if (kind === 0) break;
    if (kind === 1) { o++; continue; }
    const len = buf[o + 1];
    if (len < 2) break;
    if (kind === 5) for (let b = o + 2; b + 8 <= o + len; b += 4) buf.writeUInt32BE(shift(other, buf.readUInt32BE(b)), b);
    o += len;
  }
}
writeFileSync(output, buf);
EOF

for f in parallel-20 reused-4tuple rst chunked lost duplicated reordered late-after-ack midstream seq-wrap; do
  cp "$WORK/$f.pcap" "$OUT/$f.pcap"
  size=$(stat -c %s "$OUT/$f.pcap")
  [ "$size" -le 100000 ] || log "warning: $f.pcap is $size bytes (over 100 KB)"
  log "$f.pcap: $size bytes, $(tshark -r "$OUT/$f.pcap" 2>/dev/null -T fields -e tcp.stream | sort -u | wc -l) TCP stream(s)"
done
