#!/usr/bin/env bash
# Record the revocation-list scenarios into captures/crl/: nginx (ssl_verify_client on + ssl_crl) and
# openssl s_server (-CRL -crl_check_all) checking a curl / s_client client certificate against CRLs made
# here with `openssl ca -gencrl` (OpenSSL 3: -crl_lastupdate/-crl_nextupdate date a CRL in the future or the
# past, no fake clock needed). Beside each capture: the CRL file the server loaded (<name>.crl.pem), the key
# log, and a meta.json with the server's own verify error (nginx's error.log line, s_server's output), how the
# peers ended (`outcome`) and the tlsdiag options that describe the server (`options`).
# The CA certificates the servers trust are copied to captures/crl/ca/ (the test PKI of pki.sh; keys stay in
# captures/work). Ports 28500-28599. Re-runnable: every server it starts is stopped by its pid file.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT="$CAPTURES_DIR/crl"
WORK="$CAPTURES_WORK/crl"
PKI="$PKI_WORK"
mkdir -p "$OUT/ca" "$WORK"
[ -f "$PKI/root.crt" ] || bash "$(dirname "${BASH_SOURCE[0]}")/pki.sh"
cp "$PKI/root.crt" "$OUT/ca/root.pem"
cp "$PKI/intermediate.crt" "$OUT/ca/intermediate.pem"

NGINX_VERSION="$(nginx -v 2>&1 | sed 's|.*nginx/||')"
CURL_VERSION="$(curl --version | head -1 | awk '{print $2}')"
OPENSSL_VERSION="$(openssl version | awk '{print $2}')"
ONLY="${CRL_ONLY:-}" # a regex of scenario names, to re-record a few
want() { [ -z "$ONLY" ] || [[ "$1" =~ $ONLY ]]; }

cleanup() {
  [ -n "${CAPTURE_PID:-}" ] && capture_stop "$CAPTURE_PID"
  stop_bg crl-server
  return 0
}
trap cleanup EXIT

argv() { local s; s="$(printf '%q ' "$@")"; echo "${s% }"; }
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; } # stamp '+2 hours' → 20261207201500Z

