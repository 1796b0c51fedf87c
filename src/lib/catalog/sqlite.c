/*
 * The SQLite catalog backend: one database file (<home>/catalog.db)
 * shared by every process on the machine.
 *
 * - WAL journal, synchronous=NORMAL: readers never block the writer nor
 *   the writer the readers; a commit appends to the WAL without fsync, so
 *   a power cut may lose the last commits (a recomputation later, never a
 *   wrong hit: the offloaded objects were made durable by the store before
 *   the put that names them).
 * - Every write is one BEGIN IMMEDIATE transaction: it takes the write
 *   lock up front, so two writers never deadlock on an upgrade. Lock
 *   waits go through our own busy handler (short, jittered sleeps up to
 *   the busy timeout): SQLite's default one sleeps in steps of up to
 *   100 ms, which turns a burst of small writes from 8 processes into
 *   seconds of idling.
 * - Prepared statements only, each prepared once per handle
 *   (sqlite_sql.c keeps the text; the list query is assembled from fixed
 *   fragments and cached by its text).
 * - The schema version is PRAGMA user_version, the file is marked as ours
 *   by PRAGMA application_id; older schemas are migrated forward in one
 *   transaction, newer ones and foreign files are refused untouched.
 */
#include "catalog/backend.h"
#include "catalog/sqlite_sql.h"
#include "util/clock.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/os.h"
#include "util/private.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DYN_MAX 32 /* cached list queries */

typedef struct dyn_stmt {
	char *sql;
	sqlite3_stmt *st;
} dyn_stmt;

typedef struct sqlite_backend {
	cachet_catalog_backend base;
	sqlite3 *db;
	char *path;
	bool ro;
	unsigned int busy_timeout_ms;
	int64_t busy_start; /* monotonic ms */
	unsigned int busy_seed;
	sqlite3_stmt *st[SQL_COUNT];
	dyn_stmt dyn[DYN_MAX];
	size_t n_dyn;
	cachet_buf found_id;  /* find's borrowed artifact id */
	cachet_buf found_out; /* find's borrowed outputs */
} sqlite_backend;

static sqlite_backend *SB(cachet_catalog_backend *b)
{
	return (sqlite_backend *)b;
}

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */

static int code_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM: return CACHET_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return CACHET_ELOCKED;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: return CACHET_ECORRUPT;
	case SQLITE_READONLY:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM: return CACHET_EIO;
	default: return CACHET_ERROR;
	}
}

/* "cannot <verb> catalog '<path>': <sqlite's message>" */
static int db_error(sqlite_backend *sb, int rc, const char *verb)
{
	const char *msg = sb->db ? sqlite3_errmsg(sb->db) : sqlite3_errstr(rc);
	int code = code_of(rc);

	if (code == CACHET_ENOMEM)
		return cachet__error_oom();
	if ((rc & 0xff) == SQLITE_BUSY)
		return cachet__error(code, "cannot %s catalog '%s': busy for longer than %u ms",
				     verb, sb->path, sb->busy_timeout_ms);
	return cachet__error(code, "cannot %s catalog '%s': %s", verb, sb->path, msg);
}

/* ---------------------------------------------------------------------- */
/* Locking                                                                */

/* Backoff for attempt n: 50 µs doubling to 2 ms, with jitter so that
 * waiting processes do not wake in lockstep. */
static long backoff_us(sqlite_backend *sb, int n)
{
	long base = 50L << (n < 6 ? n : 6);
	if (base > 2000)
		base = 2000;
	sb->busy_seed = sb->busy_seed * 1103515245u + 12345u;
	return base / 2 + (long)((sb->busy_seed >> 8) % (unsigned)(base / 2 + 1));
}

static int busy_handler(void *payload, int n)
{
	sqlite_backend *sb = payload;

	if (n == 0)
		sb->busy_start = cachet__monotonic_ms();
	else if (cachet__monotonic_ms() - sb->busy_start >= (int64_t)sb->busy_timeout_ms)
		return 0;
	cachet__sleep_us(backoff_us(sb, n));
	return 1;
}

/* ---------------------------------------------------------------------- */
/* Statements                                                             */

static int prepare(sqlite_backend *sb, sqlite3_stmt **out, const char *sql)
{
	int rc = sqlite3_prepare_v3(sb->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
	if (rc != SQLITE_OK) {
		*out = NULL;
		return db_error(sb, rc, "read");
	}
	return 0;
}

/* The cached statement i, reset and unbound. */
static int stmt(sqlite_backend *sb, sqlite3_stmt **out, int i)
{
	if (sb->st[i] == NULL) {
		int rc = prepare(sb, &sb->st[i], cachet__sql[i]);
		if (rc < 0)
			return rc;
	}
	*out = sb->st[i];
	return 0;
}

static void done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* A statement for dynamic (but parameterised) SQL, cached by its text. */
static int dyn(sqlite_backend *sb, sqlite3_stmt **out, const char *sql)
{
	for (size_t i = 0; i < sb->n_dyn; i++) {
		if (strcmp(sb->dyn[i].sql, sql) == 0) {
			*out = sb->dyn[i].st;
			return 0;
		}
	}
	if (sb->n_dyn == DYN_MAX) { /* evict the oldest */
		sqlite3_finalize(sb->dyn[0].st);
		cachet__free(sb->dyn[0].sql);
		memmove(&sb->dyn[0], &sb->dyn[1], (DYN_MAX - 1) * sizeof(dyn_stmt));
		sb->n_dyn--;
	}
	char *copy = cachet__strdup(sql);
	if (copy == NULL)
		return CACHET_ENOMEM;
	int rc = prepare(sb, out, sql);
	if (rc < 0) {
		cachet__free(copy);
		return rc;
	}
	sb->dyn[sb->n_dyn].sql = copy;
	sb->dyn[sb->n_dyn].st = *out;
	sb->n_dyn++;
	return 0;
}

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

static int bind_blob(sqlite3_stmt *st, int i, const void *p, size_t len)
{
	if (p == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_blob64(st, i, len ? p : "", (sqlite3_uint64)len, SQLITE_STATIC);
}

/* Bind the dataset id (?1..?4) and, when tag_at > 0, the tag. */
static int bind_key(sqlite3_stmt *st, const cachet_cache_key *key, int tag_at)
{
	int rc = bind_text(st, 1, key->project);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 2, key->domain);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 3, key->name);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 4, key->version);
	if (rc == SQLITE_OK && tag_at > 0)
		rc = bind_text(st, tag_at, key->tag);
	return rc;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? (const char *)s : "";
}

