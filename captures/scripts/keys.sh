#!/usr/bin/env bash
# Record the sessions that the server's private key (--key) or a pre-shared key (--psk) opens into
# captures/keys/: RSA key exchange (TLS 1.0 and 1.2, CBC and GCM) with client certificates from openssl
# s_client and Java (JSSE splits CBC records 1/n-1), a renegotiation that asks for the client certificate
# only the second time, a TLS 1.2 PSK suite, and one ECDHE session that no private key opens. Both peers'
# key logs are recorded beside each capture, so tests show the private key and the key log open the same
# sessions.
#
# Unlike the shared test PKI (scripts/pki.sh, whose keys are never committed), this folder has its own
# throwaway PKI whose server key IS committed (captures/keys/server-rsa.key.pem, and as PKCS#12 with the
# password in meta.json): it protects nothing but these captures, and the tests need it.
# Ports 28000-28099. Re-runnable: every server it starts is stopped by its pid file.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT="$CAPTURES_DIR/keys"
WORK="$CAPTURES_WORK/keys"
mkdir -p "$OUT" "$WORK"
OPENSSL_VERSION="$(openssl version | awk '{print $2}')"
JAVA_VERSION="$(java -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/')"
ONLY="${KEYS_ONLY:-}" # a regex of scenario names, to re-record a few
P12_PASSWORD='tlsdiag-p12'
PSK_HEX='6b6579732d746c73646961672d70736b2d3031'
PSK_IDENTITY='tlsdiag-client'

want() { [ -z "$ONLY" ] || [[ "$1" =~ $ONLY ]]; }

cleanup() {
  [ -n "${CAPTURE_PID:-}" ] && capture_stop "$CAPTURE_PID"
  for pidf in "$CAPTURES_WORK"/keys-*.pid; do [ -f "$pidf" ] && stop_bg "$(basename "$pidf" .pid)"; done
  exec 7>&- 8>&- 2>/dev/null || true
  return 0
}
trap cleanup EXIT

# ---------------------------------------------------------------- PKI (kept when present)
pki() {
  local days=7300
  [ -f "$OUT/server-rsa.key.pem" ] && [ -f "$WORK/ca.key" ] && return 0
  log "keys: building the PKI"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/ca.key" -out "$OUT/ca.pem" -days "$days" \
    -subj '/CN=tlsdiag Keys Test CA' -set_serial 1401 -addext 'basicConstraints=critical,CA:true' \
    -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/server-rsa.key.pem" 2>/dev/null
  openssl req -new -key "$OUT/server-rsa.key.pem" -subj '/CN=localhost' -out "$WORK/server.csr"
  openssl x509 -req -in "$WORK/server.csr" -CA "$OUT/ca.pem" -CAkey "$WORK/ca.key" -set_serial 1402 -days "$days" \
    -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n') \
    -out "$OUT/server-rsa.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$WORK/client.key" -subj '/CN=tlsdiag Keys Test Client' -out "$WORK/client.csr" 2>/dev/null
  openssl x509 -req -in "$WORK/client.csr" -CA "$OUT/ca.pem" -CAkey "$WORK/ca.key" -set_serial 1403 -days "$days" \
    -extfile <(printf 'extendedKeyUsage=clientAuth\n') -out "$OUT/client.pem" 2>/dev/null
  # The server key as PKCS#12 with a password: OpenSSL 3's default (AES-256-CBC, PBKDF2) and the legacy
  # layout older Java/IBM tools write (certificate bag RC2-40, key bag 3DES), which Node cannot open whole.
  openssl pkcs12 -export -in "$OUT/server-rsa.pem" -inkey "$OUT/server-rsa.key.pem" -name server \
    -passout "pass:$P12_PASSWORD" -out "$OUT/server-rsa.p12"
  openssl pkcs12 -export -legacy -certpbe PBE-SHA1-RC2-40 -keypbe PBE-SHA1-3DES -in "$OUT/server-rsa.pem" \
    -inkey "$OUT/server-rsa.key.pem" -name server -passout "pass:$P12_PASSWORD" -out "$OUT/server-rsa-legacy.p12"
  # The same key encrypted as PKCS#8 PEM (--key-password).
  openssl pkcs8 -topk8 -in "$OUT/server-rsa.key.pem" -v2 aes-256-cbc -passout "pass:$P12_PASSWORD" -out "$OUT/server-rsa.enc.key.pem"
  # An unrelated key: matches no certificate of any capture (the warning).
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/unrelated-rsa.key.pem" 2>/dev/null
  cat "$OUT/client.pem" "$WORK/client.key" >"$WORK/client-bundle.pem"
  openssl pkcs12 -export -in "$OUT/client.pem" -inkey "$WORK/client.key" -passout pass:changeit -out "$WORK/client.p12"
  rm -f "$WORK/trust.p12"
  keytool -importcert -noprompt -alias ca -file "$OUT/ca.pem" -keystore "$WORK/trust.p12" -storetype PKCS12 -storepass changeit >/dev/null
}
pki

