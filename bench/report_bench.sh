#!/bin/bash
# report_bench.sh - every ebpfreport command over N exec + N flow records
# (default 10,000,000 each, bench/synth.h's data), side by side with the
# same questions asked of the same records stored as plain rows in SQLite
# (the pmacct way) and answered by sqlite3. For each command: wall time
# (min and median of RUNS runs, after one warm-up run that also hashes the
# output), peak memory (GNU time), with one thread and with every
# processor; with -b, the same for another ebpfreport (an older build: the
# "before" column; it runs without -j) and whether its output is the same.
# Then ratios: each command against the summary, SQL against sqlite3.
#
#   bench/report_bench.sh [-n N] [-r RUNS] [-b BEFORE_BIN] [-k DIR] [-c REGEX]
#
# -k DIR keeps the data sets in DIR (made once per N; reused next time).
# -c REGEX times only the commands whose name matches (grep -E), e.g.
# -c '^(summary|top|timeline|sql|verify)' to leave the slow exports out;
# the summary is always timed (the ratios are to it).
# The machine is measured as it is: run it when nothing else runs.
set -u
cd "$(dirname "$0")/.."
N=10000000
RUNS=3
BEFORE=
KEEP=
ONLY=
while getopts "n:r:b:k:c:" o; do
	case $o in
	n) N=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	b) BEFORE=$(readlink -f "$OPTARG") ;;
	k) KEEP=$OPTARG ;;
	c) ONLY=$OPTARG ;;
	*) sed -n '2,20s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
B=build
scripts/setup.sh >&2 || exit 1
command -v sqlite3 >/dev/null || { echo "report_bench: needs sqlite3" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "report_bench: needs GNU time (apt-get install time)" >&2; exit 1; }
E=$(readlink -f "$B/replay/ebpfreport")
CORES=$(nproc)
if [ -n "$KEEP" ]; then
	mkdir -p "$KEEP" && W=$(readlink -f "$KEEP")
else
	W=$(mktemp -d /tmp/report-bench.XXXXXX)
	trap 'rm -rf "$W"' EXIT
fi
S=$W/s-$N.db
R=$W/rows-$N.db
if [ ! -s "$S" ] || [ ! -s "$R" ]; then
	echo "report_bench: writing $N exec + $N flow records (session file and plain rows)..." >&2
	"$B/bench/report_bench" "$N" "$S" "$R" || exit 1
fi
echo "session file $(stat -c %s "$S") bytes, plain rows $(stat -c %s "$R") bytes;" \
	"$RUNS runs each; $CORES processors; load $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$S" "$R" >/dev/null # in the page cache for everyone

T=$W/time
# one command, RUNS times: "min median max_rss_kib" (seconds, KiB), or
# "FAILED exit N". The warm-up run's output hash goes to $W/hash.
measure() {
	local ts=() rss=0 t m x
	sh -c '"$@" 2>/dev/null | sha256sum' sh "$@" >"$W/hash"
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -f "%e %M %x" -o "$T" "$@" >/dev/null 2>&1
		read -r t m x <"$T"
		[ "$x" = 0 ] || { echo "FAILED exit $x"; return; }
		ts+=("$t")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk -v rss="$rss" \
		'{ v[NR] = $1 } END { printf "%.2f %.2f %d\n", v[1], v[int((NR + 1) / 2)], rss }'
}

QEXEC="SELECT comm, count(*) AS n FROM exec GROUP BY comm ORDER BY n DESC, comm LIMIT 10"
QFLOW="SELECT ifindex, dir, proto, src, sport, dst, dport, sum(packets) AS p, sum(bytes) FROM flow
  GROUP BY ifindex, dir, proto, src, sport, dst, dport ORDER BY p DESC LIMIT 10"
QCOUNT="SELECT count(*), sum(ret < 0) FROM exec"
QSUM="SELECT count(*), sum(packets), sum(bytes) FROM flow"

# name | arguments after ebpfreport (eval'd: quoted SQL stays one word)
CMDS=(
	"summary --top 10|\"\$S\" --top 10"
	"top --by comm|top \"\$S\" --by comm"
	"top --by path|top \"\$S\" --by path"
	"top --by cmdline|top \"\$S\" --by cmdline"
	"top --by uid|top \"\$S\" --by uid"
	"top --by parent|top \"\$S\" --by parent"
	"top --by flow|top \"\$S\" --by flow"
	"top --by src|top \"\$S\" --by src"
	"top --by dst|top \"\$S\" --by dst"
	"top --by port|top \"\$S\" --by port"
	"top --by proto|top \"\$S\" --by proto"
	"top --by iface|top \"\$S\" --by iface"
	"top --by process|top \"\$S\" --by process"
	"timeline|timeline \"\$S\""
	"sql GROUP BY comm|sql \"\$S\" \"\$QEXEC\""
	"sql GROUP BY flow|sql \"\$S\" \"\$QFLOW\""
	"sql count(*) exec|sql \"\$S\" \"\$QCOUNT\""
	"sql sum() flow|sql \"\$S\" \"\$QSUM\""
	"export jsonl|export \"\$S\" --format jsonl"
	"export csv exec|export \"\$S\" --format csv --type exec"
	"export csv flow|export \"\$S\" --format csv --type flow"
	"export csv to files|export \"\$S\" --format csv -o \"\$W/out-csv\" -f"
	"export jsonl to files|export \"\$S\" --format jsonl -o \"\$W/out-jsonl\" -f"
	"verify|verify \"\$S\""
)

