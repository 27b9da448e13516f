# aigate: build, test, install.
#
#   make            build aigatectl (and aigated once it exists) into build/
#   make check      unit, scenario, fuzz-replay and integration tests
#   make SAN=1 check   the same with AddressSanitizer and UBSan
#   make fuzz FUZZ_SECONDS=N   libFuzzer (clang) on every target
#   make bench      benchmarks (see tests/bench/)
#   make install    DESTDIR, PREFIX, SYSCONFDIR, LOCALSTATEDIR honoured
#
# Missing Debian packages are installed by mk/deps.sh (root), so a fresh
# Debian 12 machine needs nothing but `sudo make check`.

PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config

ifeq ($(SAN),1)
B := build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
B := build
SANFLAGS :=
endif

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wconversion \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla -Werror
HARDEN := -fstack-protector-strong -fPIE
ifneq ($(SAN),1)
HARDEN += -D_FORTIFY_SOURCE=3
endif
OPT ?= -O2 -g
CFLAGS ?=
CFLAGS += -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(SANFLAGS) -MMD -MP
LDFLAGS += -pie -Wl,-z,relro,-z,now $(SANFLAGS)

# Paths compiled in (overridable for the lab and tests).
DEFS := -DAIGATE_SYSCONFDIR='"$(SYSCONFDIR)"' -DAIGATE_LOCALSTATEDIR='"$(LOCALSTATEDIR)"' \
	-DAIGATE_DATADIR='"$(DATADIR)"' -DAIGATE_RUNSTATEDIR='"/run"'

pc = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pl = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

CORE_PKGS := libcrypto
CONF_PKGS := libconfig
CTL_PKGS := libpcap jansson libcurl libcrypto libconfig zlib
DAEMON_PKGS := libnetfilter_queue libmnl libsystemd libseccomp libconfig libcrypto
TEST_PKGS := cmocka libconfig libcrypto libpcap jansson

