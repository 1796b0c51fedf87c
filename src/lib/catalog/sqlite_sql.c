/*
 * The SQLite catalog's schema and statements.
 *
 * The queries keep to SQL that PostgreSQL also runs (ON CONFLICT,
 * RETURNING, CASE instead of MAX(a, b), numbered parameters), so that the
 * next backend can start from them. The DDL is SQLite's own: WITHOUT
 * ROWID tables save a second copy of their key.
 *
 * Times are milliseconds since the epoch (INTEGER); last_used_at is
 * max(created_at, last_hit_at), indexed for least-recently-used eviction.
 */
#include "catalog/sqlite_sql.h"

#include <stddef.h>

#define STR_(x) #x
#define STR(x) STR_(x)

#define KEY_WHERE "d.project = ?1 AND d.domain = ?2 AND d.name = ?3 AND d.version = ?4"
#define RES_WHERE "project = ?1 AND domain = ?2 AND name = ?3 AND version = ?4 AND tag = ?5"

const char *const cachet__sql[SQL_COUNT] = {
	[SQL_BEGIN] = "BEGIN IMMEDIATE",
	[SQL_COMMIT] = "COMMIT",
	[SQL_ROLLBACK] = "ROLLBACK",
	/* One statement, so one snapshot: read as three, another process's
	 * creation could commit between them. */
	[SQL_INSPECT] = "SELECT a.application_id, v.user_version,"
			" (SELECT count(*) FROM sqlite_schema)"
			" FROM pragma_application_id AS a, pragma_user_version AS v",
	[SQL_SET_APPLICATION_ID] = "PRAGMA application_id = " STR(CACHET__CATALOG_APPLICATION_ID),
	[SQL_SET_VERSION] = "PRAGMA user_version = " STR(CACHET__CATALOG_SCHEMA),
	[SQL_JOURNAL_MODE] = "PRAGMA journal_mode = WAL",
	[SQL_FOREIGN_KEYS] = "PRAGMA foreign_keys = ON",
	[SQL_SYNCHRONOUS] = "PRAGMA synchronous = NORMAL",

	[SQL_FIND] = "SELECT a.id, a.uuid, a.created_at, a.outputs"
		     " FROM datasets d JOIN tags t ON t.dataset_id = d.id"
		     " JOIN artifacts a ON a.id = t.artifact_id"
		     " WHERE " KEY_WHERE " AND t.name = ?5",

	[SQL_DATASET_INSERT] = "INSERT INTO datasets (project, domain, name, version, uuid,"
			       " task_version, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
			       " ON CONFLICT (project, domain, name, version) DO NOTHING",
	[SQL_DATASET_GET] = "SELECT id, task_version FROM datasets d WHERE " KEY_WHERE,
	[SQL_DATASET_SET_TASK_VERSION] = "UPDATE datasets SET task_version = ?2 WHERE id = ?1",
	[SQL_TAG_GET] = "SELECT t.artifact_id, a.uuid FROM tags t"
			" JOIN artifacts a ON a.id = t.artifact_id"
			" WHERE t.dataset_id = ?1 AND t.name = ?2",
	[SQL_ARTIFACT_INSERT] =
		"INSERT INTO artifacts (dataset_id, uuid, outputs, input_hashes, exec_project,"
		" exec_domain, execution_name, exec_node, exec_attempt, created_at, last_used_at,"
		" size_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)"
		" RETURNING id",
	[SQL_TAG_INSERT] = "INSERT INTO tags (dataset_id, name, artifact_id) VALUES (?1, ?2, ?3)",
	[SQL_TAG_MOVE] = "UPDATE tags SET artifact_id = ?3 WHERE dataset_id = ?1 AND name = ?2",
	[SQL_ARTIFACT_DELETE_UNTAGGED] =
		"DELETE FROM artifacts WHERE id = ?1"
		" AND NOT EXISTS (SELECT 1 FROM tags WHERE artifact_id = ?1)",
	[SQL_ARTIFACT_DELETE] = "DELETE FROM artifacts WHERE id = ?1",

	[SQL_EVICTION_FORGET] = "DELETE FROM evictions WHERE dataset_id = ?1 AND tag = ?2",
	[SQL_EVICTION_RECORD] =
		"INSERT INTO evictions (dataset_id, tag, artifact_uuid, reason, detail, evicted_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (dataset_id, tag) DO UPDATE SET"
		" artifact_uuid = excluded.artifact_uuid, reason = excluded.reason,"
		" detail = excluded.detail, evicted_at = excluded.evicted_at",
	[SQL_EVICTION_GET] = "SELECT e.artifact_uuid, e.reason, e.detail, e.evicted_at"
			     " FROM evictions e JOIN datasets d ON d.id = e.dataset_id"
			     " WHERE " KEY_WHERE " AND e.tag = ?5",
	[SQL_EVICT_TAGS] = "SELECT t.dataset_id, t.name, a.uuid FROM tags t"
			   " JOIN artifacts a ON a.id = t.artifact_id WHERE t.artifact_id = ?1",

	[SQL_COUNTER_ADD] = "INSERT INTO counters (project, domain, name, counter, value)"
			    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (project, domain, name, counter)"
			    " DO UPDATE SET value = counters.value + excluded.value",
	[SQL_HIT] = "UPDATE artifacts SET hit_count = hit_count + ?3,"
		    " last_hit_at = CASE WHEN last_hit_at < ?2 THEN ?2 ELSE last_hit_at END,"
		    " last_used_at = CASE WHEN last_used_at < ?2 THEN ?2 ELSE last_used_at END"
		    " WHERE id = ?1",

	[SQL_RESERVATION_GET] = "SELECT owner_id, heartbeat_ms, expires_at, holder FROM reservations"
				" WHERE " RES_WHERE,
	[SQL_RESERVATION_INSERT] =
		"INSERT INTO reservations (project, domain, name, version, tag, owner_id,"
		" heartbeat_ms, expires_at, holder) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT (project, domain, name, version, tag) DO NOTHING",
	/* ?11 NULL: "holder = NULL" is never true. */
	[SQL_RESERVATION_TAKE] = "UPDATE reservations SET owner_id = ?6, heartbeat_ms = ?7,"
				 " expires_at = ?8, holder = ?9 WHERE " RES_WHERE
				 " AND (expires_at <= ?10 OR owner_id = ?6 OR holder = ?11)",
	[SQL_RESERVATION_RELEASE] = "DELETE FROM reservations WHERE " RES_WHERE
				    " AND owner_id = ?6",

	[SQL_COUNTERS] = "SELECT project, domain, name, counter, value FROM counters"
			 " WHERE value <> 0",
	[SQL_USAGE] = "SELECT d.project, d.domain, d.name, count(*), coalesce(sum(a.size_bytes), 0),"
		      " max(a.last_hit_at) FROM tags t JOIN artifacts a ON a.id = t.artifact_id"
		      " JOIN datasets d ON d.id = t.dataset_id GROUP BY d.project, d.domain, d.name",
	[SQL_ALL_OUTPUTS] = "SELECT outputs FROM artifacts",
};

