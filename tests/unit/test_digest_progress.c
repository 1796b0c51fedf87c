/*
 * The progress bar's rendering (src/cli/progress.c, compiled in here: it
 * is part of the CLI, not of the library). Expected lines worked out by
 * hand from the layout in progress.h; the arithmetic is in the comments.
 */
#include "test_helpers.h"

#include "../../src/cli/progress.c"

#define GiB (1024ull * 1024 * 1024)
#define MiB (1024ull * 1024)

static void bytes_read_for_people(void **state)
{
	(void)state;
	char b[32];
	struct {
		double v;
		const char *want;
	} cases[] = {
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{1536, "1.5 KiB"},
		{1.5 * GiB, "1.5 GiB"},
		{1024.0 * 1024 * GiB, "1.0 PiB"},
		{1024.0 * 1024 * 1024 * GiB, "1024.0 PiB"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cli_format_bytes(b, sizeof(b), cases[i].v);
		assert_string_equal(b, cases[i].want);
	}
}

static void the_bar_line(void **state)
{
	(void)state;
	char line[512];

	/* 1 of 4 GiB in 2 s: 512 MiB/s, 3 GiB left = 6 s. Stats take 40
	 * columns, the frame 10, so 29 of the 79 are left: the label's 8
	 * and a 21-wide bar; 25% of 21 is 5 cells, the last one '>'. */
	assert_string_equal(
		cli_progress_render(line, sizeof(line), "data.bin", GiB, 4 * GiB, 2.0, 80),
		"data.bin   25% [====>                ] 1.0 GiB / 4.0 GiB  512.0 MiB/s  ETA 0:06");
	assert_int_equal(strlen(line), 79);

	/* a long label: the bar keeps 10 cells, the label the last 16
	 * characters after "..." */
	assert_string_equal(
		cli_progress_render(line, sizeof(line),
				    "some/very/long/directory/name/with/many/parts/data.bin", GiB,
				    4 * GiB, 2.0, 80),
		"...y/parts/data.bin   25% [=>        ] 1.0 GiB / 4.0 GiB  512.0 MiB/s  ETA 0:06");

	/* cut on a character, not inside one: 30 x "é", 9 columns left */
	char label[64] = "";
	for (int i = 0; i < 30; i++)
		strcat(label, "\xc3\xa9");
	cli_progress_render(line, sizeof(line), label, GiB, 4 * GiB, 2.0, 70);
	assert_int_equal(strncmp(line, "...\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9   25% [",
				 3 + 12 + 8),
			 0);

	/* done: a full bar (30 cells at most), 100%, nothing left */
	assert_string_equal(cli_progress_render(line, sizeof(line), "f", 512, 512, 0.0, 80),
			    "f  100% [==============================] 512 B / 512 B  0 B/s  ETA 0:00");

	/* nothing read yet: no rate, no time left */
	assert_string_equal(cli_progress_render(line, sizeof(line), "f", 0, 1000, 0.5, 80),
			    "f    0% [                              ] 0 B / 1000 B  0 B/s  ETA --:--");

	/* 1 MiB/s with 10 GiB - 1 MiB to go: 10239 s = 2:50:39 */
	cli_progress_render(line, sizeof(line), "f", MiB, 10 * GiB, 1.0, 100);
	assert_non_null(strstr(line, " 1.0 MiB / 10.0 GiB  1.0 MiB/s  ETA 2:50:39"));

	/* unknown total: just what was read and how fast */
	assert_string_equal(cli_progress_render(line, sizeof(line), "x", MiB, 0, 1.0, 80),
			    "x  1.0 MiB  1.0 MiB/s");

	/* a narrow terminal never gets less than 19 columns of room, and
	 * the label goes first */
	cli_progress_render(line, sizeof(line), "label", GiB, 4 * GiB, 2.0, 10);
	assert_int_equal(strncmp(line, "   25% [=> ", 11), 0);
}

static void no_bar_without_a_terminal(void **state)
{
	(void)state;
	/* the test's stderr is not a terminal here (ctest captures it):
	 * updates draw nothing, freeing erases nothing */
	if (isatty(STDERR_FILENO))
		skip();
	setenv("CACHET_PROGRESS", "always", 1);
	cli_progress *p = cli_progress_new("x");
	assert_non_null(p);
	cli_progress_update(5, 10, p);
	assert_false(p->shown);
	cli_progress_free(p);
	cli_progress_update(1, 2, NULL);
	cli_progress_free(NULL);
	unsetenv("CACHET_PROGRESS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bytes_read_for_people),
		cmocka_unit_test(the_bar_line),
		cmocka_unit_test(no_bar_without_a_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