# ---------------------------------------------------------------- peers
# s_server_start PORT ARGS...: openssl s_server with the RSA server key, writing its key log, one connection.
s_server_start() {
  local port="$1"; shift
  SERVER_ARGV=(openssl s_server -accept "127.0.0.1:$port" -naccept 1 -cert "$OUT/server-rsa.pem" -key "$OUT/server-rsa.key.pem"
    -CAfile "$OUT/ca.pem" -no_ticket -keylogfile "$WORK/$CURRENT.server-keys.log" "$@")
  start_bg "keys-server" "${SERVER_ARGV[@]}"
  wait_port "$port"
}

# s_client_run PORT ARGS...: one s_client connection that sends an HTTP request and reads the answer.
s_client_run() {
  local port="$1"; shift
  CLIENT_LOG="$WORK/$CURRENT.client.log"
  CLIENT_ARGV=(openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$OUT/ca.pem"
    -keylogfile "$OUT/$CURRENT.keys.log" -ign_eof "$@")
  set +e
  printf 'GET /test HTTP/1.0\r\nHost: localhost\r\n\r\n' | timeout 20 "${CLIENT_ARGV[@]}" >"$CLIENT_LOG" 2>&1
  CLIENT_EXIT=$?
  set -e
}

java_prepare() {
  local jdir="$WORK/java"
  mkdir -p "$jdir"
  if [ ! -f "$jdir/JavaClient.class" ] || [ "$CAPTURES_DIR/peers/JavaClient.java" -nt "$jdir/JavaClient.class" ]; then
    javac -d "$jdir" "$CAPTURES_DIR/peers/JavaClient.java"
  fi
  if [ ! -f "$jdir/JavaPiecewiseClient.class" ] || [ "$CAPTURES_DIR/peers/JavaPiecewiseClient.java" -nt "$jdir/JavaPiecewiseClient.class" ]; then
    javac -d "$jdir" "$CAPTURES_DIR/peers/JavaPiecewiseClient.java"
  fi
  # JDK 17 disables TLS 1.0 and the RSA key exchange is last in its order: allow every protocol.
  printf 'jdk.tls.disabledAlgorithms=\n' >"$jdir/allow-tls10.security"
}
java_run() { # java_run PORT PROTOCOL [CLASS]
  CLIENT_LOG="$WORK/$CURRENT.client.log"
  CLIENT_ARGV=(java "-Djava.security.properties=$WORK/java/allow-tls10.security" -cp "$WORK/java" "${3:-JavaClient}" localhost "$1"
    "$WORK/client.p12" "$WORK/trust.p12" changeit "$2")
  set +e
  timeout 30 "${CLIENT_ARGV[@]}" >"$CLIENT_LOG" 2>&1
  CLIENT_EXIT=$?
  set -e
}

