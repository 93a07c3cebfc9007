/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness (from Debian's linux-source, see the Makefile) with
 * knetmon's one change: no test is cut before 10 minutes. The same
 * binaries run under `make check-debug` on a kernel that KASAN, lockdep and
 * kmemleak make several times slower under TCG, where the harness's 30 s
 * cut tests that were only slow. A test that hangs is still cut, and
 * selftests/run and the guest keep their own limits.
 */
#ifndef KT_HARNESS_H
#define KT_HARNESS_H

#include "kselftest_harness.h"

#define KT_TIMEOUT_MIN 600

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT KT_TIMEOUT_MIN
#undef TEST_F_TIMEOUT
#define TEST_F_TIMEOUT(fixture_name, test_name, timeout) \
	__TEST_F_IMPL(fixture_name, test_name, -1, \
		      (timeout) > KT_TIMEOUT_MIN ? (timeout) : KT_TIMEOUT_MIN)

#endif
