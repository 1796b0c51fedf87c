/*
 * The digest layer: hashers against published vectors, the directory
 * digest of docs/hashing.md against a hand-framed computation, hashing
 * files and trees, every refusal, files that change while read, threads,
 * progress, and allocation failures.
 *
 * Expected values: SHA-256 from FIPS 180-2's examples; XXH3-128 from
 * `xxhsum -H2`; directory digests from python3's hashlib applied to the
 * framing that docs/hashing.md defines (the computation is in comments).
 */
/* setgroups() */
#define _DEFAULT_SOURCE

#include "test_digest_helpers.h"
#include "test_unprivileged.h"

#include "digest/hasher.h"
#include "digest/internal.h"
#include "util/alloc.h"
#include "util/sha256.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
#define XXH_EMPTY "99aa06d3014798d86001c324468d497f"
#define XXH_ABC "06b05ab6733a618578af5f94892f3950"

/*
 * The tree used below: a.txt = "alpha\n", sub/b.txt = "beta\n",
 * sub/deeper/c = "". Its digests, with python3:
 *   h = sha256(b"cachet-dir-v1\n")
 *   for p, d in sorted(entries): h.update(struct.pack(">Q", len(p)) + p + d)
 * and the same framing through `xxhsum -H2` for xxh128.
 */
#define TREE_SHA "sha256-dir:570973336b79059bf3e8ff6993aaa92e8b9997fc1b291369a384c3b3917d3fa2"
#define TREE_XXH "xxh128-dir:ee6a38a4d76deff9f4da53d5876e01bc"
/* no files at all: sha256(b"cachet-dir-v1\n") */
#define EMPTY_DIR_SHA "sha256-dir:72d404b3d6a184b41702432e1ea1c8cb3200c7cc328fbdc276b562f11d9a4904"

static void make_tree(const char *root)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/a.txt", root);
	t_put(p, "alpha\n");
	snprintf(p, sizeof(p), "%s/sub/b.txt", root);
	t_put(p, "beta\n");
	snprintf(p, sizeof(p), "%s/sub/deeper/c", root);
	t_put(p, "");
}

static void hex_of(char *out, const uint8_t *d, size_t n)
{
	cachet__hex(out, d, n);
}

/* ---- hashers ---- */

static void hasher_matches_published_vectors(void **state)
{
	(void)state;
	cachet__hasher *h;
	uint8_t d[CACHET__DIGEST_MAX];
	char hex[2 * CACHET__DIGEST_MAX + 1];

	assert_int_equal(cachet__digest_len(CACHET_DIGEST_SHA256), 32);
	assert_int_equal(cachet__digest_len(CACHET_DIGEST_XXH128), 16);
	assert_int_equal(cachet__digest_len((cachet_digest)7), 0);

	assert_int_equal(cachet__hasher_new(&h, CACHET_DIGEST_SHA256), 0);
	assert_int_equal(cachet__hasher_final(h, d), 0);
	hex_of(hex, d, 32);
	assert_string_equal(hex, SHA_EMPTY);
	/* final resets: "a" then "bc" is "abc" */
	assert_int_equal(cachet__hasher_update(h, "a", 1), 0);
	assert_int_equal(cachet__hasher_update(h, "bc", 2), 0);
	assert_int_equal(cachet__hasher_final(h, d), 0);
	hex_of(hex, d, 32);
	assert_string_equal(hex, SHA_ABC);
	char *million = malloc(1000000);
	memset(million, 'a', 1000000);
	assert_int_equal(cachet__hasher_update(h, million, 1000000), 0);
	assert_int_equal(cachet__hasher_final(h, d), 0);
	hex_of(hex, d, 32);
	assert_string_equal(hex, SHA_MILLION_A);
	cachet__hasher_free(h);

	assert_int_equal(cachet__hasher_new(&h, CACHET_DIGEST_XXH128), 0);
	assert_int_equal(cachet__hasher_final(h, d), 0);
	hex_of(hex, d, 16);
	assert_string_equal(hex, XXH_EMPTY);
	assert_int_equal(cachet__hasher_update(h, "ab", 2), 0);
	assert_int_equal(cachet__hasher_update(h, "c", 1), 0);
	assert_int_equal(cachet__hasher_final(h, d), 0);
	hex_of(hex, d, 16);
	assert_string_equal(hex, XXH_ABC);
	cachet__hasher_free(h);
	free(million);

	cachet__hasher_free(NULL);
	assert_cachet_error(cachet__hasher_new(&h, (cachet_digest)9), CACHET_EINVALID,
			    "unknown digest algorithm 9");
	assert_null(h);
}

