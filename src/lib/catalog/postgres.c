/*
 * The PostgreSQL catalog backend: one database shared by every machine
 * that points at it, through libpq.
 *
 * - One connection per handle, opened with the handle; the statements of
 *   postgres_sql.c are prepared on it the first time each is used. A
 *   connection that broke (the server restarted, the network dropped) is
 *   reported by the call that found it broken and opened again by the
 *   next call: a lookup in between is a LOOKUP_FAILURE, never a failed
 *   task.
 * - Every write is one transaction at READ COMMITTED. A serialization
 *   failure, a deadlock or a unique-key race is rolled back and the whole
 *   transaction tried again, at most RETRY_MAX times with a jittered
 *   back-off; anything else is rolled back and reported, so nothing is
 *   ever half written.
 * - Puts of one key take a transaction-scoped advisory lock on it, so two
 *   machines putting the same new tag take turns; reservations are
 *   Flyte's insert-if-absent and guarded update, each right on its own.
 * - Reservation times are the database's clock: the offset between the
 *   handle's clock and the server's is measured when connecting, and
 *   every reservation time goes through it, so machines whose clocks
 *   differ agree on when a reservation lapses.
 * - The schema version is the highest row of cachet_schema_version; an
 *   empty database gets the schema on first use, an older one is migrated
 *   forward (one transaction per step, under an advisory lock), a newer
 *   one is refused untouched.
 * - The connection string is only ever shown redacted (url.c): no
 *   password in a message.
 */
#include "catalog/backend.h"
#include "catalog/postgres_sql.h"
#include "catalog/url.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RETRY_MAX 8  /* tries of one transaction that hit a conflict */
#define MAX_PARAMS 16

typedef struct pg_backend {
	cachet_catalog_backend base;
	PGconn *conn;
	char *conninfo;
	char *shown; /* conninfo redacted, for messages */
	bool ro;     /* asked for, or the server is a standby */
	bool want_ro;
	bool prepared[PG_COUNT];
	bool retryable;    /* the last error was a conflict worth retrying */
	int64_t offset_ms; /* the server's clock minus this process's */
	unsigned int seed;
	PGresult *found; /* find's borrowed row */
} pg_backend;

static pg_backend *PB(cachet_catalog_backend *b)
{
	return (pg_backend *)b;
}

/* ---------------------------------------------------------------------- */
/* Parameters                                                             */

/* A statement's parameters: text, except the blobs (binary). */
typedef struct params {
	const char *v[MAX_PARAMS];
	int len[MAX_PARAMS];
	int fmt[MAX_PARAMS];
	char num[MAX_PARAMS][24];
	int n;
} params;

static void p_text(params *p, const char *s)
{
	p->v[p->n] = s ? s : "";
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

static void p_null(params *p)
{
	p->v[p->n] = NULL;
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

static void p_i64(params *p, int64_t x)
{
	snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)x);
	p_text(p, p->num[p->n]);
}

static void p_blob(params *p, const void *data, size_t len)
{
	if (data == NULL) {
		p_null(p);
		return;
	}
	p->v[p->n] = len ? data : "";
	p->len[p->n] = (int)len;
	p->fmt[p->n] = 1;
	p->n++;
}

/* The dataset id ($1..$4) and, with tag, the tag ($5). */
static void p_key(params *p, const cachet_cache_key *key, bool tag)
{
	p_text(p, key->project);
	p_text(p, key->domain);
	p_text(p, key->name);
	p_text(p, key->version);
	if (tag)
		p_text(p, key->tag);
}

/* ---------------------------------------------------------------------- */
/* Columns (results come in binary: integers big-endian, text as bytes
 * that libpq ends with a NUL) */

static const char *col_text(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

static int64_t col_i64(const PGresult *r, int row, int col)
{
	const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
	int len = PQgetlength(r, row, col);
	uint64_t v = 0;
	if (PQgetisnull(r, row, col) || (len != 2 && len != 4 && len != 8))
		return 0;
	for (int i = 0; i < len; i++)
		v = v << 8 | p[i];
	if (len < 8 && (p[0] & 0x80)) /* sign-extend */
		v |= ~(uint64_t)0 << (8 * len);
	return (int64_t)v;
}

static bool col_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetlength(r, row, col) == 1 &&
	       PQgetvalue(r, row, col)[0] != 0;
}

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */

static bool connection_lost(pg_backend *pb)
{
	return pb->conn == NULL || PQstatus(pb->conn) != CONNECTION_OK;
}

/* libpq's message without its "ERROR:  " and trailing newline. */
static void trim_message(char *out, size_t size, const char *msg)
{
	snprintf(out, size, "%s", msg ? msg : "unknown error");
	size_t n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
}

/*
 * "cannot <verb> catalog '<shown>': <the server's message>", from the
 * result res (may be NULL: the connection's message). Notes whether a
 * retry may succeed.
 */
