#!/usr/bin/env bash
# Record the mTLS scenarios into captures/mtls/: one loopback connection per capture, made by
# real peers (nginx, openssl s_server/s_client, curl, Java, Node), with the client's key log when
# it can write one and a meta.json stating what the scenario's author knows the root cause to be.
# Ports 22000-22099. Re-runnable: every server it starts is stopped by its pid file.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT="$CAPTURES_DIR/mtls"
WORK="$CAPTURES_WORK/mtls"
PKI="$PKI_WORK"
mkdir -p "$OUT" "$WORK"
[ -f "$PKI/root.crt" ] || bash "$(dirname "${BASH_SOURCE[0]}")/pki.sh"

NGINX_VERSION="$(nginx -v 2>&1 | sed 's|.*nginx/||')"
CURL_VERSION="$(curl --version | head -1 | awk '{print $2}')"
OPENSSL_VERSION="$(openssl version | awk '{print $2}')"
NODE_VERSION="$(node --version)"
JAVA_VERSION="$(java -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/')"

ONLY="${MTLS_ONLY:-}"              # a regex of scenario names, to re-record a few
CHECK_ONLY="${MTLS_CHECK_ONLY:-0}" # 1: record nothing, only check the existing captures
CHECKING=0

want() {
  [ "$CHECK_ONLY" = 1 ] && [ "$CHECKING" = 0 ] && return 1
  [ -z "$ONLY" ] || [[ "$1" =~ $ONLY ]]
}

cleanup() {
  [ -n "${CAPTURE_PID:-}" ] && capture_stop "$CAPTURE_PID"
  for pidf in "$CAPTURES_WORK"/mtls-*.pid; do [ -f "$pidf" ] && stop_bg "$(basename "$pidf" .pid)"; done
  return 0
}
trap cleanup EXIT

# ---------------------------------------------------------------- peers

# nginx_start PORT PROTOCOLS SERVER_CERT_FILE VERIFY_DEPTH
# nginx in the foreground with its own prefix, one process (master_process off) so a pid is the server.
nginx_start() {
  local port="$1" protocols="$2" cert="$3" depth="$4" prefix="$WORK/nginx-$1"
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
    ssl_certificate $cert;
    ssl_certificate_key $PKI/server.key;
    ssl_protocols $protocols;
    ssl_session_tickets off;
    ssl_verify_client on;
    ssl_client_certificate $PKI/root.crt;
    ssl_verify_depth $depth;
    location / {
      default_type text/plain;
      return 200 "hello \$ssl_client_s_dn\n";
    }
  }
}
CONF
  NGINX_PREFIX="$prefix"
  SERVER_ARGV=(nginx -p "$prefix" -e "$prefix/logs/error.log" -c "$prefix/conf/nginx.conf")
  start_bg "mtls-server" "${SERVER_ARGV[@]}"
  wait_port "$port"
}

# nginx_said: the lines nginx logged about the connection (SSL verify errors / client errors).
nginx_said() {
  local status="$1" line
  line="$(grep -E 'client (SSL certificate verify error|sent no required SSL certificate)|SSL_do_handshake|peer closed|client sent' \
    "$NGINX_PREFIX/logs/error.log" 2>/dev/null | head -1 | sed -E 's/^[0-9\/: ]+\[[a-z]+\] [0-9#]+: \*[0-9]+ //')"
  if [ -n "$line" ]; then echo "$status; error.log: $line"; else echo "$status"; fi
}

s_server_start() { # s_server_start PORT TLS_FLAG EXTRA_ARGS...
  local port="$1" proto="$2"; shift 2
  SERVER_ARGV=(openssl s_server -accept "127.0.0.1:$port" -naccept 1 "$proto"
    -cert "$PKI/server.crt" -cert_chain "$PKI/intermediate.crt" -key "$PKI/server.key"
    -Verify 2 -verify_return_error -CAfile "$PKI/root.crt" -no_ticket -www "$@")
  start_bg "mtls-server" "${SERVER_ARGV[@]}"
  wait_port "$port"
}
# s_server_said: the verify error and the OpenSSL error s_server printed, without the per-run thread id.
s_server_said() {
  grep -E '^verify error:|:error:' "$CAPTURES_WORK/mtls-server.log" | tr -d '\r' | strip_thread_id | paste -sd ';' | sed 's/;/; /g' || true
}
strip_thread_id() { sed -E 's/^[0-9A-F]{8,16}:error:/error:/'; }

