/*
 * Shared by the fuzz targets of tests/fuzz: the entry points libFuzzer (or
 * replay_main.c) calls, and the helpers in tests/fuzz/lib.
 *
 * A target returns normally for any input that cachet handles as it
 * promises (refusing bad input with a negative code and a message is
 * handling it). A broken promise calls fuzz_fail, which aborts, so that
 * libFuzzer saves the input and the replay test fails.
 */
#ifndef CACHET_FUZZ_H
#define CACHET_FUZZ_H

#include <cachet.h>

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Print "fuzz: <message>" and the library's last error, then abort. */
_Noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* fuzz_fail unless cond holds. */
#define FUZZ_CHECK(cond, ...)                                                              \
	do {                                                                               \
		if (!(cond))                                                               \
			fuzz_fail(__VA_ARGS__);                                            \
	} while (0)

/* A refusal must say what failed: a negative code and a message. */
void fuzz_check_refusal(int rc, const char *what);

/*
 * A private directory for this process's files (mode 0700, under $TMPDIR
 * or /tmp), made on first use and removed with everything in it at exit.
 */
const char *fuzz_scratch_dir(void);
/* "<scratch>/<name>", a new string (free with free()). */
char *fuzz_scratch_path(const char *name);
/* Write data to "<scratch>/<name>", making the directories on the way;
 * returns the path (free with free()). Aborts when it cannot. */
char *fuzz_write_file(const char *name, const void *data, size_t len);
/* Empty the scratch directory (it stays). */
void fuzz_scratch_clear(void);
/* Whether the file at path holds exactly size bytes of data. */
bool fuzz_file_holds(const char *path, const void *data, size_t size);

/*
 * data cut at every sep byte into a NULL-terminated argument vector,
 * argv0 first: "a<sep>b" gives {argv0, "a", "b", NULL}. *argc gets the
 * count. Free with fuzz_argv_free.
 */
char **fuzz_argv_split(const uint8_t *data, size_t size, char sep, const char *argv0,
		       int *argc);
void fuzz_argv_free(char **argv);
/*
 * Make getopt start afresh. A parse that stopped in the middle of "-ab"
 * leaves getopt pointing into that argument, which the next input frees;
 * the commands set optind = 1, which does not clear that.
 */
void fuzz_getopt_reset(void);

/*
 * The input of the codec targets: the first byte picks the message (its
 * value modulo 4: LiteralMap, Literal, LiteralType, TypedInterface), the
 * rest is the message in format. When it decodes, check what every value
 * must satisfy: a copy is equal; the protobuf encoding decodes to an
 * equal value, and encoding that gives the same bytes; the JSON encoding,
 * compact and indented, when there is one, decodes to a value that encodes
 * to the same text; the cache key parts (pbhash, hashify, tag, dataset
 * version) compute or refuse with a message.
 */
void fuzz_check_encoded(const uint8_t *data, size_t size, cachet_format format);

#endif