/* Step a statement that returns no rows; 0 or an error. */
static int run(sqlite_backend *sb, sqlite3_stmt *st, const char *verb)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		int err = db_error(sb, rc, verb);
		done(st);
		return err;
	}
	done(st);
	return 0;
}

/*
 * Step st to its end, calling row(st, ctx) for each row; the statement is
 * done either way. 0; or row's error (negative), which stops the walk; or
 * the database's error, in a message that says the catalog could not be
 * read.
 */
static int each_row(sqlite_backend *sb, sqlite3_stmt *st, int (*row)(sqlite3_stmt *, void *),
		    void *ctx)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int r = row(st, ctx);
		if (r < 0) {
			done(st);
			return r;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : db_error(sb, rc, "read");
	done(st);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Transactions                                                           */

/*
 * Step st, and while SQLite answers BUSY step it again after a back-off,
 * up to the busy timeout. The busy handler waits for locks; this covers
 * the cases where SQLite returns BUSY without calling it (while another
 * connection recovers the WAL, or switches the journal mode). Returns
 * SQLite's last answer.
 */
static int step_retrying_busy(sqlite_backend *sb, sqlite3_stmt *st)
{
	int64_t start = cachet__monotonic_ms();

	for (int n = 0;; n++) {
		int rc = sqlite3_step(st);
		if ((rc & 0xff) != SQLITE_BUSY ||
		    cachet__monotonic_ms() - start >= (int64_t)sb->busy_timeout_ms)
			return rc;
		sqlite3_reset(st);
		cachet__sleep_us(backoff_us(sb, n));
	}
}

static int begin(sqlite_backend *sb)
{
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_BEGIN);
	if (rc < 0)
		return rc;
	rc = step_retrying_busy(sb, st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(sb, rc, "write");
}

static void rollback(sqlite_backend *sb)
{
	sqlite3_stmt *st;
	if (sqlite3_get_autocommit(sb->db))
		return; /* SQLite rolled back already (e.g. after SQLITE_FULL) */
	if (stmt(sb, &st, SQL_ROLLBACK) == 0) {
		sqlite3_step(st);
		sqlite3_reset(st);
	}
}

static int commit(sqlite_backend *sb)
{
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_COMMIT);
	if (rc < 0)
		return rc;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		int err = db_error(sb, rc, "write");
		rollback(sb);
		return err;
	}
	return 0;
}

/* Finish a write transaction: commit when rc is 0, else roll back. */
static int finish(sqlite_backend *sb, int rc)
{
	if (rc == 0)
		return commit(sb);
	rollback(sb);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Hit bookkeeping                                                        */

static int apply_batch(sqlite_backend *sb, const cachet_catalog_batch *batch)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (batch == NULL)
		return 0;
	for (size_t i = 0; rc == 0 && i < batch->n_tasks; i++) {
		const cachet_catalog_task_delta *t = &batch->tasks[i];
		for (int c = 0; rc == 0 && c < CACHET_COUNTER_COUNT; c++) {
			if (t->d[c] == 0)
				continue;
			rc = stmt(sb, &st, SQL_COUNTER_ADD);
			if (rc < 0)
				break;
			bind_text(st, 1, t->project);
			bind_text(st, 2, t->domain);
			bind_text(st, 3, t->name);
			bind_text(st, 4, cachet_counter_name(c));
			sqlite3_bind_int64(st, 5, (sqlite3_int64)t->d[c]);
			rc = run(sb, st, "write");
		}
	}
	for (size_t i = 0; rc == 0 && i < batch->n_hits; i++) {
		rc = stmt(sb, &st, SQL_HIT);
		if (rc < 0)
			break;
		sqlite3_bind_int64(st, 1, batch->hits[i].ref);
		sqlite3_bind_int64(st, 2, batch->hits[i].at_ms);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)batch->hits[i].count);
		rc = run(sb, st, "write");
	}
	return rc;
}

static int sq_record(cachet_catalog_backend *b, const cachet_catalog_batch *batch)
{
	sqlite_backend *sb = SB(b);
	int rc = begin(sb);
	if (rc < 0)
		return rc;
	return finish(sb, apply_batch(sb, batch));
}

/* ---------------------------------------------------------------------- */
/* Find and put                                                           */

