/*
 * The PostgreSQL backend's own faults, against a real server: a
 * connection the server dropped while idle (the next call opens a new one
 * and succeeds), a server that became read-only (lookups work, a put is
 * PUT_FAILURE, nothing written), a lookup that fails while the server is
 * unreachable (LOOKUP_FAILURE, never an error the task would die of).
 * The shared catalog suite runs against PostgreSQL in test_catalog_pg;
 * the CLI's faults (restart during a run, statement timeout, server down)
 * are in tests/cli/catalog_pg.sh.
 *
 * Run without CACHET_TEST_PG, the binary starts its own server through
 * tests/lib/pg-server.sh and runs again under it: a server that cannot
 * start fails the test, saying why.
 */
#include "test_helpers.h"
#include "test_pg_helpers.h"

#include "cachet/catalog.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *pg;

static cachet_cache_key key_of(const char *tag)
{
	cachet_cache_key k = {CACHET_CACHE_KEY_VERSION, (char *)"proj", (char *)"dev", (char *)"flyte_task-t",
			      (char *)"1.0-AAAAAAAA-BBBBBBBB", (char *)tag};
	return k;
}

static cachet_literal_map *int_outputs(int64_t n)
{
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set(m, "n", cachet_literal_new_integer(n)), 0);
	return m;
}

static void put(cachet_catalog *cat, const char *tag, int expect_status)
{
	cachet_cache_key k = key_of(tag);
	cachet_literal_map *m = int_outputs(7);
	cachet_put_result r = CACHET_PUT_RESULT_INIT;
	(void)cachet_catalog_put(&r, cat, &k, m, NULL);
	assert_int_equal(r.status, expect_status);
	cachet_put_result_dispose(&r);
	cachet_literal_map_free(m);
}

static int lookup(cachet_catalog *cat, const char *tag)
{
	cachet_cache_key k = key_of(tag);
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	(void)cachet_catalog_lookup(&r, cat, &k, NULL);
	int status = r.status;
	cachet_lookup_result_dispose(&r);
	return status;
}

static int setup(void **state)
{
	(void)state;
	pg_test_reset(pg);
	return 0;
}

/* Every connection of cachet's is closed by the server. */
static void drop_connections(void)
{
	pg_test_exec(pg, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
			 " WHERE application_name = 'cachet'");
}

static void test_reconnect_after_drop(void **state)
{
	cachet_catalog *cat;
	(void)state;
	assert_int_equal(cachet_catalog_open_postgres(&cat, pg, NULL), 0);
	put(cat, "flyte_cached-a", CACHET_CACHE_POPULATED);
	drop_connections();
	/* a lookup finds the connection broken before sending anything: it
	 * connects again and answers */
	assert_int_equal(lookup(cat, "flyte_cached-a"), CACHET_CACHE_HIT);
	drop_connections();
	/* so does a write, at its BEGIN */
	put(cat, "flyte_cached-b", CACHET_CACHE_POPULATED);
	assert_int_equal(lookup(cat, "flyte_cached-b"), CACHET_CACHE_HIT);
	cachet_catalog_free(cat);
}

/* Undo ALTER DATABASE … read_only = on, from a session that may write. */
static void writable_again(void)
{
	char rw[1024];
	snprintf(rw, sizeof rw, "%s options='-c default_transaction_read_only=off'", pg);
	pg_test_exec(rw, "ALTER DATABASE postgres SET default_transaction_read_only = off");
}

static void test_read_only_server(void **state)
{
	cachet_catalog *cat;
	(void)state;
	assert_int_equal(cachet_catalog_open_postgres(&cat, pg, NULL), 0);
	put(cat, "flyte_cached-a", CACHET_CACHE_POPULATED);
	cachet_catalog_free(cat);

	pg_test_exec(pg, "ALTER DATABASE postgres SET default_transaction_read_only = on");
	assert_int_equal(cachet_catalog_open_postgres(&cat, pg, NULL), 0);
	assert_int_equal(lookup(cat, "flyte_cached-a"), CACHET_CACHE_HIT);
	put(cat, "flyte_cached-b", CACHET_CACHE_PUT_FAILURE);
	assert_int_equal(lookup(cat, "flyte_cached-b"), CACHET_CACHE_MISS);
	cachet_catalog_free(cat);
	writable_again();

	/* and a server that turns read-only under an open handle: the put
	 * fails cleanly, in the server's words */
	assert_int_equal(cachet_catalog_open_postgres(&cat, pg, NULL), 0);
	pg_test_exec(pg, "ALTER DATABASE postgres SET default_transaction_read_only = on");
	drop_connections();
	cachet_cache_key k = key_of("flyte_cached-c");
	cachet_literal_map *m = int_outputs(1);
	cachet_put_result r = CACHET_PUT_RESULT_INIT;
	assert_int_equal(cachet_catalog_put(&r, cat, &k, m, NULL), CACHET_EIO);
	assert_int_equal(r.status, CACHET_CACHE_PUT_FAILURE);
	assert_non_null(strstr(r.message, "cannot execute INSERT in a read-only transaction"));
	assert_null(strstr(r.message, "password"));
	cachet_put_result_dispose(&r);
	cachet_literal_map_free(m);
	cachet_catalog_free(cat);
	writable_again();
}

/* A lookup while nothing answers is LOOKUP_FAILURE with the reason. */
static void test_lookup_failure(void **state)
{
	cachet_catalog *cat;
	(void)state;
	assert_int_equal(cachet_catalog_open_postgres(&cat, pg, NULL), 0);
	put(cat, "flyte_cached-a", CACHET_CACHE_POPULATED);
	/* the table the lookup reads is gone: an error from the server */
	pg_test_exec(pg, "ALTER TABLE tags RENAME TO tags_away");
	cachet_cache_key k = key_of("flyte_cached-a");
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	assert_int_equal(cachet_catalog_lookup(&r, cat, &k, NULL), CACHET_ERROR);
	assert_int_equal(r.status, CACHET_CACHE_LOOKUP_FAILURE);
	assert_int_equal(r.reason, CACHET_MISS_CATALOG_ERROR);
	assert_non_null(strstr(r.message, "relation \"tags\" does not exist"));
	cachet_lookup_result_dispose(&r);
	pg_test_exec(pg, "ALTER TABLE tags_away RENAME TO tags");
	assert_int_equal(lookup(cat, "flyte_cached-a"), CACHET_CACHE_HIT);
	cachet_catalog_free(cat);
}

int main(int argc, char **argv)
{
	(void)argc;
	pg = getenv("CACHET_TEST_PG");
	if (pg == NULL) {
		/* start a server and run again under it */
		execl("/bin/bash", "bash", CACHET_TEST_SRC_DIR "/tests/lib/pg-server.sh", "run",
		      argv[0], (char *)NULL);
		perror("test_catalog_postgres: cannot run tests/lib/pg-server.sh");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reconnect_after_drop, setup),
		cmocka_unit_test_setup(test_read_only_server, setup),
		cmocka_unit_test_setup(test_lookup_failure, setup),
	};
	return cmocka_run_group_tests_name("catalog (postgresql faults)", tests, NULL, NULL);
}
