/*
 * The type algebra of the value layer: naming types and values, whether a
 * value fits a type (and that the catalog's interface check answers the
 * same), compatibility, data kinds and the URI walker. Values and types are
 * written as protobuf JSON, so the cases read as Flyte would send them;
 * every expected answer is written by hand.
 */
#include "test_helpers.h"

#include "cachet/codec.h"
#include "cachet/value.h"
#include "catalog/internal.h"

static cachet_literal *lit_json(const char *json)
{
	cachet_literal *lit = NULL;
	assert_int_equal(cachet_literal_decode(&lit, json, strlen(json), CACHET_FORMAT_JSON), 0);
	return lit;
}

static cachet_literal_type *type_json(const char *json)
{
	cachet_literal_type *t = NULL;
	assert_int_equal(cachet_literal_type_decode(&t, json, strlen(json), CACHET_FORMAT_JSON), 0);
	return t;
}

/* ---------------------------------------------------------------------- */

#define INT "{\"scalar\":{\"primitive\":{\"integer\":\"1\"}}}"
#define STR(s) "{\"scalar\":{\"primitive\":{\"stringValue\":\"" s "\"}}}"
#define BOOL "{\"scalar\":{\"primitive\":{\"boolean\":true}}}"
#define FLOAT "{\"scalar\":{\"primitive\":{\"floatValue\":0.5}}}"
#define NONE "{\"scalar\":{\"noneType\":{}}}"
/* {"x": 1} as MessagePack: 0x81 0xa1 'x' 0x01 */
#define BINARY(tag) "{\"scalar\":{\"binary\":{\"value\":\"gaF4AQ==\"" tag "}}}"
#define MSGPACK BINARY(",\"tag\":\"msgpack\"")
#define GENERIC "{\"scalar\":{\"generic\":{\"x\":1}}}"
#define ERROR_LIT "{\"scalar\":{\"error\":{\"failedNodeId\":\"n\",\"message\":\"m\"}}}"
#define BLOB(fmt, dim)                                                                     \
	"{\"scalar\":{\"blob\":{\"metadata\":{\"type\":{\"format\":\"" fmt                  \
	"\",\"dimensionality\":\"" dim "\"}},\"uri\":\"s3://b/f\"}}}"
#define DATASET(fmt)                                                                       \
	"{\"scalar\":{\"structuredDataset\":{\"uri\":\"s3://b/d\",\"metadata\":"          \
	"{\"structuredDatasetType\":{\"format\":\"" fmt "\"}}}}}"
#define LIST2(a, b) "{\"collection\":{\"literals\":[" a "," b "]}}"
#define MAP1(k, v) "{\"map\":{\"literals\":{\"" k "\":" v "}}}"
#define UNION_OF(v, t) "{\"scalar\":{\"union\":{\"value\":" v ",\"type\":" t "}}}"
#define OFFLOADED(inferred)                                                                \
	"{\"offloadedMetadata\":{\"uri\":\"s3://b/o\",\"sizeBytes\":\"9\"" inferred "}}"

#define T_SIMPLE(s) "{\"simple\":\"" s "\"}"
#define T_FILE(fmt) "{\"blob\":{\"format\":\"" fmt "\",\"dimensionality\":\"SINGLE\"}}"
#define T_DIR "{\"blob\":{\"dimensionality\":\"MULTIPART\"}}"
#define T_DATASET(fmt) "{\"structuredDatasetType\":{\"format\":\"" fmt "\"}}"
#define T_ENUM_AB "{\"enumType\":{\"values\":[\"a\",\"b\"]}}"
#define T_LIST(t) "{\"collectionType\":" t "}"
#define T_MAP(t) "{\"mapValueType\":" t "}"
#define T_UNION2(a, b) "{\"unionType\":{\"variants\":[" a "," b "]}}"

