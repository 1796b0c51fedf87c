#include "value/describe.h"

static const char *describe_scalar(const cachet_scalar *s)
{
	if (s == NULL)
		return "an empty scalar";
	switch (s->kind) {
	case CACHET_SCALAR_PRIMITIVE:
		switch (s->primitive->kind) {
		case CACHET_PRIMITIVE_INTEGER: return "an integer";
		case CACHET_PRIMITIVE_FLOAT: return "a float";
		case CACHET_PRIMITIVE_STRING: return "a string";
		case CACHET_PRIMITIVE_BOOLEAN: return "a boolean";
		case CACHET_PRIMITIVE_DATETIME: return "a datetime";
		case CACHET_PRIMITIVE_DURATION: return "a duration";
		default: return "an empty primitive";
		}
	case CACHET_SCALAR_BLOB: return "a blob";
	case CACHET_SCALAR_BINARY: return "binary data";
	case CACHET_SCALAR_SCHEMA: return "a schema";
	case CACHET_SCALAR_NONE: return "a none value";
	case CACHET_SCALAR_ERROR: return "an error";
	case CACHET_SCALAR_GENERIC: return "a struct";
	case CACHET_SCALAR_STRUCTURED_DATASET: return "a dataset";
	case CACHET_SCALAR_UNION: return "a union value";
	default: return "an empty scalar";
	}
}

const char *cachet__literal_describe(const cachet_literal *lit)
{
	if (lit == NULL)
		return "nothing";
	switch (lit->kind) {
	case CACHET_LITERAL_SCALAR: return describe_scalar(lit->scalar);
	case CACHET_LITERAL_COLLECTION: return "a collection";
	case CACHET_LITERAL_MAP: return "a map";
	case CACHET_LITERAL_OFFLOADED: return "an offloaded literal";
	default: return "an empty literal";
	}
}
