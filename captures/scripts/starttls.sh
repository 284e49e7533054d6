#!/usr/bin/env bash
# Records TLS behind STARTTLS-style upgrades with real servers from Debian's packages, on loopback ports
# 26000-26999: one connection per capture in captures/starttls/, each with its meta.json (and key log when
# the client writes one). Needs root, tcpdump, tshark, openssl and the servers named in each scenario
# (PostgreSQL 15: apt-get install postgresql; Postfix: apt-get install postfix;
# Dovecot: apt-get install dovecot-imapd dovecot-pop3d; vsftpd; slapd ldap-utils;
# mariadb-server; prosody). Usage: bash captures/scripts/starttls.sh [scenario...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT="$CAPTURES_DIR/starttls"
RUN="$CAPTURES_WORK/starttls-run"
P="$PKI_WORK"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
mkdir -p "$OUT" "$RUN"
[ -f "$P/server.crt" ] || bash "$(dirname "$0")/pki.sh"

# server_credentials DIR [OWNER]: the test server's chain (leaf + intermediate) as DIR/chain.crt and its key as
# DIR/server.key (mode 600, owned by OWNER when the server drops privileges before reading it).
server_credentials() {
  cat "$P/server.crt" "$P/intermediate.crt" >"$1/chain.crt"
  install -m 600 ${2:+-o "$2"} "$P/server.key" "$1/server.key"
}

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

# meta NAME DESCRIPTION SERVER CLIENT WIRE_JSON COMMAND...
meta() {
  local name="$1" description="$2" server="$3" client="$4" wire="$5"; shift 5
  write_meta "$OUT/$name.meta.json" "$name" "$description" "$server" "$client" "$CLIENT_EXIT" \
    "$(grep -a -v "^$" "$RUN/$name.client.log" | grep -a -v -E 'SECRET|CLIENT_RANDOM|Master-Key' | head -3 | paste -sd '|' | sed 's/|/ | /g')" \
    "$(grep -E 'FATAL|LOG:  could not|SSL' "${PG_RUNNING:-/nonexistent}/server.log" 2>/dev/null | tail -2 | paste -sd '|' | sed 's/|/ | /g' || true)" \
    "$wire" "$(printf '%q ' "$@" | sed 's/ $//')"
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
    '{"handshakeCompleted":true,"alert":null}' "${cmd[@]}"
  pg_stop
}

sc_postgres_tls12_client_cert_required() {
  local name=postgres-tls12-client-cert-required port=26433
  pg_start $port on "clientcert=verify-full" TLSv1.2
  local cmd=(psql "host=localhost hostaddr=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=verify-full sslrootcert=$P/root.crt" -tAc 'select 1')
  record $name $port "${cmd[@]}"
  meta $name "psql without a client certificate to a server whose pg_hba.conf says clientcert=verify-full: after the SSLRequest, TLS 1.2 with a CertificateRequest naming the root CA; psql answers with an empty Certificate, the handshake completes, and the server refuses the connection inside TLS (\"FATAL: connection requires a valid client certificate\") and closes." \
    "$PG15, ssl = on, ssl_max_protocol_version = TLSv1.2, hostssl … trust clientcert=verify-full" "$PSQL sslmode=verify-full, no sslcert" \
    '{"handshakeCompleted":true,"alert":null}' "${cmd[@]}"
  pg_stop
}

sc_postgres_tls13_s_client() {
  local name=postgres-tls13-s-client port=26435
  pg_start $port on "" "" no
  local cmd=(openssl s_client -starttls postgres -connect 127.0.0.1:$port -servername localhost -CAfile "$P/root.crt" -keylogfile "$OUT/$name.keys.log")
  record $name $port "${cmd[@]}"
  meta $name "openssl s_client -starttls postgres (SSLRequest, S), then TLS 1.3 with a HelloRetryRequest (the server wants secp256r1) and a middlebox ChangeCipherSpec before the second ClientHello; no client certificate asked (no ssl_ca_file). The client closes at once (no stdin). Decrypt with the key log." \
    "$PG15, ssl = on, no ssl_ca_file" "openssl s_client 3.0.19 -starttls postgres -keylogfile" \
    '{"handshakeCompleted":true,"alert":null}' "${cmd[@]}"
  pg_stop
}

