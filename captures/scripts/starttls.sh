#!/usr/bin/env bash
# Records TLS behind STARTTLS-style upgrades with real servers from Debian's packages, on loopback ports
# 26000-26999: one connection per capture in captures/starttls/, each with its meta.json (and key log when
# the client writes one). Needs root, tcpdump, tshark, openssl and the servers named in each scenario
# (PostgreSQL 15: apt-get install postgresql). Usage: bash captures/scripts/starttls.sh [scenario...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT="$CAPTURES_DIR/starttls"
RUN="$CAPTURES_WORK/starttls-run"
P="$PKI_WORK"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
mkdir -p "$OUT" "$RUN"
[ -f "$P/server.crt" ] || bash "$(dirname "$0")/pki.sh"

# pg_start PORT SSL(on|off) HBA_OPTIONS [MAX_TLS] [CLIENT_CA(yes|no)]: a throwaway PostgreSQL cluster with the
# test PKI's server certificate (chain: leaf + intermediate), client CA = root unless told no (a server with
# ssl_ca_file asks every client for a certificate), listening on 127.0.0.1:PORT only.
pg_start() {
  local port="$1" ssl="$2" hba="$3" max="${4:-}" client_ca="${5:-yes}"
  PGDIR="$RUN/pg-$port"
  pg_stop
  rm -rf "$PGDIR" && mkdir -p "$PGDIR" && chown postgres "$PGDIR"
  su postgres -c "'$PG_BIN/initdb' -D '$PGDIR/data' -A trust -U postgres" >"$RUN/pg-initdb.log" 2>&1
  cat "$P/server.crt" "$P/intermediate.crt" >"$PGDIR/data/server.crt"
  cp "$P/server.key" "$P/root.crt" "$PGDIR/data/"
  chown postgres "$PGDIR/data/server.crt" "$PGDIR/data/server.key" "$PGDIR/data/root.crt"
  chmod 600 "$PGDIR/data/server.key"
  {
    echo "port = $port"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$PGDIR'"
    echo "ssl = $ssl"
    echo "ssl_cert_file = 'server.crt'"
    echo "ssl_key_file = 'server.key'"
    [ "$client_ca" = yes ] && echo "ssl_ca_file = 'root.crt'"
    [ -n "$max" ] && echo "ssl_max_protocol_version = '$max'"
  } >>"$PGDIR/data/postgresql.conf"
  printf 'host all all 127.0.0.1/32 trust %s\nlocal all all trust\n' "$hba" >"$PGDIR/data/pg_hba.conf"
  [ "$ssl" = on ] && sed -i '1s/^host /hostssl /' "$PGDIR/data/pg_hba.conf"
  su postgres -c "'$PG_BIN/pg_ctl' -D '$PGDIR/data' -l '$PGDIR/server.log' -w start" >/dev/null
  PG_RUNNING="$PGDIR"
}
pg_stop() {
  [ -n "${PG_RUNNING:-}" ] || return 0
  su postgres -c "'$PG_BIN/pg_ctl' -D '$PG_RUNNING/data' -m fast -w stop" >/dev/null 2>&1 || true
  PG_RUNNING=""
}
trap pg_stop EXIT

# record NAME PORT CLIENT...: capture one client run against the server already listening on PORT.
record() {
  local name="$1" port="$2"; shift 2
  rm -f "$OUT/$name.pcap" "$OUT/$name.keys.log"
  capture_start "$OUT/$name.pcap" "$port"
  set +e
  (cd "$RUN" && timeout 20 "$@") >"$RUN/$name.client.log" 2>&1 </dev/null
  CLIENT_EXIT=$?
  set -e
  capture_stop
  log "$name: client exit $CLIENT_EXIT: $(grep -v '^$' "$RUN/$name.client.log" | head -2 | paste -sd ' ')"
}

# meta NAME DESCRIPTION SERVER CLIENT EXPECT_JSON COMMAND...
meta() {
  local name="$1" description="$2" server="$3" client="$4" expect="$5"; shift 5
  write_meta "$OUT/$name.meta.json" "$name" "$description" "$server" "$client" "$CLIENT_EXIT" \
    "$(grep -v '^$' "$RUN/$name.client.log" | grep -v -E 'SECRET|CLIENT_RANDOM|Master-Key' | head -3 | paste -sd '|' | sed 's/|/ | /g')" \
    "$(grep -E 'FATAL|LOG:  could not|SSL' "${PG_RUNNING:-/nonexistent}/server.log" 2>/dev/null | tail -2 | paste -sd '|' | sed 's/|/ | /g' || true)" \
    "$expect" "$(printf '%q ' "$@" | sed 's/ $//')"
  node -e '
    const fs = require("node:fs"); const [file, keys] = process.argv.slice(1);
    const m = JSON.parse(fs.readFileSync(file, "utf8"));
    m.keyLog = fs.existsSync(keys) && fs.statSync(keys).size > 0 ? require("node:path").basename(keys) : null;
    fs.writeFileSync(file, JSON.stringify(m, null, 2) + "\n");' "$OUT/$name.meta.json" "$OUT/$name.keys.log"
}

