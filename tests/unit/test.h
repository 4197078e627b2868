/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A minimal unit test harness. Each test is a function registered with TEST(); main()
 * comes from TEST_MAIN(). A failed CHECK prints the file, line and expression, marks the
 * test failed and carries on; the program exits non-zero if any test failed.
 *
 * A test that cannot run what it was asked to (a tool or a feature missing here) says
 * SKIP("why") and returns: it is counted as skipped, never as passed, and the summary
 * reads "N passed, N failed, N skipped". A test that failed a CHECK before it skipped
 * still counts as failed.
 */
#ifndef LKM_TEST_H
#define LKM_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

extern int test_failed;
extern int test_skipped;
#define TEST_MAX 512
extern struct test_case test_cases[TEST_MAX];
extern int test_count;

#define TEST(name)                                                                         \
	static void name(void);                                                            \
	__attribute__((constructor)) static void register_##name(void)                     \
	{                                                                                  \
		if (test_count < TEST_MAX)                                                 \
			test_cases[test_count++] = (struct test_case){ #name, name };      \
	}                                                                                  \
	static void name(void)

#define SKIP(...)                                                                          \
	do {                                                                               \
		printf("  skip: ");                                                        \
		printf(__VA_ARGS__);                                                       \
		printf("\n");                                                              \
		test_skipped = 1;                                                          \
	} while (0)

#define CHECK(expr)                                                                        \
	do {                                                                               \
		if (!(expr)) {                                                             \
			fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
				#expr);                                                    \
			test_failed = 1;                                                   \
		}                                                                          \
	} while (0)

#define CHECK_INT(a, op, b)                                                                \
	do {                                                                               \
		long long _a = (long long)(a), _b = (long long)(b);                        \
		if (!(_a op _b)) {                                                         \
			fprintf(stderr, "  %s:%d: CHECK failed: %s %s %s (%lld vs %lld)\n",\
				__FILE__, __LINE__, #a, #op, #b, _a, _b);                  \
			test_failed = 1;                                                   \
		}                                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                                    \
	do {                                                                               \
		const char *_a = (a), *_b = (b);                                           \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                   \
			fprintf(stderr, "  %s:%d: CHECK failed: %s == %s (\"%s\" vs \"%s\")\n", \
				__FILE__, __LINE__, #a, #b, _a ? _a : "(null)",            \
				_b ? _b : "(null)");                                       \
			test_failed = 1;                                                   \
		}                                                                          \
	} while (0)

/* Run every registered test, print each result and the summary; main's exit code. */
static inline int test_run_all(void)
{
	int i, failures = 0, skips = 0;

	for (i = 0; i < test_count; i++) {
		test_failed = 0;
		test_skipped = 0;
		test_cases[i].fn();
		fflush(stdout);
		printf("%s %s\n", test_failed ? "FAIL" : test_skipped ? "skip" : "ok  ",
		       test_cases[i].name);
		failures += test_failed;
		skips += !test_failed && test_skipped;
	}
	printf("%d passed, %d failed, %d skipped\n", test_count - failures - skips, failures,
	       skips);
	return failures ? 1 : 0;
}

/* The runner's state, defined once per test program. */
#define TEST_GLOBALS                                                                       \
	int test_failed;                                                                   \
	int test_skipped;                                                                  \
	struct test_case test_cases[TEST_MAX];                                             \
	int test_count

/* A test program without setup: every test, in the order they are defined. */
#define TEST_MAIN()                                                                        \
	TEST_GLOBALS;                                                                      \
	int main(void)                                                                     \
	{                                                                                  \
		return test_run_all();                                                     \
	}

#endif
