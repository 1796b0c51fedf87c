/*
 * The workflow file's YAML tree and type syntax: nodes with their places,
 * every refused construct with a message naming file, line and column,
 * types in both forms, and allocation failures.
 *
 * Lines and columns in the expected messages are counted by hand from the
 * test inputs (1-based; a column counts characters).
 */
#include "test_helpers.h"

#include "util/alloc.h"
#include "workflow/types.h"
#include "workflow/yaml.h"

static cachet__yaml_tree *parse_ok(const char *text)
{
	cachet__yaml_tree *tree = NULL;
	int rc = cachet__yaml_parse(&tree, text, strlen(text), "t.yaml");
	if (rc != 0)
		fail_msg("parse failed: %s", cachet_error_last()->message);
	return tree;
}

static void expect_parse_error(const char *text, const char *message)
{
	cachet__yaml_tree *tree = (cachet__yaml_tree *)1;
	assert_cachet_error(cachet__yaml_parse(&tree, text, strlen(text), "t.yaml"),
			    CACHET_EINVALID, message);
	assert_null(tree);
}

/* The message starts with prefix (for libyaml's own wording after it). */
static void expect_parse_error_prefix(const char *text, const char *prefix)
{
	cachet__yaml_tree *tree = NULL;
	assert_int_equal(cachet__yaml_parse(&tree, text, strlen(text), "t.yaml"), CACHET_EINVALID);
	const char *msg = cachet_error_last()->message;
	if (strncmp(msg, prefix, strlen(prefix)) != 0)
		fail_msg("message '%s' does not start with '%s'", msg, prefix);
}

static void nodes_carry_their_places(void **state)
{
	(void)state;
	cachet__yaml_tree *tree = parse_ok("workflow: wf\n"
					   "nodes:\n"
					   "  foo:\n"
					   "    inputs: {a: 1, b: \"x y\"}\n"
					   "  bar: [1, 'two']\n"
					   "empty:\n");
	const cachet__yaml_node *root = cachet__yaml_root(tree);

	assert_int_equal(root->kind, CACHET__YAML_MAP);
	assert_int_equal(root->n_pairs, 3);
	assert_int_equal(root->line, 1);
	assert_int_equal(root->column, 1);

	const cachet__yaml_node *wf = cachet__yaml_get(root, "workflow");
	assert_true(cachet__yaml_is(wf, "wf"));
	assert_true(wf->plain);
	assert_int_equal(wf->line, 1);
	assert_int_equal(wf->column, 11);

	const cachet__yaml_node *nodes = cachet__yaml_get(root, "nodes");
	assert_int_equal(nodes->kind, CACHET__YAML_MAP);
	/* keys in document order */
	assert_true(cachet__yaml_is(nodes->pairs[0].key, "foo"));
	assert_true(cachet__yaml_is(nodes->pairs[1].key, "bar"));
	assert_int_equal(nodes->pairs[0].key->line, 3);
	assert_int_equal(nodes->pairs[0].key->column, 3);

	const cachet__yaml_node *inputs = cachet__yaml_get(nodes->pairs[0].value, "inputs");
	assert_int_equal(inputs->kind, CACHET__YAML_MAP);
	assert_int_equal(inputs->line, 4);
	assert_int_equal(inputs->column, 13);
	const cachet__yaml_node *b = cachet__yaml_get(inputs, "b");
	assert_true(cachet__yaml_is(b, "x y"));
	assert_false(b->plain);
	assert_int_equal(b->column, 23);

	const cachet__yaml_node *bar = nodes->pairs[1].value;
	assert_int_equal(bar->kind, CACHET__YAML_SEQ);
	assert_int_equal(bar->n_items, 2);
	assert_true(cachet__yaml_is(bar->items[0], "1"));
	assert_true(cachet__yaml_is(bar->items[1], "two"));
	assert_int_equal(bar->items[1]->column, 12);

	const cachet__yaml_node *empty = cachet__yaml_get(root, "empty");
	assert_true(cachet__yaml_is_null(empty));
	assert_string_equal(cachet__yaml_kind_name(empty), "nothing");
	assert_null(cachet__yaml_get(root, "missing"));
	assert_null(cachet__yaml_get(wf, "x")); /* not a mapping */
	assert_string_equal(cachet__yaml_name(tree), "t.yaml");
	cachet__yaml_tree_free(tree);
}