static void names_and_formats(void **state)
{
	(void)state;
	uint8_t d[32];
	char *s;
	cachet_digest a;

	assert_string_equal(cachet_digest_name(CACHET_DIGEST_SHA256), "sha256");
	assert_string_equal(cachet_digest_name(CACHET_DIGEST_XXH128), "xxh128");
	assert_null(cachet_digest_name((cachet_digest)5));
	assert_int_equal(cachet_digest_parse(&a, "xxh128"), 0);
	assert_int_equal(a, CACHET_DIGEST_XXH128);
	assert_int_equal(cachet_digest_parse(&a, "sha256"), 0);
	assert_int_equal(a, CACHET_DIGEST_SHA256);
	assert_cachet_error(cachet_digest_parse(&a, "md5"), CACHET_EINVALID,
			    "unknown digest 'md5' (sha256 or xxh128)");

	for (int i = 0; i < 32; i++)
		d[i] = (uint8_t)((i % 16) * 17);
	assert_int_equal(cachet__digest_format(&s, CACHET_DIGEST_SHA256, false, d), 0);
	assert_string_equal(s, "sha256:00112233445566778899aabbccddeeff"
			       "00112233445566778899aabbccddeeff");
	cachet__free(s);
	assert_int_equal(cachet__digest_format(&s, CACHET_DIGEST_XXH128, true, d), 0);
	assert_string_equal(s, "xxh128-dir:00112233445566778899aabbccddeeff");
	cachet__free(s);
}

/* ---- the directory digest ---- */

static void dir_digest_follows_the_documented_framing(void **state)
{
	(void)state;
	uint8_t out[32], empty[32], x[32];
	char hex[65];
	cachet__dir_entry e[2];

	/* entries given out of order: sorted by path bytes inside */
	assert_int_equal(cachet__sha256_2("x", 1, NULL, 0, x), 0);
	assert_int_equal(cachet__sha256_2(NULL, 0, NULL, 0, empty), 0);
	e[0].path = (char *)"b/c";
	memcpy(e[0].digest, x, 32);
	e[1].path = (char *)"a";
	memcpy(e[1].digest, empty, 32);
	assert_int_equal(cachet__dir_digest(out, CACHET_DIGEST_SHA256, e, 2), 0);
	hex_of(hex, out, 32);
	/* python3: framing of [("a", sha256("")), ("b/c", sha256("x"))] */
	assert_string_equal(hex, "c9332f6fd0cb90d0b1f591cc596925ca0ac4e9650724b7ff735809f900964590");

	assert_int_equal(cachet__dir_digest(out, CACHET_DIGEST_SHA256, NULL, 0), 0);
	hex_of(hex, out, 32);
	assert_string_equal(hex, &EMPTY_DIR_SHA[strlen("sha256-dir:")]);
}

static void dir_digest_refuses_paths_that_are_not_plain(void **state)
{
	(void)state;
	static const char *const bad[] = {"", "/abs", "a//b", "a/", "./a", "a/../b", "..", "\xff"};
	static const char *const why[] = {
		"directory entry with an empty path",
		"directory entry path '/abs' is not a plain relative path",
		"directory entry path 'a//b' is not a plain relative path",
		"directory entry path 'a/' is not a plain relative path",
		"directory entry path './a' is not a plain relative path",
		"directory entry path 'a/../b' is not a plain relative path",
		"directory entry path '..' is not a plain relative path",
		"directory entry path is not UTF-8 (byte 0)",
	};
	uint8_t out[32];
	cachet__dir_entry e[2] = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e[0].path = (char *)bad[i];
		assert_cachet_error(cachet__dir_digest(out, CACHET_DIGEST_SHA256, e, 1),
				    CACHET_EINVALID, why[i]);
	}
	e[0].path = (char *)"same";
	e[1].path = (char *)"same";
	assert_cachet_error(cachet__dir_digest(out, CACHET_DIGEST_SHA256, e, 2), CACHET_EINVALID,
			    "directory entry 'same' appears twice");
}