begin() { # begin NAME PORT: start the capture before the server, so its first packets are in.
  CURRENT="$1"; CURRENT_PORT="$2"
  rm -f "$OUT/$1".pcap "$OUT/$1".keys.log "$OUT/$1".meta.json "$WORK/$1".*
  log "keys: $1 (port $2)"
  capture_start "$OUT/$1.pcap" "$2"
}
finish() { # finish: stop the capture once the peers have exited, then the server; keep one key log.
  capture_stop "$CAPTURE_PID"
  stop_bg "keys-server"
  cp "$CAPTURES_WORK/keys-server.log" "$WORK/$CURRENT.server.log" 2>/dev/null || true
  wait_port_free "$CURRENT_PORT" 5 || true
  # The client's key log when it wrote one (s_client), else the server's (s_server -keylogfile; Java has none).
  if [ ! -s "$OUT/$CURRENT.keys.log" ]; then
    if [ -s "$WORK/$CURRENT.server-keys.log" ]; then cp "$WORK/$CURRENT.server-keys.log" "$OUT/$CURRENT.keys.log"; else rm -f "$OUT/$CURRENT.keys.log"; fi
  fi
  # The key log holds comments OpenSSL writes; only the secret lines are kept.
  [ -f "$OUT/$CURRENT.keys.log" ] && sed -i '/^#/d' "$OUT/$CURRENT.keys.log"
  return 0
}
said() { grep -m1 -E "$2" "$1" 2>/dev/null | tr -d '\r' | sed -E 's/^[0-9A-F]{8,16}:error:/error:/' || true; }

