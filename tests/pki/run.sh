#!/bin/bash
# tests/pki/run.sh — automated test of certs/mkpki (private SGP.22 test PKI generator).
#
# No network, no state outside a temporary directory. Generates one PKI per curve (plus
# one with both curves and the osmo-smdpp layout) and checks, with the OpenSSL CLI:
#   - the file layout and names of certs/sgp26, key file modes 0600, SEC1 key format,
#     each key matching its certificate, the curve, ecdsa-with-SHA256 everywhere;
#   - the chains with `openssl verify -x509_strict` (CI->EUM, CI->DPauth/DPpb/DPtls with
#     TLS purpose and host name); the eUICC chain fails ONLY with "permitted subtree
#     violation" (stock OpenSSL and the SGP.22 EID name constraint, as for SGP.26), its
#     signature is checked separately and the EID prefix against the EUM constraint;
#   - every extension of SGP.22 v2.3 §4.5.2 with its criticality and value, and the same
#     extension list (names, order, criticality) as the SGP.26 certificate of each kind;
#   - EID check digits (SGP.29 §10): known answers, mutations, an independent bc check;
#   - mkpki's refusals (EID outside the EUM prefix, bad check digits, non-empty dir).
# Optional, when present: build/euicc-sim loads the PKI (--print-eid), and with
# PKI_TEST_SMDPP_ENV=$PYSIM_ENV (root, see $PYSIM_ENV/HOWTO.txt) a private
# osmo-smdpp in its own network namespace serves a full ES9+ download to pySim's
# es9p_client using a generated eUICC (about 12 s more).
# Last line: "N passed, M failed"; exit status 1 if anything failed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MKPKI="${MKPKI:-$ROOT/certs/mkpki}"
SGP26="$ROOT/certs/sgp26"
SIM="${EUICC_SIM:-$ROOT/build/euicc-sim}"
SGP26_EID=89049032123451234512345678901235
T=$(mktemp -d "${TMPDIR:-/tmp}/pki-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export LC_ALL=C

PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); [ -z "${VERBOSE:-}" ] || echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
check() { # check DESC CMD...   (passes when CMD succeeds)
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi
}
check_not() {
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then bad "$d"; else ok "$d"; fi
}
eq() { # eq DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi
}

# ---------------------------------------------------------------- certificate text helpers
# (cached: the same certificate is read many times)
txt() {
	local k="$T/text/${1//\//_}"
	[ -f "$k" ] || { mkdir -p "$T/text" && openssl x509 -inform der -in "$1" -noout -text >"$k"; } || return 1
	cat "$k"
}

# ext TEXT NAME -> "critical|value line|..." or "noncritical|..."; empty if absent
ext() {
	printf '%s\n' "$1" | awk -v n="X509v3 $2:" '
		/^        X509v3 extensions:/ { inext = 1; next }
		/^    [^ ]/ { inext = 0 }
		!inext { next }
		/^            [^ ]/ {
			if (inb) exit
			h = $0; sub(/^ +/, "", h); sub(/ +$/, "", h)
			if (index(h, n) == 1) {
				inb = 1
				out = (h ~ /: critical$/) ? "critical" : "noncritical"
			}
			next
		}
		inb { v = $0; sub(/^ +/, "", v); sub(/ +$/, "", v); out = out "|" v }
		END { if (out != "") print out }'
}

# extlist TEXT -> "Name:critical,Name:,..." in certificate order
extlist() {
	printf '%s\n' "$1" | awk '
		/^        X509v3 extensions:/ { inext = 1; next }
		/^    [^ ]/ { inext = 0 }
		inext && /^            [^ ]/ { h = $0; sub(/^ +/, "", h); sub(/ +$/, "", h); printf "%s,", h }'
}

field() { printf '%s\n' "$1" | sed -n "s/^ *$2: *//p" | head -n1; }
colonless() { tr -d ':' | tr a-f A-F; }

# SKI by RFC 5280 method 1, computed here: SHA-1 of the 65-byte public key point
ski_of() {
	openssl x509 -inform der -in "$1" -noout -pubkey | openssl pkey -pubin -outform der |
		tail -c 65 | openssl dgst -sha1 -r | cut -c1-40 | tr a-f A-F
}
ext_keyid() { ext "$1" "$2" | cut -d'|' -f2 | colonless; }

pem_of() { openssl x509 -inform der -in "$1" -out "$2"; }

