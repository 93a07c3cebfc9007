# knetmon: `make` builds the module for KVER and the CLI; `make check` and
# `make demo` set up a fresh Debian machine and run in QEMU (see README.md).
#
# For a device: `make TARGET=arm64-6.1` (one of `scripts/targets list`) or
# `make ARCH=arm64` (that architecture's newest target kernel) cross-builds
# the module and a static CLI against Debian's kernel for it; a vendor tree
# takes `make KDIR=/path/to/linux ARCH=mips CROSS_COMPILE=mipsel-openwrt-linux-
# SYSROOT=/path/with/libnl-3.a` (see README.md, "On a device").

# ARCH alone names the newest target kernel of that architecture.
ifeq ($(origin KDIR)$(TARGET),undefined)
ifneq ($(filter command line environment,$(origin ARCH)),)
TARGET := $(shell scripts/targets for-arch $(ARCH))
$(if $(TARGET),,$(error no target kernel for ARCH=$(ARCH): see scripts/targets list))
endif
endif

ifneq ($(TARGET),)
# KVER, KDIR, ARCH, CROSS_COMPILE, DEB_ARCH, TRIPLET, SYSROOT of the target
include build/targets/$(TARGET)/target.mk
build/targets/$(TARGET)/target.mk:
	scripts/targets fetch $(TARGET)
endif

ifneq ($(CROSS_COMPILE),)
# A cross build: kbuild gets ARCH and CROSS_COMPILE; the CLI is static.
KVER	?= $(shell cat $(KDIR)/include/config/kernel.release)
KBUILD_ARGS := ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE)
CC	:= $(CROSS_COMPILE)gcc
OUT	:= build/$(or $(DEB_ARCH),$(ARCH))
# Debian's multiarch directories, or a vendor staging tree's plain ones
LIBDIRS := $(wildcard $(SYSROOT)/lib/*-linux-* $(SYSROOT)/usr/lib/*-linux-* $(SYSROOT)/lib $(SYSROOT)/usr/lib)
NL_CFLAGS := -I$(SYSROOT)/usr/include/libnl3
NL_LIBS   := $(firstword $(wildcard $(addsuffix /libnl-genl-3.a,$(LIBDIRS)))) \
	     $(firstword $(wildcard $(addsuffix /libnl-3.a,$(LIBDIRS)))) -lpthread -lm
CLI_LDFLAGS := -static
# The selftests load the target's libmnl.so: libmnl-dev ships no archive.
MNL_CFLAGS := -I$(SYSROOT)/usr/include
MNL_LIBS  := $(addprefix -L,$(LIBDIRS)) -lmnl
else
KVER	?= $(shell scripts/kernels | tail -n 1)
OUT	:= build
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS   := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
MNL_LIBS  := $(shell pkg-config --libs libmnl 2>/dev/null)
endif
KDIR	?= /lib/modules/$(KVER)/build
# Each kernel gets its own object tree: kbuild writes next to the sources,
# so build/KVER holds a mirror of symlinks to them.
OBJ	:= build/$(KVER)

CC	?= cc
CFLAGS	?= -O2 -g
CFLAGS	+= -DKNETMON_VERSION='"$(shell cat VERSION)"'
CFLAGS	+= $(if $(WERROR),-Werror)
CFLAGS	+= -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter -Iinclude/uapi

CLI_OBJS  := $(patsubst userspace/%.c,$(OUT)/cli/%.o,$(wildcard userspace/*.c))
TESTS     := $(patsubst selftests/%.c,$(OUT)/selftests/%,$(wildcard selftests/*.c))
HEADERS   := VERSION include/uapi/linux/knetmon.h $(wildcard userspace/*.h selftests/*.h)

.PHONY: all module cli selftests check check-targets check-debug demo bench dist clean
all: module cli

module:
	@test -d $(KDIR) || { echo "no kernel build tree $(KDIR): run scripts/deps or set KVER" >&2; exit 1; }
	@mkdir -p $(OBJ)
	@cp -rsf $(CURDIR)/Kbuild $(CURDIR)/VERSION $(CURDIR)/kmod $(CURDIR)/include $(OBJ)/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(OBJ) $(KBUILD_ARGS) W=1 $(if $(WERROR),KCFLAGS=-Werror) modules

cli: $(OUT)/knetmon

$(OUT)/knetmon: $(CLI_OBJS)
	$(CC) $(LDFLAGS) $(CLI_LDFLAGS) -o $@ $^ $(NL_LIBS) 2> $@.ld.log || { cat $@.ld.log >&2; exit 1; }
	@# glibc's static-link notices (getpwuid, getaddrinfo) are expected: they
	@# name functions that fall back to files a device may lack, nothing more.
	@grep -v 'statically linked applications requires at runtime' $@.ld.log | \
		grep -v 'in function' >&2 || true

$(OUT)/cli/%.o: userspace/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(NL_CFLAGS) -c -o $@ $<

selftests: $(TESTS) $(OUT)/bench/bindloop $(OUT)/bench/acceptloop $(OUT)/bench/udploop \
	$(OUT)/bench/listing

$(OUT)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

build/include/kselftest_harness.h:
	scripts/deps

# Newer harnesses (Debian's later 6.1 sources carry 6.12's) keep locals of
# their own beside setjmp() and vfork() in TEST_F; gcc's clobbered warning
# about them is about the header, not about the tests.
SELFTEST_CFLAGS = -Ibuild/include -Wno-clobbered

$(OUT)/selftests/%: selftests/%.c $(HEADERS) build/include/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SELFTEST_CFLAGS) $(MNL_CFLAGS) -o $@ $< $(MNL_LIBS) -lpthread

# Per target: the module and the static CLI with their checksums, ready to
# copy to a device (build/dist/knetmon-VERSION-TARGET/).
dist:
	scripts/dist

check:
	scripts/deps
	scripts/check

# the target kernels alone (scripts/check --targets-only)
check-targets:
	scripts/deps
	scripts/check --targets-only

# the selftests on a debug kernel (KASAN, lockdep, kmemleak, UBSAN, ...),
# which scripts/debug-kernel builds the first time (see README.md)
check-debug:
	scripts/deps
	scripts/check-debug

demo:
	scripts/deps
	scripts/demo

bench:
	scripts/deps
	scripts/bench

clean:
	rm -rf build
