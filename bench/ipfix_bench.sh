#!/bin/bash
# ipfix_bench.sh - `ebpfreport replay --ipfix/--netflow9` into a local
# nfcapd (issue 19), next to nfdump's own nfreplay sending the same flows
# from the nfcapd file ebpfreport's run just wrote. N flow rows of
# bench/synth.h (5,000 IPv4/IPv6 TCP/UDP/ICMP flows) are sent unpaced at
# ebpfreport's default rate, then at higher rates and without a limit;
# for each run: wall time, flow records/s, records nfcapd stored, lost,
# and nfcapd's sequence errors. Loopback only; one run per line.
#
#   bench/ipfix_bench.sh [N]        (default 200000)
set -u
cd "$(dirname "$0")/.."
N=${1:-200000}
B=build
scripts/setup.sh >&2 || exit 1
. scripts/packages.sh
install_missing ipfix_bench nfdump
W=$(mktemp -d /tmp/ipfix-bench.XXXXXX)
NFCAPD_PID=
cleanup() {
	[ -n "$NFCAPD_PID" ] && kill "$NFCAPD_PID" 2>/dev/null && wait "$NFCAPD_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# a UDP port on 127.0.0.1 that nothing listens on
PORT=$((20000 + $$ % 20000))
while ss -Hlun "sport = :$PORT" | grep -q .; do PORT=$((PORT + 1)); done

echo "ipfix_bench: writing a session of $N flow rows..." >&2
"$B/bench/ipfix_bench" "$N" "$W/s.db" || exit 1

# collect NAME DIR CMD...: nfcapd into DIR while CMD sends to $PORT; prints
# one line, and leaves nfcapd's file in DIR
collect() {
	local name=$1 dir=$2 t0 t1 got seq
	shift 2
	mkdir -p "$dir"
	nfcapd -b 127.0.0.1 -p "$PORT" -w "$dir" >"$dir.log" 2>&1 &
	NFCAPD_PID=$!
	for _ in $(seq 100); do
		ss -Hlun "sport = :$PORT" | grep -q . && break
		sleep 0.05
	done
	t0=$(date +%s.%N)
	"$@" >"$dir.out" 2>&1 || { echo "$name failed:" >&2; cat "$dir.out" >&2; }
	t1=$(date +%s.%N)
	sleep 0.5 # let nfcapd read what is queued
	kill -TERM "$NFCAPD_PID"
	wait "$NFCAPD_PID"
	NFCAPD_PID=
	got=$(nfdump -R "$dir" -q -o csv | wc -l)
	seq=$(sed -n 's/.*Sequence Errors: \([0-9]*\).*/\1/p' "$dir.log" | tail -1)
	awk -v n="$name" -v a="$t0" -v b="$t1" -v sent="$N" -v got="$got" -v seq="${seq:-?}" 'BEGIN {
		printf "%-44s %7.2f s %9.0f records/s   stored %8d / %d   lost %7d   seq errors %s\n",
			n, b - a, sent / (b - a), got, sent, sent - got, seq }' | tee -a "$W/table"
}

R="$B/replay/ebpfreport replay $W/s.db"
DEFAULT=$(grep -o 'IPFIX_DEFAULT_RATE [0-9]*' replay/ipfix_replay.h | cut -d' ' -f2)
echo "== $N flow records to nfcapd $(nfcapd -V 2>&1 | sed 's/.*Version: //') on 127.0.0.1" \
	"($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
collect "ebpfreport --ipfix (default --rate $DEFAULT)" "$W/ipfix" $R --ipfix "127.0.0.1:$PORT"
collect "ebpfreport --netflow9 (default --rate $DEFAULT)" "$W/nf9" $R --netflow9 "127.0.0.1:$PORT"
FILE=$(ls "$W"/ipfix/nfcapd.* | head -1)
collect "nfreplay -v 9 (its default -d 10 us/packet)" "$W/nfreplay" \
	nfreplay -r "$FILE" -H 127.0.0.1 -p "$PORT" -v 9
for rate in 50000 100000 200000 400000 0; do
	collect "ebpfreport --ipfix --rate $rate" "$W/ipfix-$rate" $R --ipfix "127.0.0.1:$PORT" --rate "$rate"
done
collect "nfreplay -v 9 -d 0" "$W/nfreplay-d0" nfreplay -r "$FILE" -H 127.0.0.1 -p "$PORT" -v 9 -d 0
awk '
	/--ipfix \(default/ { e = $(NF - 10) }
	/nfreplay -v 9 \(its/ { r = $(NF - 10) }
	END { if (e && r) printf "ratio at the defaults, ebpfreport / nfreplay records/s: %.2f\n", e / r }
' "$W/table"
echo "(wall time includes reading the session and the 200 ms ebpfreport waits for a late ICMP error)"