static int sq_find(cachet_catalog_backend *b, cachet_catalog_found *out,
		   const cachet_cache_key *key)
{
	sqlite_backend *sb = SB(b);
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_FIND);

	if (rc < 0)
		return rc;
	bind_key(st, key, 5);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		done(st);
		return CACHET_ENOTFOUND;
	}
	if (rc != SQLITE_ROW) {
		rc = db_error(sb, rc, "read");
		done(st);
		return rc;
	}
	out->ref = sqlite3_column_int64(st, 0);
	out->created_at_ms = sqlite3_column_int64(st, 2);
	/* Copy out of the row so that the statement can be reset now. */
	const void *p = sqlite3_column_blob(st, 3);
	size_t n = (size_t)sqlite3_column_bytes(st, 3);
	cachet__buf_clear(&sb->found_id);
	cachet__buf_clear(&sb->found_out);
	rc = cachet__buf_puts(&sb->found_id, col_text(st, 1));
	if (rc == 0)
		rc = cachet__buf_put(&sb->found_out, p, n);
	if (rc == 0)
		rc = cachet__buf_grow(&sb->found_out, 0); /* a pointer even for 0 bytes */
	done(st);
	if (rc < 0)
		return rc;
	out->artifact_id = sb->found_id.ptr;
	out->outputs = sb->found_out.ptr;
	out->outputs_len = sb->found_out.len;
	return 0;
}

/* The dataset of key, created when absent; *id its row id. */
static int ensure_dataset(sqlite_backend *sb, int64_t *id, const cachet_catalog_put_row *row)
{
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_DATASET_INSERT);
	if (rc < 0)
		return rc;
	bind_key(st, row->key, 0);
	bind_text(st, 5, row->dataset_uuid);
	bind_text(st, 6, row->task_version);
	sqlite3_bind_int64(st, 7, row->now_ms);
	rc = run(sb, st, "write");
	if (rc < 0)
		return rc;

	rc = stmt(sb, &st, SQL_DATASET_GET);
	if (rc < 0)
		return rc;
	bind_key(st, row->key, 0);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? cachet__error(CACHET_ERROR, "catalog '%s': dataset vanished",
						       sb->path)
				       : db_error(sb, rc, "read");
		done(st);
		return rc;
	}
	*id = sqlite3_column_int64(st, 0);
	bool fill = col_text(st, 1)[0] == '\0' && row->task_version && row->task_version[0];
	done(st);
	if (!fill)
		return 0;
	rc = stmt(sb, &st, SQL_DATASET_SET_TASK_VERSION);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, *id);
	bind_text(st, 2, row->task_version);
	return run(sb, st, "write");
}

static int put_in_txn(sqlite_backend *sb, cachet_catalog_put_outcome *out,
		      const cachet_catalog_put_row *row, bool overwrite,
		      const cachet_catalog_batch *batch)
{
	sqlite3_stmt *st;
	int64_t ds = 0, old = 0, art;
	int rc = ensure_dataset(sb, &ds, row);
	if (rc < 0)
		return rc;

	rc = stmt(sb, &st, SQL_TAG_GET);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, ds);
	bind_text(st, 2, row->key->tag);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		old = sqlite3_column_int64(st, 0);
		snprintf(out->artifact_id, sizeof out->artifact_id, "%s", col_text(st, 1));
	} else if (rc != SQLITE_DONE) {
		rc = db_error(sb, rc, "read");
		done(st);
		return rc;
	}
	done(st);
	if (old != 0 && !overwrite)
		return apply_batch(sb, batch); /* keep the entry there is */

	rc = stmt(sb, &st, SQL_ARTIFACT_INSERT);
	if (rc < 0)
		return rc;
	const cachet_artifact_source *src = row->source;
	sqlite3_bind_int64(st, 1, ds);
	bind_text(st, 2, row->artifact_id);
	bind_blob(st, 3, row->outputs, row->outputs_len);
	bind_blob(st, 4, row->inputs, row->inputs_len);
	bind_text(st, 5, src->exec_project);
	bind_text(st, 6, src->exec_domain);
	bind_text(st, 7, src->execution_name);
	bind_text(st, 8, src->exec_node);
	sqlite3_bind_int(st, 9, src->exec_attempt);
	sqlite3_bind_int64(st, 10, row->now_ms);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)row->size_bytes);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = db_error(sb, rc, "write");
		done(st);
		return rc;
	}
	art = sqlite3_column_int64(st, 0);
	done(st);

	rc = stmt(sb, &st, old ? SQL_TAG_MOVE : SQL_TAG_INSERT);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, ds);
	bind_text(st, 2, row->key->tag);
	sqlite3_bind_int64(st, 3, art);
	rc = run(sb, st, "write");
	if (rc == 0 && old) {
		rc = stmt(sb, &st, SQL_ARTIFACT_DELETE_UNTAGGED);
		if (rc == 0) {
			sqlite3_bind_int64(st, 1, old);
			rc = run(sb, st, "write");
		}
	}
	if (rc == 0)
		rc = stmt(sb, &st, SQL_EVICTION_FORGET);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, ds);
		bind_text(st, 2, row->key->tag);
		rc = run(sb, st, "write");
	}
	if (rc == 0)
		rc = apply_batch(sb, batch);
	if (rc == 0) {
		out->created = true;
		out->replaced = old != 0;
		snprintf(out->artifact_id, sizeof out->artifact_id, "%s", row->artifact_id);
	}
	return rc;
}

static int sq_put(cachet_catalog_backend *b, cachet_catalog_put_outcome *out,
		  const cachet_catalog_put_row *row, bool overwrite,
		  const cachet_catalog_batch *batch)
{
	sqlite_backend *sb = SB(b);
	int rc = begin(sb);
	if (rc < 0)
		return rc;
	return finish(sb, put_in_txn(sb, out, row, overwrite, batch));
}

/* ---------------------------------------------------------------------- */
/* Reservations                                                           */