# crl CA OUT_FILE LASTUPDATE NEXTUPDATE [CERT_TO_REVOKE REASON]: a CRL signed by CA (root or intermediate of
# the test PKI, or a path without .crt/.key) from its own throwaway database, so the PKI's databases stay
# untouched. CRL_AKID=0 leaves out the authority key identifier.
crl() {
  local ca="$1" out="$2" last="$3" next="$4" revoke="${5:-}" reason="${6:-}" db="$WORK/db-$(basename "$2")" ext=crl_ext
  [[ "$ca" == */* ]] || ca="$PKI/$ca"
  [ "${CRL_AKID:-1}" = 1 ] || ext=no_ext
  rm -rf "$db" && mkdir -p "$db" && : >"$db/index.txt" && echo 1000 >"$db/crlnumber"
  cat >"$db/ca.cnf" <<CNF
[ca]
default_ca = this_ca
[this_ca]
database = $db/index.txt
crlnumber = $db/crlnumber
certificate = $ca.crt
private_key = $ca.key
default_md = sha256
crl_extensions = $ext
[crl_ext]
authorityKeyIdentifier = keyid:always
[no_ext]
CNF
  if [ -n "$revoke" ]; then
    openssl ca -batch -config "$db/ca.cnf" -revoke "$revoke" -crl_reason "$reason" 2>"$db/revoke.err" || { cat "$db/revoke.err" >&2; die "revoking $revoke failed"; }
  fi
  openssl ca -batch -config "$db/ca.cnf" -gencrl -crl_lastupdate "$last" -crl_nextupdate "$next" -out "$db/crl.pem" 2>"$db/gencrl.err" \
    || { cat "$db/gencrl.err" >&2; die "gencrl for $ca failed"; }
  cat "$db/crl.pem" >>"$out"
}

# nginx_start PORT CRL_FILE: nginx, TLS 1.2, client certificate required from the test root, CRLs from CRL_FILE.
nginx_start() {
  local port="$1" crlfile="$2" prefix="$WORK/nginx-$1"
  rm -rf "$prefix"
  mkdir -p "$prefix/conf" "$prefix/logs" "$prefix/tmp"
  cat >"$prefix/conf/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
error_log $prefix/logs/error.log info;
pid $prefix/logs/nginx.pid;
events { worker_connections 64; }
http {
  access_log $prefix/logs/access.log;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  server {
    listen 127.0.0.1:$port ssl;
    server_name localhost;
    ssl_certificate $PKI/server-chain.crt;
    ssl_certificate_key $PKI/server.key;
    ssl_protocols TLSv1.2;
    ssl_session_tickets off;
    ssl_verify_client on;
    ssl_client_certificate $PKI/root.crt;
    ssl_verify_depth 2;
    ssl_crl $crlfile;
    location / {
      default_type text/plain;
      return 200 "hello \$ssl_client_s_dn\n";
    }
  }
}
CONF
  NGINX_PREFIX="$prefix"
  SERVER_ARGV=(nginx -p "$prefix" -e "$prefix/logs/error.log" -c "$prefix/conf/nginx.conf")
  start_bg crl-server "${SERVER_ARGV[@]}"
  wait_port "$port"
}

# nginx_verify_error: nginx's own line about the client certificate, without time stamp and pids.
nginx_verify_error() {
  grep -m1 -E 'client SSL certificate verify error|client sent no required SSL certificate' "$NGINX_PREFIX/logs/error.log" 2>/dev/null \
    | sed -E 's/^[0-9\/: ]+\[[a-z]+\] [0-9#]+: \*[0-9]+ //' || true
}

begin() { # begin NAME PORT
  CURRENT="$1"; CURRENT_PORT="$2"
  rm -f "$OUT/$1".*
  log "crl: $1 (port $2)"
  capture_start "$OUT/$1.pcap" "$2"
}
finish() {
  capture_stop "$CAPTURE_PID"
  stop_bg crl-server
  cp "$CAPTURES_WORK/crl-server.log" "$WORK/$CURRENT.server.log" 2>/dev/null || true
  wait_port_free "$CURRENT_PORT" 5 || true
  [ -s "$OUT/$CURRENT.keys.log" ] || rm -f "$OUT/$CURRENT.keys.log"
}

# curl_run PORT CLIENT_CERT_PEM KEY: one HTTPS request with a client certificate, key log beside the capture.
curl_run() {
  CLIENT_ARGV=(curl -sS -i --max-time 10 --resolve "localhost:$1:127.0.0.1" --cacert "$PKI/root.crt" --cert "$2" --key "$3" "https://localhost:$1/")
  CLIENT_LOG="$WORK/$CURRENT.client.log"
  set +e
  SSLKEYLOGFILE="$OUT/$CURRENT.keys.log" timeout 20 "${CLIENT_ARGV[@]}" </dev/null >"$CLIENT_LOG" 2>&1
  CLIENT_EXIT=$?
  set -e
  CLIENT_SAID="$({ grep -m1 '^curl: ' "$CLIENT_LOG" || grep -m1 '^HTTP/' "$CLIENT_LOG" || true; } | tr -d '\r')"
}

# meta DESCRIPTION SERVER CLIENT SERVER_SAID SERVER_ERROR OUTCOME WIRE_JSON OPTIONS_JSON
meta() {
  write_meta "$OUT/$CURRENT.meta.json" "$CURRENT" "$1" "$2" "$3" "$CLIENT_EXIT" "$CLIENT_SAID" "$4" "$7" \
    "$(argv "${SERVER_ARGV[@]}")" "$(argv "${CLIENT_ARGV[@]}")"
  node -e '
    const fs = require("node:fs"); const path = require("node:path");
    const [file, keys, serverError, outcome, options] = process.argv.slice(1);
    const meta = JSON.parse(fs.readFileSync(file, "utf8"));
    meta.serverError = serverError;
    meta.outcome = outcome;
    meta.options = JSON.parse(options);
    meta.keyLog = fs.existsSync(keys) ? path.basename(keys) : null;
    fs.writeFileSync(file, JSON.stringify(meta, null, 2) + "\n");' "$OUT/$CURRENT.meta.json" "$OUT/$CURRENT.keys.log" "$5" "$6" "$8"
}

NOW="$(stamp now)"
DAYS_AGO_10="$(stamp '-10 days')"
DAYS_AGO_3="$(stamp '-3 days')"
IN_30_DAYS="$(stamp '+30 days')"
IN_2_HOURS="$(stamp '+2 hours')"
NGINX_DESC="nginx $NGINX_VERSION ssl_verify_client on, ssl_client_certificate=tlsdiag Test Root CA, ssl_protocols TLSv1.2, ssl_verify_depth 2, ssl_crl"
CRL_OPTS() { echo "[\"--crl\",\"captures/crl/$CURRENT.crl.pem\",\"--ca\",\"captures/crl/ca/root.pem\"]"; }

# nginx_case NAME PORT DESCRIPTION CRL_DESC OUTCOME FINDING CLIENT_CERT KEY CLIENT_DESC  (the CRL file is made before;
# FINDING, the id the server's verify error stands for, is for the reader: test/crl maps the error itself)
nginx_case() {
  local name="$1" port="$2" desc="$3" crldesc="$4" outcome="$5" finding="$6" cert="$7" key="$8" cdesc="$9"
  nginx_start "$port" "$OUT/$name.crl.pem"
  curl_run "$port" "$cert" "$key"
  finish
  local status title
  status="$(grep -m1 '^HTTP/' "$CLIENT_LOG" | tr -d '\r' || true)"
  title="$(grep -m1 -o '<title>[^<]*</title>' "$CLIENT_LOG" | sed -E 's/<\/?title>//g' || true)"
  meta "$desc" "$NGINX_DESC ($crldesc)" "curl $CURL_VERSION $cdesc" "$status${title:+ ($title)}" "$(nginx_verify_error)" "$outcome" \
    "{\"handshakeCompleted\":true,\"alert\":null}" "$(CRL_OPTS)"
}

if want nginx-tls12-crl-revoked; then
  begin nginx-tls12-crl-revoked 28501
  crl root "$OUT/$CURRENT.crl.pem" "$NOW" "$IN_30_DAYS" "$PKI/client-valid.crt" keyCompromise
  nginx_case "$CURRENT" 28501 \
    "curl presents tlsdiag Test Client (serial 1101, issued by the root); the root's CRL in nginx's ssl_crl lists it as revoked (keyCompromise). nginx completes the TLS 1.2 handshake and answers HTTP 400." \
    "the root's CRL, current, revoking serial 1101" rejected client-cert-revoked "$PKI/client-valid.crt" "$PKI/client-valid.key" "--cert client-valid (issued by tlsdiag Test Root CA)"
fi

if want nginx-tls12-crl-not-yet-valid; then
  begin nginx-tls12-crl-not-yet-valid 28502
  crl root "$OUT/$CURRENT.crl.pem" "$IN_2_HOURS" "$IN_30_DAYS"
  nginx_case "$CURRENT" 28502 \
    "The root's CRL was made with thisUpdate two hours after the server's clock (a CRL host whose clock runs ahead); curl presents a valid client certificate. nginx completes the handshake and answers HTTP 400." \
    "the root's CRL, thisUpdate 2 hours in the future" rejected crl-not-yet-valid "$PKI/client-valid.crt" "$PKI/client-valid.key" "--cert client-valid (issued by tlsdiag Test Root CA)"
fi

if want nginx-tls12-crl-expired; then
  begin nginx-tls12-crl-expired 28503
  crl root "$OUT/$CURRENT.crl.pem" "$DAYS_AGO_10" "$DAYS_AGO_3"
  nginx_case "$CURRENT" 28503 \
    "The root's CRL had nextUpdate three days before the connection (nobody renewed it); curl presents a valid client certificate. nginx completes the handshake and answers HTTP 400." \
    "the root's CRL, nextUpdate 3 days past" rejected crl-expired "$PKI/client-valid.crt" "$PKI/client-valid.key" "--cert client-valid (issued by tlsdiag Test Root CA)"
fi

if want nginx-tls12-crl-root-only; then
  begin nginx-tls12-crl-root-only 28504
  crl root "$OUT/$CURRENT.crl.pem" "$NOW" "$IN_30_DAYS"
  nginx_case "$CURRENT" 28504 \
    "curl presents a client certificate issued by tlsdiag Test Intermediate CA, with the intermediate; nginx's ssl_crl holds a CRL for the root only, none for the intermediate. nginx completes the handshake and answers HTTP 400." \
    "the root's CRL only" rejected crl-missing "$PKI/client-intermediate-chain.crt" "$PKI/client-intermediate.key" "--cert client-intermediate-chain (leaf + tlsdiag Test Intermediate CA)"
fi

if want nginx-tls12-crl-good; then
  begin nginx-tls12-crl-good 28505
  crl root "$OUT/$CURRENT.crl.pem" "$NOW" "$IN_30_DAYS"
  crl intermediate "$OUT/$CURRENT.crl.pem" "$NOW" "$IN_30_DAYS"
  nginx_case "$CURRENT" 28505 \
    "curl presents a client certificate issued by tlsdiag Test Intermediate CA, with the intermediate; nginx's ssl_crl holds current CRLs of the root and the intermediate, neither listing it. The request succeeds." \
    "current CRLs of the root and the intermediate" established "" "$PKI/client-intermediate-chain.crt" "$PKI/client-intermediate.key" "--cert client-intermediate-chain (leaf + tlsdiag Test Intermediate CA)"
fi

if want nginx-tls12-crl-signature-invalid; then
  begin nginx-tls12-crl-signature-invalid 28506
  # A CA of the same name as the test root with another key (a re-keyed or impostor CA) signs the CRL.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/impostor-root.key" \
    -subj "/O=tlsdiag/CN=tlsdiag Test Root CA" -days 30 -out "$WORK/impostor-root.crt" 2>/dev/null
  CRL_AKID=0 crl "$WORK/impostor-root" "$OUT/$CURRENT.crl.pem" "$NOW" "$IN_30_DAYS"
  nginx_case "$CURRENT" 28506 \
    "nginx's ssl_crl holds a CRL that names tlsdiag Test Root CA as its issuer but was signed by another key (a CA of the same name); curl presents a valid client certificate. nginx completes the handshake and answers HTTP 400." \
    "a CRL naming the root, signed by another key" rejected crl-signature-invalid "$PKI/client-valid.crt" "$PKI/client-valid.key" "--cert client-valid (issued by tlsdiag Test Root CA)"
fi

if want s-server-tls12-crl-revoked; then
  begin s-server-tls12-crl-revoked 28510
  crl root "$OUT/$CURRENT.crl.pem" "$NOW" "$IN_30_DAYS" "$PKI/client-valid.crt" keyCompromise
  SERVER_ARGV=(openssl s_server -accept 127.0.0.1:28510 -naccept 1 -tls1_2 -cert "$PKI/server.crt" -cert_chain "$PKI/intermediate.crt"
    -key "$PKI/server.key" -Verify 2 -verify_return_error -CAfile "$PKI/root.crt" -CRL "$OUT/$CURRENT.crl.pem" -crl_check_all -no_ticket -www)
  start_bg crl-server "${SERVER_ARGV[@]}"
  wait_port 28510
  CLIENT_ARGV=(openssl s_client -connect 127.0.0.1:28510 -servername localhost -CAfile "$PKI/root.crt" -tls1_2
    -cert "$PKI/client-valid.crt" -key "$PKI/client-valid.key" -keylogfile "$OUT/$CURRENT.keys.log" -ign_eof)
  CLIENT_LOG="$WORK/$CURRENT.client.log"
  set +e
  printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' | timeout 20 "${CLIENT_ARGV[@]}" >"$CLIENT_LOG" 2>&1
  CLIENT_EXIT=$?
  set -e
  finish
  CLIENT_SAID="$(grep -m1 -E ':error:|alert' "$CLIENT_LOG" | tr -d '\r' | sed -E 's/^[0-9A-F]{8,16}:error:/error:/' || true)"
  SERVER_ERROR="$(grep -E '^verify error:|:error:' "$WORK/$CURRENT.server.log" | tr -d '\r' | sed -E 's/^[0-9A-F]{8,16}:error:/error:/' | paste -sd ';' | sed 's/;/; /g' || true)"
  meta "openssl s_client presents tlsdiag Test Client (serial 1101); s_server checks CRLs of the whole chain (-CRL -crl_check_all -verify_return_error) and the root's CRL lists it as revoked: s_server sends a fatal certificate_revoked alert." \
    "openssl $OPENSSL_VERSION s_server -tls1_2 -Verify 2 -verify_return_error -CAfile tlsdiag Test Root CA -CRL (the root's CRL revoking serial 1101) -crl_check_all" \
    "openssl $OPENSSL_VERSION s_client -cert client-valid" "$SERVER_ERROR" "$SERVER_ERROR" failed \
    '{"handshakeCompleted":false,"alert":{"from":"server","description":"certificate_revoked"}}' "$(CRL_OPTS)"
fi
log "crl: done"
