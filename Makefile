# euicc-sim: a software SGP.22 v2.3 eUICC on vsmartcard's vpcd.
#
#   make run      install what is missing, build, bring up pcscd + vpcd, start a card
#   make check    install, build, run every test (plain and under ASan+UBSan)
#   make bench    print the measured APDU round trip against a do-nothing card
#
# Plain make: override CC, CFLAGS, BUILD as usual.

CC      ?= cc
BUILD   ?= build
CFLAGS  ?= -O2 -g
SAN     ?=
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -I. -I$(BUILD)/gen \
	-DSIM_DATADIR='"$(CURDIR)"' $(SAN)
LDFLAGS ?=
override LDFLAGS += $(SAN)
LDLIBS  = -lcrypto -ltasn1

PCSC_CFLAGS := $(shell pkg-config --cflags libpcsclite 2>/dev/null || echo -I/usr/include/PCSC)
PCSC_LIBS   := $(shell pkg-config --libs libpcsclite 2>/dev/null || echo -lpcsclite)
CHECK_LIBS  := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

# The card: the OS (sim/) and its applications. sim/host/ is what runs
# around it: the assembly of the eUICC, the config parser and the APDU
# trace writers (linked into the tests, fuzzers and benchmarks too), the
# CLI and the vpcd loop.
CARD_SRC = $(wildcard sim/*.c ecasd/*.c isdr/*.c isdp/*.c isdp/naa/*.c profiles/*.c) \
	sim/host/euicc.c sim/host/config.c sim/host/fault.c sim/host/json.c sim/host/trace.c \
	sim/host/report.c
# The rest of the program: CLI, event loop, vpcd link, control socket.
HOST_SRC = sim/host/main.c sim/host/loop.c sim/host/vpcd.c sim/host/control.c
# libtasn1 modules, compiled by asn1Parser: name_asn1_tab from each file.
ASN1_MODULES = isdr/rsp.asn:rsp isdr/state.asn:isdr_state isdp/state.asn:isdp_state profiles/pe.asn:pe
GEN_SRC  = $(foreach m,$(ASN1_MODULES),$(BUILD)/gen/$(lastword $(subst :, ,$(m)))_asn1_tab.c)
CARD_OBJ = $(CARD_SRC:%.c=$(BUILD)/obj/%.o) $(GEN_SRC:%.c=%.o)
UNIT_SRC = $(wildcard tests/unit/*.c)
# Test-side SM-DP+ (tests/smdp/): an independent implementation used by tests.
SMDP_SRC = $(wildcard tests/smdp/*.c)

SIM       = $(BUILD)/euicc-sim
UNIT      = $(BUILD)/check_unit
PCSC_TEST = $(BUILD)/pcsc-test
BENCH_CARD = $(BUILD)/vpcd-null-card
BENCH_DL  = $(BUILD)/bench-download
SOAK      = $(BUILD)/soak

.PHONY: all deps run check check-unit check-fuzz check-integration check-pki check-sanitize \
	bench fuzz fuzz-merge coverage soak clean keyperms cards cards-stop

all: $(SIM) $(UNIT) $(PCSC_TEST) $(BENCH_CARD) $(BENCH_DL) keyperms

# Private key files are kept 0600 (git stores them 0644).
keyperms:
	@chmod 600 certs/sgp26/*/SK_*.pem certs/private/*/SK_*.pem

define ASN1_RULE
$(BUILD)/gen/$(2)_asn1_tab.c: $(1)
	@mkdir -p $$(@D)
	asn1Parser -o $$@ -n $(2)_asn1_tab $$<
endef
$(foreach m,$(ASN1_MODULES),$(eval $(call ASN1_RULE,$(firstword $(subst :, ,$(m))),$(lastword $(subst :, ,$(m))))))

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CFLAGS) -Wno-missing-field-initializers -c -o $@ $<

HEADERS = $(wildcard */*.h */*/*.h)

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(SIM): $(HOST_SRC:%.c=$(BUILD)/obj/%.o) $(CARD_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(UNIT): $(UNIT_SRC) $(SMDP_SRC) $(CARD_OBJ) $(HEADERS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(UNIT_SRC) $(SMDP_SRC) $(CARD_OBJ) $(LDLIBS) $(CHECK_LIBS)

# The PC/SC client carries the test SM-DP+ (tests/smdp) and the ASN.1 glue.
PCSC_TEST_OBJ = $(BUILD)/obj/sim/asn1.o $(BUILD)/obj/sim/asn1_ext.o $(BUILD)/obj/sim/tlv.o $(BUILD)/obj/sim/log.o \
	$(BUILD)/gen/rsp_asn1_tab.o

PCSC_LIB = tests/integration/pcsc_lib.c
$(PCSC_TEST): tests/integration/pcsc_test.c $(PCSC_LIB) $(SMDP_SRC) $(PCSC_TEST_OBJ) tests/smdp/smdp.h \
		tests/integration/pcsc_lib.h
	$(CC) $(CFLAGS) $(PCSC_CFLAGS) $(LDFLAGS) -o $@ tests/integration/pcsc_test.c $(PCSC_LIB) $(SMDP_SRC) \
		$(PCSC_TEST_OBJ) $(PCSC_LIBS) $(LDLIBS)

$(SOAK): tests/soak/soak.c $(PCSC_LIB) $(SMDP_SRC) $(PCSC_TEST_OBJ) tests/smdp/smdp.h tests/integration/pcsc_lib.h
	$(CC) $(CFLAGS) $(PCSC_CFLAGS) $(LDFLAGS) -o $@ tests/soak/soak.c $(PCSC_LIB) $(SMDP_SRC) \
		$(PCSC_TEST_OBJ) $(PCSC_LIBS) $(LDLIBS)

$(BENCH_DL): tests/bench/bench_download.c $(SMDP_SRC) $(CARD_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ tests/bench/bench_download.c $(SMDP_SRC) $(CARD_OBJ) $(LDLIBS)

$(BENCH_CARD): tests/bench/vpcd_null_card.c
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# libFuzzer targets (tests/fuzz/): clang, ASan + UBSan; each target's
# corpus is tests/fuzz/NAME/. The card (and the test SM-DP+) is compiled
# once for all of them; fuzz_download_raw is fuzz_download.c built with
# FUZZ_DOWNLOAD_RAW. The same objects with clang's source-based coverage
# instead of the sanitizers give `make coverage`.
FUZZ_TARGETS = transact saip download download_raw profile state
FUZZ_CFLAGS = -std=gnu11 -g -Wall -Wextra -Werror -I. -I$(BUILD)/gen -DSIM_DATADIR='"$(CURDIR)"'
FUZZ_SAN = -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
COV_FLAGS = -O1 -fprofile-instr-generate -fcoverage-mapping
FUZZ_LIB_SRC = $(CARD_SRC) $(GEN_SRC) $(SMDP_SRC) tests/fuzz/fuzz_common.c

define FUZZ_BUILD
# $(1): build directory, $(2): instrumentation flags
$(1)/obj/%.o: %.c $$(HEADERS) tests/fuzz/fuzz_common.h
	@mkdir -p $$(@D)
	clang $$(FUZZ_CFLAGS) $(2) -fsanitize=fuzzer-no-link -Wno-missing-field-initializers -c -o $$@ $$<
$(1)/obj/fuzz_download_raw.o: tests/fuzz/fuzz_download.c $$(HEADERS) tests/fuzz/fuzz_common.h
	@mkdir -p $$(@D)
	clang $$(FUZZ_CFLAGS) $(2) -fsanitize=fuzzer-no-link -DFUZZ_DOWNLOAD_RAW -c -o $$@ $$<
$(1)/obj/fuzz_%.o: tests/fuzz/fuzz_%.c $$(HEADERS) tests/fuzz/fuzz_common.h
	@mkdir -p $$(@D)
	clang $$(FUZZ_CFLAGS) $(2) -fsanitize=fuzzer-no-link -c -o $$@ $$<
$(1)/fuzz_%: $(1)/obj/fuzz_%.o $$(FUZZ_LIB_SRC:%.c=$(1)/obj/%.o)
	clang $(2) -fsanitize=fuzzer -o $$@ $$^ $$(LDLIBS)
endef
# (objects are kept: make would delete them as intermediates)
.SECONDARY:
$(eval $(call FUZZ_BUILD,$(BUILD)/fuzz,$(FUZZ_SAN)))
$(eval $(call FUZZ_BUILD,$(BUILD)/cov,$(COV_FLAGS)))
FUZZ_BINS = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

check: deps
	@$(MAKE) --no-print-directory check-unit check-fuzz check-integration check-pki
	@$(MAKE) --no-print-directory check-sanitize

check-unit: $(UNIT) keyperms
	$(UNIT)

check-fuzz: $(FUZZ_BINS)
	scripts/fuzz-replay.sh $(BUILD)/fuzz $(FUZZ_TARGETS)

check-integration: $(SIM) $(PCSC_TEST) keyperms
	tests/integration/run.sh $(SIM) $(PCSC_TEST)
	tests/integration/listen.sh $(SIM) $(PCSC_TEST)
	tests/integration/faults.sh $(SIM) $(PCSC_TEST)
	tests/integration/report.sh $(SIM) $(PCSC_TEST)
	tests/integration/cards.sh $(PCSC_TEST)

# The private PKI generator (certs/mkpki) against the SGP.22 certificate profiles.
check-pki: $(SIM)
	tests/pki/run.sh

# The same suites again with AddressSanitizer and UndefinedBehaviorSanitizer.
check-sanitize:
	@$(MAKE) --no-print-directory BUILD=build-san CFLAGS="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		check-unit check-integration

bench: deps
	@$(MAKE) --no-print-directory all
	scripts/bench.sh $(SIM) $(BENCH_CARD)
	$(BENCH_DL) profiles/ts48 $${BENCH_RUNS:-10}

# N cards at once (default 16), each with its own EID, pcscd socket and
# reader; prints the JSON that scripts/euicc-cards writes.
cards: deps
	@$(MAKE) --no-print-directory all
	scripts/euicc-cards start $${N:-16} --dir $${DIR:-euicc-cards}

cards-stop:
	scripts/euicc-cards stop --dir $${DIR:-euicc-cards}

# Run one target (FUZZ_TARGET, default transact) for a while (FUZZ_SECONDS,
# default 60) on one core, growing its corpus in build/fuzz/corpus-NAME;
# merge finds into tests/fuzz/NAME with `-merge=1` (README, "Fuzzing").
FUZZ_TARGET ?= transact
fuzz: $(BUILD)/fuzz/fuzz_$(FUZZ_TARGET)
	scripts/fuzz-run.sh $(BUILD)/fuzz $(FUZZ_TARGET) $${FUZZ_SECONDS:-60}

# Merge build/fuzz/corpus-NAME into tests/fuzz/NAME, minimised.
fuzz-merge: $(BUILD)/fuzz/fuzz_$(FUZZ_TARGET)
	scripts/fuzz-run.sh $(BUILD)/fuzz $(FUZZ_TARGET) merge

# One card over PC/SC for SOAK_OPS operations (default 2000) in the order
# SOAK_SEED (default 1) draws; not part of check.
soak: deps
	@$(MAKE) --no-print-directory $(SIM) $(SOAK) keyperms
	tests/soak/run.sh $(SIM) $(SOAK)

# Line coverage of the card's folders reached by the fuzz corpora alone.
coverage: $(FUZZ_TARGETS:%=$(BUILD)/cov/fuzz_%)
	scripts/coverage.sh $(BUILD)/cov $(FUZZ_TARGETS)

clean:
	rm -rf build build-san