static int reserve_in_txn(sqlite_backend *sb, cachet_reservation *out, char **holder, bool *taken,
			  const cachet_cache_key *key, const cachet_catalog_reserve_args *a)
{
	sqlite3_stmt *st;
	char *prior = NULL;
	bool had = false;
	int rc = stmt(sb, &st, SQL_RESERVATION_GET);
	if (rc < 0)
		return rc;
	bind_key(st, key, 5);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		had = true;
		prior = cachet__strdup(col_text(st, 0));
		rc = prior ? 0 : CACHET_ENOMEM;
	} else {
		rc = rc == SQLITE_DONE ? 0 : db_error(sb, rc, "read");
	}
	done(st);
	if (rc < 0)
		goto out;

	/* Flyte's get-or-extend: insert if absent, else an update guarded
	 * by "expired or mine" (or "held by that gone process"). Written so
	 * that it stays right where the transaction does not serialise
	 * (PostgreSQL's READ COMMITTED). */
	rc = stmt(sb, &st, had ? SQL_RESERVATION_TAKE : SQL_RESERVATION_INSERT);
	if (rc < 0)
		goto out;
	bind_key(st, key, 5);
	bind_text(st, 6, a->owner);
	sqlite3_bind_int64(st, 7, a->heartbeat_ms);
	sqlite3_bind_int64(st, 8, a->expires_at_ms);
	if (a->holder)
		bind_text(st, 9, a->holder);
	if (had) {
		sqlite3_bind_int64(st, 10, a->now_ms);
		if (a->gone_holder)
			bind_text(st, 11, a->gone_holder);
	}
	rc = run(sb, st, "write");
	if (rc < 0)
		goto out;

	rc = stmt(sb, &st, SQL_RESERVATION_GET);
	if (rc < 0)
		goto out;
	bind_key(st, key, 5);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE
			     ? cachet__error(CACHET_ERROR, "catalog '%s': reservation vanished", sb->path)
			     : db_error(sb, rc, "read");
		done(st);
		goto out;
	}
	out->owner_id = cachet__strdup(col_text(st, 0));
	out->heartbeat_ms = sqlite3_column_int64(st, 1);
	out->expires_at_ms = sqlite3_column_int64(st, 2);
	bool oom = out->owner_id == NULL;
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		oom |= (*holder = cachet__strdup(col_text(st, 3))) == NULL;
	done(st);
	rc = oom ? CACHET_ENOMEM : 0;
	if (rc == 0) {
		out->acquired = strcmp(out->owner_id, a->owner) == 0;
		*taken = out->acquired && (!had || strcmp(prior, a->owner) != 0);
	}
out:
	cachet__free(prior);
	return rc;
}

static int sq_reserve(cachet_catalog_backend *b, cachet_reservation *out, char **holder,
		      bool *taken, const cachet_cache_key *key,
		      const cachet_catalog_reserve_args *args, const cachet_catalog_batch *batch)
{
	sqlite_backend *sb = SB(b);
	*holder = NULL;
	int rc = begin(sb);
	if (rc < 0)
		return rc;
	rc = reserve_in_txn(sb, out, holder, taken, key, args);
	if (rc == 0)
		rc = apply_batch(sb, batch);
	rc = finish(sb, rc);
	if (rc < 0) {
		cachet__free(out->owner_id);
		out->owner_id = NULL;
		out->acquired = false;
		cachet__free(*holder);
		*holder = NULL;
	}
	return rc;
}

static int sq_release(cachet_catalog_backend *b, bool *released, const cachet_cache_key *key,
		      const char *owner, const cachet_catalog_batch *batch)
{
	sqlite_backend *sb = SB(b);
	sqlite3_stmt *st;
	int rc = begin(sb);
	if (rc < 0)
		return rc;
	rc = stmt(sb, &st, SQL_RESERVATION_RELEASE);
	if (rc == 0) {
		bind_key(st, key, 5);
		bind_text(st, 6, owner);
		rc = run(sb, st, "write");
		*released = rc == 0 && sqlite3_changes(sb->db) > 0;
	}
	if (rc == 0)
		rc = apply_batch(sb, batch);
	return finish(sb, rc);
}

/* ---------------------------------------------------------------------- */
/* Listing                                                                */

/* Parameter numbers of the list query. */
enum {
	P_PROJECT = 1,
	P_DOMAIN,
	P_TASK,
	P_TASK2,
	P_VERSION,
	P_TAG,
	P_ID,
	P_CREATED,
	P_USED,
	P_LIMIT,
	P_CACHE_VERSION
};

static int list_sql(cachet_buf *sql, const cachet_catalog_query *q)
{
	const cachet_catalog_filter *f = q->filter;
	int rc = cachet__buf_printf(sql, "%s%s%s%s", cachet__sql_list_select,
				    q->with_outputs ? "a.outputs" : "NULL", ", ",
				    q->with_inputs ? "a.input_hashes" : "NULL");
	if (rc == 0)
		rc = cachet__buf_puts(sql, cachet__sql_list_from);
	if (rc == 0 && f && f->project)
		rc = cachet__buf_puts(sql, " AND d.project = ?1");
	if (rc == 0 && f && f->domain)
		rc = cachet__buf_puts(sql, " AND d.domain = ?2");
	if (rc == 0 && f && f->task)
		rc = cachet__buf_puts(sql, " AND (d.name = ?3 OR d.name = ?4)");
	if (rc == 0 && f && f->dataset_version)
		rc = cachet__buf_puts(sql, " AND d.version = ?5");
	if (rc == 0 && f && f->cache_version)
		rc = cachet__buf_puts(sql, cachet__sql_list_cache_version);
	if (rc == 0 && f && f->tag)
		rc = cachet__buf_puts(sql, " AND t.name = ?6");
	if (rc == 0 && f && f->artifact_id)
		rc = cachet__buf_puts(sql, " AND a.uuid = ?7");
	if (rc == 0 && q->created_before > 0)
		rc = cachet__buf_puts(sql, " AND a.created_at < ?8");
	if (rc == 0 && q->used_before > 0)
		rc = cachet__buf_puts(sql, " AND a.last_used_at < ?9");
	if (rc == 0)
		rc = cachet__buf_puts(sql, q->lru ? cachet__sql_list_order_lru
						  : cachet__sql_list_order);
	if (rc == 0 && f && f->limit > 0)
		rc = cachet__buf_puts(sql, " LIMIT ?10");
	return rc;
}

