/*
 * The stat cache: a small SQLite database that remembers the digests of
 * files by what stat says of them (docs/hashing.md).
 *
 * Layout (schema version 1):
 *   schema_version(version)       one row
 *   files(path, algorithm, dev, ino, size, mtime_ns, ctime_ns,
 *         digest, recorded_ns)    primary key (path, algorithm)
 *
 * The database is in WAL mode (readers do not wait for a writer), with a
 * busy timeout (two cachet processes wait for each other rather than
 * fail), synchronous=NORMAL (a crash may forget the latest entries, which
 * costs a re-read, never a wrong digest), and two prepared statements.
 *
 * A file that is not a usable database is moved aside and replaced, with a
 * warning: when opening, and when SQLite reports corruption later on.
 */
#include "digest/stat_cache.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/private.h"
#include "util/warning.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCHEMA_VERSION 1
#define BUSY_TIMEOUT_MS 5000
/* try_open's answer for "this file is not a usable database" */
#define OPEN_CORRUPT 1

struct cachet_stat_cache {
	pthread_mutex_t lock;
	char *path;
	sqlite3 *db; /* NULL when a rebuild failed: the cache is off */
	sqlite3_stmt *lookup, *record;
	bool in_txn;  /* a transaction is open (between begin and end) */
	bool broken;  /* stop using the database until the batch ends */
	bool rebuild; /* corrupt: move it aside and start over at the end */
};

static const char schema_sql[] =
	"BEGIN IMMEDIATE;"
	"CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS files("
	" path BLOB NOT NULL,"
	" algorithm TEXT NOT NULL,"
	" dev INTEGER NOT NULL,"
	" ino INTEGER NOT NULL,"
	" size INTEGER NOT NULL,"
	" mtime_ns INTEGER NOT NULL,"
	" ctime_ns INTEGER NOT NULL,"
	" digest BLOB NOT NULL,"
	" recorded_ns INTEGER NOT NULL,"
	" PRIMARY KEY(path, algorithm)) WITHOUT ROWID;"
	"INSERT INTO schema_version(version) SELECT 1"
	" WHERE NOT EXISTS (SELECT 1 FROM schema_version);"
	"COMMIT;";

static const char lookup_sql[] =
	"SELECT dev, ino, size, mtime_ns, ctime_ns, digest, recorded_ns"
	" FROM files WHERE path = ?1 AND algorithm = ?2";

static const char record_sql[] =
	"INSERT OR REPLACE INTO files"
	"(path, algorithm, dev, ino, size, mtime_ns, ctime_ns, digest, recorded_ns)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