node_start() { # node_start PORT VERSION
  SERVER_ARGV=(node "$CAPTURES_DIR/peers/node-server.mjs" "$1" "$2"
    "$PKI/server.key" "$PKI/server-chain.crt" "$PKI/root.crt")
  start_bg "mtls-server" "${SERVER_ARGV[@]}"
  wait_port "$1"
}
node_said() {
  grep -m1 -E 'tlsClientError|request from' "$CAPTURES_WORK/mtls-server.log" || echo "(nothing logged)"
}

# run_client NAME CMD... : run a client, record exit code and output, with SSLKEYLOGFILE set.
run_client() {
  local name="$1"; shift
  CLIENT_LOG="$WORK/$name.client.log"
  set +e
  SSLKEYLOGFILE="$OUT/$name.keys.log" timeout 20 "$@" </dev/null >"$CLIENT_LOG" 2>&1
  CLIENT_EXIT=$?
  set -e
}

curl_cmd() { # curl_cmd PORT EXTRA... (prints the argv, one per line, via CURL_ARGV)
  local port="$1"; shift
  CURL_ARGV=(curl -sS -i --max-time 10 --resolve "localhost:$port:127.0.0.1" "$@" "https://localhost:$port/")
}

# curl_said: first error line of curl, else the HTTP status line it received.
curl_said() {
  local err
  err="$(grep -m1 '^curl: ' "$CLIENT_LOG" || true)"
  if [ -n "$err" ]; then echo "$err"; else grep -m1 '^HTTP/' "$CLIENT_LOG" | tr -d '\r' || true; fi
}
# http_status_said: status line plus the <title> nginx put in the error page.
http_status_said() {
  local status title
  status="$(grep -m1 '^HTTP/' "$CLIENT_LOG" | tr -d '\r' || true)"
  title="$(grep -m1 -o '<title>[^<]*</title>' "$CLIENT_LOG" | sed -E 's/<\/?title>//g' || true)"
  if [ -n "$title" ]; then echo "$status ($title)"; else echo "$status"; fi
}

# s_client_run NAME PORT ARGS... : one s_client connection that sends an HTTP request and waits for the answer.
s_client_run() {
  local name="$1" port="$2"; shift 2
  CLIENT_LOG="$WORK/$name.client.log"
  S_CLIENT_ARGV=(openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$PKI_PUBLIC/root.pem"
    -keylogfile "$OUT/$name.keys.log" -ign_eof "$@")
  set +e
  printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' | timeout 20 "${S_CLIENT_ARGV[@]}" >"$CLIENT_LOG" 2>&1
  CLIENT_EXIT=$?
  set -e
}
s_client_said() {
  { grep -m1 -E ':error:|alert|errno|verify error' "$CLIENT_LOG" || grep -m1 '^HTTP/' "$CLIENT_LOG" || true; } | tr -d '\r' | strip_thread_id
}

begin() { # begin NAME PORT: start the capture before the server, so its first packets are in.
  CURRENT="$1"; CURRENT_PORT="$2"
  rm -f "$OUT/$1".*
  log "mtls: $1 (port $2)"
  capture_start "$OUT/$1.pcap" "$2"
}
finish() { # finish: stop the capture once the peers have exited, then the server.
  capture_stop "$CAPTURE_PID"
  stop_bg "mtls-server"
  cp "$CAPTURES_WORK/mtls-server.log" "$WORK/$CURRENT.server.log" 2>/dev/null || true
  wait_port_free "$CURRENT_PORT" 5 || true
  # a client that never reached key derivation writes an empty key log: keep none rather than an empty file
  [ -s "$OUT/$CURRENT.keys.log" ] || rm -f "$OUT/$CURRENT.keys.log"
}

# wire_json HANDSHAKE_COMPLETED ALERT_FROM ALERT_DESC [CLIENT_CERTIFICATE] (ALERT_FROM "-" = no alert;
# CLIENT_CERTIFICATE "empty" or "sent" when the scenario is about it): what the wire must show, for meta.json's
# "wire" and check_capture. What tlsdiag reports is the capture's .expected.json, not this.
wire_json() {
  local done="$1" from="$2" desc="$3" cert="${4:-}"
  local alert=null
  [ "$from" != - ] && alert="{\"from\":\"$from\",\"description\":\"$desc\"}"
  echo "{\"handshakeCompleted\":$done,\"alert\":$alert${cert:+,\"clientCertificate\":\"$cert\"}}"
}