static int sq_list(cachet_catalog_backend *b, const cachet_catalog_query *q,
		   cachet_catalog_row_fn fn, void *ctx)
{
	sqlite_backend *sb = SB(b);
	const cachet_catalog_filter *f = q->filter;
	cachet_buf sql = CACHET_BUF_INIT;
	cachet_buf task2 = CACHET_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc = list_sql(&sql, q);

	if (rc == 0)
		rc = dyn(sb, &st, sql.ptr);
	if (rc < 0)
		goto out;
	if (f && f->project)
		bind_text(st, P_PROJECT, f->project);
	if (f && f->domain)
		bind_text(st, P_DOMAIN, f->domain);
	if (f && f->task) {
		rc = cachet__buf_printf(&task2, "flyte_task-%s", f->task);
		if (rc < 0)
			goto out;
		bind_text(st, P_TASK, f->task);
		bind_text(st, P_TASK2, task2.ptr);
	}
	if (f && f->dataset_version)
		bind_text(st, P_VERSION, f->dataset_version);
	if (f && f->cache_version)
		bind_text(st, P_CACHE_VERSION, f->cache_version);
	if (f && f->tag)
		bind_text(st, P_TAG, f->tag);
	if (f && f->artifact_id)
		bind_text(st, P_ID, f->artifact_id);
	if (q->created_before > 0)
		sqlite3_bind_int64(st, P_CREATED, q->created_before);
	if (q->used_before > 0)
		sqlite3_bind_int64(st, P_USED, q->used_before);
	if (f && f->limit > 0)
		sqlite3_bind_int64(st, P_LIMIT, (sqlite3_int64)f->limit);

	for (;;) {
		int s = sqlite3_step(st);
		if (s == SQLITE_DONE)
			break;
		if (s != SQLITE_ROW) {
			rc = db_error(sb, s, "read");
			break;
		}
		cachet_catalog_row r = {
			.ref = sqlite3_column_int64(st, 0),
			.project = col_text(st, 1),
			.domain = col_text(st, 2),
			.name = col_text(st, 3),
			.version = col_text(st, 4),
			.task_version = col_text(st, 5),
			.tag = col_text(st, 6),
			.artifact_id = col_text(st, 7),
			.exec_project = col_text(st, 8),
			.exec_domain = col_text(st, 9),
			.execution_name = col_text(st, 10),
			.exec_node = col_text(st, 11),
			.exec_attempt = sqlite3_column_int(st, 12),
			.created_at_ms = sqlite3_column_int64(st, 13),
			.last_hit_at_ms = sqlite3_column_int64(st, 14),
			.last_used_at_ms = sqlite3_column_int64(st, 15),
			.hit_count = (uint64_t)sqlite3_column_int64(st, 16),
			.size_bytes = (uint64_t)sqlite3_column_int64(st, 17),
		};
		if (sqlite3_column_type(st, 18) != SQLITE_NULL) {
			r.outputs = sqlite3_column_blob(st, 18);
			r.outputs_len = (size_t)sqlite3_column_bytes(st, 18);
			if (r.outputs == NULL)
				r.outputs = "";
		}
		if (sqlite3_column_type(st, 19) != SQLITE_NULL) {
			r.inputs = sqlite3_column_blob(st, 19);
			r.inputs_len = (size_t)sqlite3_column_bytes(st, 19);
			if (r.inputs == NULL)
				r.inputs = "";
		}
		rc = fn(ctx, &r);
		if (rc != 0) {
			rc = rc > 0 ? 0 : rc;
			break;
		}
	}
out:
	done(st);
	cachet__buf_dispose(&sql);
	cachet__buf_dispose(&task2);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Eviction                                                               */

typedef struct tag_ref {
	int64_t dataset;
	char *tag;
} tag_ref;

static int evict_one(sqlite_backend *sb, bool *deleted, int64_t ref, const char *reason,
		     const char *detail, int64_t now_ms)
{
	sqlite3_stmt *st;
	tag_ref *tags = NULL;
	size_t n = 0;
	char *uuid = NULL;
	int rc = stmt(sb, &st, SQL_EVICT_TAGS);

	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tag_ref *g = cachet__reallocarray(tags, n + 1, sizeof *tags);
		if (g == NULL) {
			rc = CACHET_ENOMEM;
			break;
		}
		tags = g;
		tags[n].dataset = sqlite3_column_int64(st, 0);
		tags[n].tag = cachet__strdup(col_text(st, 1));
		if (tags[n].tag == NULL) {
			rc = CACHET_ENOMEM;
			break;
		}
		n++;
		if (uuid == NULL && (uuid = cachet__strdup(col_text(st, 2))) == NULL) {
			rc = CACHET_ENOMEM;
			break;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : rc == CACHET_ENOMEM ? rc : db_error(sb, rc, "read");
	done(st);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = stmt(sb, &st, SQL_EVICTION_RECORD);
		if (rc < 0)
			break;
		sqlite3_bind_int64(st, 1, tags[i].dataset);
		bind_text(st, 2, tags[i].tag);
		bind_text(st, 3, uuid);
		bind_text(st, 4, reason);
		if (detail)
			bind_text(st, 5, detail);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_int64(st, 6, now_ms);
		rc = run(sb, st, "write");
	}
	if (rc == 0)
		rc = stmt(sb, &st, SQL_ARTIFACT_DELETE);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, ref);
		rc = run(sb, st, "write");
		*deleted = rc == 0 && sqlite3_changes(sb->db) > 0;
	}
	for (size_t i = 0; i < n; i++)
		cachet__free(tags[i].tag);
	cachet__free(tags);
	cachet__free(uuid);
	return rc;
}