const char cachet__sql_list_select[] =
	"SELECT a.id, d.project, d.domain, d.name, d.version, d.task_version, t.name, a.uuid,"
	" a.exec_project, a.exec_domain, a.execution_name, a.exec_node, a.exec_attempt,"
	" a.created_at, a.last_hit_at, a.last_used_at, a.hit_count, a.size_bytes, ";
const char cachet__sql_list_from[] = " FROM tags t JOIN artifacts a ON a.id = t.artifact_id"
				     " JOIN datasets d ON d.id = t.dataset_id WHERE 1 = 1";
/*
 * The filter's cache_version (?11): the version is the cache version, '-',
 * 8 base64url characters, '-', 8 more (dataset_version.c says the same in
 * C). Counted in characters, as SQLite counts text; the GLOB makes the
 * last 18 ASCII, so that this agrees with the byte count in C.
 */
#define B64 "[A-Za-z0-9_-]"
#define SIG B64 B64 B64 B64 B64 B64 B64 B64
const char cachet__sql_list_cache_version[] =
	" AND length(d.version) = length(?11) + 18"
	" AND substr(d.version, 1, length(?11)) = ?11"
	" AND substr(d.version, length(?11) + 1) GLOB '-" SIG "-" SIG "'";
#undef SIG
#undef B64
const char cachet__sql_list_order[] =
	" ORDER BY d.project, d.domain, d.name, d.version, a.created_at DESC, a.id DESC";
