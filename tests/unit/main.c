#include <check.h>
#include <stdlib.h>

Suite *tlv_suite(void);
Suite *apdu_suite(void);
Suite *es10_suite(void);
Suite *store_suite(void);

int main(void)
{
	SRunner *sr = srunner_create(tlv_suite());
	int failed;

	srunner_add_suite(sr, apdu_suite());
	srunner_add_suite(sr, es10_suite());
	srunner_add_suite(sr, store_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
