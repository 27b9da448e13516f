#!/bin/bash
# shellcheck disable=SC2317 # functions called through t, trap and sh -c
# shellcheck disable=SC2012 # ls of our own aigate_* file names
# run.sh: build the Debian package and install it into a throw-away root.
#
#   tests/deb/run.sh [--build-only | --reuse] [OUTDIR]   (OUTDIR default build/deb)
#
#   --build-only  steps 1-3 (make deb)
#   --reuse       no build: test the package already in OUTDIR
#   AIGATE_DEB_KEEP=1 keeps the temporary directory (the root) for a look
#
# 1. Copies this tree (git's tracked and untracked, not ignored files;
#    not the build directories) to a temporary directory and runs
#    `dpkg-buildpackage -us -uc -b` there (the build cleans its tree, so
#    never here).  With DEB_BUILD_OPTIONS=nocheck (the default here: the
#    unit and lint sections of make check run the same tests) debian/rules
#    skips its tests; `DEB_BUILD_OPTIONS= tests/deb/run.sh` runs them.
# 2. lintian on the result: no error or warning (documented overrides in
#    debian/aigate.lintian-overrides).
# 3. The bash completion knows every verb and option aigatectl's --help
#    prints.
# 4. (root; skipped otherwise) A throw-away root: the installed host
#    packages that aigate's Depends, the Essential and the Priority
#    required packages need (closure computed with dpkg-query) are
#    copied in with their dpkg status and alternatives, then
#    `dpkg --root` installs the package, running its maintainer
#    scripts chrooted, in a private mount and network namespace (so no
#    maintainer script can touch the host's firewall).  No download, a
#    few seconds; debootstrap would fetch ~100 packages for the same.
#    Checked there: the user, directories, list, enabled units, paths,
#    `aigated -n` (as root and as user aigate) and `aigatectl check
#    chatgpt.com` from the installed files, an upgrade that keeps the
#    edited configuration and list, removal (firewall rules removed
#    through aigate-firewall, seen by a stand-in nft) and purge.
#    A real rotation with the installed logrotate file when this host
#    has logrotate.  About 1-1.5 minutes in all on 2 cores.
#
# The packages and logs (build.log, lintian.log, root.log) stay in OUTDIR.
# Output: "ok - ..." / "not ok - ..." / "skip - ..." lines and a closing
# "N passed, N failed[, N skipped]"; exit 0 only when nothing failed.
set -u
set -o pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build_only=no
reuse=no
case ${1:-} in
--build-only) build_only=yes; shift ;;
--reuse) reuse=yes; shift ;;
esac
out=${1:-$top/build/deb}
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 2

pass=0
fail=0
skip=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
notok() { fail=$((fail + 1)); echo "not ok - $*"; }
skipped() { skip=$((skip + 1)); echo "skip - $*"; }
t() { # description command...: ok when the command succeeds
	local d=$1
	shift
	if "$@" >>"$out/root.log" 2>&1; then ok "$d"; else notok "$d"; fi
}
finish() {
	echo
	if [ $skip -gt 0 ]; then
		echo "$pass passed, $fail failed, $skip skipped"
	else
		echo "$pass passed, $fail failed"
	fi
	[ $fail = 0 ]
	exit
}

