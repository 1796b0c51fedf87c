/*
 * argv templates: "{{inputs.a}}", "{{outputs.df}}", "{{node.dir}}",
 * "{{run.id}}", "{{{{" for a literal "{{". One parser serves checking a
 * template when a task is made and expanding it when a node runs.
 */
#include "engine/task.h"

#include "util/buf.h"
#include "util/error.h"

#include <string.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

int cachet__template_expand(cachet_buf *out, const char *arg, tmpl_fn fn, void *payload)
{
	const char *p = arg;
	int rc;

	while (*p) {
		const char *open = strstr(p, "{{"), *close, *s, *e;
		tmpl_kind kind;
		size_t plen;

		if (!open) {
			if (out && (rc = cachet__buf_puts(out, p)) < 0)
				return rc;
			break;
		}
		if (out && (rc = cachet__buf_put(out, p, (size_t)(open - p))) < 0)
			return rc;
		if (!strncmp(open, "{{{{", 4)) {
			if (out && (rc = cachet__buf_puts(out, "{{")) < 0)
				return rc;
			p = open + 4;
			continue;
		}
		if (!(close = strstr(open + 2, "}}")))
			return cachet__error(CACHET_EINVALID, "unterminated '{{' in \"%s\"", arg);
		s = open + 2;
		e = close;
		while (s < e && is_space(*s))
			s++;
		while (e > s && is_space(e[-1]))
			e--;
		plen = (size_t)(e - s);
		if (plen > 7 && !strncmp(s, "inputs.", 7)) {
			kind = TMPL_INPUT;
			s += 7;
		} else if (plen > 8 && !strncmp(s, "outputs.", 8)) {
			kind = TMPL_OUTPUT;
			s += 8;
		} else if (plen == 8 && !strncmp(s, "node.dir", 8)) {
			kind = TMPL_NODE_DIR;
			s = e;
		} else if (plen == 6 && !strncmp(s, "run.id", 6)) {
			kind = TMPL_RUN_ID;
			s = e;
		} else {
			return cachet__error(CACHET_EINVALID,
					     "unknown placeholder '%.*s' in \"%s\" (known: "
					     "inputs.NAME, outputs.NAME, node.dir, run.id)",
					     (int)(close + 2 - open), open, arg);
		}
		if (fn && (rc = fn(out, kind, s, (size_t)(e - s), payload)) < 0)
			return rc;
		p = close + 2;
	}
	return 0;
}
