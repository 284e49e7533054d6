#!/usr/bin/env bash
# Server-side, protocol and decryption scenarios: records one real connection per scenario into
# captures/server/<name>.pcap with <name>.keys.log (when the client can write one) and <name>.meta.json.
#
#   bash captures/scripts/server.sh            # every scenario
#   bash captures/scripts/server.sh NAME...    # only these (names as in captures/server/)
#   SERVER_CHECK_ONLY=1 bash captures/scripts/server.sh [NAME...]   # only check the captures with tshark
#
# Peers: openssl s_server / s_client 3.0 and curl 7.88, on loopback ports 23700-23799.
# Extra certificates (expired, weak, v1, self-signed, OCSP responder …) are issued into
# captures/work/server-pki from the test PKI of pki.sh; private keys stay there (git-ignored).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT="$CAPTURES_DIR/server"
SPKI="$CAPTURES_WORK/server-pki"
RUN="$CAPTURES_WORK/server-run"
CHECK_ONLY="${SERVER_CHECK_ONLY:-0}"

[ -f "$PKI_WORK/intermediate.key" ] || bash "$CAPTURES_DIR/scripts/pki.sh"
mkdir -p "$OUT" "$SPKI" "$RUN"

ROOT="$PKI_WORK/root.crt"
INTER="$PKI_WORK/intermediate.crt"

# ---------------------------------------------------------------------------------------------
# Extra certificates, all issued by the test intermediate (except the self-signed one).

VALID_START=20250101000000Z
VALID_END=20450101000000Z

server_pki() {
  cd "$SPKI"
  # One file for `openssl ca -extfile` and `openssl req -config` (which needs the [req] section).
  cat >ext.cnf <<'CNF'
[req]
distinguished_name = dn
[dn]

[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_server_selfsigned]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash

[v3_server_wrong_name]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_server_clientauth_only]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_ca_pathlen1]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_ca_pathlen0]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_ocsp]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

  # An `openssl ca` database per issuer (explicit start/end dates need `openssl ca` in openssl 3.0).
  ca_db() { # ca_db DIR CERT KEY
    mkdir -p "$1"
    [ -f "$1/index.txt" ] || : >"$1/index.txt"
    cat >"$1/ca.cnf" <<CNF
[ca]
default_ca = this_ca
[this_ca]
dir = $SPKI/$1
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
certificate = $2
private_key = $3
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
commonName = supplied
organizationName = optional
countryName = optional
CNF
  }
  ca_db ca "$INTER" "$PKI_WORK/intermediate.key"
  ca_db ca-root "$ROOT" "$PKI_WORK/root.key"

  srv_key() { # srv_key NAME BITS
    [ -f "$1.key" ] && return 0
    openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1.key" 2>/dev/null
    chmod 600 "$1.key"
  }
  # srv_cert NAME SUBJECT EXT_SECTION|none SERIAL START END [MD] [CA_DIR]
  srv_cert() {
    local name="$1" subj="$2" ext="$3" serial="$4" start="$5" end="$6" md="${7:-sha256}" db="${8:-ca}" extopt=()
    [ -f "$name.crt" ] && return 0
    openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null
    # Without -extensions `openssl ca` writes an X.509 v1 certificate.
    [ "$ext" != none ] && extopt=(-extfile ext.cnf -extensions "$ext")
    echo "$serial" >"$db/serial"
    openssl ca -batch -config "$db/ca.cnf" -notext -preserveDN -md "$md" -startdate "$start" -enddate "$end" \
      "${extopt[@]}" -in "$name.csr" -out "$name.crt" 2>"$name.err" || { cat "$name.err" >&2; die "signing $name"; }
    rm -f "$name.csr" "$name.err"
  }

  srv_key srv-expired 2048
  srv_key srv-notyet 2048
  srv_key srv-wrong-name 2048
  srv_key srv-clientauth-only 2048
  srv_key srv-selfsigned 2048
  srv_key srv-rsa1024 1024
  srv_key srv-sha1 2048
  srv_key srv-v1 2048
  srv_key srv-ocsp 2048
  srv_key ocsp-responder 2048
  srv_key policy-ca 2048
  srv_key issuing-ca 2048
  srv_key srv-deep 2048

  srv_cert srv-expired "/O=tlsdiag/CN=localhost" v3_server 4001 20200101000000Z 20210101000000Z
  srv_cert srv-notyet "/O=tlsdiag/CN=localhost" v3_server 4002 20350101000000Z 20360101000000Z
  srv_cert srv-wrong-name "/O=tlsdiag/CN=www.example.test" v3_server_wrong_name 4003 $VALID_START $VALID_END
  srv_cert srv-clientauth-only "/O=tlsdiag/CN=localhost" v3_server_clientauth_only 4004 $VALID_START $VALID_END
  srv_cert srv-rsa1024 "/O=tlsdiag/CN=localhost" v3_server 4005 $VALID_START $VALID_END
  srv_cert srv-sha1 "/O=tlsdiag/CN=localhost" v3_server 4006 $VALID_START $VALID_END sha1
  srv_cert srv-v1 "/O=tlsdiag/CN=localhost" none 4007 $VALID_START $VALID_END
  srv_cert srv-ocsp "/O=tlsdiag/CN=localhost" v3_server 4008 $VALID_START $VALID_END
  srv_cert ocsp-responder "/O=tlsdiag/CN=tlsdiag Test OCSP Responder" v3_ocsp 4009 $VALID_START $VALID_END
  # A two-intermediate chain (root → Policy CA → Issuing CA → leaf), so that a chain can be sent in
  # the wrong order without the root in it: servers always put the certificate matching their key
  # first, so "leaf, upper CA, lower CA" is the misordering a real server can send.
  srv_cert policy-ca "/O=tlsdiag/CN=tlsdiag Test Policy CA" v3_ca_pathlen1 1201 $VALID_START $VALID_END sha256 ca-root
  ca_db ca-policy "$SPKI/policy-ca.crt" "$SPKI/policy-ca.key"
  srv_cert issuing-ca "/O=tlsdiag/CN=tlsdiag Test Issuing CA" v3_ca_pathlen0 5001 $VALID_START $VALID_END sha256 ca-policy
  ca_db ca-issuing "$SPKI/issuing-ca.crt" "$SPKI/issuing-ca.key"
  srv_cert srv-deep "/O=tlsdiag/CN=localhost" v3_server 6001 $VALID_START $VALID_END sha256 ca-issuing

  if [ ! -f srv-selfsigned.crt ]; then
    openssl req -new -x509 -key srv-selfsigned.key -subj "/O=tlsdiag/CN=localhost" -days 7300 -sha256 \
      -config ext.cnf -extensions v3_server_selfsigned -set_serial 0x4010 \
      -out srv-selfsigned.crt 2>/dev/null || die "self-signed certificate"
  fi

  # Bundles: leaf + intermediate as the server sends them.
  for n in srv-expired srv-notyet srv-wrong-name srv-clientauth-only srv-rsa1024 srv-sha1 srv-v1 srv-ocsp; do
    cat "$n.crt" "$INTER" >"$n-chain.crt"
  done
  cat "$INTER" "$ROOT" >srv-chain-with-root.crt # -cert_chain: what follows the leaf
  cat policy-ca.crt issuing-ca.crt >srv-deep-misordered-chain.crt
  cat issuing-ca.crt policy-ca.crt >srv-deep-chain.crt
  cd - >/dev/null
}

