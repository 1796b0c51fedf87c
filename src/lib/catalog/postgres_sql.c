/*
 * The PostgreSQL catalog's schema and statements.
 *
 * The same tables and the same queries as the SQLite backend's
 * (sqlite_sql.c), in PostgreSQL's spelling: $n parameters, identity
 * columns, bytea for the protobuf blobs. Times are milliseconds since the
 * epoch (bigint), as there; last_used_at is max(created_at, last_hit_at),
 * indexed for least-recently-used eviction.
 *
 * Reservation times are the database's clock: postgres.c translates the
 * handle's times by the offset it measured against the server when it
 * connected, so machines whose clocks differ agree on when a reservation
 * lapses.
 */
#include "catalog/postgres_sql.h"

#include <stddef.h>

#define KEY_WHERE "d.project = $1 AND d.domain = $2 AND d.name = $3 AND d.version = $4"
#define RES_WHERE "project = $1 AND domain = $2 AND name = $3 AND version = $4 AND tag = $5"

/* pg_advisory_xact_lock's class for cachet: "cctg", as SQLite's
 * application_id. */
#define LOCK_CLASS "1667462247"

const char *const cachet__pg_sql[PG_COUNT] = {
	[PG_FIND] = "SELECT a.id, a.uuid, a.created_at, a.outputs"
		    " FROM datasets d JOIN tags t ON t.dataset_id = d.id"
		    " JOIN artifacts a ON a.id = t.artifact_id"
		    " WHERE " KEY_WHERE " AND t.name = $5",

	/* Puts of one key take turns (until their transaction ends), so that
	 * two machines putting the same new tag never both insert it. */
	[PG_PUT_LOCK] = "SELECT pg_advisory_xact_lock(" LOCK_CLASS ", hashtext($1::text || chr(31)"
			" || $2::text || chr(31) || $3::text || chr(31) || $4::text || chr(31)"
			" || $5::text))",

	[PG_DATASET_INSERT] = "INSERT INTO datasets (project, domain, name, version, uuid,"
			      " task_version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
			      " ON CONFLICT (project, domain, name, version) DO NOTHING",
	[PG_DATASET_GET] = "SELECT id, task_version FROM datasets d WHERE " KEY_WHERE,
	[PG_DATASET_SET_TASK_VERSION] = "UPDATE datasets SET task_version = $2 WHERE id = $1",
	[PG_TAG_GET] = "SELECT t.artifact_id, a.uuid FROM tags t"
		       " JOIN artifacts a ON a.id = t.artifact_id"
		       " WHERE t.dataset_id = $1 AND t.name = $2",
	[PG_ARTIFACT_INSERT] =
		"INSERT INTO artifacts (dataset_id, uuid, outputs, input_hashes, exec_project,"
		" exec_domain, execution_name, exec_node, exec_attempt, created_at, last_used_at,"
		" size_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)"
		" RETURNING id",
	[PG_TAG_INSERT] = "INSERT INTO tags (dataset_id, name, artifact_id) VALUES ($1, $2, $3)",
	[PG_TAG_MOVE] = "UPDATE tags SET artifact_id = $3 WHERE dataset_id = $1 AND name = $2",
	[PG_ARTIFACT_DELETE_UNTAGGED] =
		"DELETE FROM artifacts WHERE id = $1"
		" AND NOT EXISTS (SELECT 1 FROM tags WHERE artifact_id = $1)",
	[PG_ARTIFACT_DELETE] = "DELETE FROM artifacts WHERE id = $1",

	[PG_EVICTION_FORGET] = "DELETE FROM evictions WHERE dataset_id = $1 AND tag = $2",
	[PG_EVICTION_RECORD] =
		"INSERT INTO evictions (dataset_id, tag, artifact_uuid, reason, detail, evicted_at)"
		" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dataset_id, tag) DO UPDATE SET"
		" artifact_uuid = excluded.artifact_uuid, reason = excluded.reason,"
		" detail = excluded.detail, evicted_at = excluded.evicted_at",
	[PG_EVICTION_GET] = "SELECT e.artifact_uuid, e.reason, e.detail, e.evicted_at"
			    " FROM evictions e JOIN datasets d ON d.id = e.dataset_id"
			    " WHERE " KEY_WHERE " AND e.tag = $5",
	[PG_EVICT_TAGS] = "SELECT t.dataset_id, t.name, a.uuid FROM tags t"
			  " JOIN artifacts a ON a.id = t.artifact_id WHERE t.artifact_id = $1",

	[PG_COUNTER_ADD] = "INSERT INTO counters (project, domain, name, counter, value)"
			   " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project, domain, name, counter)"
			   " DO UPDATE SET value = counters.value + excluded.value",
	[PG_HIT] = "UPDATE artifacts SET hit_count = hit_count + $3,"
		   " last_hit_at = greatest(last_hit_at, $2),"
		   " last_used_at = greatest(last_used_at, $2)"
		   " WHERE id = $1",

	[PG_RESERVATION_GET] = "SELECT owner_id, heartbeat_ms, expires_at, holder FROM reservations"
			       " WHERE " RES_WHERE,
	/* Flyte's get-or-extend in two statements that each stand alone
	 * under READ COMMITTED: insert if absent (a concurrent insert wins
	 * and this one does nothing) ... */
	[PG_RESERVATION_INSERT] =
		"INSERT INTO reservations (project, domain, name, version, tag, owner_id,"
		" heartbeat_ms, expires_at, holder) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
		" ON CONFLICT (project, domain, name, version, tag) DO NOTHING",
	/* ... else take or extend it, guarded by "expired, mine, or held by
	 * that gone process"; PostgreSQL re-checks the guard on the newest
	 * row version when another transaction changed it meanwhile. $10 is
	 * now by the database's clock; $11 NULL matches no holder. */
	[PG_RESERVATION_TAKE] = "UPDATE reservations SET owner_id = $6, heartbeat_ms = $7,"
				" expires_at = $8, holder = $9 WHERE " RES_WHERE
				" AND (expires_at <= $10 OR owner_id = $6 OR holder = $11)",
	[PG_RESERVATION_RELEASE] = "DELETE FROM reservations WHERE " RES_WHERE
				   " AND owner_id = $6",

	[PG_COUNTERS] = "SELECT project, domain, name, counter, value FROM counters"
			" WHERE value <> 0",
	[PG_USAGE] = "SELECT d.project, d.domain, d.name, count(*),"
		     " coalesce(sum(a.size_bytes), 0)::bigint, max(a.last_hit_at)"
		     " FROM tags t JOIN artifacts a ON a.id = t.artifact_id"
		     " JOIN datasets d ON d.id = t.dataset_id GROUP BY d.project, d.domain, d.name",
	[PG_ALL_OUTPUTS] = "SELECT outputs FROM artifacts",
};