static const struct fit_case {
	const char *lit, *type;
	bool fits;
	const char *why; /* the reason when it does not fit */
} fit_cases[] = {
	/* A struct is a protobuf Struct or MessagePack bytes; all other
	 * bytes are binary, never a struct (as Flyte infers a Binary's type
	 * from its tag). */
	{GENERIC, T_SIMPLE("STRUCT"), true, NULL},
	{MSGPACK, T_SIMPLE("STRUCT"), true, NULL},
	{BINARY(""), T_SIMPLE("STRUCT"), false, "binary is not of type struct"},
	{BINARY(",\"tag\":\"png\""), T_SIMPLE("STRUCT"), false, "binary is not of type struct"},
	{BINARY(""), T_SIMPLE("BINARY"), true, NULL},
	{BINARY(",\"tag\":\"png\""), T_SIMPLE("BINARY"), true, NULL},
	{MSGPACK, T_SIMPLE("BINARY"), false, "a struct is not of type binary"},
	{GENERIC, T_SIMPLE("BINARY"), false, "a struct is not of type binary"},

	/* simple types */
	{INT, T_SIMPLE("INTEGER"), true, NULL},
	{STR("1"), T_SIMPLE("INTEGER"), false, "a str is not of type int"},
	{INT, T_SIMPLE("FLOAT"), false, "an int is not of type float"},
	{BOOL, T_SIMPLE("BOOLEAN"), true, NULL},
	{NONE, T_SIMPLE("NONE"), true, NULL},
	{INT, T_SIMPLE("NONE"), false, "an int is not of type none"},
	{ERROR_LIT, T_SIMPLE("ERROR"), true, NULL},
	{LIST2(INT, INT), T_SIMPLE("INTEGER"), false, "a list is not of type int"},
	/* what is not judged: no type, and a simple type this version lacks */
	{STR("x"), "{}", true, NULL},
	{STR("x"), "{\"simple\":99}", true, NULL},

	/* files and directories: dimensionality, and formats that agree */
	{BLOB("csv", "SINGLE"), T_FILE("csv"), true, NULL},
	{BLOB("", "SINGLE"), T_FILE("csv"), true, NULL},
	{BLOB("csv", "SINGLE"), T_FILE(""), true, NULL},
	{BLOB("csv", "SINGLE"), T_FILE("parquet"), false,
	 "a file of format 'csv' is not of format 'parquet'"},
	{BLOB("", "SINGLE"), T_DIR, false, "a file is not of type directory"},
	{BLOB("", "MULTIPART"), T_DIR, true, NULL},
	{BLOB("zip", "MULTIPART"), "{\"blob\":{\"format\":\"tar\",\"dimensionality\":\"MULTIPART\"}}",
	 false, "a directory of format 'zip' is not of format 'tar'"},
	{BLOB("csv", "SINGLE"), T_DATASET("csv"), false, "a file is not of type dataset(csv)"},

	/* datasets */
	{DATASET("csv"), T_DATASET("csv"), true, NULL},
	{DATASET("csv"), T_DATASET(""), true, NULL},
	{DATASET("csv"), T_DATASET("parquet"), false,
	 "a dataset of format 'csv' is not of format 'parquet'"},

	/* enums: a string among the values */
	{STR("a"), T_ENUM_AB, true, NULL},
	{STR("c"), T_ENUM_AB, false, "'c' is not one of the enum's values"},
	{INT, T_ENUM_AB, false, "an int is not of type enum(a|b)"},

	/* lists and maps, element by element */
	{LIST2(INT, INT), T_LIST(T_SIMPLE("INTEGER")), true, NULL},
	{LIST2(INT, BOOL), T_LIST(T_SIMPLE("INTEGER")), false, "a bool is not of type int"},
	{MAP1("a", FLOAT), T_MAP(T_SIMPLE("FLOAT")), true, NULL},
	{MAP1("a", INT), T_MAP(T_SIMPLE("FLOAT")), false, "an int is not of type float"},
	{MAP1("a", FLOAT), T_LIST(T_SIMPLE("FLOAT")), false, "a map is not of type list of float"},

	/* unions: what one variant accepts; a Union value by its value */
	{NONE, T_UNION2(T_SIMPLE("INTEGER"), T_SIMPLE("NONE")), true, NULL},
	{STR("x"), T_UNION2(T_SIMPLE("INTEGER"), T_SIMPLE("NONE")), false,
	 "a str is not of type union(int|none)"},
	{LIST2(INT, INT), T_UNION2(T_LIST(T_SIMPLE("INTEGER")), T_SIMPLE("NONE")), true, NULL},
	{LIST2(INT, INT), T_UNION2(T_SIMPLE("INTEGER"), T_SIMPLE("NONE")), false,
	 "a list fits no variant of the union"},
	{UNION_OF(INT, T_SIMPLE("INTEGER")), T_SIMPLE("INTEGER"), true, NULL},
	{UNION_OF(INT, T_SIMPLE("INTEGER")), T_SIMPLE("STRING"), false,
	 "an int is not of type str"},
	{UNION_OF(INT, T_SIMPLE("INTEGER")), T_UNION2(T_SIMPLE("INTEGER"), T_SIMPLE("NONE")), true,
	 NULL},

	/* offloaded values: by the type they declare, on trust without one */
	{OFFLOADED(",\"inferredType\":" T_SIMPLE("INTEGER")), T_SIMPLE("INTEGER"), true, NULL},
	{OFFLOADED(",\"inferredType\":" T_SIMPLE("INTEGER")), T_SIMPLE("STRING"), false,
	 "an offloaded int is not of type str"},
	{OFFLOADED(""), T_SIMPLE("STRING"), true, NULL},
};