meta() { # meta DESCRIPTION SERVER CLIENT CLIENT_SAID SERVER_SAID WIRE_JSON COMMAND...
  local desc="$1" server="$2" client="$3" csaid="$4" ssaid="$5" wire="$6"; shift 6
  write_meta "$OUT/$CURRENT.meta.json" "$CURRENT" "$desc" "$server" "$client" "$CLIENT_EXIT" "$csaid" "$ssaid" "$wire" \
    "$(argv_str "${SERVER_ARGV[@]}")" "$@"
  # say which key log goes with the capture (null when the client could not write one)
  node -e '
    const fs = require("node:fs"); const [file, keys] = process.argv.slice(1);
    const meta = JSON.parse(fs.readFileSync(file, "utf8"));
    meta.keyLog = fs.existsSync(keys) ? require("node:path").basename(keys) : null;
    fs.writeFileSync(file, JSON.stringify(meta, null, 2) + "\n");' "$OUT/$CURRENT.meta.json" "$OUT/$CURRENT.keys.log"
}

# meta_options OPTIONS_JSON: the tlsdiag options that stand for the server's configuration (meta.json "options",
# read by scripts/corpus.mjs serverOptionsFor): with them tlsdiag can name the reason the server logged.
meta_options() {
  node -e '
    const fs = require("node:fs"); const [file, options] = process.argv.slice(1);
    const meta = JSON.parse(fs.readFileSync(file, "utf8"));
    meta.options = JSON.parse(options);
    fs.writeFileSync(file, JSON.stringify(meta, null, 2) + "\n");' "$OUT/$CURRENT.meta.json" "$1"
}

