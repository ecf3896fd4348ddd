/* The profile file: task graphs as text, one task a line (results/README.md, "Profiles"). */
#ifndef CS_PROFILE_FILE_H
#define CS_PROFILE_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "span.h"

/* The first line of every profile file. */
void cs_profile_write_start(FILE *f);
/* One block: "# block key=value ..." then "id kind rank thread start_s end_s bytes deps"
 * lines. Returns 0, or -1 when the stream failed. */
int cs_profile_write_block(FILE *f, const cs_graph *g);

/* Every block of a file, in order. Returns 0; or 1 with why = "LINE: reason" for a
 * malformed file (the line number counts from 1), or -1 with why for a read or
 * memory failure. Free each block with cs_graph_free, then the array. */
int cs_profile_read(FILE *f, cs_graph **blocks, unsigned *count, char *why, size_t why_size);

#endif
