/*
 * Internal: the SQLite catalog's SQL, kept apart from the code that runs
 * it so that the schema and every statement can be read in one place.
 */
#ifndef CACHET_CATALOG_SQLITE_SQL_H
#define CACHET_CATALOG_SQLITE_SQL_H

/* The schema version this code writes (PRAGMA user_version). */
#define CACHET__CATALOG_SCHEMA 2
/* PRAGMA application_id of a cachet catalog: 0x63637467, "cctg". */
#define CACHET__CATALOG_APPLICATION_ID 1667462247

/* The statements prepared once per handle, by index. */
enum {
	SQL_BEGIN,
	SQL_COMMIT,
	SQL_ROLLBACK,
	SQL_INSPECT,
	SQL_SET_APPLICATION_ID,
	SQL_SET_VERSION,
	SQL_JOURNAL_MODE,
	SQL_FOREIGN_KEYS,
	SQL_SYNCHRONOUS,
	SQL_FIND,
	SQL_DATASET_INSERT,
	SQL_DATASET_GET,
	SQL_DATASET_SET_TASK_VERSION,
	SQL_TAG_GET,
	SQL_ARTIFACT_INSERT,
	SQL_TAG_INSERT,
	SQL_TAG_MOVE,
	SQL_ARTIFACT_DELETE_UNTAGGED,
	SQL_ARTIFACT_DELETE,
	SQL_EVICTION_FORGET,
	SQL_EVICTION_RECORD,
	SQL_EVICTION_GET,
	SQL_EVICT_TAGS,
	SQL_COUNTER_ADD,
	SQL_HIT,
	SQL_RESERVATION_GET,
	SQL_RESERVATION_INSERT,
	SQL_RESERVATION_TAKE,
	SQL_RESERVATION_RELEASE,
	SQL_COUNTERS,
	SQL_USAGE,
	SQL_ALL_OUTPUTS,
	SQL_COUNT
};

extern const char *const cachet__sql[SQL_COUNT];

/* The list query: select + "outputs or NULL, inputs or NULL" + from/where,
 * then optional " AND ..." conditions, then an order. */
extern const char cachet__sql_list_select[];
extern const char cachet__sql_list_from[];
extern const char cachet__sql_list_cache_version[];
extern const char cachet__sql_list_order[];
extern const char cachet__sql_list_order_lru[];

/* cachet__sql_migrations[v]: the statements taking schema v to v + 1,
 * NULL-terminated. */
extern const char *const *const cachet__sql_migrations[];

#endif
