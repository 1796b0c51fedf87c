/* The warning handler: warnings reach the handler with its payload, and
 * are dropped when there is none. */
#include "test_helpers.h"

#include "util/warning.h"

struct seen {
	int count;
	char last[128];
};

static void record(const char *message, void *payload)
{
	struct seen *s = payload;
	s->count++;
	snprintf(s->last, sizeof s->last, "%s", message);
}

static void warnings_reach_the_handler(void **state)
{
	(void)state;
	struct seen s = {0};

	cachet__warn("dropped: no handler yet");
	cachet_set_warning_handler(record, &s);
	cachet__warn("state database '%s' was corrupt; rebuilt it", "x.db");
	assert_int_equal(s.count, 1);
	assert_string_equal(s.last, "state database 'x.db' was corrupt; rebuilt it");

	cachet_set_warning_handler(NULL, NULL);
	cachet__warn("dropped again");
	assert_int_equal(s.count, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(warnings_reach_the_handler),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