const char cachet__pg_sql_clock[] =
	"SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint";
const char cachet__pg_sql_inspect[] = "SELECT to_regclass('cachet_schema_version') IS NOT NULL";
const char cachet__pg_sql_version[] = "SELECT coalesce(max(version), 0) FROM cachet_schema_version";
/* Creation and migration take turns across processes and machines. */
const char cachet__pg_sql_migrate_lock[] = "SELECT pg_advisory_lock(" LOCK_CLASS ")";
const char cachet__pg_sql_migrate_unlock[] = "SELECT pg_advisory_unlock(" LOCK_CLASS ")";
const char cachet__pg_sql_set_version[] =
	"INSERT INTO cachet_schema_version (version) VALUES ($1)";
const char cachet__pg_sql_read_only[] =
	"SELECT pg_is_in_recovery() OR current_setting('default_transaction_read_only') = 'on'";

const char cachet__pg_sql_list_select[] =
	"SELECT a.id, d.project, d.domain, d.name, d.version, d.task_version, t.name, a.uuid,"
	" a.exec_project, a.exec_domain, a.execution_name, a.exec_node, a.exec_attempt,"
	" a.created_at, a.last_hit_at, a.last_used_at, a.hit_count, a.size_bytes, ";
const char cachet__pg_sql_list_from[] = " FROM tags t JOIN artifacts a ON a.id = t.artifact_id"
					" JOIN datasets d ON d.id = t.dataset_id WHERE true";
