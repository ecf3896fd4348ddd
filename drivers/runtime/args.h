/* Reading argv against a table of long options: every misuse named in one message. */
#ifndef CS_ARGS_H
#define CS_ARGS_H

#include <stddef.h>

/*
 * The rules every corescale program follows (drivers, cs_profile, the bench tools):
 * - long options only, "--name VALUE" or "--name=VALUE"; "-x" is refused, naming the
 *   long option meant when there is one;
 * - names are never abbreviated: "--re" is refused, listing --repeat and --result-file;
 * - an option that takes no value refuses "--quiet=1"; one that takes a value refuses
 *   a following "--other" as its value (write "--csv=--odd" for a file so named);
 * - each option at most once, unless its table row says it repeats;
 * - options end at "--" or at the first argument that is not one: the rest are
 *   positional, whatever they look like.
 * Every refusal prints one message (message.h) naming the option and the value as
 * given, escaped (cs_show).
 */
typedef struct cs_arg_option {
    const char *name;  /* "repeat", without the dashes */
    int takes_value;
    int repeats;       /* may be given more than once */
} cs_arg_option;

#define CS_ARGS_MAX 64

typedef struct cs_args {
    int argc;
    char **argv;
    const cs_arg_option *opts;
    size_t count;
    int next;                        /* the argv index to read next */
    int positional;                  /* options have ended */
    const char *first[CS_ARGS_MAX];  /* each option's first value ("" for none) or NULL */
} cs_args;

enum { CS_ARGS_END = -1, CS_ARGS_POSITIONAL = -2, CS_ARGS_ERROR = -3 };

/* count <= CS_ARGS_MAX. argv[0] is the program and is skipped. */
void cs_args_init(cs_args *a, int argc, char **argv, const cs_arg_option *opts, size_t count);

/* The next option's index in opts (*value its value, or NULL), CS_ARGS_POSITIONAL
 * (*value the argument), CS_ARGS_END, or CS_ARGS_ERROR after a message. */
int cs_args_next(cs_args *a, const char **value);

/* Whether option i was given. */
int cs_args_given(const cs_args *a, size_t i);

#endif