# Signature of CERT checked with ISSUER's public key, outside X509 verification:
# TBSCertificate bytes and the ECDSA-Sig-Value cut out at the asn1parse offsets.
sig_ok() {
	local cert=$1 issuer=$2 w=$T/sig tbs sig
	mkdir -p "$w"
	tbs=$(openssl asn1parse -inform der -in "$cert" | sed -n 's/^ *\([0-9]*\):d=1 *hl=\([0-9]*\) *l= *\([0-9]*\) cons: *SEQUENCE.*/\1 \2 \3/p' | head -n1)
	sig=$(openssl asn1parse -inform der -in "$cert" | sed -n 's/^ *\([0-9]*\):d=1 *hl=\([0-9]*\) *l= *\([0-9]*\) prim: *BIT STRING.*/\1 \2 \3/p' | tail -n1)
	[ -n "$tbs" ] && [ -n "$sig" ] || return 1
	local off hl len
	read -r off hl len <<<"$tbs"
	tail -c +$((off + 1)) "$cert" | head -c $((hl + len)) >"$w/tbs"
	# BIT STRING contents after its "unused bits" octet: the DER ECDSA-Sig-Value
	read -r off hl len <<<"$sig"
	tail -c +$((off + hl + 2)) "$cert" | head -c $((len - 1)) >"$w/sig"
	openssl x509 -inform der -in "$issuer" -noout -pubkey >"$w/pub"
	openssl dgst -sha256 -verify "$w/pub" -signature "$w/sig" "$w/tbs" | grep -qx 'Verified OK'
}

# The eUICC verification result must be exactly one error, 47 (permitted subtree violation).
euicc_verify_only_nc() { # CA_PEM EUM_PEM EUICC_PEM
	local out errs
	out=$(openssl verify -x509_strict -CAfile "$1" -untrusted "$2" "$3" 2>&1) && return 1
	errs=$(printf '%s\n' "$out" | grep -E '^error [0-9]+ at ' | sort -u)
	[ "$errs" = "error 47 at 0 depth lookup: permitted subtree violation" ] || return 1
	# the only other line allowed: the subject and the final "verification failed"
	[ "$(printf '%s\n' "$out" | grep -vE '^error [0-9]+ at |^error .*: verification failed$|^C = ' | grep -c .)" -eq 0 ]
}

key_matches() { # SK CERT
	[ "$(openssl pkey -in "$1" -pubout 2>/dev/null)" = "$(openssl x509 -inform der -in "$2" -noout -pubkey)" ]
}

mode_is() { [ "$(stat -c %a "$1")" = "$2" ]; }