const char cachet__pg_sql_list_order[] =
	" ORDER BY d.project, d.domain, d.name, d.version, a.created_at DESC, a.id DESC";
const char cachet__pg_sql_list_order_lru[] = " ORDER BY a.last_used_at, a.id";

/* Version 0 -> 1: the first schema (the SQLite schema 2's tables). */
static const char *const schema_v1[] = {
	"CREATE TABLE cachet_schema_version ("
	" version integer PRIMARY KEY,"
	" migrated_at timestamptz NOT NULL DEFAULT now())",

	"CREATE TABLE datasets ("
	" id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
	" project text NOT NULL,"
	" domain text NOT NULL,"
	" name text NOT NULL,"
	" version text NOT NULL,"
	" uuid text NOT NULL UNIQUE,"
	" task_version text NOT NULL DEFAULT '',"
	" created_at bigint NOT NULL,"
	" UNIQUE (project, domain, name, version))",

	"CREATE TABLE artifacts ("
	" id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
	" dataset_id bigint NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,"
	" uuid text NOT NULL UNIQUE,"
	" outputs bytea NOT NULL,"
	" input_hashes bytea,"
	" exec_project text NOT NULL DEFAULT '',"
	" exec_domain text NOT NULL DEFAULT '',"
	" execution_name text NOT NULL DEFAULT '',"
	" exec_node text NOT NULL DEFAULT '',"
	" exec_attempt integer NOT NULL DEFAULT 0,"
	" created_at bigint NOT NULL,"
	" last_hit_at bigint NOT NULL DEFAULT 0,"
	" last_used_at bigint NOT NULL,"
	" hit_count bigint NOT NULL DEFAULT 0,"
	" size_bytes bigint NOT NULL DEFAULT 0)",
	"CREATE INDEX artifacts_last_used ON artifacts (last_used_at)",
	"CREATE INDEX artifacts_dataset ON artifacts (dataset_id)",

	"CREATE TABLE tags ("
	" dataset_id bigint NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,"
	" name text NOT NULL,"
	" artifact_id bigint NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,"
	" PRIMARY KEY (dataset_id, name))",
	"CREATE INDEX tags_artifact ON tags (artifact_id)",

	"CREATE TABLE reservations ("
	" project text NOT NULL,"
	" domain text NOT NULL,"
	" name text NOT NULL,"
	" version text NOT NULL,"
	" tag text NOT NULL,"
	" owner_id text NOT NULL,"
	" heartbeat_ms bigint NOT NULL,"
	" expires_at bigint NOT NULL," /* the database's clock */
	" holder text,"
	" PRIMARY KEY (project, domain, name, version, tag))",

	"CREATE TABLE evictions ("
	" dataset_id bigint NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,"
	" tag text NOT NULL,"
	" artifact_uuid text NOT NULL,"
	" reason text NOT NULL,"
	" detail text,"
	" evicted_at bigint NOT NULL,"
	" PRIMARY KEY (dataset_id, tag))",

	"CREATE TABLE counters ("
	" project text NOT NULL,"
	" domain text NOT NULL,"
	" name text NOT NULL,"
	" counter text NOT NULL,"
	" value bigint NOT NULL,"
	" PRIMARY KEY (project, domain, name, counter))",
	NULL,
};

const char *const *const cachet__pg_sql_migrations[] = {
	schema_v1,
};

_Static_assert(sizeof cachet__pg_sql_migrations / sizeof cachet__pg_sql_migrations[0] ==
		       CACHET__PG_SCHEMA,
	       "one migration per schema version");
