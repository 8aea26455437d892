#!/bin/sh
# setup.sh - install what ebpfrec needs on Debian 12 (idempotent,
# non-interactive) and build it into build/.
#
#   scripts/setup.sh [--analyzer-only] [--sanitize] [--tests] [BUILD_DIR]
#
# --analyzer-only builds format/ + replay/ only (no libbpf, clang, bpftool).
# --tests also installs what only the tests need (chromium for the HTML
# report test, nfdump's nfcapd and nfdump for the IPFIX replay test).
set -eu

cd "$(dirname "$0")/.."
ANALYZER_ONLY=OFF
SANITIZE=OFF
TESTS=0
BUILD=build
for arg in "$@"; do
	case "$arg" in
	--analyzer-only) ANALYZER_ONLY=ON ;;
	--sanitize) SANITIZE=ON ;;
	--tests) TESTS=1 ;;
	-*) echo "setup.sh: unknown option '$arg'" >&2; exit 2 ;;
	*) BUILD=$arg ;;
	esac
done

PKGS="cmake make gcc pkg-config libsqlite3-dev sqlite3 libzstd-dev zstd libcriterion-dev"
if [ "$ANALYZER_ONLY" = OFF ]; then
	PKGS="$PKGS clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev iproute2 procps"
	PKGS="$PKGS libfuse3-dev" # the fault tests' slow disk
fi
if [ "$TESTS" = 1 ]; then
	PKGS="$PKGS chromium fonts-dejavu-core"
	[ "$ANALYZER_ONLY" = OFF ] && PKGS="$PKGS tcpdump ethtool" # flow tests' witnesses
	[ "$ANALYZER_ONLY" = OFF ] && PKGS="$PKGS nfdump" # the collector replay --ipfix feeds
fi

. scripts/packages.sh
install_missing setup.sh $PKGS

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEBPFREC_WERROR=ON \
	-DEBPFREC_ANALYZER_ONLY="$ANALYZER_ONLY" -DEBPFREC_SANITIZE="$SANITIZE" >/dev/null
cmake --build "$BUILD" -j "$(nproc)" >/dev/null
echo "setup.sh: built in $BUILD/" >&2
