#!/bin/sh
# Install the Debian packages euicc-sim needs, if any are missing.
set -eu
PKGS="build-essential pkg-config clang libclang-rt-dev libssl-dev libtasn1-6-dev libtasn1-bin \
check libsubunit-dev pcscd libpcsclite-dev vsmartcard-vpcd util-linux iproute2 openssl \
bc procps libosmocore-utils"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: need root to install packages (sudo make ...)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
