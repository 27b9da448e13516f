#!/bin/sh
# deps.sh: install the Debian packages aigate needs that are missing.
#
#   mk/deps.sh build|test|demo|bench|deb|all   install what that purpose needs
#   mk/deps.sh --list PURPOSE              print the packages, install nothing
#
# Only packages that dpkg does not already have are installed, with
# `apt-get install -y`; `apt-get update` runs once, only when something
# is missing.  Not root and something missing: say what, exit 1.
set -eu

build="gcc make pkg-config libnetfilter-queue-dev libmnl-dev libpcap-dev
libconfig-dev libcmocka-dev libssl-dev libjansson-dev libsystemd-dev
libcurl4-openssl-dev libseccomp-dev zlib1g-dev"
test="$build tshark bind9-dnsutils openssl curl iproute2 iptables nftables
minisign python3 valgrind dnsmasq-base chromium man-db groff-base"
demo="$build bind9-dnsutils openssl curl iproute2 iptables nftables python3 dnsmasq-base"
bench="$test libndpi-bin iperf3 hyperfine bc time wireshark-common"
# deb: the Debian package (make deb, make deb-check, tests/deb/run.sh)
deb="$build dpkg-dev debhelper lintian fakeroot"

list=no
if [ "${1:-}" = "--list" ]; then list=yes; shift; fi
case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
demo) want=$demo ;;
bench) want=$bench ;;
deb) want=$deb ;;
all) want="$bench $deb" ;;
*) echo "usage: $0 [--list] build|test|demo|bench|deb|all" >&2; exit 2 ;;
esac

if [ "$list" = yes ]; then
	echo $want | tr ' ' '\n' | sort -u
	exit 0
fi

missing=""
for p in $(echo $want | tr ' ' '\n' | sort -u); do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$status" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "aigate needs these Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