PG15="PostgreSQL 15 (Debian postgresql-15)"
PSQL="psql 15 (libpq)"

sc_postgres_tls12_success() {
  local name=postgres-tls12-success port=26432
  pg_start $port on "" TLSv1.2
  local cmd=(psql "host=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=verify-full sslrootcert=$P/root.crt" -tAc 'select 1')
  # verify-full checks the name: the server certificate is for localhost.
  cmd[1]="host=localhost hostaddr=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=verify-full sslrootcert=$P/root.crt"
  record $name $port "${cmd[@]}"
  meta $name "psql asks for SSL (SSLRequest), the server answers S, then TLS 1.2 (the server's ssl_max_protocol_version) with the server's chain. The server has a client CA file (ssl_ca_file) and so asks for a client certificate; psql has none and sends an empty Certificate, which this pg_hba.conf (no clientcert) accepts: the query runs over TLS." \
    "$PG15, ssl = on, ssl_max_protocol_version = TLSv1.2" "$PSQL sslmode=verify-full" \
    '{"established":true,"alert":null,"findings":["client-cert-empty-accepted"]}' "${cmd[@]}"
  pg_stop
}

sc_postgres_tls12_client_cert_required() {
  local name=postgres-tls12-client-cert-required port=26433
  pg_start $port on "clientcert=verify-full" TLSv1.2
  local cmd=(psql "host=localhost hostaddr=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=verify-full sslrootcert=$P/root.crt" -tAc 'select 1')
  record $name $port "${cmd[@]}"
  meta $name "psql without a client certificate to a server whose pg_hba.conf says clientcert=verify-full: after the SSLRequest, TLS 1.2 with a CertificateRequest naming the root CA; psql answers with an empty Certificate, the handshake completes, and the server refuses the connection inside TLS (\"FATAL: connection requires a valid client certificate\") and closes." \
    "$PG15, ssl = on, ssl_max_protocol_version = TLSv1.2, hostssl … trust clientcert=verify-full" "$PSQL sslmode=verify-full, no sslcert" \
    '{"established":true,"alert":null,"findings":["client-cert-empty"]}' "${cmd[@]}"
  pg_stop
}

sc_postgres_tls13_s_client() {
  local name=postgres-tls13-s-client port=26435
  pg_start $port on "" "" no
  local cmd=(openssl s_client -starttls postgres -connect 127.0.0.1:$port -servername localhost -CAfile "$P/root.crt" -keylogfile "$OUT/$name.keys.log")
  record $name $port "${cmd[@]}"
  meta $name "openssl s_client -starttls postgres (SSLRequest, S), then TLS 1.3 with a HelloRetryRequest (the server wants secp256r1) and a middlebox ChangeCipherSpec before the second ClientHello; no client certificate asked (no ssl_ca_file). The client closes at once (no stdin). Decrypt with the key log." \
    "$PG15, ssl = on, no ssl_ca_file" "openssl s_client 3.0.19 -starttls postgres -keylogfile" \
    '{"established":true,"alert":null,"findings":[]}' "${cmd[@]}"
  pg_stop
}

sc_postgres_ssl_refused() {
  local name=postgres-ssl-refused port=26434
  pg_start $port off ""
  local cmd=(psql "host=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=require" -tAc 'select 1')
  record $name $port "${cmd[@]}"
  meta $name "psql with sslmode=require to a server with ssl = off: the server answers the SSLRequest with N and psql gives up (\"server does not support SSL, but SSL was required\"). No TLS at all on the wire." \
    "$PG15, ssl = off" "$PSQL sslmode=require" \
    '{"established":false,"alert":null,"findings":["starttls-refused"]}' "${cmd[@]}"
  pg_stop
}

ALL=(postgres_tls12_success postgres_tls12_client_cert_required postgres_tls13_s_client postgres_ssl_refused)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${ALL[@]}")
for sc in "${wanted[@]}"; do "sc_${sc//-/_}"; done
log "${#wanted[@]} STARTTLS scenario(s) recorded in $OUT"
