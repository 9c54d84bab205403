#!/usr/bin/env bash
# make_certs.sh DIR: real certificates for the TLS tests, made with openssl (EC P-256: fast).
#   ca.pem            the cluster's CA (ca.key its key)
#   n1 n2 n3 .pem/.key  node certificates of ca.pem, SAN 127.0.0.1 and localhost, usable as
#                     server and client (a node dials its peers and the leader's client API)
#   client.pem/.key   a client certificate of ca.pem (CN client)
#   reader.pem writer.pem (.key)  client certificates of ca.pem, CN reader / writer (certificate
#                     users: docs/auth.md)
#   ca2.pem           another CA; other.pem/.key a node certificate of ca2 (SAN 127.0.0.1)
#   expired.pem/.key  of ca.pem, SAN 127.0.0.1, expired yesterday (-days -1)
#   wronghost.pem/.key of ca.pem, for wrong.example only
#   n1new.pem/.key    of ca2.pem, SAN 127.0.0.1 (the SIGHUP rotation test)
# Also usable by hand (docs/security.md walks through the same commands).
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
ca() {  # ca NAME
  key "$1"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -subj "/CN=metasrv test $1" -days 30 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
cert() {  # cert NAME CA DAYS SAN EKU
  key "$1"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$4" "$5" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days "$3" -extfile "$1.ext" \
    -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
ca ca
ca ca2
for n in n1 n2 n3; do cert "$n" ca 30 "IP:127.0.0.1,DNS:localhost" serverAuth,clientAuth; done
cert client ca 30 "DNS:root" clientAuth
for u in reader writer; do cert "$u" ca 30 "DNS:$u" clientAuth; done
cert other ca2 30 "IP:127.0.0.1,DNS:localhost" serverAuth,clientAuth
cert expired ca -1 "IP:127.0.0.1,DNS:localhost" serverAuth,clientAuth
cert wronghost ca 30 "DNS:wrong.example" serverAuth,clientAuth
cert n1new ca2 30 "IP:127.0.0.1,DNS:localhost" serverAuth,clientAuth
