#!/bin/sh
# fuzz.sh - build the libFuzzer targets (clang + ASan + UBSan) and run each
# for SECONDS (default 60) on its seed corpus: chunk (the chunk decoder),
# session (a whole session file: reader, iterator, SQL) and interfaces (the
# interfaces meta parser). Exit 1 if any target crashed; its input is left
# in build-fuzz/artifacts/ (fix it, then copy it to tests/fuzz/regressions/).
#
#   scripts/fuzz.sh [SECONDS]        (as root: installs clang if missing)
set -eu

cd "$(dirname "$0")/.."
SECS=${1:-60}
B=build-fuzz
PKGS="clang libclang-rt-14-dev cmake make pkg-config libsqlite3-dev libzstd-dev"
. scripts/packages.sh
install_missing fuzz.sh $PKGS
CC=clang cmake -S . -B "$B" -DEBPFREC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j "$(nproc)" >/dev/null
rm -rf "$B/seeds"
"$B/tests/fuzz/make_seeds" "$B/seeds"
mkdir -p "$B/artifacts"
status=0
for t in chunk session interfaces; do
	mkdir -p "$B/corpus/$t"
	# the corpus grows across runs; seeds and saved crash inputs come first
	echo "== fuzz_$t for ${SECS}s ==" >&2
	if ! "$B/tests/fuzz/fuzz_$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
		-malloc_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$B/artifacts/$t-" "$B/corpus/$t" "$B/seeds/$t" \
		"tests/fuzz/regressions/$t" >"$B/fuzz-$t.log" 2>&1; then
		echo "fuzz.sh: fuzz_$t CRASHED; input in $B/artifacts/, log in $B/fuzz-$t.log" >&2
		tail -40 "$B/fuzz-$t.log" >&2
		status=1
	fi
	grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|Done [0-9]+ runs" \
		"$B/fuzz-$t.log" | sed "s/^/fuzz_$t: /" >&2 || true
done
exit $status
