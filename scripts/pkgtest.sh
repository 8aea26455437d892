#!/bin/sh
# pkgtest.sh - the Debian packages as a user gets them: build them (cpack)
# from a build directory, check what they depend on, install them with
# apt-get, record 2 s with the installed /usr/bin/ebpfrec, read it with the
# installed /usr/bin/ebpfreport (and sqlite3 with `.load ebpfrec_sql`),
# complete both commands in bash, start and stop ebpfrec.service if systemd
# runs here (else run the service's command line with only the unit's
# capabilities, and say so), then purge both packages and check that no
# file of theirs is left behind.
#
#   scripts/pkgtest.sh [BUILD_DIR]      (as root; default: build)
set -eu

cd "$(dirname "$0")/.."
BUILD=${1:-build}
APT="apt-get -y -qq -o DPkg::Lock::Timeout=300"
say() { echo "pkgtest: $*" >&2; }
purge() {
	DEBIAN_FRONTEND=noninteractive $APT purge ebpfrec ebpfreport >"${1:-/dev/null}" 2>&1
}
fail() {
	echo "pkgtest: FAILED: $*" >&2
	purge || true # leave the machine as it was
	exit 1
}
if [ "$(id -u)" != 0 ]; then
	echo "pkgtest.sh: run as root: it installs and removes packages" >&2
	exit 1
fi
. scripts/packages.sh
install_missing pkgtest.sh dpkg-dev sqlite3 util-linux

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# what exists of ours outside the build, before and after (dpkg's and
# apt's own books aside)
leftovers() {
	find /usr /etc /var/lib /opt -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt \) -prune \
		-o -print 2>/dev/null | grep -i -e ebpfrec -e ebpfreport | sort
}

# An earlier run that failed half-way may have left them installed.
purge || true
leftovers >"$T/before"

say "building the packages in $BUILD/"
cmake -S . -B "$BUILD" -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$BUILD" -j "$(nproc)" >/dev/null
rm -f "$BUILD"/ebpfrec_*.deb "$BUILD"/ebpfreport_*.deb
(cd "$BUILD" && cpack -G DEB >"$T/cpack.log" 2>&1) || {
	cat "$T/cpack.log" >&2
	fail "cpack"
}
REC=$(ls "$BUILD"/ebpfrec_*.deb)
REP=$(ls "$BUILD"/ebpfreport_*.deb)
for deb in "$REC" "$REP"; do
	say "$(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"
	dpkg-deb -c "$deb" | awk '{ print "pkgtest:   " $6 }' >&2