/* ---- files and trees ---- */

static void files_hash_as_sha256sum_and_xxhsum(void **state)
{
	(void)state;
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;

	t_put("abc.txt", "abc");
	t_put("empty", "");
	t_assert_hash("abc.txt", NULL, "sha256:" SHA_ABC);
	t_assert_hash("empty", &o, "sha256:" SHA_EMPTY);
	o.digest = CACHET_DIGEST_XXH128;
	t_assert_hash("abc.txt", &o, "xxh128:" XXH_ABC);
	t_assert_hash("empty", &o, "xxh128:" XXH_EMPTY);

	/* a symlink given as the path is followed */
	assert_int_equal(symlink("abc.txt", "abc.link"), 0);
	t_assert_hash("abc.link", NULL, "sha256:" SHA_ABC);

	/* bigger than one read */
	size_t n = 3 * 1024 * 1024 + 5;
	char *big = malloc(n);
	memset(big, 'a', n);
	t_put_bytes("big", big, n);
	uint8_t d[32];
	char want[80] = "sha256:";
	assert_int_equal(cachet__sha256_2(big, n, NULL, 0, d), 0);
	hex_of(want + 7, d, 32);
	t_assert_hash("big", NULL, want);
	free(big);
}

static void trees_hash_by_names_and_contents_only(void **state)
{
	(void)state;
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;

	make_tree("t1");
	t_assert_hash("t1", NULL, TREE_SHA);
	t_assert_hash("t1/", NULL, TREE_SHA);
	o.digest = CACHET_DIGEST_XXH128;
	t_assert_hash("t1", &o, TREE_XXH);

	/* elsewhere, written in another order, other times, with empty
	 * directories: the same */
	t_put("elsewhere/deep/t2/sub/deeper/c", "");
	t_put("elsewhere/deep/t2/sub/b.txt", "beta\n");
	t_put("elsewhere/deep/t2/a.txt", "alpha\n");
	t_set_mtime("elsewhere/deep/t2/a.txt", 1000000000, 123);
	t_set_mtime("elsewhere/deep/t2/sub/b.txt", 2000000000, 0);
	t_mkdirs("elsewhere/deep/t2/empty/emptier");
	t_assert_hash("elsewhere/deep/t2", NULL, TREE_SHA);

	/* symlinks that stay inside count as what they point to */
	t_put("t3/real/b.txt", "beta\n");
	t_put("t3/real/deeper/c", "");
	t_put("t3/content", "alpha\n");
	assert_int_equal(symlink("content", "t3/a.txt"), 0);
	assert_int_equal(symlink("real", "t3/sub"), 0);
	/* t3 = t1 plus real/b.txt, real/deeper/c and content */
	char *h3 = t_hash("t3", NULL);
	assert_string_not_equal(h3, TREE_SHA);
	cachet_free(h3);
	assert_int_equal(rename("t3/real", "t3-real-moved"), 0);
	assert_int_equal(unlink("t3/sub"), 0);
	assert_int_equal(rename("t3-real-moved", "t3/sub"), 0);
	assert_int_equal(unlink("t3/content"), 0);
	assert_int_equal(unlink("t3/a.txt"), 0);
	t_put("t3/target", "alpha\n");
	/* now t3 = t1 + "target"; a link a.txt -> target makes it t1 + target */
	assert_int_equal(symlink("target", "t3/a.txt"), 0);
	t_put("t4/a.txt", "alpha\n");
	t_put("t4/target", "alpha\n");
	t_put("t4/sub/b.txt", "beta\n");
	t_put("t4/sub/deeper/c", "");
	char *h4 = t_hash("t4", NULL);
	t_assert_hash("t3", NULL, h4);
	cachet_free(h4);

	/* a renamed file, a changed byte, a moved file: all differ */
	t_put("t5/a.txt", "alpha\n");
	t_put("t5/sub/b.txt", "beta\n");
	t_put("t5/sub/deeper/d", "");
	char *h5 = t_hash("t5", NULL);
	assert_string_not_equal(h5, TREE_SHA);
	cachet_free(h5);
	t_put("t6/a.txt", "alphA\n");
	t_put("t6/sub/b.txt", "beta\n");
	t_put("t6/sub/deeper/c", "");
	char *h6 = t_hash("t6", NULL);
	assert_string_not_equal(h6, TREE_SHA);
	cachet_free(h6);
	t_put("t7/a.txt", "alpha\n");
	t_put("t7/b.txt", "beta\n");
	t_put("t7/sub/deeper/c", "");
	char *h7 = t_hash("t7", NULL);
	assert_string_not_equal(h7, TREE_SHA);
	cachet_free(h7);

	/* no files at all */
	t_mkdirs("hollow/a/b");
	t_assert_hash("hollow", NULL, EMPTY_DIR_SHA);

	/* hidden files count */
	make_tree("t8");
	t_put("t8/.hidden", "");
	char *h8 = t_hash("t8", NULL);
	assert_string_not_equal(h8, TREE_SHA);
	cachet_free(h8);

	/* UTF-8 names are fine: python3 digest of [("é/ü.txt", sha256("u"))] */
	t_put("utf/\xc3\xa9/\xc3\xbc.txt", "u");
	t_assert_hash("utf", NULL,
		      "sha256-dir:5b71405dd23e1c6487a5654e46d533a5dca4fa5ea85a327a4a67c3995814dbef");
}

