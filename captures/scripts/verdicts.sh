#!/usr/bin/env bash
# Records the captures behind the verdicts of issue 12 into captures/verdicts/, with real peers on loopback ports
# 27000-27099: TLS sent to plaintext ports (nginx `listen`, python3 -m http.server), plain HTTP sent to TLS ports
# (nginx `listen … ssl`, openssl s_server -WWW, a Java SSLServerSocket), a TLS 1.3 success without a key log, captures cut inside the
# handshake (editcap -r, head -c), weak cipher suites Debian's OpenSSL 3.0 still negotiates at @SECLEVEL=0, and a
# MariaDB login over TLS without a client certificate. One connection per capture, each with its meta.json (and
# the client's key log when it writes one). Every server is a throwaway instance with its own configuration under
# captures/work/verdicts. Needs root, tcpdump, tshark (editcap), openssl, curl, nginx, python3, java (17), mariadb-server.
# Usage: bash captures/scripts/verdicts.sh [scenario...]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT="$CAPTURES_DIR/verdicts"
RUN="$CAPTURES_WORK/verdicts"
P="$PKI_WORK"
mkdir -p "$OUT" "$RUN"
[ -f "$P/root.crt" ] || bash "$(dirname "${BASH_SOURCE[0]}")/pki.sh"

NGINX_VERSION="$(nginx -v 2>&1 | sed 's|.*nginx/||')"
CURL_VERSION="$(curl --version | head -1 | awk '{print $2}')"
OPENSSL_VERSION="$(openssl version | awk '{print $2}')"
PYTHON_VERSION="$(python3 --version | awk '{print $2}')"

cleanup() {
  [ -n "${CAPTURE_PID:-}" ] && capture_stop "$CAPTURE_PID"
  for pidf in "$CAPTURES_WORK"/verdicts-*.pid; do [ -f "$pidf" ] && stop_bg "$(basename "$pidf" .pid)"; done
  return 0
}
trap cleanup EXIT

# ---------------------------------------------------------------- peers

# nginx_start PORT LISTEN_OPTIONS [SSL_PROTOCOLS]: one nginx process (master_process off) with its own prefix,
# one server on 127.0.0.1:PORT; LISTEN_OPTIONS "" is a plaintext HTTP port, "ssl" a TLS port with the test
# server chain. Answers 200 "hello" to every request.
nginx_start() {
  local port="$1" listen="$2" protocols="${3:-TLSv1.2 TLSv1.3}" prefix="$RUN/nginx-$1"
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
    listen 127.0.0.1:$port${listen:+ $listen};
    server_name localhost;
    ssl_certificate $P/server-chain.crt;
    ssl_certificate_key $P/server.key;
    ssl_protocols $protocols;
    ssl_session_tickets off;
    location / {
      default_type text/plain;
      return 200 "hello\n";
    }
  }
}
CONF
  NGINX_PREFIX="$prefix"
  SERVER_ARGV=(nginx -p "$prefix" -e "$prefix/logs/error.log" -c "$prefix/conf/nginx.conf")
  start_bg verdicts-server "${SERVER_ARGV[@]}"
  wait_port "$port"
}
# nginx_said: nginx's access-log line (status and the request line it read) and its first error-log complaint.
nginx_said() {
  local access error
  # the request as logged (cut: a ClientHello read as a request line is long escaped binary), then status and size
  access="$(tail -1 "$NGINX_PREFIX/logs/access.log" 2>/dev/null |
    sed -E 's/^[0-9.]+ - - \[[^]]*\] "([^"]{0,32})[^"]*.* ([0-9]{3}) ([0-9]+) "[^"]*" "[^"]*"$/request "\1…" status \2 (\3 bytes)/' | tr -cd '\040-\176\200-\377' || true)"
  error="$(grep -m1 -E 'client sent|SSL_do_handshake|plain HTTP|wrong version|http request' "$NGINX_PREFIX/logs/error.log" 2>/dev/null |
    sed -E 's/^[0-9\/: ]+\[[a-z]+\] [0-9#]+: \*[0-9]+ //' || true)"
  echo "access.log: ${access:-(nothing)}${error:+; error.log: $error}"
}

