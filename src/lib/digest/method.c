/*
 * Hash methods: cachet_literal_fill_hash, which sets a Literal's hash by
 * its content, a command, a callback or its own value, or clears it.
 */
#include "digest/command.h"
#include "digest/internal.h"

#include "codec/json.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/version.h"
#include "util/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* CONTENT: the content hash of the data at local_path. */
static int content_hash(char **out, const cachet_literal *lit, const char *local_path,
			const cachet_hash_options *opts)
{
	const cachet_scalar *sc = lit->kind == CACHET_LITERAL_SCALAR ? lit->scalar : NULL;
	char show[CACHET__SHOW_MAX];
	struct stat st;

	if (sc == NULL || (sc->kind != CACHET_SCALAR_BLOB && sc->kind != CACHET_SCALAR_SCHEMA &&
			   sc->kind != CACHET_SCALAR_STRUCTURED_DATASET))
		return cachet__error(CACHET_EINVALID,
				     "a content hash needs a blob, dataset or schema, not %s",
				     cachet_literal_describe(lit));
	if (local_path == NULL || local_path[0] == '\0')
		return cachet__error(CACHET_EINVALID,
				     "a content hash needs the local path of %s's data",
				     cachet_literal_describe(lit));
	/* A Blob says whether it is one file or a directory: hold it to that.
	 * (A missing path is left to cachet_hash_path to report.) */
	if (sc->kind == CACHET_SCALAR_BLOB && sc->blob->metadata && sc->blob->metadata->type &&
	    stat(local_path, &st) == 0) {
		int32_t dim = sc->blob->metadata->type->dimensionality;
		cachet__path_show(show, local_path, NULL);
		if (dim == CACHET_BLOB_SINGLE && S_ISDIR(st.st_mode))
			return cachet__error(CACHET_EINVALID,
					     "'%s' is a directory, but the blob is a single file",
					     show);
		if (dim == CACHET_BLOB_MULTIPART && !S_ISDIR(st.st_mode))
			return cachet__error(CACHET_EINVALID,
					     "'%s' is not a directory, but the blob is multipart",
					     show);
	}
	return cachet_hash_path(out, local_path, opts);
}

/* VALUE: a primitive's own text. */
static int value_text(char **out, const cachet_literal *lit)
{
	const cachet_primitive *p = NULL;
	cachet_buf b = CACHET_BUF_INIT;
	int rc = 0;

	if (lit->kind == CACHET_LITERAL_SCALAR && lit->scalar &&
	    lit->scalar->kind == CACHET_SCALAR_PRIMITIVE)
		p = lit->scalar->primitive;
	if (p == NULL || p->kind == CACHET_PRIMITIVE_NOT_SET)
		return cachet__error(CACHET_EINVALID,
				     "a value hash needs a primitive value, not %s",
				     cachet_literal_describe(lit));
	switch (p->kind) {
	case CACHET_PRIMITIVE_INTEGER:
		rc = cachet__buf_printf(&b, "%" PRId64, p->integer);
		break;
	case CACHET_PRIMITIVE_FLOAT:
		/* protobuf JSON's spellings of the values JSON has no number for */
		if (isnan(p->float_value))
			rc = cachet__buf_puts(&b, "NaN");
		else if (isinf(p->float_value))
			rc = cachet__buf_puts(&b, p->float_value > 0 ? "Infinity" : "-Infinity");
		else
			rc = cachet__double_format(p->float_value, &b);
		break;
	case CACHET_PRIMITIVE_STRING:
		rc = cachet__buf_puts(&b, p->string_value ? p->string_value : "");
		break;
	case CACHET_PRIMITIVE_BOOLEAN:
		rc = cachet__buf_puts(&b, p->boolean ? "true" : "false");
		break;
	case CACHET_PRIMITIVE_DATETIME: {
		cachet_timestamp zero = {0, 0};
		rc = cachet__timestamp_format(p->datetime ? p->datetime : &zero, &b);
		break;
	}
	case CACHET_PRIMITIVE_DURATION: {
		cachet_duration zero = {0, 0};
		rc = cachet__duration_format(p->duration ? p->duration : &zero, &b);
		break;
	}
	default:
		rc = cachet__error(CACHET_EINVALID, "a value hash needs a primitive value");
		break;
	}
	if (rc == 0 && (*out = cachet__buf_detach(&b, NULL)) == NULL)
		rc = CACHET_ENOMEM;
	cachet__buf_dispose(&b);
	return rc;
}

