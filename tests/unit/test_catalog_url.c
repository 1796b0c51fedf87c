/*
 * Catalog URLs: the password never shown (cachet_catalog_url_redact, the
 * one function every message goes through), which backend each form
 * opens, and the errors of the PostgreSQL backend that need no server
 * (one that is down). The PostgreSQL suite itself is test_catalog_pg.
 *
 * Expected strings are written out by hand from the URL forms of
 * docs/catalog.md.
 */
#include "test_helpers.h"

#include "cachet/catalog.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void redacted(const char *url, const char *want)
{
	char *got = NULL;
	assert_int_equal(cachet_catalog_url_redact(&got, url), 0);
	assert_string_equal(got, want);
	cachet_free(got);
}

static void test_redact(void **state)
{
	(void)state;
	redacted("postgres://u:secret@h/db", "postgres://u:***@h/db");
	redacted("postgresql://u:s%40c:r@h1:5432,h2:5433/db?sslmode=require",
		 "postgresql://u:***@h1:5432,h2:5433/db?sslmode=require");
	redacted("postgres://u@h/db?password=secret&sslmode=require",
		 "postgres://u@h/db?password=***&sslmode=require");
	redacted("postgres://h/db", "postgres://h/db");
	redacted("postgres:///db?host=/run/pg", "postgres:///db?host=/run/pg");
	redacted("host=h password=secret dbname=db", "host=h password=*** dbname=db");
	redacted("host=h password = 'se cr\\'et' dbname=db", "host=h password = *** dbname=db");
	redacted("password=secret", "password=***");
	redacted("host=h passwordx=keep", "host=h passwordx=keep");
	redacted("/home/u/.cachet/catalog.db", "/home/u/.cachet/catalog.db");
	redacted("sqlite:///tmp/c.db", "sqlite:///tmp/c.db");
	char *got = NULL;
	assert_cachet_error(cachet_catalog_url_redact(&got, NULL), CACHET_EINVALID,
			    "redact catalog URL: no URL");
	assert_null(got);
}

static void test_open_sqlite_forms(void **state)
{
	cachet_catalog *cat = NULL;
	(void)state;
	assert_int_equal(cachet_catalog_open_url(&cat, "sqlite://plain.db", NULL), 0);
	assert_string_equal(cachet_catalog_backend_name(cat), "sqlite");
	cachet_catalog_free(cat);
	struct stat st;
	assert_int_equal(stat("plain.db", &st), 0);
	assert_int_equal(cachet_catalog_open_url(&cat, "other.db", NULL), 0);
	assert_string_equal(cachet_catalog_backend_name(cat), "sqlite");
	cachet_catalog_free(cat);
	assert_int_equal(stat("other.db", &st), 0);
}

static void test_open_errors(void **state)
{
	cachet_catalog *cat = (cachet_catalog *)1;
	(void)state;
	assert_cachet_error(cachet_catalog_open_url(&cat, "s3://u:pw@bucket/x", NULL),
			    CACHET_EINVALID,
			    "catalog URL 's3://u:***@bucket/x': unknown scheme 's3' (sqlite, "
			    "postgres, postgresql)");
	assert_null(cat);
	assert_cachet_error(cachet_catalog_open_url(&cat, "sqlite://", NULL), CACHET_EINVALID,
			    "catalog URL 'sqlite://' names no catalog");
	assert_cachet_error(cachet_catalog_open_url(NULL, "x", NULL), CACHET_EINVALID,
			    "open catalog: no output pointer");
	assert_cachet_error(cachet_catalog_open_url(&cat, NULL, NULL), CACHET_EINVALID,
			    "open catalog: no URL");
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	char want[128];
	o.version = 0;
	snprintf(want, sizeof want, "unsupported catalog options version 0 (this library knows 1 to %d)",
		 CACHET_CATALOG_OPTIONS_VERSION);
	assert_cachet_error(cachet_catalog_open_url(&cat, "postgres://h/db", &o), CACHET_EINVALID,
			    want);
	o.version = CACHET_CATALOG_OPTIONS_VERSION + 1;
	snprintf(want, sizeof want, "unsupported catalog options version %d (this library knows 1 to %d)",
		 CACHET_CATALOG_OPTIONS_VERSION + 1, CACHET_CATALOG_OPTIONS_VERSION);
	assert_cachet_error(cachet_catalog_open_postgres(&cat, "host=h", &o), CACHET_EINVALID, want);
	assert_cachet_error(cachet_catalog_open_postgres(&cat, NULL, NULL), CACHET_EINVALID,
			    "open catalog: no connection string");
}

/* A server that is not there: EIO at once, saying so, without the password. */
static void test_server_down(void **state)
{
	cachet_catalog *cat = NULL;
	char dir[] = "/tmp/cachet-nopg.XXXXXX";
	char url[256];
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(url, sizeof url, "host=%s port=5999 user=u password=hunter2 dbname=db", dir);
	assert_int_equal(cachet_catalog_open_url(&cat, url, NULL), CACHET_EIO);
	assert_null(cat);
	const char *msg = cachet_error_last()->message;
	char want[512];
	snprintf(want, sizeof want, "cannot connect to catalog 'host=%s port=5999 user=u password=*** dbname=db': ", dir);
	assert_memory_equal(msg, want, strlen(want));
	assert_null(strstr(msg, "hunter2"));
	assert_non_null(strstr(msg, "No such file or directory"));
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_open_sqlite_forms),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_server_down),
	};
	return cmocka_run_group_tests_name("catalog URLs", tests, NULL, NULL);
}