static int db_error(pg_backend *pb, const PGresult *res, const char *verb)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[512];
	int code = CACHET_ERROR;

	trim_message(msg, sizeof msg, primary ? primary : PQerrorMessage(pb->conn));
	pb->retryable = false;
	if (connection_lost(pb))
		return cachet__error(CACHET_EIO, "cannot %s catalog '%s': connection lost: %s", verb,
				     pb->shown, msg);
	if (state) {
		if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
		    strcmp(state, "23505") == 0) {
			pb->retryable = true;
			code = CACHET_ELOCKED;
		} else if (strncmp(state, "53", 2) == 0 || strncmp(state, "58", 2) == 0 ||
			   strcmp(state, "25006") == 0 || strcmp(state, "57014") == 0 ||
			   strncmp(state, "08", 2) == 0) {
			/* resources (disk full), I/O, a read-only standby, a
			 * statement timeout, the connection */
			code = CACHET_EIO;
		}
	}
	return cachet__error(code, "cannot %s catalog '%s': %s", verb, pb->shown, msg);
}

/* ---------------------------------------------------------------------- */
/* Connecting                                                             */

/* The server's clock minus ours, from a round trip's midpoint. */
static int measure_clock(pg_backend *pb)
{
	int64_t before = cachet__now_ms();
	PGresult *r = PQexecParams(pb->conn, cachet__pg_sql_clock, 0, NULL, NULL, NULL, NULL, 1);
	int64_t after = cachet__now_ms();
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		rc = db_error(pb, r, "read");
	else
		pb->offset_ms = col_i64(r, 0, 0) - (before + after) / 2;
	PQclear(r);
	return rc;
}

static int check_read_only(pg_backend *pb)
{
	PGresult *r = PQexecParams(pb->conn, cachet__pg_sql_read_only, 0, NULL, NULL, NULL, NULL, 1);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		rc = db_error(pb, r, "read");
	else
		pb->ro = pb->want_ro || col_bool(r, 0, 0);
	PQclear(r);
	return rc;
}

/* Open the connection if there is none or it broke. */
static int connect_db(pg_backend *pb)
{
	if (!connection_lost(pb))
		return 0;
	PQfinish(pb->conn);
	memset(pb->prepared, 0, sizeof pb->prepared);
	const char *const keys[] = {"dbname", "fallback_application_name", NULL};
	const char *const values[] = {pb->conninfo, "cachet", NULL};
	pb->conn = PQconnectdbParams(keys, values, 1);
	if (pb->conn == NULL)
		return cachet__error_oom();
	if (PQstatus(pb->conn) != CONNECTION_OK) {
		char msg[512];
		trim_message(msg, sizeof msg, PQerrorMessage(pb->conn));
		pb->retryable = false;
		return cachet__error(CACHET_EIO, "cannot connect to catalog '%s': %s", pb->shown,
				     msg);
	}
	int rc = measure_clock(pb);
	if (rc == 0)
		rc = check_read_only(pb);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Statements                                                             */

/*
 * Run the prepared statement i with p (preparing it first on this
 * connection); *out its result (the caller clears it). 0 or an error.
 */
static int exec(pg_backend *pb, PGresult **out, int i, const params *p, const char *verb)
{
	char name[16];
	PGresult *r;

	*out = NULL;
	snprintf(name, sizeof name, "cachet_%d", i);
	if (!pb->prepared[i]) {
		r = PQprepare(pb->conn, name, cachet__pg_sql[i], 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			int rc = db_error(pb, r, verb);
			PQclear(r);
			return rc;
		}
		PQclear(r);
		pb->prepared[i] = true;
	}
	r = PQexecPrepared(pb->conn, name, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL,
			   p ? p->fmt : NULL, 1);
	ExecStatusType s = PQresultStatus(r);
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
		*out = r;
		return 0;
	}
	int rc = db_error(pb, r, verb);
	PQclear(r);
	return rc;
}

/* Run statement i for its effect; *changed (may be NULL) the rows it
 * changed. */
static int run(pg_backend *pb, int i, const params *p, int64_t *changed)
{
	PGresult *r;
	int rc = exec(pb, &r, i, p, "write");
	if (rc < 0)
		return rc;
	if (changed)
		*changed = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}

