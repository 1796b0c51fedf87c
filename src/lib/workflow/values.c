/*
 * Values written in workflow files (defaults and constants), read by their
 * declared type. Each scalar goes through cachet_literal_from_text, the
 * same reader as `cachet run -i`, so "3" means the same in both places;
 * YAML's own guesses (yes/no as booleans, 012 as octal) play no part.
 */
#include "workflow/types.h"

#include "cachet/engine.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

/* "<file>:<line>:<col>: <what>: <the current error's message>" */
static int value_error(const cachet__wf_value_ctx *ctx, const cachet__yaml_node *n)
{
	int code = cachet_error_last()->code;
	if (code == CACHET_ENOMEM)
		return code;
	char msg[600];
	snprintf(msg, sizeof msg, "%s", cachet_error_last()->message);
	return cachet__yaml_error(ctx->name, n, "%s: %s", ctx->what, msg);
}

static int describe_error(const cachet__wf_value_ctx *ctx, const cachet__yaml_node *n,
			  const cachet_literal_type *t, const char *problem)
{
	char *tname = NULL;
	if (cachet_literal_type_describe(&tname, t) < 0)
		return CACHET_ENOMEM;
	int rc = cachet__yaml_error(ctx->name, n, "%s: expected %s, got %s", ctx->what, tname,
				    problem);
	cachet_free(tname);
	return rc;
}

static bool is_uri(const char *s)
{
	const char *colon = strstr(s, "://");
	if (colon == NULL || colon == s)
		return false;
	for (const char *p = s; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.'))
			return false;
	return true;
}

static bool accepts_none(const cachet_literal_type *t)
{
	if (t->kind == CACHET_TYPE_SIMPLE)
		return t->simple == CACHET_SIMPLE_NONE;
	if (t->kind == CACHET_TYPE_UNION)
		for (size_t i = 0; i < t->union_type->n_variants; i++)
			if (accepts_none(t->union_type->variants[i]))
				return true;
	return false;
}

static int scalar_value(cachet_literal **out, const cachet__wf_value_ctx *ctx,
			const cachet_literal_type *t, const cachet__yaml_node *n)
{
	cachet_buf path = CACHET_BUF_INIT;
	const char *text = n->text;
	int rc;

	if (memchr(n->text, '\0', n->len) != NULL)
		return cachet__yaml_error(ctx->name, n, "%s: a value cannot contain a NUL character",
					  ctx->what);
	if (cachet__yaml_is_null(n)) {
		if (accepts_none(t))
			text = "";
		else if (!(t->kind == CACHET_TYPE_SIMPLE && t->simple == CACHET_SIMPLE_STRING &&
			   n->len > 0))
			/* `b:` left empty; a string that reads "null" is written as is */
			return describe_error(ctx, n, t, "nothing");
	}
	if (cachet__wf_type_is_offloaded(t) && text[0] != '/' && !is_uri(text) &&
	    ctx->base_dir != NULL && ctx->base_dir[0] != '\0') {
		/* relative to the workflow file, not to wherever cachet runs */
		if ((rc = cachet__buf_printf(&path, "%s/%s", ctx->base_dir, text)) < 0)
			return rc;
		text = path.ptr;
	}
	rc = cachet_literal_from_text(out, t, text);
	cachet__buf_dispose(&path);
	return rc < 0 ? value_error(ctx, n) : 0;
}

static int node_value(cachet_literal **out, const cachet__wf_value_ctx *ctx,
		      const cachet_literal_type *t, const cachet__yaml_node *n, int depth)
{
	cachet_literal *lit = NULL;
	int rc = 0;

	*out = NULL;
	if (depth > CACHET__YAML_MAX_DEPTH)
		return cachet__yaml_error(ctx->name, n, "%s: nested too deeply", ctx->what);
	if (t->kind == CACHET_TYPE_UNION && n->kind != CACHET__YAML_SCALAR)
		return cachet__yaml_error(ctx->name, n,
					  "%s: a value for a union is written as text, not as %s",
					  ctx->what, cachet__yaml_kind_name(n));
	if (t->kind == CACHET_TYPE_COLLECTION) {
		if (n->kind != CACHET__YAML_SEQ)
			return describe_error(ctx, n, t, cachet__yaml_kind_name(n));
		if ((lit = cachet_literal_new_collection()) == NULL)
			return CACHET_ENOMEM;
		for (size_t i = 0; i < n->n_items; i++) {
			cachet_literal *item;
			if ((rc = node_value(&item, ctx, t->collection_type, n->items[i],
					     depth + 1)) < 0 ||
			    (rc = cachet_literal_collection_append(lit, item)) < 0)
				goto fail;
		}
	} else if (t->kind == CACHET_TYPE_MAP) {
		if (n->kind != CACHET__YAML_MAP)
			return describe_error(ctx, n, t, cachet__yaml_kind_name(n));
		if ((lit = cachet_literal_new_map()) == NULL)
			return CACHET_ENOMEM;
		for (size_t i = 0; i < n->n_pairs; i++) {
			cachet_literal *item;
			if ((rc = node_value(&item, ctx, t->map_value_type, n->pairs[i].value,
					     depth + 1)) < 0)
				goto fail;
			if ((rc = cachet_literal_map_set(lit->map, n->pairs[i].key->text, item)) < 0) {
				if (rc == CACHET_EINVALID)
					rc = value_error(ctx, n->pairs[i].key);
				goto fail;
			}
		}
	} else if (n->kind != CACHET__YAML_SCALAR) {
		return describe_error(ctx, n, t, cachet__yaml_kind_name(n));
	} else {
		return scalar_value(out, ctx, t, n);
	}
	*out = lit;
	return 0;
fail:
	cachet_literal_free(lit);
	return rc;
}

int cachet__wf_value_from_node(cachet_literal **out, const cachet__wf_value_ctx *ctx,
			       const cachet_literal_type *t, const cachet__yaml_node *n)
{
	static const cachet__yaml_node null_node = {.kind = CACHET__YAML_SCALAR,
						    .text = "",
						    .plain = true};
	return node_value(out, ctx, t, n ? n : &null_node, 0);
}
