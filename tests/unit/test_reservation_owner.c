/*
 * A reservation whose holder is gone is taken over at once (issue 8 §4):
 *
 * - the holder text names this process: its pid, its start time (field 22
 *   of /proc/self/stat, read here by hand), the boot id, the pid
 *   namespace and the host name;
 * - a holder is gone when its process was reaped, is a zombie, or its pid
 *   now belongs to a process that started at another time; a live one, a
 *   holder of another host, boot or pid namespace, and text that is not a
 *   holder are never judged gone;
 * - both backends (SQLite and memory) let another owner take over a live
 *   reservation whose holder is gone, count it as acquired, and leave it
 *   alone when the holder lives, is foreign or was not recorded;
 * - across processes: a child takes a reservation that would last an hour
 *   and is killed with SIGKILL; the waiter gets it on its first try,
 *   without waiting.
 *
 * The heartbeat is an hour in every test, so nothing here passes by a
 * reservation lapsing.
 */
#include "test_helpers.h"
#include "test_catalog_helpers.h"

#include "cachet/catalog.h"
#include "catalog/holder.h"
#include "catalog/internal.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define DB "catalog.db"
#define HOUR_MS 3600000
#define DEAD_BOOT "00000000-0000-4000-8000-000000000000"

static const char SQLITE[] = "sqlite";
static const char MEMORY[] = "memory";

static cachet_cache_key key_of(const char *tag)
{
	cachet_cache_key k = {CACHET_CACHE_KEY_VERSION,
			      (char *)"proj", (char *)"dev", (char *)"flyte_task-t",
			      (char *)"1.0-AAAAAAAA-BBBBBBBB", (char *)tag};
	return k;
}

static void remove_db(void)
{
	unlink(DB);
	unlink(DB "-wal");
	unlink(DB "-shm");
}

static cachet_catalog *open_catalog(const char *backend)
{
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	cachet_catalog *cat = NULL;
	o.max_heartbeat_ms = HOUR_MS;
	if (backend == SQLITE)
		assert_int_equal(cachet_catalog_open_sqlite(&cat, DB, &o), 0);
	else
		assert_int_equal(cachet_catalog_open_memory(&cat, &o), 0);
	return cat;
}

/* Field 22 of /proc/<pid>/stat, counted after the command's last ')'. */
static unsigned long long start_time_of(long pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	assert_non_null(p);
	/* field 3 starts at p + 2; skip fields 3..21 */
	p += 2;
	for (int i = 3; i < 22; i++) {
		p = strchr(p, ' ');
		assert_non_null(p);
		p++;
	}
	return strtoull(p, NULL, 10);
}

/* A child that reports its holder text and then waits to be killed. */
typedef struct child {
	pid_t pid;
	char holder[CACHET__HOLDER_MAX];
} child;

static child spawn_child(void)
{
	int fds[2];
	child c;
	assert_int_equal(pipe(fds), 0);
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (c.pid == 0) {
		char h[CACHET__HOLDER_MAX];
		close(fds[0]);
		if (!cachet__holder_self(h) || write(fds[1], h, sizeof h) != (ssize_t)sizeof h)
			_exit(1);
		close(fds[1]);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], c.holder, sizeof c.holder), (ssize_t)sizeof c.holder);
	close(fds[0]);
	return c;
}