# ---------------------------------------------------------------- EID check digits
eid_tests() {
	check "eid-check: SGP.26 EID $SGP26_EID is valid" "$MKPKI" eid-check "$SGP26_EID"
	check "eid-check: SGP.29 example 89882119900000000000000000001654 is valid" \
		"$MKPKI" eid-check 89882119900000000000000000001654
	check_not "eid-check: last digit changed (…1236) is invalid" "$MKPKI" eid-check 89049032123451234512345678901236
	check_not "eid-check: a middle digit changed is invalid" "$MKPKI" eid-check 89049032123451234612345678901235
	check_not "eid-check: two digits swapped is invalid" "$MKPKI" eid-check 89049032123451234512345678910235
	check_not "eid-check: 31 digits is invalid" "$MKPKI" eid-check 8904903212345123451234567890123
	check_not "eid-check: hex letters are invalid" "$MKPKI" eid-check 8904903212345123451234567890123A
	eq "eid-make: SGP.26 EID from its first 30 digits" \
		"$("$MKPKI" eid-make "${SGP26_EID:0:30}")" "$SGP26_EID"
	eq "eid-make: 32 digits, check digits replaced" \
		"$("$MKPKI" eid-make "${SGP26_EID:0:30}99")" "$SGP26_EID"
	eq "eid-make: SGP.29 example" "$("$MKPKI" eid-make 898821199000000000000000000016)" \
		89882119900000000000000000001654
	check_not "eid-make: 29 digits refused" "$MKPKI" eid-make 89882119900000000000000000001
	# independent implementation: bc's arbitrary precision, on fixed pseudo-random bodies
	if command -v bc >/dev/null; then
		local i body want got n=0 m=0
		for i in $(seq 1 24); do
			body=$(printf 'mkpki-%d' "$i" | openssl dgst -sha256 -r | tr -dc 0-9 | cut -c1-30)
			[ ${#body} -eq 30 ] || continue
			want=$(printf '%s%02d' "$body" "$(echo "98 - (${body}00 % 97)" | bc)")
			got=$("$MKPKI" eid-make "$body")
			n=$((n + 1))
			[ "$got" = "$want" ] && [ "$(echo "$got % 97" | bc)" = 1 ] && m=$((m + 1))
		done
		eq "eid-make agrees with bc on $n bodies" "$m" "$n"
	else
		echo "skip bc cross-check (no bc)"
	fi
}

# ---------------------------------------------------------------- one PKI directory
# check_pki DIR C HOST DP_OID PREFIX EID EUM_ORG CI_NAME
check_pki() {
	local d=$1 c=$2 host=$3 dpoid=$4 prefix=$5 eid=$6 org=$7 ciname=$8 curve f t s w
	local ci eum euicc dpauth dppb dptls cit eumt euict ci_ski eum_ski
	case $c in NIST) curve=prime256v1 ;; BRP) curve=brainpoolP256r1 ;; esac
	w=$T/w_${c}_$(basename "$d")
	mkdir -p "$w"

	ci=$d/CertificateIssuer/CERT_CI_ECDSA_$c.der
	eum=$d/EUM/CERT_EUM_ECDSA_$c.der
	euicc=$d/eUICC/CERT_EUICC_ECDSA_$c.der
	dpauth=$d/DPauth/CERT_S_SM_DPauth_ECDSA_$c.der
	dppb=$d/DPpb/CERT_S_SM_DPpb_ECDSA_$c.der
	dptls=$d/DPtls/CERT_S_SM_DP_TLS_$c.der

	# layout, file modes, key format
	for f in CertificateIssuer/CERT_CI_ECDSA_$c.der CertificateIssuer/CERT_CI_ECDSA_$c.pem \
		CertificateIssuer/SK_CI_ECDSA_$c.pem \
		EUM/CERT_EUM_ECDSA_$c.der EUM/SK_EUM_ECDSA_$c.pem EUM/PK_EUM_ECDSA_$c.pem \
		eUICC/CERT_EUICC_ECDSA_$c.der eUICC/SK_EUICC_ECDSA_$c.pem eUICC/PK_EUICC_ECDSA_$c.pem \
		DPauth/CERT_S_SM_DPauth_ECDSA_$c.der DPauth/SK_S_SM_DPauth_ECDSA_$c.pem \
		DPauth/PK_S_SM_DPauth_ECDSA_$c.pem \
		DPpb/CERT_S_SM_DPpb_ECDSA_$c.der DPpb/SK_S_SM_DPpb_ECDSA_$c.pem DPpb/PK_S_SM_DPpb_ECDSA_$c.pem \
		DPtls/CERT_S_SM_DP_TLS_$c.der DPtls/CERT_S_SM_DP_TLS_$c.pem DPtls/SK_S_SM_DP_TLS_$c.pem \
		DPtls/PK_S_SM_DP_TLS_$c.pem; do
		check "$c: $f exists" test -s "$d/$f"
	done
	for f in "$d"/*/SK_*"$c"*.pem; do
		check "$c: ${f#"$d"/} has mode 0600" mode_is "$f" 600
		check "$c: ${f#"$d"/} is SEC1 with EC PARAMETERS (as SGP.26)" \
			bash -c "grep -q '^-----BEGIN EC PARAMETERS-----' '$f' && grep -q '^-----BEGIN EC PRIVATE KEY-----' '$f'"
	done
	for f in "$d"/CertificateIssuer/CERT_*_"$c".der "$d"/*/CERT_*_"$c".der; do
		t=$(txt "$f")
		eq "$c: ${f#"$d"/} curve" "$(field "$t" 'ASN1 OID')" "$curve"
		eq "$c: ${f#"$d"/} signature ecdsa-with-SHA256" \
			"$(printf '%s\n' "$t" | grep -c 'Signature Algorithm: ecdsa-with-SHA256')" 2
		eq "$c: ${f#"$d"/} is X.509 v3" "$(field "$t" Version)" "3 (0x2)"
		eq "$c: ${f#"$d"/} SKI = SHA-1 of the public key" "$(ext_keyid "$t" 'Subject Key Identifier')" \
			"$(ski_of "$f")"
	done
	check "$c: CI key matches its certificate" key_matches "$d/CertificateIssuer/SK_CI_ECDSA_$c.pem" "$ci"
	check "$c: EUM key matches" key_matches "$d/EUM/SK_EUM_ECDSA_$c.pem" "$eum"
	check "$c: eUICC key matches" key_matches "$d/eUICC/SK_EUICC_ECDSA_$c.pem" "$euicc"
	check "$c: DPauth key matches" key_matches "$d/DPauth/SK_S_SM_DPauth_ECDSA_$c.pem" "$dpauth"
	check "$c: DPpb key matches" key_matches "$d/DPpb/SK_S_SM_DPpb_ECDSA_$c.pem" "$dppb"
	check "$c: DPtls key matches" key_matches "$d/DPtls/SK_S_SM_DP_TLS_$c.pem" "$dptls"
	check "$c: CI .pem = .der" cmp <(openssl x509 -in "$d/CertificateIssuer/CERT_CI_ECDSA_$c.pem" -outform der) "$ci"
	check "$c: DPtls .pem = .der" cmp <(openssl x509 -in "$d/DPtls/CERT_S_SM_DP_TLS_$c.pem" -outform der) "$dptls"

	# chains
	for f in "$ci" "$eum" "$euicc" "$dpauth" "$dppb" "$dptls"; do pem_of "$f" "$w/$(basename "$f" .der).pem"; done
	check "$c: openssl verify CI (self-signed root)" openssl verify -x509_strict -CAfile "$w/CERT_CI_ECDSA_$c.pem" "$w/CERT_CI_ECDSA_$c.pem"
	check "$c: openssl verify CI -> EUM" openssl verify -x509_strict -CAfile "$w/CERT_CI_ECDSA_$c.pem" "$w/CERT_EUM_ECDSA_$c.pem"
	check "$c: openssl verify CI -> DPauth" openssl verify -x509_strict -CAfile "$w/CERT_CI_ECDSA_$c.pem" "$w/CERT_S_SM_DPauth_ECDSA_$c.pem"
	check "$c: openssl verify CI -> DPpb" openssl verify -x509_strict -CAfile "$w/CERT_CI_ECDSA_$c.pem" "$w/CERT_S_SM_DPpb_ECDSA_$c.pem"
	check "$c: openssl verify CI -> DPtls, sslserver, host $host" openssl verify -x509_strict \
		-purpose sslserver -verify_hostname "$host" -CAfile "$w/CERT_CI_ECDSA_$c.pem" "$w/CERT_S_SM_DP_TLS_$c.pem"
	check "$c: openssl verify CI -> DPtls, sslclient" openssl verify -x509_strict \
		-purpose sslclient -CAfile "$w/CERT_CI_ECDSA_$c.pem" "$w/CERT_S_SM_DP_TLS_$c.pem"
	check_not "$c: DPtls does not verify for another host name" openssl verify -purpose sslserver \
		-verify_hostname "other.$host" -CAfile "$w/CERT_CI_ECDSA_$c.pem" "$w/CERT_S_SM_DP_TLS_$c.pem"
	check "$c: eUICC chain fails with exactly 'permitted subtree violation' (EID name constraint)" \
		euicc_verify_only_nc "$w/CERT_CI_ECDSA_$c.pem" "$w/CERT_EUM_ECDSA_$c.pem" "$w/CERT_EUICC_ECDSA_$c.pem"
	check "$c: eUICC signature verifies with the EUM public key" sig_ok "$euicc" "$eum"
	check "$c: EUM signature verifies with the CI public key" sig_ok "$eum" "$ci"
	check_not "$c: eUICC signature does not verify with the CI key" sig_ok "$euicc" "$ci"

	# CI (SGP.22 §4.5.2.1.0.1)
	cit=$(txt "$ci")
	ci_ski=$(ext_keyid "$cit" 'Subject Key Identifier')
	eq "$c: CI self-issued" "$(field "$cit" Issuer)" "$(field "$cit" Subject)"
	eq "$c: CI subject CN" "$(field "$cit" Subject | sed 's/^CN = \([^,]*\),.*/\1/')" "$ciname"
	eq "$c: CI basicConstraints" "$(ext "$cit" 'Basic Constraints')" "critical|CA:TRUE"
	eq "$c: CI keyUsage" "$(ext "$cit" 'Key Usage')" "critical|Certificate Sign, CRL Sign"
	eq "$c: CI certificatePolicies id-rspRole-ci" "$(ext "$cit" 'Certificate Policies')" "critical|Policy: 2.23.146.1.2.1.0"
	eq "$c: CI subjectAltName registeredID" "$(ext "$cit" 'Subject Alternative Name')" "noncritical|Registered ID:2.999.1"
	eq "$c: CI SKI non-critical" "$(ext "$cit" 'Subject Key Identifier' | cut -d'|' -f1)" noncritical
	eq "$c: CI has no AKI" "$(ext "$cit" 'Authority Key Identifier')" ""
	eq "$c: CI CRL distribution point" "$(ext "$cit" 'CRL Distribution Points')" \
		"noncritical|Full Name:|URI:http://ci.test.example.com/CRL-A.crl"

	# EUM (§4.5.2.1.0.2)
	eumt=$(txt "$eum")
	eum_ski=$(ext_keyid "$eumt" 'Subject Key Identifier')
	eq "$c: EUM issuer = CI subject" "$(field "$eumt" Issuer)" "$(field "$cit" Subject)"
	eq "$c: EUM subject" "$(field "$eumt" Subject)" "C = ES, O = $org, CN = EUM Test"
	eq "$c: EUM AKI = CI SKI" "$(ext_keyid "$eumt" 'Authority Key Identifier')" "$ci_ski"
	eq "$c: EUM basicConstraints" "$(ext "$eumt" 'Basic Constraints')" "critical|CA:TRUE, pathlen:0"
	eq "$c: EUM keyUsage (as SGP.26)" "$(ext "$eumt" 'Key Usage')" "critical|Certificate Sign"
	eq "$c: EUM certificatePolicies id-rspRole-eum" "$(ext "$eumt" 'Certificate Policies')" "critical|Policy: 2.23.146.1.2.1.2"
	eq "$c: EUM subjectAltName registeredID" "$(ext "$eumt" 'Subject Alternative Name')" "noncritical|Registered ID:2.999.5"
	eq "$c: EUM nameConstraints" "$(ext "$eumt" 'Name Constraints')" \
		"critical|Permitted:|DirName:O = $org, serialNumber = $prefix"

	# eUICC (§4.5.2.1.0.2)
	euict=$(txt "$euicc")
	eq "$c: eUICC issuer = EUM subject" "$(field "$euict" Issuer)" "$(field "$eumt" Subject)"
	eq "$c: eUICC subject" "$(field "$euict" Subject)" "C = ES, O = $org, serialNumber = $eid, CN = Test eUICC"
	check "$c: eUICC EID $eid has valid check digits" "$MKPKI" eid-check "$eid"
	eq "$c: eUICC EID starts with the EUM constraint prefix" "${eid:0:${#prefix}}" "$prefix"
	eq "$c: eUICC O = the EUM constraint O" "$(field "$euict" Subject | sed -n 's/.*O = \([^,]*\),.*/\1/p')" "$org"
	eq "$c: eUICC AKI = EUM SKI" "$(ext_keyid "$euict" 'Authority Key Identifier')" "$eum_ski"
	eq "$c: eUICC keyUsage" "$(ext "$euict" 'Key Usage')" "critical|Digital Signature"
	eq "$c: eUICC certificatePolicies id-rspRole-euicc" "$(ext "$euict" 'Certificate Policies')" "critical|Policy: 2.23.146.1.2.1.1"
	eq "$c: eUICC is not a CA" "$(ext "$euict" 'Basic Constraints')" ""
	eq "$c: eUICC notAfter" "$(field "$euict" 'Not After ')" "Dec 31 23:59:59 9999 GMT"

	# DPauth, DPpb (§4.5.2.1.0.3)
	for s in DPauth:4:"$dpauth" DPpb:5:"$dppb"; do
		local role=${s%%:*} pol rest cert dt
		rest=${s#*:}
		pol=${rest%%:*}
		cert=${rest#*:}
		dt=$(txt "$cert")
		eq "$c: $role issuer = CI" "$(field "$dt" Issuer)" "$(field "$cit" Subject)"
		eq "$c: $role AKI = CI SKI" "$(ext_keyid "$dt" 'Authority Key Identifier')" "$ci_ski"
		eq "$c: $role keyUsage" "$(ext "$dt" 'Key Usage')" "critical|Digital Signature"
		eq "$c: $role certificatePolicies 2.23.146.1.2.1.$pol" "$(ext "$dt" 'Certificate Policies')" \
			"critical|Policy: 2.23.146.1.2.1.$pol"
		eq "$c: $role subjectAltName registeredID" "$(ext "$dt" 'Subject Alternative Name')" \
			"noncritical|Registered ID:$dpoid"
		eq "$c: $role subject" "$(field "$dt" Subject)" 'O = ACME, CN = "TEST SM-DP+"'
		eq "$c: $role is not a CA" "$(ext "$dt" 'Basic Constraints')" ""
	done

	# DPtls
	t=$(txt "$dptls")
	eq "$c: DPtls issuer = CI" "$(field "$t" Issuer)" "$(field "$cit" Subject)"
	eq "$c: DPtls subject CN = host" "$(field "$t" Subject)" "O = ACME, CN = $host"
	eq "$c: DPtls AKI = CI SKI" "$(ext_keyid "$t" 'Authority Key Identifier')" "$ci_ski"
	eq "$c: DPtls keyUsage" "$(ext "$t" 'Key Usage')" "critical|Digital Signature"
	eq "$c: DPtls extendedKeyUsage" "$(ext "$t" 'Extended Key Usage')" \
		"critical|TLS Web Server Authentication, TLS Web Client Authentication"
	eq "$c: DPtls certificatePolicies id-rspRole-dp-tls (non-critical, as SGP.26)" \
		"$(ext "$t" 'Certificate Policies')" "noncritical|Policy: 2.23.146.1.2.1.3"
	eq "$c: DPtls subjectAltName" "$(ext "$t" 'Subject Alternative Name')" \
		"noncritical|DNS:$host, Registered ID:$dpoid"

	# the same extensions, order and criticality as the SGP.26 certificate of each kind
	for s in CertificateIssuer/CERT_CI_ECDSA EUM/CERT_EUM_ECDSA eUICC/CERT_EUICC_ECDSA \
		DPauth/CERT_S_SM_DPauth_ECDSA DPpb/CERT_S_SM_DPpb_ECDSA DPtls/CERT_S_SM_DP_TLS; do
		eq "$c: ${s#*/} extension list = SGP.26's" "$(extlist "$(txt "$d/${s}_$c.der")")" \
			"$(extlist "$(txt "$SGP26/${s}_$c.der")")"
	done
}

# ---------------------------------------------------------------- run
start=$(date +%s)
eid_tests

# 1. NIST, defaults (SGP.26's EUM organisation, to compare the name constraint bytes)
check "mkpki --curve nist" "$MKPKI" -q -o "$T/nist" --curve nist --eum-org "RSP Test EUM" \
	--eid "$SGP26_EID" --eids 890490320000000000000000000 3
check_pki "$T/nist" NIST testsmdpplus1.example.com 2.999.10 89049032 "$SGP26_EID" "RSP Test EUM" "euicc-sim Test CI"
nc_of() { openssl asn1parse -inform der -in "$1" | grep -A2 'X509v3 Name Constraints' | sed -n 's/.*HEX DUMP\]://p'; }
eq "NIST: EUM nameConstraints DER identical to SGP.26's" "$(nc_of "$T/nist/EUM/CERT_EUM_ECDSA_NIST.der")" \
	"$(nc_of "$SGP26/EUM/CERT_EUM_ECDSA_NIST.der")"
check "NIST: no BRP files" test ! -e "$T/nist/CertificateIssuer/CERT_CI_ECDSA_BRP.der"

# --eids: 3 consecutive EIDs, each chained to the one EUM
mapfile -t EIDS <"$T/nist/eUICC/EIDS.txt" 2>/dev/null || EIDS=()
eq "--eids: EIDS.txt lists 3 EIDs" "${#EIDS[@]}" 3
eq "--eids: first EID" "${EIDS[0]:-}" "$("$MKPKI" eid-make 890490320000000000000000000000)"
eq "--eids: third EID" "${EIDS[2]:-}" "$("$MKPKI" eid-make 890490320000000000000000000002)"
pem_of "$T/nist/CertificateIssuer/CERT_CI_ECDSA_NIST.der" "$T/ci_nist.pem"
pem_of "$T/nist/EUM/CERT_EUM_ECDSA_NIST.der" "$T/eum_nist.pem"
for e in "${EIDS[@]}"; do
	f=$T/nist/eUICC/CERT_EUICC_ECDSA_NIST_$e.der
	check "--eids $e: valid check digits" "$MKPKI" eid-check "$e"
	eq "--eids $e: certificate subject serialNumber" \
		"$(openssl x509 -inform der -in "$f" -noout -subject -nameopt sep_multiline,sname | sed -n 's/^ *serialNumber=//p')" "$e"
	pem_of "$f" "$T/e.pem"
	check "--eids $e: chain fails only on the name constraint" euicc_verify_only_nc "$T/ci_nist.pem" "$T/eum_nist.pem" "$T/e.pem"
	check "--eids $e: signed by the EUM" sig_ok "$f" "$T/nist/EUM/CERT_EUM_ECDSA_NIST.der"
	check "--eids $e: key matches" key_matches "$T/nist/eUICC/SK_EUICC_ECDSA_NIST_$e.pem" "$f"
	check "--eids $e: key mode 0600" mode_is "$T/nist/eUICC/SK_EUICC_ECDSA_NIST_$e.pem" 600
	check "--eids $e: simulator config written" grep -q "^credential = CERT_EUICC_ECDSA_NIST_$e.der ../EUM/CERT_EUM_ECDSA_NIST.der SK_EUICC_ECDSA_NIST_$e.pem$" \
		"$T/nist/eUICC/euicc-sim_$e.conf"
done
# the accept-only-47 predicate itself rejects a wrong chain (eUICC under a foreign EUM)
"$MKPKI" -q -o "$T/other" --curve nist --eids 89049032000000000000000000 2 >/dev/null 2>&1
pem_of "$T/other/EUM/CERT_EUM_ECDSA_NIST.der" "$T/eum_other.pem"
pem_of "$T/nist/eUICC/CERT_EUICC_ECDSA_NIST.der" "$T/e.pem"
check_not "a foreign EUM's chain is not accepted as 'name constraint only'" \
	euicc_verify_only_nc "$T/ci_nist.pem" "$T/eum_other.pem" "$T/e.pem"
check_not "SGP.26 eUICC is not signed by a generated EUM" sig_ok "$SGP26/eUICC/CERT_EUICC_ECDSA_NIST.der" \
	"$T/nist/EUM/CERT_EUM_ECDSA_NIST.der"
# and SGP.26's own chain passes the same predicate (the caveat is the same)
pem_of "$SGP26/CertificateIssuer/CERT_CI_ECDSA_NIST.der" "$T/s_ci.pem"
pem_of "$SGP26/EUM/CERT_EUM_ECDSA_NIST.der" "$T/s_eum.pem"
pem_of "$SGP26/eUICC/CERT_EUICC_ECDSA_NIST.der" "$T/s_e.pem"
check "SGP.26 eUICC chain: the same single 'permitted subtree violation'" euicc_verify_only_nc \
	"$T/s_ci.pem" "$T/s_eum.pem" "$T/s_e.pem"

# --eids without --eid: the default (unsuffixed) eUICC is the first card's, not a second key for its EID
O1=$(head -n1 "$T/other/eUICC/EIDS.txt" 2>/dev/null)
eq "--eids without --eid: first EID" "$O1" "$("$MKPKI" eid-make 890490320000000000000000000000)"
check "--eids without --eid: default eUICC certificate = the first card's" \
	cmp "$T/other/eUICC/CERT_EUICC_ECDSA_NIST.der" "$T/other/eUICC/CERT_EUICC_ECDSA_NIST_$O1.der"
check "--eids without --eid: default eUICC key = the first card's" \
	cmp "$T/other/eUICC/SK_EUICC_ECDSA_NIST.pem" "$T/other/eUICC/SK_EUICC_ECDSA_NIST_$O1.pem"
check "--eids without --eid: default key mode 0600" mode_is "$T/other/eUICC/SK_EUICC_ECDSA_NIST.pem" 600

# add-euicc on an existing PKI
NEW=$("$MKPKI" eid-make 890490329999999999999999999990)
check "add-euicc --eid (curve taken from the EUM folder)" "$MKPKI" add-euicc -q -o "$T/nist" --eid "$NEW"
check "add-euicc: no BRP certificate issued in a NIST-only PKI" test ! -e "$T/nist/eUICC/CERT_EUICC_ECDSA_BRP_$NEW.der"
check_not "add-euicc: an existing EID is not overwritten without --force" "$MKPKI" add-euicc -q -o "$T/nist" --eid "$NEW"
check "add-euicc: certificate signed by the existing EUM" sig_ok "$T/nist/eUICC/CERT_EUICC_ECDSA_NIST_$NEW.der" \
	"$T/nist/EUM/CERT_EUM_ECDSA_NIST.der"
check_not "add-euicc: EID outside the EUM prefix refused" "$MKPKI" add-euicc -q -o "$T/nist" --curve nist \
	--eid "$("$MKPKI" eid-make 890490339999999999999999999990)"

# 2. brainpool, every naming option changed
BRP_EID=$("$MKPKI" eid-make 890443210000000000000000004242)
check "mkpki --curve brp (custom host, OIDs, prefix, names)" "$MKPKI" -q -o "$T/brp" --curve brp \
	--host dp.test.invalid --dp-oid 2.999.77 --eum-prefix 89044321 --eid "$BRP_EID" \
	--ci-name "Bench CI" --eum-org "Bench EUM" --days 3650 --tls-days 365
check_pki "$T/brp" BRP dp.test.invalid 2.999.77 89044321 "$BRP_EID" "Bench EUM" "Bench CI"
check "BRP: no NIST files" test ! -e "$T/brp/CertificateIssuer/CERT_CI_ECDSA_NIST.der"
eq "BRP: --tls-days 365" "$(openssl x509 -inform der -in "$T/brp/DPtls/CERT_S_SM_DP_TLS_BRP.der" -noout -checkend $((364 * 86400)) >/dev/null && openssl x509 -inform der -in "$T/brp/DPtls/CERT_S_SM_DP_TLS_BRP.der" -noout -checkend $((366 * 86400)) >/dev/null; echo $?)" 1

# 3. both curves + the osmo-smdpp layout
check "mkpki --curve both --smdpp-layout" "$MKPKI" -q -o "$T/both" --smdpp-layout "$T/smdpp"
BOTH_EID=$(sed -n 's/^eid = //p' "$T/both/PKI.txt")
check "both: default EID valid" "$MKPKI" eid-check "$BOTH_EID"
for c in NIST BRP; do
	check "both: $c CI exists" test -s "$T/both/CertificateIssuer/CERT_CI_ECDSA_$c.der"
	check "both: $c eUICC signed by $c EUM" sig_ok "$T/both/eUICC/CERT_EUICC_ECDSA_$c.der" "$T/both/EUM/CERT_EUM_ECDSA_$c.der"
	for f in DPauth/CERT_S_SM_DPauth_ECDSA_$c.der DPauth/SK_S_SM_DPauth_ECDSA_$c.pem \
		DPpb/CERT_S_SM_DPpb_ECDSA_$c.der DPpb/SK_S_SM_DPpb_ECDSA_$c.pem \
		DPtls/CERT_S_SM_DP_TLS_$c.pem DPtls/SK_S_SM_DP_TLS_$c.pem CertificateIssuer/CERT_CI_ECDSA_$c.der; do
		check "smdpp layout: $f (as osmo-smdpp.py opens it)" cmp -s "$T/smdpp/$f" "$T/both/$f"
	done
done
check "smdpp layout: dhparam2048.pem holds DH parameters" openssl pkeyparam -in "$T/smdpp/dhparam2048.pem" -noout
# osmo-smdpp loads EVERY .der/.pem of CertificateIssuer/ as a certificate with the CI policy
n=0
for f in "$T"/smdpp/CertificateIssuer/*; do
	case $f in *.der) fmt=der ;; *.pem) fmt=pem ;; *) continue ;; esac
	n=$((n + 1))
	check "smdpp layout: ${f##*/} is a CI certificate" bash -c \
		"openssl x509 -inform $fmt -in '$f' -noout -text | grep -q 'Policy: 2.23.146.1.2.1.0'"
done
eq "smdpp layout: CertificateIssuer/ holds the 4 CI certificate files only" "$n" 4
for f in "$T"/smdpp/*/SK_*.pem; do check "smdpp layout: ${f#"$T"/smdpp/} mode 0600" mode_is "$f" 600; done

# refusals
check_not "refused: --eid outside --eum-prefix" "$MKPKI" -q -o "$T/x1" --eum-prefix 89044321 --eid "$SGP26_EID"
check_not "refused: --eid with bad check digits" "$MKPKI" -q -o "$T/x2" --eid 89049032123451234512345678901236
check_not "refused: non-empty output directory without --force" "$MKPKI" -q -o "$T/nist" --curve nist
check_not "refused: --eids range overflowing 30 digits" "$MKPKI" -q -o "$T/x3" --curve nist \
	--eids 899999999999999999999999999999 2
check_not "refused: --eum-prefix not 8 digits" "$MKPKI" -q -o "$T/x4" --eum-prefix 8904
check "--help documents the options" bash -c "'$MKPKI' --help | grep -q -- '--smdpp-layout' && '$MKPKI' --help | grep -q -- '--eids'"

# 4. the simulator loads the generated PKI (when built)
if [ -x "$SIM" ]; then
	eq "euicc-sim --certs (both curves) --print-eid" "$("$SIM" --certs "$T/both" --print-eid 2>&1)" "$BOTH_EID"
	eq "euicc-sim --certs --preset sgp26-nist --print-eid" \
		"$("$SIM" --certs "$T/nist" --preset sgp26-nist --print-eid 2>&1)" "$SGP26_EID"
	eq "euicc-sim --config eUICC/euicc-sim_<EID>.conf --print-eid" \
		"$("$SIM" --config "$T/nist/eUICC/euicc-sim_${EIDS[1]:-x}.conf" --print-eid 2>&1)" "${EIDS[1]:-}"
else
	echo "skip euicc-sim checks (no $SIM)"
fi

# 5. optional: a private osmo-smdpp with the generated PKI, full ES9+ download (pySim es9p_client)
smdpp_download() { # ENV_DIR PKI LAYOUT EID_SUFFIX
	local env=$1 pki=$2 lay=$3 sfx=$4 run=$T/smdpp-run sp i rc
	mkdir -p "$run/smdpp-data"
	ln -s "$env/pysim/smdpp-data/upp" "$run/smdpp-data/upp"
	ln -s "$env/pysim/osmo-smdpp.py" "$run/osmo-smdpp.py"
	export PYTHONPATH="$env/shims:$env/pysim:$env/pyosmocom/src:$env/asn1tools:$env/klein/src:$env/jsonpath-ng:$env/gsm0338:$env/smpp.pdu"
	ip link set lo up
	(cd "$run" && exec /usr/bin/python3 "$env/shims/run_osmo_smdpp.py" -c "$lay" -p 443 >"$run/smdpp.log" 2>&1) &
	sp=$!
	for i in $(seq 1 150); do
		ss -ltnH 'sport = :443' | grep -q . && break
		kill -0 "$sp" 2>/dev/null || break
		sleep 0.1
	done
	(cd "$env/pysim" && env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE /usr/bin/python3 contrib/es9p_client.py \
		--url https://testsmdpplus1.example.com --certificate-path "$pki" \
		--server-ca-cert "$pki/CertificateIssuer/CERT_CI_ECDSA_NIST.pem" \
		--euicc-certificate "eUICC/CERT_EUICC_ECDSA_NIST$sfx.der" --euicc-private-key "eUICC/SK_EUICC_ECDSA_NIST$sfx.pem" \
		--eum-certificate EUM/CERT_EUM_ECDSA_NIST.der --ci-certificate CertificateIssuer/CERT_CI_ECDSA_NIST.der \
		download --matchingId TS48V2-SAIP2-1-BERTLV-UNIQUE --output-path "$run") >"$run/dl.log" 2>&1
	rc=$?
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	[ $rc -eq 0 ] && grep -q '^SUCCESS' "$run/dl.log" || { tail -n 5 "$run/dl.log" "$run/smdpp.log" >&2; return 1; }
}
if [ -n "${PKI_TEST_SMDPP_ENV:-}" ]; then
	# own network namespace: its 127.0.0.1:443 is not the shared instance's
	"$MKPKI" -q -o "$T/dl" --curve nist --eids 89049032000000000000000000 1 --smdpp-layout "$T/dl-smdpp" >/dev/null
	DL_EID=$(head -n1 "$T/dl/eUICC/EIDS.txt")
	export -f smdpp_download
	export T
	check "osmo-smdpp (own netns, -c smdpp layout): ES9+ download to eUICC $DL_EID, TLS verified against the generated CI" \
		unshare -n bash -c "smdpp_download '$PKI_TEST_SMDPP_ENV' '$T/dl' '$T/dl-smdpp' '_$DL_EID'"
else
	echo "skip osmo-smdpp download (set PKI_TEST_SMDPP_ENV to a pySim environment, see certs/README.md; needs root)"
fi

echo "($(($(date +%s) - start)) s)"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