static void scalars_stay_text(void **state)
{
	(void)state;
	cachet__yaml_tree *tree = parse_ok("- no\n- 012\n- ~\n- null\n- 'null'\n- \"\"\n- 1.10\n");
	const cachet__yaml_node *seq = cachet__yaml_root(tree);

	assert_true(cachet__yaml_is(seq->items[0], "no"));
	assert_true(cachet__yaml_is(seq->items[1], "012"));
	assert_true(cachet__yaml_is_null(seq->items[2]));
	assert_true(cachet__yaml_is_null(seq->items[3]));
	assert_false(cachet__yaml_is_null(seq->items[4])); /* quoted: the string "null" */
	assert_false(cachet__yaml_is_null(seq->items[5])); /* quoted empty string */
	assert_int_equal(seq->items[5]->len, 0);
	assert_true(cachet__yaml_is(seq->items[6], "1.10"));
	assert_string_equal(cachet__yaml_kind_name(seq), "a sequence");
	assert_string_equal(cachet__yaml_kind_name(seq->items[0]), "a string");
	cachet__yaml_tree_free(tree);
}

/* "[]" and "{}" close before any child was kept (nothing pending yet:
 * clang's UBSan once caught arithmetic on that NULL). */
static void empty_containers_before_any_child(void **state)
{
	(void)state;
	cachet__yaml_tree *tree = parse_ok("[]");
	const cachet__yaml_node *root = cachet__yaml_root(tree);
	assert_int_equal(root->kind, CACHET__YAML_SEQ);
	assert_int_equal(root->n_items, 0);
	assert_null(root->items);
	cachet__yaml_tree_free(tree);

	tree = parse_ok("{}");
	root = cachet__yaml_root(tree);
	assert_int_equal(root->kind, CACHET__YAML_MAP);
	assert_int_equal(root->n_pairs, 0);
	assert_null(root->pairs);
	cachet__yaml_tree_free(tree);

	tree = parse_ok("[[], {}]");
	root = cachet__yaml_root(tree);
	assert_int_equal(root->n_items, 2);
	assert_int_equal(root->items[0]->n_items, 0);
	assert_int_equal(root->items[1]->n_pairs, 0);
	cachet__yaml_tree_free(tree);
}

static void empty_documents_have_no_root(void **state)
{
	(void)state;
	cachet__yaml_tree *tree = parse_ok("");
	assert_null(cachet__yaml_root(tree));
	cachet__yaml_tree_free(tree);
	tree = parse_ok("# only a comment\n");
	assert_null(cachet__yaml_root(tree));
	cachet__yaml_tree_free(tree);
	cachet__yaml_tree_free(NULL);
}

static void refused_constructs_name_their_place(void **state)
{
	(void)state;
	expect_parse_error("a: 1\nb: 2\na: 3\n",
			   "t.yaml:3:1: duplicate key 'a' (first at line 1, column 1)");
	expect_parse_error("x: {k: 1, k: 2}\n",
			   "t.yaml:1:11: duplicate key 'k' (first at line 1, column 5)");
	expect_parse_error("a: &anchor 1\n", "t.yaml:1:4: anchors (&anchor) are not supported");
	expect_parse_error("a: 1\nb: *x\n",
			   "t.yaml:2:4: aliases (*x) are not supported: write the value out");
	expect_parse_error("a: !!int 3\n",
			   "t.yaml:1:4: tags (tag:yaml.org,2002:int) are not supported: types come "
			   "from the declarations");
	expect_parse_error("? [1, 2]\n: x\n",
			   "t.yaml:1:3: a mapping key must be a string, not a sequence");
	expect_parse_error("a: {{inputs.a}}\n",
			   "t.yaml:1:5: a mapping key must be a string, not a mapping (YAML reads an "
			   "unquoted {{...}} as a mapping: put it in quotes, \"{{inputs.a}}\")");
	expect_parse_error("a: 1\n---\nb: 2\n",
			   "t.yaml:2:1: a workflow file holds one YAML document, this is a second");
	/* the file's name is text, never a format */
	{
		cachet__yaml_tree *tree = NULL;
		const char *text = "a: &x 1\n";
		assert_cachet_error(cachet__yaml_parse(&tree, text, strlen(text), "w%s%n.yaml"),
				    CACHET_EINVALID, "w%s%n.yaml:1:4: anchors (&x) are not supported");
	}
	/* a key is a name: "a\0b" must not become "a" */
	expect_parse_error("x:\n  \"a\\0b\": 1\n",
			   "t.yaml:2:3: a mapping key cannot contain a NUL character");
}

