#!/bin/bash
# soak.sh - ebpfrec under steady load for a long time (issue 7): execs at a
# steady rate on the host and UDP traffic between two network namespaces
# this script makes, recorded for DURATION seconds (default 600). Every
# 10 s it samples the recorder's RSS, CPU time and the session's size; at
# the end it prints the samples and a verdict: RSS after warm-up vs at the
# end, file growth per minute in the first and second half (linear = equal),
# CPU per interval (steady = small spread), and checks the file. The size
# sampled is the session's committed size (pages in use, as a reader sees
# it through the WAL), not the bytes on disk: the WAL file is preallocated
# and reused, so its length says nothing about growth. The recorder sees
# every exec of the host: run nothing else meanwhile.
#
#   bench/soak.sh [DURATION] [EXECS_PER_S]      (default 600 100)  (as root)
set -u
cd "$(dirname "$0")/.."
DUR=${1:-600}
RATE=${2:-100}
B=build
[ "$(id -u)" = 0 ] || { echo "soak: run as root" >&2; exit 1; }
scripts/setup.sh >&2 || exit 1
W=$(mktemp -d /tmp/soak.XXXXXX)
NA=soaka$$ NB=soakb$$ IA=sva$$ IB=svb$$
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del $NA 2>/dev/null; ip netns del $NB 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
ip netns add $NA && ip netns add $NB &&
	ip link add $IA netns $NA type veth peer name $IB netns $NB &&
	ip -n $NA addr add 10.77.0.1/24 dev $IA && ip -n $NB addr add 10.77.0.2/24 dev $IB &&
	ip -n $NA link set $IA up && ip -n $NB link set $IB up && ip -n $NA link set lo up || exit 1

# the recorder runs in namespace A: it hooks A's veth; execs are host-wide
ip netns exec $NA $B/record/ebpfrec -o "$W/soak.db" -i $IA --interval 1s --no-progress \
	2>"$W/rec.err" &
REC=$!
PIDS="$PIDS $REC"
sleep 2
kill -0 $REC 2>/dev/null || { cat "$W/rec.err"; exit 1; }

# steady execs: RATE per second, each a fork+exec of /bin/true
( while :; do
	for _ in $(seq 10); do /bin/true; done
	sleep "$(awk -v r="$RATE" 'BEGIN { printf "%.4f", 10 / r }')"
done ) &
PIDS="$PIDS $!"
# steady traffic: 200 UDP flows x 5 packets every second (1,000 pkt/s)
( while :; do
	ip netns exec $NA $B/tests/net/netgen udp 10.77.0.2 30000 200 5 >/dev/null 2>&1
	sleep 1
done ) &
PIDS="$PIDS $!"

HZ=$(getconf CLK_TCK)
printf "%6s %10s %10s %10s %10s\n" "t(s)" "rss(KiB)" "cpu(s)" "data(KiB)" "disk(KiB)" | tee "$W/samples"
for ((t = 0; t <= DUR; t += 10)); do
	[ $t -gt 0 ] && sleep 10
	kill -0 $REC 2>/dev/null || { echo "soak: the recorder died" >&2; cat "$W/rec.err"; exit 1; }
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/$REC/status)
	cpu=$(awk -v hz="$HZ" '{ printf "%.2f", ($14 + $15) / hz }' /proc/$REC/stat)
	disk=$(du -k -c "$W"/soak.db* 2>/dev/null | awk 'END { print $1 }')
	data=$(sqlite3 "file:$W/soak.db?mode=ro" \
		"SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count);" 2>/dev/null)
	data=$(( ${data:-0} * 4 ))
	printf "%6d %10d %10.2f %10d %10d\n" $t "$rss" "$cpu" "$data" "$disk" | tee -a "$W/samples"
done
kill -INT $REC
wait $REC
rc=$?
echo "recorder exit status: $rc"
$B/replay/ebpfreport verify "$W/soak.db"
$B/replay/ebpfreport "$W/soak.db" --top 3 | head -3

awk -v dur="$DUR" 'NR > 1 { t[n] = $1; rss[n] = $2; cpu[n] = $3; sz[n] = $4; n++ }
END {
	w = 6; # warm-up: the first minute
	half = int(n / 2);
	printf "\nRSS: %d KiB after warm-up (t=%ds), %d KiB at the end (t=%ds): %+.1f%%\n",
		rss[w], t[w], rss[n-1], t[n-1], 100 * (rss[n-1] - rss[w]) / rss[w];
	g1 = (sz[half] - sz[w]) / (t[half] - t[w]) * 60;
	g2 = (sz[n-1] - sz[half]) / (t[n-1] - t[half]) * 60;
	printf "file growth: %.0f KiB/min in the first half, %.0f KiB/min in the second (ratio %.2f)\n",
		g1, g2, g2 / g1;
	for (i = w + 1; i < n; i++) { d = cpu[i] - cpu[i-1]; s += d; ss += d * d; k++ }
	m = s / k;
	printf "CPU: %.3f s per 10 s interval (%.2f%% of a core), stdev %.3f s\n", m, m * 10, sqrt(ss / k - m * m);
}' "$W/samples"
exit $rc
