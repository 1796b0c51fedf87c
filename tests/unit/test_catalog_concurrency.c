/*
 * The SQLite catalog shared by several processes, as the issue asks:
 *
 * - 8 processes × 1,000 mixed lookups, puts and reservations on 16
 *   overlapping keys, starting on a catalog none has created yet: no
 *   error surfaces, no put is lost (each put is seen by a lookup right
 *   after, and the artifacts left are exactly those created minus those
 *   replaced), and the persisted counters equal the sums of what the
 *   processes saw.
 * - Cache serialization: 8 processes want the same missing key at once;
 *   exactly one computes, the 7 others wait and then hit.
 * - A process killed (SIGKILL) at a random moment inside a loop of puts,
 *   many times over: the tag always names a complete artifact (its two
 *   outputs agree) or nothing, and SQLite's integrity check passes.
 */
#include "test_helpers.h"

#include "cachet/catalog.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DB "catalog.db"
#define V1 "1.0-AAAAAAAA-BBBBBBBB"
#define PROCS 8
#define OPS 1000
#define KEYS 16

static void remove_db(void)
{
	unlink(DB);
	unlink(DB "-wal");
	unlink(DB "-shm");
}

static cachet_cache_key key_of(const char *tag)
{
	cachet_cache_key k = {CACHET_CACHE_KEY_VERSION,
			      (char *)"proj", (char *)"dev", (char *)"flyte_task-t", (char *)V1,
			      (char *)tag};
	return k;
}

/* Outputs {n: n, check: "v<n>"}: a torn artifact would not agree with itself. */
static cachet_literal_map *outputs_of(int64_t n)
{
	cachet_literal_map *m = NULL;
	char check[32];
	snprintf(check, sizeof check, "v%lld", (long long)n);
	if (cachet_literal_map_new(&m) != 0 ||
	    cachet_literal_map_set(m, "n", cachet_literal_new_integer(n)) != 0 ||
	    cachet_literal_map_set(m, "check", cachet_literal_new_string(check)) != 0)
		abort();
	return m;
}

/* 1 when the outputs agree with themselves, 0 when not. */
static int consistent(const cachet_literal_map *m)
{
	const cachet_literal *n = cachet_literal_map_get(m, "n");
	const cachet_literal *c = cachet_literal_map_get(m, "check");
	char want[32];
	if (n == NULL || c == NULL)
		return 0;
	snprintf(want, sizeof want, "v%lld", (long long)n->scalar->primitive->integer);
	return strcmp(c->scalar->primitive->string_value, want) == 0;
}

static unsigned next_rand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* ---- 8 processes × 1,000 mixed operations ---- */

typedef struct tally {
	uint64_t hits, misses, puts, created, replaced, acquired, released, errors;
} tally;

