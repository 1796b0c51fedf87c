/*
 * Helpers for tests that run against a PostgreSQL server (after
 * test_helpers.h): tests/lib/pg-server.sh starts one and names it in
 * CACHET_TEST_PG.
 */
#ifndef CACHET_TEST_PG_HELPERS_H
#define CACHET_TEST_PG_HELPERS_H

#include <libpq-fe.h>

/* Run sql (several statements may be given) on the server conninfo names. */
static inline void pg_test_exec(const char *conninfo, const char *sql)
{
	char why[512] = "";
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(why, sizeof why, "cannot connect to the test server: %s", PQerrorMessage(c));
	} else {
		PGresult *r = PQexec(c, sql);
		ExecStatusType s = PQresultStatus(r);
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
			snprintf(why, sizeof why, "%s: %s", sql, PQerrorMessage(c));
		PQclear(r);
	}
	PQfinish(c); /* before failing: fail_msg does not come back */
	if (why[0])
		fail_msg("%s", why);
}

/* Drop every table of the catalog: the next open starts empty. */
static inline void pg_test_reset(const char *conninfo)
{
	assert_non_null(conninfo);
	pg_test_exec(conninfo, "DROP TABLE IF EXISTS cachet_schema_version, counters, evictions,"
			       " reservations, tags, artifacts, datasets CASCADE");
}

#endif