argv_str() { local a out=""; for a in "$@"; do case "$a" in *' '* | *'"'* | *'\'* | '') out="$out '${a//\'/\'\\\'\'}'" ;; *) out="$out $a" ;; esac; done; echo "${out# }"; }

# meta DESCRIPTION SERVER CLIENT CLIENT_SAID SERVER_SAID WIRE_JSON OPENS_JSON
meta() {
  local desc="$1" server="$2" client="$3" csaid="$4" ssaid="$5" wire="$6" opens="$7"
  write_meta "$OUT/$CURRENT.meta.json" "$CURRENT" "$desc" "$server" "$client" "$CLIENT_EXIT" "$csaid" "$ssaid" "$wire" \
    "$(argv_str "${SERVER_ARGV[@]}")" "$(argv_str "${CLIENT_ARGV[@]}")"
  node -e '
    const fs = require("node:fs"); const [file, keys, opens] = process.argv.slice(1);
    const meta = JSON.parse(fs.readFileSync(file, "utf8"));
    meta.keyLog = fs.existsSync(keys) ? require("node:path").basename(keys) : null;
    meta.opens = JSON.parse(opens);
    fs.writeFileSync(file, JSON.stringify(meta, null, 2) + "\n");' "$OUT/$CURRENT.meta.json" "$OUT/$CURRENT.keys.log" "$opens"
}
# What opens the capture, for the tests: the private key files (with their password) and the PSK.
RSA_OPENS='{"keys":["server-rsa.key.pem","server-rsa.p12","server-rsa-legacy.p12","server-rsa.enc.key.pem"],"keyPassword":"'"$P12_PASSWORD"'"}'

# ---------------------------------------------------------------- scenarios
# 1-3. openssl s_client with a client certificate, RSA key exchange.
rsa_s_client() { # NAME PORT PROTO CIPHER DESCRIPTION
  local name="$1" port="$2" proto="$3" cipher="$4" desc="$5"
  want "$name" || return 0
  begin "$name" "$port"
  s_server_start "$port" "$proto" -cipher "$cipher" -Verify 1 -verify_return_error -www
  s_client_run "$port" "$proto" -cipher "$cipher" -cert "$OUT/client.pem" -key "$WORK/client.key"
  finish
  meta "$desc" "openssl $OPENSSL_VERSION s_server $proto -cipher $cipher -Verify 1" "openssl $OPENSSL_VERSION s_client $proto -cipher $cipher, client certificate" \
    "$(said "$CLIENT_LOG" '^HTTP/|:error:')" "$(said "$WORK/$CURRENT.server.log" ':error:|ACCEPT')" \
    '{"handshakeCompleted":true,"alert":null}' "$RSA_OPENS"
}
rsa_s_client rsa-tls12-aes128-sha-s-client 28001 -tls1_2 AES128-SHA \
  "TLS 1.2, RSA key exchange with AES128-SHA (CBC), s_client sends its client certificate and GET /test; the server's private key opens it."
rsa_s_client rsa-tls12-aes256-gcm-s-client 28002 -tls1_2 AES256-GCM-SHA384 \
  "TLS 1.2, RSA key exchange with AES256-GCM-SHA384, client certificate; the server's private key opens it."
rsa_s_client rsa-tls10-aes128-sha-s-client 28003 -tls1 'AES128-SHA:@SECLEVEL=0' \
  "TLS 1.0, RSA key exchange with AES128-SHA: OpenSSL's client starts its application data with an empty record (CBC IV protection); client certificate."

# 4-5. Java (JSSE): TLS 1.0 CBC records are split 1/n-1 ('G' then 'ET /…').
java_rsa() { # NAME PORT JAVA_PROTOCOL S_SERVER_PROTO CIPHER DESCRIPTION [CLASS]
  local name="$1" port="$2" jproto="$3" proto="$4" cipher="$5" desc="$6" class="${7:-JavaClient}"
  want "$name" || return 0
  java_prepare
  begin "$name" "$port"
  s_server_start "$port" "$proto" -cipher "$cipher" -Verify 1 -verify_return_error -www
  java_run "$port" "$jproto" "$class"
  finish
  meta "$desc" "openssl $OPENSSL_VERSION s_server $proto -cipher $cipher -Verify 1" "Java $JAVA_VERSION JSSE $jproto, PKCS#12 keystore with the client certificate" \
    "$(said "$CLIENT_LOG" '^HTTP/|Exception')" "$(said "$WORK/$CURRENT.server.log" ':error:|ACCEPT')" \
    '{"handshakeCompleted":true,"alert":null}' "$RSA_OPENS"
}
java_rsa rsa-tls10-aes128-sha-java 28004 TLSv1 -tls1 'AES128-SHA:@SECLEVEL=0' \
  "TLS 1.0, RSA key exchange with AES128-SHA, Java client writing its request at once: JDK 17 sends its first application record whole (its 1/n-1 split applies from the second record on); s_server answers after an empty record."
java_rsa rsa-tls10-aes128-sha-java-piecewise 28010 TLSv1 -tls1 'AES128-SHA:@SECLEVEL=0' \
  "TLS 1.0, RSA key exchange with AES128-SHA, a Java client writing its request in pieces to the socket: JSSE sends its first application record whole and splits every later one 1/n-1, so the request line spans records ('GET ', '/', 'test HTTP/1.0…')." \
  JavaPiecewiseClient
java_rsa rsa-tls12-aes256-gcm-java 28005 TLSv1.2 -tls1_2 AES256-GCM-SHA384 \
  "TLS 1.2, RSA key exchange with AES256-GCM-SHA384, Java client with a client certificate."

# 6. Renegotiation: the server asks for the client certificate only in the second handshake (s_server's 'R').
if want rsa-tls12-renegotiation-client-cert; then
  begin rsa-tls12-renegotiation-client-cert 28006
  rm -f "$WORK/server.in" "$WORK/client.in"
  mkfifo "$WORK/server.in" "$WORK/client.in"
  SERVER_ARGV=(openssl s_server -accept 127.0.0.1:28006 -naccept 1 -tls1_2 -cipher AES128-SHA -cert "$OUT/server-rsa.pem"
    -key "$OUT/server-rsa.key.pem" -CAfile "$OUT/ca.pem" -no_ticket -no_cache -keylogfile "$WORK/$CURRENT.server-keys.log")
  stop_bg keys-server
  "${SERVER_ARGV[@]}" <"$WORK/server.in" >"$CAPTURES_WORK/keys-server.log" 2>&1 &
  echo $! >"$CAPTURES_WORK/keys-server.pid"
  exec 7>"$WORK/server.in"
  wait_port 28006
  CLIENT_LOG="$WORK/$CURRENT.client.log"
  CLIENT_ARGV=(openssl s_client -connect 127.0.0.1:28006 -servername localhost -CAfile "$OUT/ca.pem" -tls1_2 -cipher AES128-SHA
    -cert "$OUT/client.pem" -key "$WORK/client.key" -keylogfile "$OUT/$CURRENT.keys.log" -crlf)
  set +e
  timeout 20 "${CLIENT_ARGV[@]}" <"$WORK/client.in" >"$CLIENT_LOG" 2>&1 &
  CLIENT_PID=$!
  set -e
  exec 8>"$WORK/client.in"
  sleep 1
  printf 'GET /before HTTP/1.0\n' >&8
  sleep 0.5
  printf 'R\n' >&7 # renegotiate, now with SSL_VERIFY_PEER: the CertificateRequest comes in the second handshake
  sleep 1
  printf 'GET /after HTTP/1.0\n' >&8
  sleep 0.5
  printf 'Q\n' >&8
  exec 8>&-
  set +e; wait "$CLIENT_PID"; CLIENT_EXIT=$?; set -e
  exec 7>&-
  finish
  rm -f "$WORK/server.in" "$WORK/client.in"
  meta "TLS 1.2 RSA key exchange without a client certificate; after the first request s_server renegotiates (R) and asks for the client certificate, which the client sends inside the encrypted renegotiation." \
    "openssl $OPENSSL_VERSION s_server -tls1_2 -cipher AES128-SHA, then R (renegotiate with verify peer)" \
    "openssl $OPENSSL_VERSION s_client -tls1_2 -cipher AES128-SHA -cert client.pem" \
    "$(said "$CLIENT_LOG" 'RENEGOTIATING|verify return|:error:')" "$(said "$WORK/$CURRENT.server.log" 'SSL_renegotiate|client certificate|:error:|subject=')" \
    '{"handshakeCompleted":true,"alert":null}' "$RSA_OPENS"
fi

# 7. TLS 1.2 PSK suite (no certificates at all).
if want psk-tls12-s-client; then
  begin psk-tls12-s-client 28007
  SERVER_ARGV=(openssl s_server -accept 127.0.0.1:28007 -naccept 1 -tls1_2 -nocert -psk "$PSK_HEX" -psk_identity "$PSK_IDENTITY"
    -cipher PSK-AES128-CBC-SHA256 -keylogfile "$WORK/$CURRENT.server-keys.log" -www)
  start_bg keys-server "${SERVER_ARGV[@]}"
  wait_port 28007
  s_client_run 28007 -tls1_2 -cipher PSK-AES128-CBC-SHA256 -psk "$PSK_HEX" -psk_identity "$PSK_IDENTITY"
  finish
  meta "TLS 1.2 with the PSK suite PSK-AES128-CBC-SHA256 (TLS_PSK_WITH_AES_128_CBC_SHA256): no certificate, the pre-shared key alone opens it." \
    "openssl $OPENSSL_VERSION s_server -tls1_2 -nocert -psk … -cipher PSK-AES128-CBC-SHA256" "openssl $OPENSSL_VERSION s_client -psk … -psk_identity $PSK_IDENTITY" \
    "$(said "$CLIENT_LOG" '^HTTP/|:error:')" "$(said "$WORK/$CURRENT.server.log" ':error:|ACCEPT')" \
    '{"handshakeCompleted":true,"alert":null}' '{"psk":"'"$PSK_HEX"'","pskIdentity":"'"$PSK_IDENTITY"'"}'
fi

# 8. ECDHE with the same RSA server key: the private key cannot open it, the key log can.
if want ecdhe-tls12-s-client; then
  begin ecdhe-tls12-s-client 28008
  s_server_start 28008 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -www
  s_client_run 28008 -tls1_2
  finish
  meta "TLS 1.2 with ECDHE-RSA-AES128-GCM-SHA256 and the same RSA server key: the key signs, it does not decrypt, so only the key log opens the session." \
    "openssl $OPENSSL_VERSION s_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256" "openssl $OPENSSL_VERSION s_client -tls1_2" \
    "$(said "$CLIENT_LOG" '^HTTP/|:error:')" "$(said "$WORK/$CURRENT.server.log" ':error:|ACCEPT')" \
    '{"handshakeCompleted":true,"alert":null}' '{"keys":[]}'
fi
# 9. Resumption: s_client -reconnect resumes the first session five times (abbreviated handshakes, session id).
if want rsa-tls12-resumed-s-client; then
  begin rsa-tls12-resumed-s-client 28009
  s_server_start 28009 -tls1_2 -cipher AES128-SHA -naccept 6 -www
  CLIENT_LOG="$WORK/$CURRENT.client.log"
  CLIENT_ARGV=(openssl s_client -connect 127.0.0.1:28009 -servername localhost -CAfile "$OUT/ca.pem" -tls1_2 -cipher AES128-SHA
    -reconnect -keylogfile "$OUT/$CURRENT.keys.log")
  set +e
  printf 'GET /test HTTP/1.0\r\n\r\n' | timeout 30 "${CLIENT_ARGV[@]}" >"$CLIENT_LOG" 2>&1
  CLIENT_EXIT=$?
  set -e
  finish
  meta "TLS 1.2 RSA key exchange, one full handshake then five abbreviated ones resuming its session id (s_client -reconnect): the private key opens the first, and through it the resumed ones." \
    "openssl $OPENSSL_VERSION s_server -tls1_2 -cipher AES128-SHA -no_ticket" "openssl $OPENSSL_VERSION s_client -tls1_2 -cipher AES128-SHA -reconnect" \
    "$(grep -c '^Reused' "$CLIENT_LOG" || true) reused sessions" "$(said "$WORK/$CURRENT.server.log" ':error:|ACCEPT')" \
    '{"handshakeCompleted":true,"alert":null}' "$RSA_OPENS"
fi
# 11. SSL 3.0: only Java still speaks it here (OpenSSL 3 is built without it), as server and client.
if want ssl3-aes128-sha-java; then
  java_prepare
  if [ ! -f "$WORK/java/JavaServer.class" ] || [ "$CAPTURES_DIR/peers/JavaServer.java" -nt "$WORK/java/JavaServer.class" ]; then
    javac -d "$WORK/java" "$CAPTURES_DIR/peers/JavaServer.java"
  fi
  begin ssl3-aes128-sha-java 28011
  SERVER_ARGV=(java "-Djava.security.properties=$WORK/java/allow-tls10.security" -cp "$WORK/java" JavaServer 28011 "$OUT/server-rsa.p12" "$P12_PASSWORD" SSLv3 TLS_RSA_WITH_AES_128_CBC_SHA)
  start_bg keys-server "${SERVER_ARGV[@]}"
  wait_port 28011 20
  java_run 28011 SSLv3
  finish
  meta "SSL 3.0 with TLS_RSA_WITH_AES_128_CBC_SHA between a Java server and a Java client (both re-enabled SSLv3): no key log exists, the server's private key opens it." \
    "Java $JAVA_VERSION JSSE server, SSLv3 only, PKCS#12 server-rsa.p12" "Java $JAVA_VERSION JSSE SSLv3, client certificate keystore (not requested)" \
    "$(said "$CLIENT_LOG" '^HTTP/|Exception')" "$(said "$WORK/$CURRENT.server.log" 'handshake complete|request:|Exception')" \
    '{"handshakeCompleted":true,"alert":null}' "$RSA_OPENS"
fi
# 12. TLS 1.3 with an external PSK: even with -allow_no_dhe_kex on both sides OpenSSL 3.0 picks psk_dhe_ke (the
# client offers both modes and the server prefers (EC)DHE), so the PSK alone cannot open it; the key log can.
if want psk-tls13-s-client; then
  begin psk-tls13-s-client 28012
  SERVER_ARGV=(openssl s_server -accept 127.0.0.1:28012 -naccept 1 -tls1_3 -nocert -psk "$PSK_HEX" -psk_identity "$PSK_IDENTITY"
    -allow_no_dhe_kex -ciphersuites TLS_AES_128_GCM_SHA256 -keylogfile "$WORK/$CURRENT.server-keys.log" -www)
  start_bg keys-server "${SERVER_ARGV[@]}"
  wait_port 28012
  s_client_run 28012 -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -psk "$PSK_HEX" -psk_identity "$PSK_IDENTITY" -allow_no_dhe_kex
  finish
  meta "TLS 1.3 on an external PSK: OpenSSL 3.0 negotiates psk_dhe_ke (ServerHello has key_share and pre_shared_key) even with -allow_no_dhe_kex, so the pre-shared key alone does not open it; the key log does." \
    "openssl $OPENSSL_VERSION s_server -tls1_3 -nocert -psk … -allow_no_dhe_kex" "openssl $OPENSSL_VERSION s_client -tls1_3 -psk … -psk_identity $PSK_IDENTITY -allow_no_dhe_kex" \
    "$(said "$CLIENT_LOG" '^HTTP/|:error:')" "$(said "$WORK/$CURRENT.server.log" ':error:|ACCEPT')" \
    '{"handshakeCompleted":true,"alert":null}' '{"keys":[]}'
fi
log "keys: done"