static int sq_evict(cachet_catalog_backend *b, bool *deleted, const int64_t *refs, size_t n,
		    cachet_evict_reason reason, const char *detail, int64_t now_ms,
		    const cachet_catalog_batch *batch)
{
	sqlite_backend *sb = SB(b);
	int rc = begin(sb);
	if (rc < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = evict_one(sb, &deleted[i], refs[i], cachet_evict_reason_name(reason), detail,
			       now_ms);
	if (rc == 0)
		rc = apply_batch(sb, batch);
	return finish(sb, rc);
}

static int sq_last_eviction(cachet_catalog_backend *b, cachet_eviction_record *out,
			    const cachet_cache_key *key)
{
	sqlite_backend *sb = SB(b);
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_EVICTION_GET);
	if (rc < 0)
		return rc;
	bind_key(st, key, 5);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->found = true;
		out->artifact_id = cachet__strdup(col_text(st, 0));
		out->reason = cachet__evict_reason_of(col_text(st, 1));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			out->detail = cachet__strdup(col_text(st, 2));
		out->at_ms = sqlite3_column_int64(st, 3);
		rc = out->artifact_id ? 0 : CACHET_ENOMEM;
		if (rc == 0 && sqlite3_column_type(st, 2) != SQLITE_NULL && out->detail == NULL)
			rc = CACHET_ENOMEM;
	} else {
		rc = rc == SQLITE_DONE ? 0 : db_error(sb, rc, "read");
	}
	done(st);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Statistics and GC                                                      */

typedef struct counter_walk {
	cachet_catalog_counter_fn fn;
	void *ctx;
} counter_walk;

static int counter_row(sqlite3_stmt *st, void *payload)
{
	const counter_walk *w = payload;
	int c = cachet__counter_of(col_text(st, 3));
	if (c < 0)
		return 0; /* a counter of a newer cachet: not ours to show */
	return w->fn(w->ctx, col_text(st, 0), col_text(st, 1), col_text(st, 2), c,
		     (uint64_t)sqlite3_column_int64(st, 4));
}

static int sq_counters(cachet_catalog_backend *b, cachet_catalog_counter_fn fn, void *ctx)
{
	sqlite_backend *sb = SB(b);
	counter_walk w = {fn, ctx};
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_COUNTERS);
	return rc < 0 ? rc : each_row(sb, st, counter_row, &w);
}

typedef struct usage_walk {
	cachet_catalog_usage_fn fn;
	void *ctx;
} usage_walk;

static int usage_row(sqlite3_stmt *st, void *payload)
{
	const usage_walk *w = payload;
	return w->fn(w->ctx, col_text(st, 0), col_text(st, 1), col_text(st, 2),
		     (uint64_t)sqlite3_column_int64(st, 3), (uint64_t)sqlite3_column_int64(st, 4),
		     sqlite3_column_int64(st, 5));
}

static int sq_usage(cachet_catalog_backend *b, cachet_catalog_usage_fn fn, void *ctx)
{
	sqlite_backend *sb = SB(b);
	usage_walk w = {fn, ctx};
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_USAGE);
	return rc < 0 ? rc : each_row(sb, st, usage_row, &w);
}

typedef struct blob_walk {
	cachet_catalog_blob_fn fn;
	void *ctx;
} blob_walk;

static int blob_row(sqlite3_stmt *st, void *payload)
{
	const blob_walk *w = payload;
	const void *p = sqlite3_column_blob(st, 0);
	return w->fn(w->ctx, p ? p : "", (size_t)sqlite3_column_bytes(st, 0));
}

static int sq_each_outputs(cachet_catalog_backend *b, cachet_catalog_blob_fn fn, void *ctx)
{
	sqlite_backend *sb = SB(b);
	blob_walk w = {fn, ctx};
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_ALL_OUTPUTS);
	return rc < 0 ? rc : each_row(sb, st, blob_row, &w);
}

static bool sq_read_only(cachet_catalog_backend *b)
{
	return SB(b)->ro;
}

/* Finalise every statement and close the connection. */
static void close_db(sqlite_backend *sb)
{
	for (int i = 0; i < SQL_COUNT; i++) {
		sqlite3_finalize(sb->st[i]);
		sb->st[i] = NULL;
	}
	for (size_t i = 0; i < sb->n_dyn; i++) {
		sqlite3_finalize(sb->dyn[i].st);
		cachet__free(sb->dyn[i].sql);
	}
	sb->n_dyn = 0;
	sqlite3_close_v2(sb->db);
	sb->db = NULL;
}

static void sq_free(cachet_catalog_backend *b)
{
	sqlite_backend *sb = SB(b);
	if (sb == NULL)
		return;
	close_db(sb);
	cachet__buf_dispose(&sb->found_id);
	cachet__buf_dispose(&sb->found_out);
	cachet__free(sb->path);
	cachet__free(sb);
}

/* ---------------------------------------------------------------------- */
/* Opening, schema and migrations                                         */

/* Refuse a file that exists but is not a SQLite database at all, before
 * SQLite opens (and might write) it. An empty file is a new database. */