# OCSP responses for srv-ocsp (serial 4008), signed by the delegated responder. Each status gets its
# own index.txt: good (V), revoked with reason keyCompromise (R), unknown (serial absent).
ocsp_responses() {
  cd "$SPKI"
  local vline enddate subj status
  vline="$(grep -P '^V\t[0-9]+Z\t\t4008\t' ca/index.txt | head -1)"
  [ -n "$vline" ] || die "srv-ocsp is not in the server CA database"
  enddate="$(cut -f2 <<<"$vline")"
  subj="$(cut -f6 <<<"$vline")"
  printf '%s\n' "$vline" >ocsp-good.index
  printf 'R\t%s\t%s,keyCompromise\t4008\tunknown\t%s\n' "$enddate" "251101000000Z" "$subj" >ocsp-revoked.index
  grep -vP '\t4008\t' ca/index.txt >ocsp-unknown.index || true
  for status in good revoked unknown; do echo 'unique_subject = no' >"ocsp-$status.index.attr"; done
  for status in good revoked unknown; do
    openssl ocsp -index "ocsp-$status.index" -CA "$INTER" -rsigner ocsp-responder.crt -rkey ocsp-responder.key \
      -issuer "$INTER" -cert srv-ocsp.crt -ndays 7 -respout "ocsp-$status.der" >"ocsp-$status.txt" 2>&1 \
      || { cat "ocsp-$status.txt" >&2; die "ocsp response $status"; }
  done
  cd - >/dev/null
}

# The stale response has nextUpdate one minute after it is made; curl tolerates 5 minutes of clock
# skew (OCSP_check_validity(…, 300, …)), so the scenario that uses it runs last and waits.
ocsp_stale_response() {
  cd "$SPKI"
  openssl ocsp -index ocsp-good.index -CA "$INTER" -rsigner ocsp-responder.crt -rkey ocsp-responder.key \
    -issuer "$INTER" -cert srv-ocsp.crt -nmin 1 -respout ocsp-stale.der >ocsp-stale.txt 2>&1 \
    || { cat ocsp-stale.txt >&2; die "ocsp stale response"; }
  OCSP_STALE_MADE=$(date +%s)
  cd - >/dev/null
}

# ---------------------------------------------------------------------------------------------
# Recording one connection.
#
# A scenario calls `begin NAME PORT`, sets SRV (server argv), CLI (client argv), optionally CLI_IN
# (bytes for the client's stdin, held open CLI_HOLD seconds), SRV_IN (a feeder command whose stdout
# becomes the server's stdin) and KEYLOG=1 when the client writes its key log through SSLKEYLOGFILE
# to $KEYS; then calls `record`, which leaves CLIENT_EXIT, CLIENT_LOG and SERVER_LOG for `meta`.

reset_case() {
  SRV=() CLI=() CLI_IN="" CLI_HOLD=0 SRV_IN="" KEYLOG=0 CLIENT_WAIT=20
}

# quote ARGV...: one shell-readable line for meta.json.
quote() {
  local out="" a
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then out+="$a "; else out+="'${a//\'/\'\\\'\'}' "; fi
  done
  printf '%s' "${out% }"
}

# begin NAME PORT: start describing a scenario.
begin() {
  reset_case
  CASE="$1" PORT="$2"
  KEYS="$OUT/$CASE.keys.log"
}

record() {
  local name="$CASE" port="$PORT" i
  [ "$CHECK_ONLY" = 1 ] && return 0
  CLIENT_LOG="$RUN/$name.client.log"
  SERVER_LOG="$CAPTURES_WORK/srv-$name.log"
  rm -f "$OUT/$name.pcap" "$OUT/$name.pcapng" "$KEYS" "$OUT/$name.meta.json"
  wait_port_free "$port" 5 || die "port $port busy"
  capture_start "$OUT/$name.pcap" "$port"
  (
    cd "$RUN"
    if [ -n "$SRV_IN" ]; then
      # The server reads its interactive commands from a fifo that the feeder writes; s_server ends
      # the connection when its stdin closes, so the feeder decides when the connection is over.
      rm -f "$RUN/$name.fifo" && mkfifo "$RUN/$name.fifo"
      start_bg "srv-$name" bash -c 'fifo="$1"; shift; exec "$@" <"$fifo"' _ "$RUN/$name.fifo" "${SRV[@]}"
      export SERVER_LOG
      start_bg "feed-$name" bash -c "{ $SRV_IN ; } >'$RUN/$name.fifo'"
    else
      start_bg "srv-$name" "${SRV[@]}"
    fi
  )
  wait_port "$port" 10 || { cat "$SERVER_LOG" >&2; die "$name: server did not start"; }
  set +e
  (
    cd "$RUN"
    if [ "$KEYLOG" = 1 ]; then export SSLKEYLOGFILE="$KEYS"; else unset SSLKEYLOGFILE; fi
    if [ -n "$CLI_IN" ]; then
      # The pipe stays open CLIENT_WAIT seconds at most, so a client that reads stdin does not quit early.
      { printf '%b' "$CLI_IN"; sleep "$CLI_HOLD"; } | timeout "$CLIENT_WAIT" "${CLI[@]}"
    else
      timeout "$CLIENT_WAIT" "${CLI[@]}" </dev/null
    fi
  ) >"$CLIENT_LOG" 2>&1
  CLIENT_EXIT=$?
  set -e
  # -naccept 1 servers end by themselves once the connection is over.
  for ((i = 0; i < 60; i++)); do
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q . || break
    sleep 0.05
  done
  sleep 0.3
  stop_bg "srv-$name"
  stop_bg "feed-$name"
  capture_stop
  [ -s "$KEYS" ] || rm -f "$KEYS"
  log "$name: client exit $CLIENT_EXIT"
}

# said FILE REGEX: the matching lines of a peer's output, joined with " | " (at most 4). Patterns are
# chosen so that no secret (Master-Key, session ticket, key log line) can match.
said() {
  local file="$1" pat="$2"
  grep -E -- "$pat" "$file" 2>/dev/null | grep -v -E 'Master-Key|Session-ID|TICKET|SECRET|CLIENT_RANDOM|^[A-Za-z0-9+/=]{20,}$' \
    | tr -d '\r' | awk '!seen[$0]++' | head -4 | paste -sd '|' | sed 's/|/ | /g' || true
}

