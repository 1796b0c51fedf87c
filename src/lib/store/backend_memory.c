/*
 * An in-memory backend: objects in a sorted array under a mutex. It proves
 * that nothing above the backend interface leans on a filesystem, and
 * serves tests of the layers above the store.
 */
#include "cachet/sys/store_backend.h"

#include "store/uri.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct mem_object {
	char *uri;
	char *data;
	size_t len;
	cachet_timestamp mtime;
} mem_object;

typedef struct mem_backend {
	cachet_store_backend base;
	char *root;
	pthread_mutex_t lock;
	mem_object *objects; /* sorted by uri */
	size_t n, cap;
} mem_backend;

typedef struct mem_writer {
	cachet_store_writer base;
	mem_backend *mb;
	char *uri;
	cachet_buf data;
} mem_writer;

typedef struct mem_reader {
	cachet_store_reader base;
	char *data; /* a copy taken at open: later writes do not show */
	size_t len, pos;
} mem_reader;

static cachet_timestamp now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (cachet_timestamp){(int64_t)ts.tv_sec, (int32_t)ts.tv_nsec};
}

/* Index of uri, or of where it would go; *found tells which. Call locked. */
static size_t find(const mem_backend *mb, const char *uri, bool *found)
{
	size_t lo = 0, hi = mb->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(mb->objects[mid].uri, uri);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int not_found(const char *uri)
{
	return cachet__error(CACHET_ENOTFOUND, "no object at '%s'", uri);
}

/* ---- writing ---- */

static void writer_free(mem_writer *w)
{
	if (w == NULL)
		return;
	cachet__free(w->uri);
	cachet__buf_dispose(&w->data);
	cachet__free(w);
}

static int mem_write(cachet_store_writer *base, const void *data, size_t len)
{
	mem_writer *w = (mem_writer *)base;
	return cachet__buf_put(&w->data, data, len);
}

static int mem_commit(cachet_store_writer *base)
{
	mem_writer *w = (mem_writer *)base;
	mem_backend *mb = w->mb;
	size_t len = w->data.len;
	bool found;
	int rc = 0;

	/* Allocate before taking the lock; the swap under it cannot fail
	 * once the array has room. */
	char *data = cachet__buf_detach(&w->data, NULL);
	if (data == NULL) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	pthread_mutex_lock(&mb->lock);
	size_t i = find(mb, w->uri, &found);
	if (found) {
		cachet__free(mb->objects[i].data);
		mb->objects[i].data = data;
		mb->objects[i].len = len;
		mb->objects[i].mtime = now();
	} else {
		mem_object *grown = cachet__grow(mb->objects, mb->n, &mb->cap, sizeof *grown, 16);
		if (grown == NULL) {
			pthread_mutex_unlock(&mb->lock);
			cachet__free(data);
			rc = CACHET_ENOMEM;
			goto done;
		}
		mb->objects = grown;
		memmove(mb->objects + i + 1, mb->objects + i, (mb->n - i) * sizeof *mb->objects);
		mb->objects[i] = (mem_object){w->uri, data, len, now()};
		w->uri = NULL; /* the object owns it now */
		mb->n++;
	}
	pthread_mutex_unlock(&mb->lock);
done:
	writer_free(w);
	return rc;
}

static void mem_abort(cachet_store_writer *base)
{
	writer_free((mem_writer *)base);
}

static int mem_open_writer(cachet_store_writer **out, cachet_store_backend *b,
			   const char *uri, uint64_t size_hint)
{
	mem_backend *mb = (mem_backend *)b;
	mem_writer *w;
	int rc;

	(void)size_hint;
	*out = NULL;
	if ((rc = cachet__uri_check(NULL, mb->root, uri, CACHET__URI_OBJECT)) < 0)
		return rc;
	if ((w = cachet__calloc(1, sizeof *w)) == NULL)
		return CACHET_ENOMEM;
	/* No splice: the bytes must pass through this process anyway. */
	w->base = (cachet_store_writer){CACHET_STORE_BACKEND_VERSION, mem_write, mem_commit,
					mem_abort, NULL};
	w->mb = mb;
	if ((w->uri = cachet__strdup(uri)) == NULL) {
		writer_free(w);
		return CACHET_ENOMEM;
	}
	*out = &w->base;
	return 0;
}

/* ---- reading ---- */

static int mem_read(cachet_store_reader *base, void *buf, size_t cap, size_t *got)
{
	mem_reader *r = (mem_reader *)base;
	size_t n = r->len - r->pos < cap ? r->len - r->pos : cap;

	if (n > 0)
		memcpy(buf, r->data + r->pos, n);
	r->pos += n;
	*got = n;
	return 0;
}

static void mem_close(cachet_store_reader *base)
{
	mem_reader *r = (mem_reader *)base;
	if (r == NULL)
		return;
	cachet__free(r->data);
	cachet__free(r);
}

static int mem_open_reader(cachet_store_reader **out, cachet_store_backend *b,
			   const char *uri)
{
	mem_backend *mb = (mem_backend *)b;
	mem_reader *r;
	bool found;
	int rc;

	*out = NULL;
	if ((rc = cachet__uri_check(NULL, mb->root, uri, CACHET__URI_OBJECT)) < 0)
		return rc;
	if ((r = cachet__calloc(1, sizeof *r)) == NULL)
		return CACHET_ENOMEM;
	r->base = (cachet_store_reader){CACHET_STORE_BACKEND_VERSION, mem_read, mem_close};
	pthread_mutex_lock(&mb->lock);
	size_t i = find(mb, uri, &found);
	if (!found) {
		rc = not_found(uri);
	} else if ((r->data = cachet__malloc(mb->objects[i].len)) == NULL) {
		rc = CACHET_ENOMEM;
	} else {
		memcpy(r->data, mb->objects[i].data, mb->objects[i].len);
		r->len = mb->objects[i].len;
	}
	pthread_mutex_unlock(&mb->lock);
	if (rc < 0) {
		mem_close(&r->base);
		return rc;
	}
	*out = &r->base;
	return 0;
}

static int mem_stat(cachet_store_stat *out, cachet_store_backend *b, const char *uri)
{
	mem_backend *mb = (mem_backend *)b;
	bool found;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = cachet__uri_check(NULL, mb->root, uri, CACHET__URI_OBJECT)) < 0)
		return rc;
	pthread_mutex_lock(&mb->lock);
	size_t i = find(mb, uri, &found);
	if (found) {
		out->size = mb->objects[i].len;
		out->mtime = mb->objects[i].mtime;
	}
	pthread_mutex_unlock(&mb->lock);
	return found ? 0 : not_found(uri);
}