sc_postgres_ssl_refused() {
  local name=postgres-ssl-refused port=26434
  pg_start $port off ""
  local cmd=(psql "host=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=require" -tAc 'select 1')
  record $name $port "${cmd[@]}"
  meta $name "psql with sslmode=require to a server with ssl = off: the server answers the SSLRequest with N and psql gives up (\"server does not support SSL, but SSL was required\"). No TLS at all on the wire." \
    "$PG15, ssl = off" "$PSQL sslmode=require" \
    '{"handshakeCompleted":false,"alert":null}' "${cmd[@]}"
  pg_stop
}

# postfix_start: a Postfix instance of its own (configuration, queue and log under $RUN/postfix; the system's
# /etc/postfix is only copied) with two smtpd listeners: 26025 with the test server certificate, 26026 whose
# certificate file does not exist (Postfix then answers STARTTLS with "454 4.7.0 TLS not available due to
# local problem").
postfix_start() {
  PF="$RUN/postfix"
  postfix_stop
  rm -rf "$PF" && mkdir -p "$PF/queue" "$PF/data"
  cp -r /etc/postfix "$PF/conf"
  server_credentials "$PF"
  chown postfix "$PF/data"
  postconf -c "$PF/conf" -e "queue_directory=$PF/queue" "data_directory=$PF/data" "inet_interfaces=127.0.0.1" \
    "inet_protocols=ipv4" "myhostname=mail.tlsdiag.test" "smtpd_tls_cert_file=$PF/chain.crt" \
    "smtpd_tls_key_file=$PF/server.key" "smtpd_tls_security_level=may" "maillog_file=$PF/maillog" \
    "maillog_file_prefixes=$PF" "smtpd_tls_loglevel=1"
  sed -i 's/^smtp      inet/#smtp      inet/' "$PF/conf/master.cf"
  printf '127.0.0.1:26025 inet n - n - - smtpd\n127.0.0.1:26026 inet n - n - - smtpd -o smtpd_tls_cert_file=%s/missing.crt -o smtpd_tls_key_file=%s/missing.key\n' "$PF" "$PF" >>"$PF/conf/master.cf"
  # postfix logs its own errors to syslog only unless stderr is a terminal: script(1) gives it one.
  script -qec "postfix -c '$PF/conf' start" /dev/null >"$RUN/postfix-start.log" 2>&1 || { cat "$RUN/postfix-start.log" >&2; die "postfix did not start"; }
  wait_port 26025 10 && wait_port 26026 10
  PF_RUNNING="$PF"
}
postfix_stop() {
  [ -n "${PF_RUNNING:-}" ] || return 0
  postfix -c "$PF_RUNNING/conf" stop >/dev/null 2>&1 || true
  PF_RUNNING=""
}

POSTFIX="Postfix 3.7.11 (Debian postfix)"

sc_smtp_starttls_tls13() {
  local name=smtp-starttls-tls13 port=26025
  [ -n "${PF_RUNNING:-}" ] || postfix_start
  local cmd=(bash -c '{ sleep 1; echo QUIT; } | openssl s_client -starttls smtp -connect 127.0.0.1:26025 -servername localhost -CAfile "$1" -keylogfile "$2"' _ "$P/root.crt" "$OUT/$name.keys.log")
  record $name $port "${cmd[@]}"
  meta $name "openssl s_client -starttls smtp to Postfix: greeting, EHLO (STARTTLS advertised), STARTTLS, 220 Ready to start TLS, then TLS 1.3 with the server's chain; QUIT inside TLS. Decrypt with the key log." \
    "$POSTFIX, smtpd_tls_security_level = may" "openssl s_client 3.0.19 -starttls smtp -keylogfile" \
    '{"handshakeCompleted":true,"alert":null}' "${cmd[@]}"
}