argv_str() { local a out=""; for a in "$@"; do case "$a" in *' '* | *'"'* | *'\'* | '') out="$out '${a//\'/\'\\\'\'}'" ;; *) out="$out $a" ;; esac; done; echo "${out# }"; }

NGINX_DESC() { echo "nginx $NGINX_VERSION ssl_verify_client on, ssl_client_certificate=tlsdiag Test Root CA, ssl_protocols $1, ssl_verify_depth $2${3:+, $3}"; }
S_SERVER_DESC() { echo "openssl $OPENSSL_VERSION s_server $1 -Verify 2 -verify_return_error -CAfile tlsdiag Test Root CA"; }

# ---------------------------------------------------------------- scenarios

# 1. nginx + curl with the valid client certificate: TLS 1.2 and TLS 1.3.
if want nginx-tls12-valid-client-cert; then
  begin nginx-tls12-valid-client-cert 22001
  nginx_start 22001 TLSv1.2 "$PKI/server-chain.crt" 1
  curl_cmd 22001 --cacert "$PKI_PUBLIC/root.pem" --cert "$PKI_PUBLIC/client-valid.pem" --key "$PKI/client-valid.key"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  meta "nginx with TLS 1.2 and a required client certificate; curl presents a valid client certificate issued by the root the server trusts. The request succeeds." \
    "$(NGINX_DESC TLSv1.2 1)" "curl $CURL_VERSION --cert client-valid (issued by tlsdiag Test Root CA)" \
    "$(curl_said)" "$(nginx_said "$(http_status_said)")" "$(wire_json true - -)" "$(argv_str "${CURL_ARGV[@]}")"
fi

if want nginx-tls13-valid-client-cert; then
  begin nginx-tls13-valid-client-cert 22002
  nginx_start 22002 TLSv1.3 "$PKI/server-chain.crt" 1
  curl_cmd 22002 --cacert "$PKI_PUBLIC/root.pem" --cert "$PKI_PUBLIC/client-valid.pem" --key "$PKI/client-valid.key"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  meta "nginx with TLS 1.3 and a required client certificate; curl presents a valid client certificate. The handshake after ServerHello is encrypted; the key log decrypts it." \
    "$(NGINX_DESC TLSv1.3 1)" "curl $CURL_VERSION --cert client-valid (issued by tlsdiag Test Root CA)" \
    "$(curl_said)" "$(nginx_said "$(http_status_said)")" "$(wire_json true - -)" "$(argv_str "${CURL_ARGV[@]}")"
fi

# 2. no client certificate at all.
if want nginx-tls12-no-client-cert; then
  begin nginx-tls12-no-client-cert 22003
  nginx_start 22003 TLSv1.2 "$PKI/server-chain.crt" 1
  curl_cmd 22003 --cacert "$PKI_PUBLIC/root.pem"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  meta "nginx requires a client certificate; curl has none configured and answers the CertificateRequest with an empty Certificate. nginx completes the handshake and answers HTTP 400 inside the encrypted stream." \
    "$(NGINX_DESC TLSv1.2 1)" "curl $CURL_VERSION without --cert" \
    "$(curl_said)" "$(nginx_said "$(http_status_said)")" "$(wire_json true - - empty)" "$(argv_str "${CURL_ARGV[@]}")"
fi

# 3. client certificate from a CA the server does not trust.
if want nginx-tls12-other-root-client-cert; then
  begin nginx-tls12-other-root-client-cert 22004
  nginx_start 22004 TLSv1.2 "$PKI/server-chain.crt" 1
  curl_cmd 22004 --cacert "$PKI_PUBLIC/root.pem" --cert "$PKI_PUBLIC/client-other.pem" --key "$PKI/client-other.key"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  meta "curl sends a client certificate issued by Other Root CA, which is not among the CA names in nginx's CertificateRequest (tlsdiag Test Root CA). nginx completes the handshake and answers HTTP 400." \
    "$(NGINX_DESC TLSv1.2 1)" "curl $CURL_VERSION --cert client-other (issued by Other Root CA)" \
    "$(curl_said)" "$(nginx_said "$(http_status_said)")" "$(wire_json true - - sent)" "$(argv_str "${CURL_ARGV[@]}")"
fi

# 4. leaf issued by the intermediate, sent without the intermediate.
if want nginx-tls12-client-leaf-without-intermediate; then
  begin nginx-tls12-client-leaf-without-intermediate 22005
  nginx_start 22005 TLSv1.2 "$PKI/server-chain.crt" 1
  s_client_run "$CURRENT" 22005 -tls1_2 -cert "$PKI_PUBLIC/client-intermediate.pem" -key "$PKI/client-intermediate.key"
  finish
  meta "openssl s_client sends only the client leaf issued by tlsdiag Test Intermediate CA; the server trusts only the root, so the chain cannot be built without the intermediate. nginx completes the handshake and answers HTTP 400." \
    "$(NGINX_DESC TLSv1.2 1)" "openssl $OPENSSL_VERSION s_client -cert client-intermediate (leaf only)" \
    "$(s_client_said)" "$(nginx_said "$(http_status_said)")" "$(wire_json true - - sent)" "$(argv_str "${S_CLIENT_ARGV[@]}")"
fi

# 5. leaf + intermediate, with ssl_verify_depth 0 (rejected) and 1 (accepted).
for depth in 0 1; do
  name="nginx-tls12-client-chain-verify-depth-$depth"
  want "$name" || continue
  port=$((22006 + depth))
  begin "$name" "$port"
  nginx_start "$port" TLSv1.2 "$PKI/server-chain.crt" "$depth"
  curl_cmd "$port" --cacert "$PKI_PUBLIC/root.pem" --cert "$PKI_PUBLIC/client-intermediate-chain.pem" --key "$PKI/client-intermediate.key"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  if [ "$depth" = 0 ]; then
    wire="$(wire_json true - - sent)"
    desc="curl sends the client leaf and its intermediate (a complete chain to the trusted root), but nginx's ssl_verify_depth 0 allows no intermediate. nginx completes the handshake and answers HTTP 400."
  else
    wire="$(wire_json true - -)"
    desc="curl sends the client leaf and its intermediate; with ssl_verify_depth 1 (nginx's default; the trust anchor is not counted) the chain is accepted. The request succeeds."
  fi
  meta "$desc" "$(NGINX_DESC TLSv1.2 "$depth")" "curl $CURL_VERSION --cert client-intermediate-chain (leaf + intermediate PEM bundle)" \
    "$(curl_said)" "$(nginx_said "$(http_status_said)")" "$wire" "$(argv_str "${CURL_ARGV[@]}")"
  meta_options "[\"--verify-depth\",\"$depth\",\"--ca\",\"captures/pki/root.pem\"]"
done

# 6. client certificate whose EKU is serverAuth only.
if want nginx-tls12-client-cert-without-clientauth-eku; then
  begin nginx-tls12-client-cert-without-clientauth-eku 22008
  nginx_start 22008 TLSv1.2 "$PKI/server-chain.crt" 1
  curl_cmd 22008 --cacert "$PKI_PUBLIC/root.pem" --cert "$PKI_PUBLIC/client-serverauth-only.pem" --key "$PKI/client-serverauth-only.key"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  meta "curl sends a client certificate issued by the trusted root whose extendedKeyUsage is serverAuth only (no clientAuth). nginx completes the handshake and answers HTTP 400." \
    "$(NGINX_DESC TLSv1.2 1)" "curl $CURL_VERSION --cert client-serverauth-only (EKU serverAuth only)" \
    "$(curl_said)" "$(nginx_said "$(http_status_said)")" "$(wire_json true - - sent)" "$(argv_str "${CURL_ARGV[@]}")"
fi

# 7. openssl s_server -verify_return_error, TLS 1.2: alerts for each client certificate problem.
s_server_case() { # s_server_case NAME PORT DESCRIPTION CLIENT_DESC EXPECT CLIENT_ARGS...
  local name="$1" port="$2" desc="$3" cdesc="$4" wire="$5"; shift 5
  want "$name" || return 0
  begin "$name" "$port"
  s_server_start "$port" -tls1_2
  s_client_run "$name" "$port" -tls1_2 "$@"
  finish
  meta "$desc" "$(S_SERVER_DESC -tls1_2)" "$cdesc" "$(s_client_said)" "$(s_server_said)" "$wire" "$(argv_str "${S_CLIENT_ARGV[@]}")"
}
s_server_case s-server-tls12-expired-client-cert 22010 \
  "openssl s_client presents a client certificate whose validity ended in 2021; s_server rejects it with a fatal alert." \
  "openssl $OPENSSL_VERSION s_client -cert client-expired" "$(wire_json false server certificate_expired sent)" \
  -cert "$PKI_PUBLIC/client-expired.pem" -key "$PKI/client-expired.key"
s_server_case s-server-tls12-not-yet-valid-client-cert 22011 \
  "openssl s_client presents a client certificate whose validity starts in 2035; s_server rejects it with a fatal alert." \
  "openssl $OPENSSL_VERSION s_client -cert client-notyet" "$(wire_json false server bad_certificate sent)" \
  -cert "$PKI_PUBLIC/client-notyet.pem" -key "$PKI/client-notyet.key"
s_server_case s-server-tls12-no-client-cert 22012 \
  "openssl s_client has no client certificate and sends an empty Certificate; s_server requires one (-Verify) and sends a fatal alert." \
  "openssl $OPENSSL_VERSION s_client without -cert" "$(wire_json false server handshake_failure empty)"
s_server_case s-server-tls12-other-root-client-cert 22013 \
  "openssl s_client presents a client certificate issued by Other Root CA; s_server trusts only tlsdiag Test Root CA and sends a fatal alert." \
  "openssl $OPENSSL_VERSION s_client -cert client-other" "$(wire_json false server unknown_ca sent)" \
  -cert "$PKI_PUBLIC/client-other.pem" -key "$PKI/client-other.key"

# 8. Java (JSSE) whose only key is issued by Other Root CA: it sends an EMPTY Certificate.
java_prepare() {
  local jdir="$WORK/java"
  mkdir -p "$jdir"
  if [ ! -f "$jdir/JavaClient.class" ] || [ "$CAPTURES_DIR/peers/JavaClient.java" -nt "$jdir/JavaClient.class" ]; then
    javac -d "$jdir" "$CAPTURES_DIR/peers/JavaClient.java"
  fi
  rm -f "$jdir/client-other.p12" "$jdir/trust.p12"
  openssl pkcs12 -export -in "$PKI/client-other.crt" -inkey "$PKI/client-other.key" -name client \
    -passout pass:changeit -out "$jdir/client-other.p12"
  keytool -importcert -noprompt -alias root -file "$PKI/root.crt" -storetype PKCS12 \
    -keystore "$jdir/trust.p12" -storepass changeit >/dev/null 2>&1
  JAVA_ARGV=(java -Djavax.net.debug=ssl:handshake -cp "$jdir" JavaClient localhost PORT
    "$jdir/client-other.p12" "$jdir/trust.p12" changeit TLSv1.2)
}
java_run() { # java_run PORT
  local argv=("${JAVA_ARGV[@]}")
  argv[6]="$1"
  JAVA_RUN_ARGV=("${argv[@]}")
  run_client "$CURRENT" "${argv[@]}"
  rm -f "$OUT/$CURRENT.keys.log" # JSSE cannot write a key log
}
java_said() {
  local exc debug
  exc="$(grep -m1 -E '^(javax\.net|java\.)[a-zA-Z.]*(Exception|Error)' "$CLIENT_LOG" || grep -m1 '^HTTP/' "$CLIENT_LOG" || true)"
  debug="$(grep -m1 -o 'No X.509 certificate for client authentication[^"]*' "$CLIENT_LOG" || true)"
  if [ -n "$debug" ]; then echo "$exc (javax.net.debug: $debug)"; else echo "$exc"; fi
}
if want java-tls12-other-root-keystore-s-server || want java-tls12-other-root-keystore-nginx; then
  java_prepare
fi
if want java-tls12-other-root-keystore-s-server; then
  begin java-tls12-other-root-keystore-s-server 22020
  s_server_start 22020 -tls1_2
  java_run 22020
  finish
  meta "A Java client whose keystore holds only a key certified by Other Root CA meets a CertificateRequest naming only tlsdiag Test Root CA: JSSE finds no matching key and sends an empty Certificate; s_server sends a fatal alert." \
    "$(S_SERVER_DESC -tls1_2)" "Java $JAVA_VERSION JSSE, PKCS#12 keystore with client-other only" \
    "$(java_said)" "$(s_server_said)" "$(wire_json false server handshake_failure empty)" "$(argv_str "${JAVA_RUN_ARGV[@]}")"
fi
if want java-tls12-other-root-keystore-nginx; then
  begin java-tls12-other-root-keystore-nginx 22021
  nginx_start 22021 TLSv1.2 "$PKI/server-chain.crt" 1
  java_run 22021
  finish
  meta "The same Java client against nginx: JSSE sends an empty Certificate, nginx completes the handshake and answers HTTP 400 (No required SSL certificate was sent)." \
    "$(NGINX_DESC TLSv1.2 1)" "Java $JAVA_VERSION JSSE, PKCS#12 keystore with client-other only" \
    "$(java_said)" "$(nginx_said "$(grep -m1 '^HTTP/' "$CLIENT_LOG" || true)")" "$(wire_json true - - empty)" "$(argv_str "${JAVA_RUN_ARGV[@]}")"
fi

# 9. Node https server with requestCert + rejectUnauthorized.
if want node-tls12-no-client-cert; then
  begin node-tls12-no-client-cert 22030
  node_start 22030 TLSv1.2
  curl_cmd 22030 --cacert "$PKI_PUBLIC/root.pem"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  meta "Node's https server requires a client certificate; curl sends none (empty Certificate) and Node sends a fatal alert." \
    "node $NODE_VERSION https.createServer requestCert rejectUnauthorized, ca=tlsdiag Test Root CA, TLSv1.2" "curl $CURL_VERSION without --cert" \
    "$(curl_said)" "$(node_said)" "$(wire_json false server handshake_failure empty)" "$(argv_str "${CURL_ARGV[@]}")"
fi
if want node-tls12-other-root-client-cert; then
  begin node-tls12-other-root-client-cert 22031
  node_start 22031 TLSv1.2
  curl_cmd 22031 --cacert "$PKI_PUBLIC/root.pem" --cert "$PKI_PUBLIC/client-other.pem" --key "$PKI/client-other.key"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  meta "curl sends a client certificate issued by Other Root CA to Node's https server, which trusts only tlsdiag Test Root CA. Node closes the TCP connection after the client's flight without sending any alert." \
    "node $NODE_VERSION https.createServer requestCert rejectUnauthorized, ca=tlsdiag Test Root CA, TLSv1.2" "curl $CURL_VERSION --cert client-other (issued by Other Root CA)" \
    "$(curl_said)" "$(node_said)" "$(wire_json false - - sent)" "$(argv_str "${CURL_ARGV[@]}")"
fi

# 10. nginx serving its leaf without the intermediate.
if want nginx-tls12-server-chain-incomplete; then
  begin nginx-tls12-server-chain-incomplete 22040
  nginx_start 22040 TLSv1.2 "$PKI/server.crt" 1
  curl_cmd 22040 --cacert "$PKI_PUBLIC/root.pem" --cert "$PKI_PUBLIC/client-valid.pem" --key "$PKI/client-valid.key"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  meta "nginx's ssl_certificate holds the server leaf alone (its issuer, tlsdiag Test Intermediate CA, is omitted); curl trusts only the root, cannot build the chain and aborts with a fatal alert." \
    "$(NGINX_DESC TLSv1.2 1 "ssl_certificate = server leaf only")" "curl $CURL_VERSION --cacert root --cert client-valid" \
    "$(curl_said)" "$(nginx_said "(no HTTP exchange)")" "$(wire_json false client unknown_ca)" "$(argv_str "${CURL_ARGV[@]}")"
fi

# 11. curl with the system trust store, which does not hold the test root.
if want nginx-tls12-server-untrusted; then
  begin nginx-tls12-server-untrusted 22041
  nginx_start 22041 TLSv1.2 "$PKI/server-chain.crt" 1
  curl_cmd 22041 --cert "$PKI_PUBLIC/client-valid.pem" --key "$PKI/client-valid.key"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  meta "curl without --cacert uses the system trust store, which does not contain tlsdiag Test Root CA; it rejects the server's chain with a fatal alert." \
    "$(NGINX_DESC TLSv1.2 1)" "curl $CURL_VERSION (system CA store) --cert client-valid" \
    "$(curl_said)" "$(nginx_said "(no HTTP exchange)")" "$(wire_json false client unknown_ca)" "$(argv_str "${CURL_ARGV[@]}")"
fi

# 12. TLS 1.3 mTLS failures: the client Certificate and any alert are encrypted (key log saved).
if want nginx-tls13-other-root-client-cert; then
  begin nginx-tls13-other-root-client-cert 22050
  nginx_start 22050 TLSv1.3 "$PKI/server-chain.crt" 1
  curl_cmd 22050 --cacert "$PKI_PUBLIC/root.pem" --cert "$PKI_PUBLIC/client-other.pem" --key "$PKI/client-other.key"
  run_client "$CURRENT" "${CURL_ARGV[@]}"
  finish
  meta "TLS 1.3: curl sends a client certificate issued by Other Root CA; nginx completes the handshake and answers HTTP 400. The client's Certificate is encrypted; the key log decrypts it." \
    "$(NGINX_DESC TLSv1.3 1)" "curl $CURL_VERSION --cert client-other (issued by Other Root CA)" \
    "$(curl_said)" "$(nginx_said "$(http_status_said)")" "$(wire_json true - - sent)" "$(argv_str "${CURL_ARGV[@]}")"
fi
s_server13_case() { # like s_server_case, TLS 1.3
  local name="$1" port="$2" desc="$3" cdesc="$4" wire="$5"; shift 5
  want "$name" || return 0
  begin "$name" "$port"
  s_server_start "$port" -tls1_3
  s_client_run "$name" "$port" -tls1_3 "$@"
  finish
  meta "$desc" "$(S_SERVER_DESC -tls1_3)" "$cdesc" "$(s_client_said)" "$(s_server_said)" "$wire" "$(argv_str "${S_CLIENT_ARGV[@]}")"
}
s_server13_case s-server-tls13-no-client-cert 22051 \
  "TLS 1.3: s_client has no client certificate and sends an empty (encrypted) Certificate; s_server sends an encrypted fatal alert. The key log decrypts both." \
  "openssl $OPENSSL_VERSION s_client -tls1_3 without -cert" "$(wire_json false server certificate_required empty)"
s_server13_case s-server-tls13-other-root-client-cert 22052 \
  "TLS 1.3: s_client presents a client certificate issued by Other Root CA; s_server sends an encrypted fatal alert. The key log decrypts it." \
  "openssl $OPENSSL_VERSION s_client -tls1_3 -cert client-other" "$(wire_json false server unknown_ca sent)" \
  -cert "$PKI_PUBLIC/client-other.pem" -key "$PKI/client-other.key"

# ---------------------------------------------------------------- check the wire against meta.json

# check_capture NAME: what tshark sees on the wire must agree with the scenario's meta.json "wire".
check_capture() {
  node - "$OUT" "$1" <<'JS'
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const [dir, name] = process.argv.slice(2);
const meta = JSON.parse(fs.readFileSync(`${dir}/${name}.meta.json`, 'utf8'));
const pcap = `${dir}/${name}.pcap`;
const keys = meta.keyLog ? ['-o', `tls.keylog_file:${dir}/${meta.keyLog}`] : [];
const tshark = (filter, fields) =>
  execFileSync('tshark', ['-r', pcap, ...keys, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f]),
    '-E', 'occurrence=a', '-E', 'aggregator=,'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter(Boolean).map((l) => l.split('\t'));
const syns = tshark('tcp.flags.syn==1 && tcp.flags.ack==0', ['tcp.dstport']);
const problems = [];
if (syns.length !== 1) problems.push(`expected one connection, saw ${syns.length} SYNs`);
const serverPort = syns[0]?.[0];
const alertNames = { 40: 'handshake_failure', 42: 'bad_certificate', 45: 'certificate_expired', 48: 'unknown_ca',
  116: 'certificate_required', 46: 'certificate_unknown', 43: 'unsupported_certificate', 0: 'close_notify' };
const rows = tshark('tls || http', ['tcp.srcport', 'tls.handshake.type', 'tls.handshake.certificates_length',
  'tls.alert_message.level', 'tls.alert_message.desc', 'http.response.code', 'tls.record.content_type']);
const fatal = [], clientCertLengths = [], httpCodes = [];
let serverAppData = false;
for (const [port, types = '', certLens = '', levels = '', descs = '', code = '', contentTypes = ''] of rows) {
  const from = port === serverPort ? 'server' : 'client';
  const lv = levels.split(','), ds = descs.split(',');
  lv.forEach((l, i) => { if (l === '2') fatal.push({ from, description: alertNames[ds[i]] ?? `alert ${ds[i]}` }); });
  if (from === 'client' && types.split(',').includes('11')) clientCertLengths.push(Number(certLens.split(',')[0]));
  if (code) httpCodes.push(Number(code));
  if (from === 'server' && contentTypes.split(',').includes('23')) serverAppData = true;
}
const ex = meta.wire;
if (ex.alert) {
  if (!fatal.some((a) => a.from === ex.alert.from && a.description === ex.alert.description))
    problems.push(`expected fatal ${ex.alert.description} from ${ex.alert.from}, saw ${JSON.stringify(fatal)}`);
} else if (fatal.length) problems.push(`expected no fatal alert, saw ${JSON.stringify(fatal)}`);
const established = fatal.length === 0 && serverAppData;
if (established !== ex.handshakeCompleted) problems.push(`expected handshakeCompleted=${ex.handshakeCompleted}, wire says ${established}`);
if (ex.clientCertificate === 'empty' && !clientCertLengths.includes(0))
  problems.push(`expected an empty client Certificate, saw lengths ${clientCertLengths}`);
if (ex.clientCertificate === 'sent' && !clientCertLengths.some((n) => n > 0))
  problems.push(`expected a non-empty client Certificate, saw lengths ${clientCertLengths}`);
  problems.push(`expected a non-empty client Certificate, saw lengths ${clientCertLengths}`);
const said = / (\d{3}) /.exec(meta.serverSaid.startsWith('HTTP/') ? meta.serverSaid : '')?.[1];
if (said && meta.keyLog && !httpCodes.includes(Number(said))) problems.push(`expected HTTP ${said} on the wire, saw ${httpCodes}`);
const summary = `certs=[${clientCertLengths}] fatal=${JSON.stringify(fatal)} http=[${httpCodes}] established=${established}`;
if (problems.length) { console.error(`CHECK FAILED ${name}: ${problems.join('; ')} (${summary})`); process.exit(1); }
console.error(`check ok ${name}: ${summary}`);
JS
}

check_failed=0
CHECKING=1
for meta_file in "$OUT"/*.meta.json; do
  name="$(basename "$meta_file" .meta.json)"
  want "$name" || continue
  check_capture "$name" || check_failed=1
done
log "mtls: captures in $OUT"
exit "$check_failed"