/* ---- listing and deleting ---- */

struct listed {
	char *uri;
	cachet_store_stat st;
};

static int mem_list(cachet_store_backend *b, const char *prefix, cachet_store_list_fn fn,
		    void *payload)
{
	mem_backend *mb = (mem_backend *)b;
	struct listed *items = NULL;
	size_t n = 0, plen = strlen(prefix);
	bool found;
	int rc;

	if ((rc = cachet__uri_check(NULL, mb->root, prefix, CACHET__URI_PREFIX)) < 0)
		return rc;
	/* Copy what matches under the lock, call fn without it, so that fn
	 * may use the store (delete what it lists, say). */
	pthread_mutex_lock(&mb->lock);
	size_t first = find(mb, prefix, &found), last = first;
	while (last < mb->n && strncmp(mb->objects[last].uri, prefix, plen) == 0)
		last++;
	if (last > first && (items = cachet__calloc(last - first, sizeof *items)) == NULL)
		rc = CACHET_ENOMEM;
	for (size_t i = first; rc == 0 && i < last; i++, n++) {
		if ((items[n].uri = cachet__strdup(mb->objects[i].uri)) == NULL)
			rc = CACHET_ENOMEM;
		items[n].st = (cachet_store_stat){mb->objects[i].len, mb->objects[i].mtime};
	}
	pthread_mutex_unlock(&mb->lock);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = fn(items[i].uri, &items[i].st, payload);
	for (size_t i = 0; i < n; i++)
		cachet__free(items[i].uri);
	cachet__free(items);
	return rc;
}

static int mem_delete(cachet_store_backend *b, const char *uri)
{
	mem_backend *mb = (mem_backend *)b;
	bool found;
	int rc;

	if ((rc = cachet__uri_check(NULL, mb->root, uri, CACHET__URI_OBJECT)) < 0)
		return rc;
	pthread_mutex_lock(&mb->lock);
	size_t i = find(mb, uri, &found);
	if (found) {
		cachet__free(mb->objects[i].uri);
		cachet__free(mb->objects[i].data);
		memmove(mb->objects + i, mb->objects + i + 1,
			(mb->n - i - 1) * sizeof *mb->objects);
		mb->n--;
	}
	pthread_mutex_unlock(&mb->lock);
	return found ? 0 : not_found(uri);
}

static void mem_free(cachet_store_backend *b)
{
	mem_backend *mb = (mem_backend *)b;
	if (mb == NULL)
		return;
	for (size_t i = 0; i < mb->n; i++) {
		cachet__free(mb->objects[i].uri);
		cachet__free(mb->objects[i].data);
	}
	cachet__free(mb->objects);
	cachet__free(mb->root);
	pthread_mutex_destroy(&mb->lock);
	cachet__free(mb);
}

int cachet_store_backend_memory_new(cachet_store_backend **out, const char *root_uri)
{
	mem_backend *mb;
	const char *sep = root_uri ? strstr(root_uri, "://") : NULL;
	size_t len = root_uri ? strlen(root_uri) : 0;

	*out = NULL;
	if (sep == NULL || sep == root_uri || sep[3] == '\0' || root_uri[len - 1] == '/')
		return cachet__error(CACHET_EINVALID,
				     "memory store root '%s' is not of the form "
				     "'<scheme>://<name>'",
				     root_uri ? root_uri : "");
	if ((mb = cachet__calloc(1, sizeof *mb)) == NULL)
		return CACHET_ENOMEM;
	if ((mb->root = cachet__strdup(root_uri)) == NULL) {
		cachet__free(mb);
		return CACHET_ENOMEM;
	}
	pthread_mutex_init(&mb->lock, NULL);
	mb->base = (cachet_store_backend){
		.version = CACHET_STORE_BACKEND_VERSION,
		.root = mb->root,
		.open_writer = mem_open_writer,
		.open_reader = mem_open_reader,
		.stat = mem_stat,
		.list = mem_list,
		.delete_object = mem_delete,
		.cleanup = NULL, /* an aborted write leaves nothing */
		.free = mem_free,
	};
	*out = &mb->base;
	return 0;
}
