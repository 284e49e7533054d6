#!/usr/bin/env bash
# Records the small captures in captures/formats/ that exercise every capture format and link type the reader
# handles: real HTTPS requests (curl and openssl s_client against openssl s_server) on loopback, captured by
# tcpdump and dumpcap, then merged, concatenated, gzip'd and given a Decryption Secrets Block by Wireshark's
# own tools. Safe to re-run: every output is rewritten. Ports 20000-20999 only.
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$SCRIPTS/lib.sh"

OUT="$CAPTURES_DIR/formats"
WORK="$CAPTURES_WORK/formats"
PORT4=20443
PORT6=20446
mkdir -p "$OUT" "$WORK"

need() { command -v "$1" >/dev/null || die "$1 is not installed"; }
for tool in openssl curl tcpdump dumpcap mergecap editcap gzip; do need "$tool"; done

SERVER_PIDS=()
CAPTURE_PIDS=()
cleanup() {
  local pid
  for pid in "${CAPTURE_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# A throwaway self-signed P-256 server certificate keeps the handshakes (and the captures) small.
if [ ! -s "$WORK/server.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout "$WORK/server.key" -out "$WORK/server.crt" 2>/dev/null
fi

start_server() { # PORT ACCEPT-ADDRESS
  wait_port_free "$1" 5 || die "port $1 is busy"
  openssl s_server -quiet -www -accept "$2" -cert "$WORK/server.crt" -key "$WORK/server.key" \
    >"$WORK/s_server.$1.log" 2>&1 &
  SERVER_PIDS+=($!)
  wait_port "$1" 10
}

# capture NAME TOOL ARGS...: starts a capture writing $WORK/NAME, waits until it listens.
capture() {
  local name="$1" tool="$2" errf="$WORK/$1.err" i
  shift 2
  rm -f "$WORK/$name"
  : >"$errf"
  case "$tool" in
    tcpdump) tcpdump -U --immediate-mode "$@" -w "$WORK/$name" 2>"$errf" & ;;
    dumpcap) dumpcap -q "$@" -w "$WORK/$name" 2>"$errf" & ;;
  esac
  CAPTURE_PIDS+=($!)
  for ((i = 0; i < 200; i++)); do
    grep -qiE 'listening on|capturing on' "$errf" && { sleep 0.3; return 0; }
    sleep 0.05
  done
  cat "$errf" >&2
  die "$tool did not start for $name"
}

stop_captures() {
  local pid
  sleep 0.7
  for pid in "${CAPTURE_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${CAPTURE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  CAPTURE_PIDS=()
}

FILTER4="tcp port $PORT4"
FILTER6="tcp port $PORT6"
: >"$WORK/keylog.txt"

start_server "$PORT4" "127.0.0.1:$PORT4"
start_server "$PORT6" "[::1]:$PORT6"

log "recording IPv4 requests with tcpdump (µs, ns, snaplen 96, -i any), dumpcap (lo and any)"
capture pcap-us.pcap tcpdump -i lo -s 0 "$FILTER4"
capture pcap-ns.pcap tcpdump -i lo -s 0 --time-stamp-precision=nano "$FILTER4"
capture snaplen-96.pcap tcpdump -i lo -s 96 "$FILTER4"
capture any-sll2.pcap tcpdump -i any -s 0 "$FILTER4"
capture any-sll.pcap tcpdump -i any -y LINUX_SLL -s 0 "$FILTER4"
capture dumpcap-lo.pcapng dumpcap -i lo -f "$FILTER4"

# Two real requests: TLS 1.3 with curl, TLS 1.2 with openssl s_client; both write their key log.
SSLKEYLOGFILE="$WORK/keylog.txt" curl -sk --max-time 10 -o /dev/null "https://127.0.0.1:$PORT4/"
printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client -quiet -tls1_2 -connect "127.0.0.1:$PORT4" \
  -keylogfile "$WORK/keylog.tls12.txt" >/dev/null 2>&1 || true
cat "$WORK/keylog.tls12.txt" >>"$WORK/keylog.txt"
stop_captures

log "recording IPv6 requests"
capture ipv6.pcap tcpdump -i lo -s 0 "$FILTER6"
curl -sk --max-time 10 -o /dev/null "https://[::1]:$PORT6/"
printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client -quiet -tls1_2 -connect "[::1]:$PORT6" >/dev/null 2>&1 || true
stop_captures

log "deriving merged, multi-section, gzip'd and secrets-carrying captures"
for f in pcap-us.pcap pcap-ns.pcap snaplen-96.pcap any-sll2.pcap any-sll.pcap dumpcap-lo.pcapng ipv6.pcap; do
  cp "$WORK/$f" "$OUT/$f"
done
# Two interfaces with different link types in one section: loopback Ethernet (dumpcap -i lo) and
# Linux cooked v2 (tcpdump -i any), merged by time; each packet appears once per interface.
mergecap -F pcapng -w "$OUT/two-interfaces.pcapng" "$WORK/dumpcap-lo.pcapng" "$WORK/any-sll2.pcap"
# Two sections: pcapng allows plain concatenation; interface ids restart in the second section.
cat "$WORK/dumpcap-lo.pcapng" "$OUT/two-interfaces.pcapng" >"$OUT/two-sections.pcapng"
# The key log of the real curl and s_client runs above, embedded as a Decryption Secrets Block.
editcap --inject-secrets "tls,$WORK/keylog.txt" "$WORK/dumpcap-lo.pcapng" "$OUT/with-secrets.pcapng"
gzip -n -9 -c "$WORK/pcap-us.pcap" >"$OUT/pcap-us.pcap.gz"
# A gzip'd file whose name does not say so: detection is by magic.
gzip -n -9 -c "$WORK/dumpcap-lo.pcapng" >"$OUT/gzip-without-suffix.pcapng"

for f in "$OUT"/*; do
  size=$(stat -c %s "$f")
  [ "$size" -le 60000 ] || log "warning: $f is $size bytes"
  log "$(basename "$f"): $size bytes"
done
