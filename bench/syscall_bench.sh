#!/bin/bash
# syscall_bench.sh - what recording execs costs every other syscall of the
# host (issue 13): ns per getppid() (bench/sysloop, on CPU 1) with nothing
# recording and with each recorder attached. Each round measures nothing,
# then every recorder in turn against that round's nothing, so that drift
# of the machine cancels out; the medians over rounds are printed.
#
#   bench/syscall_bench.sh [ROUNDS] [CALLS]     (default 9 2000000)  (as root)
#
# Recorders: ebpfrec as it runs by default (failed execs through the
# execve/execveat exit tracepoints), ebpfrec --no-failed (no syscall hook),
# ebpfrec --failed-hook sys-exit (the old hook on every syscall's exit, now
# a fallback), libbpf-tools execsnoop (syscall enter+exit tracepoints) and
# bpftrace on sys_enter_execve. ebpfrec runs with --no-net: its flow hooks
# see packets, not syscalls.
set -u
cd "$(dirname "$0")/.."
ROUNDS=${1:-9}
CALLS=${2:-2000000}
B=build
[ "$(id -u)" = 0 ] || { echo "syscall_bench: run as root" >&2; exit 1; }
scripts/setup.sh >&2 || exit 1
. scripts/packages.sh
install_missing syscall_bench bpftrace libbpf-tools
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing # execsnoop, bpftrace
W=$(mktemp -d /tmp/syscall-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
LOOP="$B/bench/sysloop"
TOOLS="ebpfrec ebpfrec_nofailed ebpfrec_sysexit execsnoop bpftrace"

# recorders on CPU 0, the loop on CPU 1: what is measured is the cost their
# hooks add to the loop's syscalls, not their own work competing for its CPU
rec() { taskset -c 0 "$B/record/ebpfrec" -o "$W/r.db" --force --no-progress --no-net "$@" 2>/dev/null & }
start_ebpfrec() { rec; }
start_ebpfrec_nofailed() { rec --no-failed; }
start_ebpfrec_sysexit() { rec --failed-hook sys-exit; }
start_execsnoop() { taskset -c 0 /usr/sbin/execsnoop >/dev/null 2>&1 & }
start_bpftrace() { taskset -c 0 bpftrace -e 'tracepoint:syscalls:sys_enter_execve { printf("%d %s\n", pid, str(args->filename)); }' >/dev/null 2>&1 & }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
spread() { sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.1f..%.1f", lo, hi}'; }
loop() { taskset -c 1 "$LOOP" "$CALLS"; }
diff_of() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a-b}'; }

echo "syscall_bench: getppid() x $CALLS on CPU 1, fastest of 5 per measurement, $ROUNDS rounds; $(nproc) CPUs, kernel $(uname -r)"
declare -A D
for r in $(seq "$ROUNDS"); do
	base=$(loop)
	D[none]="${D[none]:-} $(diff_of "$(loop)" "$base")"
	for tool in $TOOLS; do
		"start_$tool"
		pid=$!
		sleep 3 # attached (bpftrace compiles)
		D[$tool]="${D[$tool]:-} $(diff_of "$(loop)" "$base")"
		kill -INT "$pid"
		wait "$pid" 2>/dev/null
	done
	echo "round $r: nothing $base ns/call" >&2
done
e=$(echo ${D[execsnoop]} | tr ' ' '\n' | median)
printf "%-18s %14s %16s %14s\n" recorder "added ns/call" "(spread)" "/ execsnoop's"
for tool in none $TOOLS; do
	m=$(echo ${D[$tool]} | tr ' ' '\n' | median)
	printf "%-18s %14.1f %16s %14s\n" "$tool" "$m" "($(echo ${D[$tool]} | tr ' ' '\n' | spread))" \
		"$(awk -v a="$m" -v e="$e" 'BEGIN{ if (e > 0) printf "%.2f", a/e; else print "-"}')"
done
echo "(none: nothing measured twice in a round, the noise floor)"