CLIENT_PAT='^HTTP [0-9]|curl: \(|error|alert|Verification|Verify return code|^Protocol|^Cipher is|New, |HTTP/1|OCSP Response Status|Cert Status|Revocation Reason|hello from'
SERVER_PAT='error|alert|ERROR|CIPHER is|^Protocol|verify|depth=|Shared ciphers|Client certificate|SSL_do_handshake|Failed'

# meta DESCRIPTION SERVER_NAME CLIENT_NAME WIRE_JSON
meta() {
  write_meta "$OUT/$CASE.meta.json" "$CASE" "$1" "$2" "$3" "$CLIENT_EXIT" \
    "$(said "$CLIENT_LOG" "$CLIENT_PAT")" "$(said "$SERVER_LOG" "$SERVER_PAT")" "$4" \
    "$( [ -n "$SRV_IN" ] && printf '{ %s; } | ' "$SRV_IN")$(quote "${SRV[@]}")" \
    "$( [ "$KEYLOG" = 1 ] && printf 'SSLKEYLOGFILE=%s ' "captures/server/$CASE.keys.log")$(client_stdin)$(quote "${CLI[@]}")"
}

# client_stdin: how the client's stdin was fed, as a shell prefix for meta.json.
client_stdin() {
  [ -n "$CLI_IN" ] || return 0
  if [ "$CLI_HOLD" != 0 ]; then printf "{ printf '%s'; sleep %s; } | " "$CLI_IN" "$CLI_HOLD"; else printf "printf '%s' | " "$CLI_IN"; fi
}

# finish DESCRIPTION SERVER_NAME CLIENT_NAME WIRE_JSON: write meta.json (with keyLog: the key log
# beside the capture, or null), then compare the wire's first fatal alert with the expectation.
finish() {
  [ "$CHECK_ONLY" = 1 ] || write_case_meta "$@"
  local from desc
  from="$(node -e 'const a = JSON.parse(process.argv[1]).alert; console.log(a ? a.from : "")' "$4")"
  desc="$(node -e 'const a = JSON.parse(process.argv[1]).alert; console.log(a ? a.description : "none")' "$4")"
  check_alert "$CASE" "$from" "$desc"
  log "$CASE wire: $(wire "$CASE" "$KEYS")"
}
write_case_meta() {
  meta "$@"
  node -e '
    const fs = require("node:fs");
    const [file, keys] = process.argv.slice(1);
    const meta = JSON.parse(fs.readFileSync(file, "utf8"));
    meta.keyLog = fs.existsSync(keys) ? require("node:path").basename(keys) : null;
    fs.writeFileSync(file, JSON.stringify(meta, null, 2) + "\n");
  ' "$OUT/$CASE.meta.json" "$KEYS"
}

# Alert numbers of the descriptions used below, to check the wire against the expectation.
alert_number() {
  case "$1" in
    close_notify) echo 0 ;; unexpected_message) echo 10 ;; handshake_failure) echo 40 ;;
    bad_certificate) echo 42 ;; unsupported_certificate) echo 43 ;; certificate_revoked) echo 44 ;;
    certificate_expired) echo 45 ;; certificate_unknown) echo 46 ;; unknown_ca) echo 48 ;;
    decrypt_error) echo 51 ;; protocol_version) echo 70 ;; insufficient_security) echo 71 ;;
    internal_error) echo 80 ;; bad_certificate_status_response) echo 113 ;; certificate_required) echo 116 ;;
    *) echo "?" ;;
  esac
}

# wire NAME [KEYLOG]: a one-line summary of what tshark sees (handshake types and fatal alerts).
wire() {
  local f="$OUT/$1.pcap" opt=(-d "tcp.port==$PORT,tls")
  [ -f "$f" ] || f="$OUT/$1.pcapng"
  [ -n "${2:-}" ] && [ -f "$2" ] && opt+=(-o "tls.keylog_file:$2")
  tshark -r "$f" "${opt[@]}" -Y tls -T fields -e tcp.srcport -e tls.handshake.type -e tls.alert_message.level \
    -e tls.alert_message.desc 2>/dev/null | awk -v p="$PORT" '{ who = ($1 == p) ? "S" : "C"; $1 = ""; print who ":" $0 }' \
    | paste -sd ';'
}

# check_alert NAME FROM DESCRIPTION|none: warn when the fatal alert on the wire differs from the
# expectation written in meta.json (decrypting with the key log when there is one).
check_alert() {
  local name="$1" from="$2" desc="$3" keys="$OUT/$1.keys.log" f="$OUT/$1.pcap" got want opt=(-d "tcp.port==$PORT,tls")
  [ -f "$keys" ] && opt+=(-o "tls.keylog_file:$keys")
  got="$(tshark -r "$f" "${opt[@]}" -Y 'tls.alert_message.level == 2' -T fields -e tcp.srcport \
    -e tls.alert_message.desc 2>/dev/null | awk -v p="$PORT" '{ print (($1 == p) ? "server" : "client") ":" $2 }' | head -1)"
  if [ "$desc" = none ]; then want=""; else want="$from:$(alert_number "$desc")"; fi
  if [ "$got" != "$want" ]; then
    log "WARNING $name: expected fatal alert '${want:-none}', the wire has '${got:-none}'"
    CHECK_FAILURES=$((CHECK_FAILURES + 1))
  fi
}
CHECK_FAILURES=0