/* The catalog's interface check, on one output "o" of that type. */
static int catalog_check(const cachet_literal *lit, const cachet_literal_type *type)
{
	cachet_interface *iface = NULL;
	cachet_literal_map *outputs = NULL;
	cachet_literal_type *t = NULL;
	cachet_literal *l = NULL;
	int rc;

	assert_int_equal(cachet_interface_new(&iface), 0);
	assert_int_equal(cachet_literal_type_copy(&t, type), 0);
	assert_int_equal(cachet_interface_add(iface, true, "o", t, NULL), 0);
	assert_int_equal(cachet_literal_map_new(&outputs), 0);
	assert_int_equal(cachet_literal_copy(&l, lit), 0);
	assert_int_equal(cachet_literal_map_set(outputs, "o", l), 0);
	rc = cachet__outputs_check(outputs, iface->outputs);
	cachet_literal_map_free(outputs);
	cachet_interface_free(iface);
	return rc;
}

static void fits_and_the_catalog_agree(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof fit_cases / sizeof fit_cases[0]; i++) {
		const struct fit_case *c = &fit_cases[i];
		cachet_literal *lit = lit_json(c->lit);
		cachet_literal_type *type = type_json(c->type);
		char *why = NULL, want[512];

		print_message("case %zu: %s as %s\n", i, c->lit, c->type);
		assert_int_equal(cachet_literal_fits(lit, type, &why), c->fits);
		if (c->fits) {
			assert_null(why);
			assert_int_equal(catalog_check(lit, type), 0);
		} else {
			assert_non_null(why);
			assert_string_equal(why, c->why);
			snprintf(want, sizeof want, "output 'o': %s", c->why);
			assert_cachet_error(catalog_check(lit, type), CACHET_EINVALID, want);
		}
		/* without a place for the reason, the same answer */
		assert_int_equal(cachet_literal_fits(lit, type, NULL), c->fits);
		cachet_free(why);
		cachet_literal_free(lit);
		cachet_literal_type_free(type);
	}
}

static void nothing_fits_only_an_absent_type(void **state)
{
	cachet_literal_type *t = type_json(T_SIMPLE("INTEGER"));
	char *why = NULL;

	(void)state;
	assert_false(cachet_literal_fits(NULL, t, &why));
	assert_string_equal(why, "nothing is not of type int");
	cachet_free(why);
	assert_true(cachet_literal_fits(NULL, NULL, NULL));
	cachet_literal_type_free(t);
}

/* ---------------------------------------------------------------------- */

