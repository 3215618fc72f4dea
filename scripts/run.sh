#!/bin/sh
# make run: start the card in the foreground (Ctrl-C stops it).
#
# No pcscd running: start one of our own whose vpcd reader connects to the
# card on 127.0.0.1 (reversed mode, reader.conf.d in build/reader.conf.d),
# so nothing of the set-up listens beyond loopback (README, "Network
# exposure"). A pcscd already running: attach to its vpcd reader as it is
# configured, and warn when that reader listens on every interface.
#   STATE=dir  state directory (default ./state)
#   SIM_ARGS   extra euicc-sim flags, e.g. SIM_ARGS="--preset sgp26-nist"
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
sim="$top/build/euicc-sim"
port=35963		# "Virtual PCD 00 00"; vpcd's second slot is port + 1

alive() {	# a zombie has stopped, even if nobody has reaped it yet
	[ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# The pcscd that serves /run/pcscd (pcscds in other mount namespaces, such
# as the tests' or scripts/euicc-cards', do not count).
system_pcscd() {
	p=$(tr -d '\0' 2>/dev/null < /run/pcscd/pcscd.pid) && [ -n "$p" ] && alive "$p" && echo "$p"
}

# The vpcd DEVICENAME of the reader.conf.d a running pcscd uses (-c DIR,
# else Debian's /etc/reader.conf.d), and the file it is in.
running_vpcd_entry() {
	dir=/etc/reader.conf.d
	pid=$(system_pcscd) || pid=""
	if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ]; then
		d=$(tr '\0' '\n' < "/proc/$pid/cmdline" |
			sed -n '/^-c$\|^--config$/{n;p;q}; s/^--config=//p')
		[ -n "$d" ] && dir=$d
	fi
	file=$(grep -l libifdvpcd "$dir"/* 2>/dev/null | head -1) || true
	[ -n "$file" ] || return 1
	entry=$(sed -n 's/^[[:space:]]*DEVICENAME[[:space:]]*//p' "$file" | head -1)
	[ -n "$entry" ]
}

# A running pcscd, or systemd's pcscd.socket (which starts one on the first
# client), answers a PC/SC client: attach to it.
if system_pcscd > /dev/null || build/pcsc-test - readers > /dev/null 2>&1; then
	echo "run: using the pcscd that is already running"
	mode="--vpcd 127.0.0.1:$port"
	if ! running_vpcd_entry; then
		echo "run: warning: the running pcscd has no vpcd reader (no libifdvpcd entry in $dir)" >&2
	else
		p=$(printf %d "${entry#*:}" 2>/dev/null) || p=$port
		case "$entry" in
		/dev/null:*)
			mode="--vpcd 127.0.0.1:$p"
			echo "run: warning: this pcscd's vpcd reader listens for virtual cards on every" \
				"interface (0.0.0.0:$p and 0.0.0.0:$((p + 1)), DEVICENAME $entry in $file):" \
				"anyone who can reach this machine can plug a card of their own into a free" \
				"slot, and the LPA under test then talks to it. The README section" \
				"\"Network exposure\" shows how to switch it to reversed mode (loopback only)." >&2 ;;
		*:*)
			# Reversed: Debian's vpcd connects once, when pcscd starts.
			mode="--listen ${entry%:*}:$p"
			echo "run: this pcscd's vpcd connects to the card on ${entry%:*}:$p (reversed" \
				"mode); Debian's vpcd does so only when pcscd starts: restart pcscd once" \
				"the card listens (README, \"Network exposure\")" ;;
		esac
	fi
	echo "run: the card appears as reader \"Virtual PCD 00 00\"; try: pcsc_scan, or lpac chip info"
	# shellcheck disable=SC2086
	exec "$sim" -v --state "${STATE:-state}" $mode ${SIM_ARGS:-}
fi

if [ "$(id -u)" != 0 ]; then
	echo "run: no pcscd is running and starting one needs root (sudo make run)" >&2
	exit 1
fi
conf="$top/build/reader.conf.d"
mkdir -p "$conf" /run/pcscd
cat > "$conf/vpcd" <<CONF
# Written by scripts/run.sh: reversed mode, vpcd connects to the card on
# 127.0.0.1:35963 (slot 0) and 127.0.0.1:35964 (slot 1).
FRIENDLYNAME "Virtual PCD"
DEVICENAME   127.0.0.1:0x8C7B
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    0x8C7B
CONF

card=""
slot1=""
our_pcscd() {	# the pid of the pcscd reading $conf, whoever (re)started it
	p=$(system_pcscd) || return 1
	tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline" | grep -qF -- "$conf" && echo "$p"
}
cleanup() {
	trap - INT TERM HUP EXIT
	# pcscd first: Debian's vpcd (3.3) aborts pcscd when a card it is
	# connected to goes away (docs/design.md, "vpcd modes").
	if p=$(our_pcscd); then
		kill -TERM "$p" 2>/dev/null || true
		for _ in $(seq 30); do
			alive "$p" || break
			sleep 0.1
		done
		alive "$p" && kill -KILL "$p" 2>/dev/null
	fi
	for p in $card $slot1; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $card $slot1; do wait "$p" 2>/dev/null || true; done
}
trap 'cleanup; exit 0' INT
trap 'cleanup; exit 0' TERM HUP
trap cleanup EXIT

# The cards listen before pcscd starts: its vpcd connects to each slot once,
# at start-up, and Debian's vpcd aborts pcscd if a slot finds nobody. Slot 1
# gets a second, memory-only card for that reason. setsid: Ctrl-C reaches
# this script, which stops pcscd before the cards.
# shellcheck disable=SC2086
setsid "$sim" -v --state "${STATE:-state}" --listen "127.0.0.1:$port" ${SIM_ARGS:-} &
card=$!
setsid "$sim" --no-state --listen "127.0.0.1:$((port + 1))" > build/slot1.log 2>&1 &
slot1=$!
for _ in $(seq 100); do
	n=$(ss -ltnH "( sport = :$port or sport = :$((port + 1)) )" | wc -l)
	[ "$n" -ge 2 ] && break
	kill -0 "$card" 2>/dev/null && kill -0 "$slot1" 2>/dev/null || break
	sleep 0.1
done
if [ "${n:-0}" -lt 2 ]; then
	echo "run: the card did not start listening on 127.0.0.1:$port and :$((port + 1))" \
		"(see above, and build/slot1.log)" >&2
	exit 1
fi
pcscd -c "$conf"
echo "run: started 'pcscd -c $conf' (after a kill, the same command brings the card back):"
echo "run: its vpcd connects to the card on 127.0.0.1:$port; nothing listens beyond loopback"
echo "run: the card appears as reader \"Virtual PCD 00 00\" (\"Virtual PCD 00 01\" holds a"
echo "run: memory-only second card); try: pcsc_scan, or lpac chip info"
rc=0
wait "$card" || rc=$?
exit "$rc"