static void threads_do_not_change_the_digest(void **state)
{
	(void)state;
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	char p[64];

	for (int i = 0; i < 60; i++) {
		snprintf(p, sizeof(p), "many/d%d/f%02d", i % 7, i);
		char body[64];
		snprintf(body, sizeof(body), "file %d", i * i);
		t_put(p, body);
	}
	o.threads = 1;
	char *one = t_hash("many", &o);
	unsigned counts[] = {2, 3, 8, 0};
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		o.threads = counts[i];
		t_assert_hash("many", &o, one);
	}
	cachet_free(one);
}

/* ---- refusals ---- */

static void missing_and_special_paths_are_refused(void **state)
{
	(void)state;
	t_assert_hash_fails("no/such", NULL, CACHET_ENOTFOUND,
			    "cannot hash 'no/such': No such file or directory");
	t_assert_hash_fails("", NULL, CACHET_EINVALID, "cannot hash '': empty path");

	/* a FIFO is refused without being opened: this would block */
	assert_int_equal(mkfifo("fifo", 0644), 0);
	t_assert_hash_fails("fifo", NULL, CACHET_EUNSUPPORTED,
			    "cannot hash 'fifo': it is a FIFO, not a regular file or directory");
	t_assert_hash_fails("/dev/null", NULL, CACHET_EUNSUPPORTED,
			    "cannot hash '/dev/null': it is a character device, not a regular "
			    "file or directory");

	/* a FIFO swapped in for a file after the stat: opened without
	 * blocking, then refused */
	cachet__file_reader r;
	uint8_t d[32];
	cachet__fstat seen;
	int64_t t0;
	assert_int_equal(cachet__file_reader_init(&r, CACHET_DIGEST_SHA256), 0);
	assert_cachet_error(cachet__file_hash(&r, "fifo", "fifo", d, &seen, &t0),
			    CACHET_EUNSUPPORTED,
			    "cannot hash 'fifo': it is a FIFO, not a regular file");
	/* the reader is still good */
	t_put("after-fifo", "abc");
	assert_int_equal(cachet__file_hash(&r, "after-fifo", "after-fifo", d, &seen, &t0), 0);
	char hex[65];
	hex_of(hex, d, 32);
	assert_string_equal(hex, SHA_ABC);
	assert_int_equal(seen.size, 3);
	cachet__file_reader_dispose(&r);

	/* inside a directory */
	t_put("withfifo/a", "a");
	assert_int_equal(mkfifo("withfifo/pipe", 0644), 0);
	t_assert_hash_fails("withfifo", NULL, CACHET_EUNSUPPORTED,
			    "cannot hash 'withfifo/pipe': it is a FIFO, not a regular file");

	t_mkdirs("withsock");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "withsock/sock");
	assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof(addr)), 0);
	t_assert_hash_fails("withsock", NULL, CACHET_EUNSUPPORTED,
			    "cannot hash 'withsock/sock': it is a socket, not a regular file");
	close(s);

	t_mkdirs("withdev");
	assert_int_equal(symlink("/dev/null", "withdev/null"), 0);
	t_assert_hash_fails("withdev", NULL, CACHET_EINVALID,
			    "cannot hash 'withdev/null': symlink leads out of 'withdev' (to "
			    "'/dev/null')");
}

