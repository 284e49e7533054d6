#!/usr/bin/env bash
# Pulls real handshake messages out of real captures into small JSON fixtures under test/fixtures/handshake/,
# together with tshark's own field values for each message, so the parser tests can compare against tshark.
#
# Sources: the JA4 conformance captures (../shared/conformance/ja4/captures), the small captures recorded for
# these tests (test/fixtures/handshake/captures/*.pcap, e.g. Java's SSLv2-compatible ClientHello) and, when
# present, the project's captures/mtls/*.pcap and captures/server/*.pcap. One fixture file per capture:
#   test/fixtures/handshake/<set>--<capture>.json
#   { source, tshark, messages: [ { frame, stream, src, dst, srcport, dstport, fromServer, msgType, hex, tshark } ] }
# An SSLv2-compatible ClientHello has `sslv2Record` (the whole SSLv2 record) instead of `hex`.
# `hex` is the whole handshake message (4-byte header included) as tshark reassembled it (tls.handshake_raw);
# `tshark` holds tshark's field values for that message (tls.handshake.* fields, values as strings).
#
# Every ClientHello and HelloRetryRequest is kept (JA4 conformance needs every first ClientHello); ServerHellos up to 5 × $PER_TYPE
# per capture; of the other message types at most $PER_TYPE per capture, and none bigger than $MAX_BYTES bytes, to keep fixtures small.
# Encrypted handshake messages are not visible to tshark without keys and are skipped.
#
# Usage: scripts/extract-handshake-fixtures.sh   (needs tshark >= 4.0 and python3)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/test/fixtures/handshake"
ja4_captures="$(cd "$here/.." && pwd)/shared/conformance/ja4/captures"
PER_TYPE="${PER_TYPE:-2}"
MAX_BYTES="${MAX_BYTES:-12000}"
mkdir -p "$out"
tshark_version="$(tshark -v 2>/dev/null | head -1)"

