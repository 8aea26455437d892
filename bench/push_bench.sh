#!/bin/bash
# push_bench.sh - loading sessions into ClickHouse, and exporting them.
#
#   bench/push_bench.sh [N] [OLD_EBPFREPORT]
#   PUSH_OPTS="-j 4" bench/push_bench.sh ...   (more options for push)
#   SESSION=FILE bench/push_bench.sh N ...      (FILE: that data, made before)
#   ROUNDS=5 bench/push_bench.sh ...             (rounds of push and peer; default 3)
#
# On N exec + N flow synthetic records (default 10,000,000 each: the file
# of bench/report_bench.sh), with a ClickHouse server of its own on
# 127.0.0.1 (Debian's clickhouse-server, a configuration and data
# directory made here, removed at the end):
#   1. `ebpfreport push` rows/s, next to `clickhouse-client --query
#      "INSERT INTO ... FORMAT JSONEachRow" < STREAM.jsonl` of the same rows
#      (the jsonl export, into tables that end up holding what push's do,
#      the addresses as the text the export writes) on the same server,
#      each load timed once the server's merges of the one before are done,
#      in ROUNDS rounds (empty databases each), medians and their ratio;
#   2. the size of the rows in ClickHouse (compressed, on disk) vs the
#      session file;
#   3. `export --format jsonl|csv -o DIR` rows/s to files (in $TMPDIR,
#      default /tmp) and to /dev/null; with OLD_EBPFREPORT, the same for
#      that binary (the export before a change) on the same file.
# Ratios from one run; not a test (this machine is shared and noisy).
set -u
cd "$(dirname "$0")/.."
N=${1:-10000000}
OLD=${2:-}
ROUNDS=${ROUNDS:-3}
B=build
scripts/setup.sh >&2 || exit 1
R=$PWD/$B/replay/ebpfreport
for t in clickhouse-client; do
	command -v $t >/dev/null || { echo "push_bench: needs $t (scripts/setup.sh --tests)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "push_bench: needs GNU time (apt-get install time)" >&2; exit 1; }
SERVER=/usr/sbin/clickhouse-server
[ -x $SERVER ] || { echo "push_bench: needs clickhouse-server" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/push-bench.XXXXXX")
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port)
TCP=$(free_port)
mkdir -p "$W/ch"
cat >"$W/ch/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$W/ch/server.log</log><errorlog>$W/ch/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$HTTP</http_port>
  <tcp_port>$TCP</tcp_port>
  <path>$W/ch/data/</path>
  <tmp_path>$W/ch/tmp/</tmp_path>
  <user_files_path>$W/ch/user_files/</user_files_path>
  <format_schema_path>$W/ch/format_schemas/</format_schema_path>
  <users_config>$W/ch/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
</yandex>
EOF
cat >"$W/ch/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
EOF
$SERVER --config-file="$W/ch/config.xml" >"$W/ch/stdout" 2>&1 &
PID=$!
URL=http://127.0.0.1:$HTTP
q() { clickhouse-client --port "$TCP" --query "$1"; }
for _ in $(seq 100); do q "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
q "SELECT version()" >/dev/null || { echo "push_bench: the server did not start" >&2; exit 1; }

if [ -n "${SESSION:-}" ]; then
	cp "$SESSION" "$W/s.db" || exit 1
else
	echo "push_bench: writing $N exec + $N flow records..." >&2
	"$B/bench/report_bench" "$N" "$W/s.db" "$W/rows.db" || exit 1
	rm -f "$W/rows.db"
fi
ROWS=$((2 * N))
SIZE=$(stat -c %s "$W/s.db")
sync

secs() { /usr/bin/time -f %e -o "$W/t" "$@" && cat "$W/t"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", n / s / 1e6 }'; }

# Wait until the server has no merge running: a timed load must not
# share the machine with the merges of the one before.
settle() {
	for _ in $(seq 600); do
		[ "$(q "SELECT count() FROM system.merges")" = 0 ] && return
		sleep 0.5
	done
}

# The tables the jsonl rows go into, holding what push's hold: the same
# columns, partitions and order, session_id and host (which jsonl has not)
# and time (text in jsonl) filled in by the server from DEFAULTs; only the
# addresses stay the text jsonl writes. Sets LIST[stream]: the columns the
# jsonl lines give.
declare -A LIST
jsonl_tables() {
	read -r SID HOST < <(q "SELECT session_id, host FROM pushed.sessions FORMAT TabSeparated")
	q "CREATE DATABASE jsonl"
	for s in exec flow; do
		cols= list=
		while IFS=$'\t' read -r name type; do
			case $name in
			session_id) t="$type DEFAULT '$SID'" ;;
			host) t="$type DEFAULT '$HOST'" ;;
			time) t="$type DEFAULT toDateTime(intDiv(wall_ns, 1000000000))" ;;
			src | dst) t='Nullable(String)' ;;
			*) t=$type ;;
			esac
			cols="$cols${cols:+, }$name $t"
			case $name in session_id | host | time) ;; *) list="$list${list:+, }$name" ;; esac
		done < <(clickhouse-client --port "$TCP" --format TabSeparatedRaw --query "SELECT name, type FROM system.columns WHERE database = 'pushed' AND table = '$s'")
		q "CREATE TABLE jsonl.$s ($cols) ENGINE = MergeTree PARTITION BY toYYYYMMDD(time) ORDER BY (host, wall_ns)" || return 1
		LIST[$s]=$list
	done
}

