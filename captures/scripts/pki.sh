#!/usr/bin/env bash
# Build the test PKI with openssl into captures/work/pki (private keys stay there, git-ignored) and
# copy the public certificates to captures/pki/. Fixed subjects, serials and validity dates, so the
# expected outputs of the analysers stay readable; keys are random, so a rebuild changes fingerprints.
# Re-running keeps an existing PKI; set PKI_REBUILD=1 to start over.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VALID_START=20250101000000Z
VALID_END=20450101000000Z
EXPIRED_START=20200101000000Z
EXPIRED_END=20210101000000Z
FUTURE_START=20350101000000Z
FUTURE_END=20360101000000Z

if [ "${PKI_REBUILD:-0}" = 1 ]; then rm -rf "$PKI_WORK"; fi
mkdir -p "$PKI_WORK" "$PKI_PUBLIC"
cd "$PKI_WORK"

new_key() { # new_key NAME rsa|ec
  [ -f "$1.key" ] && return 0
  if [ "$2" = ec ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
  else
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null
  fi
  chmod 600 "$1.key"
}

# One extension file holds every profile; each signing picks a section.
cat >ext.cnf <<'CNF'
[v3_root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_client_serverauth_only]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

# An `openssl ca` config per issuer: it is the openssl 3.0 way to set explicit start/end dates.
ca_config() { # ca_config CA_NAME
  mkdir -p "ca-$1"
  [ -f "ca-$1/index.txt" ] || : >"ca-$1/index.txt"
  cat >"ca-$1/ca.cnf" <<CNF
[ca]
default_ca = this_ca
[this_ca]
dir = $PKI_WORK/ca-$1
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
certificate = $PKI_WORK/$1.crt
private_key = $PKI_WORK/$1.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
countryName = optional
CNF
}

# sign NAME ISSUER(or "self") SUBJECT EXT_SECTION SERIAL_HEX START END
sign() {
  local name="$1" issuer="$2" subj="$3" ext="$4" serial="$5" start="$6" end="$7" ca="$2" extra=()
  [ -f "$name.crt" ] && return 0
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null
  if [ "$issuer" = self ]; then
    ca="$name"; extra=(-selfsign -keyfile "$name.key")
  fi
  ca_config "$ca"
  echo "$serial" >"ca-$ca/serial"
  openssl ca -batch -config "ca-$ca/ca.cnf" -notext -preserveDN -md sha256 \
    -startdate "$start" -enddate "$end" -extfile ext.cnf -extensions "$ext" \
    "${extra[@]}" -in "$name.csr" -out "$name.crt" 2>"$name.ca.err" \
    || { cat "$name.ca.err" >&2; die "signing $name failed"; }
  rm -f "$name.csr" "$name.ca.err"
}

new_key root rsa
new_key intermediate rsa
new_key other-root ec
new_key server rsa
new_key client-valid ec
new_key client-intermediate rsa
new_key client-other rsa
new_key client-serverauth-only rsa
new_key client-expired rsa
new_key client-notyet rsa

sign root self "/O=tlsdiag/CN=tlsdiag Test Root CA" v3_root 1000 $VALID_START $VALID_END
sign other-root self "/O=Other Org/CN=Other Root CA" v3_root 2000 $VALID_START $VALID_END
sign intermediate root "/O=tlsdiag/CN=tlsdiag Test Intermediate CA" v3_intermediate 1001 $VALID_START $VALID_END
sign server intermediate "/O=tlsdiag/CN=localhost" v3_server 3001 $VALID_START $VALID_END
sign client-valid root "/O=tlsdiag/CN=tlsdiag Test Client" v3_client 1101 $VALID_START $VALID_END
sign client-intermediate intermediate "/O=tlsdiag/CN=tlsdiag Test Client via Intermediate" v3_client 3101 $VALID_START $VALID_END
sign client-other other-root "/O=Other Org/CN=tlsdiag Test Client from Other Root" v3_client 2101 $VALID_START $VALID_END
sign client-serverauth-only root "/O=tlsdiag/CN=tlsdiag Test Client without clientAuth" v3_client_serverauth_only 1102 $VALID_START $VALID_END
sign client-expired root "/O=tlsdiag/CN=tlsdiag Test Client Expired" v3_client 1103 $EXPIRED_START $EXPIRED_END
sign client-notyet root "/O=tlsdiag/CN=tlsdiag Test Client Not Yet Valid" v3_client 1104 $FUTURE_START $FUTURE_END

# Bundles the peers need: server leaf + intermediate, client leaf + intermediate.
cat server.crt intermediate.crt >server-chain.crt
cat client-intermediate.crt intermediate.crt >client-intermediate-chain.crt

openssl verify -CAfile root.crt -untrusted intermediate.crt server.crt >/dev/null
openssl verify -CAfile root.crt client-valid.crt >/dev/null
openssl verify -CAfile root.crt -untrusted intermediate.crt client-intermediate.crt >/dev/null
openssl verify -CAfile other-root.crt client-other.crt >/dev/null

for crt in root intermediate other-root server client-valid client-intermediate client-other \
  client-serverauth-only client-expired client-notyet server-chain client-intermediate-chain; do
  cp "$crt.crt" "$PKI_PUBLIC/$crt.pem"
done
log "PKI ready in $PKI_WORK; public certificates in $PKI_PUBLIC"
