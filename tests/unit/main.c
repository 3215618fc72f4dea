#include <check.h>
#include <stdlib.h>

/* Every suite is optional at link time (weak), so a test file added to
 * tests/unit/ only has to define its suite function. */
#define SUITES(X) \
	X(tlv_suite) X(apdu_suite) X(es10_suite) X(store_suite) \
	X(crypto_suite) X(bsp_suite) X(saip_suite) X(download_suite) \
	X(ecasd_suite) X(profile_suite) X(notification_suite) X(pki_suite) \
	X(aka_suite)

#define DECLARE(name) Suite *name(void) __attribute__((weak));
SUITES(DECLARE)
#undef DECLARE

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define ADD(name) if (name) srunner_add_suite(sr, name());
	SUITES(ADD)
#undef ADD
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
