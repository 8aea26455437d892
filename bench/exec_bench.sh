#!/bin/bash
# exec_bench.sh - ebpfrec against peers on an exec storm (issue 3).
#
# Runs N fork+exec of `true alpha beta gamma` (bench/storm) with nothing
# recording, then with each recorder, alternating baseline and recorder runs
# (PAIRS pairs each), and prints for each recorder: captured/generated, its
# marginal CPU (user+sys) per exec (the slope between a SMALL and an N
# storm, so start-up such as loading BPF or compiling a script is not
# counted), the storm's wall-time ratio against the paired baseline (median
# and spread), bytes per exec of its output (total, and marginal: the same
# slope), the same after zstd -3, and for ebpfrec the BPF program time per
# exec (bpf_stats). ebpfrec runs with --no-net (execs only, like the peers);
# execsnoop and bpftrace also run printing timestamps (as ebpfrec stores
# them) for a fair byte comparison.
#
#   bench/exec_bench.sh [N] [PAIRS] [SMALL]     (default 20000 3 5000)  (as root)
#
# TOOLS="ebpfrec execsnoop" limits the run to some recorders (default: all).
set -u
cd "$(dirname "$0")/.."
N=${1:-20000}
PAIRS=${2:-3}
SMALL=${3:-5000}
B=build
[ "$(id -u)" = 0 ] || { echo "exec_bench: run as root" >&2; exit 1; }
scripts/setup.sh >&2 || exit 1
for p in trace-cmd bpftrace linux-perf libbpf-tools zstd time procps; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || MISSING="${MISSING:-} $p"
done
if [ -n "${MISSING:-}" ]; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $MISSING >/dev/null || exit 1
fi
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
PERF=$(ls /usr/bin/perf_* 2>/dev/null | head -1); PERF=${PERF:-perf}
W=$(mktemp -d /tmp/exec-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
STORM="$B/bench/storm"

# start_<tool> OUT: start the recorder in the background (under GNU time),
# count_<tool> OUT: print how many storm execs it captured with full argv.
start_ebpfrec() { /usr/bin/time -f "%U %S" -o "$1.cpu" "$B/record/ebpfrec" -o "$1" --force --no-progress --no-net & }
# exec records only, like the peers (no exit records)
start_ebpfrec_noexit() { /usr/bin/time -f "%U %S" -o "$1.cpu" "$B/record/ebpfrec" -o "$1" --force --no-progress --no-net --no-exit & }
count_ebpfrec_noexit() { count_ebpfrec "$@"; }
count_ebpfrec() { "$B/replay/ebpfreport" top "$1" --by cmdline --comm true --csv -n 100 |
	awk -F, '$1=="/usr/bin/true alpha beta gamma" {print $2; f=1} END {if (!f) print 0}'; }
start_tracecmd() { (cd "$W" && /usr/bin/time -f "%U %S" -o "$1.cpu" trace-cmd record --no-filter -d \
	-e sched:sched_process_exec -o "$1" >/dev/null 2>&1) & }
count_tracecmd() { trace-cmd report -i "$1" 2>/dev/null | grep -c 'filename=/usr/bin/true'; }
start_bpftrace() { /usr/bin/time -f "%U %S" -o "$1.cpu" bpftrace -o "$1" -e '
tracepoint:syscalls:sys_enter_execve { printf("%d %d %s %s ", pid, curtask->real_parent->tgid, comm, str(args->filename)); join(args->argv); }' >/dev/null 2>&1 & }
count_bpftrace() { grep -c 'true alpha beta gamma' "$1"; }
# with a nanosecond timestamp, uid and the parent, as ebpfrec keeps them
start_bpftrace_ts() { /usr/bin/time -f "%U %S" -o "$1.cpu" bpftrace -o "$1" -e '
tracepoint:syscalls:sys_enter_execve { printf("%llu %d %d %d %s %s ", nsecs, pid, curtask->real_parent->tgid, uid, comm, str(args->filename)); join(args->argv); }' >/dev/null 2>&1 & }
count_bpftrace_ts() { count_bpftrace "$@"; }
start_execsnoop() { /usr/bin/time -f "%U %S" -o "$1.cpu" /usr/sbin/execsnoop -T >"$1" 2>/dev/null & }
count_execsnoop() { grep -c 'true alpha beta gamma' "$1"; }
# -t: a timestamp (seconds since start, microseconds), -U: the uid
start_execsnoop_ts() { /usr/bin/time -f "%U %S" -o "$1.cpu" /usr/sbin/execsnoop -t -U >"$1" 2>/dev/null & }
count_execsnoop_ts() { count_execsnoop "$@"; }
start_perf() { /usr/bin/time -f "%U %S" -o "$1.cpu" "$PERF" record -q -e sched:sched_process_exec -a -o "$1" >/dev/null 2>&1 & }
count_perf() { "$PERF" script -i "$1" 2>/dev/null | grep -c 'filename=/usr/bin/true'; }

# run the recorder's process (the child of GNU time) down with SIGINT
stop_recorder() {
	local tpid=$1 child
	child=$(pgrep -P "$tpid" | head -1)
	[ -n "$child" ] && kill -INT "$child"
	# trace-cmd runs under a subshell: signal its whole tree
	for c in $(pgrep -P "$child" 2>/dev/null); do kill -INT "$c" 2>/dev/null; done
	wait "$tpid" 2>/dev/null
}

run_with() { # tool n out -> prints storm seconds
	local tool=$1 n=$2 out=$3 t
	rm -f "$out" "$out".*
	# programs loaded before ours (other recorders on the host) are not ours
	case $tool in ebpfrec*) bpftool prog show -j 2>/dev/null >"$out.before" ;; esac
	"start_$tool" "$out"
	local tpid=$!
	sleep 3 # attach (bpftrace compiles)
	t=$("$STORM" "$n" /usr/bin/true alpha beta gamma)
	case $tool in ebpfrec*) bpftool prog show -j 2>/dev/null >"$out.progs" ;; esac
	sleep 1.5 # let it drain
	[ "$tool" = tracecmd ] && stop_recorder "$(pgrep -P "$tpid" | head -1)" || stop_recorder "$tpid"
	wait "$tpid" 2>/dev/null
	echo "$t"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
minmax() { sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.3f-%.3f", lo, hi}'; }
size_of() { # file, or directory's files
	if [ -d "$1" ]; then du -sb "$1" | cut -f1; else stat -c %s "$1" 2>/dev/null || echo 0; fi
}
zsize() { if [ -f "$1" ]; then zstd -3 -q -c "$1" | wc -c; else echo 0; fi; }
# user+sys seconds from GNU time's file: its last line (a peer that exits on
# a signal or with a status first gets a "Command exited ..." line)
cpu_of() { tail -n 1 "$1" | awk '{print $1 + $2}'; }

sysctl -q -w kernel.bpf_stats_enabled=1
echo "exec_bench: $N execs of 'true alpha beta gamma', $PAIRS alternating pairs per recorder; $(nproc) CPUs, kernel $(uname -r)"
printf "%-16s %11s %10s %12s %13s %9s %9s %10s %10s\n" recorder captured "cpu/exec" "wall ratio" "(spread)" "B/exec" "zst B/ex" "marg B/ex" "marg zst"
for tool in ${TOOLS:-ebpfrec ebpfrec_noexit execsnoop execsnoop_ts bpftrace bpftrace_ts perf tracecmd}; do
	ratios=""
	for p in $(seq "$PAIRS"); do
		base=$("$STORM" "$N" /usr/bin/true alpha beta gamma)
		t=$(run_with "$tool" "$N" "$W/$tool.big")
		ratios="$ratios $(awk -v a="$t" -v b="$base" 'BEGIN{printf "%.4f", a/b}')"
	done
	captured=$("count_$tool" "$W/$tool.big")
	cpu_big=$(cpu_of "$W/$tool.big.cpu")
	big=$(size_of "$W/$tool.big"); zbig=$(zsize "$W/$tool.big")
	if [ "$tool" = ebpfrec ] || [ "$tool" = ebpfrec_noexit ]; then
		# BPF time per exec: the exec and exit programs, and the failed-exec
		# tracepoints' programs, which run on every execve's exit
		bpf=$(python3 - "$W/$tool.big.progs" "$N" "$W/$tool.big.before" <<'PY'
import json, sys
progs = json.load(open(sys.argv[1])); n = int(sys.argv[2]) or 1
before = {p["id"] for p in json.load(open(sys.argv[3]))}
t = {p.get("name"): (p.get("run_time_ns", 0), p.get("run_cnt", 0)) for p in progs
     if p["id"] not in before}
names = ("on_exec", "on_exit", "on_execve_exit", "on_execveat_exi", "on_sys_exit")
parts = ["%s %.0f ns/run (%d runs)" % (k, t[k][0] / t[k][1], t[k][1]) for k in names
         if t.get(k, (0, 0))[1]]
total = sum(t.get(k, (0, 0))[0] for k in names)
print("BPF time per exec %.0f ns (all exec programs, over the whole run); %s" % (total / n, "; ".join(parts)))
PY
)
	fi
	run_with "$tool" "$SMALL" "$W/$tool.small" >/dev/null
	cpu_small=$(cpu_of "$W/$tool.small.cpu")
	cpu=$(awk -v a="$cpu_big" -v b="$cpu_small" -v n="$N" -v m="$SMALL" 'BEGIN{printf "%.2fus", (a-b)*1e6/(n-m)}')
	small=$(size_of "$W/$tool.small"); zsmall=$(zsize "$W/$tool.small")
	printf "%-16s %11s %10s %12s %13s %9.1f %9.1f %10.2f %10.2f\n" "$tool" "$captured/$N" "$cpu" \
		"$(echo $ratios | tr ' ' '\n' | median)" "($(echo $ratios | tr ' ' '\n' | minmax))" \
		"$(awk -v a="$big" -v c="$N" 'BEGIN{print a/c}')" "$(awk -v a="$zbig" -v c="$N" 'BEGIN{print a/c}')" \
		"$(awk -v a="$big" -v b="$small" -v n="$N" -v m="$SMALL" 'BEGIN{print (a-b)/(n-m)}')" \
		"$(awk -v a="$zbig" -v b="$zsmall" -v n="$N" -v m="$SMALL" 'BEGIN{print (a-b)/(n-m)}')"
	if [ "$tool" = ebpfrec ] || [ "$tool" = ebpfrec_noexit ]; then
		drops=$("$B/replay/ebpfreport" "$W/$tool.big" --json |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["files"][0]["lost"]["lost_ringbuf"])')
		echo "  $tool: $bpf; ring buffer drops $drops"
	fi
done
# an idle session: fixed cost of the file
"$B/record/ebpfrec" -o "$W/idle.db" --duration 10 --no-progress
echo "ebpfrec idle 10 s session file: $(size_of "$W/idle.db") bytes"
sysctl -q -w kernel.bpf_stats_enabled=0