work=$(mktemp -d "${TMPDIR:-/tmp}/aigate-deb.XXXXXX") || exit 2
cleanup() {
	# the namespaces' mounts died with them; nothing is mounted here
	if [ "${AIGATE_DEB_KEEP:-0}" = 1 ]; then
		echo "# kept $work"
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools
if ! "$top/mk/deps.sh" deb >"$out/deps.log" 2>&1; then
	cat "$out/deps.log"
	skipped "Debian package (needs: $(cd "$top" && mk/deps.sh --list deb | grep -E 'dpkg-dev|debhelper|lintian|fakeroot' | tr '\n' ' '))"
	finish
fi

# ---------------------------------------------------------------- build
if [ "$reuse" = yes ]; then
	deb=$(ls "$out"/aigate_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { notok "--reuse: no aigate_*.deb in $out"; finish; }
	echo "# reusing $deb"
else
echo "# building in $work/src (log: $out/build.log)"
mkdir -p "$work/src/aigate"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard) |
		grep -zEv '^build[^/]*/' |
		(cd "$top" && while IFS= read -r -d '' f; do
			[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
		done) |
		tar -C "$top" --null -T - -cf - | tar -C "$work/src/aigate" -xf -
else
	tar -C "$top" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$work/src/aigate" -xf -
fi
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
start=$(date +%s)
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck}
echo "# DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS"
if (cd "$work/src/aigate" && dpkg-buildpackage -us -uc -b -J"$(nproc)") >"$out/build.log" 2>&1 &&
	cp "$work"/src/*.deb "$work"/src/*.changes "$work"/src/*.buildinfo "$out"/ &&
	deb=$(ls "$out"/aigate_*.deb 2>/dev/null | head -n 1) && [ -n "$deb" ]; then
	ok "dpkg-buildpackage -us -uc -b: $(basename "$deb") ($(($(date +%s) - start)) s)"
	grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/build.log" | sed 's/^/  build-time tests: /'
else
	tail -40 "$out/build.log"
	notok "dpkg-buildpackage -us -uc -b (see $out/build.log)"
	finish
fi
fi
changes=$(ls "$out"/aigate_*.changes | head -n 1)

# ---------------------------------------------------------------- lintian
if lintian --fail-on error,warning --display-info --tag-display-limit 0 "$changes" >"$out/lintian.log" 2>&1; then
	ok "lintian: no error or warning ($(grep -c '^[IP]:' "$out/lintian.log") info tags; log $out/lintian.log)"
else
	cat "$out/lintian.log"
	notok "lintian: errors or warnings (see $out/lintian.log)"
fi
sed 's/^/  /' "$out/lintian.log"

# ---------------------------------------------------------------- completion
x=$work/x
mkdir -p "$x"
dpkg-deb -x "$deb" "$x"
comp_check() {
	local ctl=$x/usr/bin/aigatectl verb o missing=""
	# shellcheck disable=SC1091
	. "$x/usr/share/bash-completion/completions/aigatectl" || return 1
	for verb in $("$ctl" --help | sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p'); do
		# shellcheck disable=SC2154 # from the completion file
		case " ${_aigatectl_verbs//$'\n'/ } " in
		*" $verb "*) ;;
		*) missing="$missing verb:$verb" ;;
		esac
		# options in the verb's help, less other verbs' usage lines
		# (list and show share one help text)
		for o in $("$ctl" "$verb" --help 2>&1 | grep -Ev "^(usage:)? +aigatectl [a-z]" |
			cat - <("$ctl" "$verb" --help 2>&1 | grep -E "^(usage:)? +aigatectl $verb( |\$)") | grep -oE -- '(^|[][ (|,])--?[a-z][a-z-]*' | sed 's/^[^-]*//' | sort -u); do
			case $o in -h | --help) continue ;; esac
			case " $(_aigatectl_opts "$verb" | sed 's/=//g') " in
			*" $o "*) ;;
			*) missing="$missing $verb:$o" ;;
			esac
		done
	done
	if [ -n "$missing" ]; then
		echo "not in completion/aigatectl.bash:$missing"
		return 1
	fi
}
if out_c=$(comp_check 2>&1); then
	ok "bash completion knows every verb and option of aigatectl --help"
else
	echo "$out_c"
	notok "bash completion knows every verb and option of aigatectl --help"
fi

if [ "$build_only" = yes ]; then
	finish
fi
if [ "$(id -u)" != 0 ]; then
	skipped "install into a throw-away root (needs root)"
	finish
fi

# ---------------------------------------------------------------- root
R=$work/root
: >"$out/root.log"
echo "# throw-away root $R (log: $out/root.log)"
start=$(date +%s)

