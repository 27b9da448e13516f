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

$(B)/tests/%: $(B)/tests/unit/%.o $(HELPER_OBJ) $(LIBCONF) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pl,$(TEST_PKGS)) -lm

# --- tests ------------------------------------------------------------
check: $(B)/.deps-test all $(UNIT_BIN) $(FUZZ_REPLAY_BIN)
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

check-integration: all
	@tests/run-checks.sh "$(B)" "$(SAN)" integration

# Fuzz targets built with gcc and the replay driver: make check replays
# every corpus under ASan and UBSan.
FZ_FLAGS := -std=c17 -D_GNU_SOURCE -O1 -g $(WARN) -Wno-missing-prototypes \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FZ_CORE := $(CORE_SRC) $(CONF_SRC)
build-fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(FZ_CORE) $(wildcard daemon/core/*.h) daemon/config.h | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(FZ_FLAGS) $(DEFS) -Idaemon -Idaemon/core -Itests/helpers $(call pc,$(CORE_PKGS) $(CONF_PKGS)) \
		-o $@ $< tests/fuzz/replay.c $(FZ_CORE) $(HELPER_SRC) $(call pl,$(CORE_PKGS) $(CONF_PKGS) libpcap) -lm

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

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/aigate
	install -m 0755 $(AIGATECTL) $(DESTDIR)$(BINDIR)/aigatectl
	$(if $(AIGATED),install -d $(DESTDIR)$(SBINDIR) && install -m 0755 $(AIGATED) $(DESTDIR)$(SBINDIR)/aigated)
	install -m 0644 rules/list.conf $(DESTDIR)$(DATADIR)/aigate/list.conf
	install -d $(DESTDIR)$(SYSCONFDIR)/aigate/contracts.d
	test -e $(DESTDIR)$(SYSCONFDIR)/aigate/aigate.conf || \
		install -m 0644 etc/aigate.conf $(DESTDIR)$(SYSCONFDIR)/aigate/aigate.conf

clean:
	rm -rf build build-san build-fuzz-replay build-fuzz

-include $(shell find $(B) build-fuzz-replay -name '*.d' 2>/dev/null)

$(B)/.deps-bench: mk/deps.sh
	@mkdir -p $(B)
	mk/deps.sh bench
	@touch $@

# A bench that finishes in under two minutes: fewer packets, one run.
bench-quick: $(B)/.deps-bench all
	BENCH_PACKETS=100000 BENCH_REPS=1 BENCH_CALLGRIND=0 tests/bench/run.sh
