/*
 * The reader of run records (<home>/runs/<id>/run.json), from the bytes of
 * a run.json: read as one run (`cachet runs show`) and as a list
 * (`cachet runs`, which skips an unreadable record with a warning).
 */
#include "fuzz.h"

#include <stdlib.h>

#define RUN_ID "20240501T120000Z-fuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cachet_run_record rec = CACHET_RUN_RECORD_INIT;
	cachet_run_records list = CACHET_RUN_RECORDS_INIT;
	char *home = fuzz_scratch_path("home");

	free(fuzz_write_file("home/runs/" RUN_ID "/run.json", data, size));
	int rc = cachet_run_record_read(&rec, home, RUN_ID);
	if (rc < 0) {
		fuzz_check_refusal(rc, "reading a run record");
	} else {
		FUZZ_CHECK(rec.id != NULL && rec.workflow != NULL && rec.inputs != NULL,
			   "a record read without id, workflow or inputs");
		for (size_t i = 0; i < rec.n_nodes; i++)
			FUZZ_CHECK(rec.nodes != NULL, "a record with nodes but no array");
	}
	cachet_run_record_dispose(&rec);

	/* by a prefix of its id, too */
	if (cachet_run_record_read(&rec, home, "2024") == 0)
		cachet_run_record_dispose(&rec);

	rc = cachet_run_records_list(&list, home, NULL, 0);
	if (rc < 0)
		fuzz_check_refusal(rc, "listing run records");
	else
		FUZZ_CHECK(list.n <= 1, "one record listed as %zu", list.n);
	cachet_run_records_dispose(&list);

	free(home);
	fuzz_scratch_clear();
	return 0;
}
