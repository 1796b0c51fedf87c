/*
 * Internal: the PostgreSQL catalog's SQL, kept apart from the code that
 * runs it so that the schema and every statement can be read in one place.
 */
#ifndef CACHET_CATALOG_POSTGRES_SQL_H
#define CACHET_CATALOG_POSTGRES_SQL_H

/* The schema version this code writes (the highest row of
 * cachet_schema_version). */
#define CACHET__PG_SCHEMA 1

/* The statements prepared once per connection, by index. */
enum {
	PG_FIND,
	PG_PUT_LOCK,
	PG_DATASET_INSERT,
	PG_DATASET_GET,
	PG_DATASET_SET_TASK_VERSION,
	PG_TAG_GET,
	PG_ARTIFACT_INSERT,
	PG_TAG_INSERT,
	PG_TAG_MOVE,
	PG_ARTIFACT_DELETE_UNTAGGED,
	PG_ARTIFACT_DELETE,
	PG_EVICTION_FORGET,
	PG_EVICTION_RECORD,
	PG_EVICTION_GET,
	PG_EVICT_TAGS,
	PG_COUNTER_ADD,
	PG_HIT,
	PG_RESERVATION_GET,
	PG_RESERVATION_INSERT,
	PG_RESERVATION_TAKE,
	PG_RESERVATION_RELEASE,
	PG_COUNTERS,
	PG_USAGE,
	PG_ALL_OUTPUTS,
	PG_COUNT
};

extern const char *const cachet__pg_sql[PG_COUNT];

/* Outside the prepared set: run once per connection or per migration. */
extern const char cachet__pg_sql_clock[];      /* the server's time, ms */
extern const char cachet__pg_sql_inspect[];    /* $1: is the version table there */
extern const char cachet__pg_sql_version[];    /* the schema version */
extern const char cachet__pg_sql_migrate_lock[];   /* a session lock */
extern const char cachet__pg_sql_migrate_unlock[];
extern const char cachet__pg_sql_set_version[]; /* $1: the version reached */
extern const char cachet__pg_sql_read_only[];   /* a standby, or read-only by default */

/* The list query: select + "outputs or NULL, inputs or NULL" + from/where,
 * then optional conditions (postgres.c numbers their parameters), then an
 * order. */
extern const char cachet__pg_sql_list_select[];
extern const char cachet__pg_sql_list_from[];
extern const char cachet__pg_sql_list_order[];
extern const char cachet__pg_sql_list_order_lru[];

/* cachet__pg_sql_migrations[v]: the statements taking schema v to v + 1,
 * NULL-terminated. */
extern const char *const *const cachet__pg_sql_migrations[];

#endif