static void child_mixed(int id, int fd)
{
	tally t = {0};
	cachet_catalog *cat = NULL;
	unsigned seed = 1234u + (unsigned)id * 7919u;
	char owner[32];

	snprintf(owner, sizeof owner, "exec-%d", id);
	if (cachet_catalog_open_sqlite(&cat, DB, NULL) != 0) {
		fprintf(stderr, "child %d: open: %s\n", id, cachet_error_last()->message);
		_exit(1);
	}
	for (int op = 0; op < OPS; op++) {
		char tag[32];
		snprintf(tag, sizeof tag, "flyte_cached-%u", next_rand(&seed) % KEYS);
		cachet_cache_key k = key_of(tag);
		unsigned r = next_rand(&seed) % 10;

		if (r < 5) { /* lookup */
			cachet_lookup_result lr = CACHET_LOOKUP_RESULT_INIT;
			int rc = cachet_catalog_lookup(&lr, cat, &k, NULL);
			if (rc != 0 || (lr.status == CACHET_CACHE_HIT && !consistent(lr.outputs))) {
				fprintf(stderr, "child %d: lookup: %s\n", id, lr.message);
				t.errors++;
			} else if (lr.status == CACHET_CACHE_HIT) {
				t.hits++;
			} else if (lr.status == CACHET_CACHE_MISS) {
				t.misses++;
			} else {
				t.errors++;
			}
			cachet_lookup_result_dispose(&lr);
		} else if (r < 8) { /* put, half of them overwriting; then see it */
			cachet_put_options po = CACHET_PUT_OPTIONS_INIT;
			cachet_put_result pr = CACHET_PUT_RESULT_INIT;
			cachet_literal_map *m = outputs_of(id * OPS + op);
			po.overwrite = r == 7;
			if (cachet_catalog_put(&pr, cat, &k, m, &po) != 0) {
				fprintf(stderr, "child %d: put: %s\n", id, pr.message);
				t.errors++;
			} else {
				t.puts++;
				t.created += pr.created;
				t.replaced += pr.replaced;
			}
			cachet_put_result_dispose(&pr);
			cachet_literal_map_free(m);
			cachet_lookup_result lr = CACHET_LOOKUP_RESULT_INIT;
			if (cachet_catalog_lookup(&lr, cat, &k, NULL) != 0 ||
			    lr.status != CACHET_CACHE_HIT) {
				fprintf(stderr, "child %d: put lost: %s\n", id, lr.message);
				t.errors++;
			} else {
				t.hits++;
			}
			cachet_lookup_result_dispose(&lr);
		} else { /* reserve, and release when held */
			cachet_reservation res = CACHET_RESERVATION_INIT;
			if (cachet_catalog_reserve(&res, cat, &k, owner, 5000) != 0) {
				fprintf(stderr, "child %d: reserve: %s\n", id,
					cachet_error_last()->message);
				t.errors++;
				continue;
			}
			bool held = res.acquired;
			cachet_reservation_dispose(&res);
			if (held) {
				t.acquired++;
				if (cachet_catalog_release(cat, &k, owner) != 0) {
					fprintf(stderr, "child %d: release: %s\n", id,
						cachet_error_last()->message);
					t.errors++;
				} else {
					t.released++;
				}
			}
		}
	}
	cachet_catalog_free(cat);
	if (write(fd, &t, sizeof t) != (ssize_t)sizeof t)
		_exit(3);
	_exit(t.errors ? 2 : 0);
}

static void test_mixed_processes(void **state)
{
	(void)state;
	int fds[PROCS][2];
	pid_t pids[PROCS];
	tally sum = {0};

	remove_db(); /* the children race to create it */
	for (int i = 0; i < PROCS; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(fds[i][0]);
			child_mixed(i, fds[i][1]);
		}
		close(fds[i][1]);
	}
	for (int i = 0; i < PROCS; i++) {
		tally t;
		int status;
		assert_int_equal(read(fds[i][0], &t, sizeof t), sizeof t);
		close(fds[i][0]);
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		sum.hits += t.hits;
		sum.misses += t.misses;
		sum.puts += t.puts;
		sum.created += t.created;
		sum.replaced += t.replaced;
		sum.acquired += t.acquired;
		sum.released += t.released;
	}
	assert_true(sum.puts > 0 && sum.acquired > 0 && sum.hits > 0);

	cachet_catalog *cat;
	cachet_catalog_stats s = CACHET_CATALOG_STATS_INIT;
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;
	assert_int_equal(cachet_catalog_open_sqlite(&cat, DB, NULL), 0);
	assert_int_equal(cachet_catalog_stats_get(&s, cat), 0);
	const uint64_t *c = s.total.counters;
	assert_int_equal(c[CACHET_COUNTER_HITS], sum.hits);
	assert_int_equal(c[CACHET_COUNTER_MISSES], sum.misses);
	assert_int_equal(c[CACHET_COUNTER_POPULATED], sum.puts);
	assert_int_equal(c[CACHET_COUNTER_LOOKUP_FAILURES], 0);
	assert_int_equal(c[CACHET_COUNTER_PUT_FAILURES], 0);
	assert_int_equal(c[CACHET_COUNTER_RESERVATIONS_ACQUIRED], sum.acquired);
	assert_int_equal(c[CACHET_COUNTER_RESERVATIONS_RELEASED], sum.released);
	assert_int_equal(sum.acquired, sum.released);
	cachet_catalog_stats_dispose(&s);
	/* no put lost: one artifact per key, each created once and replaced
	 * by the others */
	assert_int_equal(cachet_catalog_list(&l, cat, NULL, CACHET_ENTRY_OUTPUTS), 0);
	assert_int_equal(l.n, sum.created - sum.replaced);
	assert_int_equal(l.n, KEYS);
	for (size_t i = 0; i < l.n; i++)
		assert_true(consistent(l.entries[i].outputs));
	cachet_catalog_entries_dispose(&l);
	cachet_catalog_free(cat);
}

