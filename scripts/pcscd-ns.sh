# Sourced by the integration test and the benchmark: a private pcscd with
# the vpcd driver, in its own mount and network namespace, so it neither
# sees nor disturbs a pcscd or card already running on this machine.
#
#   ns_enter "$0" "$@"   re-executes the calling script inside the namespace
#   ns_setup             loopback up, private /run, reader.conf.d in $work
#   start_pcscd          starts pcscd -f, waits for its socket
#   vpcd_reversed        (after ns_setup) vpcd connects to listening cards
# Readers: "Virtual PCD 00 00" on port 35963, "Virtual PCD 00 01" on 35964.
# By default vpcd listens on them (DEVICENAME /dev/null:PORT), which in
# this namespace reaches its loopback only; that is what tests --vpcd.

ns_enter() {
	[ -n "${EUICC_SIM_NS:-}" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "$(basename "$1"): needs root (a private pcscd in its own namespace)" >&2
		exit 1
	fi
	export EUICC_SIM_NS=1
	exec unshare --mount --net --fork --propagation private "$@"
}

pcscd_pid=""
ns_setup() {
	ip link set lo up
	mount -t tmpfs tmpfs /run	# pcscd's socket lives in /run/pcscd
	mkdir -p /run/pcscd
	work=$(mktemp -d /tmp/euicc-sim-ns.XXXXXX)
	mkdir -p "$work/reader.conf.d"
	cat > "$work/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x8C7B
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    0x8C7B
CONF
}

start_pcscd() {
	pcscd -f -c "$work/reader.conf.d" > "$work/pcscd.log" 2>&1 &
	pcscd_pid=$!
	for _ in $(seq 50); do
		[ -S /run/pcscd/pcscd.comm ] && return 0
		sleep 0.1
	done
	echo "pcscd did not start:" >&2
	cat "$work/pcscd.log" >&2
	exit 1
}

# vpcd_reversed: rewrite the reader.conf.d entry for reversed mode
# (DEVICENAME 127.0.0.1:PORT): vpcd connects to cards listening on
# 127.0.0.1:35963 and :35964 (euicc-sim --listen). Debian's vpcd 3.3
# connects once, when pcscd starts, and aborts pcscd when a slot has no
# card or its card goes away (docs/design.md, "vpcd modes"): start a
# listening card on both ports first, and stop pcscd before the cards.
vpcd_reversed() {
	cat > "$work/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   127.0.0.1:0x8C7B
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    0x8C7B
CONF
}

# wait_listening PORT...: until each port has a listener (5 s at most).
wait_listening() {
	local p missing
	for _ in $(seq 50); do
		missing=0
		for p in "$@"; do
			[ -n "$(ss -ltnH "sport = :$p")" ] || missing=1
		done
		[ $missing = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