done
# the analyzer alone: SQLite, zstd and the C library, nothing of BPF
deps=$(dpkg-deb -f "$REP" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//' | sort -u | tr '\n' ' ')
[ "$deps" = "libc6 libsqlite3-0 libzstd1 " ] || fail "ebpfreport depends on: $deps"
dpkg-deb -f "$REC" Depends | grep -q libbpf || fail "ebpfrec does not depend on libbpf"

say "installing them"
DEBIAN_FRONTEND=noninteractive $APT install "$(realpath "$REP")" "$(realpath "$REC")" \
	>"$T/apt.log" 2>&1 || {
	cat "$T/apt.log" >&2
	fail "apt-get install"
}
for f in /usr/bin/ebpfrec /usr/bin/ebpfreport /usr/share/man/man8/ebpfrec.8.gz \
	/usr/share/man/man1/ebpfreport.1.gz /usr/share/bash-completion/completions/ebpfrec \
	/usr/share/bash-completion/completions/ebpfreport /usr/lib/systemd/system/ebpfrec.service; do
	[ -e "$f" ] || fail "$f is not installed"
done
ldd /usr/bin/ebpfreport | grep -q bpf && fail "ebpfreport links libbpf"

say "recording 2 s with /usr/bin/ebpfrec"
cd "$T" # nothing of the build directory is found from here
/usr/bin/ebpfrec -o "$T/pkg.db" --duration 2 --no-progress -i any 2>"$T/rec.log" || {
	cat "$T/rec.log" >&2
	fail "the installed ebpfrec"
}
/usr/bin/ebpfreport verify --strict "$T/pkg.db" >&2 || fail "verify"
/usr/bin/ebpfreport "$T/pkg.db" --top 3 >"$T/report" || fail "the installed ebpfreport"
grep -q '^execs ' "$T/report" || fail "no summary: $(cat "$T/report")"
n=$(sqlite3 "$T/pkg.db" '.load ebpfrec_sql' 'SELECT count(*) FROM exec') ||
	fail "sqlite3 cannot .load ebpfrec_sql by name"
say "sqlite3 '.load ebpfrec_sql': $n execs"

# completion, with the installed commands' own options
c=$(bash -c '. /usr/share/bash-completion/completions/ebpfrec
	COMP_WORDS=(ebpfrec --rotate-e); COMP_CWORD=1; _ebpfrec 2>/dev/null; echo "${COMPREPLY[*]}"')
[ "$c" = "--rotate-every" ] || fail "bash completion of 'ebpfrec --rotate-e' gave '$c'"
c=$(bash -c '. /usr/share/bash-completion/completions/ebpfreport
	COMP_WORDS=(ebpfreport verify --str); COMP_CWORD=2; _ebpfreport 2>/dev/null
	echo "${COMPREPLY[*]}"')
[ "$c" = "--strict" ] || fail "bash completion of 'ebpfreport verify --str' gave '$c'"
c=$(bash -c '. /usr/share/bash-completion/completions/ebpfreport
	COMP_WORDS=(ebpfreport ver); COMP_CWORD=1; _ebpfreport 2>/dev/null; echo "${COMPREPLY[*]}"')
[ "$c" = "verify" ] || fail "bash completion of 'ebpfreport ver' gave '$c'"

UNIT=/usr/lib/systemd/system/ebpfrec.service
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify "$UNIT" 2>&1 | grep -v -e "Command 'man " >"$T/verify" || true
	[ -s "$T/verify" ] && fail "systemd-analyze verify: $(cat "$T/verify")"
	say "$(systemd-analyze security --offline=true "$UNIT" 2>/dev/null | tail -1)"
else
	say "NOTE: no systemd-analyze here: the unit file was not checked by systemd"
fi
if [ -d /run/systemd/system ]; then
	say "systemd runs here: starting and stopping ebpfrec.service"
	systemctl daemon-reload
	systemctl start ebpfrec.service || fail "systemctl start ebpfrec"
	sleep 3
	systemctl is-active --quiet ebpfrec.service || fail "ebpfrec.service is not active"
	systemctl stop ebpfrec.service
else
	say "########################################################################"
	say "NOTE: systemd is not running here (PID 1 is '$(cat /proc/1/comm)'), so"
	say "ebpfrec.service was NOT started. Instead its ExecStart runs as the unit"
	say "would run it: with only its CapabilityBoundingSet, no new privileges,"
	say "writing into /var/lib/ebpfrec."
	say "########################################################################"
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
	# systemd's specifiers, left to right: %% is a %, %H the host name
	cmd=$(sed -n 's/^ExecStart=//p' "$UNIT" | sed "s/%%/\x01/g; s/%H/$(uname -n)/g; s/\x01/%/g")
	mkdir -m 0700 -p /var/lib/ebpfrec
	# shellcheck disable=SC2086 # the unit's command line, split as systemd splits it
	setpriv --bounding-set=-all,$caps --inh-caps=-all --no-new-privs $cmd 2>"$T/svc.log" &
	svc=$!
	sleep 3
	kill -TERM $svc
	wait $svc || {
		cat "$T/svc.log" >&2
		fail "the service's command line with capabilities $caps"
	}
fi
/usr/bin/ebpfreport verify --strict /var/lib/ebpfrec/ >&2 || fail "what the service recorded"
ls /var/lib/ebpfrec/"$(uname -n)"-2[0-9][0-9][0-9][0-1][0-9][0-3][0-9]-[0-2][0-9][0-5][0-9][0-5][0-9].db \
	>/dev/null || fail "the service's file is not named HOST-YYYYmmdd-HHMMSS.db: $(ls /var/lib/ebpfrec)"

say "purging them"
cd /
purge "$T/apt.log" || {
	cat "$T/apt.log" >&2
	fail "apt-get purge"
}
leftovers >"$T/after"
if ! cmp -s "$T/before" "$T/after"; then
	diff "$T/before" "$T/after" >&2 || true
	fail "files left behind"
fi
for p in ebpfrec ebpfreport; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" &&
		fail "$p is still installed"
done
say "OK: packages built, installed, used and purged; nothing left behind"
