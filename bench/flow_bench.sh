#!/bin/bash
# flow_bench.sh - the flow probe against the reference post's approach
# (issue 4): (a) ns per packet via BPF_PROG_TEST_RUN, (b) accuracy under
# load: PACKETS UDP packets over FLOWS flows through a veth pair between two
# namespaces this script makes, (c) user-space cost of one interval with
# 10,000 and 100,000 flows, (d) bytes per flow row in the session file.
#
#   bench/flow_bench.sh [FLOWS] [PER_FLOW]     (default 5000 200: 1,000,000)  (as root)
set -u
cd "$(dirname "$0")/.."
FLOWS=${1:-5000}
PER=${2:-200}
B=build
[ "$(id -u)" = 0 ] || { echo "flow_bench: run as root" >&2; exit 1; }
scripts/setup.sh >&2 || exit 1
W=$(mktemp -d /tmp/flow-bench.XXXXXX)
NA=fbA$$ NB=fbB$$ IA=fba$$ IB=fbb$$
cleanup() { ip netns del "$NA" 2>/dev/null; ip netns del "$NB" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
ip netns add "$NA" && ip netns add "$NB" &&
ip link add "$IA" netns "$NA" type veth peer name "$IB" netns "$NB" &&
ip -n "$NA" addr add 10.99.0.1/24 dev "$IA" && ip -n "$NB" addr add 10.99.0.2/24 dev "$IB" &&
ip -n "$NA" link set "$IA" up && ip -n "$NB" link set "$IB" up || exit 1
ip -n "$NA" neigh replace 10.99.0.2 lladdr "$(ip netns exec "$NB" cat /sys/class/net/"$IB"/address)" dev "$IA" nud permanent
NETGEN="$B/tests/net/netgen"
SENT=$((FLOWS * PER))

echo "== (a) per-packet cost"
"$B/bench/flow_bench" prog
echo
echo "== (c) user-space cost of one interval"
"$B/bench/flow_bench" drain 10000 100000 | grep -v "  run"
echo
echo "== (b) accuracy: $SENT UDP packets over $FLOWS flows through veth (XDP generic)"
accuracy_ebpfrec() {
	ip netns exec "$NB" "$B/record/ebpfrec" -o "$W/e.db" --force --no-exec --no-progress -i "$IB" &
	local pid=$!
	sleep 1
	ip netns exec "$NA" "$NETGEN" udp 10.99.0.2 20000 "$FLOWS" "$PER"
	sleep 1.5
	kill -INT $pid; wait $pid
	"$B/replay/ebpfreport" top "$W/e.db" --by port --proto udp --dir ingress --csv -n 1000000 |
		awk -F, -v lo=20000 -v hi=$((20000 + FLOWS - 1)) -v sent="$SENT" -v flows="$FLOWS" '
		NR > 1 { split($1, a, "/"); p = a[2] + 0; if (p >= lo && p <= hi) { pk += $2; n++ } }
		END { printf "%-22s counted %d / %d packets (%.3f%%), flows %d / %d\n", "ebpfrec", pk, sent, 100 * pk / sent, n, flows }'
	local size rows
	size=$(stat -c %s "$W/e.db")
	rows=$(
		"$B/replay/ebpfreport" "$W/e.db" --json | sed -n 's/.*"flow_rows":\([0-9]*\).*/\1/p')
	echo "   (d) session file: $size bytes for $rows flow rows: $(awk -v s="$size" -v r="$rows" 'BEGIN{printf "%.2f", s/r}') bytes per flow-interval row, file overhead included"
}
accuracy_ref() { # $1: "udp" to count UDP as well
	local out=$W/ref.txt
	ip netns exec "$NB" "$B/bench/flow_bench" ref "$IB" 600 ${1:-} > "$out" &
	local pid=$!
	while ! grep -q ready "$out" 2>/dev/null; do sleep 0.1; done
	ip netns exec "$NA" "$NETGEN" udp 10.99.0.2 20000 "$FLOWS" "$PER"
	sleep 0.5
	kill -INT $pid; wait $pid
	awk -v sent="$SENT" -v flows="$FLOWS" -v name="reference${1:+ (+udp)}" '
		/counted/ { printf "%-22s counted %d / %d packets (%.3f%%), flows %d / %d\n", name, $2, sent, 100 * $2 / sent, $4, flows }' "$out"
}
accuracy_ebpfrec
accuracy_ref
accuracy_ref udp
echo "(the reference keeps 100 LRU entries and cumulative counters: evicted flows vanish, and as written it counts TCP only)"
