/*
 * Pieces shared by the JSON decoder and encoder (codec/json_*.c) and by
 * nothing else.
 */
#ifndef CACHET_CODEC_JSON_INTERNAL_H
#define CACHET_CODEC_JSON_INTERNAL_H

#include "util/buf.h"
#include "value/schema.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Where a value sits in the document, for messages. A chain of frames on
 * the C stack, one per level, linked to the parent: nothing is allocated
 * unless an error has to be reported. The root has no frame (NULL).
 */
typedef struct cachet__json_path {
	const struct cachet__json_path *up;
	const char *name; /* field name or map key; NULL for an array element */
	size_t index;     /* array elements */
	size_t name_len;  /* of a map key, which may hold NUL; 0: strlen(name) */
} cachet__json_path;

/*
 * Append the frames from p up to (not including) stop, outermost first:
 * "literals.xs.collection.literals[2]". Very long paths keep their start and
 * end around "...", so that the message after them survives the error
 * buffer. Control characters in keys (NUL included) show as '?'.
 */
int cachet__json_path_render(cachet_buf *out, const cachet__json_path *p,
			     const cachet__json_path *stop);

/*
 * Append s[0..len) as a JSON string literal, escaped as RFC 8259 asks and
 * as Go's protojson does: \" \\ \b \f \n \r \t, other control characters as
 * \u00XX, everything else as is. s must be UTF-8: CACHET_EINVALID if not.
 */
int cachet__json_put_string(cachet_buf *out, const char *s, size_t len);

#endif