CORE_SRC := $(sort $(wildcard daemon/core/*.c))
CONF_SRC := daemon/config.c
CTL_SRC := $(sort $(wildcard tools/*.c))
DAEMON_SRC := $(filter-out daemon/config.c,$(sort $(wildcard daemon/*.c)))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
CONF_OBJ := $(CONF_SRC:%.c=$(B)/%.o)
CTL_OBJ := $(CTL_SRC:%.c=$(B)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(B)/%.o)
HELPER_OBJ := $(HELPER_SRC:%.c=$(B)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# Fuzz targets are always replayed with sanitizers, whatever SAN says.
FUZZ_REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz-replay/%)

LIBCORE := $(B)/libaigate-core.a
LIBCONF := $(B)/libaigate-config.a
AIGATECTL := $(B)/aigatectl
AIGATED := $(if $(DAEMON_SRC),$(B)/aigated)

.PHONY: all deps check check-unit check-scenario check-fuzz check-integration \
	check-lint demo bench bench-quick fuzz install clean analyze

all: $(B)/.deps $(AIGATECTL) $(AIGATED)

$(B)/.deps: mk/deps.sh
	@mkdir -p $(B)
	mk/deps.sh build
	@touch $@

deps:
	mk/deps.sh all

$(B)/daemon/core/%.o: daemon/core/%.c | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEFS) $(call pc,$(CORE_PKGS)) -Idaemon/core -c $< -o $@

$(B)/daemon/%.o: daemon/%.c | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEFS) $(call pc,$(DAEMON_PKGS)) -Idaemon -Idaemon/core -c $< -o $@

$(B)/tools/%.o: tools/%.c | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEFS) $(call pc,$(CTL_PKGS)) -Itools -Idaemon -Idaemon/core -c $< -o $@

$(B)/tests/helpers/%.o: tests/helpers/%.c | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(call pc,$(TEST_PKGS)) -Itests/helpers -Idaemon -Idaemon/core -c $< -o $@

$(B)/tests/unit/%.o: tests/unit/%.c | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(call pc,$(TEST_PKGS)) -Itests/helpers -Idaemon -Idaemon/core -c $< -o $@

$(LIBCORE): $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(LIBCONF): $(CONF_OBJ)
	rm -f $@ && ar rcs $@ $^

$(AIGATECTL): $(CTL_OBJ) $(LIBCONF) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pl,$(CTL_PKGS)) -lm

$(B)/aigated: $(DAEMON_OBJ) $(LIBCONF) $(LIBCORE)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(call pl,$(DAEMON_PKGS))

# Small programs the integration tests run (clients built from the test
# helpers): tests/tools/X.c -> $(B)/tests/tools/X.
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(B)/tests/tools/%)
$(B)/tests/tools/%: tests/tools/%.c $(HELPER_OBJ) $(LIBCONF) $(LIBCORE) | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(call pc,$(TEST_PKGS)) -Itests/helpers -Idaemon -Idaemon/core \
		$(LDFLAGS) -o $@ $< $(HELPER_OBJ) $(LIBCONF) $(LIBCORE) $(call pl,$(TEST_PKGS)) -lm

$(B)/tests/%: $(B)/tests/unit/%.o $(HELPER_OBJ) $(LIBCONF) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pl,$(TEST_PKGS)) -lm

# --- tests ------------------------------------------------------------
check: $(B)/.deps-test all $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_REPLAY_BIN)
	@tests/run-checks.sh "$(B)" "$(SAN)"

$(B)/.deps-test: mk/deps.sh
	@mkdir -p $(B)
	mk/deps.sh test
	@touch $@

check-unit: all $(UNIT_BIN)
	@tests/run-checks.sh "$(B)" "$(SAN)" unit

check-scenario: all
	@tests/run-checks.sh "$(B)" "$(SAN)" scenario

check-fuzz: $(FUZZ_REPLAY_BIN)
	@tests/run-checks.sh "$(B)" "$(SAN)" fuzz

check-integration: all $(TOOL_BIN)
	@tests/run-checks.sh "$(B)" "$(SAN)" integration

# Fuzz targets built with gcc and the replay driver: make check replays
# every corpus under ASan and UBSan.
FZ_FLAGS := -std=c17 -D_GNU_SOURCE -O1 -g $(WARN) -Wno-missing-prototypes \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FZ_CORE := $(CORE_SRC) $(CONF_SRC)
# A target's "fuzz-build:" comment line adds defines, include paths,
# tools/ sources and libraries (-l...) to its build.
fz_extra = $(shell sed -n 's/^.*fuzz-build: \([^*]*\).*$$/\1/p' $(1))
build-fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(FZ_CORE) $(wildcard daemon/core/*.h) daemon/config.h $(wildcard tools/*.[ch]) | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(FZ_FLAGS) $(DEFS) -Idaemon -Idaemon/core -Itests/helpers $(call pc,$(CORE_PKGS) $(CONF_PKGS)) \
		-o $@ $< $(filter-out -l%,$(call fz_extra,$<)) tests/fuzz/replay.c $(FZ_CORE) $(HELPER_SRC) \
		$(call pl,$(CORE_PKGS) $(CONF_PKGS) libpcap) $(filter -l%,$(call fz_extra,$<)) -lm

# libFuzzer proper (clang): make fuzz FUZZ_SECONDS=60
FUZZ_SECONDS ?= 60
fuzz: $(B)/.deps
	tests/fuzz/run-libfuzzer.sh $(FUZZ_SECONDS)

bench: $(B)/.deps-bench all
	tests/bench/run.sh

analyze:
	$(MAKE) clean
	$(MAKE) CFLAGS=-fanalyzer all
	cppcheck --quiet --enable=warning,portability --error-exitcode=1 --inline-suppr \
		-Idaemon/core daemon tools

demo: $(B)/.deps-demo all
	tests/lab/demo.sh

$(B)/.deps-demo: mk/deps.sh
	@mkdir -p $(B)
	mk/deps.sh demo
	@touch $@

# --- install ------------------------------------------------------------
# make install [DESTDIR=...] [PREFIX=/usr/local] [SYSCONFDIR=/etc] [LOCALSTATEDIR=/var]
#   $(SBINDIR)/aigated, $(SBINDIR)/aigate-firewall, $(BINDIR)/aigatectl
#   $(DATADIR)/aigate/list.conf (+ .minisig)  the shipped list, and aigate.nft
#   $(LOCALSTATEDIR)/lib/aigate/list.conf      a copy of it, only when no list
#       is installed there (never overwrites a possibly newer one; packages
#       set INSTALL_STATE=no and do this in their postinst)
#   $(SYSCONFDIR)/aigate/aigate.conf (never overwritten), contracts.d/
#   units in SYSTEMDUNITDIR, sysusers.d/aigate.conf, tmpfiles.d/aigate.conf,
#   $(SYSCONFDIR)/logrotate.d/aigate, bash completion, man pages from man/
# Absolute paths in the units, the configuration, tmpfiles.d, logrotate,
# the completion and the man pages are rewritten to the installed ones
# (INSTALL_SUBST).  The binaries' defaults come from DEFS: build with the
# same variables (install refuses binaries whose compiled-in paths differ).
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),$(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null),/usr/lib/systemd/system),$(PREFIX)/lib/systemd/system)
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
INSTALL_STATE ?= yes
UNITS := $(sort $(wildcard systemd/*.service systemd/*.timer))
MANPAGES := $(sort $(wildcard man/*.5 man/*.8))
INSTALL_SUBST = sed -e 's|/usr/local/sbin/|$(SBINDIR)/|g' -e 's|/usr/local/bin/|$(BINDIR)/|g' \
	-e 's|/etc/aigate|$(SYSCONFDIR)/aigate|g' -e 's|/etc/default/aigate|$(SYSCONFDIR)/default/aigate|g' \
	-e 's|/var/lib/aigate|$(LOCALSTATEDIR)/lib/aigate|g' -e 's|/var/log/aigate|$(LOCALSTATEDIR)/log/aigate|g' \
	-e 's|/usr/share/aigate|$(DATADIR)/aigate|g'
STATE_LIST = $(DESTDIR)$(LOCALSTATEDIR)/lib/aigate/list.conf

.PHONY: uninstall deb deb-check

install: all
	@for b in $(AIGATECTL) $(AIGATED); do \
		for p in "$(SYSCONFDIR)/aigate/aigate.conf" "$(LOCALSTATEDIR)/lib/aigate/list.conf"; do \
			tr '\0' '\n' <$$b | grep -qxF "$$p" || { \
				echo "install: $$b was built with other paths than $$p;" \
					"make clean, then build and install with the same PREFIX, SYSCONFDIR, LOCALSTATEDIR" >&2; \
				exit 1; }; \
		done; \
	done
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/aigate
	install -m 0755 $(AIGATECTL) $(DESTDIR)$(BINDIR)/aigatectl
	$(if $(AIGATED),install -m 0755 $(AIGATED) $(DESTDIR)$(SBINDIR)/aigated)
	install -m 0755 systemd/aigate-firewall $(DESTDIR)$(SBINDIR)/aigate-firewall
	install -m 0644 rules/list.conf systemd/aigate.nft $(DESTDIR)$(DATADIR)/aigate/
	if [ -e rules/list.conf.minisig ]; then \
		install -m 0644 rules/list.conf.minisig $(DESTDIR)$(DATADIR)/aigate/; fi
	if [ "$(INSTALL_STATE)" = yes ] && [ ! -e $(STATE_LIST) ]; then \
		install -d $(DESTDIR)$(LOCALSTATEDIR)/lib/aigate && \
		install -m 0644 rules/list.conf $(STATE_LIST) && \
		if [ -e rules/list.conf.minisig ]; then \
			install -m 0644 rules/list.conf.minisig $(STATE_LIST).minisig; fi; fi
	install -d $(DESTDIR)$(SYSCONFDIR)/aigate/contracts.d
	test -e $(DESTDIR)$(SYSCONFDIR)/aigate/aigate.conf || { \
		$(INSTALL_SUBST) etc/aigate.conf >$(DESTDIR)$(SYSCONFDIR)/aigate/aigate.conf && \
		chmod 0644 $(DESTDIR)$(SYSCONFDIR)/aigate/aigate.conf; }
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d $(DESTDIR)$(BASHCOMPDIR)
	for u in $(UNITS); do \
		$(INSTALL_SUBST) $$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} || exit 1; done
	install -m 0644 systemd/aigate.sysusers $(DESTDIR)$(SYSUSERSDIR)/aigate.conf
	$(INSTALL_SUBST) systemd/aigate.tmpfiles >$(DESTDIR)$(TMPFILESDIR)/aigate.conf
	$(INSTALL_SUBST) systemd/aigate.logrotate >$(DESTDIR)$(SYSCONFDIR)/logrotate.d/aigate
	chmod 0644 $(DESTDIR)$(TMPFILESDIR)/aigate.conf $(DESTDIR)$(SYSCONFDIR)/logrotate.d/aigate
	$(INSTALL_SUBST) completion/aigatectl.bash >$(DESTDIR)$(BASHCOMPDIR)/aigatectl
	chmod 0644 $(DESTDIR)$(BASHCOMPDIR)/aigatectl
	ln -sf aigatectl $(DESTDIR)$(BASHCOMPDIR)/aigated
	ln -sf aigatectl $(DESTDIR)$(BASHCOMPDIR)/aigate-firewall
	for m in $(MANPAGES); do \
		install -d $(DESTDIR)$(MANDIR)/man$${m##*.} && \
		$(INSTALL_SUBST) $$m >$(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/} && \
		chmod 0644 $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/} || exit 1; done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v systemd-sysusers >/dev/null; then \
		echo "systemd-sysusers, systemd-tmpfiles --create (user aigate, /run /var/lib /var/log dirs)"; \
		systemd-sysusers $(SYSUSERSDIR)/aigate.conf && \
		systemd-tmpfiles --create $(TMPFILESDIR)/aigate.conf; \
		echo "then: systemctl daemon-reload; systemctl enable --now aigated.service"; fi

# Removes what install put in place, except the configuration
# ($(SYSCONFDIR)/aigate) and the state ($(LOCALSTATEDIR)/lib/aigate,
# $(LOCALSTATEDIR)/log/aigate); the logrotate file goes, since it runs
# aigatectl.  The user aigate stays.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/aigatectl $(DESTDIR)$(SBINDIR)/aigated $(DESTDIR)$(SBINDIR)/aigate-firewall
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/aigate/,list.conf list.conf.minisig aigate.nft)
	-rmdir $(DESTDIR)$(DATADIR)/aigate 2>/dev/null
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS)))
	rm -f $(DESTDIR)$(SYSUSERSDIR)/aigate.conf $(DESTDIR)$(TMPFILESDIR)/aigate.conf
	rm -f $(DESTDIR)$(SYSCONFDIR)/logrotate.d/aigate
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,aigatectl aigated aigate-firewall)
	rm -f $(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))

# --- Debian package -----------------------------------------------------
# make deb: dpkg-buildpackage -us -uc -b in a copy of this tree (the
# build cleans its tree), packages and lintian's output in $(B)/deb/.
# make deb-check: that, lintian clean, and the package installed into a
# throw-away root where aigated -n and aigatectl check run (root).
deb: $(B)/.deps-deb
	tests/deb/run.sh --build-only $(B)/deb

deb-check: $(B)/.deps-deb
	tests/deb/run.sh $(B)/deb

$(B)/.deps-deb: mk/deps.sh
	@mkdir -p $(B)
	mk/deps.sh deb
	@touch $@

clean:
	rm -rf build build-san build-fuzz-replay build-fuzz

.SECONDARY:

-include $(shell find $(B) build-fuzz-replay -name '*.d' 2>/dev/null)

$(B)/.deps-bench: mk/deps.sh
	@mkdir -p $(B)
	mk/deps.sh bench
	@touch $@

# A bench that finishes in under two minutes: fewer packets, one run.
bench-quick: $(B)/.deps-bench all
	BENCH_PACKETS=100000 BENCH_REPS=1 BENCH_CALLGRIND=0 tests/bench/run.sh