static void syntax_errors_name_their_place(void **state)
{
	(void)state;
	/* "b: c" after "a: " on one line: the second ':' is at column 5 */
	expect_parse_error_prefix("a: b: c\n", "t.yaml:1:5: invalid YAML: ");
	/* a tab cannot indent: line 2, column 1 */
	expect_parse_error_prefix("a:\n\tb: 1\n", "t.yaml:2:1: invalid YAML: ");
	/* the unclosed flow sequence is found at the end of the input */
	expect_parse_error_prefix("a: [1, 2\n", "t.yaml:2:1: invalid YAML: ");
	/* invalid UTF-8 (a lone continuation byte) on line 2 after "b: " */
	expect_parse_error_prefix("a: 1\nb: \x80\n", "t.yaml:2:4: invalid YAML: ");
}

static void duplicates_in_big_mappings(void **state)
{
	(void)state;
	/* more than 16 keys: found by sorting, reported at the first repeat in
	 * document order (k5 on line 21) even though k20 repeats too */
	char text[1024] = "";
	for (int i = 0; i < 20; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "k%d: %d\n", i, i);
	strcat(text, "k5: again\nk19: again\n");
	expect_parse_error(text, "t.yaml:21:1: duplicate key 'k5' (first at line 6, column 1)");

	/* three times the same key: the second one is reported */
	text[0] = '\0';
	for (int i = 0; i < 20; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "k%d: %d\n", i, i);
	strcat(text, "k3: 2\nk3: 3\n");
	expect_parse_error(text, "t.yaml:21:1: duplicate key 'k3' (first at line 4, column 1)");

	/* and a big mapping without duplicates is fine */
	text[0] = '\0';
	for (int i = 0; i < 40; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "k%d: %d\n", i, i);
	cachet__yaml_tree *tree = parse_ok(text);
	assert_int_equal(cachet__yaml_root(tree)->n_pairs, 40);
	cachet__yaml_tree_free(tree);
}

static void nesting_is_bounded(void **state)
{
	(void)state;
	char text[512] = "";
	for (int i = 0; i < CACHET__YAML_MAX_DEPTH; i++)
		strcat(text, "[");
	cachet__yaml_tree *tree = NULL;
	/* 64 levels open; the 65th '[' is refused at column 65 */
	strcat(text, "[]");
	for (int i = 0; i < CACHET__YAML_MAX_DEPTH; i++)
		strcat(text, "]");
	assert_cachet_error(cachet__yaml_parse(&tree, text, strlen(text), "t.yaml"),
			    CACHET_EINVALID, "t.yaml:1:65: nested deeper than 64 levels");
	/* exactly 64 levels are fine */
	text[0] = '\0';
	for (int i = 0; i < CACHET__YAML_MAX_DEPTH; i++)
		strcat(text, "[");
	for (int i = 0; i < CACHET__YAML_MAX_DEPTH; i++)
		strcat(text, "]");
	tree = parse_ok(text);
	cachet__yaml_tree_free(tree);
}

