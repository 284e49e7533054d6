#!/usr/bin/env bash
# Makes the certificate and OCSP fixtures of test/x509 and test/ocsp with real openssl.
#
# Every certificate is issued with `openssl ca` and fixed dates, so the validity tests can use one fixed
# verification time (2026-06-01T00:00:00Z) whatever day the script runs. Keys are made fresh each run and
# live only in a temporary directory that is deleted at exit: only public certificates, OCSP responses
# and OCSP requests are written to test/fixtures/x509.
#
# Usage: scripts/make-x509-fixtures.sh [output-dir]   (default test/fixtures/x509)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$HERE/../test/fixtures/x509}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# One configuration for every CA; the CA directory and the request string mask come from the environment.
cat > openssl.cnf <<'EOF'
CADIR = .
STRMASK = utf8only
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $ENV::CADIR
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir/new
default_md = sha256
policy = policy_anything
unique_subject = no
email_in_dn = yes
[ policy_anything ]
commonName = optional
[ req ]
distinguished_name = req_dn
string_mask = $ENV::STRMASK
prompt = no
[ req_dn ]
CN = unused
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_intermediate ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = caIssuers;URI:http://pki.test/root.crt, OCSP;URI:http://ocsp.pki.test/root
crlDistributionPoints = URI:http://pki.test/root.crl
[ v3_intermediate_pathlen0 ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_ca_no_certsign ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_not_ca ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = email:alice@client.test, DNS:client.test
[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:server.test, DNS:*.server.test, IP:127.0.0.1, IP:::1, email:admin@server.test, URI:https://server.test/id
authorityInfoAccess = caIssuers;URI:http://pki.test/intermediate.crt, OCSP;URI:http://ocsp.pki.test/
crlDistributionPoints = URI:http://pki.test/intermediate.crl, URI:ldap://ldap.pki.test/cn=Intermediate
[ v3_both ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:both.test
[ v3_no_eku ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_no_ku ]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_ku_keyenc ]
basicConstraints = CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
authorityKeyIdentifier = keyid:always
[ v3_ku_certsign ]
basicConstraints = CA:FALSE
keyUsage = critical, keyCertSign
extendedKeyUsage = serverAuth, clientAuth
authorityKeyIdentifier = keyid:always
[ v3_ocsp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
authorityKeyIdentifier = keyid:always
[ v3_no_aki ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
[ v3_selfsigned ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:self.test
[ v3_names ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = email:jürgen@names.test, DNS:names.test
[ v3_codesign ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning, emailProtection, 1.3.6.1.4.1.99999.1
EOF
export OPENSSL_CONF="$WORK/openssl.cnf"

newkey() { # name type
  case "$2" in
    rsa1024) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$1.key" ;;
    rsa2048) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
    p256) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
    p384) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1.key" ;;
    ed25519) openssl genpkey -quiet -algorithm ED25519 -out "$1.key" ;;
    *) echo "unknown key type $2" >&2; exit 1 ;;
  esac
}

newcadir() { # dir
  mkdir -p "$1/new"
  : > "$1/index.txt"
  # 16 random bytes: serials of the length real CAs use, sometimes with the high bit set.
  openssl rand -hex 16 > "$1/serial"
}

csr() { # name subject [extra req flags…]
  local name="$1" subj="$2"; shift 2
  openssl req -new -key "$name.key" -subj "$subj" -utf8 "$@" -out "$name.csr"
}

# issue CADIR ISSUER NAME EXTSECTION START END [extra ca flags…]; ISSUER "-" means self-signed.
issue() {
  local cadir="$1" issuer="$2" name="$3" ext="$4" start="$5" end="$6"; shift 6
  local extflags=()
  [ "$ext" != "-" ] && extflags=(-extensions "$ext")
  if [ "$issuer" = "-" ]; then
    CADIR="$cadir" openssl ca -batch -notext -preserveDN -utf8 -selfsign -keyfile "$name.key" \
      -in "$name.csr" -out "$name.pem" "${extflags[@]}" -startdate "$start" -enddate "$end" "$@" 2>>ca.log || { cat ca.log >&2; exit 1; }
  else
    CADIR="$cadir" openssl ca -batch -notext -preserveDN -utf8 -cert "$issuer.pem" -keyfile "$issuer.key" \
      -in "$name.csr" -out "$name.pem" "${extflags[@]}" -startdate "$start" -enddate "$end" "$@" 2>>ca.log || { cat ca.log >&2; exit 1; }
  fi
  cp "$name.pem" "$OUT/$name.pem"
}

LEAF_START=20250101000000Z
LEAF_END=20350101000000Z

# --- The main PKI: root → intermediate → leaves -----------------------------------------------------------
newcadir rootca; newcadir intca; newcadir miscca
newkey root rsa2048
csr root "/C=US/O=tlsdiag Test PKI/CN=tlsdiag Test Root CA"
# notAfter after 2049: encoded as GeneralizedTime.
issue rootca - root v3_root 20200101000000Z 20600101000000Z

newkey intermediate rsa2048
csr intermediate "/C=US/O=tlsdiag Test PKI/OU=Issuing/CN=tlsdiag Test Intermediate CA"
issue rootca root intermediate v3_intermediate 20200601000000Z 20450101000000Z

newkey leaf-client p256
csr leaf-client "/C=US/O=tlsdiag Clients/CN=alice"
issue intca intermediate leaf-client v3_client $LEAF_START $LEAF_END

newkey leaf-server rsa2048
csr leaf-server "/C=US/ST=California/L=San Francisco/O=tlsdiag Servers/CN=server.test"
issue intca intermediate leaf-server v3_server $LEAF_START $LEAF_END

newkey leaf-both p256
csr leaf-both "/O=tlsdiag/CN=both.test"
issue intca intermediate leaf-both v3_both $LEAF_START $LEAF_END

newkey leaf-no-eku rsa2048
csr leaf-no-eku "/O=tlsdiag/CN=no-eku.test"
issue intca intermediate leaf-no-eku v3_no_eku $LEAF_START $LEAF_END

newkey leaf-codesign p256
csr leaf-codesign "/O=tlsdiag/CN=codesign.test"
issue intca intermediate leaf-codesign v3_codesign $LEAF_START $LEAF_END

newkey leaf-expired p256
csr leaf-expired "/O=tlsdiag/CN=expired.test"
issue intca intermediate leaf-expired v3_both 20200701000000Z 20210101000000Z

newkey leaf-not-yet-valid p256
csr leaf-not-yet-valid "/O=tlsdiag/CN=not-yet-valid.test"
issue intca intermediate leaf-not-yet-valid v3_both 20400101000000Z 20440101000000Z

newkey leaf-rsa1024 rsa1024
csr leaf-rsa1024 "/O=tlsdiag/CN=rsa1024.test"
issue intca intermediate leaf-rsa1024 v3_both $LEAF_START $LEAF_END

newkey leaf-ed25519 ed25519
csr leaf-ed25519 "/O=tlsdiag/CN=ed25519.test"
issue intca intermediate leaf-ed25519 v3_both $LEAF_START $LEAF_END

newkey leaf-sha1 rsa2048
csr leaf-sha1 "/O=tlsdiag/CN=sha1.test"
issue intca intermediate leaf-sha1 v3_both $LEAF_START $LEAF_END -md sha1

# No extensions section at all: openssl ca writes a version 1 certificate.
newkey leaf-v1 rsa2048
csr leaf-v1 "/O=tlsdiag/CN=v1.test"
issue intca intermediate leaf-v1 - $LEAF_START $LEAF_END

newkey leaf-no-ku p256
csr leaf-no-ku "/O=tlsdiag/CN=no-ku.test"
issue intca intermediate leaf-no-ku v3_no_ku $LEAF_START $LEAF_END

newkey leaf-ku-keyenc rsa2048
csr leaf-ku-keyenc "/O=tlsdiag/CN=ku-keyenc.test"
issue intca intermediate leaf-ku-keyenc v3_ku_keyenc $LEAF_START $LEAF_END

newkey leaf-ku-certsign p256
csr leaf-ku-certsign "/O=tlsdiag/CN=ku-certsign.test"
issue intca intermediate leaf-ku-certsign v3_ku_certsign $LEAF_START $LEAF_END

newkey leaf-revoked p256
csr leaf-revoked "/O=tlsdiag/CN=revoked.test"
issue intca intermediate leaf-revoked v3_both $LEAF_START $LEAF_END

newkey ocsp-responder p256
csr ocsp-responder "/O=tlsdiag Test PKI/CN=tlsdiag OCSP Responder"
issue intca intermediate ocsp-responder v3_ocsp $LEAF_START $LEAF_END

# Self-signed end-entity certificate.
newkey selfsigned p256
csr selfsigned "/O=tlsdiag/CN=self.test"
issue miscca - selfsigned v3_selfsigned $LEAF_START $LEAF_END

# --- Path length: root → CA with pathlen:0 (P-384) → sub-CA (Ed25519) → leaf ------------------------------
newcadir pl0ca; newcadir subca
newkey intermediate-pathlen0 p384
csr intermediate-pathlen0 "/O=tlsdiag Test PKI/CN=tlsdiag Pathlen0 CA"
issue rootca root intermediate-pathlen0 v3_intermediate_pathlen0 20200601000000Z 20450101000000Z
newkey subintermediate ed25519
csr subintermediate "/O=tlsdiag Test PKI/CN=tlsdiag Sub CA"
issue pl0ca intermediate-pathlen0 subintermediate v3_intermediate 20200601000000Z 20450101000000Z -md sha384
newkey leaf-under-sub p256
csr leaf-under-sub "/O=tlsdiag/CN=under-sub.test"
issue subca subintermediate leaf-under-sub v3_both $LEAF_START $LEAF_END
# A leaf directly under the pathlen:0 CA is fine.
newkey leaf-under-pathlen0 p256
csr leaf-under-pathlen0 "/O=tlsdiag/CN=under-pathlen0.test"
issue pl0ca intermediate-pathlen0 leaf-under-pathlen0 v3_both $LEAF_START $LEAF_END -md sha384

# --- Issuers that must not issue: CA:FALSE, and CA without keyCertSign -----------------------------------
newcadir notcaca; newcadir nocsca
newkey not-a-ca rsa2048
csr not-a-ca "/O=tlsdiag/CN=tlsdiag Not A CA"
issue intca intermediate not-a-ca v3_not_ca $LEAF_START $LEAF_END
newkey leaf-under-not-a-ca p256
csr leaf-under-not-a-ca "/O=tlsdiag/CN=under-not-a-ca.test"
issue notcaca not-a-ca leaf-under-not-a-ca v3_both $LEAF_START $LEAF_END

newkey intermediate-no-certsign rsa2048
csr intermediate-no-certsign "/O=tlsdiag Test PKI/CN=tlsdiag No CertSign CA"
issue rootca root intermediate-no-certsign v3_ca_no_certsign 20200601000000Z 20450101000000Z
newkey leaf-under-no-certsign p256
csr leaf-under-no-certsign "/O=tlsdiag/CN=under-no-certsign.test"
issue nocsca intermediate-no-certsign leaf-under-no-certsign v3_both $LEAF_START $LEAF_END

# --- An impostor CA: same name as the intermediate, another key. OpenSSL 3 writes an AKI even with the
# v3_no_aki section, so the leaf names the impostor's key: a path builder going by name and key identifier
# (OpenSSL: X509_check_akid) finds no issuer although the real intermediate has the same name. ------------
newcadir impca
newkey impostor rsa2048
csr impostor "/C=US/O=tlsdiag Test PKI/OU=Issuing/CN=tlsdiag Test Intermediate CA"
issue impca - impostor v3_root 20200601000000Z 20450101000000Z
rm -f "$OUT/impostor.pem" # never shipped: only its victim leaf is
newkey leaf-bad-signature p256
csr leaf-bad-signature "/O=tlsdiag/CN=bad-signature.test"
issue impca impostor leaf-bad-signature v3_no_aki $LEAF_START $LEAF_END

# --- Another PKI, not trusted by the tests ----------------------------------------------------------------
newcadir otherca
newkey other-root rsa2048
csr other-root "/C=DE/O=Other PKI/CN=Other Root CA"
issue otherca - other-root v3_root 20200101000000Z 20450101000000Z
newkey other-leaf p256
csr other-leaf "/O=Other PKI/CN=other.test"
issue otherca other-root other-leaf v3_both $LEAF_START $LEAF_END

# --- Names ------------------------------------------------------------------------------------------------
# Characters RFC 4514 escapes, a leading '#', leading/trailing spaces, UTF-8, and a multi-valued RDN.
newkey names p256
csr names '/C=US/O=Doe, Smith \+ Co. "Q" <x>;y=z\\w/OU=#hash/OU=Eng+CN=Alice/L= lead/ST=trail /CN=Jürgen Müller 日本' -multivalue-rdn
issue intca intermediate names v3_names $LEAF_START $LEAF_END -multivalue-rdn
newkey names-dc p256
csr names-dc "/DC=test/DC=tlsdiag/UID=jdoe/emailAddress=jdoe@tlsdiag.test/serialNumber=12345/title=Engineer/CN=John Doe"
issue intca intermediate names-dc v3_names $LEAF_START $LEAF_END

# The same CA name in PrintableString and in UTF8String (and with other case and spacing), one key.
newcadir printca
newkey name-ca rsa2048
STRMASK=default csr name-ca "/C=US/O=Example Org/CN=Name Test CA"
issue printca - name-ca v3_root 20200101000000Z 20450101000000Z
mv "$OUT/name-ca.pem" "$OUT/name-ca-printable.pem"; mv name-ca.pem name-ca-printable.pem
STRMASK=utf8only csr name-ca "/C=US/O=Example Org/CN=Name Test CA"
issue miscca - name-ca v3_root 20200101000000Z 20450101000000Z
mv "$OUT/name-ca.pem" "$OUT/name-ca-utf8.pem"
STRMASK=utf8only csr name-ca "/C=us/O=  example   ORG /CN=NAME test ca"
issue miscca - name-ca v3_root 20200101000000Z 20450101000000Z
mv "$OUT/name-ca.pem" "$OUT/name-ca-casefold.pem"
STRMASK=utf8only csr name-ca "/C=US/O=Example Org/CN=Name Test CA 2"
issue miscca - name-ca v3_root 20200101000000Z 20450101000000Z
mv "$OUT/name-ca.pem" "$OUT/name-ca-other.pem"
cp name-ca-printable.pem name-ca.pem
newkey leaf-under-printable p256
STRMASK=default csr leaf-under-printable "/O=Example Org/CN=printable-issuer.test"
issue printca name-ca leaf-under-printable v3_no_aki $LEAF_START $LEAF_END

# --- Bundles and DER forms for the loader -----------------------------------------------------------------
cat "$OUT/leaf-server.pem" "$OUT/intermediate.pem" > "$OUT/chain-server.pem"
openssl x509 -in "$OUT/root.pem" -outform DER -out "$OUT/root.der"
openssl x509 -in "$OUT/leaf-client.pem" -outform DER -out "$OUT/leaf-client.der"

# --- OCSP: the intermediate's responder answers good / revoked (keyCompromise) / unknown ------------------
CADIR=intca openssl ca -batch -revoke leaf-revoked.pem -crl_reason keyCompromise -cert intermediate.pem \
  -keyfile intermediate.key 2>/dev/null
ocsp_answer() { # name ndays request-args…
  local name="$1" ndays="$2"; shift 2
  openssl ocsp -issuer intermediate.pem "$@" -no_nonce -reqout "$name.req.der" 2>/dev/null
  local validity=()
  [ "$ndays" != "0" ] && validity=(-ndays "$ndays")
  openssl ocsp -index intca/index.txt -CA intermediate.pem -rsigner ocsp-responder.pem -rkey ocsp-responder.key \
    -reqin "$name.req.der" -respout "$OUT/$name.der" "${validity[@]}" 2>/dev/null
  cp "$name.req.der" "$OUT/$name.req.der"
}
ocsp_answer ocsp-good 7 -cert leaf-server.pem
ocsp_answer ocsp-revoked 0 -cert leaf-revoked.pem
ocsp_answer ocsp-unknown 7 -serial 0x0DEADBEEF
ocsp_answer ocsp-multi 7 -cert leaf-server.pem -cert leaf-revoked.pem -serial 0x0DEADBEEF
# A request about a certificate of another issuer: the responder refuses it.
openssl ocsp -issuer other-root.pem -cert other-leaf.pem -no_nonce -reqout other.req.der 2>/dev/null
openssl ocsp -index intca/index.txt -CA intermediate.pem -rsigner ocsp-responder.pem -rkey ocsp-responder.key \
  -reqin other.req.der -respout "$OUT/ocsp-other-issuer.der" 2>/dev/null || true

# Nothing secret may leave the temporary directory.
if grep -l "PRIVATE KEY" "$OUT"/* >/dev/null 2>&1; then echo "a private key reached $OUT" >&2; exit 1; fi
echo "fixtures written to $OUT"