const char cachet__sql_list_order_lru[] = " ORDER BY a.last_used_at, a.id";

/* Version 0 -> 1: the first schema. */
static const char *const schema_v1[] = {
	"CREATE TABLE datasets ("
	" id INTEGER PRIMARY KEY,"
	" project TEXT NOT NULL,"
	" domain TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" version TEXT NOT NULL,"
	" uuid TEXT NOT NULL UNIQUE,"
	" task_version TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" UNIQUE (project, domain, name, version))",

	"CREATE TABLE artifacts ("
	" id INTEGER PRIMARY KEY,"
	" dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,"
	" uuid TEXT NOT NULL UNIQUE,"
	" outputs BLOB NOT NULL,"      /* LiteralMap, protobuf */
	" input_hashes BLOB,"          /* LiteralMap of strings, protobuf; NULL: none */
	" exec_project TEXT NOT NULL DEFAULT '',"
	" exec_domain TEXT NOT NULL DEFAULT '',"
	" execution_name TEXT NOT NULL DEFAULT '',"
	" exec_node TEXT NOT NULL DEFAULT '',"
	" exec_attempt INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" last_hit_at INTEGER NOT NULL DEFAULT 0,"
	" last_used_at INTEGER NOT NULL,"
	" hit_count INTEGER NOT NULL DEFAULT 0,"
	" size_bytes INTEGER NOT NULL DEFAULT 0)",
	"CREATE INDEX artifacts_last_used ON artifacts (last_used_at)",

	"CREATE TABLE tags ("
	" dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,"
	" name TEXT NOT NULL,"
	" artifact_id INTEGER NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,"
	" PRIMARY KEY (dataset_id, name)) WITHOUT ROWID",
	"CREATE INDEX tags_artifact ON tags (artifact_id)",

	/* Keyed by the dataset id's text, as Flyte's ReservationKey: a
	 * reservation may come before the dataset exists. */
	"CREATE TABLE reservations ("
	" project TEXT NOT NULL,"
	" domain TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" version TEXT NOT NULL,"
	" tag TEXT NOT NULL,"
	" owner_id TEXT NOT NULL,"
	" heartbeat_ms INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" PRIMARY KEY (project, domain, name, version, tag)) WITHOUT ROWID",

	/* The last eviction of each tag, for explain; gone when it is put again. */
	"CREATE TABLE evictions ("
	" dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" artifact_uuid TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" detail TEXT,"
	" evicted_at INTEGER NOT NULL,"
	" PRIMARY KEY (dataset_id, tag)) WITHOUT ROWID",

	/* Per task (project, domain, dataset name); the total is their sum. */
	"CREATE TABLE counters ("
	" project TEXT NOT NULL,"
	" domain TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" counter TEXT NOT NULL,"
	" value INTEGER NOT NULL,"
	" PRIMARY KEY (project, domain, name, counter)) WITHOUT ROWID",
	NULL,
};

/* Version 1 -> 2: the process holding a reservation (catalog/holder.h);
 * NULL for rows written before, which lapse as they always did. */
static const char *const schema_v2[] = {
	"ALTER TABLE reservations ADD COLUMN holder TEXT",
	NULL,
};

const char *const *const cachet__sql_migrations[] = {
	schema_v1,
	schema_v2,
};

_Static_assert(sizeof cachet__sql_migrations / sizeof cachet__sql_migrations[0] ==
		       CACHET__CATALOG_SCHEMA,
	       "one migration per schema version");
