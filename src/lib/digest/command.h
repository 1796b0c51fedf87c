/* Running a user's hash command (CACHET_HASH_COMMAND). */
#ifndef CACHET_DIGEST_COMMAND_H
#define CACHET_DIGEST_COMMAND_H

/*
 * Run argv (NULL-terminated; argv[0] looked up in $PATH when it has no
 * '/') with last_arg appended, directly, without a shell; standard input
 * is /dev/null. *out is its standard output with the white space around
 * it trimmed (a new string). The command runs in its own process group,
 * all of which is killed when it outlives timeout_ms.
 *
 * CACHET_ERROR, the message ending with the tail of the command's
 * standard error, when it cannot be started, exits with a status other
 * than 0, is killed by a signal or times out; CACHET_EINVALID when what it
 * printed is empty, longer than 64 KiB, several lines, or not UTF-8.
 */
int cachet__run_hash_command(char **out, const char *const *argv, const char *last_arg,
			     unsigned timeout_ms);

#endif
