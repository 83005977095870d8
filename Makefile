# gilscope - one entry point.
#   make            build build/gilscope (and the test programs)
#   make run        install missing packages, build, run the default comparison
#   make test       install missing packages, build, run unit + integration tests
#   make bench      overhead benchmark (traced vs untraced switch storm)
#   make mutate     plant known bugs one at a time; the tests must catch them
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       only install missing Debian packages
#   make sanitize   unit + integration tests built with ASan+UBSan (build-san/)
#   make fuzz       libFuzzer on the results.json reader (FUZZ_SECONDS=60)
#   make test-kernels  boot Debian 12's 6.1 and 6.1-rt kernels under QEMU and run
#                   doctor, a record and the integration tests in each
#                   (KERNEL_TESTS=smoke|truth|boot: less; KERNEL_TESTS_RT: the
#                   PREEMPT_RT kernel's own mode)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
OUT := build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
CHARTJS ?= /usr/share/javascript/chart.js/chart.min.js

comma := ,
WARN := -Wall -Wextra -Werror -Wno-unused-parameter
# CFLAGS, CPPFLAGS and LDFLAGS are the user's (`make CFLAGS='-O0 -g'`): they
# come after gilscope's own flags (GS_*), which a command line cannot drop.
CFLAGS ?= -O2 -g
# user/ is split by subsystem (cli, trace, results, output, common, ...); every
# subsystem folder is on the include path, so headers are included by name.
USER_DIRS := $(sort $(dir $(wildcard user/*/*.c user/*/*.h)))
USER_INC := $(patsubst %/,-I%,$(USER_DIRS))
GS_CPPFLAGS := -D_GNU_SOURCE -DGILSCOPE_VERSION='"$(VERSION)"' \
	  -I$(OUT) -Ibpf -Iuser $(USER_INC) -Iworkloads
GS_CFLAGS = $(WARN) -std=gnu11 $(GS_CPPFLAGS) $(CPPFLAGS) $(CFLAGS)
GS_LDFLAGS = $(GS_CFLAGS) $(LDFLAGS)
# the programs the integration tests trace (tests/progs): their own flags, so
# that make sanitize can leave them plain (see there)
PROGS_CFLAGS ?= $(CFLAGS)
PROGS_LDFLAGS ?= $(LDFLAGS)
LDLIBS := -lbpf -lelf -lz -luring -ljansson -lpthread -lm

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))

