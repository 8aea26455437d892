#!/bin/sh
# test.sh - install, build and run the whole test suite (as root: the
# integration tests load the real BPF programs), the same suite again
# built with AddressSanitizer + UndefinedBehaviorSanitizer, and the Debian
# packages built, installed, used and purged (scripts/pkgtest.sh).
#
#   scripts/test.sh [--quick]     as root (--quick: skip the sanitizer pass and fuzzing)
set -eu

cd "$(dirname "$0")/.."
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1

if [ "$(id -u)" != 0 ]; then
	echo "test.sh: run as root: the integration tests load BPF programs" >&2
	exit 1
fi
# BPF needs no tracefs or bpffs here (raw tracepoints, links); mount them
# anyway if absent, for peers and debugging tools used by benchmarks.
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
mountpoint -q /sys/fs/bpf 2>/dev/null || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true

scripts/setup.sh --tests build
status=0
if [ "$QUICK" = 0 ]; then
	# libFuzzer on the chunk decoder, whole session files and the
	# interfaces parser, 60 s each (longer runs: scripts/fuzz.sh 3600)
	echo "== fuzzing ==" >&2
	scripts/fuzz.sh 60 || status=1
	scripts/setup.sh --tests --sanitize build-asan
	echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer ==" >&2
	(cd build-asan && ctest --output-on-failure --timeout 900) || status=1
fi
echo "== packages ==" >&2
scripts/pkgtest.sh build || status=1
echo "== tests ==" >&2
(cd build && ctest --output-on-failure --timeout 900) || status=1
exit $status
