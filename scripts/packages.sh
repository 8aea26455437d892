# packages.sh - sourced by the scripts that install what they need:
#
#   install_missing WHO PACKAGE...
#
# installs the Debian packages that are not installed yet (apt-get update
# first), or, when not run as root, names them and exits 1.
install_missing() {
	who=$1
	shift
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "$who: missing packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "$who: installing$missing" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
