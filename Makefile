# knetmon: `make` builds the module for KVER and the CLI; `make check` and
# `make demo` set up a fresh Debian machine and run in QEMU (see README.md).
KVER	?= $(shell scripts/kernels | tail -n 1)
KDIR	?= /lib/modules/$(KVER)/build
# Each kernel gets its own object tree: kbuild writes next to the sources,
# so build/KVER holds a mirror of symlinks to them.
OBJ	:= build/$(KVER)

CC	?= cc
CFLAGS	?= -O2 -g
CFLAGS	+= -DKNETMON_VERSION='"$(shell cat VERSION)"'
CFLAGS	+= $(if $(WERROR),-Werror)
CFLAGS	+= -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter -Iinclude/uapi
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS   := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
MNL_LIBS  := $(shell pkg-config --libs libmnl 2>/dev/null)

CLI_OBJS  := $(patsubst userspace/%.c,build/cli/%.o,$(wildcard userspace/*.c))
TESTS     := $(patsubst selftests/%.c,build/selftests/%,$(wildcard selftests/*.c))
HEADERS   := VERSION include/uapi/linux/knetmon.h $(wildcard userspace/*.h selftests/*.h)

.PHONY: all module cli selftests check demo bench clean
all: module cli

module:
	@test -d $(KDIR) || { echo "no kernel build tree $(KDIR): run scripts/deps or set KVER" >&2; exit 1; }
	@mkdir -p $(OBJ)
	@cp -rsf $(CURDIR)/Kbuild $(CURDIR)/VERSION $(CURDIR)/kmod $(CURDIR)/include $(OBJ)/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(OBJ) W=1 $(if $(WERROR),KCFLAGS=-Werror) modules

cli: build/knetmon

build/knetmon: $(CLI_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS)

build/cli/%.o: userspace/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(NL_CFLAGS) -c -o $@ $<

selftests: $(TESTS) build/bench/bindloop

build/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

build/include/kselftest_harness.h:
	scripts/deps

build/selftests/%: selftests/%.c $(HEADERS) build/include/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ibuild/include -o $@ $< $(MNL_LIBS) -lpthread

check:
	scripts/deps
	scripts/check

demo:
	scripts/deps
	scripts/demo

bench:
	scripts/deps
	scripts/bench

clean:
	rm -rf build