static int simple(pg_backend *pb, const char *sql, const char *verb)
{
	PGresult *r = PQexec(pb->conn, sql);
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : db_error(pb, r, verb);
	PQclear(r);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Transactions                                                           */

typedef int (*txn_fn)(pg_backend *pb, void *ctx);

static int apply_batch(pg_backend *pb, const cachet_catalog_batch *batch);

/* Backoff before try n: 1 ms doubling to 64 ms, jittered. */
static void backoff(pg_backend *pb, int n)
{
	long base = 1000L << (n < 6 ? n : 6);
	pb->seed = pb->seed * 1103515245u + 12345u;
	cachet__sleep_us(base / 2 + (long)((pb->seed >> 8) % (unsigned)(base / 2 + 1)));
}

/*
 * Run fn, then write batch (may be NULL), in one transaction; roll back
 * on any failure, and run the whole again after a conflict (serialization
 * failure, deadlock, unique-key race), at most RETRY_MAX times. fn must
 * leave its outputs as it found them when it fails.
 */
static int in_txn(pg_backend *pb, txn_fn fn, void *ctx, const cachet_catalog_batch *batch)
{
	for (int n = 0;; n++) {
		int rc = connect_db(pb);
		if (rc < 0)
			return rc;
		rc = simple(pb, "BEGIN", "write");
		if (rc < 0 && n == 0 && connection_lost(pb))
			continue; /* it broke while idle: nothing was sent, connect again */
		if (rc < 0)
			return rc;
		rc = fn ? fn(pb, ctx) : 0;
		if (rc == 0)
			rc = apply_batch(pb, batch);
		if (rc == 0)
			rc = simple(pb, "COMMIT", "write");
		if (rc == 0)
			return 0;
		bool retry = pb->retryable && n + 1 < RETRY_MAX;
		if (!connection_lost(pb)) {
			PGresult *r = PQexec(pb->conn, "ROLLBACK");
			PQclear(r);
		}
		if (!retry)
			return rc;
		backoff(pb, n);
	}
}

/* ---------------------------------------------------------------------- */
/* Hit bookkeeping                                                        */

static int apply_batch(pg_backend *pb, const cachet_catalog_batch *batch)
{
	int rc = 0;

	if (batch == NULL)
		return 0;
	for (size_t i = 0; rc == 0 && i < batch->n_tasks; i++) {
		const cachet_catalog_task_delta *t = &batch->tasks[i];
		for (int c = 0; rc == 0 && c < CACHET_COUNTER_COUNT; c++) {
			if (t->d[c] == 0)
				continue;
			params p = {.n = 0};
			p_text(&p, t->project);
			p_text(&p, t->domain);
			p_text(&p, t->name);
			p_text(&p, cachet_counter_name(c));
			p_i64(&p, (int64_t)t->d[c]);
			rc = run(pb, PG_COUNTER_ADD, &p, NULL);
		}
	}
	for (size_t i = 0; rc == 0 && i < batch->n_hits; i++) {
		params p = {.n = 0};
		p_i64(&p, batch->hits[i].ref);
		p_i64(&p, batch->hits[i].at_ms);
		p_i64(&p, (int64_t)batch->hits[i].count);
		rc = run(pb, PG_HIT, &p, NULL);
	}
	return rc;
}

static int pg_record(cachet_catalog_backend *b, const cachet_catalog_batch *batch)
{
	return in_txn(PB(b), NULL, NULL, batch);
}

/* ---------------------------------------------------------------------- */
/* Find and put                                                           */

static int pg_find(cachet_catalog_backend *b, cachet_catalog_found *out,
		   const cachet_cache_key *key)
{
	pg_backend *pb = PB(b);
	params p = {.n = 0};
	PGresult *r;
	int rc;

	p_key(&p, key, true);
	for (int n = 0;; n++) {
		rc = connect_db(pb);
		if (rc == 0)
			rc = exec(pb, &r, PG_FIND, &p, "read");
		/* A connection that broke while idle: one more try on a new one
		 * (a read, so trying again changes nothing). */
		if (rc < 0 && n == 0 && connection_lost(pb))
			continue;
		if (rc < 0)
			return rc;
		break;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return CACHET_ENOTFOUND;
	}
	/* The row stays with the handle until its next find. */
	PQclear(pb->found);
	pb->found = r;
	out->ref = col_i64(r, 0, 0);
	out->artifact_id = col_text(r, 0, 1);
	out->created_at_ms = col_i64(r, 0, 2);
	out->outputs = PQgetvalue(r, 0, 3);
	out->outputs_len = (size_t)PQgetlength(r, 0, 3);
	return 0;
}

typedef struct put_call {
	cachet_catalog_put_outcome *out;
	const cachet_catalog_put_row *row;
	bool overwrite;
} put_call;

/* The dataset of row's key, created when absent; *id its row id. */
static int ensure_dataset(pg_backend *pb, int64_t *id, const cachet_catalog_put_row *row)
{
	params p = {.n = 0};
	PGresult *r;
	p_key(&p, row->key, false);
	p_text(&p, row->dataset_uuid);
	p_text(&p, row->task_version);
	p_i64(&p, row->now_ms);
	int rc = run(pb, PG_DATASET_INSERT, &p, NULL);
	if (rc < 0)
		return rc;
	p.n = 0;
	p_key(&p, row->key, false);
	rc = exec(pb, &r, PG_DATASET_GET, &p, "read");
	if (rc < 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return cachet__error(CACHET_ERROR, "catalog '%s': dataset vanished", pb->shown);
	}
	*id = col_i64(r, 0, 0);
	bool fill = col_text(r, 0, 1)[0] == '\0' && row->task_version && row->task_version[0];
	PQclear(r);
	if (!fill)
		return 0;
	p.n = 0;
	p_i64(&p, *id);
	p_text(&p, row->task_version);
	return run(pb, PG_DATASET_SET_TASK_VERSION, &p, NULL);
}

static int put_in_txn(pg_backend *pb, void *ctx)
{
	put_call *c = ctx;
	const cachet_catalog_put_row *row = c->row;
	const cachet_artifact_source *src = row->source;
	char old_uuid[64] = "";
	int64_t ds = 0, old = 0, art;
	params p = {.n = 0};
	PGresult *r;

	p_key(&p, row->key, true);
	int rc = run(pb, PG_PUT_LOCK, &p, NULL);
	if (rc == 0)
		rc = ensure_dataset(pb, &ds, row);
	if (rc < 0)
		return rc;

	p.n = 0;
	p_i64(&p, ds);
	p_text(&p, row->key->tag);
	rc = exec(pb, &r, PG_TAG_GET, &p, "read");
	if (rc < 0)
		return rc;
	if (PQntuples(r) > 0) {
		old = col_i64(r, 0, 0);
		snprintf(old_uuid, sizeof old_uuid, "%s", col_text(r, 0, 1));
	}
	PQclear(r);
	if (old != 0 && !c->overwrite) { /* keep the entry there is */
		c->out->created = c->out->replaced = false;
		snprintf(c->out->artifact_id, sizeof c->out->artifact_id, "%s", old_uuid);
		return 0;
	}

	p.n = 0;
	p_i64(&p, ds);
	p_text(&p, row->artifact_id);
	p_blob(&p, row->outputs, row->outputs_len);
	p_blob(&p, row->inputs, row->inputs_len);
	p_text(&p, src->exec_project);
	p_text(&p, src->exec_domain);
	p_text(&p, src->execution_name);
	p_text(&p, src->exec_node);
	p_i64(&p, src->exec_attempt);
	p_i64(&p, row->now_ms);
	p_i64(&p, (int64_t)row->size_bytes);
	rc = exec(pb, &r, PG_ARTIFACT_INSERT, &p, "write");
	if (rc < 0)
		return rc;
	art = PQntuples(r) == 1 ? col_i64(r, 0, 0) : 0;
	PQclear(r);

	p.n = 0;
	p_i64(&p, ds);
	p_text(&p, row->key->tag);
	p_i64(&p, art);
	rc = run(pb, old ? PG_TAG_MOVE : PG_TAG_INSERT, &p, NULL);
	if (rc == 0 && old) {
		p.n = 0;
		p_i64(&p, old);
		rc = run(pb, PG_ARTIFACT_DELETE_UNTAGGED, &p, NULL);
	}
	if (rc == 0) {
		p.n = 0;
		p_i64(&p, ds);
		p_text(&p, row->key->tag);
		rc = run(pb, PG_EVICTION_FORGET, &p, NULL);
	}
	if (rc == 0) {
		c->out->created = true;
		c->out->replaced = old != 0;
		snprintf(c->out->artifact_id, sizeof c->out->artifact_id, "%s", row->artifact_id);
	}
	return rc;
}

static int pg_put(cachet_catalog_backend *b, cachet_catalog_put_outcome *out,
		  const cachet_catalog_put_row *row, bool overwrite,
		  const cachet_catalog_batch *batch)
{
	put_call c = {out, row, overwrite};
	return in_txn(PB(b), put_in_txn, &c, batch);
}

/* ---------------------------------------------------------------------- */
/* Reservations                                                           */

typedef struct reserve_call {
	cachet_reservation *out;
	char **holder;
	bool *taken;
	const cachet_cache_key *key;
	const cachet_catalog_reserve_args *a;
} reserve_call;

/* The reservation of key into r (the caller clears it); NULL when none. */
static int reservation_get(pg_backend *pb, PGresult **r, const cachet_cache_key *key)
{
	params p = {.n = 0};
	p_key(&p, key, true);
	int rc = exec(pb, r, PG_RESERVATION_GET, &p, "read");
	if (rc == 0 && PQntuples(*r) == 0) {
		PQclear(*r);
		*r = NULL;
	}
	return rc;
}

static int reserve_in_txn(pg_backend *pb, void *ctx)
{
	reserve_call *c = ctx;
	const cachet_catalog_reserve_args *a = c->a;
	cachet_reservation *out = c->out;
	/* The database's clock: the handle's times moved by the offset. */
	int64_t now = a->now_ms + pb->offset_ms;
	char *prior = NULL;
	PGresult *r;
	params p = {.n = 0};

	int rc = reservation_get(pb, &r, c->key);
	if (rc < 0)
		return rc;
	bool had = r != NULL;
	if (had) {
		prior = cachet__strdup(col_text(r, 0, 0));
		PQclear(r);
		if (prior == NULL)
			return CACHET_ENOMEM;
	}

	p_key(&p, c->key, true);
	p_text(&p, a->owner);
	p_i64(&p, a->heartbeat_ms);
	p_i64(&p, a->expires_at_ms + pb->offset_ms);
	if (a->holder)
		p_text(&p, a->holder);
	else
		p_null(&p);
	if (had) {
		p_i64(&p, now);
		if (a->gone_holder)
			p_text(&p, a->gone_holder);
		else
			p_null(&p);
	}
	rc = run(pb, had ? PG_RESERVATION_TAKE : PG_RESERVATION_INSERT, &p, NULL);
	if (rc == 0)
		rc = reservation_get(pb, &r, c->key);
	if (rc == 0 && r == NULL) {
		/* Under READ COMMITTED the row another owner held (so that our
		 * statement left it) may be released before we read it back:
		 * a conflict, tried again. */
		rc = cachet__error(CACHET_ELOCKED, "catalog '%s': reservation released meanwhile",
				   pb->shown);
		pb->retryable = true;
	}
	if (rc < 0) {
		cachet__free(prior);
		return rc;
	}
	out->owner_id = cachet__strdup(col_text(r, 0, 0));
	out->heartbeat_ms = col_i64(r, 0, 1);
	out->expires_at_ms = col_i64(r, 0, 2) - pb->offset_ms;
	bool oom = out->owner_id == NULL;
	if (!PQgetisnull(r, 0, 3))
		oom |= (*c->holder = cachet__strdup(col_text(r, 0, 3))) == NULL;
	PQclear(r);
	if (oom) {
		cachet__free(prior);
		return CACHET_ENOMEM;
	}
	out->acquired = strcmp(out->owner_id, a->owner) == 0;
	*c->taken = out->acquired && (!had || strcmp(prior, a->owner) != 0);
	cachet__free(prior);
	return 0;
}

static void reservation_clear(reserve_call *c)
{
	cachet__free(c->out->owner_id);
	c->out->owner_id = NULL;
	c->out->acquired = false;
	cachet__free(*c->holder);
	*c->holder = NULL;
}

/* reserve_in_txn, leaving nothing behind when it fails (it may be run
 * again). */
static int reserve_try(pg_backend *pb, void *ctx)
{
	reserve_call *c = ctx;
	reservation_clear(c);
	int rc = reserve_in_txn(pb, ctx);
	if (rc < 0)
		reservation_clear(c);
	return rc;
}

static int pg_reserve(cachet_catalog_backend *b, cachet_reservation *out, char **holder,
		      bool *taken, const cachet_cache_key *key,
		      const cachet_catalog_reserve_args *args, const cachet_catalog_batch *batch)
{
	reserve_call c = {out, holder, taken, key, args};
	*holder = NULL;
	out->owner_id = NULL;
	int rc = in_txn(PB(b), reserve_try, &c, batch);
	if (rc < 0)
		reservation_clear(&c); /* the commit failed after the call succeeded */
	return rc;
}

typedef struct release_call {
	bool *released;
	const cachet_cache_key *key;
	const char *owner;
} release_call;

static int release_in_txn(pg_backend *pb, void *ctx)
{
	release_call *c = ctx;
	params p = {.n = 0};
	int64_t n = 0;
	p_key(&p, c->key, true);
	p_text(&p, c->owner);
	int rc = run(pb, PG_RESERVATION_RELEASE, &p, &n);
	*c->released = rc == 0 && n > 0;
	return rc;
}

static int pg_release(cachet_catalog_backend *b, bool *released, const cachet_cache_key *key,
		      const char *owner, const cachet_catalog_batch *batch)
{
	release_call c = {released, key, owner};
	return in_txn(PB(b), release_in_txn, &c, batch);
}

/* ---------------------------------------------------------------------- */
/* Listing                                                                */

/* Append " AND <left>$<n>" and the parameter. */
static int cond(cachet_buf *sql, params *p, const char *left, const char *value)
{
	p_text(p, value);
	return cachet__buf_printf(sql, " AND %s$%d", left, p->n);
}

static int cond_i64(cachet_buf *sql, params *p, const char *left, int64_t value)
{
	p_i64(p, value);
	return cachet__buf_printf(sql, " AND %s$%d", left, p->n);
}

static int list_sql(cachet_buf *sql, params *p, const cachet_catalog_query *q, const char *task2)
{
	const cachet_catalog_filter *f = q->filter;
	int rc = cachet__buf_printf(sql, "%s%s, %s%s", cachet__pg_sql_list_select,
				    q->with_outputs ? "a.outputs" : "NULL",
				    q->with_inputs ? "a.input_hashes" : "NULL",
				    cachet__pg_sql_list_from);
	if (rc == 0 && f && f->project)
		rc = cond(sql, p, "d.project = ", f->project);
	if (rc == 0 && f && f->domain)
		rc = cond(sql, p, "d.domain = ", f->domain);
	if (rc == 0 && f && f->task) {
		p_text(p, f->task);
		p_text(p, task2);
		rc = cachet__buf_printf(sql, " AND (d.name = $%d OR d.name = $%d)", p->n - 1, p->n);
	}
	if (rc == 0 && f && f->dataset_version)
		rc = cond(sql, p, "d.version = ", f->dataset_version);
	if (rc == 0 && f && f->cache_version) {
		/* "<cache version>-<8 base64url>-<8 more>", as
		 * dataset_version.c says in C; counted in characters, the
		 * pattern makes the last 18 ASCII so that this agrees with the
		 * byte count there. */
		p_text(p, f->cache_version);
		int n = p->n;
		rc = cachet__buf_printf(sql,
					" AND length(d.version) = length($%d::text) + 18"
					" AND left(d.version, length($%d::text)) = $%d::text"
					" AND substr(d.version, length($%d::text) + 1)"
					" ~ '^-[A-Za-z0-9_-]{8}-[A-Za-z0-9_-]{8}$'",
					n, n, n, n);
	}
	if (rc == 0 && f && f->tag)
		rc = cond(sql, p, "t.name = ", f->tag);
	if (rc == 0 && f && f->artifact_id)
		rc = cond(sql, p, "a.uuid = ", f->artifact_id);
	if (rc == 0 && q->created_before > 0)
		rc = cond_i64(sql, p, "a.created_at < ", q->created_before);
	if (rc == 0 && q->used_before > 0)
		rc = cond_i64(sql, p, "a.last_used_at < ", q->used_before);
	if (rc == 0)
		rc = cachet__buf_puts(sql, q->lru ? cachet__pg_sql_list_order_lru
						  : cachet__pg_sql_list_order);
	if (rc == 0 && f && f->limit > 0) {
		p_i64(p, (int64_t)f->limit);
		rc = cachet__buf_printf(sql, " LIMIT $%d", p->n);
	}
	return rc;
}

static int pg_list(cachet_catalog_backend *b, const cachet_catalog_query *q,
		   cachet_catalog_row_fn fn, void *ctx)
{
	pg_backend *pb = PB(b);
	const cachet_catalog_filter *f = q->filter;
	cachet_buf sql = CACHET_BUF_INIT;
	cachet_buf task2 = CACHET_BUF_INIT;
	params p = {.n = 0};
	PGresult *r = NULL;
	int rc = connect_db(pb);

	if (rc == 0 && f && f->task)
		rc = cachet__buf_printf(&task2, "flyte_task-%s", f->task);
	if (rc == 0)
		rc = list_sql(&sql, &p, q, task2.ptr);
	if (rc < 0)
		goto out;
	/* Its shape varies with the filter: not worth preparing. */
	r = PQexecParams(pb->conn, sql.ptr, p.n, NULL, p.v, p.len, p.fmt, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = db_error(pb, r, "read");
		goto out;
	}
	for (int i = 0, n = PQntuples(r); i < n; i++) {
		cachet_catalog_row row = {
			.ref = col_i64(r, i, 0),
			.project = col_text(r, i, 1),
			.domain = col_text(r, i, 2),
			.name = col_text(r, i, 3),
			.version = col_text(r, i, 4),
			.task_version = col_text(r, i, 5),
			.tag = col_text(r, i, 6),
			.artifact_id = col_text(r, i, 7),
			.exec_project = col_text(r, i, 8),
			.exec_domain = col_text(r, i, 9),
			.execution_name = col_text(r, i, 10),
			.exec_node = col_text(r, i, 11),
			.exec_attempt = (int32_t)col_i64(r, i, 12),
			.created_at_ms = col_i64(r, i, 13),
			.last_hit_at_ms = col_i64(r, i, 14),
			.last_used_at_ms = col_i64(r, i, 15),
			.hit_count = (uint64_t)col_i64(r, i, 16),
			.size_bytes = (uint64_t)col_i64(r, i, 17),
		};
		if (!PQgetisnull(r, i, 18)) {
			row.outputs = PQgetvalue(r, i, 18);
			row.outputs_len = (size_t)PQgetlength(r, i, 18);
		}
		if (!PQgetisnull(r, i, 19)) {
			row.inputs = PQgetvalue(r, i, 19);
			row.inputs_len = (size_t)PQgetlength(r, i, 19);
		}
		rc = fn(ctx, &row);
		if (rc != 0) {
			rc = rc > 0 ? 0 : rc;
			break;
		}
	}
out:
	PQclear(r);
	cachet__buf_dispose(&sql);
	cachet__buf_dispose(&task2);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Eviction                                                               */

typedef struct evict_call {
	bool *deleted;
	const int64_t *refs;
	size_t n;
	const char *reason;
	const char *detail;
	int64_t now_ms;
} evict_call;

static int evict_one(pg_backend *pb, const evict_call *c, size_t i)
{
	params p = {.n = 0};
	PGresult *tags;
	int64_t n = 0;

	p_i64(&p, c->refs[i]);
	int rc = exec(pb, &tags, PG_EVICT_TAGS, &p, "read");
	if (rc < 0)
		return rc;
	for (int t = 0; rc == 0 && t < PQntuples(tags); t++) {
		p.n = 0;
		p_i64(&p, col_i64(tags, t, 0));
		p_text(&p, col_text(tags, t, 1));
		p_text(&p, col_text(tags, t, 2));
		p_text(&p, c->reason);
		if (c->detail)
			p_text(&p, c->detail);
		else
			p_null(&p);
		p_i64(&p, c->now_ms);
		rc = run(pb, PG_EVICTION_RECORD, &p, NULL);
	}
	PQclear(tags);
	if (rc == 0) {
		p.n = 0;
		p_i64(&p, c->refs[i]);
		rc = run(pb, PG_ARTIFACT_DELETE, &p, &n);
	}
	c->deleted[i] = rc == 0 && n > 0;
	return rc;
}

static int evict_in_txn(pg_backend *pb, void *ctx)
{
	const evict_call *c = ctx;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < c->n; i++)
		rc = evict_one(pb, c, i);
	return rc;
}

static int pg_evict(cachet_catalog_backend *b, bool *deleted, const int64_t *refs, size_t n,
		    cachet_evict_reason reason, const char *detail, int64_t now_ms,
		    const cachet_catalog_batch *batch)
{
	evict_call c = {deleted, refs, n, cachet_evict_reason_name(reason), detail, now_ms};
	return in_txn(PB(b), evict_in_txn, &c, batch);
}

static int pg_last_eviction(cachet_catalog_backend *b, cachet_eviction_record *out,
			    const cachet_cache_key *key)
{
	pg_backend *pb = PB(b);
	params p = {.n = 0};
	PGresult *r;
	int rc = connect_db(pb);
	if (rc < 0)
		return rc;
	p_key(&p, key, true);
	rc = exec(pb, &r, PG_EVICTION_GET, &p, "read");
	if (rc < 0)
		return rc;
	if (PQntuples(r) > 0) {
		out->found = true;
		out->artifact_id = cachet__strdup(col_text(r, 0, 0));
		out->reason = cachet__evict_reason_of(col_text(r, 0, 1));
		bool has_detail = !PQgetisnull(r, 0, 2);
		if (has_detail)
			out->detail = cachet__strdup(col_text(r, 0, 2));
		out->at_ms = col_i64(r, 0, 3);
		if (out->artifact_id == NULL || (has_detail && out->detail == NULL))
			rc = CACHET_ENOMEM;
	}
	PQclear(r);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Statistics and GC                                                      */

/* Run the prepared statement i (no parameters), to read. */
static int read_all(pg_backend *pb, PGresult **r, int i)
{
	int rc = connect_db(pb);
	return rc < 0 ? rc : exec(pb, r, i, NULL, "read");
}

static int pg_counters(cachet_catalog_backend *b, cachet_catalog_counter_fn fn, void *ctx)
{
	PGresult *r = NULL;
	int rc = read_all(PB(b), &r, PG_COUNTERS);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		int c = cachet__counter_of(col_text(r, i, 3));
		if (c < 0)
			continue; /* a counter of a newer cachet: not ours to show */
		rc = fn(ctx, col_text(r, i, 0), col_text(r, i, 1), col_text(r, i, 2), c,
			(uint64_t)col_i64(r, i, 4));
	}
	PQclear(r);
	return rc < 0 ? rc : 0;
}

static int pg_usage(cachet_catalog_backend *b, cachet_catalog_usage_fn fn, void *ctx)
{
	PGresult *r = NULL;
	int rc = read_all(PB(b), &r, PG_USAGE);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(ctx, col_text(r, i, 0), col_text(r, i, 1), col_text(r, i, 2),
			(uint64_t)col_i64(r, i, 3), (uint64_t)col_i64(r, i, 4), col_i64(r, i, 5));
	PQclear(r);
	return rc < 0 ? rc : 0;
}

static int pg_each_outputs(cachet_catalog_backend *b, cachet_catalog_blob_fn fn, void *ctx)
{
	PGresult *r = NULL;
	int rc = read_all(PB(b), &r, PG_ALL_OUTPUTS);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(ctx, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
	PQclear(r);
	return rc < 0 ? rc : 0;
}

static bool pg_read_only(cachet_catalog_backend *b)
{
	return PB(b)->ro;
}

static void pg_free(cachet_catalog_backend *b)
{
	pg_backend *pb = PB(b);
	if (pb == NULL)
		return;
	PQclear(pb->found);
	PQfinish(pb->conn);
	cachet__free(pb->conninfo);
	cachet__free(pb->shown);
	cachet__free(pb);
}

/* ---------------------------------------------------------------------- */
/* Schema and migrations                                                  */

/* The schema version into *ver (0: none). */
static int schema_version(pg_backend *pb, int64_t *ver)
{
	PGresult *r = PQexecParams(pb->conn, cachet__pg_sql_inspect, 0, NULL, NULL, NULL, NULL, 1);
	int rc = 0;
	*ver = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		rc = db_error(pb, r, "read");
	else if (col_bool(r, 0, 0)) {
		PQclear(r);
		r = PQexecParams(pb->conn, cachet__pg_sql_version, 0, NULL, NULL, NULL, NULL, 1);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
			rc = db_error(pb, r, "read");
		else
			*ver = col_i64(r, 0, 0);
	}
	PQclear(r);
	if (rc == 0 && *ver > CACHET__PG_SCHEMA)
		rc = cachet__error(CACHET_EUNSUPPORTED,
				   "catalog '%s' has schema version %lld, newer than this cachet "
				   "knows (%d): use a newer cachet",
				   pb->shown, (long long)*ver, CACHET__PG_SCHEMA);
	return rc;
}

/* One step, v to v + 1, in the transaction migrate_in_txn opened. */
static int migrate_step(pg_backend *pb, int64_t v)
{
	int rc = 0;
	for (const char *const *s = cachet__pg_sql_migrations[v]; rc == 0 && *s; s++)
		rc = simple(pb, *s, "migrate");
	if (rc == 0) {
		params p = {.n = 0};
		p_i64(&p, v + 1);
		PGresult *r = PQexecParams(pb->conn, cachet__pg_sql_set_version, p.n, NULL, p.v,
					   p.len, p.fmt, 1);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = db_error(pb, r, "migrate");
		PQclear(r);
	}
	return rc;
}

/* Under the migration lock: read the version again (another process may
 * have moved it meanwhile) and take one step if it is behind. *ver the
 * version before the step. */
static int migrate_in_txn(pg_backend *pb, void *ctx)
{
	int64_t *ver = ctx;
	int rc = schema_version(pb, ver);
	if (rc == 0 && *ver < CACHET__PG_SCHEMA)
		rc = migrate_step(pb, *ver);
	return rc;
}

/* Take (lock) or give back the migration lock, a session lock: taken
 * before the transaction that reads the version, so that its catalog
 * lookups see what the previous holder created. */
static int migrate_lock(pg_backend *pb, bool lock)
{
	PGresult *r = PQexecParams(pb->conn, lock ? cachet__pg_sql_migrate_lock
						  : cachet__pg_sql_migrate_unlock,
				   0, NULL, NULL, NULL, NULL, 1);
	int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : db_error(pb, r, "migrate");
	PQclear(r);
	return rc;
}

static int setup(pg_backend *pb)
{
	int64_t ver = 0;
	int rc = schema_version(pb, &ver);
	if (rc < 0 || ver == CACHET__PG_SCHEMA)
		return rc;
	if (pb->ro)
		return ver == 0 ? cachet__error(CACHET_EINVALID,
						"catalog '%s' is empty and cannot be written",
						pb->shown)
				: cachet__error(CACHET_EUNSUPPORTED,
						"catalog '%s' has schema version %lld and cannot be "
						"written to migrate it to %d",
						pb->shown, (long long)ver, CACHET__PG_SCHEMA);
	/* One transaction per step: a failed step leaves the last one whole. */
	rc = migrate_lock(pb, true);
	if (rc < 0)
		return rc;
	while (rc == 0 && ver < CACHET__PG_SCHEMA)
		rc = in_txn(pb, migrate_in_txn, &ver, NULL);
	int unlock = connection_lost(pb) ? 0 : migrate_lock(pb, false);
	return rc < 0 ? rc : unlock;
}

int cachet__catalog_postgres_new(cachet_catalog_backend **out, const char *conninfo,
				 bool read_only)
{
	pg_backend *pb;
	int rc;

	*out = NULL;
	pb = cachet__calloc(1, sizeof *pb);
	if (pb == NULL)
		return CACHET_ENOMEM;
	pb->base = (cachet_catalog_backend){
		.version = CACHET_CATALOG_BACKEND_VERSION,
		.name = "postgresql",
		.find = pg_find,
		.put = pg_put,
		.record = pg_record,
		.reserve = pg_reserve,
		.release = pg_release,
		.list = pg_list,
		.evict = pg_evict,
		.last_eviction = pg_last_eviction,
		.counters = pg_counters,
		.usage = pg_usage,
		.each_outputs = pg_each_outputs,
		.read_only = pg_read_only,
		.free = pg_free,
	};
	pb->want_ro = pb->ro = read_only;
	pb->seed = (unsigned)getpid() * 2654435761u;
	pb->conninfo = cachet__strdup(conninfo);
	rc = pb->conninfo ? cachet__catalog_url_redact(&pb->shown, conninfo) : CACHET_ENOMEM;
	if (rc == 0)
		rc = connect_db(pb);
	if (rc == 0)
		rc = setup(pb);
	if (rc < 0) {
		pg_free(&pb->base);
		return rc;
	}
	*out = &pb->base;
	return 0;
}