static void bad_symlinks_and_names_are_refused(void **state)
{
	(void)state;
	t_put("outside.txt", "secret");
	t_put("esc/in", "x");
	assert_int_equal(symlink("../outside.txt", "esc/out"), 0);
	t_assert_hash_fails("esc", NULL, CACHET_EINVALID,
			    "cannot hash 'esc/out': symlink leads out of 'esc' (to '/*");

	t_mkdirs("loop");
	assert_int_equal(symlink("l2", "loop/l1"), 0);
	assert_int_equal(symlink("l1", "loop/l2"), 0);
	t_assert_hash_fails("loop", NULL, CACHET_EINVALID, "cannot hash 'loop/l1': symlink loop");
	t_assert_hash_fails("loop/l1", NULL, CACHET_EINVALID,
			    "cannot hash 'loop/l1': symlink loop");

	t_put("anc/sub/f", "f");
	assert_int_equal(symlink("..", "anc/sub/up"), 0);
	t_assert_hash_fails("anc", NULL, CACHET_EINVALID,
			    "cannot hash 'anc/sub/up': symlink loop (it leads back to a "
			    "directory above it)");

	t_mkdirs("dang");
	assert_int_equal(symlink("nowhere", "dang/x"), 0);
	t_assert_hash_fails("dang", NULL, CACHET_EINVALID, "cannot hash 'dang/x': dangling symlink");

	t_put("names/ok", "");
	t_put("names/bad\xff.txt", "");
	t_assert_hash_fails("names", NULL, CACHET_EINVALID,
			    "cannot hash 'names/bad\\xff.txt': the file name is not UTF-8");
	/* a single file's own name is not hashed, so it may be anything */
	t_assert_hash("names/bad\xff.txt", NULL, "sha256:" SHA_EMPTY);
}

/* Hash path as an unprivileged user (root reads everything), in a child;
 * check the code and message it got. */
static void assert_fails_unprivileged(const char *path, int code, const char *msg)
{
	if (geteuid() != 0) {
		t_assert_hash_fails(path, NULL, code, msg);
		return;
	}
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (cachet_test_become_nobody() != 0)
			_exit(3);
		char *h = NULL;
		int rc = cachet_hash_path(&h, path, NULL);
		dprintf(fds[1], "%d %s", rc, cachet_error_last()->message);
		_exit(0);
	}
	close(fds[1]);
	char buf[1024] = {0};
	size_t got = 0;
	ssize_t n;
	while ((n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char want[1024];
	snprintf(want, sizeof(want), "%d %s", code, msg);
	assert_string_equal(buf, want);
}

static void unreadable_files_and_directories_are_refused(void **state)
{
	(void)state;
	/* where the unprivileged child can reach the files */
	cachet_test_public_dir d;
	cachet_test_public_dir_enter(&d);

	t_put("locked.txt", "abc");
	assert_int_equal(chmod("locked.txt", 0), 0);
	assert_fails_unprivileged("locked.txt", CACHET_EIO,
				  "cannot open 'locked.txt': Permission denied");
	t_put("tree/ok", "ok");
	t_put("tree/locked", "abc");
	assert_int_equal(chmod("tree/locked", 0), 0);
	assert_fails_unprivileged("tree", CACHET_EIO, "cannot open 'tree/locked': Permission denied");
	t_put("tree2/sub/f", "f");
	assert_int_equal(chmod("tree2/sub", 0), 0);
	assert_fails_unprivileged("tree2", CACHET_EIO,
				  "cannot open directory 'tree2/sub': Permission denied");

	assert_int_equal(chmod("tree2/sub", 0755), 0);
	cachet_test_public_dir_leave(&d);
}

/* ---- files that change while they are read ---- */

typedef struct change_hook {
	const char *victim; /* a path ending the same way */
	int times;          /* how many readings to disturb */
	bool truncate;      /* truncate to 1 MiB instead of appending */
	int calls;
} change_hook;

static void disturb(const char *path, void *arg)
{
	change_hook *c = arg;
	size_t pl = strlen(path), vl = strlen(c->victim);
	if (pl < vl || strcmp(path + pl - vl, c->victim) != 0)
		return;
	if (c->calls++ >= c->times)
		return;
	if (c->truncate) {
		assert_int_equal(truncate(path, 1024 * 1024), 0);
	} else {
		int fd = open(path, O_WRONLY | O_APPEND);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "!", 1), 1);
		close(fd);
	}
}

