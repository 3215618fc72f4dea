/* The unit test runner: every suite below must exist (a missing one is a
 * link error, not a suite that silently runs nothing), and
 * CK_RUN_SUITE=name must name one of them. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUITES(X) \
	X(tlv) X(asn1ext) X(apdu) X(es10) X(corpus) X(store) X(crypto) X(bsp) X(saip) X(download) X(profile) X(aka) X(usim) \
	X(trace) X(report)

#define DECLARE(name) Suite *name##_suite(void);
SUITES(DECLARE)
#undef DECLARE

int main(void)
{
	const char *only = getenv("CK_RUN_SUITE");
	SRunner *sr = srunner_create(NULL);
	bool known = !only;
	int failed;

#define ADD(name) srunner_add_suite(sr, name##_suite()); known |= only && !strcmp(only, #name);
	SUITES(ADD)
#undef ADD
	if (!known) {
		fprintf(stderr, "CK_RUN_SUITE=%s: no such suite\n", only);
		srunner_free(sr);
		return EXIT_FAILURE;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