static void big_scalars_and_many_nodes(void **state)
{
	(void)state;
	/* a scalar bigger than an arena chunk, then more small nodes after it */
	size_t big = 100 * 1024;
	char *text = malloc(big + 64);
	assert_non_null(text);
	strcpy(text, "big: ");
	memset(text + 5, 'x', big);
	strcpy(text + 5 + big, "\nsmall: 1\n");
	cachet__yaml_tree *tree = parse_ok(text);
	assert_int_equal(cachet__yaml_get(cachet__yaml_root(tree), "big")->len, big);
	assert_true(cachet__yaml_is(cachet__yaml_get(cachet__yaml_root(tree), "small"), "1"));
	cachet__yaml_tree_free(tree);
	free(text);
}

/* ---- types ---- */

static cachet_literal_type *type_of(const char *yaml)
{
	cachet__yaml_tree *tree = parse_ok(yaml);
	cachet_literal_type *t = NULL;
	int rc = cachet__wf_type_parse(&t, "t.yaml", cachet__yaml_root(tree));
	if (rc != 0)
		fail_msg("type '%s': %s", yaml, cachet_error_last()->message);
	cachet__yaml_tree_free(tree);
	return t;
}

static void expect_type_error(const char *yaml, const char *message)
{
	cachet__yaml_tree *tree = parse_ok(yaml);
	cachet_literal_type *t = (cachet_literal_type *)1;
	const cachet__yaml_node *n = cachet__yaml_root(tree);
	if (cachet__yaml_get(n, "x") != NULL)
		n = cachet__yaml_get(n, "x"); /* "x: TYPE" puts the type off column 1 */
	assert_cachet_error(cachet__wf_type_parse(&t, "t.yaml", n),
			    CACHET_EINVALID, message);
	assert_null(t);
	cachet__yaml_tree_free(tree);
}

static void expect_type(const char *yaml, cachet_literal_type *want)
{
	assert_non_null(want);
	cachet_literal_type *got = type_of(yaml);
	if (!cachet_literal_type_equal(got, want))
		fail_msg("type '%s' is not the expected one", yaml);
	cachet_literal_type_free(got);
	cachet_literal_type_free(want);
}

static void simple_and_offloaded_types(void **state)
{
	(void)state;
	expect_type("int", cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER));
	expect_type("integer", cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER));
	expect_type("float", cachet_literal_type_new_simple(CACHET_SIMPLE_FLOAT));
	expect_type("str", cachet_literal_type_new_simple(CACHET_SIMPLE_STRING));
	expect_type("string", cachet_literal_type_new_simple(CACHET_SIMPLE_STRING));
	expect_type("bool", cachet_literal_type_new_simple(CACHET_SIMPLE_BOOLEAN));
	expect_type("boolean", cachet_literal_type_new_simple(CACHET_SIMPLE_BOOLEAN));
	expect_type("datetime", cachet_literal_type_new_simple(CACHET_SIMPLE_DATETIME));
	expect_type("duration", cachet_literal_type_new_simple(CACHET_SIMPLE_DURATION));
	expect_type("none", cachet_literal_type_new_simple(CACHET_SIMPLE_NONE));
	expect_type("file", cachet_literal_type_new_blob("", CACHET_BLOB_SINGLE));
	expect_type("file(csv)", cachet_literal_type_new_blob("csv", CACHET_BLOB_SINGLE));
	expect_type("file[csv]", cachet_literal_type_new_blob("csv", CACHET_BLOB_SINGLE));
	expect_type("directory", cachet_literal_type_new_blob(NULL, CACHET_BLOB_MULTIPART));
	expect_type("directory( images )",
		    cachet_literal_type_new_blob("images", CACHET_BLOB_MULTIPART));
	expect_type("dataset", cachet_literal_type_new_dataset(""));
	expect_type("dataset(parquet)", cachet_literal_type_new_dataset("parquet"));
	expect_type("{file: csv}", cachet_literal_type_new_blob("csv", CACHET_BLOB_SINGLE));
	expect_type("{directory: }", cachet_literal_type_new_blob("", CACHET_BLOB_MULTIPART));
	expect_type("{dataset: csv}", cachet_literal_type_new_dataset("csv"));
	/* in a flow mapping, parentheses need no quotes (brackets would) */
	cachet__yaml_tree *tree = parse_ok("{x: dataset(csv), y: list of file(csv)}");
	cachet_literal_type *t = NULL, *want = cachet_literal_type_new_dataset("csv");
	assert_int_equal(cachet__wf_type_parse(&t, "t.yaml",
					       cachet__yaml_get(cachet__yaml_root(tree), "x")),
			 0);
	assert_true(cachet_literal_type_equal(t, want));
	cachet_literal_type_free(t);
	cachet_literal_type_free(want);
	cachet__yaml_tree_free(tree);
}