/* ---- cache serialization ---- */

typedef struct outcome {
	int computed, hit, waited;
} outcome;

static void child_serialized(int id, int go, int fd)
{
	cachet_catalog *cat = NULL;
	cachet_serialize_options so = CACHET_SERIALIZE_OPTIONS_INIT;
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	cachet_cache_key k = key_of("flyte_cached-shared");
	outcome o = {0, 0, 0};
	char owner[32], buf;

	if (cachet_catalog_open_sqlite(&cat, DB, NULL) != 0)
		_exit(1);
	if (read(go, &buf, 1) != 0) /* wait until the parent lets all go */
		_exit(1);
	snprintf(owner, sizeof owner, "exec-%d", id);
	so.owner = owner;
	so.poll_ms = 10;
	if (cachet_catalog_get_or_reserve(&r, cat, &k, NULL, &so) != 0)
		_exit(2);
	o.waited = r.waited;
	if (r.reserved) {
		struct timespec ts = {0, 300 * 1000000L}; /* the computation */
		nanosleep(&ts, NULL);
		cachet_literal_map *m = outputs_of(id);
		cachet_put_result p = CACHET_PUT_RESULT_INIT;
		if (cachet_catalog_put(&p, cat, &k, m, NULL) != 0 ||
		    cachet_catalog_release(cat, &k, owner) != 0)
			_exit(3);
		cachet_put_result_dispose(&p);
		cachet_literal_map_free(m);
		o.computed = 1;
	} else if (r.status == CACHET_CACHE_HIT && consistent(r.outputs)) {
		o.hit = 1;
	}
	cachet_lookup_result_dispose(&r);
	cachet_catalog_free(cat);
	if (write(fd, &o, sizeof o) != (ssize_t)sizeof o)
		_exit(4);
	_exit(0);
}

static void test_serialization(void **state)
{
	(void)state;
	int go[2], fds[PROCS][2];
	pid_t pids[PROCS];
	int computed = 0, hits = 0, waited = 0;

	remove_db();
	cachet_catalog *cat;
	assert_int_equal(cachet_catalog_open_sqlite(&cat, DB, NULL), 0);
	cachet_catalog_free(cat);
	assert_int_equal(pipe(go), 0);
	for (int i = 0; i < PROCS; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(go[1]);
			close(fds[i][0]);
			child_serialized(i, go[0], fds[i][1]);
		}
		close(fds[i][1]);
	}
	close(go[0]);
	close(go[1]); /* go */
	for (int i = 0; i < PROCS; i++) {
		outcome o;
		int status;
		assert_int_equal(read(fds[i][0], &o, sizeof o), sizeof o);
		close(fds[i][0]);
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		computed += o.computed;
		hits += o.hit;
		waited += o.waited;
	}
	assert_int_equal(computed, 1);
	assert_int_equal(hits, PROCS - 1);

	cachet_catalog_stats s = CACHET_CATALOG_STATS_INIT;
	assert_int_equal(cachet_catalog_open_sqlite(&cat, DB, NULL), 0);
	assert_int_equal(cachet_catalog_stats_get(&s, cat), 0);
	assert_int_equal(s.total.counters[CACHET_COUNTER_POPULATED], 1);
	assert_int_equal(s.total.counters[CACHET_COUNTER_MISSES], 1);
	assert_int_equal(s.total.counters[CACHET_COUNTER_HITS], PROCS - 1);
	/* a process that got the reservation just after the computing one
	 * released it looks again, hits, and releases at once */
	uint64_t acquired = s.total.counters[CACHET_COUNTER_RESERVATIONS_ACQUIRED];
	assert_true(acquired >= 1);
	assert_int_equal(s.total.counters[CACHET_COUNTER_RESERVATIONS_RELEASED], acquired);
	assert_int_equal(s.total.counters[CACHET_COUNTER_RESERVATIONS_WAITED], waited);
	assert_true(waited >= 1);
	cachet_catalog_stats_dispose(&s);
	cachet_catalog_free(cat);
}