sc_smtp_starttls_454() {
  local name=smtp-starttls-454 port=26026
  [ -n "${PF_RUNNING:-}" ] || postfix_start
  local cmd=(bash -c '{ sleep 1; echo QUIT; } | openssl s_client -starttls smtp -connect 127.0.0.1:26026 -servername localhost -CAfile "$1"' _ "$P/root.crt")
  record $name $port "${cmd[@]}"
  meta $name "Postfix whose smtpd_tls_cert_file does not exist: it still advertises STARTTLS, answers the command with \"454 4.7.0 TLS not available due to local problem\"; openssl s_client sends its ClientHello regardless, which Postfix reads as a bad command, and the connection ends without a handshake." \
    "$POSTFIX, smtpd_tls_cert_file missing" "openssl s_client 3.0.19 -starttls smtp" \
    '{"handshakeCompleted":false,"alert":null}' "${cmd[@]}"
}

# dovecot_start SSL(yes|no): a Dovecot instance of its own (configuration, state and log under $RUN/dovecot),
# IMAP on 26143 and POP3 on 26110, the test server certificate when SSL is yes.
dovecot_start() {
  DV="$RUN/dovecot"
  dovecot_stop
  rm -rf "$DV" && mkdir -p "$DV/run" "$DV/state"
  server_credentials "$DV"
  cat >"$DV/dovecot.conf" <<CONF
protocols = imap pop3
listen = 127.0.0.1
base_dir = $DV/run
state_dir = $DV/state
log_path = $DV/dovecot.log
ssl = $1
ssl_cert = <$DV/chain.crt
ssl_key = <$DV/server.key
mail_location = maildir:$DV/mail/%u
passdb {
  driver = static
  args = password=tlsdiag
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DV/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = 26143
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = 26110
  }
  inet_listener pop3s {
    port = 0
  }
}
CONF
  dovecot -c "$DV/dovecot.conf"
  wait_port 26143 10 && wait_port 26110 10
  DV_RUNNING="$DV"
}
dovecot_stop() {
  [ -n "${DV_RUNNING:-}" ] || return 0
  doveadm -c "$DV_RUNNING/dovecot.conf" stop >/dev/null 2>&1 || true
  wait_port_free 26143 10 || true
  DV_RUNNING=""
}
trap 'pg_stop; postfix_stop; dovecot_stop' EXIT

DOVECOT="Dovecot 2.3.19 (Debian dovecot-imapd, dovecot-pop3d)"

# dovecot_case NAME PROTOCOL(imap|pop3) PORT SSL(yes|no) DESCRIPTION WIRE_JSON
dovecot_case() {
  local name="$1" protocol="$2" port="$3" ssl="$4" description="$5" wire="$6"
  dovecot_start "$ssl"
  local keylog=()
  [ "$ssl" = yes ] && keylog=(-keylogfile "$OUT/$name.keys.log")
  local cmd=(bash -c 'sleep 1 | openssl s_client -starttls "$1" -connect "127.0.0.1:$2" -servername localhost -CAfile "$3" "${@:4}"' _ "$protocol" "$port" "$P/root.crt" "${keylog[@]}")
  record "$name" "$port" "${cmd[@]}"
  meta "$name" "$description" "$DOVECOT, ssl = $ssl" "openssl s_client 3.0.19 -starttls $protocol${keylog:+ -keylogfile}" "$wire" "${cmd[@]}"
  dovecot_stop
}

