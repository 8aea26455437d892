#!/bin/sh
# tools_test.sh - the exports read by other tools, as docs/exports.md shows
# them: runs the page's "# tested:" shell blocks (export, sqlite3, pandas)
# as written, in a directory holding a session with every stream
# (make_session), checks what they print, then has DuckDB (the npm package
# @duckdb/node-api, installed with npm into the build directory the first
# time: its binary ships inside the package) run the page's SQL:
# jsonl -> typed tables -> Parquet, read back (duckdb_check.mjs).
#
#   tools_test.sh BUILD_DIR SOURCE_DIR
set -eu
B=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
DOC="$SRC/docs/exports.md"
W=$(mktemp -d /tmp/ebpfrec-tools-XXXXXX)
trap 'rm -rf "$W"' EXIT
# ebpfreport of this build; Debian's python3 (with python3-pandas) first
PATH="$B/replay:/usr/bin:$PATH"
export PATH
fails=0
passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { passes=$((passes + 1)); }
expect() { # WHAT FILE PATTERN: FILE holds a line matching PATTERN
	if grep -q -- "$3" "$2"; then pass; else fail "$1: no '$3' in $(cat "$2")"; fi
}

N=200
"$B/tests/tools/make_session" "$W/session.db" host-a $N
cd "$W"

# the "# tested: NAME" block of the page, as a script
block() {
	awk -v name="$1" '
		$0 == "```sh" { inblock = 1; first = 1; next }
		$0 == "```" { if (taking) exit; inblock = 0; next }
		inblock && first { first = 0; if ($0 == "# tested: " name) { taking = 1 } ; next }
		taking { print }' "$DOC"
}
for name in export sqlite3 pandas; do
	block $name >"$name.sh"
	[ -s "$name.sh" ] || { fail "docs/exports.md has no block '# tested: $name'"; continue; }
	if sh -e "$name.sh" >"$name.out" 2>"$name.err"; then
		pass
	else
		fail "$name block: $(cat "$name.err")"
	fi
done

# export: a file per stream, a mixed stdout with types, the plain database
for s in exec exit flow proc cgroup; do
	[ -s "out/$s.jsonl" ] && [ -s "csv/$s.csv" ] && pass || fail "no out/$s.jsonl or csv/$s.csv"
done
[ "$(grep -c '"type":"flow"' flows.jsonl)" = $((2 * N)) ] && pass || fail "flows.jsonl"
expect sqlite3 sqlite3.out '^cc|40'
expect sqlite3 sqlite3.out '^eth0|'
expect sqlite3 sqlite3.out "^$((2 * N))|"
expect pandas pandas.out '^comm'
expect pandas pandas.out '10.0.0.1'

# the session's records per stream, from the session itself
ebpfreport sql session.db "SELECT (SELECT count(*) FROM exec), (SELECT count(*) FROM exit),
	(SELECT count(*) FROM flow), (SELECT count(*) FROM proc), (SELECT count(*) FROM cgroup)" \
	--csv | tail -1 | awk -F, '{ printf "{\"exec\":%s,\"exit\":%s,\"flow\":%s,\"proc\":%s,\"cgroup\":%s}\n", $1, $2, $3, $4, $5 }' >counts.json

# DuckDB from npm, into the build directory once
NODE_DIR="$B/tests/tools/node"
if [ ! -d "$NODE_DIR/node_modules/@duckdb/node-api" ]; then
	command -v npm >/dev/null || { echo "FAIL: npm is needed for the DuckDB test"; exit 1; }
	mkdir -p "$NODE_DIR"
	(cd "$NODE_DIR" && npm install --no-audit --no-fund --silent @duckdb/node-api@1.5.6-r.1 >/dev/null)
fi
cp "$SRC/tests/tools/duckdb_check.mjs" "$NODE_DIR/"
if node "$NODE_DIR/duckdb_check.mjs" "$DOC" counts.json >duckdb.out 2>&1; then
	pass
else
	fail "duckdb: $(cat duckdb.out)"
fi
grep -E 'FAIL|passed' duckdb.out || true
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
