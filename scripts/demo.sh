#!/bin/sh
# demo.sh - the main job: install and build, record a short session of this
# machine with ebpfrec, then print the report with ebpfreport.
#
#   scripts/demo.sh [SECONDS]      as root (default: 5 seconds)
set -eu

cd "$(dirname "$0")/.."
SECONDS_TO_RECORD=${1:-5}
if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: run as root: ebpfrec loads BPF programs (a user with sudo: sudo $0)" >&2
	exit 1
fi
scripts/setup.sh >&2
OUT=$(mktemp -d)/session.db

echo "demo: recording this machine for ${SECONDS_TO_RECORD}s into $OUT" >&2
# every interface that is up, loopback included (the demo's traffic stays on it)
build/record/ebpfrec -o "$OUT" --duration "$SECONDS_TO_RECORD" --no-progress -i any &
REC=$!
# give the recorder something to see while it runs
sleep 1
for i in 1 2 3; do
	ls / >/dev/null
	uname -a >/dev/null
	sh -c 'exit 3' || true
	cat /proc/loadavg >/dev/null
done
# a little UDP on loopback: 3 flows x 10 packets to 127.0.0.1
build/tests/net/netgen udp 127.0.0.1 9999 3 10
wait "$REC"
build/replay/ebpfreport "$OUT" --top 10