static int check_header(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : cachet__error(CACHET_EIO, "cannot open catalog '%s': %s",
							   path, cachet__strerror(errno));
	ssize_t n = read(fd, head, sizeof head);
	int err = errno;
	close(fd);
	if (n < 0)
		return cachet__error(CACHET_EIO, "cannot read catalog '%s': %s", path,
				     cachet__strerror(err));
	if (n == 0)
		return 0;
	if ((size_t)n < sizeof head || memcmp(head, magic, sizeof head) != 0)
		return cachet__error(CACHET_ECORRUPT,
				     "catalog '%s' is not a SQLite database (damaged, or another file)",
				     path);
	return 0;
}

/* Run the migrations from version `from` to CACHET__CATALOG_SCHEMA. */
static int migrate(sqlite_backend *sb, int64_t from)
{
	for (int64_t v = from; v < CACHET__CATALOG_SCHEMA; v++) {
		/* Each step is a list of statements, each prepared, run and
		 * finalised (they run once per file, not worth caching). */
		for (const char *const *s = cachet__sql_migrations[v]; *s; s++) {
			sqlite3_stmt *st;
			int rc = sqlite3_prepare_v2(sb->db, *s, -1, &st, NULL);
			if (rc == SQLITE_OK) {
				rc = sqlite3_step(st);
				rc = rc == SQLITE_ROW ? SQLITE_DONE : rc;
			}
			sqlite3_finalize(st);
			if (rc != SQLITE_DONE)
				return db_error(sb, rc, "migrate");
		}
	}
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_SET_VERSION);
	return rc < 0 ? rc : run(sb, st, "migrate");
}

/* What the file is: 1 ours (version in *ver), 0 empty, <0 refused. */
static int inspect(sqlite_backend *sb, int64_t *ver)
{
	int64_t app = 0, n_objects = 0;
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_INSPECT);
	if (rc < 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		app = sqlite3_column_int64(st, 0);
		*ver = sqlite3_column_int64(st, 1);
		n_objects = sqlite3_column_int64(st, 2);
	}
	rc = rc == SQLITE_ROW ? 0 : db_error(sb, rc, "read");
	done(st);
	if (rc < 0)
		return rc;
	if (app == 0 && *ver == 0 && n_objects == 0)
		return 0;
	if (app != CACHET__CATALOG_APPLICATION_ID)
		return cachet__error(CACHET_EINVALID,
				     "'%s' is a SQLite database but not a cachet catalog", sb->path);
	if (*ver > CACHET__CATALOG_SCHEMA)
		return cachet__error(CACHET_EUNSUPPORTED,
				     "catalog '%s' has schema version %lld, newer than this cachet "
				     "knows (%d): use a newer cachet",
				     sb->path, (long long)*ver, CACHET__CATALOG_SCHEMA);
	return 1;
}

static int set_wal(sqlite_backend *sb)
{
	sqlite3_stmt *st;
	int rc = stmt(sb, &st, SQL_JOURNAL_MODE);
	if (rc < 0)
		return rc;
	/* Switching needs a moment of exclusive access: retry while busy. */
	rc = step_retrying_busy(sb, st);
	if (rc == SQLITE_ROW) {
		bool wal = strcmp(col_text(st, 0), "wal") == 0;
		done(st);
		return wal ? 0 : cachet__error(CACHET_EIO, "cannot switch catalog '%s' to WAL mode",
					       sb->path);
	}
	done(st);
	return db_error(sb, rc, "open");
}

static int setup(sqlite_backend *sb)
{
	int64_t ver = 0;
	int rc = inspect(sb, &ver);
	if (rc < 0)
		return rc;
	if (rc == 1 && ver == CACHET__CATALOG_SCHEMA)
		goto tune;
	if (sb->ro)
		return rc == 0 ? cachet__error(CACHET_EINVALID,
					       "catalog '%s' is empty and cannot be written", sb->path)
			       : cachet__error(CACHET_EUNSUPPORTED,
					       "catalog '%s' has schema version %lld and cannot be "
					       "written to migrate it to %d",
					       sb->path, (long long)ver, CACHET__CATALOG_SCHEMA);
	/* The switch to WAL waits until the schema is current (tune, below):
	 * made first, it would rewrite the header of a file whose migration
	 * then fails, and a refused catalog must be left as it was. */
	rc = begin(sb);
	if (rc < 0)
		return rc;
	/* Another process may have created or migrated it meanwhile. */
	rc = inspect(sb, &ver);
	if (rc >= 0) {
		int64_t from = rc == 0 ? 0 : ver;
		rc = 0;
		if (from == 0) {
			sqlite3_stmt *st;
			rc = stmt(sb, &st, SQL_SET_APPLICATION_ID);
			if (rc == 0)
				rc = run(sb, st, "create");
		}
		if (rc == 0 && from < CACHET__CATALOG_SCHEMA)
			rc = migrate(sb, from);
	}
	rc = finish(sb, rc);
	if (rc < 0)
		return rc;
tune:;
	sqlite3_stmt *st;
	rc = stmt(sb, &st, SQL_FOREIGN_KEYS);
	if (rc == 0)
		rc = run(sb, st, "open");
	if (rc == 0 && !sb->ro)
		rc = set_wal(sb); /* on a new or migrated file, or one switched back */
	if (rc == 0)
		rc = stmt(sb, &st, SQL_SYNCHRONOUS);
	if (rc == 0)
		rc = run(sb, st, "open");
	return rc;
}

