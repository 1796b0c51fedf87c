/*
 * Task files (cachet/task_file.h): tell a TaskTemplate from a TaskSpec,
 * decode it with the task descriptors of value/task_schema.h (unknown
 * fields skipped in both encodings), and keep what the cache key needs.
 */
#include "cachet/task_file.h"

#include "codec/json.h"
#include "codec/wire.h"
#include "codec/wire_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/input.h"
#include "value/message.h"
#include "value/task_schema.h"

#include <string.h>

/* The task messages whose unknown JSON names are skipped. */
static const cachet__message_desc *const open_messages[] = {
	&cachet__task_spec_desc,
	&cachet__task_template_desc,
	&cachet__task_metadata_desc,
	&cachet__identifier_desc,
};

/* What the top-level fields of protobuf bytes show, without decoding. */
struct glance {
	bool whole;         /* every field could be walked over */
	uint32_t numbers;   /* bit n: a field numbered n (below 32) was seen */
	int first_one;      /* the wire type of the first field 1; -1: none */
	const uint8_t *one; /* the payload of the last field 1 sent as bytes */
	size_t one_len;
};

#define BIT(n) (1u << (n))
/* The fields of a TaskTemplate past id and type, which a TaskSpec lacks:
 * metadata 3, interface 4, custom 5, container 6, task_type_version 7,
 * security_context 8, extended_resources 9, config 16, k8s_pod 17, sql 18. */
#define TEMPLATE_ONLY                                                                    \
	(BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(9) | BIT(16) | BIT(17) | \
	 BIT(18))
/* ... and those of them an Identifier (fields 1 to 6) lacks too. */
#define TEMPLATE_NOT_IDENTIFIER (BIT(7) | BIT(8) | BIT(9) | BIT(16) | BIT(17) | BIT(18))

static void glance_at(struct glance *g, const uint8_t *p, const uint8_t *end)
{
	memset(g, 0, sizeof *g);
	g->first_one = -1;
	while (p < end) {
		uint64_t tag, v;
		if (cachet__varint_get(&p, end, &tag) != CACHET__VARINT_OK)
			return;
		uint64_t number = tag >> 3;
		if (number == 0 || number > CACHET__WIRE_MAX_FIELD)
			return;
		if (number < 32)
			g->numbers |= BIT(number);
		if (number == 1 && g->first_one < 0)
			g->first_one = (int)(tag & 7);
		switch (tag & 7) {
		case CACHET__WIRE_VARINT:
			if (cachet__varint_get(&p, end, &v) != CACHET__VARINT_OK)
				return;
			break;
		case CACHET__WIRE_I64:
			if (end - p < 8)
				return;
			p += 8;
			break;
		case CACHET__WIRE_I32:
			if (end - p < 4)
				return;
			p += 4;
			break;
		case CACHET__WIRE_LEN:
			if (cachet__varint_get(&p, end, &v) != CACHET__VARINT_OK ||
			    v > (uint64_t)(end - p))
				return;
			if (number == 1) {
				g->one = p;
				g->one_len = (size_t)v;
			}
			p += v;
			break;
		default: /* groups: these messages have none */
			return;
		}
	}
	g->whole = true;
}

/*
 * Which message protobuf bytes hold, by the rule of cachet/task_file.h.
 * Bytes that cannot be walked are called a TaskTemplate, whose decoder
 * then says what is wrong with them.
 */
static int detect_pb(cachet_task_message *out, const uint8_t *data, size_t len)
{
	struct glance top, inner;

	*out = CACHET_TASK_TEMPLATE;
	glance_at(&top, data, data + len);
	if (!top.whole || (top.numbers & TEMPLATE_ONLY) != 0 ||
	    (top.first_one >= 0 && top.first_one != CACHET__WIRE_LEN))
		return 0;
	if (top.one != NULL) {
		glance_at(&inner, top.one, top.one + top.one_len);
		if (!inner.whole || inner.first_one == CACHET__WIRE_VARINT)
			return 0;
		if (inner.first_one == CACHET__WIRE_LEN ||
		    (inner.numbers & TEMPLATE_NOT_IDENTIFIER) != 0) {
			*out = CACHET_TASK_SPEC;
			return 0;
		}
	}
	return cachet__error(CACHET_EINVALID,
			     "cannot tell a TaskTemplate from a TaskSpec (neither an id's "
			     "resource type nor a template's id shows); decode it");
}

static int decode_as(const cachet__message_desc *d, void **out, const void *data, size_t len,
		     cachet_format format)
{
	if (format == CACHET_FORMAT_JSON)
		return cachet__json_decode_open(d, out, data, len, open_messages,
						sizeof open_messages / sizeof open_messages[0]);
	return cachet__wire_decode(d, out, data, len);
}

/* Move the counted string *from into *to, or a new "" when it is NULL. */
static int take_string(char **to, char **from)
{
	*to = *from != NULL ? *from : cachet_str_new("", 0);
	*from = NULL;
	return *to != NULL ? 0 : CACHET_ENOMEM;
}

/* What the key needs from template t into out; where is the path of t's
 * id in messages ("id", "template.id"). */
