/*
 * Warnings go to one process-wide handler. The handler and its payload are
 * swapped together under a mutex so that a warning never pairs one
 * handler with another's payload.
 */
#include "util/warning.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static cachet_warning_fn handler;
static void *handler_payload;

void cachet_set_warning_handler(cachet_warning_fn fn, void *payload)
{
	pthread_mutex_lock(&handler_lock);
	handler = fn;
	handler_payload = payload;
	pthread_mutex_unlock(&handler_lock);
}

void cachet__warn(const char *fmt, ...)
{
	char message[1024];
	cachet_warning_fn fn;
	void *payload;
	va_list ap;

	pthread_mutex_lock(&handler_lock);
	fn = handler;
	payload = handler_payload;
	pthread_mutex_unlock(&handler_lock);
	if (fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	fn(message, payload);
}