static int open_db(sqlite_backend *sb, const char *name, int flags)
{
	/* Not SQLITE_OPEN_NOFOLLOW: it refuses a link anywhere in the path (a
	 * home on another disk). check_files refused a link as the file, and
	 * the directory it judged lets nobody else put one there. */
	int rc = sqlite3_open_v2(name, &sb->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int err = sqlite3_system_errno(sb->db);
		return code_of(rc) == CACHET_ENOMEM
			       ? cachet__error_oom()
			       : cachet__error(CACHET_EIO, "cannot open catalog '%s': %s", sb->path,
					       err ? cachet__strerror(err) : sqlite3_errmsg(sb->db));
	}
	sqlite3_extended_result_codes(sb->db, 1);
	sqlite3_busy_handler(sb->db, busy_handler, sb);
	return 0;
}

/* Did the last failure come from a WAL database whose -shm cannot be made? */
static bool unreadable_wal(sqlite_backend *sb)
{
	int e = sqlite3_extended_errcode(sb->db);
	return (e & 0xff) == SQLITE_READONLY || (e & 0xff) == SQLITE_CANTOPEN;
}

/* Open path read-only as "file:<path>?immutable=1", the path escaped. */
static int open_immutable(sqlite_backend *sb, const char *path)
{
	cachet_buf uri = CACHET_BUF_INIT;
	int rc = cachet__buf_puts(&uri, "file:");
	for (const char *p = path; rc == 0 && *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '%' || c == '?' || c == '#' || c < 0x21 || c >= 0x7f)
			rc = cachet__buf_printf(&uri, "%%%02X", c);
		else
			rc = cachet__buf_putc(&uri, (char)c);
	}
	if (rc == 0)
		rc = cachet__buf_puts(&uri, "?immutable=1");
	if (rc == 0)
		rc = open_db(sb, uri.ptr, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
	cachet__buf_dispose(&uri);
	sb->ro = true;
	return rc;
}

/*
 * Refuse a catalog another user could have written (docs/security.md): the
 * directory that holds it, the file and SQLite's files beside it must be
 * the user's own and writable by nobody else. A new catalog is created
 * here, mode 0600 whatever the umask: SQLite would create it 0644 minus
 * the umask, and gives its -wal and -shm files the catalog's own mode.
 */
static int check_files(const char *path, bool read_only)
{
	static const char *const sidecars[] = {"-wal", "-shm", "-journal"};
	cachet_buf side = CACHET_BUF_INIT;
	int rc = cachet__private_check_parent(path, "catalog directory");
	if (rc < 0)
		return rc;
	int exists = rc = cachet__private_check(path, "catalog", CACHET__PRIVATE_FILE);
	for (size_t i = 0; rc >= 0 && i < sizeof sidecars / sizeof sidecars[0]; i++) {
		cachet__buf_clear(&side);
		if ((rc = cachet__buf_printf(&side, "%s%s", path, sidecars[i])) == 0)
			rc = cachet__private_check(side.ptr, "catalog", CACHET__PRIVATE_FILE);
	}
	cachet__buf_dispose(&side);
	if (rc >= 0 && exists == 0 && !read_only)
		rc = cachet__private_create(path, "catalog");
	return rc < 0 ? rc : 0;
}

int cachet__catalog_sqlite_new(cachet_catalog_backend **out, const char *path, bool read_only,
			       unsigned int busy_timeout_ms)
{
	sqlite_backend *sb = NULL;
	int rc;

	*out = NULL;
	rc = check_files(path, read_only);
	if (rc == 0)
		rc = check_header(path);
	if (rc < 0)
		return rc;
	sb = cachet__calloc(1, sizeof *sb);
	if (sb == NULL)
		return CACHET_ENOMEM;
	sb->base = (cachet_catalog_backend){
		.version = CACHET_CATALOG_BACKEND_VERSION,
		.name = "sqlite",
		.find = sq_find,
		.put = sq_put,
		.record = sq_record,
		.reserve = sq_reserve,
		.release = sq_release,
		.list = sq_list,
		.evict = sq_evict,
		.last_eviction = sq_last_eviction,
		.counters = sq_counters,
		.usage = sq_usage,
		.each_outputs = sq_each_outputs,
		.read_only = sq_read_only,
		.free = sq_free,
	};
	sb->busy_timeout_ms = busy_timeout_ms;
	sb->busy_seed = (unsigned)getpid() * 2654435761u;
	sb->ro = read_only;
	sb->path = cachet__strdup(path);
	if (sb->path == NULL) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	rc = open_db(sb, path, read_only ? SQLITE_OPEN_READONLY
					 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (rc < 0)
		goto fail;
	/* A file this process cannot write opens read-only by itself. */
	if (sqlite3_db_readonly(sb->db, "main") == 1)
		sb->ro = true;
	rc = setup(sb);
	if (rc < 0 && sb->ro && unreadable_wal(sb)) {
		/*
		 * Reading a WAL database needs its -shm file, which cannot be
		 * created in a directory we may not write. Nobody else can
		 * create a -wal there either, so the file as it is is the
		 * whole database: read it as immutable.
		 */
		close_db(sb);
		rc = open_immutable(sb, path);
		if (rc == 0)
			rc = setup(sb);
	}
	if (rc < 0)
		goto fail;
	*out = &sb->base;
	return 0;
fail:
	sq_free(&sb->base);
	return rc;
}

int cachet__catalog_sqlite_max_pages(cachet_catalog_backend *b, int64_t pages)
{
	sqlite_backend *sb = SB(b);
	char sql[64];
	if (strcmp(b->name, "sqlite") != 0)
		return cachet__error(CACHET_EINVALID, "not a SQLite catalog");
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long)pages);
	sqlite3_stmt *st;
	int rc = prepare(sb, &st, sql);
	if (rc < 0)
		return rc;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(sb, rc, "configure");
}
