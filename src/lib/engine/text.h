/*
 * Values as text (text.c): a literal rendered as a command's argument,
 * and literal text quoted for a message.
 */
#ifndef CACHET_ENGINE_TEXT_H
#define CACHET_ENGINE_TEXT_H

#include "cachet/engine.h"

#include "util/buf.h"

typedef int (*path_fn)(cachet_buf *out, const cachet_literal *lit, void *payload);
int cachet__literal_render(cachet_buf *out, const cachet_literal *lit, path_fn fn, void *payload);

/* A literal text quoted for a message, shortened when long. */
void cachet__quote_text(char *out, size_t size, const char *text);

#endif
