#!/bin/sh
# make run: bring up pcscd with the vpcd driver if none is running, then
# start the card in the foreground (Ctrl-C stops it).
#   STATE=dir  state directory (default ./state)
#   SIM_ARGS   extra euicc-sim flags, e.g. SIM_ARGS="--preset sgp26-nist"
set -eu
cd "$(dirname "$0")/.."
# A running pcscd, or systemd's pcscd.socket (which starts one on the first
# client), answers a PC/SC client.
if ! pidof pcscd > /dev/null 2>&1 && ! build/pcsc-test - readers > /dev/null 2>&1; then
	if [ "$(id -u)" != 0 ]; then
		echo "run: no pcscd is running and starting one needs root (sudo make run)" >&2
		exit 1
	fi
	echo "run: starting pcscd (readers from /etc/reader.conf.d, vpcd on 127.0.0.1:35963)"
	mkdir -p /run/pcscd
	pcscd
	sleep 0.3
else
	echo "run: using the pcscd that is already running"
	[ -f /etc/reader.conf.d/vpcd ] || echo "run: warning: /etc/reader.conf.d/vpcd is missing; pcscd has no vpcd reader" >&2
fi
echo "run: the card appears as reader \"Virtual PCD 00 00\"; try: pcsc_scan, or lpac chip info"
exec build/euicc-sim -v --state "${STATE:-state}" ${SIM_ARGS:-}
