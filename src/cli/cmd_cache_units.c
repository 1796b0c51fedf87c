/*
 * What `cachet cache` reads and prints besides values: durations, sizes,
 * times, task names, and entries as JSON.
 */
#include "cmd_cache.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Read the digits at *p into *n; false when there are none or too many. */
static bool read_number(uint64_t *n, const char **p)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*n = v;
	*p = s;
	return true;
}

int cache_parse_duration(int64_t *ms, const char *text)
{
	static const struct {
		const char *name;
		int64_t ms;
	} units[] = {
		{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000},
		{"w", 604800000},
	};
	const char *p = text;
	uint64_t total = 0, n;

	if (!read_number(&n, &p))
		return -1;
	if (*p == '\0') { /* a bare number: seconds */
		if (n > (uint64_t)INT64_MAX / 1000)
			return -1;
		*ms = (int64_t)n * 1000;
		return 0;
	}
	for (;;) {
		size_t len = 0;
		size_t i;
		while (isalpha((unsigned char)p[len]))
			len++;
		for (i = 0; i < sizeof units / sizeof units[0]; i++)
			if (strlen(units[i].name) == len && strncmp(p, units[i].name, len) == 0)
				break;
		if (i == sizeof units / sizeof units[0])
			return -1;
		if (n > (uint64_t)INT64_MAX / (uint64_t)units[i].ms)
			return -1;
		n *= (uint64_t)units[i].ms;
		if (total > (uint64_t)INT64_MAX - n)
			return -1;
		total += n;
		p += len;
		if (*p == '\0')
			break;
		if (!read_number(&n, &p))
			return -1;
	}
	*ms = (int64_t)total;
	return 0;
}

int cache_parse_size(uint64_t *bytes, const char *text)
{
	static const char suffixes[] = "KMGT";
	const char *p = text;
	uint64_t n, mult = 1;

	if (!read_number(&n, &p))
		return -1;
	const char *s = *p ? strchr(suffixes, toupper((unsigned char)*p)) : NULL;
	if (s != NULL) {
		for (const char *q = suffixes; q <= s; q++)
			mult *= 1024;
		p++;
		if (strcmp(p, "iB") == 0)
			p += 2;
	}
	if (strcmp(p, "B") == 0)
		p++;
	if (*p != '\0' || n > UINT64_MAX / mult)
		return -1;
	*bytes = n * mult;
	return 0;
}

/* ms since the epoch as broken-down UTC time; false when out of range. */
static bool utc(struct tm *tm, int64_t ms)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	return gmtime_r(&t, tm) != NULL;
}

void cache_format_time(char out[32], int64_t ms)
{
	struct tm tm;

	if (ms == 0 || !utc(&tm, ms) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(out, "-");
}

json_t *cache_json_time(int64_t ms)
{
	struct tm tm;
	char text[40], date[32];

	if (ms == 0 || !utc(&tm, ms) || strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return json_null();
	int frac = (int)(((ms % 1000) + 1000) % 1000);
	snprintf(text, sizeof text, "%s.%03dZ", date, frac);
	return json_string(text);
}

void cache_format_size(char out[32], uint64_t bytes)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)bytes;
	size_t i = 0;

	if (bytes < 1024) {
		snprintf(out, 32, "%llu B", (unsigned long long)bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && i + 1 < sizeof units / sizeof units[0]) {
		v /= 1024;
		i++;
	}
	snprintf(out, 32, "%.1f %s", v, units[i]);
}

const char *cache_task_name(const char *dataset_name)
{
	static const char prefix[] = "flyte_task-";

	if (dataset_name == NULL)
		return "";
	if (strncmp(dataset_name, prefix, sizeof prefix - 1) == 0)
		return dataset_name + sizeof prefix - 1;
	return dataset_name;
}

bool cache_version_of(char *out, size_t cap, const char *dataset_version)
{
	/* "<cache version>-<in8>-<out8>": the last 18 characters are
	 * "-" + 8 + "-" + 8 (the hashes may hold '-' themselves). */
	size_t len = dataset_version ? strlen(dataset_version) : 0;

	if (len < 19 || dataset_version[len - 18] != '-' || dataset_version[len - 9] != '-' ||
	    len - 18 >= cap)
		return false;
	memcpy(out, dataset_version, len - 18);
	out[len - 18] = '\0';
	return true;
}

int cache_print_json(json_t *obj)
{
	/* 15 digits: enough for any ratio, and 0.4 prints as 0.4, not as
	 * the 17 digits that round-trip its double. */
	char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER |
						   JSON_REAL_PRECISION(15))
			 : NULL;

	json_decref(obj);
	if (text == NULL)
		return cli_error("cannot format the result as JSON");
	printf("%s\n", text);
	free(text);
	return CLI_OK;
}

