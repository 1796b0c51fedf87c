/*
 * The public codec entry points (cachet/codec.h): pick the encoding, then
 * hand over to the generic wire or JSON codec with the right descriptor.
 */
#include "cachet/codec.h"

#include "codec/json.h"
#include "codec/wire.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/input.h"

cachet_format cachet_format_detect(const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		switch (p[i]) {
		case ' ':
		case '\t':
		case '\n':
		case '\r':
			continue;
		case '{':
			return CACHET_FORMAT_JSON;
		default:
			return CACHET_FORMAT_PB;
		}
	}
	return CACHET_FORMAT_PB;
}

static int decode(const cachet__message_desc *d, void **out, const void *data, size_t len,
		  cachet_format format)
{
	*out = NULL;
	if (data == NULL && len > 0)
		return cachet__error(CACHET_EINVALID, "no input data");
	if (cachet__input_check(len) < 0)
		return cachet__error_prefix("cannot decode %zu bytes", len);
	if (format == CACHET_FORMAT_AUTO)
		format = cachet_format_detect(data, len);
	switch (format) {
	case CACHET_FORMAT_PB:
		return cachet__wire_decode(d, out, data, len);
	case CACHET_FORMAT_JSON:
		return cachet__json_decode(d, out, data, len);
	default:
		return cachet__error(CACHET_EINVALID, "unknown format %d", (int)format);
	}
}

static int encode(const cachet__message_desc *d, char **out, size_t *len, const void *msg,
		  cachet_format format, unsigned flags)
{
	cachet_buf buf = CACHET_BUF_INIT;
	int rc;

	*out = NULL;
	*len = 0;
	if (msg == NULL)
		return cachet__error(CACHET_EINVALID, "nothing to encode");
	if (format == CACHET_FORMAT_PB)
		rc = cachet__wire_encode(d, msg, &buf);
	else if (format == CACHET_FORMAT_JSON)
		rc = cachet__json_encode(d, msg, flags, &buf);
	else
		rc = cachet__error(CACHET_EINVALID, "cannot encode to format %d", (int)format);
	if (rc == 0 && (*out = cachet__buf_detach(&buf, len)) == NULL)
		rc = CACHET_ENOMEM;
	cachet__buf_dispose(&buf);
	return rc;
}

int cachet_literal_map_decode(cachet_literal_map **out, const void *data, size_t len,
			      cachet_format format)
{
	return decode(&cachet__literal_map_desc, (void **)out, data, len, format);
}

int cachet_literal_decode(cachet_literal **out, const void *data, size_t len, cachet_format format)
{
	return decode(&cachet__literal_desc, (void **)out, data, len, format);
}

int cachet_literal_type_decode(cachet_literal_type **out, const void *data, size_t len,
			       cachet_format format)
{
	return decode(&cachet__literal_type_desc, (void **)out, data, len, format);
}

int cachet_interface_decode(cachet_interface **out, const void *data, size_t len,
			    cachet_format format)
{
	return decode(&cachet__interface_desc, (void **)out, data, len, format);
}

int cachet_literal_map_encode(char **out, size_t *len, const cachet_literal_map *map,
			      cachet_format format, unsigned flags)
{
	return encode(&cachet__literal_map_desc, out, len, map, format, flags);
}

int cachet_literal_encode(char **out, size_t *len, const cachet_literal *lit,
			  cachet_format format, unsigned flags)
{
	return encode(&cachet__literal_desc, out, len, lit, format, flags);
}

int cachet_literal_type_encode(char **out, size_t *len, const cachet_literal_type *type,
			       cachet_format format, unsigned flags)
{
	return encode(&cachet__literal_type_desc, out, len, type, format, flags);
}

int cachet_interface_encode(char **out, size_t *len, const cachet_interface *iface,
			    cachet_format format, unsigned flags)
{
	return encode(&cachet__interface_desc, out, len, iface, format, flags);
}

static int format_to_string(char **out, int rc, cachet_buf *buf)
{
	if (rc == 0 && (*out = cachet__buf_detach(buf, NULL)) == NULL)
		rc = CACHET_ENOMEM;
	cachet__buf_dispose(buf);
	return rc;
}

int cachet_timestamp_format(char **out, const cachet_timestamp *ts)
{
	cachet_buf buf = CACHET_BUF_INIT;

	*out = NULL;
	return format_to_string(out, cachet__timestamp_format(ts, &buf), &buf);
}

int cachet_duration_format(char **out, const cachet_duration *d)
{
	cachet_buf buf = CACHET_BUF_INIT;

	*out = NULL;
	return format_to_string(out, cachet__duration_format(d, &buf), &buf);
}