"$R" export "$W/s.db" --format jsonl -o "$W/jsonl" --no-progress || exit 1
median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
P=() J=()
for round in $(seq "$ROUNDS"); do
	# 1. push, into an empty database
	q "DROP DATABASE IF EXISTS pushed"
	q "DROP DATABASE IF EXISTS jsonl"
	settle
	t=$(secs "$R" push "$W/s.db" --clickhouse "$URL" --database pushed --no-progress -q ${PUSH_OPTS:-}) || exit 1
	P+=("$t")
	# the same rows through clickhouse-client, a stream at a time
	jsonl_tables || exit 1
	tj=0
	for s in exec flow; do
		settle
		t=$(secs sh -c "clickhouse-client --port $TCP --input_format_skip_unknown_fields=1 --query 'INSERT INTO jsonl.$s (${LIST[$s]}) FORMAT JSONEachRow' <'$W/jsonl/$s.jsonl'") || exit 1
		tj=$(awk -v a="$tj" -v b="$t" 'BEGIN { print a + b }')
	done
	J+=("$tj")
	printf "round %d: push %6.2f s, clickhouse-client JSONEachRow %6.2f s: %.2fx\n" "$round" \
		"${P[-1]}" "$tj" "$(awk -v a="$tj" -v b="${P[-1]}" 'BEGIN { print a / b }')"
done
T_PUSH=$(printf '%s\n' "${P[@]}" | median)
T_JSON=$(printf '%s\n' "${J[@]}" | median)
LOADED=$(q "SELECT count() FROM jsonl.exec") && LOADED=$((LOADED + $(q "SELECT count() FROM jsonl.flow")))
PUSHED=$(q "SELECT count() FROM pushed.exec") && PUSHED=$((PUSHED + $(q "SELECT count() FROM pushed.flow")))
echo "rows: $ROWS in the session, $PUSHED pushed, $LOADED by clickhouse-client (the last round)"
printf "push (median of %d):                         %7.2f s  %6s M rows/s\n" "$ROUNDS" "$T_PUSH" "$(rate $ROWS "$T_PUSH")"
printf "clickhouse-client JSONEachRow (median of %d): %6.2f s  %6s M rows/s\n" "$ROUNDS" "$T_JSON" "$(rate $ROWS "$T_JSON")"
printf "push / clickhouse-client:                    %7.2fx (medians)\n" "$(awk -v a="$T_JSON" -v b="$T_PUSH" 'BEGIN { print a / b }')"

# 2. sizes
q "OPTIMIZE TABLE pushed.exec FINAL" 2>/dev/null
q "OPTIMIZE TABLE pushed.flow FINAL" 2>/dev/null
DISK=$(q "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'pushed' AND active")
COMP=$(q "SELECT sum(data_compressed_bytes) FROM system.parts WHERE database = 'pushed' AND active")
RAW=$(q "SELECT sum(data_uncompressed_bytes) FROM system.parts WHERE database = 'pushed' AND active")
printf "session file %d bytes; in ClickHouse %d bytes on disk (%.2fx the session), %d compressed, %d uncompressed\n" \
	"$SIZE" "$DISK" "$(awk -v a="$DISK" -v b="$SIZE" 'BEGIN { print a / b }')" "$COMP" "$RAW"
kill "$PID" && wait "$PID" 2>/dev/null
PID=
rm -rf "$W/ch" "$W/jsonl"

# 3. export speed
export_rates() { # BINARY LABEL
	for f in jsonl csv; do
		rm -rf "$W/out"
		tf=$(secs "$1" export "$W/s.db" --format $f -o "$W/out" --no-progress) || return
		rm -rf "$W/out"
		if [ $f = jsonl ]; then
			tn=$(secs sh -c "'$1' export '$W/s.db' --format jsonl --no-progress >/dev/null")
		else
			tn=$(secs sh -c "'$1' export '$W/s.db' --format csv --type exec --no-progress >/dev/null; '$1' export '$W/s.db' --format csv --type flow --no-progress >/dev/null")
		fi
		printf "%-6s export %-5s: to files %6.2f s %6s M rows/s | to /dev/null %6.2f s %6s M rows/s\n" \
			"$2" $f "$tf" "$(rate $ROWS "$tf")" "$tn" "$(rate $ROWS "$tn")"
	done
}
[ -n "$OLD" ] && export_rates "$OLD" before
export_rates "$R" after