static void changing_files_are_read_again_then_refused(void **state)
{
	(void)state;
	change_hook c = {"grow.txt", 1, false, 0};
	cachet__digest_hooks hooks = {.after_read = disturb, .after_read_arg = &c};
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;

	/* changed once: read again; the digest is of what it became
	 * (printf 'abc!' | sha256sum) */
	t_put("grow.txt", "abc");
	cachet__digest_set_hooks(&hooks);
	uint64_t before = cachet__digest_files_read();
	t_assert_hash("grow.txt", NULL,
		      "sha256:53e0eff3204626f3e256ca636572d7ccdf8eb5a190c9defa3fa567bc63866b76");
	assert_int_equal(cachet__digest_files_read() - before, 2);

	/* still changing on the second reading: refused */
	c.calls = 0;
	c.times = 2;
	t_assert_hash_fails("grow.txt", NULL, CACHET_EIO,
			    "cannot hash 'grow.txt': it changed while it was read");

	/* truncated while read (3 MiB cut to 1 MiB):
	 * head -c 1048576 /dev/zero | tr '\0' z | sha256sum */
	size_t n = 3 * 1024 * 1024;
	char *zs = malloc(n);
	memset(zs, 'z', n);
	t_put_bytes("cut/grow.txt", zs, n);
	free(zs);
	c = (change_hook){"grow.txt", 1, true, 0};
	t_assert_hash("cut/grow.txt", NULL,
		      "sha256:3ac3338d67611f3edb444a8f730d5e3a6559d4640e7b1a2d5fa58bafbda3254a");

	/* inside a directory, on several threads: the message names it */
	char p[64];
	for (int i = 0; i < 20; i++) {
		snprintf(p, sizeof(p), "changes/f%02d%s", i, i == 7 ? "grow.txt" : "");
		t_put(p, "data");
	}
	c = (change_hook){"f07grow.txt", 1000, false, 0};
	o.threads = 4;
	t_assert_hash_fails("changes", &o, CACHET_EIO,
			    "cannot hash 'changes/f07grow.txt': it changed while it was read");
	o.threads = 1;
	t_assert_hash_fails("changes", &o, CACHET_EIO,
			    "cannot hash 'changes/f07grow.txt': it changed while it was read");
	cachet__digest_set_hooks(NULL);
}

/* ---- progress ---- */

typedef struct progress_log {
	pthread_t caller;
	int calls;
	bool wrong_thread, went_back;
	uint64_t last_done, total;
} progress_log;

static void log_progress(uint64_t done, uint64_t total, void *payload)
{
	progress_log *l = payload;
	if (!pthread_equal(pthread_self(), l->caller))
		l->wrong_thread = true;
	if (done < l->last_done)
		l->went_back = true;
	l->calls++;
	l->last_done = done;
	l->total = total;
}