json_t *cache_literal_map_json(const cachet_literal_map *map)
{
	char *text = NULL;
	size_t len = 0;

	if (cachet_literal_map_encode(&text, &len, map, CACHET_FORMAT_JSON, 0) < 0)
		return NULL;
	json_t *v = json_loadb(text, len, 0, NULL);
	cachet_free(text);
	return v;
}

/* A string for JSON: null for NULL (json_string would fail on it). */
static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *cache_entry_json(const cachet_catalog_entry *e, unsigned flags)
{
	json_t *obj = json_object();
	json_t *source = json_object();
	bool ok = obj && source;

	ok = ok && json_object_set_new(obj, "project", str_or_null(e->project)) == 0 &&
	     json_object_set_new(obj, "domain", str_or_null(e->domain)) == 0 &&
	     json_object_set_new(obj, "task", json_string(cache_task_name(e->name))) == 0 &&
	     json_object_set_new(obj, "name", str_or_null(e->name)) == 0 &&
	     json_object_set_new(obj, "version", str_or_null(e->version)) == 0 &&
	     json_object_set_new(obj, "task_version", str_or_null(e->task_version)) == 0 &&
	     json_object_set_new(obj, "tag", str_or_null(e->tag)) == 0 &&
	     json_object_set_new(obj, "artifact_id", str_or_null(e->artifact_id)) == 0 &&
	     json_object_set_new(obj, "created_at", cache_json_time(e->created_at_ms)) == 0 &&
	     json_object_set_new(obj, "last_hit_at", cache_json_time(e->last_hit_at_ms)) == 0 &&
	     json_object_set_new(obj, "hits", json_integer((json_int_t)e->hit_count)) == 0 &&
	     json_object_set_new(obj, "size_bytes", json_integer((json_int_t)e->size_bytes)) == 0;
	ok = ok && json_object_set_new(source, "exec_project", str_or_null(e->exec_project)) == 0 &&
	     json_object_set_new(source, "exec_domain", str_or_null(e->exec_domain)) == 0 &&
	     json_object_set_new(source, "execution_name", str_or_null(e->execution_name)) == 0 &&
	     json_object_set_new(source, "exec_node", str_or_null(e->exec_node)) == 0 &&
	     json_object_set_new(source, "exec_attempt", json_integer(e->exec_attempt)) == 0;
	ok = ok && json_object_set(obj, "source", source) == 0;
	if (ok && (flags & CACHET_ENTRY_INPUTS) && !e->inputs_recorded) {
		ok = json_object_set_new(obj, "inputs", json_null()) == 0; /* not recorded */
	} else if (ok && (flags & CACHET_ENTRY_INPUTS)) {
		json_t *inputs = json_object(); /* {} : no inputs */
		ok = inputs && json_object_set_new(obj, "inputs", inputs) == 0;
		for (size_t i = 0; ok && i < e->n_inputs; i++)
			ok = json_object_set_new(inputs, e->inputs[i].name,
						 json_string(e->inputs[i].hash)) == 0;
	}
	if (ok && e->outputs != NULL) {
		json_t *outputs = cache_literal_map_json(e->outputs);
		ok = outputs && json_object_set_new(obj, "outputs", outputs) == 0;
	}
	json_decref(source);
	if (!ok) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}