static bool is_corrupt(int rc)
{
	rc &= 0xFF;
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

static void close_db(cachet_stat_cache *sc)
{
	sqlite3_finalize(sc->lookup);
	sqlite3_finalize(sc->record);
	sqlite3_close(sc->db);
	sc->lookup = sc->record = NULL;
	sc->db = NULL;
	sc->in_txn = false;
}

/*
 * An SQLite failure while opening: OPEN_CORRUPT with the reason in why,
 * when the file is not a database we can use; else CACHET_EIO.
 */
static int open_failure(cachet_stat_cache *sc, int rc, bool layout, char *why, size_t why_size)
{
	const char *msg = sc->db ? sqlite3_errmsg(sc->db) : sqlite3_errstr(rc);

	if (is_corrupt(rc) || layout) {
		snprintf(why, why_size, "%s", msg);
		return OPEN_CORRUPT;
	}
	return cachet__error(CACHET_EIO, "cannot open stat cache '%s': %s", sc->path, msg);
}

/* The schema version, creating the schema in an empty database. */
static int read_version(cachet_stat_cache *sc, char *why, size_t why_size)
{
	sqlite3_stmt *s = NULL;
	int rc, tables = 0;

	/* Reading sqlite_master is the first real read of the file: a file
	 * that is not a database fails here. */
	rc = sqlite3_prepare_v2(sc->db,
				"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
				"name = 'schema_version'",
				-1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		tables = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_OK)
		return open_failure(sc, rc, false, why, why_size);
	if (tables == 0) {
		/* WAL is a property of the file: set once, when creating it */
		rc = sqlite3_exec(sc->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(sc->db, schema_sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			int ret = open_failure(sc, rc, false, why, why_size);
			sqlite3_exec(sc->db, "ROLLBACK", NULL, NULL, NULL);
			return ret;
		}
	}

	int version = -1, rows = 0;
	rc = sqlite3_prepare_v2(sc->db, "SELECT version FROM schema_version", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			rows++;
			version = sqlite3_column_type(s, 0) == SQLITE_INTEGER
					  ? sqlite3_column_int(s, 0)
					  : -1;
		}
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		return open_failure(sc, rc, false, why, why_size);
	if (rows == 1 && version > SCHEMA_VERSION)
		return cachet__error(CACHET_EUNSUPPORTED,
				     "stat cache '%s' was written by a newer cachet (schema version "
				     "%d; this one knows %d)",
				     sc->path, version, SCHEMA_VERSION);
	if (rows != 1 || version < 1) {
		snprintf(why, why_size, "no valid schema version");
		return OPEN_CORRUPT;
	}
	return 0;
}

/* Open the database file: 0, OPEN_CORRUPT (why says why), or an error. */
static int try_open(cachet_stat_cache *sc, char *why, size_t why_size)
{
	/* Created here, mode 0600 whatever the umask: SQLite would make it
	 * 0644 minus the umask, and its -wal and -shm files alike. */
	int ret = cachet__private_create(sc->path, "stat cache");
	if (ret < 0)
		return ret;
	int rc = sqlite3_open_v2(sc->path, &sc->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);

	if (rc != SQLITE_OK) {
		ret = sc->db == NULL ? cachet__error_oom() : open_failure(sc, rc, false, why, why_size);
		goto fail;
	}
	sqlite3_extended_result_codes(sc->db, 1);
	sqlite3_busy_timeout(sc->db, BUSY_TIMEOUT_MS);
	rc = sqlite3_exec(sc->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		ret = open_failure(sc, rc, false, why, why_size);
		goto fail;
	}
	if ((ret = read_version(sc, why, why_size)) != 0)
		goto fail;
	/* A table of ours with other columns fails here: a foreign or
	 * damaged layout, not to be trusted. */
	rc = sqlite3_prepare_v3(sc->db, lookup_sql, -1, SQLITE_PREPARE_PERSISTENT, &sc->lookup, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(sc->db, record_sql, -1, SQLITE_PREPARE_PERSISTENT,
					&sc->record, NULL);
	if (rc != SQLITE_OK) {
		ret = open_failure(sc, rc, true, why, why_size);
		goto fail;
	}
	return 0;
fail:
	close_db(sc);
	return ret;
}

/* Move the unusable database (and its WAL files) out of the way. */
static int move_aside(cachet_stat_cache *sc, const char *why)
{
	char reason[128];
	cachet_buf aside = CACHET_BUF_INIT, side = CACHET_BUF_INIT;
	static const char *const sidecars[] = {"-wal", "-shm", "-journal"};
	int rc;

	if ((rc = cachet__buf_printf(&aside, "%s.corrupt", sc->path)) < 0)
		goto done;
	if (rename(sc->path, aside.ptr) < 0 && errno != ENOENT) {
		rc = cachet__error(CACHET_EIO, "cannot move stat cache '%s' aside: %s", sc->path,
				   cachet__os_reason(errno, reason, sizeof(reason)));
		goto done;
	}
	for (size_t i = 0; i < sizeof(sidecars) / sizeof(sidecars[0]); i++) {
		cachet__buf_clear(&side);
		if ((rc = cachet__buf_printf(&side, "%s%s", sc->path, sidecars[i])) < 0)
			goto done;
		(void)unlink(side.ptr);
	}
	cachet__warn("stat cache '%s' is not a usable database (%s); moved it to '%s' and "
		     "started a new one",
		     sc->path, why, aside.ptr);
	rc = 0;
done:
	cachet__buf_dispose(&aside);
	cachet__buf_dispose(&side);
	return rc;
}

/* Open, rebuilding an unusable file once. */
static int open_or_rebuild(cachet_stat_cache *sc)
{
	char why[256];
	int rc = try_open(sc, why, sizeof(why));

	if (rc != OPEN_CORRUPT)
		return rc;
	if ((rc = move_aside(sc, why)) < 0)
		return rc;
	rc = try_open(sc, why, sizeof(why));
	if (rc == OPEN_CORRUPT)
		return cachet__error(CACHET_EIO, "cannot open stat cache '%s': %s", sc->path, why);
	return rc;
}

/* mkdir -p of path's parent directory, new ones mode 0700 (the stat cache
 * lists the user's files). */
static int make_parents(const char *path)
{
	char reason[128];
	struct stat st;
	char *dir = cachet__strdup(path);
	char *slash;
	int rc = 0;

	if (dir == NULL)
		return CACHET_ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		goto done;
	*slash = '\0';
	if (stat(dir, &st) == 0)
		goto done;
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			rc = cachet__error(CACHET_EIO, "cannot create directory '%s': %s", dir,
					   cachet__os_reason(errno, reason, sizeof(reason)));
			goto done;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
done:
	cachet__free(dir);
	return rc;
}

/*
 * The stat cache says what a file's digest is without reading it, so one
 * that another user could have written is not used (docs/security.md):
 * its directory, the file and SQLite's files beside it must be the user's
 * own and writable by nobody else.
 */
static int check_files(const char *path)
{
	static const char *const sidecars[] = {"", "-wal", "-shm", "-journal"};
	cachet_buf file = CACHET_BUF_INIT;
	int rc = cachet__private_check_parent(path, "stat cache directory");

	for (size_t i = 0; rc >= 0 && i < sizeof(sidecars) / sizeof(sidecars[0]); i++) {
		cachet__buf_clear(&file);
		if ((rc = cachet__buf_printf(&file, "%s%s", path, sidecars[i])) == 0)
			rc = cachet__private_check(file.ptr, "stat cache", CACHET__PRIVATE_FILE);
	}
	cachet__buf_dispose(&file);
	return rc < 0 ? rc : 0;
}

int cachet_stat_cache_open(cachet_stat_cache **out, const char *path)
{
	cachet_stat_cache *sc;
	int rc;

	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "cachet_stat_cache_open: out is NULL");
	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return cachet__error(CACHET_EINVALID, "stat cache: empty path");
	if ((sc = cachet__calloc(1, sizeof(*sc))) == NULL)
		return CACHET_ENOMEM;
	if (pthread_mutex_init(&sc->lock, NULL) != 0) {
		cachet__free(sc);
		return cachet__error_oom();
	}
	if ((sc->path = cachet__strdup(path)) == NULL) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	if ((rc = make_parents(path)) < 0 || (rc = check_files(path)) < 0 ||
	    (rc = open_or_rebuild(sc)) < 0)
		goto fail;
	*out = sc;
	return 0;
fail:
	cachet_stat_cache_free(sc);
	return rc;
}

void cachet_stat_cache_free(cachet_stat_cache *sc)
{
	if (sc == NULL)
		return;
	close_db(sc);
	pthread_mutex_destroy(&sc->lock);
	cachet__free(sc->path);
	cachet__free(sc);
}

/* Something went wrong mid-batch: warn once, stop using the database
 * until the batch ends, and rebuild it then if it is corrupt. */
static void trouble(cachet_stat_cache *sc, int rc, const char *doing)
{
	if (sc->broken)
		return;
	sc->broken = true;
	if (is_corrupt(rc)) {
		sc->rebuild = true;
		return; /* move_aside warns */
	}
	cachet__warn("stat cache '%s': %s failed (%s); going on without it", sc->path, doing,
		     sqlite3_errmsg(sc->db));
}

void cachet__stat_cache_begin(cachet_stat_cache *sc, bool write)
{
	pthread_mutex_lock(&sc->lock);
	sc->broken = sc->db == NULL;
	sc->rebuild = false;
	if (sc->broken)
		return;
	int rc = sqlite3_exec(sc->db, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		trouble(sc, rc, write ? "starting to write" : "starting to read");
		return;
	}
	sc->in_txn = true;
}

void cachet__stat_cache_end(cachet_stat_cache *sc)
{
	if (sc->in_txn) {
		int rc = sqlite3_exec(sc->db, sc->broken ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			trouble(sc, rc, "committing");
			sqlite3_exec(sc->db, "ROLLBACK", NULL, NULL, NULL);
		}
		sc->in_txn = false;
	}
	if (sc->rebuild) {
		/* Save the caller's error: the rebuild must not replace it. */
		cachet_error saved = *cachet_error_last();
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", saved.message);

		char why[256];
		snprintf(why, sizeof(why), "%s", sc->db ? sqlite3_errmsg(sc->db) : "corrupt");
		close_db(sc);
		if (move_aside(sc, why) < 0 || open_or_rebuild(sc) < 0) {
			cachet__warn("stat cache '%s' is off: %s", sc->path,
				     cachet_error_last()->message);
			close_db(sc);
		}
		cachet__error(saved.code, "%s", msg);
		sc->rebuild = false;
	}
	pthread_mutex_unlock(&sc->lock);
}

bool cachet__stat_cache_lookup(cachet_stat_cache *sc, const char *abspath,
			       cachet_digest algorithm, const cachet__fstat *st,
			       uint8_t out[CACHET__DIGEST_MAX])
{
	sqlite3_stmt *s = sc->lookup;
	size_t dlen = cachet__digest_len(algorithm);
	bool hit = false;
	int rc;

	if (sc->broken)
		return false;
	if (sqlite3_bind_blob(s, 1, abspath, (int)strlen(abspath), SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, cachet_digest_name(algorithm), -1, SQLITE_STATIC) != SQLITE_OK) {
		trouble(sc, SQLITE_ERROR, "looking up");
		goto done;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *digest = sqlite3_column_blob(s, 5);
		int64_t recorded = sqlite3_column_int64(s, 6);
		/* An mtime of whole seconds may come from a file system that
		 * keeps only seconds (ext3) or even seconds (FAT): a write
		 * later in the same second or two gets the same stamp. Then
		 * the entry must be from a later 2-second slot. */
		if (st->mtime_ns % 1000000000 == 0 && recorded > 0)
			recorded -= recorded % 2000000000;
		hit = (uint64_t)sqlite3_column_int64(s, 0) == st->dev &&
		      (uint64_t)sqlite3_column_int64(s, 1) == st->ino &&
		      sqlite3_column_int64(s, 2) == st->size &&
		      sqlite3_column_int64(s, 3) == st->mtime_ns &&
		      sqlite3_column_int64(s, 4) == st->ctime_ns &&
		      /* racy-clean: modified in the tick it was read? read again */
		      st->mtime_ns < recorded && digest != NULL &&
		      (size_t)sqlite3_column_bytes(s, 5) == dlen;
		if (hit)
			memcpy(out, digest, dlen);
	} else if (rc != SQLITE_DONE) {
		trouble(sc, rc, "looking up");
	}
done:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return hit;
}

void cachet__stat_cache_record(cachet_stat_cache *sc, const char *abspath,
			       cachet_digest algorithm, const cachet__fstat *st,
			       const uint8_t *digest, int64_t recorded_ns)
{
	sqlite3_stmt *s = sc->record;
	int rc;

	if (sc->broken)
		return;
	if (sqlite3_bind_blob(s, 1, abspath, (int)strlen(abspath), SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, cachet_digest_name(algorithm), -1, SQLITE_STATIC) !=
		    SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, (sqlite3_int64)st->dev) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, (sqlite3_int64)st->ino) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, st->size) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, st->mtime_ns) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, st->ctime_ns) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 8, digest, (int)cachet__digest_len(algorithm), SQLITE_STATIC) !=
		    SQLITE_OK ||
	    sqlite3_bind_int64(s, 9, recorded_ns) != SQLITE_OK) {
		trouble(sc, SQLITE_ERROR, "recording");
		goto done;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		trouble(sc, rc, "recording");
done:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}
