/*
 * SHA-256 through OpenSSL 3's EVP interface.
 *
 * The EVP_MD is fetched once per process (pthread_once): an explicitly
 * fetched digest skips the provider lookup that EVP_sha256() costs on every
 * init. cachet__sha256_2, called for every small hash objecthash makes,
 * keeps one EVP_MD_CTX per thread in a _Thread_local pointer.
 *
 * Freeing the per-thread contexts:
 * - threads other than the main one: the context is also registered under
 *   a pthread key whose destructor frees it when the thread exits;
 * - the thread that calls exit() (normally main) never runs key
 *   destructors, so an atexit() handler frees that thread's context and the
 *   fetched digest. It is registered right after the first fetch, which is
 *   after OpenSSL registered its own atexit cleanup; handlers run in reverse
 *   order, so ours runs while libcrypto is still intact. Nothing is left for
 *   valgrind or LeakSanitizer to report.
 * A hash requested after that handler ran (from a later exit handler) gets
 * CACHET_ERROR, not a crash.
 */
#include "util/sha256.h"

#include "util/alloc.h"
#include "util/error.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>

struct cachet_sha256 {
	EVP_MD_CTX *ctx;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;    /* NULL if the fetch failed or after exit */
static bool key_ok;
static pthread_key_t ctx_key;
static _Thread_local EVP_MD_CTX *tls_ctx;

static void thread_ctx_destructor(void *p)
{
	EVP_MD_CTX_free(p);
}

static void at_exit_cleanup(void)
{
	if (tls_ctx) {
		if (key_ok)
			pthread_setspecific(ctx_key, NULL);
		EVP_MD_CTX_free(tls_ctx);
		tls_ctx = NULL;
	}
	EVP_MD_free(sha256_md);
	sha256_md = NULL;
}

static void init(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	key_ok = pthread_key_create(&ctx_key, thread_ctx_destructor) == 0;
	if (atexit(at_exit_cleanup) != 0) {
		/* cannot clean up at exit: leave the digest reachable, which
		 * is harmless */
	}
}

/* Record an OpenSSL failure as CACHET_ERROR, with OpenSSL's reason. */
static int openssl_error(const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char reason[256];
	if (e) {
		ERR_error_string_n(e, reason, sizeof(reason));
		ERR_clear_error();
		return cachet__error(CACHET_ERROR, "sha256: %s failed: %s", what, reason);
	}
	return cachet__error(CACHET_ERROR, "sha256: %s failed", what);
}

static const EVP_MD *md(void)
{
	pthread_once(&init_once, init);
	if (sha256_md == NULL)
		openssl_error("fetching the digest");
	return sha256_md;
}

static EVP_MD_CTX *thread_ctx(void)
{
	if (tls_ctx)
		return tls_ctx;
	if (md() == NULL)
		return NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		cachet__error_oom();
		return NULL;
	}
	if (key_ok && pthread_setspecific(ctx_key, ctx) != 0) {
		EVP_MD_CTX_free(ctx);
		cachet__error_oom();
		return NULL;
	}
	tls_ctx = ctx;
	return ctx;
}

int cachet__sha256_2(const void *a, size_t alen, const void *b, size_t blen,
		     uint8_t out[CACHET_SHA256_LEN])
{
	EVP_MD_CTX *ctx = thread_ctx();
	if (ctx == NULL)
		return cachet_error_last()->code;
	const EVP_MD *m = md();
	if (m == NULL)
		return CACHET_ERROR;

	unsigned int n = 0;
	if (!EVP_DigestInit_ex2(ctx, m, NULL))
		return openssl_error("init");
	if (alen && !EVP_DigestUpdate(ctx, a, alen))
		return openssl_error("update");
	if (blen && !EVP_DigestUpdate(ctx, b, blen))
		return openssl_error("update");
	if (!EVP_DigestFinal_ex(ctx, out, &n))
		return openssl_error("final");
	return 0;
}

int cachet__sha256_new(cachet_sha256 **out)
{
	*out = NULL;
	const EVP_MD *m = md();
	if (m == NULL)
		return CACHET_ERROR;

	cachet_sha256 *h = cachet__malloc(sizeof(*h));
	if (h == NULL)
		return CACHET_ENOMEM;
	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL) {
		cachet__free(h);
		return cachet__error_oom();
	}
	if (!EVP_DigestInit_ex2(h->ctx, m, NULL)) {
		int rc = openssl_error("init");
		cachet__sha256_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

int cachet__sha256_update(cachet_sha256 *h, const void *data, size_t len)
{
	if (len && !EVP_DigestUpdate(h->ctx, data, len))
		return openssl_error("update");
	return 0;
}

int cachet__sha256_final(cachet_sha256 *h, uint8_t out[CACHET_SHA256_LEN])
{
	unsigned int n = 0;
	if (!EVP_DigestFinal_ex(h->ctx, out, &n))
		return openssl_error("final");
	/* ready for reuse; NULL type means "the same digest again" */
	if (!EVP_DigestInit_ex2(h->ctx, NULL, NULL))
		return openssl_error("init");
	return 0;
}

void cachet__sha256_free(cachet_sha256 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	cachet__free(h);
}

void cachet__hex(char *out, const uint8_t *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0xF];
	}
	out[2 * len] = '\0';
}