static void progress_is_reported_from_the_calling_thread(void **state)
{
	(void)state;
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	progress_log l = {.caller = pthread_self()};
	size_t n = 5 * 1024 * 1024;
	char *data = calloc(1, n);

	t_put_bytes("prog/big", data, n);
	t_put_bytes("prog/sub/big2", data, n / 2);
	free(data);
	o.progress = log_progress;
	o.progress_payload = &l;

	free(t_hash("prog/big", &o));
	assert_false(l.wrong_thread);
	assert_false(l.went_back);
	assert_true(l.calls >= 2); /* at the start and at the end, at least */
	assert_int_equal(l.total, n);
	assert_int_equal(l.last_done, n);

	for (unsigned threads = 1; threads <= 3; threads++) {
		l = (progress_log){.caller = pthread_self()};
		o.threads = threads;
		free(t_hash("prog", &o));
		assert_false(l.wrong_thread);
		assert_false(l.went_back);
		assert_true(l.calls >= 2);
		assert_int_equal(l.total, n + n / 2);
		assert_int_equal(l.last_done, n + n / 2);
	}
}

/* ---- allocation failures ---- */

static void allocation_failures_leak_nothing(void **state)
{
	(void)state;
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	const char *paths[] = {"fi/tree", "fi/tree/a.txt"};
	const char *want[] = {TREE_SHA, "sha256:" SHA_ABC};

	make_tree("fi/tree");
	t_put("fi/tree/a.txt", "abc");
	t_put("fi/tree/sub/inside", "alpha\n");
	assert_int_equal(symlink("../inside", "fi/tree/sub/deeper/link"), 0);
	char *full = t_hash("fi/tree", NULL);
	want[0] = full;
	o.threads = 1; /* fault injection counts on one thread */

	for (int with_cache = 0; with_cache < 2; with_cache++) {
		cachet_stat_cache *sc = NULL;
		if (with_cache) {
			assert_int_equal(cachet_stat_cache_open(&sc, "fi/state/stat.db"), 0);
			o.stat_cache = sc;
		}
		for (size_t k = 0; k < 2; k++) {
			for (long n = 0;; n++) {
				char *h = NULL;
				cachet__alloc_fail_after(n);
				int rc = cachet_hash_path(&h, paths[k], &o);
				cachet__alloc_fail_reset();
				if (rc == 0) {
					assert_string_equal(h, want[k]);
					cachet_free(h);
					/* the walk alone allocates for every name */
					assert_true(k == 1 || with_cache || n > 20);
					break;
				}
				assert_int_equal(rc, CACHET_ENOMEM);
				assert_string_equal(cachet_error_last()->message, "out of memory");
				assert_null(h);
				assert_true(n < 10000);
			}
		}
		cachet_stat_cache_free(sc);
		o.stat_cache = NULL;
	}
	cachet_free(full);
}

static void bad_arguments(void **state)
{
	(void)state;
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	char *h;

	assert_cachet_error(cachet_hash_path(NULL, "x", NULL), CACHET_EINVALID,
			    "cachet_hash_path: out is NULL");
	assert_cachet_error(cachet_hash_path(&h, NULL, NULL), CACHET_EINVALID,
			    "cannot hash '': empty path");
	o.version = 0;
	assert_cachet_error(cachet_hash_path(&h, "x", &o), CACHET_EINVALID,
			    "unsupported hash options version 0 (this library knows 1 to 1)");
	o.version = CACHET_HASH_OPTIONS_VERSION;
	o.digest = (cachet_digest)3;
	assert_cachet_error(cachet_hash_path(&h, "x", &o), CACHET_EINVALID,
			    "unknown digest algorithm 3");
}

int main(void)
{
	/* a hash command or a test child must not take the runner down */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hasher_matches_published_vectors),
		cmocka_unit_test(names_and_formats),
		cmocka_unit_test(dir_digest_follows_the_documented_framing),
		cmocka_unit_test(dir_digest_refuses_paths_that_are_not_plain),
		cmocka_unit_test(files_hash_as_sha256sum_and_xxhsum),
		cmocka_unit_test(trees_hash_by_names_and_contents_only),
		cmocka_unit_test(threads_do_not_change_the_digest),
		cmocka_unit_test(missing_and_special_paths_are_refused),
		cmocka_unit_test(bad_symlinks_and_names_are_refused),
		cmocka_unit_test(unreadable_files_and_directories_are_refused),
		cmocka_unit_test(changing_files_are_read_again_then_refused),
		cmocka_unit_test(progress_is_reported_from_the_calling_thread),
		cmocka_unit_test(allocation_failures_leak_nothing),
		cmocka_unit_test(bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