LIB_SRCS := $(wildcard user/*/*.c) $(wildcard workloads/*.c)
LIB_ASM := $(wildcard user/*/*.S workloads/*.S)
LIB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(LIB_SRCS)) $(patsubst %.S,$(OUT)/%.o,$(LIB_ASM))
LIB := $(OUT)/libgilscope.a
BIN := $(OUT)/gilscope

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
INTEG_SRCS := $(wildcard tests/integration/test_*.c)
INTEG_BINS := $(patsubst tests/integration/%.c,$(OUT)/tests/%,$(INTEG_SRCS))
PROG_SRCS := $(wildcard tests/progs/*.c)
PROG_BINS := $(patsubst tests/progs/%.c,$(OUT)/progs/%,$(PROG_SRCS))
# a stand-in libpython for the unit tests of CPython discovery (user/python)
FIXTURE_SOS := $(OUT)/progs/libpython3.11.so

.PHONY: all deps run test unit integration bench mutate install clean sanitize fuzz test-kernels test-bins
.DELETE_ON_ERROR:

all: $(BIN) $(PROG_BINS) $(FIXTURE_SOS) gilscope

# ./gilscope at the top, so that `sudo ./gilscope record ...` works from a checkout
gilscope: $(BIN)
	ln -sf $(BIN) $@

deps:
	@sh mk/deps.sh

# vmlinux.h: from the running kernel's BTF when there is one, else the committed copy
vmlinux/vmlinux.h:
	@if [ -r $(VMLINUX_BTF) ] && command -v $(BPFTOOL) >/dev/null; then \
		echo "  GEN      $@ (from $(VMLINUX_BTF))"; \
		$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@; \
	else \
		echo "  GEN      $@ (no kernel BTF: using committed vmlinux/$(shell uname -m)/vmlinux.h)"; \
		cp vmlinux/$(shell uname -m)/vmlinux.h $@; \
	fi

$(OUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) vmlinux/vmlinux.h | $(OUT)
	@echo "  BPF      $@"
	@$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
		-Ivmlinux -Ibpf -c $< -o $@
	@llvm-strip -g $@ 2>/dev/null || true

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	@echo "  SKEL     $@"
	@$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(OUT):
	@mkdir -p $(OUT)/user $(OUT)/workloads $(OUT)/tests $(OUT)/progs

$(OUT)/%.o: %.c $(wildcard user/*/*.h workloads/*.h bpf/*.h) | $(SKELS)
	@mkdir -p $(dir $@)
	@echo "  CC       $@"
	@$(CC) $(GS_CFLAGS) -c $< -o $@

# the skeleton embeds the BPF object: its users rebuild when it changes
$(OUT)/user/trace/tracer.o $(OUT)/user/trace/tracer_read.o: $(SKELS)

# assembler files embed report assets (.incbin); rebuild when an asset changes
$(OUT)/%.o: %.S $(wildcard reports/*) $(wildcard workloads/python/*.py) | $(OUT)
	@mkdir -p $(dir $@)
	@echo "  AS       $@"
	@$(CC) -c -DCHARTJS_PATH='"$(CHARTJS)"' -DREPORT_JS_PATH='"reports/report.js"' -DREPORT_CSS_PATH='"reports/report.css"' $< -o $@

$(LIB): $(LIB_OBJS)
	@echo "  AR       $@"
	@rm -f $@ && ar rcs $@ $^

$(BIN): $(OUT)/user/main.o $(LIB)
	@echo "  LD       $@"
	@$(CC) $(GS_LDFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST-CC  $@"
	@$(CC) $(GS_LDFLAGS) $< $(LIB) $(LDLIBS) -lcmocka -o $@

$(OUT)/tests/%: tests/integration/%.c $(wildcard tests/integration/*.h) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST-CC  $@"
	@$(CC) $(GS_LDFLAGS) -Itests/integration $< $(LIB) $(LDLIBS) -lcmocka -o $@

$(OUT)/progs/%: tests/progs/%.c | $(OUT)
	@mkdir -p $(dir $@)
	@echo "  PROG-CC  $@"
	@$(CC) $(WARN) -std=gnu11 $(GS_CPPFLAGS) $(CPPFLAGS) $(PROGS_CFLAGS) $(PROGS_LDFLAGS) $< \
		-luring -lpthread -o $@

$(OUT)/progs/libpython3.11.so: tests/fixtures/fake_libpython.c | $(OUT)
	@echo "  SO-CC    $@"
	@$(CC) $(CFLAGS) -shared -fPIC -Wl,-soname,libpython3.11.so.1.0 $< -o $@

# with Debian's python3 (deps installs it), real CPython rows and the
# calibration table beside the simulation's; smaller CPU cells keep it short
PYTHON ?= /usr/bin/python3
run: deps
	@$(MAKE) --no-print-directory all
	@if [ -x $(PYTHON) ]; then $(BIN) run --python $(PYTHON) --cpu-units 300; else $(BIN) run; fi

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(INTEG_BINS)
	@sh tests/run_tests.sh $(OUT)

unit: all $(UNIT_BINS)
	@sh tests/run_tests.sh $(OUT) unit

integration: all $(INTEG_BINS)
	@sh tests/run_tests.sh $(OUT) integration

# plant each mutant of tests/mutate/mutants.txt in a scratch copy and run the
# tests that should catch it (not part of CI: a few minutes; before a release)
mutate: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(INTEG_BINS)
	@python3 tests/mutate/mutate.py

# everything the test runner runs, in $(OUT) (make sanitize builds it in build-san)
test-bins: $(BIN) $(PROG_BINS) $(UNIT_BINS) $(INTEG_BINS)

# ASan + UBSan (clang 14), every report fatal, leaks included: all the tests of
# make test (unit, integration, scripts) against the sanitized binaries. The
# programs the integration tests trace (tests/progs) stay unsanitized: they are
# the measured subjects, not our code, and under ASan they are not the same
# subjects (LeakSanitizer adds a process at exit, the runtime adds on-CPU time
# and switches that the tests' exact figures would count).
SAN_OUT := build-san
# clang 14 warns about a volatile sink that is only written (workloads/work.c,
# tests/progs/spinner.c keep timed work from being optimised away with one):
# that is its purpose
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Wno-unused-but-set-variable
SAN_ENV := ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
sanitize:
	@sh mk/deps.sh san
	@$(MAKE) --no-print-directory OUT=$(SAN_OUT) CC=$(CLANG) CFLAGS="$(SAN_CFLAGS)" \
		PROGS_CFLAGS="-O2 -g -Wno-unused-but-set-variable" test-bins
	@$(SAN_ENV) sh tests/run_tests.sh $(SAN_OUT)

# libFuzzer on the results.json reader, seeded with the fixtures, for a bounded time
FUZZ_SECONDS ?= 60
FUZZ_OUT := build-fuzz
FUZZ_CFLAGS := $(subst -fsanitize=,-fsanitize=fuzzer-no-link$(comma),$(SAN_CFLAGS))
fuzz:
	@sh mk/deps.sh san
	@$(MAKE) --no-print-directory OUT=$(FUZZ_OUT) CC=$(CLANG) CFLAGS="$(FUZZ_CFLAGS)" \
		$(FUZZ_OUT)/fuzz/fuzz_results
	@sh tests/fuzz/run.sh $(FUZZ_OUT)/fuzz/fuzz_results $(FUZZ_SECONDS)

$(OUT)/fuzz/%: tests/fuzz/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  FUZZ-CC  $@"
	@$(CC) $(GS_LDFLAGS) -fsanitize=fuzzer $< $(LIB) $(LDLIBS) -o $@

# Debian 12's kernels under QEMU (TCG), against the binaries of $(OUT)
KERNEL_TESTS ?= full
KERNEL_TESTS_RT ?= $(KERNEL_TESTS)
test-kernels:
	@sh mk/deps.sh kernels
	@$(MAKE) --no-print-directory test-bins
	@KERNEL_TESTS_RT=$(KERNEL_TESTS_RT) sh tests/kernels/run.sh $(OUT) $(KERNEL_TESTS)

bench:
	@sh mk/deps.sh bench
	@$(MAKE) --no-print-directory all
	@sh tests/bench/overhead.sh $(OUT)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/gilscope
	install -m 0644 docs/gilscope.1 $(DESTDIR)$(MANDIR)/man1/gilscope.1
	install -m 0644 docs/gilscope.bash-completion $(DESTDIR)$(BASHCOMPDIR)/gilscope

clean:
	rm -rf $(OUT) $(SAN_OUT) $(FUZZ_OUT) vmlinux/vmlinux.h gilscope