# Installed host packages: the closure of Depends/Pre-Depends (first
# installed alternative, or an installed provider) from the Essential
# packages and the package's own Depends.
closure() {
	local seed=$1
	{
		dpkg-query -W -f='${db:Status-Abbrev}\t${binary:Package}\t${Package}\t${Provides}\t${Pre-Depends}\t${Depends}\n'
		printf 'ii \tSEED\tSEED\t\t\t%s\n' "$seed"
	} | awk -F'\t' '
	$1 ~ /^ii/ {
		name = $3; bin[name] = $2
		n = split($4, pv, / *, */)
		for (i = 1; i <= n; i++) { p = pv[i]; sub(/[ (:].*/, "", p); if (p != "" && !(p in prov)) prov[p] = name }
		deps[name] = $5 (($5 != "" && $6 != "") ? ", " : "") $6
	}
	END {
		q[1] = "SEED"; head = 1; tail = 1; bad = 0
		while (head <= tail) {
			pkg = q[head++]
			if (pkg in seen) continue
			seen[pkg] = 1
			if (pkg != "SEED") print bin[pkg]
			m = split(deps[pkg], dl, / *, */)
			for (j = 1; j <= m; j++) {
				k = split(dl[j], alt, / *\| */); chosen = ""
				for (a = 1; a <= k; a++) {
					x = alt[a]; sub(/^ +/, "", x); sub(/[ (].*/, "", x); sub(/:.*/, "", x)
					if (x in bin) { chosen = x; break }
					if (x in prov) { chosen = prov[x]; break }
				}
				if (chosen != "") q[++tail] = chosen
				else if (dl[j] != "") { print "unsatisfied: " dl[j] " (of " pkg ")" > "/dev/stderr"; bad = 1 }
			}
		}
		exit bad
	}'
}
# Essential and Priority required (what every Debian system has; awk,
# which aigate-firewall uses, is one: mawk).
essential=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Essential} ${Priority}\n' |
	awk '$1 ~ /^ii/ && ($3 == "yes" || $4 == "required") { printf "%s, ", $2 }')
pkgdeps=$(dpkg-deb -f "$deb" Pre-Depends Depends | sed -n 's/^[A-Za-z-]*: //p' | paste -sd, -)
# logrotate (recommended) when this host has it: its configuration is checked too
if dpkg-query -W -f='${db:Status-Abbrev}' logrotate 2>/dev/null | grep -q '^ii'; then
	pkgdeps="$pkgdeps, logrotate"
fi
if ! pkgs=$(closure "${essential}${pkgdeps}" 2>>"$out/root.log"); then
	notok "the package's Depends are satisfied by this host's packages (see $out/root.log)"
	finish
fi

mkdir -p "$R"/usr/{bin,sbin,lib} "$R"/{etc,tmp,run,proc,dev,var/log,var/lib/dpkg/{info,updates,triggers,alternatives}}
chmod 1777 "$R/tmp"
for d in bin sbin lib lib32 lib64 libx32; do
	if [ -L "/$d" ]; then
		mkdir -p "$R/usr/$d"
		ln -s "usr/$d" "$R/$d"
	fi
done
# The packages' files as installed here (dpkg -L), without documentation.
# shellcheck disable=SC2086
dpkg-query -L $pkgs 2>/dev/null | grep '^/' | sort -u |
	grep -Ev '^/(bin|sbin|lib|lib32|lib64|libx32)$|^/usr/share/(doc|man|info|locale|lintian)/' |
	sed 's|^/||' >"$work/files"
tar -C / --no-recursion --ignore-failed-read -T "$work/files" -cf - 2>>"$out/root.log" |
	tar -C "$R" --keep-directory-symlink -xf - 2>>"$out/root.log"
for p in $pkgs; do
	cp -p "/var/lib/dpkg/info/$p.list" "$R/var/lib/dpkg/info/" 2>/dev/null