static void types_are_named_as_workflow_files_spell_them(void **state)
{
	static const struct {
		const char *type, *name;
	} cases[] = {
		{T_SIMPLE("INTEGER"), "int"},
		{T_SIMPLE("STRING"), "str"},
		{T_SIMPLE("BOOLEAN"), "bool"},
		{T_SIMPLE("BINARY"), "binary"},
		{T_SIMPLE("STRUCT"), "struct"},
		{T_SIMPLE("ERROR"), "error"},
		{"{\"simple\":99}", "simple(99)"},
		{T_FILE("csv"), "file(csv)"},
		{T_DIR, "directory"},
		{"{\"blob\":{\"format\":\"zip\",\"dimensionality\":\"MULTIPART\"}}", "directory(zip)"},
		{T_DATASET(""), "dataset"},
		{"{\"schema\":{}}", "schema"},
		{T_MAP(T_LIST(T_DATASET("csv"))), "map of list of dataset(csv)"},
		{T_UNION2(T_ENUM_AB, T_SIMPLE("NONE")), "union(enum(a|b)|none)"},
		{"{}", "(unset type)"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cachet_literal_type *t = type_json(cases[i].type);
		char *name = NULL;
		assert_int_equal(cachet_literal_type_describe(&name, t), 0);
		assert_string_equal(name, cases[i].name);
		cachet_free(name);
		cachet_literal_type_free(t);
	}
	assert_cachet_error(cachet_literal_type_describe(NULL, NULL), CACHET_EINVALID,
			    "cachet_literal_type_describe: out is NULL");
}

static void values_are_named_with_the_same_words(void **state)
{
	static const struct {
		const char *lit, *name;
	} cases[] = {
		{INT, "an int"},
		{STR("x"), "a str"},
		{BOOL, "a bool"},
		{FLOAT, "a float"},
		{NONE, "none"},
		{BLOB("csv", "SINGLE"), "a file"},
		{BLOB("", "MULTIPART"), "a directory"},
		{DATASET("csv"), "a dataset"},
		{BINARY(""), "binary"},
		{MSGPACK, "a struct"},
		{GENERIC, "a struct"},
		{LIST2(INT, INT), "a list"},
		{MAP1("a", INT), "a map"},
		{OFFLOADED(""), "an offloaded value"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cachet_literal *lit = lit_json(cases[i].lit);
		assert_string_equal(cachet_literal_describe(lit), cases[i].name);
		cachet_literal_free(lit);
	}
	assert_string_equal(cachet_literal_describe(NULL), "nothing");
}

/* ---------------------------------------------------------------------- */

static void compatible_types(void **state)
{
	static const struct {
		const char *from, *to, *why; /* why NULL: compatible */
	} cases[] = {
		{T_SIMPLE("STRUCT"), T_SIMPLE("STRUCT"), NULL},
		{T_SIMPLE("BINARY"), T_SIMPLE("STRUCT"), "different types"},
		{T_FILE("csv"), T_FILE(""), NULL},
		{T_FILE("csv"), T_DIR, "a file is not a directory"},
		{T_LIST(T_FILE("csv")), T_LIST(T_FILE("tsv")), "format 'csv' does not match 'tsv'"},
		{T_UNION2(T_SIMPLE("INTEGER"), T_SIMPLE("NONE")),
		 T_UNION2(T_SIMPLE("NONE"), T_SIMPLE("INTEGER")), NULL},
		{T_UNION2(T_SIMPLE("INTEGER"), T_SIMPLE("STRING")),
		 T_UNION2(T_SIMPLE("NONE"), T_SIMPLE("INTEGER")),
		 "a variant of the union fits no variant of the input"},
		{"{\"enumType\":{\"values\":[\"a\"]}}", T_ENUM_AB, NULL},
		{T_ENUM_AB, "{\"enumType\":{\"values\":[\"a\"]}}", "enum value 'b' is not accepted"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cachet_literal_type *from = type_json(cases[i].from), *to = type_json(cases[i].to);
		char *why = NULL;
		assert_int_equal(cachet_literal_type_compatible(from, to, &why), cases[i].why == NULL);
		if (cases[i].why)
			assert_string_equal(why, cases[i].why);
		else
			assert_null(why);
		cachet_free(why);
		cachet_literal_type_free(from);
		cachet_literal_type_free(to);
	}
}

/* ---------------------------------------------------------------------- */

static void data_kinds_of_types_and_values(void **state)
{
	static const struct {
		const char *lit, *type;
		cachet_data_kind kind;
		const char *uri;
	} cases[] = {
		{INT, T_SIMPLE("INTEGER"), CACHET_DATA_NONE, NULL},
		{BLOB("csv", "SINGLE"), T_FILE("csv"), CACHET_DATA_FILE, "s3://b/f"},
		{BLOB("", "MULTIPART"), T_DIR, CACHET_DATA_DIRECTORY, "s3://b/f"},
		{DATASET("csv"), T_DATASET("csv"), CACHET_DATA_DATASET, "s3://b/d"},
		{UNION_OF(DATASET("csv"), T_DATASET("csv")), T_DATASET("csv"), CACHET_DATA_DATASET,
		 "s3://b/d"},
		/* a list holds data, but is none itself */
		{LIST2(DATASET("csv"), DATASET("csv")), T_LIST(T_DATASET("csv")), CACHET_DATA_NONE,
		 NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cachet_literal *lit = lit_json(cases[i].lit);
		cachet_literal_type *t = type_json(cases[i].type);
		assert_int_equal(cachet_literal_data_kind(lit), cases[i].kind);
		assert_int_equal(cachet_literal_type_data_kind(t), cases[i].kind);
		if (cases[i].uri)
			assert_string_equal(cachet_literal_uri(lit), cases[i].uri);
		else
			assert_null(cachet_literal_uri(lit));
		cachet_literal_free(lit);
		cachet_literal_type_free(t);
	}
	assert_int_equal(cachet_literal_data_kind(NULL), CACHET_DATA_NONE);
	assert_int_equal(cachet_literal_type_data_kind(NULL), CACHET_DATA_NONE);
	assert_null(cachet_literal_uri(NULL));
}

typedef struct seen {
	char uris[8][32];
	size_t n, stop_at; /* stop after this many (0: never) */
} seen;

static int collect(char **uri, void *payload)
{
	seen *s = payload;

	assert_true(s->n < 8);
	snprintf(s->uris[s->n++], sizeof s->uris[0], "%s", *uri);
	if (!strcmp(*uri, "s3://b/f")) {
		/* replace it, as the catalog does with a canonical spelling */
		cachet_str_free(*uri);
		*uri = cachet_str_dup("s3://b/g");
		assert_non_null(*uri);
	}
	return s->stop_at && s->n == s->stop_at ? 7 : 0;
}

static void each_uri_walks_every_depth_in_order(void **state)
{
	cachet_literal *lit = lit_json(
		MAP1("m", "{\"collection\":{\"literals\":[" BLOB("csv", "SINGLE") "," INT
			  "," UNION_OF(DATASET("csv"), T_DATASET("csv")) "," OFFLOADED("") ","
			  "{\"scalar\":{\"blob\":{\"uri\":\"\"}}}]}}"));
	seen s = {.n = 0};

	(void)state;
	assert_int_equal(cachet_literal_each_uri(lit, collect, &s), 0);
	assert_int_equal(s.n, 3); /* the empty URI is skipped, the int has none */
	assert_string_equal(s.uris[0], "s3://b/f");
	assert_string_equal(s.uris[1], "s3://b/d");
	assert_string_equal(s.uris[2], "s3://b/o");
	/* the replacement is in the value */
	assert_string_equal(
		cachet_literal_uri(cachet_literal_map_get(lit->map, "m")->collection->literals[0]),
		"s3://b/g");

	/* a positive answer stops the walk and comes back */
	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	assert_int_equal(cachet_literal_each_uri(lit, collect, &s), 7);
	assert_int_equal(s.n, 2);

	assert_cachet_error(cachet_literal_each_uri(lit, NULL, NULL), CACHET_EINVALID,
			    "cachet_literal_each_uri: fn is NULL");
	assert_int_equal(cachet_literal_each_uri(NULL, collect, &s), 0);
	cachet_literal_free(lit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fits_and_the_catalog_agree),
		cmocka_unit_test(nothing_fits_only_an_absent_type),
		cmocka_unit_test(types_are_named_as_workflow_files_spell_them),
		cmocka_unit_test(values_are_named_with_the_same_words),
		cmocka_unit_test(compatible_types),
		cmocka_unit_test(data_kinds_of_types_and_values),
		cmocka_unit_test(each_uri_walks_every_depth_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