static void nested_types(void **state)
{
	(void)state;
	expect_type("list of int", cachet_literal_type_new_collection(
					   cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER)));
	expect_type("'list[int]'", cachet_literal_type_new_collection(
					   cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER)));
	expect_type("map of list of dataset(csv)",
		    cachet_literal_type_new_map(cachet_literal_type_new_collection(
			    cachet_literal_type_new_dataset("csv"))));
	expect_type("map( list[dataset(csv)] )",
		    cachet_literal_type_new_map(cachet_literal_type_new_collection(
			    cachet_literal_type_new_dataset("csv"))));
	expect_type("{list: {map: str}}",
		    cachet_literal_type_new_collection(cachet_literal_type_new_map(
			    cachet_literal_type_new_simple(CACHET_SIMPLE_STRING))));

	/* unions: every form gives the same variants in order */
	cachet_literal_type *u = type_of("union(int|none)");
	assert_int_equal(u->kind, CACHET_TYPE_UNION);
	assert_int_equal(u->union_type->n_variants, 2);
	assert_int_equal(u->union_type->variants[0]->simple, CACHET_SIMPLE_INTEGER);
	assert_int_equal(u->union_type->variants[1]->simple, CACHET_SIMPLE_NONE);
	const char *same_unions[] = {"{union: [integer, none]}", "'union[ int | none ]'"};
	for (size_t i = 0; i < 2; i++) {
		cachet_literal_type *u2 = type_of(same_unions[i]);
		assert_true(cachet_literal_type_equal(u, u2));
		cachet_literal_type_free(u2);
	}
	cachet_literal_type_free(u);
	/* "list of" takes one type, so it nests inside a union */
	u = type_of("union(list of int|none)");
	assert_int_equal(u->union_type->variants[0]->kind, CACHET_TYPE_COLLECTION);
	cachet_literal_type_free(u);

	cachet_literal_type *e = type_of("{enum: [red, green]}");
	assert_int_equal(e->kind, CACHET_TYPE_ENUM);
	assert_int_equal(e->enum_type->n_values, 2);
	assert_string_equal(e->enum_type->values[0], "red");
	assert_string_equal(e->enum_type->values[1], "green");
	cachet_literal_type *e2 = type_of("enum( red | green )");
	assert_true(cachet_literal_type_equal(e, e2));
	cachet_literal_type_free(e2);
	cachet_literal_type_free(e);

	/* dataset columns keep the document's order */
	cachet_literal_type *d = type_of("dataset: parquet\ncolumns:\n  z: int\n  a: "
					 "list of float\n");
	const cachet_structured_dataset_type *sdt = d->structured_dataset_type;
	assert_string_equal(sdt->format, "parquet");
	assert_int_equal(sdt->n_columns, 2);
	assert_string_equal(sdt->columns[0]->name, "z");
	assert_int_equal(sdt->columns[0]->literal_type->simple, CACHET_SIMPLE_INTEGER);
	assert_string_equal(sdt->columns[1]->name, "a");
	assert_int_equal(sdt->columns[1]->literal_type->kind, CACHET_TYPE_COLLECTION);
	cachet_literal_type_free(d);
}

#define NAMES                                                                       \
	"int, float, str, bool, datetime, duration, none, file(FMT), directory(FMT), "  \
	"dataset(FMT), list of TYPE, map of TYPE, union(TYPE|TYPE), enum(A|B)"

