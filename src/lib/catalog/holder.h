/*
 * Internal: the process that holds a reservation (docs/catalog.md,
 * "Reservations").
 *
 * Beside the caller's owner id, a reservation records its holder: the
 * process that took it, as
 *
 *   pid=<pid> start=<ticks> boot=<boot id> pidns=<pid namespace> host=<host name>
 *
 * (start: field 22 of /proc/<pid>/stat, clock ticks after boot; boot:
 * /proc/sys/kernel/random/boot_id). A pid alone is reused; a pid with its
 * start time names one process of one boot of one machine, so a waiter on
 * the same machine can tell that a holder killed with SIGKILL is gone and
 * take its reservation over at once instead of waiting for it to lapse.
 */
#ifndef CACHET_CATALOG_HOLDER_H
#define CACHET_CATALOG_HOLDER_H

#include <stdbool.h>
#include <stddef.h>

/* The longest holder text, with its NUL. */
#define CACHET__HOLDER_MAX 256

/*
 * This process as a holder, into buf (CACHET__HOLDER_MAX bytes). false,
 * buf "", when any part cannot be read (no /proc): then reservations
 * record no holder and lapse as Flyte's do.
 */
bool cachet__holder_self(char *buf);

/*
 * Whether holder names a process that no longer exists: true only when it
 * is of this machine, this boot and this pid namespace (as self, this
 * process's own holder text, says) and no process has its pid, or the one
 * that has it started at another time (the pid was reused), or it is a
 * zombie (it has exited). Anything it cannot judge is not gone.
 */
bool cachet__holder_gone(const char *holder, const char *self);

#endif