sc_imap_starttls_tls13() {
  dovecot_case imap-starttls-tls13 imap 26143 yes \
    "openssl s_client -starttls imap to Dovecot: greeting, CAPABILITY (STARTTLS), a tagged STARTTLS answered OK, then TLS 1.3 with the server's chain. Decrypt with the key log." \
    '{"handshakeCompleted":true,"alert":null}'
}
sc_pop3_starttls_tls13() {
  dovecot_case pop3-starttls-tls13 pop3 26110 yes \
    "openssl s_client -starttls pop3 to Dovecot: greeting, STLS answered +OK, then TLS 1.3 with the server's chain. Decrypt with the key log." \
    '{"handshakeCompleted":true,"alert":null}'
}
sc_imap_starttls_refused() {
  dovecot_case imap-starttls-refused imap 26143 no \
    "Dovecot with ssl = no: CAPABILITY lacks STARTTLS, the tagged STARTTLS is answered BAD; openssl s_client (\"Didn't find STARTTLS in server response, trying anyway\") sends its ClientHello regardless and no handshake follows." \
    '{"handshakeCompleted":false,"alert":null}'
}
sc_pop3_starttls_refused() {
  dovecot_case pop3-starttls-refused pop3 26110 no \
    "Dovecot with ssl = no: STLS is answered -ERR; openssl s_client sends its ClientHello regardless and no handshake follows." \
    '{"handshakeCompleted":false,"alert":null}'
}

# vsftpd_start SSL(YES|NO): vsftpd in the foreground with its own configuration under $RUN/vsftpd, on
# 127.0.0.1:26021, anonymous only (vsftpd refuses to run with no login allowed), explicit FTPS when SSL is YES.
vsftpd_start() {
  FT="$RUN/vsftpd"
  rm -rf "$FT" && mkdir -p "$FT/empty"
  server_credentials "$FT"
  cat >"$FT/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=26021
anonymous_enable=YES
allow_anon_ssl=YES
anon_root=$FT/empty
local_enable=NO
secure_chroot_dir=$FT/empty
ssl_enable=$1
rsa_cert_file=$FT/chain.crt
rsa_private_key_file=$FT/server.key
pasv_enable=NO
background=NO
seccomp_sandbox=NO
CONF
  start_bg vsftpd vsftpd "$FT/vsftpd.conf"
  wait_port 26021 10
}

sc_ftp_auth_tls_tls13() {
  local name=ftp-auth-tls-tls13 port=26021
  vsftpd_start YES
  local cmd=(bash -c 'sleep 1 | openssl s_client -starttls ftp -connect 127.0.0.1:26021 -servername localhost -CAfile "$1" -keylogfile "$2"' _ "$P/root.crt" "$OUT/$name.keys.log")
  record $name $port "${cmd[@]}"
  meta $name "openssl s_client -starttls ftp to vsftpd (ssl_enable=YES): 220 greeting, AUTH TLS answered 234, then TLS 1.3 with the server's chain; vsftpd asks for a client certificate it does not require and gets an empty one. Decrypt with the key log." \
    "vsftpd 3.0.3 (Debian vsftpd), ssl_enable=YES" "openssl s_client 3.0.19 -starttls ftp -keylogfile" \
    '{"handshakeCompleted":true,"alert":null}' "${cmd[@]}"
  stop_bg vsftpd
}

sc_ftp_auth_tls_refused() {
  local name=ftp-auth-tls-refused port=26021
  vsftpd_start NO
  local cmd=(bash -c 'sleep 1 | openssl s_client -starttls ftp -connect 127.0.0.1:26021 -servername localhost -CAfile "$1"' _ "$P/root.crt")
  record $name $port "${cmd[@]}"
  meta $name "vsftpd with ssl_enable=NO answers AUTH TLS with \"530 Please login with USER and PASS.\"; openssl s_client sends its ClientHello regardless and no handshake follows." \
    "vsftpd 3.0.3 (Debian vsftpd), ssl_enable=NO" "openssl s_client 3.0.19 -starttls ftp" \
    '{"handshakeCompleted":false,"alert":null}' "${cmd[@]}"
  stop_bg vsftpd
}