# check_wire FILTER...: each tshark display filter must match at least one frame of the current
# capture (decrypted with the key log beside it, the server port dissected as TLS); a filter written
# "!FILTER" must match none. Warns and counts a failure otherwise.
check_wire() {
  # -o http.desegment_body:FALSE: s_server -WWW answers HTTP/1.0 without Content-Length, whose body
  # tshark would otherwise wait for until the TCP stream ends and never show the response.
  local f="$OUT/$CASE.pcap" opt=(-d "tcp.port==$PORT,tls" -o http.desegment_body:FALSE) filter n
  [ -f "$f" ] || f="$OUT/$CASE.pcapng"
  [ -f "$OUT/$CASE.keys.log" ] && opt+=(-o "tls.keylog_file:$OUT/$CASE.keys.log")
  for filter in "$@"; do
    if ! n="$(tshark -r "$f" "${opt[@]}" -Y "${filter#!}" 2>"$RUN/tshark.err" | wc -l)"; then
      log "WARNING $CASE: tshark failed on '${filter#!}': $(grep -v 'Running as user' "$RUN/tshark.err" | head -2)"
      CHECK_FAILURES=$((CHECK_FAILURES + 1))
      continue
    fi
    if { [ "${filter:0:1}" = '!' ] && [ "$n" != 0 ]; } || { [ "${filter:0:1}" != '!' ] && [ "$n" = 0 ]; }; then
      log "WARNING $CASE: '$filter' does not hold on the wire ($n frames match '${filter#!}')"
      CHECK_FAILURES=$((CHECK_FAILURES + 1))
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# Scenarios. Every server listens on 127.0.0.1 only and every client connects over IPv4, so a
# capture holds exactly one connection (no refused attempt on ::1 first). tshark is always told that
# the server port is TLS: some ports in 23700-23799 belong to other dissectors (23727 does).

P="$PKI_WORK"
S="$SPKI"

# s_server answering `GET /hello.txt` from $RUN, for one connection.
www() { # www PORT
  SRV=(openssl s_server -accept "127.0.0.1:$1" -naccept 1 -WWW)
}
curl_get() { # curl_get PORT [CURL_OPTION...]
  local port="$1"; shift
  CLI=(curl -4 -sS --max-time 10 --cacert "$ROOT" "$@" -w '\nHTTP %{http_code}\n' "https://localhost:$port/hello.txt")
  KEYLOG=1
}
s_client() { # s_client PORT [S_CLIENT_OPTION...]: request /hello.txt, wait for the server to close.
  local port="$1"; shift
  CLI=(openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$ROOT" -ign_eof
    -keylogfile "$KEYS" "$@")
  CLI_IN='GET /hello.txt HTTP/1.0\r\n\r\n'
  KEYLOG=0
}

OSSL="openssl s_server 3.0.19"
CURL="curl 7.88.1 (OpenSSL 3.0.19)"
SCLI="openssl s_client 3.0.19"
WIRE_OK='{"handshakeCompleted":true,"alert":null}'

sc_server_chain_includes_root() {
  begin server-chain-includes-root 23701
  www $PORT; SRV+=(-tls1_2 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$S/srv-chain-with-root.crt")
  curl_get $PORT
  record
  finish "The server sends leaf, intermediate and the root CA itself. The client trusts the root anyway, so the handshake completes and HTTP 200 flows; the root in the chain is only wasted bytes (and a sign the server's bundle was built by hand)." \
    "$OSSL -tls1_2, chain = server + intermediate + root" "$CURL --cacert root" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire 'tls.handshake.certificate_length and x509af.version' 'x509sat.uTF8String == "tlsdiag Test Root CA" or x509sat.printableString == "tlsdiag Test Root CA"' 'http.response.code == 200'
}

sc_server_chain_misordered() {
  begin server-chain-misordered 23702
  www $PORT; SRV+=(-tls1_2 -cert "$S/srv-deep.crt" -key "$S/srv-deep.key" -cert_chain "$S/srv-deep-misordered-chain.crt")
  curl_get $PORT
  record
  finish "Two-intermediate chain (root > Policy CA > Issuing CA > leaf) sent as leaf, Policy CA, Issuing CA: the intermediates are in the wrong order. OpenSSL (curl) rebuilds the path from the unordered set and completes with HTTP 200; stricter clients reject it." \
    "$OSSL -tls1_2, chain = leaf + Policy CA + Issuing CA (issuer order reversed)" "$CURL --cacert root" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire 'http.response.code == 200'
}

sc_server_cert_expired() {
  begin server-cert-expired 23703
  www $PORT; SRV+=(-tls1_2 -cert "$S/srv-expired.crt" -key "$S/srv-expired.key" -cert_chain "$INTER")
  curl_get $PORT
  record
  finish "The server certificate expired on 2021-01-01. curl rejects it during the handshake with a fatal certificate_expired alert." \
    "$OSSL -tls1_2, leaf valid 2020-01-01 to 2021-01-01 + intermediate" "$CURL --cacert root" \
    '{"handshakeCompleted":false,"alert":{"from":"client","description":"certificate_expired"}}'
}

sc_server_cert_not_yet_valid() {
  begin server-cert-not-yet-valid 23704
  www $PORT; SRV+=(-tls1_2 -cert "$S/srv-notyet.crt" -key "$S/srv-notyet.key" -cert_chain "$INTER")
  curl_get $PORT
  record
  finish "The server certificate is valid only from 2035-01-01. OpenSSL (curl) sends bad_certificate for a not-yet-valid certificate, not certificate_expired." \
    "$OSSL -tls1_2, leaf valid 2035-01-01 to 2036-01-01 + intermediate" "$CURL --cacert root" \
    '{"handshakeCompleted":false,"alert":{"from":"client","description":"bad_certificate"}}'
}

sc_server_name_mismatch_curl() {
  begin server-name-mismatch-curl 23705
  www $PORT; SRV+=(-tls1_2 -cert "$S/srv-wrong-name.crt" -key "$S/srv-wrong-name.key" -cert_chain "$INTER")
  curl_get $PORT
  record
  finish "The server certificate covers only www.example.test; curl asks for localhost. curl checks the name after the handshake: both Finished messages go through, then curl sends close_notify without a request (exit 60). No fatal alert." \
    "$OSSL -tls1_2, leaf SAN DNS:www.example.test + intermediate" "$CURL --cacert root, https://localhost" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire 'tls.handshake.type == 20' '!http'
}

sc_server_name_mismatch_s_client() {
  begin server-name-mismatch-s-client 23706
  www $PORT; SRV+=(-tls1_2 -cert "$S/srv-wrong-name.crt" -key "$S/srv-wrong-name.key" -cert_chain "$INTER")
  s_client $PORT -verify_hostname localhost -verify_return_error
  record
  finish "Same certificate (SAN www.example.test only); s_client with -verify_hostname localhost -verify_return_error checks the name inside certificate verification and aborts with a fatal bad_certificate." \
    "$OSSL -tls1_2, leaf SAN DNS:www.example.test + intermediate" "$SCLI -servername localhost -verify_hostname localhost -verify_return_error" \
    '{"handshakeCompleted":false,"alert":{"from":"client","description":"bad_certificate"}}'
}

sc_server_cert_eku_clientauth_only() {
  begin server-cert-eku-clientauth-only 23707
  www $PORT; SRV+=(-tls1_2 -cert "$S/srv-clientauth-only.crt" -key "$S/srv-clientauth-only.key" -cert_chain "$INTER")
  curl_get $PORT
  record
  finish "The server certificate's extendedKeyUsage holds clientAuth only (a client certificate installed on a server). OpenSSL (curl) rejects it: 'unsuitable certificate purpose', fatal unsupported_certificate." \
    "$OSSL -tls1_2, leaf EKU clientAuth only + intermediate" "$CURL --cacert root" \
    '{"handshakeCompleted":false,"alert":{"from":"client","description":"unsupported_certificate"}}'
}

sc_server_cert_self_signed() {
  begin server-cert-self-signed 23708
  www $PORT; SRV+=(-tls1_2 -cert "$S/srv-selfsigned.crt" -key "$S/srv-selfsigned.key")
  curl_get $PORT
  record
  finish "The server presents a self-signed certificate (CN=localhost, issuer = subject) that the client does not trust; curl: 'self-signed certificate', fatal unknown_ca." \
    "$OSSL -tls1_2, self-signed leaf only" "$CURL --cacert root" \
    '{"handshakeCompleted":false,"alert":{"from":"client","description":"unknown_ca"}}'
}

ocsp_case() { # ocsp_case NAME PORT STATUS
  begin "$1" "$2"
  www $PORT; SRV+=(-tls1_2 -cert "$S/srv-ocsp.crt" -key "$S/srv-ocsp.key" -cert_chain "$INTER" -status_file "$S/ocsp-$3.der")
  curl_get $PORT --cert-status
  record
}
sc_ocsp_stapled_revoked() {
  ocsp_case ocsp-stapled-revoked 23709 revoked
  finish "The server staples an OCSP response (signed by a delegated responder) saying its certificate is revoked, reason keyCompromise. curl --cert-status checks it after the handshake: close_notify, no request, exit 91. No fatal alert; the CertificateStatus message is the evidence." \
    "$OSSL -tls1_2 -status_file (OCSP: revoked, keyCompromise)" "$CURL --cacert root --cert-status" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire 'tls.handshake.type == 22' '!http'
}
sc_ocsp_stapled_unknown() {
  ocsp_case ocsp-stapled-unknown 23710 unknown
  finish "The stapled OCSP response says 'unknown' for the server certificate (the responder does not know the serial). curl --cert-status rejects it after the handshake (exit 91), no fatal alert." \
    "$OSSL -tls1_2 -status_file (OCSP: unknown)" "$CURL --cacert root --cert-status" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire 'tls.handshake.type == 22' '!http'
}
sc_ocsp_stapled_stale() {
  if [ "$CHECK_ONLY" != 1 ]; then
    [ -n "${OCSP_STALE_MADE:-}" ] || ocsp_stale_response
    # curl accepts a nextUpdate up to 300 s in the past (OCSP_check_validity's leeway): wait past it so
    # the client rejects the response too, not only an analyser comparing nextUpdate with the capture time.
    local ready=$((OCSP_STALE_MADE + 60 + 300 + 15)) now
    now=$(date +%s)
    if [ "$now" -lt "$ready" ]; then
      log "ocsp-stapled-stale: waiting $((ready - now)) s for the OCSP response to go stale"
      sleep $((ready - now))
    fi
  fi
  ocsp_case ocsp-stapled-stale 23711 stale
  finish "The stapled OCSP response says 'good' but its nextUpdate passed more than five minutes before the connection (made with -nmin 1, used after curl's five-minute leeway). curl --cert-status rejects it after the handshake (exit 91), no fatal alert." \
    "$OSSL -tls1_2 -status_file (OCSP: good, nextUpdate in the past)" "$CURL --cacert root --cert-status" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire 'tls.handshake.type == 22' '!http'
}
sc_ocsp_stapled_good() {
  ocsp_case ocsp-stapled-good 23712 good
  finish "The server staples a current 'good' OCSP response; curl --cert-status accepts it and gets HTTP 200." \
    "$OSSL -tls1_2 -status_file (OCSP: good)" "$CURL --cacert root --cert-status" "$WIRE_OK"
  check_wire 'tls.handshake.type == 22' 'http.response.code == 200'
}

sc_tls10_success() {
  begin tls10-success 23713
  www $PORT; SRV+=(-tls1 -cipher 'DEFAULT@SECLEVEL=0' -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$INTER")
  curl_get $PORT --tlsv1.0 --tls-max 1.0 --ciphers 'DEFAULT@SECLEVEL=0'
  record
  finish "Both peers are configured down to TLS 1.0 (SECLEVEL=0 is needed on OpenSSL 3); the handshake completes and HTTP 200 flows over a deprecated protocol version (RFC 8996)." \
    "$OSSL -tls1 -cipher DEFAULT@SECLEVEL=0" "$CURL --tlsv1.0 --tls-max 1.0 --ciphers DEFAULT@SECLEVEL=0" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire 'tls.record.version == 0x0301 and tls.handshake.type == 2' 'http.response.code == 200'
}

sc_tls11_success() {
  begin tls11-success 23714
  www $PORT; SRV+=(-tls1_1 -cipher 'DEFAULT@SECLEVEL=0' -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$INTER")
  curl_get $PORT --tlsv1.1 --tls-max 1.1 --ciphers 'DEFAULT@SECLEVEL=0'
  record
  finish "Both peers are configured down to TLS 1.1 (SECLEVEL=0); the handshake completes and HTTP 200 flows over a deprecated protocol version (RFC 8996)." \
    "$OSSL -tls1_1 -cipher DEFAULT@SECLEVEL=0" "$CURL --tlsv1.1 --tls-max 1.1 --ciphers DEFAULT@SECLEVEL=0" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire 'tls.record.version == 0x0302 and tls.handshake.type == 2' 'http.response.code == 200'
}

sc_protocol_version_mismatch() {
  begin protocol-version-mismatch 23715
  www $PORT; SRV+=(-tls1_2 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$INTER")
  s_client $PORT -tls1_3
  record
  finish "The client offers only TLS 1.3 (supported_versions = 0x0304), the server speaks only TLS 1.2: the server answers the ClientHello with a fatal protocol_version alert." \
    "$OSSL -tls1_2" "$SCLI -tls1_3" \
    '{"handshakeCompleted":false,"alert":{"from":"server","description":"protocol_version"}}'
}

sc_no_shared_cipher() {
  begin no-shared-cipher 23716
  www $PORT; SRV+=(-tls1_2 -cipher AES256-SHA -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$INTER")
  s_client $PORT -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
  record
  finish "TLS 1.2 only on both sides; the client offers only ECDHE-RSA-AES128-GCM-SHA256 (plus the renegotiation SCSV), the server accepts only AES256-SHA: the server sends fatal handshake_failure ('no shared cipher')." \
    "$OSSL -tls1_2 -cipher AES256-SHA" "$SCLI -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256" \
    '{"handshakeCompleted":false,"alert":{"from":"server","description":"handshake_failure"}}'
}

sc_server_weak_key() {
  begin server-weak-key 23717
  # The server needs SECLEVEL=0 to load a 1024-bit key at all; the client keeps Debian's default.
  www $PORT; SRV+=(-tls1_2 -cipher 'DEFAULT@SECLEVEL=0' -cert "$S/srv-rsa1024.crt" -key "$S/srv-rsa1024.key" -cert_chain "$INTER")
  curl_get $PORT
  record
  finish "The server certificate has a 1024-bit RSA key. The server must lower its SECLEVEL to load it; curl at Debian's default level 2 rejects it ('EE certificate key too weak', fatal bad_certificate)." \
    "$OSSL -tls1_2 -cipher DEFAULT@SECLEVEL=0, leaf RSA 1024 + intermediate" "$CURL --cacert root (default SECLEVEL 2)" \
    '{"handshakeCompleted":false,"alert":{"from":"client","description":"bad_certificate"}}'
}

sc_server_weak_signature() {
  begin server-weak-signature 23718
  # At the default level s_server refuses to load a SHA-1-signed certificate ("ca md too weak").
  www $PORT; SRV+=(-tls1_2 -cipher 'DEFAULT@SECLEVEL=0' -cert "$S/srv-sha1.crt" -key "$S/srv-sha1.key" -cert_chain "$INTER")
  curl_get $PORT
  record
  finish "The server certificate is signed with sha1WithRSAEncryption. The server must lower its SECLEVEL to load it; curl at the default level rejects the chain ('ca md too weak')." \
    "$OSSL -tls1_2 -cipher DEFAULT@SECLEVEL=0, leaf signed SHA-1 + intermediate" "$CURL --cacert root (default SECLEVEL 2)" \
    '{"handshakeCompleted":false,"alert":{"from":"client","description":"bad_certificate"}}'
}

sc_server_cert_v1() {
  begin server-cert-v1 23719
  www $PORT; SRV+=(-tls1_2 -cert "$S/srv-v1.crt" -key "$S/srv-v1.key" -cert_chain "$INTER")
  curl_get $PORT
  record
  finish "The server certificate is X.509 version 1 (no extensions: no subjectAltName, no EKU, no basicConstraints). OpenSSL (curl) still accepts it, matching localhost against the CN, and HTTP 200 flows; many other clients refuse v1 leaves." \
    "$OSSL -tls1_2, X.509 v1 leaf (CN=localhost) + intermediate" "$CURL --cacert root" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire 'http.response.code == 200'
}

# --- Decryption material -------------------------------------------------------------------------

# mtls_server PORT VERIFY_OPTION...: s_server -WWW asking for a client certificate from the test root.
mtls_www() {
  www "$1"; shift
  SRV+=(-cert "$P/server.crt" -key "$P/server.key" -cert_chain "$INTER" -CAfile "$ROOT" -verify_return_error "$@")
}

sc_tls13_chacha20_mtls_success() {
  begin tls13-chacha20-mtls-success 23720
  mtls_www $PORT -Verify 1 -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256
  s_client $PORT -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 -cert "$P/client-valid.crt" -key "$P/client-valid.key"
  record
  finish "TLS 1.3 with TLS_CHACHA20_POLY1305_SHA256 only; the server requires a client certificate and the client sends a valid one (tlsdiag Test Client, P-256, issued by the root). HTTP 200. Decrypt with the key log." \
    "$OSSL -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 -Verify 1 -verify_return_error -CAfile root" \
    "$SCLI -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 -cert client-valid -keylogfile" "$WIRE_OK"
  check_wire 'tls.handshake.ciphersuite == 0x1303 and tls.handshake.type == 2' "tls.handshake.type == 11 and tls.handshake.certificates_length > 0 and tcp.dstport == $PORT" 'http.response.code == 200'
}

sc_tls13_aes256_mtls_unknown_ca() {
  begin tls13-aes256-mtls-unknown-ca 23721
  mtls_www $PORT -Verify 1 -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384
  s_client $PORT -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -cert "$P/client-other.crt" -key "$P/client-other.key"
  record
  finish "TLS 1.3 with TLS_AES_256_GCM_SHA384; the client sends a certificate issued by Other Root CA, which is not among the CertificateRequest's certificate_authorities; the server rejects it with an (encrypted) fatal unknown_ca." \
    "$OSSL -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -Verify 1 -verify_return_error -CAfile root" \
    "$SCLI -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -cert client-other -keylogfile" \
    '{"handshakeCompleted":false,"alert":{"from":"server","description":"unknown_ca"}}'
  check_wire 'tls.handshake.ciphersuite == 0x1302 and tls.handshake.type == 2' "tls.handshake.type == 11 and tls.handshake.certificates_length > 0 and tcp.dstport == $PORT"
}

sc_tls12_aes128_gcm_http() {
  begin tls12-aes128-gcm-http 23722
  www $PORT; SRV+=(-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$INTER")
  curl_get $PORT --tlsv1.2 --tls-max 1.2
  record
  finish "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, no client certificate; curl sends GET /hello.txt and gets HTTP/1.0 200 with the file. Decrypt with the key log to see the HTTP exchange." \
    "$OSSL -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -WWW" "$CURL --tlsv1.2 --tls-max 1.2, SSLKEYLOGFILE" "$WIRE_OK"
  check_wire 'tls.handshake.ciphersuite == 0xc02f' 'http.response.code == 200'
}

cbc_case() { # cbc_case NAME PORT [S_CLIENT_OPTION...]
  begin "$1" "$2"; shift 2
  www $PORT; SRV+=(-tls1_2 -cipher ECDHE-RSA-AES128-SHA256 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$INTER")
  s_client $PORT -tls1_2 -cipher ECDHE-RSA-AES128-SHA256 "$@"
  record
}
sc_tls12_aes_cbc_etm_http() {
  cbc_case tls12-aes-cbc-etm-http 23723
  finish "TLS 1.2 ECDHE-RSA-AES128-SHA256 (CBC + HMAC-SHA256) with encrypt_then_mac negotiated (extension 22 in both hellos): the MAC covers the ciphertext. GET /hello.txt, HTTP/1.0 200." \
    "$OSSL -tls1_2 -cipher ECDHE-RSA-AES128-SHA256 -WWW" "$SCLI -tls1_2 -cipher ECDHE-RSA-AES128-SHA256 -keylogfile" "$WIRE_OK"
  check_wire 'tls.handshake.type == 2 and tls.handshake.extension.type == 22' 'tls.handshake.ciphersuite == 0xc027' 'http.response.code == 200'
}
sc_tls12_aes_cbc_no_etm_http() {
  cbc_case tls12-aes-cbc-no-etm-http 23724 -no_etm
  finish "Same as tls12-aes-cbc-etm-http, but the client does not offer encrypt_then_mac (-no_etm): classic MAC-then-encrypt CBC records. GET /hello.txt, HTTP/1.0 200." \
    "$OSSL -tls1_2 -cipher ECDHE-RSA-AES128-SHA256 -WWW" "$SCLI -tls1_2 -cipher ECDHE-RSA-AES128-SHA256 -no_etm -keylogfile" "$WIRE_OK"
  check_wire '!tls.handshake.extension.type == 22' 'tls.handshake.ciphersuite == 0xc027' 'http.response.code == 200'
}

# no_ign_eof: the client ends the connection (close_notify) when its stdin closes after CLI_HOLD
# seconds; s_server itself always closes the socket without close_notify, which OpenSSL 3 clients
# answer with a fatal decode_error ("unexpected eof while reading").
no_ign_eof() {
  local a kept=()
  for a in "${CLI[@]}"; do [ "$a" = -ign_eof ] || kept+=("$a"); done
  CLI=("${kept[@]}")
}

sc_tls13_post_handshake_auth() {
  begin tls13-post-handshake-auth 23725
  # Interactive s_server: 'c' on stdin sends a post-handshake CertificateRequest, a text line is sent
  # as application data; the server's stdin stays open until after the client closed.
  SRV=(openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -tls1_3 -cert "$P/server.crt" -key "$P/server.key"
    -cert_chain "$INTER" -CAfile "$ROOT" -verify_return_error)
  SRV_IN="sleep 1.5; printf 'c\\n'; sleep 1.5; printf 'hello after post-handshake auth\\n'; sleep 6"
  s_client $PORT -tls1_3 -enable_pha -cert "$P/client-valid.crt" -key "$P/client-valid.key"
  no_ign_eof
  CLI_IN='hello from the client\n'
  CLI_HOLD=5
  record
  finish "TLS 1.3 without a certificate request in the handshake; after it the server (s_server command 'c') sends a post-handshake CertificateRequest, and the client (-enable_pha) answers with Certificate, CertificateVerify and Finished, all encrypted as application-data records. Decrypt with the key log." \
    "$OSSL -tls1_3 interactive, 'c' = post-handshake CertificateRequest" "$SCLI -tls1_3 -enable_pha -cert client-valid -keylogfile" "$WIRE_OK"
  check_wire 'tls.handshake.extension.type == 49' 'tls.handshake.type == 13 and tls.record.opaque_type == 23' "tls.handshake.type == 11 and tls.handshake.certificates_length > 0 and tcp.dstport == $PORT"
}

sc_tls12_renegotiation_client_cert() {
  begin tls12-renegotiation-client-cert 23726
  # No -verify: the first handshake asks for no certificate; 'R' renegotiates with a CertificateRequest
  # (s_server sets SSL_VERIFY_PEER itself), the way servers ask for a certificate per path.
  # -no_cache -no_ticket: otherwise the client resumes its session in the renegotiation and an
  # abbreviated handshake has no CertificateRequest.
  SRV=(openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -tls1_2 -no_cache -no_ticket -cert "$P/server.crt"
    -key "$P/server.key" -cert_chain "$INTER" -CAfile "$ROOT" -verify_return_error)
  SRV_IN="sleep 1.5; printf 'R\\n'; sleep 1.5; printf 'hello after renegotiation\\n'; sleep 6"
  s_client $PORT -tls1_2 -cert "$P/client-valid.crt" -key "$P/client-valid.key"
  no_ign_eof
  CLI_IN='hello from the client\n'
  CLI_HOLD=5
  record
  finish "TLS 1.2: the first handshake has no CertificateRequest; the server (s_server command 'R') sends HelloRequest and the renegotiation (encrypted under the first handshake's keys) asks for and gets the client certificate. Decrypt with the key log (two CLIENT_RANDOM lines)." \
    "$OSSL -tls1_2 interactive, 'R' = renegotiate with CertificateRequest, -CAfile root" "$SCLI -tls1_2 -cert client-valid -keylogfile" "$WIRE_OK"
  check_wire 'tls.handshake.type == 0' 'tls.handshake.type == 13' "tls.handshake.type == 11 and tls.handshake.certificates_length > 0 and tcp.dstport == $PORT"
}

TLS13_NO_CERT_WIRE='{"handshakeCompleted":false,"alert":{"from":"server","description":"certificate_required"}}'
sc_tls13_no_client_cert() {
  begin tls13-no-client-cert 23727
  mtls_www $PORT -Verify 1 -tls1_3
  s_client $PORT -tls1_3
  record
  finish "TLS 1.3, the server requires a client certificate (-Verify 1), the client has none and answers with an empty Certificate; the server sends fatal certificate_required (encrypted: visible with the key log). Same connection as tls13-no-client-cert-embedded-keylog.pcapng." \
    "$OSSL -tls1_3 -Verify 1 -verify_return_error -CAfile root" "$SCLI -tls1_3 without -cert, -keylogfile" "$TLS13_NO_CERT_WIRE"
  # The same connection as pcapng with the key log inside (Decryption Secrets Block), and no key log
  # beside it, so a reader must find the secrets in the file.
  local ng="$OUT/tls13-no-client-cert-embedded-keylog.pcapng"
  check_wire 'tls.handshake.type == 11 and tls.handshake.certificates_length == 0'
  if [ "$CHECK_ONLY" != 1 ]; then write_embedded_keylog_case "$ng"; fi
  # Without any key log option, tshark must read the secrets from the pcapng itself.
  if [ "$(tshark -r "$ng" -d "tcp.port==$PORT,tls" -Y 'tls.alert_message.desc == 116' 2>/dev/null | wc -l)" = 0 ]; then
    log "WARNING $CASE: the pcapng's embedded secrets do not decrypt the certificate_required alert"
    CHECK_FAILURES=$((CHECK_FAILURES + 1))
  fi
}
write_embedded_keylog_case() {
  local ng="$1"
  editcap --inject-secrets "tls,$KEYS" "$OUT/$CASE.pcap" "$ng"
  sed -e 's/"scenario": "tls13-no-client-cert"/"scenario": "tls13-no-client-cert-embedded-keylog"/' \
    -e 's/"keyLog": "tls13-no-client-cert.keys.log"/"keyLog": null/' \
    -e "s|Same connection as tls13-no-client-cert-embedded-keylog.pcapng.|The capture is tls13-no-client-cert.pcap converted with editcap --inject-secrets tls,tls13-no-client-cert.keys.log: the key log is inside the pcapng (Decryption Secrets Block).|" \
    "$OUT/$CASE.meta.json" >"$OUT/tls13-no-client-cert-embedded-keylog.meta.json"
  node -e '
    const fs = require("node:fs"); const f = process.argv[1]; const m = JSON.parse(fs.readFileSync(f, "utf8"));
    m.commands.push("editcap --inject-secrets tls,captures/server/tls13-no-client-cert.keys.log captures/server/tls13-no-client-cert.pcap captures/server/tls13-no-client-cert-embedded-keylog.pcapng");
    m.keyLogEmbedded = true;
    fs.writeFileSync(f, JSON.stringify(m, null, 2) + "\n");' "$OUT/tls13-no-client-cert-embedded-keylog.meta.json"
}
sc_tls13_no_client_cert_embedded_keylog() { sc_tls13_no_client_cert; }

# two_tls13_connections NAME PORT: record one TLS 1.3 connection (HTTP 200) into NAME.pcap with its own
# key log kept in the work folder ($OWN_KEYS), then make a second, unrecorded connection to the same
# kind of server whose key log is $OTHER_KEYS.
two_tls13_connections() {
  begin "$1" "$2"
  if [ "$CHECK_ONLY" = 1 ]; then OTHER_KEYS="$KEYS" OWN_KEYS=""; return 0; fi
  www $PORT; SRV+=(-tls1_3 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$INTER")
  s_client $PORT -tls1_3
  OWN_KEYS="$RUN/$CASE.own.keys.log" OTHER_KEYS="$RUN/$CASE.other.keys.log"
  local i
  for i in "${!CLI[@]}"; do [ "${CLI[$i]}" = "$KEYS" ] && CLI[$i]="$OWN_KEYS"; done
  KEYS="$OWN_KEYS"
  rm -f "$OWN_KEYS" "$OTHER_KEYS"
  record
  (cd "$RUN" && start_bg "srv-$CASE-2" "${SRV[@]}")
  wait_port "$PORT" 10
  (cd "$RUN"; printf 'GET /hello.txt HTTP/1.0\r\n\r\n' | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
    -servername localhost -CAfile "$ROOT" -ign_eof -tls1_3 -keylogfile "$OTHER_KEYS" >/dev/null 2>&1) || true
  stop_bg "srv-$CASE-2"
  [ -s "$OWN_KEYS" ] && [ -s "$OTHER_KEYS" ] || die "$CASE: a key log is missing"
  KEYS="$OUT/$CASE.keys.log"
}

sc_tls13_wrong_keylog() {
  two_tls13_connections tls13-wrong-keylog 23728
  [ "$CHECK_ONLY" = 1 ] || cp "$OTHER_KEYS" "$KEYS"
  finish "A successful TLS 1.3 connection (HTTP 200) given the key log of another connection to the same server a moment later: the key log holds secrets, but none for this connection's client random, so the handshake stays encrypted." \
    "$OSSL -tls1_3 -WWW" "$SCLI -tls1_3 -keylogfile (the key log is a second s_client run's)" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire '!tls.handshake.type == 11' '!http'
}

sc_tls13_keylog_secrets_mismatch() {
  two_tls13_connections tls13-keylog-secrets-mismatch 23729
  # This connection's client random with the other connection's secrets, label by label: a key log
  # mixed up between sessions. The lines are real secrets, only the pairing is wrong.
  [ "$CHECK_ONLY" = 1 ] || awk 'NR == FNR { if (!/^#/) secret[$1] = $3; next } /^#/ { print; next } $1 in secret { print $1, $2, secret[$1] }' \
    "$OTHER_KEYS" "$OWN_KEYS" >"$KEYS"
  finish "A successful TLS 1.3 connection (HTTP 200) with a key log whose lines name this connection's client random but carry the secrets of another connection (built from two real key logs: labels and client random of this one, secrets of the other). The first handshake record fails to authenticate." \
    "$OSSL -tls1_3 -WWW" "$SCLI -tls1_3 -keylogfile (secrets then swapped with a second run's)" \
    '{"handshakeCompleted":true,"alert":null}'
  check_wire '!tls.handshake.type == 11' '!http'
}

sc_tls13_early_data() {
  begin tls13-early-data 23730
  # Two connections to one interactive server (-early_data cannot be combined with -WWW): the first
  # takes a session ticket (-sess_out), the second resumes it and sends its request as 0-RTT data
  # (-early_data) before the handshake ends; the server accepts it (early_data in EncryptedExtensions),
  # the client then sends EndOfEarlyData under its early traffic secret.
  SRV=(openssl s_server -accept "127.0.0.1:$PORT" -naccept 2 -tls1_3 -early_data -cert "$P/server.crt"
    -key "$P/server.key" -cert_chain "$INTER")
  SRV_IN="sleep 8"
  [ "$CHECK_ONLY" = 1 ] || printf 'GET /hello.txt HTTP/1.0\r\n\r\n' >"$RUN/early.txt"
  local base=(openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$ROOT" -tls1_3 -keylogfile "$KEYS")
  # Each client's stdin stays open 1.5 s, long enough to receive the session tickets, then it closes.
  CLI=(bash -c 'sleep 1.5 | "$@" -sess_out "$SESSION"; sleep 1.5 | "$@" -sess_in "$SESSION" -early_data early.txt' _ "${base[@]}")
  export SESSION="$RUN/$CASE.session.pem"
  KEYLOG=0
  record
  finish "TLS 1.3 0-RTT: a first connection takes a session ticket, the second resumes it and sends 'GET /hello.txt' as early data right after its ClientHello; the server accepts it (early_data in EncryptedExtensions) and the client ends its early data with EndOfEarlyData, under the early traffic secret. Both connections succeed. Decrypt with the key log (CLIENT_EARLY_TRAFFIC_SECRET)." \
    "$OSSL -tls1_3 -early_data interactive" "$SCLI -tls1_3 -sess_out, then -sess_in -early_data, -keylogfile" "$WIRE_OK"
  check_wire 'tls.handshake.type == 8 and tls.handshake.extension.type == 42' 'tls.handshake.type == 5'
}

ALL_SCENARIOS=(
  server_chain_includes_root server_chain_misordered server_cert_expired server_cert_not_yet_valid
  server_name_mismatch_curl server_name_mismatch_s_client server_cert_eku_clientauth_only server_cert_self_signed
  ocsp_stapled_revoked ocsp_stapled_unknown ocsp_stapled_good
  tls10_success tls11_success protocol_version_mismatch no_shared_cipher
  server_weak_key server_weak_signature server_cert_v1
  tls13_chacha20_mtls_success tls13_aes256_mtls_unknown_ca tls12_aes128_gcm_http
  tls12_aes_cbc_etm_http tls12_aes_cbc_no_etm_http tls13_post_handshake_auth tls12_renegotiation_client_cert
  tls13_no_client_cert tls13_wrong_keylog tls13_keylog_secrets_mismatch
  ocsp_stapled_stale tls13_early_data
)

main() {
  if [ "$CHECK_ONLY" != 1 ]; then
    server_pki
    ocsp_responses
    printf 'hello from the tlsdiag test server\n' >"$RUN/hello.txt"
  fi
  local wanted=("$@") sc
  [ ${#wanted[@]} -gt 0 ] || wanted=("${ALL_SCENARIOS[@]}")
  # The stale OCSP response needs minutes to age: make it first, so the wait overlaps the other scenarios.
  if [ "$CHECK_ONLY" != 1 ] && [[ " ${wanted[*]//-/_} " == *" ocsp_stapled_stale "* ]]; then ocsp_stale_response; fi
  for sc in "${wanted[@]}"; do
    sc="${sc//-/_}"
    declare -F "sc_$sc" >/dev/null || die "no scenario $sc"
    "sc_$sc"
  done
  [ "$CHECK_FAILURES" = 0 ] || die "$CHECK_FAILURES check(s) failed: the captures differ from their meta.json"
  log "${#wanted[@]} scenario(s) $([ "$CHECK_ONLY" = 1 ] && echo checked || echo recorded and checked), no difference"
}

# Sourcing the file (for trying a single helper) does not run anything.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
