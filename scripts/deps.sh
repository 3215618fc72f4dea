#!/bin/sh
# Install the Debian packages euicc-sim needs, if any are missing.
set -eu
PKGS="build-essential pkg-config clang libclang-rt-dev llvm libssl-dev libtasn1-6-dev libtasn1-bin \
check libsubunit-dev pcscd libpcsclite-dev vsmartcard-vpcd util-linux iproute2 openssl \
bc procps libosmocore-utils"
# The integration test reads the card's pcap back with tshark; without it
# that part is skipped (and says so), so a failed install is not fatal.
OPTIONAL="tshark"
installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
missing=""
for p in $PKGS; do
	installed "$p" || missing="$missing $p"
done
optional=""
for p in $OPTIONAL; do
	installed "$p" || optional="$optional $p"
done
[ -z "$missing$optional" ] && exit 0
echo "deps: installing$missing$optional"
if [ "$(id -u)" != 0 ]; then
	[ -z "$missing" ] && { echo "deps: not root: skipping the optional$optional" >&2; exit 0; }
	echo "deps: need root to install packages (sudo make ...)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
if [ -n "$optional" ]; then
	# wireshark-common asks whether non-root users may capture: no.
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $optional ||
		echo "deps: could not install$optional; the pcap read-back test will be skipped" >&2
fi
