/* Wall-clock time on a monotonic clock, and its granularity. */
#ifndef CS_CLOCK_H
#define CS_CLOCK_H

/* Seconds since an arbitrary start, CLOCK_MONOTONIC. */
double cs_clock_now(void);
/* The smallest step the clock shows, measured (STREAM-style), in seconds. */
double cs_clock_tick(void);
/* "2026-11-21T13:45:02Z" into buf (at least 21 bytes). */
void cs_clock_utc(char *buf, unsigned long size);

#endif
