#!/bin/bash
# owner_bench.sh - what attributing flows to processes costs (issue 15).
#
# (a) BPF run time (kernel.bpf_stats_enabled=1) of the flow programs (XDP
#     ingress, tcx egress) and of the owner programs (cgroup socket hooks,
#     sock_ops, the sock_send_length tracepoint), per run and per packet,
#     during a loopback bulk TCP transfer recorded with and without owners;
# (b) the transfer's throughput with nothing recording, with ebpfrec
#     --no-owners and with ebpfrec (owners), ROUNDS rounds in rotating order:
#     medians, spread and the ratio owners / no owners;
# (c) bytes per flow row in the session file with and without owners on the
#     synthetic flows (format_bench);
# (d) the time ebpfrec takes at start to find SOCKETS sockets that are
#     already open (the iter/task_file and socket-table walks), next to an
#     otherwise idle host.
# Traffic stays on loopback; every process it starts, it ends.
#
#   bench/owner_bench.sh [BYTES] [ROUNDS] [SOCKETS]   (default 4000000000 5 10000)  (as root)
set -u
cd "$(dirname "$0")/.."
BYTES=${1:-4000000000}
ROUNDS=${2:-5}
SOCKETS=${3:-10000}
PORT=47123
B=build
[ "$(id -u)" = 0 ] || { echo "owner_bench: run as root" >&2; exit 1; }
scripts/setup.sh --tests >&2 || exit 1
command -v bpftool >/dev/null || { echo "owner_bench: bpftool is needed" >&2; exit 1; }
W=$(mktemp -d /tmp/owner-bench.XXXXXX)
REC=
cleanup() {
	[ -n "$REC" ] && kill -INT "$REC" 2>/dev/null && wait "$REC" 2>/dev/null
	sysctl -q -w kernel.bpf_stats_enabled=0
	rm -rf "$W"
}
trap cleanup EXIT
ip link set lo up

# start_rec OUT [ARGS...]: ebpfrec on loopback, flows only; returns once
# its programs are attached (its meta says so)
start_rec() {
	local out=$1
	shift
	"$B/record/ebpfrec" -o "$out" --force --no-progress --no-exec -i lo --interval 1s "$@" \
		2>"$out.log" &
	REC=$!
	for _ in $(seq 100); do
		sqlite3 "file:$out?mode=ro" "SELECT 1 FROM meta WHERE key='attached_ns'" 2>/dev/null |
			grep -q 1 && return 0
		sleep 0.1
	done
	echo "owner_bench: ebpfrec did not start: $(cat "$out.log")" >&2
	exit 1
}
stop_rec() { kill -INT "$REC"; wait "$REC"; REC=; }

# one transfer of BYTES over loopback; prints its seconds
bulk() {
	local t0 t1 pid
	coproc SINK { "$B/tests/net/netgen" sink $PORT; }
	pid=$SINK_PID # bash unsets it once the sink has exited
	read -r _ <&"${SINK[0]}"
	t0=$(date +%s.%N)
	"$B/tests/net/netgen" bulk 127.0.0.1 $PORT "$BYTES" nopace >/dev/null
	read -r _ <&"${SINK[0]}"
	t1=$(date +%s.%N)
	wait "$pid" 2>/dev/null
	awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f\n", b-a}'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
minmax() { sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.3f-%.3f", lo, hi}'; }
packets_of() { "$B/replay/ebpfreport" "$1" --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["packets"])'; }

sysctl -q -w kernel.bpf_stats_enabled=1
echo "owner_bench: $BYTES bytes over loopback, $ROUNDS rounds; $(nproc) CPUs, kernel $(uname -r)"
declare -A T
modes=(none no-owners owners)
for r in $(seq "$ROUNDS"); do
	for k in 0 1 2; do
		m=${modes[$(((r + k) % 3))]}
		case $m in
		none) T[$m]+="$(bulk) " ;;
		no-owners | owners)
			args=()
			[ "$m" = no-owners ] && args=(--no-owners)
			# programs loaded before ours (other recorders) are not ours
			bpftool prog show -j >"$W/$m.before"
			start_rec "$W/$m.db" "${args[@]}"
			T[$m]+="$(bulk) "
			bpftool prog show -j >"$W/$m.progs"
			stop_rec
			;;
		esac
	done