/* CALLBACK: the user's function. */
static int callback_hash(char **out, const cachet_hash_method *m, const cachet_literal *lit,
			 const char *local_path)
{
	char *given = NULL;
	int r;

	if (m->callback == NULL)
		return cachet__error(CACHET_EINVALID, "hash method CALLBACK without a callback");
	r = m->callback(&given, lit, local_path, m->context);
	if (r != 0) {
		free(given); /* the callback's, from malloc */
		return cachet__error(CACHET_ERROR, "hash callback failed (it returned %d)", r);
	}
	if (given == NULL)
		return cachet__error(CACHET_EINVALID, "hash callback gave no hash");
	*out = cachet__strdup(given);
	free(given);
	return *out ? 0 : CACHET_ENOMEM;
}

/* A hash from a user's method must be text on one line, and not empty. */
static int check_given(const char *hash, const char *from)
{
	size_t len = strlen(hash), bad;

	if (len == 0)
		return cachet__error(CACHET_EINVALID, "%s gave an empty hash", from);
	if (!cachet__utf8_valid(hash, len, &bad))
		return cachet__error(CACHET_EINVALID, "%s gave a hash that is not UTF-8 (byte %zu)",
				     from, bad);
	if (strpbrk(hash, "\r\n") != NULL)
		return cachet__error(CACHET_EINVALID, "%s gave a hash of several lines", from);
	return 0;
}

int cachet_literal_fill_hash(cachet_literal *lit, const char *local_path,
			     const cachet_hash_method *m, const cachet_hash_options *opts)
{
	cachet_hash_method method = CACHET_HASH_METHOD_INIT;
	char *hash = NULL;
	const char *from = NULL;
	int rc;

	if (lit == NULL)
		return cachet__error(CACHET_EINVALID, "cachet_literal_fill_hash: lit is NULL");
	if (m != NULL) {
		if ((rc = cachet__check_version(m->version, CACHET_HASH_METHOD_VERSION,
						"hash method")) < 0)
			return rc;
		method = *m;
	}
	switch (method.kind) {
	case CACHET_HASH_NONE:
		return cachet_literal_set_hash(lit, NULL);
	case CACHET_HASH_CONTENT:
		rc = content_hash(&hash, lit, local_path, opts);
		break;
	case CACHET_HASH_COMMAND:
		if (method.argv == NULL || method.argv[0] == NULL || method.argv[0][0] == '\0')
			return cachet__error(CACHET_EINVALID, "hash method COMMAND without a command");
		if (local_path == NULL || local_path[0] == '\0')
			return cachet__error(CACHET_EINVALID,
					     "hash command '%s' needs the local path of %s's data",
					     method.argv[0], cachet_literal_describe(lit));
		rc = cachet__run_hash_command(&hash, method.argv, local_path, method.timeout_ms);
		from = "hash command";
		break;
	case CACHET_HASH_CALLBACK:
		rc = callback_hash(&hash, &method, lit, local_path);
		from = "hash callback";
		break;
	case CACHET_HASH_VALUE:
		rc = value_text(&hash, lit);
		from = "value hash";
		break;
	default:
		return cachet__error(CACHET_EINVALID, "unknown hash method %d", (int)method.kind);
	}
	if (rc == 0 && from != NULL)
		rc = check_given(hash, from);
	if (rc == 0)
		rc = cachet_literal_set_hash(lit, hash);
	cachet__free(hash);
	return rc;
}
