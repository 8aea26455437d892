#!/bin/bash
# report_bench.sh - `ebpfreport FILE --top 10` over N exec + N flow records
# (default 10,000,000 each), side by side with the same question asked of
# the same records stored as plain rows in SQLite (the pmacct way) and
# answered by sqlite3 GROUP BY queries. Prints wall time, peak memory and
# the ratio. nfdump is not compared: see bench/README.md.
#
#   bench/report_bench.sh [N]
set -u
cd "$(dirname "$0")/.."
N=${1:-10000000}
B=build
scripts/setup.sh >&2 || exit 1
command -v sqlite3 >/dev/null || { echo "report_bench: needs sqlite3" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "report_bench: needs GNU time (apt-get install time)" >&2; exit 1; }
W=$(mktemp -d /tmp/report-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

echo "report_bench: writing $N exec + $N flow records (session file and plain rows)..." >&2
"$B/bench/report_bench" "$N" "$W/s.db" "$W/rows.db" || exit 1
echo "session file $(stat -c %s "$W/s.db") bytes, plain rows $(stat -c %s "$W/rows.db") bytes"
sync

Q="SELECT count(*), sum(ret < 0) FROM exec;
SELECT comm, count(*) AS n FROM exec GROUP BY comm ORDER BY n DESC, comm LIMIT 10;
SELECT count(*), sum(packets), sum(bytes) FROM flow;
SELECT ifindex, dir, proto, src, sport, dst, dport, sum(packets) AS p, sum(bytes)
  FROM flow GROUP BY ifindex, dir, proto, src, sport, dst, dport ORDER BY p DESC LIMIT 10;"

run() { # name command... -> "seconds maxrss_kb"
	/usr/bin/time -f "%e %M" -o "$W/t" "$@" >"$W/out" 2>/dev/null || echo "$1 failed" >&2
	cat "$W/t"
}
for i in 1 2 3; do
	read -r te me <<<"$(run "$B/replay/ebpfreport" "$W/s.db" --top 10)"
	read -r ts ms <<<"$(run sqlite3 "$W/rows.db" "$Q")"
	printf "run %d: ebpfreport --top 10 %6.2f s %6d KiB | sqlite3 GROUP BY %6.2f s %7d KiB | ratio %.1fx\n" \
		"$i" "$te" "$me" "$ts" "$ms" "$(awk -v a="$ts" -v b="$te" 'BEGIN{print a/b}')"
done
echo "(one core each: both are single-threaded)"
