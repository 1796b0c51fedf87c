/*
 * Helpers shared by the store's unit tests (test_store.c,
 * test_store_offload.c): fixtures over both backends, files, listings.
 */
#ifndef CACHET_TEST_STORE_HELPERS_H
#define CACHET_TEST_STORE_HELPERS_H

#include "test_helpers.h"

#include "cachet/store.h"
#include "cachet/sys/store_backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* One store under test. */
typedef struct store_fx {
	cachet_store *store;
	bool is_file;
	char dir[PATH_MAX]; /* the file backend's directory (real path) */
	char root[PATH_MAX + 16];
	char scratch[8][2 * PATH_MAX]; /* for U() */
	int next;
} store_fx;

/* A file store in a new directory under the test's working directory. */
static inline int store_setup_file(void **state)
{
	static int n;
	store_fx *f = calloc(1, sizeof *f);
	cachet_store_backend *b = NULL;
	char rel[64];

	assert_non_null(f);
	snprintf(rel, sizeof rel, "store-%d", n++);
	assert_int_equal(cachet_store_backend_file_new(&b, rel), 0);
	assert_int_equal(cachet_store_new(&f->store, b), 0);
	assert_non_null(realpath(rel, f->dir));
	snprintf(f->root, sizeof f->root, "%s", cachet_store_root(f->store));
	f->is_file = true;
	*state = f;
	return 0;
}

static inline int store_setup_memory(void **state)
{
	store_fx *f = calloc(1, sizeof *f);
	cachet_store_backend *b = NULL;

	assert_non_null(f);
	assert_int_equal(cachet_store_backend_memory_new(&b, "mem://test"), 0);
	assert_int_equal(cachet_store_new(&f->store, b), 0);
	snprintf(f->root, sizeof f->root, "%s", cachet_store_root(f->store));
	*state = f;
	return 0;
}

static inline int store_teardown(void **state)
{
	store_fx *f = *state;
	cachet_store_free(f->store);
	free(f);
	return 0;
}

/* "<root>/<key>" in one of a few rotating buffers. */
static inline const char *U(store_fx *f, const char *key)
{
	char *s = f->scratch[f->next++ % 8];
	snprintf(s, sizeof f->scratch[0], "%s/%s", f->root, key);
	return s;
}

struct listing {
	const char *root;
	char **keys;
	size_t n;
	int stop_after; /* > 0: return 7 after that many */
};

static inline int collect(const char *uri, const cachet_store_stat *st, void *payload)
{
	struct listing *l = payload;
	size_t rl = strlen(l->root);
	(void)st;
	assert_memory_equal(uri, l->root, rl);
	assert_int_equal(uri[rl], '/');
	l->keys = realloc(l->keys, (l->n + 1) * sizeof *l->keys);
	assert_non_null(l->keys);
	l->keys[l->n++] = strdup(uri + rl + 1);
	if (l->stop_after > 0 && (int)l->n == l->stop_after)
		return 7;
	return 0;
}

static inline int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The keys listed under prefix (relative to the root), sorted, one per
 * line; "" for none. Fails the test if the listing fails. */
static inline char *list_keys(store_fx *f, const char *prefix)
{
	struct listing l = {f->root, NULL, 0, 0};
	size_t len = 1;
	char *out;

	assert_int_equal(cachet_store_list(f->store, prefix, collect, &l), 0);
	if (l.n > 1)
		qsort(l.keys, l.n, sizeof *l.keys, cmp_str);
	for (size_t i = 0; i < l.n; i++)
		len += strlen(l.keys[i]) + 1;
	out = calloc(1, len);
	assert_non_null(out);
	for (size_t i = 0; i < l.n; i++) {
		strcat(out, l.keys[i]);
		strcat(out, "\n");
		free(l.keys[i]);
	}
	free(l.keys);
	return out;
}

#define assert_listing(f, prefix, expected)                                        \
	do {                                                                       \
		char *got_ = list_keys((f), (prefix));                             \
		assert_string_equal(got_, (expected));                             \
		free(got_);                                                        \
	} while (0)

/* How many files under dir have a temporary file's name (".x.tmp-…"). */
static inline int count_temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		size_t size = strlen(dir) + strlen(e->d_name) + 2;
		char *path = malloc(size);
		assert_non_null(path);
		memcpy(path, dir, strlen(dir));
		path[strlen(dir)] = '/';
		memcpy(path + strlen(dir) + 1, e->d_name, strlen(e->d_name) + 1);
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				n += count_temp_files(path);
			else if (strstr(e->d_name, ".tmp-") != NULL)
				n++;
		}
		free(path);
	}
	closedir(d);
	return n;
}

static inline void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static inline void write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

/* The whole file as a malloc'ed, NUL-terminated buffer. */
static inline char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	assert_non_null(fp);
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	fclose(fp);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* The object's bytes (NUL-terminated copy), failing the test if absent. */
static inline char *get_object(store_fx *f, const char *uri, size_t *len)
{
	char *data = NULL;
	size_t n = 0;
	assert_int_equal(cachet_store_get_bytes(&data, &n, f->store, uri), 0);
	if (len)
		*len = n;
	return data;
}

/* A test run on the file store and on the memory store, named for each. */
#define BOTH(fn)                                                                   \
	{"file: " #fn, fn, store_setup_file, store_teardown, NULL},                 \
	{"memory: " #fn, fn, store_setup_memory, store_teardown, NULL}
#define FILE_ONLY(fn) {"file: " #fn, fn, store_setup_file, store_teardown, NULL}
#define MEMORY_ONLY(fn) {"memory: " #fn, fn, store_setup_memory, store_teardown, NULL}

/* Run fn in a child process (for rlimits and abrupt exits); returns what
 * it wrote to its pipe. */
static inline char *in_child(void (*fn)(store_fx *f, int out), store_fx *f)
{
	int fds[2];
	char *buf = calloc(1, 4096);
	size_t n = 0;
	int status;

	assert_non_null(buf);
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		fn(f, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		ssize_t got = read(fds[0], buf + n, 4095 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return buf;
}

#endif