printf "%-20s %-24s %-24s %-24s %s\n" "command" "before: min med s RSS" \
	"after -j1: min med RSS" "after -j$CORES: min med RSS" "output"
declare -A MED
for c in "${CMDS[@]}"; do
	name=${c%%|*}
	[ -z "$ONLY" ] || [ "$name" = "summary --top 10" ] || grep -qE "$ONLY" <<<"$name" || continue
	eval "args=(${c#*|})"
	b="-"
	same=""
	if [ -n "$BEFORE" ]; then
		read -r b1 b2 bm <<<"$(measure "$BEFORE" "${args[@]}")"
		b="$b1 $b2 ${bm}K"
		hb=$(cat "$W/hash")
	fi
	read -r s1 s2 sm <<<"$(measure "$E" "${args[@]}" -j 1)"
	h1=$(cat "$W/hash")
	read -r a1 a2 am <<<"$(measure "$E" "${args[@]}")"
	ha=$(cat "$W/hash")
	[ "$h1" = "$ha" ] || same="THREADS DIFFER "
	[ -n "$BEFORE" ] && { [ "$hb" = "$ha" ] && same="${same}same as before" || same="${same}DIFFERS from before"; }
	MED[$name]=$a2
	printf "%-20s %-24s %-24s %-24s %s\n" "$name" "$b" "$s1 $s2 ${sm}K" "$a1 $a2 ${am}K" "$same"
done

echo
echo "peers: sqlite3 on plain rows (min med s RSS)"
for q in QEXEC QFLOW QCOUNT QSUM; do
	read -r p1 p2 pm <<<"$(measure sqlite3 "$R" "${!q}")"
	MED[$q]=$p2
	printf "%-20s %-24s\n" "sqlite3 $q" "$p1 $p2 ${pm}K"
done
read -r p1 p2 pm <<<"$(measure sqlite3 "$R" "$QCOUNT; $QEXEC; $QSUM; $QFLOW")"
printf "%-20s %-24s (the four, as the summary answers them)\n" "sqlite3 all four" "$p1 $p2 ${pm}K"

echo
echo "ratios (medians, every processor):"
sum=${MED["summary --top 10"]}
for c in "${CMDS[@]}"; do
	name=${c%%|*}
	[ -n "${MED[$name]:-}" ] || continue
	awk -v n="$name" -v a="${MED[$name]}" -v s="$sum" \
		'BEGIN { printf "  %-20s %5.2fx the summary\n", n, (s > 0 ? a / s : 0) }'
done
awk -v s="$sum" -v p="$p2" \
	'BEGIN { printf "  summary vs sqlite3 all four: %.1fx faster\n", (s > 0 ? p / s : 0) }'
for pair in "sql GROUP BY comm:QEXEC" "sql GROUP BY flow:QFLOW" "sql count(*) exec:QCOUNT" \
	"sql sum() flow:QSUM"; do
	[ -n "${MED[${pair%%:*}]:-}" ] || continue # not timed (-c)
	awk -v n="${pair%%:*}" -v a="${MED[${pair%%:*}]:-0}" -v p="${MED[${pair#*:}]}" \
		'BEGIN { printf "  %-20s %5.1fx faster than sqlite3 on plain rows\n", n, (a > 0 ? p / a : 0) }'
done
[ -z "${MED["export jsonl"]:-}" ] || awk -v n="$((2 * N))" -v a="${MED["export jsonl"]}" \
	'BEGIN { printf "  export jsonl         %5.2f M records/s\n", (a > 0 ? n / a / 1e6 : 0) }'
[ -z "${MED["export csv exec"]:-}" ] || [ -z "${MED["export csv flow"]:-}" ] ||
	awk -v n="$N" -v a="${MED["export csv exec"]}" -v b="${MED["export csv flow"]}" \
	'BEGIN { printf "  export csv           %5.2f M records/s\n", (a + b > 0 ? 2 * n / (a + b) / 1e6 : 0) }'
for f in csv jsonl; do
	[ -n "${MED["export $f to files"]:-}" ] || continue
	awk -v n="$((2 * N))" -v a="${MED["export $f to files"]}" -v f="$f" \
		'BEGIN { printf "  export %-5s to files %5.2f M records/s\n", f, (a > 0 ? n / a / 1e6 : 0) }'
done
# what writing that many bytes costs this machine by itself: the floor of
# an export to files here (the jsonl export's, else the csv's), as dd
# writes them, RUNS times (min, median)
out=$W/out-jsonl
[ -d "$out" ] || out=$W/out-csv
if [ -d "$out" ]; then
	bytes=$(du -sb "$out" | cut -f1)
	rm -rf "$W/out-csv" "$W/out-jsonl"
	sync
	read -r d1 d2 _ <<<"$(measure dd if=/dev/zero of="$W/dd.out" bs=1M \
		count=$((bytes >> 20)) status=none)"
	printf "  dd of %s's %d MB to the same disk: %s / %s s (the floor)\n" "${out##*/out-}" \
		"$((bytes >> 20))" "$d1" "$d2"
	awk -v n="$((2 * N))" -v t="$d2" -v f="${out##*/out-}" \
		'BEGIN { printf "  writing the %s alone allows at most %.2f M records/s here (median)\n", f, (t > 0 ? n / t / 1e6 : 0) }'
	rm -f "$W/dd.out"
fi