extract() { # <set name> <capture path> <path recorded in the fixture>
  local set="$1" capture="$2" shown="$3" name
  name="$(basename "$capture")"
  local opts=() port keylog="${capture%.*}.keys.log"
  # Test servers listen on unregistered ports: tell tshark that every server port in the capture is TLS.
  for port in $(tshark -r "$capture" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields -e tcp.dstport 2>/dev/null | sort -u); do
    opts+=(-d "tcp.port==$port,tls")
  done
  # A key log next to the capture lets tshark show TLS 1.3's encrypted handshake (Certificate, CertificateRequest).
  [ -f "$keylog" ] && opts+=(-o "tls.keylog_file:$keylog")
  tshark -r "$capture" "${opts[@]}" -Y 'tls.handshake.type' -T json -x --no-duplicate-keys \
    -o tls.desegment_ssl_records:TRUE -o tls.desegment_ssl_application_data:TRUE 2>/dev/null |
    SOURCE="$shown" TSHARK="$tshark_version" PER_TYPE="$PER_TYPE" MAX_BYTES="$MAX_BYTES" python3 -c '
import json, os, sys

packets = json.load(sys.stdin)
per_type = int(os.environ["PER_TYPE"])
max_bytes = int(os.environ["MAX_BYTES"])
kept_per_type = {}
negotiated = {}
messages = []

def as_list(v):
    return v if isinstance(v, list) else [v]

WANTED = set("""
tls.handshake.type tls.handshake.version tls.handshake.random tls.handshake.session_id_length
tls.handshake.cipher_suites_length tls.handshake.ciphersuite tls.handshake.comp_method tls.handshake.extensions_length
tls.handshake.extension.type tls.handshake.extensions_server_name tls.handshake.extensions_alpn_str
tls.handshake.extensions.supported_version tls.handshake.sig_hash_alg tls.handshake.extensions_supported_group
tls.handshake.extensions_key_share_group tls.handshake.extensions_key_share_selected_group
tls.handshake.extensions_ec_point_format tls.handshake.extensions_status_request_type tls.handshake.extensions_reneg_info_len
tls.extension.psk_ke_mode tls.record_size_limit
tls.handshake.certificates_length tls.handshake.certificate_length tls.handshake.certificate_request_context_length
tls.handshake.cert_types_count tls.handshake.cert_type tls.handshake.dnames_len tls.handshake.dname_len
tls.handshake.server_curve_type tls.handshake.server_named_curve tls.handshake.server_point_len tls.handshake.p_len
tls.handshake.sig_len tls.handshake.client_point_len tls.handshake.epms_len tls.handshake.client_cert_vrfy.sig_len
tls.handshake.ocsp_response_len tls.handshake.session_ticket_lifetime_hint tls.handshake.session_ticket_age_add
tls.handshake.session_ticket_length tls.handshake.session_ticket_nonce_length tls.handshake.key_update.request_update
tls.handshake.verify_data tls.handshake.cipherspec tls.handshake.cipher_spec_len tls.handshake.challenge_length
tls.handshake.ja3_full tls.handshake.ja3 tls.handshake.ja3s_full tls.handshake.ja3s
""".split())

def fields(tree, acc):
    """Values tshark shows for one handshake message: the WANTED fields (as strings) and the DER of each CA name
    (tls.handshake.dname_raw → tls.handshake.dname_hex); X.509 subtrees are not entered."""
    if isinstance(tree, list):
        for item in tree:
            fields(item, acc)
        return
    if not isinstance(tree, dict):
        return
    for key, value in tree.items():
        if key == "tls.handshake.dname_raw":
            raws = value if isinstance(value[0], list) else [value]
            acc.setdefault("tls.handshake.dname_hex", []).extend(r[0] for r in raws)
        elif key.startswith("x509"):
            continue
        elif key in WANTED:
            for v in as_list(value):
                if isinstance(v, str):
                    acc.setdefault(key, []).append(v)
        elif isinstance(value, (dict, list)) and not key.endswith("_raw"):
            fields(value, acc)

for packet in packets:
    layers = packet["_source"]["layers"]
    frame = int(layers["frame"]["frame.number"])
    ip = layers.get("ip") or layers.get("ipv6") or {}
    if isinstance(ip, list):
        ip = ip[-1]
    src = ip.get("ip.src") or ip.get("ipv6.src")
    dst = ip.get("ip.dst") or ip.get("ipv6.dst")
    tcp = layers.get("tcp", {})
    if isinstance(tcp, list):
        tcp = tcp[-1]
    for tls in as_list(layers.get("tls", [])):
        if not isinstance(tls, dict):
            continue
        records = as_list(tls.get("tls.record", []))
        record_raws = tls.get("tls.record_raw", [])
        record_raws = record_raws if record_raws and isinstance(record_raws[0], list) else [record_raws]
        for record, record_raw in zip(records, record_raws):
            if isinstance(record, dict) and record.get("tls.record.version") == "0x0002" and record.get("tls.handshake.type") == "1":
                # SSLv2-compatible ClientHello: keep the whole record (2-byte header included).
                acc = {}
                fields(record, acc)
                messages.append({
                    "frame": frame, "stream": int(tcp.get("tcp.stream", -1)), "context": {},
                    "src": src, "dst": dst, "srcport": tcp.get("tcp.srcport"), "dstport": tcp.get("tcp.dstport"),
                    "msgType": 1, "sslv2Record": record_raw[0], "hex": "", "tshark": acc,
                })
                continue
            if not isinstance(record, dict) or "tls.handshake_raw" not in record:
                continue
            raws = record["tls.handshake_raw"]
            raws = raws if isinstance(raws[0], list) else [raws]
            trees = as_list(record.get("tls.handshake", []))
            for raw, tree in zip(raws, trees):
                hexstr = raw[0]
                if not isinstance(tree, dict) or "tls.handshake.type" not in tree:
                    continue
                msg_type = int(hexstr[:2], 16)
                stream = int(tcp.get("tcp.stream", -1))
                acc = {}
                fields(tree, acc)
                if msg_type == 24 and "tls.handshake.key_update.request_update" in record:
                    # tshark 4.0 puts KeyUpdate.request_update beside the handshake tree, not in it.
                    acc["tls.handshake.key_update.request_update"] = as_list(record["tls.handshake.key_update.request_update"])
                if msg_type == 2:
                    # What tshark says was negotiated: the context the other messages of this stream are parsed in.
                    version = (acc.get("tls.handshake.extensions.supported_version") or acc.get("tls.handshake.version") or [None])[0]
                    suite = (acc.get("tls.handshake.ciphersuite") or [None])[0]
                    negotiated[stream] = {"version": int(version, 16) if version else None, "cipherSuite": int(suite, 16) if suite else None}
                length = int(hexstr[2:8], 16)
                if len(hexstr) != 2 * (4 + length):
                    continue  # not fully visible in this frame
                # A HelloRetryRequest is a ServerHello with the RFC 8446 magic random: always kept.
                hello_retry = msg_type == 2 and hexstr[12:76] == "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
                if msg_type != 1 and not hello_retry:
                    limit = 5 * per_type if msg_type == 2 else per_type
                    if length > max_bytes or kept_per_type.get(msg_type, 0) >= limit:
                        continue
                    kept_per_type[msg_type] = kept_per_type.get(msg_type, 0) + 1
                messages.append({
                    "frame": frame,
                    "stream": stream,
                    "context": negotiated.get(stream, {}),
                    "src": src, "dst": dst,
                    "srcport": tcp.get("tcp.srcport"), "dstport": tcp.get("tcp.dstport"),
                    "msgType": msg_type,
                    "hex": hexstr,
                    "tshark": acc,
                })

# The side that sent a ServerHello on a stream is the server.
servers = {(m["stream"], m["src"], m["srcport"]) for m in messages if m["msgType"] == 2}
for m in messages:
    m["fromServer"] = (m["stream"], m["src"], m["srcport"]) in servers

# One message per line keeps the files small and their diffs readable.
sys.stdout.write("{\"source\": %s,\n \"tshark\": %s,\n \"messages\": [\n" % (json.dumps(os.environ["SOURCE"]), json.dumps(os.environ["TSHARK"])))
sys.stdout.write(",\n".join("  " + json.dumps(m, separators=(",", ":")) for m in messages))
sys.stdout.write("\n]}\n")
' >"$out/$set--$name.json"
  echo "$set/$name: $(grep -c '"msgType"' "$out/$set--$name.json") messages" >&2
}

for capture in "$ja4_captures"/*; do
  extract ja4 "$capture" "shared/conformance/ja4/captures/$(basename "$capture")"
done
for capture in "$out"/captures/*.pcap; do
  [ -f "$capture" ] || continue
  extract local "$capture" "test/fixtures/handshake/captures/$(basename "$capture")"
done
for set in mtls server; do
  for capture in "$here"/captures/"$set"/*.pcap "$here"/captures/"$set"/*.pcapng; do
    [ -f "$capture" ] || continue
    extract "$set" "$capture" "captures/$set/$(basename "$capture")"
  done
done