# s_server_start PORT ARGS...: openssl s_server for one connection with the test server chain.
s_server_start() {
  local port="$1"; shift
  SERVER_ARGV=(openssl s_server -accept "127.0.0.1:$port" -naccept 1 -cert "$P/server.crt" -cert_chain "$P/intermediate.crt"
    -key "$P/server.key" "$@")
  start_bg verdicts-server "${SERVER_ARGV[@]}"
  wait_port "$port"
}
# s_server_said: the error lines s_server printed, without the per-run thread id.
s_server_said() {
  grep -a -E ':error:|^ERROR|shutting down|CIPHER is' "$CAPTURES_WORK/verdicts-server.log" | tr -d '\r' |
    sed -E 's/^[0-9A-F]{8,16}:error:/error:/' | head -3 | paste -sd ';' | sed 's/;/; /g' || true
}

# ---------------------------------------------------------------- recording

# begin NAME PORT: start the capture before the server, so its first packets are in.
begin() {
  CURRENT="$1"; CURRENT_PORT="$2"
  rm -f "$OUT/$1".pcap "$OUT/$1".keys.log "$OUT/$1".meta.json
  log "verdicts: $1 (port $2)"
  capture_start "$OUT/$1.pcap" "$2"
}
# run_client CMD...: one client run, stdin empty unless CLIENT_INPUT is set; exit code and output kept.
run_client() {
  CLIENT_LOG="$RUN/$CURRENT.client.log"
  CLIENT_ARGV=("$@")
  set +e
  printf '%b' "${CLIENT_INPUT:-}" | timeout 20 "$@" >"$CLIENT_LOG" 2>&1
  CLIENT_EXIT=$?
  set -e
  CLIENT_INPUT=""
}
# finish: stop the capture once the client has exited, then the server; keep a key log only when it holds keys.
finish() {
  capture_stop "$CAPTURE_PID"
  stop_bg verdicts-server
  cp "$CAPTURES_WORK/verdicts-server.log" "$RUN/$CURRENT.server.log" 2>/dev/null || true
  wait_port_free "$CURRENT_PORT" 5 || true
  # a client that never derived keys writes none (OpenSSL leaves its comment line): keep no key log then
  grep -q -v '^#' "$OUT/$CURRENT.keys.log" 2>/dev/null || rm -f "$OUT/$CURRENT.keys.log"
}
# client_said: the client's first error line, else its first HTTP status line, else its first line.
client_said() {
  local line
  line="$(grep -a -m1 -E '^curl: |:error:|ERROR' "$CLIENT_LOG" | sed -E 's/[0-9A-F]{8,16}:error:/error:/' || true)"
  [ -n "$line" ] || line="$(grep -a -m1 -E '^HTTP/|^< HTTP/' "$CLIENT_LOG" || true)"
  # s_client names the suite it negotiated: worth keeping beside the answer
  if [[ "$line" == HTTP/* ]] && grep -a -q -E '^New, .*Cipher is' "$CLIENT_LOG"; then line="$(grep -a -m1 -E '^New, .*Cipher is' "$CLIENT_LOG") | $line"; fi
  [ -n "$line" ] || line="$(grep -a -v '^$' "$CLIENT_LOG" | grep -a -v -E 'SECRET|CLIENT_RANDOM' | head -1 || true)"
  echo "$line" | tr -cd '\040-\176'
}

argv_str() { local a out=""; for a in "$@"; do case "$a" in *' '* | *'"'* | *'\'* | '') out="$out '${a//\'/\'\\\'\'}'" ;; *) out="$out $a" ;; esac; done; echo "${out# }"; }

# meta DESCRIPTION SERVER CLIENT SERVER_SAID WIRE_JSON [EXTRA_COMMAND...]
# WIRE_JSON is null here: nothing is checked on the wire; what tlsdiag must report is the capture's .expected.json.
meta() {
  local desc="$1" server="$2" client="$3" ssaid="$4" wire="$5"; shift 5
  write_meta "$OUT/$CURRENT.meta.json" "$CURRENT" "$desc" "$server" "$client" "$CLIENT_EXIT" "${CLIENT_SAID:-$(client_said)}" "$ssaid" "$wire" \
    "$(argv_str "${SERVER_ARGV[@]}")" "$(argv_str "${CLIENT_ARGV[@]}")" "$@"
  node -e '
    const fs = require("node:fs"); const [file, keys] = process.argv.slice(1);
    const m = JSON.parse(fs.readFileSync(file, "utf8"));
    m.keyLog = fs.existsSync(keys) && fs.statSync(keys).size > 0 ? require("node:path").basename(keys) : null;
    fs.writeFileSync(file, JSON.stringify(m, null, 2) + "\n");' "$OUT/$CURRENT.meta.json" "$OUT/$CURRENT.keys.log"
}

HTTP_GET='GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'

# ---------------------------------------------------------------- a. TLS sent to a plaintext port

sc_tls_to_nginx_http_port_s_client() {
  begin tls-to-nginx-http-port-s-client 27001
  nginx_start 27001 ""
  CLIENT_INPUT="$HTTP_GET"
  run_client openssl s_client -connect 127.0.0.1:27001 -servername localhost -CAfile "$P/root.crt" -keylogfile "$OUT/$CURRENT.keys.log" -ign_eof
  finish
  meta "openssl s_client sends a ClientHello to nginx's plaintext HTTP port (listen without ssl). nginx reads the ClientHello as a malformed HTTP request and answers in plaintext \"HTTP/1.1 400 Bad Request\", then closes; s_client fails with \"wrong version number\" (it read the 5 bytes \"HTTP/\" as a record header)." \
    "nginx $NGINX_VERSION, listen 127.0.0.1:27001 (plain HTTP)" "openssl $OPENSSL_VERSION s_client" "$(nginx_said)" \
    null
}

sc_tls_to_nginx_http_port_curl() {
  begin tls-to-nginx-http-port-curl 27002
  nginx_start 27002 ""
  SSLKEYLOGFILE="$OUT/tls-to-nginx-http-port-curl.keys.log" run_client curl -sS -i --max-time 10 --resolve localhost:27002:127.0.0.1 \
    --cacert "$P/root.crt" https://localhost:27002/
  finish
  meta "curl https:// to nginx's plaintext HTTP port: nginx answers the ClientHello with a plaintext \"HTTP/1.1 400 Bad Request\" page and closes; curl: \"wrong version number\" (exit 35)." \
    "nginx $NGINX_VERSION, listen 127.0.0.1:27002 (plain HTTP)" "curl $CURL_VERSION https://" "$(nginx_said)" \
    null
}

sc_tls_to_python_http_server() {
  begin tls-to-python-http-server 27003
  SERVER_ARGV=(python3 -m http.server --bind 127.0.0.1 --directory "$RUN" 27003)
  start_bg verdicts-server "${SERVER_ARGV[@]}"
  wait_port 27003
  SSLKEYLOGFILE="$OUT/tls-to-python-http-server.keys.log" run_client curl -sS -i --max-time 5 --resolve localhost:27003:127.0.0.1 \
    --cacert "$P/root.crt" https://localhost:27003/
  finish
  meta "curl https:// to python3 -m http.server (plain HTTP). Python's http.server reads the ClientHello as a request line and answers in plaintext with an HTTP/1.0 400 error page, then closes; curl fails with \"wrong version number\". (http.server reads up to the first 0x0a byte: a ClientHello holds one by chance in its random fields, else the server waits for more and curl times out — re-record then.)" \
    "Python $PYTHON_VERSION http.server" "curl $CURL_VERSION https://" "$(grep -a -m1 'code 400' "$CAPTURES_WORK/verdicts-server.log" | sed -E 's/^.*\] //; s/ \(.*$//' || true)" \
    null
}

# ---------------------------------------------------------------- b. plain HTTP sent to a TLS port

sc_http_to_nginx_https_port() {
  begin http-to-nginx-https-port 27004
  nginx_start 27004 ssl
  run_client curl -sS -i --max-time 10 --resolve localhost:27004:127.0.0.1 http://localhost:27004/
  finish
  meta "curl http:// (plain HTTP) to nginx's TLS port (listen … ssl). OpenSSL inside nginx sees \"GET \" where a record header belongs (SSL_R_HTTP_REQUEST); nginx answers in plaintext \"HTTP/1.1 400 Bad Request\" with the page \"400 The plain HTTP request was sent to HTTPS port\", and closes. No TLS byte on the wire." \
    "nginx $NGINX_VERSION, listen 127.0.0.1:27004 ssl" "curl $CURL_VERSION http://" "$(nginx_said)" \
    null
}

sc_http_to_s_server_www() {
  begin http-to-s-server-www 27005
  s_server_start 27005 -WWW
  run_client curl -sS -i --max-time 10 --resolve localhost:27005:127.0.0.1 http://localhost:27005/
  finish
  meta "curl http:// (plain HTTP) to openssl s_server -WWW. OpenSSL reads \"GET \" where a record header belongs, fails with \"http request\" (SSL_R_HTTP_REQUEST, sent as SSL_AD_NO_ALERT: no alert) and s_server closes the connection without sending a byte; curl: \"Empty reply from server\" (exit 52). Nothing on the wire says the server speaks TLS (a plaintext server closing at once looks the same) and the port is not a well-known TLS port." \
    "openssl $OPENSSL_VERSION s_server -WWW" "curl $CURL_VERSION http://" "$(s_server_said)" \
    null
}

sc_http_to_java_tls_server() {
  local p12="$RUN/java-server.p12"
  openssl pkcs12 -export -in "$P/server-chain.crt" -inkey "$P/server.key" -passout pass:changeit -out "$p12"
  begin http-to-java-tls-server 27014
  SERVER_ARGV=(java "$CAPTURES_DIR/peers/JavaTlsServer.java" 27014 "$p12" changeit)
  start_bg verdicts-server "${SERVER_ARGV[@]}"
  wait_port 27014 60
  run_client curl -sS -i --max-time 10 --resolve localhost:27014:127.0.0.1 http://localhost:27014/
  finish
  meta "curl http:// (plain HTTP) to a Java (JSSE) TLS server socket. JSSE fails with \"Unsupported or unrecognized SSL message\" and answers with a TLS alert record, fatal unexpected_message (10), then closes; curl takes the 7 bytes for an HTTP/0.9 answer and gives up (exit 1)." \
    "Java $(java -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/') JSSE SSLServerSocket (captures/peers/JavaTlsServer.java)" "curl $CURL_VERSION http://" \
    "$(grep -a -m1 -E 'Exception' "$CAPTURES_WORK/verdicts-server.log" || true)" \
    null
}

# The control: plain HTTP to a plain HTTP port is no TLS connection at all and must not be reported.
sc_http_to_nginx_http_port() {
  begin http-to-nginx-http-port 27015
  nginx_start 27015 ""
  run_client curl -sS -i --max-time 10 --resolve localhost:27015:127.0.0.1 http://localhost:27015/
  finish
  meta "The control: curl http:// to nginx's plaintext HTTP port, HTTP 200. No TLS on either side: an analyser reports no connection (plaintext between plaintext peers is not a TLS problem)." \
    "nginx $NGINX_VERSION, listen 127.0.0.1:27015 (plain HTTP)" "curl $CURL_VERSION http://" "$(nginx_said)" \
    null
}

# ---------------------------------------------------------------- c. TLS 1.3 success without a key log

sc_tls13_success_no_keylog() {
  begin tls13-success-no-keylog 27006
  nginx_start 27006 ssl TLSv1.3
  run_client curl -sS -i --max-time 10 --resolve localhost:27006:127.0.0.1 --cacert "$P/root.crt" https://localhost:27006/
  finish
  rm -f "$OUT/$CURRENT.keys.log"
  meta "curl to nginx over TLS 1.3, HTTP 200 \"hello\"; no key log is written (SSLKEYLOGFILE unset), so everything after the ServerHello is encrypted; application data flows both ways." \
    "nginx $NGINX_VERSION, listen … ssl, ssl_protocols TLSv1.3" "curl $CURL_VERSION, no SSLKEYLOGFILE" "$(nginx_said)" \
    null
}

# ---------------------------------------------------------------- d. captures cut inside the handshake

# frame_of PCAP FILTER: the number of the first frame matching a tshark display filter.
frame_of() { tshark -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | head -1; }

sc_cut_after_server_hello() {
  local full="$RUN/cut-source-tls12.pcap" frame
  # The source: a whole TLS 1.2 handshake (nginx + curl), recorded here and not kept.
  begin cut-source-tls12 27007
  nginx_start 27007 ssl TLSv1.2
  run_client curl -sS -i --max-time 10 --resolve localhost:27007:127.0.0.1 --cacert "$P/root.crt" https://localhost:27007/
  finish
  mv "$OUT/cut-source-tls12.pcap" "$full"
  rm -f "$OUT/cut-source-tls12".*
  frame="$(frame_of "$full" 'tls.handshake.type == 2')"
  [ -n "$frame" ] || die "no ServerHello in $full"
  CURRENT=cut-after-server-hello
  rm -f "$OUT/$CURRENT".*
  editcap -r "$full" "$OUT/$CURRENT.pcap" "1-$frame"
  CLIENT_ARGV=(editcap -r cut-source-tls12.pcap "$CURRENT.pcap" "1-$frame")
  meta "A whole TLS 1.2 handshake (nginx + curl, HTTP 200) cut with editcap -r after frame $frame, the server's first flight (ServerHello, Certificate, ServerKeyExchange, ServerHelloDone in one loopback segment): the capture stops inside the handshake, before the client's key exchange; how it ended is not in it." \
    "nginx $NGINX_VERSION, listen … ssl, ssl_protocols TLSv1.2" "curl $CURL_VERSION, then editcap -r 1-$frame" "$(nginx_said)" \
    null \
    "$(argv_str curl -sS -i --max-time 10 --resolve localhost:27007:127.0.0.1 --cacert "$P/root.crt" https://localhost:27007/)"
}

sc_cut_head_c() {
  local full="$RUN/cut-source-tls13.pcap" frame bytes
  begin cut-source-tls13 27008
  nginx_start 27008 ssl TLSv1.3
  run_client curl -sS -i --max-time 10 --resolve localhost:27008:127.0.0.1 --cacert "$P/root.crt" https://localhost:27008/
  finish
  mv "$OUT/cut-source-tls13.pcap" "$full"
  rm -f "$OUT/cut-source-tls13".*
  frame="$(frame_of "$full" 'tls.handshake.type == 2')"
  [ -n "$frame" ] || die "no ServerHello in $full"
  # Bytes up to the middle of the ServerHello frame: the pcap header (24), then 16 + caplen per packet before it,
  # then the 16-byte record header and half the packet.
  bytes="$(tshark -r "$full" -T fields -e frame.number -e frame.cap_len 2>/dev/null |
    awk -v f="$frame" 'BEGIN { n = 24 } $1 < f { n += 16 + $2 } $1 == f { n += 16 + int($2 / 2) } END { print n }')"
  CURRENT=cut-head-c
  rm -f "$OUT/$CURRENT".*
  head -c "$bytes" "$full" >"$OUT/$CURRENT.pcap"
  CLIENT_ARGV=(head -c "$bytes" cut-source-tls13.pcap)
  meta "A whole TLS 1.3 handshake (nginx + curl, HTTP 200) cut with head -c $bytes: the file ends in the middle of frame $frame, the server's ServerHello flight, so its last packet record is truncated and the handshake is cut inside the server's first flight." \
    "nginx $NGINX_VERSION, listen … ssl, ssl_protocols TLSv1.3" "curl $CURL_VERSION, then head -c $bytes" "$(nginx_said)" \
    null \
    "$(argv_str curl -sS -i --max-time 10 --resolve localhost:27008:127.0.0.1 --cacert "$P/root.crt" https://localhost:27008/)"
}

# ---------------------------------------------------------------- e. weak cipher suites

# weak_case NAME PORT SUITE DESCRIPTION [SERVER_EXTRA...]: s_server -www and s_client both limited to SUITE at
# @SECLEVEL=0 over TLS 1.2; the client sends a GET, the server answers its status page: data both ways.
weak_case() {
  local name="$1" port="$2" suite="$3" desc="$4"; shift 4
  begin "$name" "$port"
  s_server_start "$port" -tls1_2 -cipher "$suite:@SECLEVEL=0" -www -no_ticket "$@"
  CLIENT_INPUT="$HTTP_GET"
  run_client openssl s_client -connect "127.0.0.1:$port" -tls1_2 -cipher "$suite:@SECLEVEL=0" -servername localhost \
    -CAfile "$P/root.crt" -keylogfile "$OUT/$name.keys.log" -ign_eof
  finish
  SERVER_SAID="$(s_server_said)"
  meta "$desc" "openssl $OPENSSL_VERSION s_server -tls1_2 -cipher '$suite:@SECLEVEL=0' -www" \
    "openssl $OPENSSL_VERSION s_client -tls1_2 -cipher '$suite:@SECLEVEL=0'" "${SERVER_SAID:-(nothing logged)}" \
    null
}

sc_weak_null_sha256() {
  weak_case weak-null-sha256 27010 NULL-SHA256 \
    "TLS 1.2 with TLS_RSA_WITH_NULL_SHA256: RSA key transport, records authenticated (HMAC-SHA256) but NOT encrypted: the HTTP request and s_server's status page cross the wire in clear."
}
sc_weak_null_md5() {
  weak_case weak-null-md5 27011 NULL-MD5 \
    "TLS 1.2 with TLS_RSA_WITH_NULL_MD5: no encryption and an HMAC-MD5 record MAC; the request and the status page are in clear."
}
sc_weak_adh_aes128_sha() {
  weak_case weak-adh-aes128-sha 27012 ADH-AES128-SHA \
    "TLS 1.2 with TLS_DH_anon_WITH_AES_128_CBC_SHA: anonymous Diffie-Hellman, the server sends no Certificate, so nothing authenticates it (a man in the middle is undetectable)."
}
sc_weak_aecdh_null_sha() {
  weak_case weak-aecdh-null-sha 27013 AECDH-NULL-SHA \
    "TLS 1.2 with TLS_ECDH_anon_WITH_NULL_SHA: anonymous ECDH and no encryption: neither authenticated nor confidential."
}

# ---------------------------------------------------------------- f. MariaDB login without a client certificate

mariadb_start() { # mariadb_start PORT: a throwaway MariaDB with the test server chain, data under $RUN/mariadb.
  MY="$RUN/mariadb"
  stop_bg verdicts-server
  rm -rf "$MY" && mkdir -p "$MY" && chown mysql "$MY"
  cat "$P/server.crt" "$P/intermediate.crt" >"$MY/chain.crt"
  install -m 600 -o mysql "$P/server.key" "$MY/server.key"
  mariadb-install-db --no-defaults --datadir="$MY/data" --user=mysql >"$MY/install.log" 2>&1
  SERVER_ARGV=(mariadbd --no-defaults --datadir="$MY/data" --socket="$MY/sock" --pid-file="$MY/pid" --port="$1"
    --bind-address=127.0.0.1 --user=mysql --ssl-cert="$MY/chain.crt" --ssl-key="$MY/server.key" --log-error="$MY/err.log")
  start_bg verdicts-server "${SERVER_ARGV[@]}"
  wait_port "$1" 30
  # A TCP user without a password for the login (root may only use the socket; no secret in the meta.json).
  mariadb --no-defaults --socket="$MY/sock" -u root -e "CREATE USER 'tlsdiag'@'127.0.0.1'; GRANT USAGE ON *.* TO 'tlsdiag'@'127.0.0.1';"
}

sc_mariadb_login_tls12_no_client_cert() {
  local name=mariadb-login-tls12-no-client-cert port=27020
  CURRENT=$name
  mariadb_start $port
  begin $name $port
  SSLKEYLOGFILE="$OUT/$name.keys.log" run_client mariadb --no-defaults -h 127.0.0.1 -P $port -u tlsdiag --ssl \
    --ssl-ca="$P/root.crt" --tls-version=TLSv1.2 -e "SELECT 'over TLS' AS hello; SHOW SESSION STATUS LIKE 'Ssl_version';"
  finish
  CLIENT_SAID="$(paste -sd ' ' "$CLIENT_LOG" | tr -s '\t ' ' ')"
  meta "The mariadb client logs in over TLS 1.2 (--ssl, no client certificate) and runs two queries. MariaDB's server handshake packet offers CLIENT_SSL, the client's SSL request packet follows, then TLS 1.2: the server sends a CertificateRequest it does not require, the client answers with an empty Certificate, the handshake completes and the login and the queries go on inside TLS (data both ways)." \
    "MariaDB $(mariadbd --version | awk '{print $3}') (Debian mariadb-server) --ssl-cert/--ssl-key, no --ssl-ca" "mariadb client --ssl --tls-version=TLSv1.2, no --ssl-cert" \
    "$(grep -a -m1 -i -E 'error|warn.*ssl' "$MY/err.log" | tr -cd '\040-\176' || true)" \
    null
  CLIENT_SAID=""
}

# TLS from the first byte to a port that starts in plaintext: the server greets first (a MySQL handshake packet),
# the client answers with a ClientHello without asking for TLS (no -starttls).
sc_tls_to_mariadb_port() {
  local name=tls-to-mariadb-port port=27021
  CURRENT=$name
  mariadb_start $port
  begin $name $port
  run_client openssl s_client -connect 127.0.0.1:$port -servername localhost -CAfile "$P/root.crt" -keylogfile "$OUT/$name.keys.log"
  finish
  meta "openssl s_client without -starttls to MariaDB's port: s_client sends its ClientHello as soon as it is connected, MariaDB its protocol-10 greeting (server version in clear) as soon as it accepts (on loopback either may come first; the capture shows which). s_client fails reading the greeting as a record header (\"wrong version number\") and closes; MariaDB reads the ClientHello as the start of a 66 KB packet and closes when the client does. MySQL and MariaDB have no implicit-TLS port: TLS is asked for inside the protocol (SSL request packet)." \
    "MariaDB $(mariadbd --version | awk '{print $3}') (Debian mariadb-server) --ssl-cert/--ssl-key" "openssl $OPENSSL_VERSION s_client (no -starttls)" \
    "$(grep -a -m1 -i -E 'aborted|error' "$MY/err.log" | sed -E 's/^[0-9-]+ [0-9:]+ [0-9]+ //' | tr -cd '\040-\176' || true)" \
    null
}

# The same with the greeting first, for sure: a Node TLS client that waits half a second after connecting, then
# starts TLS on the socket without asking.
sc_tls_to_mariadb_port_after_greeting() {
  local name=tls-to-mariadb-port-after-greeting port=27022
  CURRENT=$name
  mariadb_start $port
  begin $name $port
  run_client node "$CAPTURES_DIR/peers/node-tls-after-greeting.mjs" 127.0.0.1 $port "$P/root.crt" 500
  finish
  meta "A Node TLS client (peers/node-tls-after-greeting.mjs) connects to MariaDB, lets its protocol-10 greeting arrive (server version in clear), then starts TLS on the socket without asking (no SSL request packet): MariaDB spoke first, the ClientHello follows. Node reads the greeting as a TLS record and fails; MariaDB reads the ClientHello as the start of a 66 KB packet." \
    "MariaDB $(mariadbd --version | awk '{print $3}') (Debian mariadb-server) --ssl-cert/--ssl-key" "Node $(node --version) tls.connect({ socket }) 500 ms after the TCP connect" \
    "$(grep -a -m1 -i -E 'aborted|error' "$MY/err.log" | sed -E 's/^[0-9-]+ [0-9:]+ [0-9]+ //' | tr -cd '\040-\176' || true)" \
    null
}

ALL=(tls_to_nginx_http_port_s_client tls_to_nginx_http_port_curl tls_to_python_http_server http_to_nginx_https_port
  http_to_s_server_www http_to_java_tls_server http_to_nginx_http_port tls13_success_no_keylog cut_after_server_hello cut_head_c weak_null_sha256 weak_null_md5
  weak_adh_aes128_sha weak_aecdh_null_sha mariadb_login_tls12_no_client_cert tls_to_mariadb_port
  tls_to_mariadb_port_after_greeting)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${ALL[@]}")
for sc in "${wanted[@]}"; do "sc_${sc//-/_}"; done
log "${#wanted[@]} verdict scenario(s) recorded in $OUT"