# slapd_start VERIFY_CLIENT(never|demand|none): OpenLDAP's slapd in the foreground with a minimal slapd.conf
# of its own under $RUN/slapd, on 127.0.0.1:26389; with "none" it has no TLS configuration at all.
slapd_start() {
  SL="$RUN/slapd"
  rm -rf "$SL" && mkdir -p "$SL/db"
  server_credentials "$SL"
  {
    echo "include /etc/ldap/schema/core.schema"
    echo "pidfile $SL/slapd.pid"
    echo "argsfile $SL/slapd.args"
    echo "modulepath /usr/lib/ldap"
    echo "moduleload back_mdb"
    if [ "$1" != none ]; then
      echo "TLSCertificateFile $SL/chain.crt"
      echo "TLSCertificateKeyFile $SL/server.key"
      echo "TLSCACertificateFile $P/root.crt"
      echo "TLSVerifyClient $1"
    fi
    echo "database mdb"
    echo 'suffix "dc=tlsdiag,dc=test"'
    echo "directory $SL/db"
  } >"$SL/slapd.conf"
  start_bg slapd slapd -f "$SL/slapd.conf" -h "ldap://127.0.0.1:26389/" -d 0
  wait_port 26389 10
}

LDAPSEARCH="ldapsearch 2.5 (Debian ldap-utils, GnuTLS)"
SLAPD="slapd 2.5 (Debian slapd)"

# ldap_case NAME VERIFY_CLIENT DESCRIPTION WIRE_JSON: ldapsearch -ZZ (StartTLS required), its GnuTLS key log.
ldap_case() {
  local name="$1" verify="$2" description="$3" wire="$4" port=26389
  slapd_start "$verify"
  local cmd=(env "LDAPTLS_CACERT=$P/root.crt" "SSLKEYLOGFILE=$OUT/$name.keys.log" ldapsearch -ZZ -H "ldap://127.0.0.1:$port" -x -b "" -s base namingContexts)
  record "$name" "$port" "${cmd[@]}"
  meta "$name" "$description" "$SLAPD, TLSVerifyClient $verify" "$LDAPSEARCH -ZZ, SSLKEYLOGFILE" "$wire" "${cmd[@]}"
  stop_bg slapd
}

sc_ldap_starttls_tls13() {
  ldap_case ldap-starttls-tls13 never \
    "ldapsearch -ZZ: the StartTLS extended request (1.3.6.1.4.1.1466.20037) answered with success, then TLS 1.3 (GnuTLS client, OpenSSL server) and the search inside TLS. Decrypt with the key log GnuTLS writes (SSLKEYLOGFILE)." \
    '{"handshakeCompleted":true,"alert":null}'
}

sc_ldap_starttls_refused() {
  ldap_case ldap-starttls-refused none \
    "slapd without any TLS configuration: the StartTLS extended request is answered with resultCode 2 (protocolError), \"unsupported extended operation\"; ldapsearch -ZZ gives up (\"ldap_start_tls: Protocol error (2)\") without sending a ClientHello." \
    '{"handshakeCompleted":false,"alert":null}'
}

sc_ldap_starttls_client_cert_required() {
  ldap_case ldap-starttls-client-cert-required demand \
    "slapd with TLSVerifyClient demand; ldapsearch -ZZ has no client certificate: after StartTLS, TLS 1.3 with a CertificateRequest and the client's empty Certificate (encrypted: visible with the key log); slapd sends no alert, it closes the connection right after the client's Finished. ldapsearch: \"Can't contact LDAP server\"." \
    '{"handshakeCompleted":false,"alert":null}'
}

# mariadb_start: a MariaDB server of its own (datadir, socket and logs under $RUN/mariadb) on 127.0.0.1:26306
# with the test server certificate.
mariadb_start() {
  MY="$RUN/mariadb"
  rm -rf "$MY" && mkdir -p "$MY" && chown mysql "$MY"
  server_credentials "$MY" mysql
  mariadb-install-db --no-defaults --datadir="$MY/data" --user=mysql >"$MY/install.log" 2>&1
  start_bg mariadb mariadbd --no-defaults --datadir="$MY/data" --socket="$MY/sock" --pid-file="$MY/pid" --port=26306 \
    --bind-address=127.0.0.1 --user=mysql --ssl-cert="$MY/chain.crt" --ssl-key="$MY/server.key" --log-error="$MY/err.log"
  wait_port 26306 30
}