done
# The alternatives (awk -> mawk ...) whose chosen file is in the root:
# the link, /etc/alternatives/NAME and the database entry, as here.
mkdir -p "$R/etc/alternatives"
for f in /var/lib/dpkg/alternatives/*; do
	[ -f "$f" ] || continue
	# line 2: the master link; then (name, link) pairs of the slaves up
	# to an empty line
	awk -v m="${f##*/}" 'NR == 2 { print m, $0; next }
		NR > 2 { if ($0 == "") exit; if (!n) { name = $0; n = 1 } else { print name, $0; n = 0 } }' "$f" |
	while read -r name link; do
		target=$(readlink "/etc/alternatives/$name") || continue
		[ -e "$R$target" ] || continue
		ln -sfn "$target" "$R/etc/alternatives/$name"
		mkdir -p "$R${link%/*}"
		ln -sfn "/etc/alternatives/$name" "$R$link"
	done
	if [ -e "$R$(readlink "/etc/alternatives/${f##*/}")" ]; then
		cp -p "$f" "$R/var/lib/dpkg/alternatives/"
	fi
done
# shellcheck disable=SC2086
dpkg-query -s $pkgs >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
cp /usr/share/base-passwd/passwd.master "$R/etc/passwd"
cp /usr/share/base-passwd/group.master "$R/etc/group"
install -m 0640 /dev/null "$R/etc/shadow"
install -m 0640 /dev/null "$R/etc/gshadow"
[ -e "$R/bin/sh" ] || ln -s dash "$R/bin/sh"
for n in "null 1 3" "zero 1 5" "random 1 8" "urandom 1 9"; do
	# shellcheck disable=SC2086 # split on purpose
	set -- $n
	mknod -m 0666 "$R/dev/$1" c "$2" "$3"
done
# A stand-in nft: records its calls, and says the aigate table exists so
# that `aigate-firewall remove` deletes it.
mkdir -p "$R/usr/local/sbin"
cat >"$R/usr/local/sbin/nft" <<'EOF'
#!/bin/sh
echo "nft $*" >>/var/log/fake-nft.log
case "$*" in
"list table inet aigate" | "delete table inet aigate") exit 0 ;;
esac
exit 1
EOF
chmod 0755 "$R/usr/local/sbin/nft"
echo "# $(echo "$pkgs" | wc -w) host packages, $(du -sm "$R" | cut -f1) MB, $(($(date +%s) - start)) s"

# A command in the throw-away root's namespaces: private mounts (/proc of
# the root), no network but loopback; dpkg chroots for maintainer scripts.
ns() {
	# shellcheck disable=SC2016 # $1 and $@ are the inner shell's
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
		unshare --mount --net -- /bin/sh -c 'r=$1; shift; mount -t proc proc "$r/proc" && exec "$@"' ns "$R" "$@" </dev/null
}
inroot() { ns chroot "$R" "$@"; }
dpkg_root() { ns dpkg --root="$R" "$@"; }
has() { grep -q -- "$2" "$1"; }
mode() { [ "$(inroot stat -c '%U:%G %a' "$1" 2>/dev/null)" = "$2" ]; } # the root's names
serial=$(sed -n 's/^serial *= *\([0-9]*\)L\{0,1\};.*/\1/p' "$x/usr/share/aigate/list.conf" | head -n 1)

t "dpkg --root -i installs the package (maintainer scripts chrooted)" dpkg_root -i "$deb"
t "postinst: user and group aigate (sysusers)" sh -c "grep -q '^aigate:' '$R/etc/passwd' && grep -q '^aigate:' '$R/etc/group'"
t "postinst: the shipped list installed as /var/lib/aigate/list.conf" cmp "$R/usr/share/aigate/list.conf" "$R/var/lib/aigate/list.conf"
t "postinst: /var/log/aigate aigate:aigate 0750 (tmpfiles)" mode /var/log/aigate "aigate:aigate 750"
t "postinst: /run/aigate root:aigate 0750 (tmpfiles)" mode /run/aigate "root:aigate 750"
t "postinst: /var/lib/aigate root:root 0755" mode /var/lib/aigate "root:root 755"
t "postinst: aigated.service and aigate-firewall.service enabled" \
	test -L "$R/etc/systemd/system/multi-user.target.wants/aigated.service" -a \
	-L "$R/etc/systemd/system/multi-user.target.wants/aigate-firewall.service"
t "postinst: aigate-update.timer not enabled" test ! -e "$R/etc/systemd/system/timers.target.wants/aigate-update.timer"
t "units: ExecStart with the installed paths" sh -c "
	grep -qx 'ExecStart=/usr/sbin/aigated -c /etc/aigate/aigate.conf' '$R/lib/systemd/system/aigated.service' &&
	grep -q '^ExecStart=/usr/sbin/aigate-firewall install' '$R/lib/systemd/system/aigate-firewall.service' &&
	! grep -Eq '/usr/local/s?bin' '$R'/lib/systemd/system/aigate*"
t "logrotate: create 0640 aigate aigate, aigatectl reopen" sh -c "
	grep -q 'create 0640 aigate aigate' '$R/etc/logrotate.d/aigate' &&
	grep -q '/usr/bin/aigatectl reopen' '$R/etc/logrotate.d/aigate'"
if [ -x "$R/usr/sbin/logrotate" ]; then
	t "logrotate -d accepts /etc/logrotate.d/aigate" inroot /usr/sbin/logrotate -d -s /tmp/logrotate.state /etc/logrotate.d/aigate
	echo '{"v":1}' >"$R/var/log/aigate/events.json"
	inroot chown aigate:aigate /var/log/aigate/events.json
	t "logrotate -f rotates events.json, new file aigate:aigate 0640" sh -c "
		chroot '$R' /usr/sbin/logrotate -f -s /tmp/logrotate.state /etc/logrotate.d/aigate &&
		test -s '$R/var/log/aigate/events.json.1' && test ! -s '$R/var/log/aigate/events.json' &&
		[ \"\$(chroot '$R' stat -c '%U:%G %a' /var/log/aigate/events.json)\" = 'aigate:aigate 640' ]"
else
	skipped "logrotate -d /etc/logrotate.d/aigate (logrotate not installed here)"
fi
t "conffiles: /etc/aigate/aigate.conf, /etc/logrotate.d/aigate" sh -c "
	dpkg-query --admindir='$R/var/lib/dpkg' -W -f='\${Conffiles}\n' aigate >'$work/conffiles' &&
	grep -q ' /etc/aigate/aigate.conf ' '$work/conffiles' && grep -q ' /etc/logrotate.d/aigate ' '$work/conffiles'"
t "bash completion for aigatectl, aigated, aigate-firewall" test -f "$R/usr/share/bash-completion/completions/aigatectl" -a \
	-e "$R/usr/share/bash-completion/completions/aigated" -a -e "$R/usr/share/bash-completion/completions/aigate-firewall"
t "sysusers.d/aigate.conf, tmpfiles.d/aigate.conf" test -f "$R/usr/lib/sysusers.d/aigate.conf" -a -f "$R/usr/lib/tmpfiles.d/aigate.conf"

inroot /usr/sbin/aigated -n >"$work/n.out" 2>&1
rc=$?
cat "$work/n.out" >>"$out/root.log"
if [ $rc = 0 ] && grep -q "configuration OK: .*list serial $serial" "$work/n.out" && ! grep -q warning "$work/n.out"; then
	ok "aigated -n (compiled-in /etc/aigate/aigate.conf, list serial $serial, no warning)"
else
	sed 's/^/  /' "$work/n.out"
	notok "aigated -n (compiled-in /etc/aigate/aigate.conf, list serial $serial, no warning)"
fi
t "aigated -n as user aigate (it reloads as that user)" inroot chroot --userspec=aigate:aigate / /usr/sbin/aigated -n
inroot /usr/bin/aigatectl check chatgpt.com >"$work/check.out" 2>&1
rc=$?
cat "$work/check.out" >>"$out/root.log"
if [ $rc = 0 ] && grep -q '^chatgpt\.com$' "$work/check.out" && grep -q 'service: *chatgpt' "$work/check.out" &&
	grep -q 'action: *block' "$work/check.out"; then
	ok "aigatectl check chatgpt.com: service chatgpt, action block"
else
	sed 's/^/  /' "$work/check.out"
	notok "aigatectl check chatgpt.com: service chatgpt, action block"
fi
t "aigatectl lint --config /etc/aigate/aigate.conf" inroot /usr/bin/aigatectl lint --config /etc/aigate/aigate.conf

# Upgrade (the same package again): edited configuration and list stay.
echo "# local edit" >>"$R/etc/aigate/aigate.conf"
echo "# newer list" >>"$R/var/lib/aigate/list.conf"
t "upgrade: dpkg --root -i again" dpkg_root -i "$deb"
t "upgrade: edited /etc/aigate/aigate.conf kept (conffile)" has "$R/etc/aigate/aigate.conf" "# local edit"
t "upgrade: installed list kept" has "$R/var/lib/aigate/list.conf" "# newer list"
t "upgrade: aigated -n" inroot /usr/sbin/aigated -n

t "remove: dpkg --root -r" dpkg_root -r aigate
t "remove: prerm removed the firewall rules (aigate-firewall remove -> nft delete table)" \
	has "$R/var/log/fake-nft.log" "nft delete table inet aigate"
t "remove: programs gone, configuration and list kept" sh -c "
	test ! -e '$R/usr/sbin/aigated' -a ! -e '$R/usr/bin/aigatectl' -a ! -e '$R/usr/sbin/aigate-firewall' &&
	test -f '$R/etc/aigate/aigate.conf' -a -f '$R/var/lib/aigate/list.conf'"
t "purge: dpkg --root -P" dpkg_root -P aigate
t "purge: configuration, list, logs and unit links gone" sh -c "
	test ! -e '$R/etc/aigate/aigate.conf' -a ! -e '$R/var/lib/aigate' -a ! -e '$R/var/log/aigate' &&
	test ! -e '$R/etc/systemd/system/multi-user.target.wants/aigated.service'"
echo "# throw-away root: $(($(date +%s) - start)) s"
finish
