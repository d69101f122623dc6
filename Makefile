# rs - retail recommender toolkit.  Single, non-recursive Makefile.
# Sources are discovered: lib/*.c form librs.a, tools/rs-*.c are programs
# (linked with tools/tool.c and librs.a), tests/unit/test_*.c are unit tests.

include config.mk

# Missing packages are found (and, as root on Debian, installed) while this
# file is read, before any flag below is computed and before any job starts,
# so `make -j` never compiles against a half-installed system.  The test
# goals also need the tools the tests run (zstd, python3, mandoc,
# promtool, flock); the demo needs only the build's.
NODEPS_GOALS = clean uninstall lint
ifneq ($(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
DEPS_KIND = $(if $(filter check test,$(MAKECMDGOALS)),test,build)
DEPS_RC := $(shell RS_DEPS=$(DEPS_KIND) CC='$(CC)' PKG_CONFIG='$(PKG_CONFIG)' sh scripts/check-deps >&2; echo $$?)
ifneq ($(DEPS_RC),0)
$(error missing dependencies (see above); RS_NO_INSTALL=1 only checks)
endif
endif
# Computed once, now that the libraries are there.
ZSTD_CFLAGS := $(ZSTD_CFLAGS)
ZSTD_LIBS := $(ZSTD_LIBS)
BLAS_CFLAGS := $(BLAS_CFLAGS)
BLAS_LIBS := $(BLAS_LIBS)
# rs-serve alone links the HTTP server and the JSON parser.
SERVE_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmicrohttpd jansson 2>/dev/null)
SERVE_LIBS := $(or $(shell $(PKG_CONFIG) --libs libmicrohttpd jansson 2>/dev/null),-lmicrohttpd -ljansson)

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef
RS_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DRS_VERSION='"$(VERSION)"' -Ilib $(WARN) -pthread -MMD -MP \
	$(CSV_CFLAGS) $(ZSTD_CFLAGS) $(BLAS_CFLAGS)
RS_LDLIBS = $(CSV_LIBS) $(ZSTD_LIBS) $(BLAS_LIBS) -lpthread -lm

ifeq ($(DEVELOPER),1)
RS_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
RS_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
RS_LDFLAGS += -fsanitize=$(SANITIZE)
endif

# Sanitized objects go to their own tree so both builds can coexist.
O = $(if $(SANITIZE),build-san,build)

LIB_SRC = $(sort $(wildcard lib/*.c))
LIB_OBJ = $(LIB_SRC:%.c=$(O)/%.o)
TOOL_SRC = $(sort $(wildcard tools/rs-*.c))
TOOLS = $(TOOL_SRC:tools/%.c=$(O)/bin/%)
TOOL_HELPER_SRC = $(filter-out $(TOOL_SRC),$(sort $(wildcard tools/*.c)))
TOOL_HELPER_OBJ = $(TOOL_HELPER_SRC:%.c=$(O)/%.o)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNITS = $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY = $(FUZZ_SRC:tests/fuzz/%.c=$(O)/tests/%-replay)
SCRIPTS = $(sort $(wildcard scripts/rs-*))
# contrib/ and its subdirectories (contrib/grafana/), installed as they are.
EXAMPLE_DIRS = $(patsubst %/.,%,$(wildcard contrib/*/.))
EXAMPLES = $(sort $(filter-out $(EXAMPLE_DIRS),$(wildcard contrib/* contrib/*/*)))
MAN1 = $(sort $(wildcard man/*.1))
MAN5 = $(sort $(wildcard man/*.5))
MAN7 = $(sort $(wildcard man/*.7))

all: $(TOOLS) bin-links

bin-links: $(TOOLS)
	@mkdir -p bin
	@for t in $(TOOLS); do ln -sf ../$$t bin/; done
	@for s in $(SCRIPTS); do ln -sf ../$$s bin/; done

$(O)/tools/rs-serve.o: RS_CFLAGS += $(SERVE_CFLAGS)
$(O)/bin/rs-serve: RS_LDLIBS += $(SERVE_LIBS)

$(O)/lib/librs.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(RS_CFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/bin/%: $(O)/tools/%.o $(TOOL_HELPER_OBJ) $(O)/lib/librs.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(RS_LDFLAGS) $(LDFLAGS) -o $@ $< $(TOOL_HELPER_OBJ) $(O)/lib/librs.a $(RS_LDLIBS)

$(O)/tests/test_%: $(O)/tests/unit/test_%.o $(O)/lib/librs.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(RS_LDFLAGS) $(LDFLAGS) -o $@ $< $(O)/lib/librs.a $(RS_LDLIBS)

$(O)/tests/fuzz_%-replay: $(O)/tests/fuzz/fuzz_%.o $(O)/tests/fuzz/replay.o $(O)/lib/librs.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(RS_LDFLAGS) $(LDFLAGS) -o $@ $^ $(RS_LDLIBS)

$(O)/tests/fuzz/replay.o: tests/fuzz/replay.c
	@mkdir -p $(@D)
	$(CC) $(RS_CFLAGS) $(CFLAGS) -c -o $@ $<

# libFuzzer builds (clang): make fuzz; the replay drivers run in make check.
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
fuzz: $(FUZZ_BIN)
build-fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_DEFAULT_SOURCE \
		-Ilib $(ZSTD_CFLAGS) $(BLAS_CFLAGS) -o $@ $< $(LIB_SRC) $(RS_LDLIBS)

check: all $(UNITS) $(FUZZ_REPLAY)
	@O=$(O) RS_SANITIZE=$(SANITIZE) sh scripts/run-tests

test: check

# The end-to-end job on generated data (see README).
demo: all
	@O=$(O) sh scripts/demo

bench: all
	@O=$(O) sh bench/run

lint:
	mandoc -Tlint -W warning $(MAN1) $(MAN5) $(MAN7)
	@sh scripts/check-man-usage

install:
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	@test -n "$(wildcard $(O)/bin/rs-*)" || { echo "make install: run 'make' first" >&2; exit 1; }
	install -m 755 $(wildcard $(O)/bin/rs-*) $(DESTDIR)$(BINDIR)
	$(if $(SCRIPTS),install -m 755 $(SCRIPTS) $(DESTDIR)$(BINDIR))
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5)
	$(if $(MAN7),install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7)
	install -d $(DESTDIR)$(DOCDIR)/examples $(EXAMPLE_DIRS:contrib/%=$(DESTDIR)$(DOCDIR)/examples/%)
	for f in $(EXAMPLES:contrib/%=%); do install -m 644 contrib/$$f $(DESTDIR)$(DOCDIR)/examples/$$f || exit 1; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS) $(SCRIPTS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(EXAMPLES:contrib/%=%))
	rmdir $(EXAMPLE_DIRS:contrib/%=$(DESTDIR)$(DOCDIR)/examples/%) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf build build-san build-fuzz bin

# Objects are never intermediates to delete after linking.
.SECONDARY:

.PHONY: all bin-links check test demo bench lint fuzz install uninstall clean

-include $(LIB_OBJ:.o=.d) $(TOOL_HELPER_OBJ:.o=.d) $(TOOLS:$(O)/bin/%=$(O)/tools/%.d) $(UNITS:$(O)/tests/%=$(O)/tests/unit/%.d)