sc_mysql_ssl_tls13() {
  local name=mysql-ssl-tls13 port=26306
  mariadb_start
  local cmd=(bash -c 'sleep 1 | openssl s_client -starttls mysql -connect 127.0.0.1:26306 -servername localhost -CAfile "$1" -keylogfile "$2"' _ "$P/root.crt" "$OUT/$name.keys.log")
  record $name $port "${cmd[@]}"
  meta $name "openssl s_client -starttls mysql to MariaDB: the server's protocol-10 handshake packet (CLIENT_SSL set), the client's SSL request packet, then TLS 1.3 with the server's chain. Decrypt with the key log. MariaDB asks for a client certificate it does not require and gets an empty one." \
    "MariaDB 10.11 (Debian mariadb-server), --ssl-cert/--ssl-key" "openssl s_client 3.0.19 -starttls mysql -keylogfile" \
    '{"handshakeCompleted":true,"alert":null}' "${cmd[@]}"
  stop_bg mariadb
}

# prosody_start: Prosody of its own (configuration, data and log under $RUN/prosody), client connections on
# 127.0.0.1:26222, VirtualHost localhost with the test server certificate.
prosody_start() {
  PR="$RUN/prosody"
  rm -rf "$PR" && mkdir -p "$PR/data"
  server_credentials "$PR"
  cat >"$PR/prosody.cfg.lua" <<CONF
run_as_root = true
pidfile = "$PR/prosody.pid"
data_path = "$PR/data"
interfaces = { "127.0.0.1" }
c2s_ports = { 26222 }
s2s_ports = { }
c2s_direct_tls_ports = { }
log = { { levels = { min = "info" }, to = "file", filename = "$PR/prosody.log" } }
modules_enabled = { "tls"; "saslauth"; "disco"; "roster" }
modules_disabled = { "s2s" }
VirtualHost "localhost"
  ssl = { certificate = "$PR/chain.crt"; key = "$PR/server.key" }
CONF
  start_bg prosody prosody --config "$PR/prosody.cfg.lua" -F
  wait_port 26222 10
}

sc_xmpp_starttls_tls13() {
  local name=xmpp-starttls-tls13 port=26222
  prosody_start
  local cmd=(bash -c 'sleep 1 | openssl s_client -starttls xmpp -xmpphost localhost -connect 127.0.0.1:26222 -servername localhost -CAfile "$1" -keylogfile "$2"' _ "$P/root.crt" "$OUT/$name.keys.log")
  record $name $port "${cmd[@]}"
  meta $name "openssl s_client -starttls xmpp to Prosody: stream header, stream features offering <starttls/>, <starttls/> answered <proceed/>, then TLS 1.3 with the server's chain. Decrypt with the key log." \
    "Prosody 0.12 (Debian prosody)" "openssl s_client 3.0.19 -starttls xmpp -keylogfile" \
    '{"handshakeCompleted":true,"alert":null}' "${cmd[@]}"
  stop_bg prosody
}

ALL=(postgres_tls12_success postgres_tls12_client_cert_required postgres_tls13_s_client postgres_ssl_refused
  smtp_starttls_tls13 smtp_starttls_454 imap_starttls_tls13 pop3_starttls_tls13 imap_starttls_refused pop3_starttls_refused
  ftp_auth_tls_tls13 ftp_auth_tls_refused ldap_starttls_tls13 ldap_starttls_client_cert_required ldap_starttls_refused
  mysql_ssl_tls13 xmpp_starttls_tls13)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${ALL[@]}")
for sc in "${wanted[@]}"; do "sc_${sc//-/_}"; done
log "${#wanted[@]} STARTTLS scenario(s) recorded in $OUT"