done

echo
echo "(b) throughput of one loopback TCP stream ($BYTES bytes, median of $ROUNDS):"
for m in "${modes[@]}"; do
	med=$(echo ${T[$m]} | tr ' ' '\n' | median)
	printf "  %-10s %8.3f s  (%s)  %8.1f MB/s\n" "$m" "$med" \
		"$(echo ${T[$m]} | tr ' ' '\n' | minmax)" "$(awk -v b="$BYTES" -v t="$med" 'BEGIN{print b/t/1e6}')"
done
awk -v a="$(echo ${T[owners]} | tr ' ' '\n' | median)" -v b="$(echo ${T[no-owners]} | tr ' ' '\n' | median)" \
	-v c="$(echo ${T[none]} | tr ' ' '\n' | median)" \
	'BEGIN{printf "  throughput ratio owners / no owners %.3f, owners / nothing recording %.3f\n", b/a, c/a}'

echo
echo "(a) BPF run time during the last round's transfer (kernel.bpf_stats_enabled):"
for m in no-owners owners; do
	python3 - "$W/$m.progs" "$(packets_of "$W/$m.db")" "$m" "$W/$m.before" <<'PY'
import json, sys
progs = json.load(open(sys.argv[1])); pk = int(sys.argv[2]) or 1
before = {p["id"] for p in json.load(open(sys.argv[4]))}
ours = [p for p in progs if p.get("name", "").startswith(("flow_", "owner_")) and p.get("run_cnt")
        and p["id"] not in before]
print("  %s: %d packets recorded (both directions of lo)" % (sys.argv[3], pk))
total = {"flow": 0, "owner": 0}
for p in sorted(ours, key=lambda p: p["name"]):
    kind = "flow" if p["name"].startswith("flow_") else "owner"
    total[kind] += p["run_time_ns"]
    print("    %-16s %-16s %9d runs %7.1f ns/run %7.2f runs/packet %7.1f ns/packet" % (
        p["name"], p.get("type", ""), p["run_cnt"], p["run_time_ns"] / p["run_cnt"],
        p["run_cnt"] / pk, p["run_time_ns"] / pk))
print("    all flow programs %.1f ns/packet, all owner programs %.1f ns/packet" % (
    total["flow"] / pk, total["owner"] / pk))
PY
done

echo
echo "(c) bytes per flow row in the session file, synthetic flows (format_bench):"
"$B/bench/format_bench" -n 1000000 -d "$W" -J | awk '
	$1 == "flow" || $1 == "flow+owner" { b[$1] = $5; printf "  %-10s %s B/row\n", $1, $5 }
	END { printf "  owners add %+.2f B/row (goal: at most +1)\n", b["flow+owner"] - b["flow"] }'

echo
echo "(d) finding the sockets open at start:"
out=$("$B/record/ebpfrec" -o "$W/idle.db" --force -v --no-exec -i lo --duration 1 --no-progress 2>&1 |
	grep 'sockets open at start')
echo "  idle host:          ${out#ebpfrec: }"
coproc HOLD { "$B/bench/sockhold" "$SOCKETS"; }
HOLD_PID_=$HOLD_PID
read -r _ <&"${HOLD[0]}"
for i in 1 2 3; do
	out=$("$B/record/ebpfrec" -o "$W/seed.db" --force -v --no-exec -i lo --duration 1 --no-progress 2>&1 |
		grep 'sockets open at start')
	echo "  $SOCKETS held (run $i): ${out#ebpfrec: }"
done
exec {HOLD[1]}>&-
wait "$HOLD_PID_"