static int take_template(cachet_task_file *out, cachet__task_template *t, const char *where)
{
	cachet__identifier *id = t->id;
	cachet__task_metadata *md = t->metadata;
	int rc;

	if (id == NULL)
		return cachet__error(CACHET_EINVALID, "%s is missing: it names the task", where);
	if (id->resource_type != CACHET__RESOURCE_UNSPECIFIED &&
	    id->resource_type != CACHET__RESOURCE_TASK) {
		const char *kind = cachet__enum_name(&cachet__resource_type_enum, id->resource_type);
		if (kind != NULL)
			return cachet__error(CACHET_EINVALID, "%s: names a %s, not a task", where,
					     kind);
		return cachet__error(CACHET_EINVALID, "%s: names resource type %d, not a task",
				     where, (int)id->resource_type);
	}
	const char *empty = id->project == NULL || *id->project == '\0' ? "project"
			    : id->domain == NULL || *id->domain == '\0' ? "domain"
			    : id->name == NULL || *id->name == '\0'	? "name"
									: NULL;
	if (empty != NULL)
		return cachet__error(CACHET_EINVALID, "%s: the task's %s is empty", where, empty);

	/* without metadata, no cache version: "" */
	char *no_version = NULL;
	char **cache_version = md != NULL ? &md->discovery_version : &no_version;
	if ((rc = take_string(&out->project, &id->project)) < 0 ||
	    (rc = take_string(&out->domain, &id->domain)) < 0 ||
	    (rc = take_string(&out->name, &id->name)) < 0 ||
	    (rc = take_string(&out->version, &id->version)) < 0 ||
	    (rc = take_string(&out->cache_version, cache_version)) < 0)
		return rc;
	if (md != NULL) {
		out->ignore = md->cache_ignore_input_vars;
		out->n_ignore = md->n_cache_ignore_input_vars;
		md->cache_ignore_input_vars = NULL;
		md->n_cache_ignore_input_vars = 0;
		out->discoverable = md->discoverable;
		out->serializable = md->cache_serializable;
	}
	out->iface = t->interface;
	t->interface = NULL;
	return 0;
}

static int decode_task(cachet_task_file *out, const void *data, size_t len, cachet_format format,
		       cachet_task_message message)
{
	void *msg = NULL;
	int rc;

	if (message == CACHET_TASK_DETECT && format == CACHET_FORMAT_JSON) {
		/* a TaskSpec read openly skips every member of a TaskTemplate */
		if ((rc = decode_as(&cachet__task_spec_desc, &msg, data, len, format)) < 0)
			return rc;
		cachet__task_spec *spec = msg;
		message = spec->template != NULL ? CACHET_TASK_SPEC : CACHET_TASK_TEMPLATE;
		if (message == CACHET_TASK_TEMPLATE) {
			cachet__message_free(&cachet__task_spec_desc, msg);
			msg = NULL;
		}
	} else if (message == CACHET_TASK_DETECT &&
		   (rc = detect_pb(&message, data, len)) < 0) {
		return rc;
	}

	out->message = message;
	if (message == CACHET_TASK_SPEC) {
		if (msg == NULL &&
		    (rc = decode_as(&cachet__task_spec_desc, &msg, data, len, format)) < 0)
			return rc;
		cachet__task_spec *spec = msg;
		rc = spec->template == NULL
			     ? cachet__error(CACHET_EINVALID,
					     "template is missing: a TaskSpec holds the task there")
			     : take_template(out, spec->template, "template.id");
		cachet__message_free(&cachet__task_spec_desc, msg);
		return rc;
	}
	if ((rc = decode_as(&cachet__task_template_desc, &msg, data, len, format)) < 0)
		return rc;
	rc = take_template(out, msg, "id");
	cachet__message_free(&cachet__task_template_desc, msg);
	return rc;
}

int cachet_task_file_decode(cachet_task_file *out, const void *data, size_t len,
			    cachet_format format, cachet_task_message message)
{
	int rc;

	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "no task file to decode into");
	memset(out, 0, sizeof *out);
	if (data == NULL && len > 0)
		return cachet__error(CACHET_EINVALID, "no input data");
	if (message != CACHET_TASK_DETECT && message != CACHET_TASK_TEMPLATE &&
	    message != CACHET_TASK_SPEC)
		return cachet__error(CACHET_EINVALID, "unknown task message %d", (int)message);
	if (format != CACHET_FORMAT_AUTO && format != CACHET_FORMAT_PB &&
	    format != CACHET_FORMAT_JSON)
		return cachet__error(CACHET_EINVALID, "unknown format %d", (int)format);
	if (cachet__input_check(len) < 0)
		return cachet__error_prefix("cannot decode %zu bytes", len);
	if (format == CACHET_FORMAT_AUTO)
		format = cachet_format_detect(data, len);
	if ((rc = decode_task(out, data, len, format, message)) < 0)
		cachet_task_file_dispose(out);
	return rc;
}

void cachet_task_file_dispose(cachet_task_file *task)
{
	if (task == NULL)
		return;
	cachet_str_free(task->project);
	cachet_str_free(task->domain);
	cachet_str_free(task->name);
	cachet_str_free(task->version);
	cachet_str_free(task->cache_version);
	for (size_t i = 0; i < task->n_ignore; i++)
		cachet_str_free(task->ignore[i]);
	cachet__free(task->ignore);
	cachet_interface_free(task->iface);
	memset(task, 0, sizeof *task);
}