static void bad_types(void **state)
{
	(void)state;
	expect_type_error("x: integr", "t.yaml:1:4: unknown type 'integr'; types are " NAMES);
	expect_type_error("dataframe(csv)", "t.yaml:1:1: unknown type 'dataframe' (did you mean "
					    "'dataset'?)");
	expect_type_error("int64", "t.yaml:1:1: unknown type 'int64' (did you mean 'int'?)");
	expect_type_error("list", "t.yaml:1:1: 'list' needs its element type: write 'list of "
				  "TYPE' in type 'list'");
	expect_type_error("map of", "t.yaml:1:1: 'map' needs its element type: write 'map of "
				    "TYPE' in type 'map of'");
	expect_type_error("union", "t.yaml:1:1: 'union' needs its variants: write "
				   "'union(TYPE|TYPE)' in type 'union'");
	expect_type_error("enum", "t.yaml:1:1: 'enum' needs its values: write 'enum(A|B)' in "
				  "type 'enum'");
	expect_type_error("list(int", "t.yaml:1:1: expected ')' at '' in type 'list(int'");
	expect_type_error("'list[int)'", "t.yaml:1:1: expected ']' at ')' in type 'list[int)'");
	expect_type_error("list of int)", "t.yaml:1:1: unexpected ')' in type 'list of int)'");
	expect_type_error("int(3)", "t.yaml:1:1: 'int' takes no '(' in type 'int(3)'");
	expect_type_error("file(a b)", "t.yaml:1:1: a format is a word such as csv or parquet, "
				       "then ')', not 'a b)' in type 'file(a b)'");
	expect_type_error("union(int)", "t.yaml:1:1: a union needs two types or more in type "
					"'union(int)'");
	expect_type_error("union(int|)", "t.yaml:1:1: expected a type before ')' in type "
					 "'union(int|)'");
	expect_type_error("union(int|str", "t.yaml:1:1: expected '|' or ')' at '' in type "
					   "'union(int|str'");
	expect_type_error("enum(a||b)", "t.yaml:1:1: an enum value is missing in type "
					"'enum(a||b)'");
	expect_type_error("enum(a|b|a)", "t.yaml:1:1: enum value 'a' is listed twice in type "
					 "'enum(a|b|a)'");
	expect_type_error("(int)", "t.yaml:1:1: expected a type before '(int)' in type '(int)'");
	expect_type_error("list of", "t.yaml:1:1: 'list' needs its element type: write 'list of "
				     "TYPE' in type 'list of'");
	expect_type_error("'list of '", "t.yaml:1:1: expected a type at the end in type "
					"'list of '");
	expect_type_error("x:", "t.yaml:1:3: missing type; types are " NAMES);
	expect_type_error("[int]", "t.yaml:1:1: a type is a string such as 'int' or a "
				   "mapping, not a sequence");
	expect_type_error("{lst: int}", "t.yaml:1:2: unknown key 'lst' in a type; a type mapping "
					"has one of list, map, union, enum, file, directory, "
					"dataset (and columns for a dataset)");
	expect_type_error("{list: int, map: int}",
			  "t.yaml:1:13: a type mapping has one of list, map, union, enum, file, "
			  "directory or dataset, not both 'list' and 'map'");
	expect_type_error("{columns: {a: int}}",
			  "t.yaml:1:1: a type mapping needs one of list, map, union, enum, file, "
			  "directory or dataset");
	expect_type_error("{file: csv, columns: {a: int}}", "t.yaml:1:22: only a dataset has "
							    "columns");
	expect_type_error("{dataset: csv, columns: [a]}",
			  "t.yaml:1:25: columns must be a mapping of column name to type, not a "
			  "sequence");
	expect_type_error("{dataset: csv, columns: {a: intt}}",
			  "t.yaml:1:29: unknown type 'intt'; types are " NAMES);
	expect_type_error("{dataset: [csv]}", "t.yaml:1:11: the format of a dataset must be a "
						  "string such as csv, not a sequence");
	expect_type_error("{enum: []}", "t.yaml:1:8: an enum's values are a non-empty sequence "
					"of strings, e.g. {enum: [red, green]}");
	expect_type_error("{enum: [a, a]}", "t.yaml:1:12: enum value 'a' is listed twice");
	expect_type_error("{enum: [a, [b]]}", "t.yaml:1:12: an enum value must be a string, not "
					      "a sequence");
	expect_type_error("{union: [int]}", "t.yaml:1:9: a union's variants are a sequence of two "
					    "types or more");
}

