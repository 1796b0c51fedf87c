/*
 * Clocks, and sleeping for a while.
 */
#ifndef CACHET_UTIL_CLOCK_H
#define CACHET_UTIL_CLOCK_H

#include <stdint.h>

int64_t cachet__now_ms(void);       /* wall clock, ms since the epoch */
int64_t cachet__monotonic_ms(void); /* for deadlines and durations */
int64_t cachet__monotonic_ns(void);

/* Sleep that long, all of it even when a signal interrupts. */
void cachet__sleep_ms(int64_t ms);
void cachet__sleep_us(int64_t us);

#endif
