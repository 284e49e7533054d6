#!/bin/sh
# Records one real bulk HTTPS transfer for the benchmark: curl downloads a file from `openssl s_server -WWW`
# over TLS 1.3 on loopback, captured by tcpdump. Run inside a private network namespace whose loopback has a
# 1500-byte MTU and segmentation offload capped at one segment, so the packets look like an Ethernet link's (a plain `lo` would
# give 64 KiB packets); falls back to the host's loopback when namespaces are not allowed.
# Usage: bench/record-bulk.sh <out.pcap> [size-MiB] [port]
set -eu
out=$1
size=${2:-20}
port=${3:-24443}
work=$(mktemp -d)
trap 'kill $server $dump 2>/dev/null || true; rm -rf "$work"; [ -n "${ns:-}" ] && ip netns delete "$ns" 2>/dev/null || true' EXIT

ns=tlsdiag-bench-$$
run=""
if ip netns add "$ns" 2>/dev/null; then
  run="ip netns exec $ns"
  $run ip link set lo mtu 1500 gso_max_size 1500 gso_max_segs 1 up
else
  ns=""
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench.test \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
head -c "$((size * 1024 * 1024))" /dev/urandom > "$work/file.bin"
cd "$work"
$run openssl s_server -quiet -WWW -accept "$port" -cert cert.pem -key key.pem >/dev/null 2>&1 &
server=$!
$run tcpdump -i lo -s 0 -U -w "$out" "tcp port $port" 2>/dev/null &
dump=$!
sleep 1
$run curl -sk --retry 5 --retry-connrefused -o /dev/null "https://127.0.0.1:$port/file.bin"
sleep 1
kill $dump; wait $dump 2>/dev/null || true