static void kill_and_reap(pid_t pid)
{
	int status;
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* The holder of a process that ran on this machine and is gone. */
static void dead_holder(char *out)
{
	child c = spawn_child();
	kill_and_reap(c.pid);
	memcpy(out, c.holder, CACHET__HOLDER_MAX);
}

/* holder with the value of `field` ("boot", "host") replaced by value. */
static void with_field(char *out, const char *holder, const char *field, const char *value)
{
	char pid[32], start[32], boot[64], pidns[32];
	const char *host = strstr(holder, " host=");
	assert_non_null(host);
	assert_int_equal(sscanf(holder, "pid=%31s start=%31s boot=%63s pidns=%31s", pid, start, boot,
				pidns),
			 4);
	snprintf(out, CACHET__HOLDER_MAX, "pid=%s start=%s boot=%s pidns=%s host=%s", pid, start,
		 strcmp(field, "boot") == 0 ? value : boot, strcmp(field, "pidns") == 0 ? value : pidns,
		 strcmp(field, "host") == 0 ? value : host + 6);
}

/* ---- the holder text ---- */

static void the_holder_names_this_process(void **state)
{
	(void)state;
	char h[CACHET__HOLDER_MAX], want[512], boot[64] = "", ns[64], host[128];

	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	assert_non_null(f);
	assert_non_null(fgets(boot, sizeof boot, f));
	fclose(f);
	boot[strcspn(boot, "\n")] = '\0';
	ssize_t n = readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
	assert_true(n > 0);
	ns[n] = '\0';
	ns[strcspn(ns, "]")] = '\0';
	assert_int_equal(gethostname(host, sizeof host), 0);
	snprintf(want, sizeof want, "pid=%ld start=%llu boot=%s pidns=%s host=%s", (long)getpid(),
		 start_time_of(getpid()), boot, ns + strlen("pid:["), host);

	assert_true(cachet__holder_self(h));
	assert_string_equal(h, want);
}

static void gone_means_reaped_zombie_or_reused(void **state)
{
	(void)state;
	char self[CACHET__HOLDER_MAX], other[CACHET__HOLDER_MAX];
	assert_true(cachet__holder_self(self));

	/* this process, and a live child */
	assert_false(cachet__holder_gone(self, self));
	child c = spawn_child();
	assert_false(cachet__holder_gone(c.holder, self));
	/* the child's pid with another start time: the pid was reused */
	char pid[32];
	unsigned long long start;
	const char *rest = strstr(c.holder, " boot=");
	assert_int_equal(sscanf(c.holder, "pid=%31s start=%llu", pid, &start), 2);
	snprintf(other, sizeof other, "pid=%s start=%llu%s", pid, start + 1, rest);
	assert_true(cachet__holder_gone(other, self));
	/* this process's pid with another start time, likewise */
	rest = strstr(self, " boot=");
	assert_int_equal(sscanf(self, "pid=%31s start=%llu", pid, &start), 2);
	snprintf(other, sizeof other, "pid=%s start=%llu%s", pid, start + 1, rest);
	assert_true(cachet__holder_gone(other, self));

	/* killed but not reaped: a zombie has exited */
	assert_int_equal(kill(c.pid, SIGKILL), 0);
	siginfo_t info;
	assert_int_equal(waitid(P_PID, (id_t)c.pid, &info, WEXITED | WNOWAIT), 0);
	assert_true(cachet__holder_gone(c.holder, self));
	/* reaped */
	assert_int_equal(waitpid(c.pid, NULL, 0), c.pid);
	assert_true(cachet__holder_gone(c.holder, self));
}

static void foreign_or_garbled_holders_are_never_gone(void **state)
{
	(void)state;
	char self[CACHET__HOLDER_MAX], dead[CACHET__HOLDER_MAX], other[CACHET__HOLDER_MAX];
	assert_true(cachet__holder_self(self));
	dead_holder(dead);
	assert_true(cachet__holder_gone(dead, self));

	with_field(other, dead, "host", "another-machine");
	assert_false(cachet__holder_gone(other, self));
	with_field(other, dead, "boot", DEAD_BOOT);
	assert_false(cachet__holder_gone(other, self));
	with_field(other, dead, "pidns", "1");
	assert_false(cachet__holder_gone(other, self));

	assert_false(cachet__holder_gone(NULL, self));
	assert_false(cachet__holder_gone("", self));
	assert_false(cachet__holder_gone("cachet-run-20250101/node", self));
	assert_false(cachet__holder_gone("pid=0 start=1 boot=x pidns=1 host=h", self));
	assert_false(cachet__holder_gone("pid=99999999999 start=1 boot=x pidns=1 host=h", self));
	/* without knowing itself, a process judges nothing */
	assert_false(cachet__holder_gone(dead, ""));
}

/* ---- both backends ---- */

/* Reserve key for owner as if this process were `holder` ("" : unknown). */
static cachet_reservation reserve_as(cachet_catalog *cat, const char *owner, const char *holder)
{
	cachet_cache_key k = key_of("flyte_cached-k");
	cachet_reservation r = CACHET_RESERVATION_INIT;
	cat->holder_pid = getpid();
	snprintf(cat->holder, sizeof cat->holder, "%s", holder);
	assert_int_equal(cachet_catalog_reserve(&r, cat, &k, owner, HOUR_MS), 0);
	return r;
}

static uint64_t acquired(cachet_catalog *cat)
{
	return catalog_total(cat, CACHET_COUNTER_RESERVATIONS_ACQUIRED);
}

/* A owns it as holder; then B, as this process, asks. */
static bool b_takes_over(const char *backend, const char *holder_of_a)
{
	char self[CACHET__HOLDER_MAX];
	assert_true(cachet__holder_self(self));
	remove_db();
	cachet_catalog *cat = open_catalog(backend);
	cachet_reservation a = reserve_as(cat, "A", holder_of_a);
	assert_true(a.acquired);
	cachet_reservation b = reserve_as(cat, "B", self);
	bool took = b.acquired;
	if (took) {
		assert_string_equal(b.owner_id, "B");
		assert_int_equal(acquired(cat), 2);
		/* and B, now the holder, keeps it against a third */
		cachet_reservation c = reserve_as(cat, "C", self);
		assert_false(c.acquired);
		assert_string_equal(c.owner_id, "B");
		cachet_reservation_dispose(&c);
	} else {
		assert_string_equal(b.owner_id, "A");
		assert_int_equal(b.expires_at_ms, a.expires_at_ms);
		assert_int_equal(acquired(cat), 1);
	}
	cachet_reservation_dispose(&a);
	cachet_reservation_dispose(&b);
	cachet_catalog_free(cat);
	return took;
}

static void a_gone_holder_is_taken_over(void **state)
{
	const char *backend = *state;
	char self[CACHET__HOLDER_MAX], dead[CACHET__HOLDER_MAX], other[CACHET__HOLDER_MAX];
	assert_true(cachet__holder_self(self));
	dead_holder(dead);

	assert_true(b_takes_over(backend, dead));
	/* alive (this very process holds it for A) */
	assert_false(b_takes_over(backend, self));
	/* gone, as far as a pid can tell, but elsewhere */
	with_field(other, dead, "host", "another-machine");
	assert_false(b_takes_over(backend, other));
	with_field(other, dead, "boot", DEAD_BOOT);
	assert_false(b_takes_over(backend, other));
	/* not recorded (a process without /proc, or an older cachet) */
	assert_false(b_takes_over(backend, ""));
}

/* ---- across processes (SQLite) ---- */

static void a_killed_holder_is_taken_over_at_once(void **state)
{
	(void)state;
	cachet_cache_key k = key_of("flyte_cached-k");
	int fds[2];

	remove_db();
	cachet_catalog_free(open_catalog(SQLITE)); /* created before the child races us */
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		cachet_catalog *cat = open_catalog(SQLITE);
		cachet_reservation r = CACHET_RESERVATION_INIT;
		char ok = cachet_catalog_reserve(&r, cat, &k, "run-1/node", HOUR_MS) == 0 &&
				  r.acquired
			  ? 'y'
			  : 'n';
		if (write(fds[1], &ok, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	char ok = 0;
	assert_int_equal(read(fds[0], &ok, 1), 1);
	close(fds[0]);
	assert_int_equal(ok, 'y');

	cachet_catalog *cat = open_catalog(SQLITE);
	/* while the child lives, its reservation stands */
	cachet_reservation r = CACHET_RESERVATION_INIT;
	assert_int_equal(cachet_catalog_reserve(&r, cat, &k, "run-2/node", HOUR_MS), 0);
	assert_false(r.acquired);
	assert_string_equal(r.owner_id, "run-1/node");
	cachet_reservation_dispose(&r);

	kill_and_reap(pid);
	/* the waiter gets it on its first try: it never waited */
	cachet_serialize_options so = CACHET_SERIALIZE_OPTIONS_INIT;
	cachet_lookup_result res = CACHET_LOOKUP_RESULT_INIT;
	so.owner = "run-2/node";
	so.heartbeat_ms = HOUR_MS;
	so.wait_limit_ms = 60000; /* a safety net: failing beats hanging */
	assert_int_equal(cachet_catalog_get_or_reserve(&res, cat, &k, NULL, &so), 0);
	assert_int_equal(res.status, CACHET_CACHE_MISS);
	assert_true(res.reserved);
	assert_false(res.waited);
	cachet_lookup_result_dispose(&res);
	cachet_catalog_free(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_holder_names_this_process),
		cmocka_unit_test(gone_means_reaped_zombie_or_reused),
		cmocka_unit_test(foreign_or_garbled_holders_are_never_gone),
		cmocka_unit_test_prestate(a_gone_holder_is_taken_over, (void *)SQLITE),
		cmocka_unit_test_prestate(a_gone_holder_is_taken_over, (void *)MEMORY),
		cmocka_unit_test(a_killed_holder_is_taken_over_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