/* ---- SIGKILL inside a put ---- */

static void child_put_loop(void)
{
	cachet_catalog *cat = NULL;
	cachet_put_options po = CACHET_PUT_OPTIONS_INIT;
	cachet_cache_key k = key_of("flyte_cached-k");

	if (cachet_catalog_open_sqlite(&cat, DB, NULL) != 0)
		_exit(1);
	po.overwrite = true;
	for (int64_t n = 0;; n++) {
		char tag[32];
		cachet_put_result p = CACHET_PUT_RESULT_INIT;
		cachet_literal_map *m = outputs_of(n);
		/* overwrite the same tag, and add new ones */
		cachet_catalog_put(&p, cat, &k, m, &po);
		cachet_put_result_dispose(&p);
		snprintf(tag, sizeof tag, "flyte_cached-n%lld", (long long)(n % 64));
		cachet_cache_key k2 = key_of(tag);
		cachet_catalog_put(&p, cat, &k2, m, NULL);
		cachet_put_result_dispose(&p);
		cachet_literal_map_free(m);
	}
}

static void check_after_kill(void)
{
	cachet_catalog *cat;
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	cachet_cache_key k = key_of("flyte_cached-k");
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(cachet_catalog_open_sqlite(&cat, DB, NULL), 0);
	assert_int_equal(cachet_catalog_lookup(&r, cat, &k, NULL), 0);
	assert_true(r.status == CACHET_CACHE_HIT || r.status == CACHET_CACHE_MISS);
	if (r.status == CACHET_CACHE_HIT)
		assert_true(consistent(r.outputs));
	cachet_lookup_result_dispose(&r);
	assert_int_equal(cachet_catalog_list(&l, cat, NULL, CACHET_ENTRY_OUTPUTS), 0);
	for (size_t i = 0; i < l.n; i++) {
		assert_non_null(l.entries[i].outputs);
		assert_true(consistent(l.entries[i].outputs));
	}
	cachet_catalog_entries_dispose(&l);
	cachet_catalog_free(cat);

	assert_int_equal(sqlite3_open(DB, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	/* no artifact without its tag, no tag without its artifact */
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT (SELECT count(*) FROM artifacts) - "
					    "(SELECT count(*) FROM tags), "
					    "(SELECT count(*) FROM tags WHERE artifact_id NOT IN "
					    "(SELECT id FROM artifacts))",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	assert_int_equal(sqlite3_column_int(st, 1), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_sigkill_in_put(void **state)
{
	(void)state;
	unsigned seed = (unsigned)getpid();

	remove_db();
	for (int round = 0; round < 25; round++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			child_put_loop();
		/* a random moment: mostly after the child got going */
		struct timespec ts = {0, (long)(5 + next_rand(&seed) % 40) * 1000000L};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		check_after_kill();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed_processes),
		cmocka_unit_test(test_serialization),
		cmocka_unit_test(test_sigkill_in_put),
	};
	return cmocka_run_group_tests_name("catalog (processes)", tests, NULL, NULL);
}
