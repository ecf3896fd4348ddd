/* The OpenMP team's way through the fixed tree (cs_team_tree), replayed on p simulated threads. */
#ifndef CS_SPAN_TEAM_H
#define CS_SPAN_TEAM_H

#include "span.h"

/* Returned when the graph's combines are not the fixed tree over its items. */
#define CS_SPAN_NOT_TREE (-2.0)

/* The combines of a one-process profile (cpu_serial, cpu_omp) replayed as
 * cs_team_tree runs them with p threads, every thread free from `barrier`
 * (when the items end): units whole on the thread that takes them, the top's
 * combines on the thread that brings the second child, helped only once
 * every unit is taken (span_team.c). Returns when the last combine ends;
 * CS_SPAN_NOT_TREE for a graph whose combines are not one per node of the
 * fixed tree over [0, items) (the caller replays it another way); -1 out of
 * memory. */
double cs_span_team_replay(const cs_graph *g, unsigned p, double barrier);

#endif
