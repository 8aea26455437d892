#!/bin/bash
# exec_cpu.sh - what one exec costs ebpfrec, net of everything else (issue 13).
#
# exec_bench.sh's marginal CPU (the slope between a small and a large storm)
# also charges each exec with the recorder's per-second work (the flush, the
# meta counters) over the longer storm, and with every other exec of a busy
# host. Here each recorder runs with --comm true (so only the storm's execs
# are recorded: `true` is their comm), its idle CPU per second is measured
# for IDLE seconds first, then an N-exec storm; printed per exec: the
# recorder's CPU (all its threads, from schedstat, in ns) gross and net of
# the idle rate over the storm's duration, and the BPF run time of its own
# programs (kernel.bpf_stats_enabled) per exec. Several binaries (builds of
# older commits) run in turn in one run, so they compare side by side.
#
#   bench/exec_cpu.sh [N] [IDLE] [EBPFREC...]   (default 20000 15 build/record/ebpfrec)  (as root)
set -eu
cd "$(dirname "$0")/.."
N=${1:-20000}
IDLE=${2:-15}
shift $(($# > 2 ? 2 : $#))
BINS=("${@:-build/record/ebpfrec}")
STORM=build/bench/storm
[ -x "$STORM" ] || { echo "exec_cpu: build first ($STORM missing)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "exec_cpu: run as root" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
sysctl -q kernel.bpf_stats_enabled=1

cpu_ns() { # all threads of pid $1
	local s=0 t
	for t in /proc/"$1"/task/*/schedstat; do s=$((s + $(cut -d' ' -f1 "$t"))); done
	echo "$s"
}

echo "exec_cpu: $N execs of 'true alpha beta gamma', idle rate over $IDLE s; $(nproc) CPUs, kernel $(uname -r)"
printf '%-40s %10s %12s %12s %12s\n' recorder "idle ms/s" "gross ns/ex" "net ns/ex" "BPF ns/ex"
for bin in "${BINS[@]}"; do
	bpftool prog show -j >"$W/before"
	"$bin" --no-net --comm true -o "$W/s.db" --force --no-progress 2>"$W/err" &
	pid=$!
	sleep 3
	a=$(cpu_ns $pid) t0=$(date +%s%N)
	sleep "$IDLE"
	b=$(cpu_ns $pid) t1=$(date +%s%N)
	"$STORM" "$N" /usr/bin/true alpha beta gamma >/dev/null
	sleep 1 # drain
	c=$(cpu_ns $pid) t2=$(date +%s%N)
	bpftool prog show -j >"$W/after"
	kill -INT $pid
	wait $pid || { echo "exec_cpu: $bin failed: $(cat "$W/err")" >&2; exit 1; }
	python3 - "$bin" "$N" "$a" "$b" "$c" "$t0" "$t1" "$t2" "$W/before" "$W/after" <<'PY'
import json, sys
bin, n, a, b, c, t0, t1, t2 = sys.argv[1], *map(int, sys.argv[2:9])
before = {p["id"] for p in json.load(open(sys.argv[9]))}
bpf = sum(p.get("run_time_ns", 0) for p in json.load(open(sys.argv[10])) if p["id"] not in before)
idle = (b - a) / ((t1 - t0) / 1e9)  # ns of CPU per second
storm = c - b
print(f"{bin:40s} {idle / 1e6:10.2f} {storm / n:12.0f} {(storm - idle * (t2 - t1) / 1e9) / n:12.0f} {bpf / n:12.0f}")
PY
done
echo "(gross: the recorder's CPU during the storm / N; net: minus its idle rate over the storm's time; BPF: its programs' run time / N, exits included)"