static void durations(void **state)
{
	(void)state;
	struct {
		const char *text;
		int64_t seconds;
		int32_t nanos;
	} ok[] = {
		{"30s", 30, 0},        {"1m30s", 90, 0}, {"1.5s", 1, 500000000},
		{"250ms", 0, 250000000}, {"2h", 7200, 0}, {"7d", 604800, 0},
		{"1h1m1s1ms", 3661, 1000000},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cachet_duration d;
		assert_int_equal(cachet__wf_duration_parse(&d, ok[i].text), 0);
		assert_int_equal(d.seconds, ok[i].seconds);
		assert_int_equal(d.nanos, ok[i].nanos);
	}
	const char *bad[] = {"", "30", "s", "-1s", "1x", "1s2", "1e400s", "99999999999999d"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cachet_duration d;
		if (cachet__wf_duration_parse(&d, bad[i]) != CACHET_EINVALID)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

static void allocation_failures_leak_nothing(void **state)
{
	(void)state;
	const char *text = "workflow: wf\n"
			   "tasks:\n"
			   "  t:\n"
			   "    inputs: {a: list of dataset(csv), b: {enum: [x, y]}, e: enum(x|y)}\n"
			   "    outputs: {c: {dataset: csv, columns: {id: int}}, u: union(int|none)}\n";
	for (long n = 0;; n++) {
		cachet__yaml_tree *tree = NULL;
		cachet__alloc_fail_after(n);
		int rc = cachet__yaml_parse(&tree, text, strlen(text), "t.yaml");
		cachet__alloc_fail_reset();
		if (rc == 0) {
			cachet__yaml_tree_free(tree);
			break;
		}
		assert_int_equal(rc, CACHET_ENOMEM);
		assert_null(tree);
	}
	cachet__yaml_tree *tree = parse_ok(text);
	const cachet__yaml_node *t =
		cachet__yaml_get(cachet__yaml_get(cachet__yaml_root(tree), "tasks"), "t");
	const cachet__yaml_node *types[] = {
		cachet__yaml_get(cachet__yaml_get(t, "inputs"), "a"),
		cachet__yaml_get(cachet__yaml_get(t, "inputs"), "b"),
		cachet__yaml_get(cachet__yaml_get(t, "inputs"), "e"),
		cachet__yaml_get(cachet__yaml_get(t, "outputs"), "c"),
		cachet__yaml_get(cachet__yaml_get(t, "outputs"), "u"),
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		for (long n = 0;; n++) {
			cachet_literal_type *lt = NULL;
			cachet__alloc_fail_after(n);
			int rc = cachet__wf_type_parse(&lt, "t.yaml", types[i]);
			cachet__alloc_fail_reset();
			if (rc == 0) {
				cachet_literal_type_free(lt);
				break;
			}
			assert_int_equal(rc, CACHET_ENOMEM);
			assert_null(lt);
		}
	}
	cachet__yaml_tree_free(tree);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nodes_carry_their_places),
		cmocka_unit_test(scalars_stay_text),
		cmocka_unit_test(empty_documents_have_no_root),
		cmocka_unit_test(empty_containers_before_any_child),
		cmocka_unit_test(refused_constructs_name_their_place),
		cmocka_unit_test(syntax_errors_name_their_place),
		cmocka_unit_test(duplicates_in_big_mappings),
		cmocka_unit_test(nesting_is_bounded),
		cmocka_unit_test(big_scalars_and_many_nodes),
		cmocka_unit_test(simple_and_offloaded_types),
		cmocka_unit_test(nested_types),
		cmocka_unit_test(bad_types),
		cmocka_unit_test(durations),
		cmocka_unit_test(allocation_failures_leak_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
