/* Whether this process can start the threads a run asks for, found before any work. */
#ifndef CS_THREAD_ROOM_H
#define CS_THREAD_ROOM_H

#include <stddef.h>

/*
 * A thread runtime that cannot start a thread ends the process with its own words
 * (libgomp: "Thread creation failed") after the work has begun. So the drivers try
 * first: start want - 1 threads beside this one, with the stack size OpenMP would
 * give them (OMP_STACKSIZE, else the system's default), hold them until all are up,
 * and let them go. Returns how many threads (this one included) could run at once:
 * want when all started, fewer when the system refused one; *why then says what was
 * refused and the limits that bear on it (ulimit -u, -v, the kernel's threads-max).
 */
unsigned cs_thread_room(unsigned want, char *why, size_t size);

#endif
