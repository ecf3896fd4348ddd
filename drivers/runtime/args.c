/* argv against a table of long options: exact names, one message for each misuse. */
#include "args.h"

#include <stdio.h>
#include <string.h>

#include "message.h"

void cs_args_init(cs_args *a, int argc, char **argv, const cs_arg_option *opts, size_t count)
{
    memset(a, 0, sizeof *a);
    a->argc = argc;
    a->argv = argv;
    a->opts = opts;
    a->count = count < CS_ARGS_MAX ? count : CS_ARGS_MAX;
    a->next = 1;
}

int cs_args_given(const cs_args *a, size_t i)
{
    return i < a->count && a->first[i] != NULL;
}

static int find_exact(const cs_args *a, const char *name, size_t len)
{
    for (size_t i = 0; i < a->count; i++)
        if (strlen(a->opts[i].name) == len && strncmp(a->opts[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

/* " (did you mean --repeat or --result-file?)": the options name begins, or "". */
static void suggest(const cs_args *a, const char *name, size_t len, char *out, size_t size)
{
    size_t hits = 0, at = 0;
    out[0] = '\0';
    if (len == 0)
        return;
    for (size_t i = 0; i < a->count; i++)
        hits += strncmp(a->opts[i].name, name, len) == 0;
    size_t k = 0;
    for (size_t i = 0; i < a->count && hits && at < size; i++) {
        if (strncmp(a->opts[i].name, name, len) != 0)
            continue;
        const char *sep = k == 0 ? " (did you mean " : k + 1 == hits ? " or " : ", ";
        at += (size_t)snprintf(out + at, size - at, "%s--%s", sep, a->opts[i].name);
        k++;
    }
    if (hits && at < size)
        snprintf(out + at, size - at, "?)");
}

/* "-n", "-quiet", "-n5": there are no short options; name the long one meant. */
static int refuse_short(const cs_args *a, const char *arg)
{
    const char *name = arg + 1;
    size_t len = strcspn(name, "=");
    char hint[512];
    int i = find_exact(a, name, len);
    if (i >= 0)
        snprintf(hint, sizeof hint, " (did you mean --%s?)", a->opts[i].name);
    else
        suggest(a, name, 1, hint, sizeof hint);
    cs_error("option '%s': there are no short options, only long ones%s", cs_show(arg),
             *hint ? hint : " (see --help)");
    return CS_ARGS_ERROR;
}

int cs_args_next(cs_args *a, const char **value)
{
    *value = NULL;
    if (a->next >= a->argc)
        return CS_ARGS_END;
    const char *arg = a->argv[a->next++];
    if (!a->positional && strcmp(arg, "--") == 0) {
        a->positional = 1;
        if (a->next >= a->argc)
            return CS_ARGS_END;
        arg = a->argv[a->next++];
    }
    if (a->positional || arg[0] != '-' || arg[1] == '\0') {
        a->positional = 1;
        *value = arg;
        return CS_ARGS_POSITIONAL;
    }
    if (arg[1] != '-')
        return refuse_short(a, arg);
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    int i = find_exact(a, name, len);
    if (i < 0) {
        char hint[512];
        suggest(a, name, len, hint, sizeof hint);
        if (*hint)
            cs_error("unknown option '%s': options are not abbreviated%s", cs_show(arg), hint);
        else
            cs_error("unknown option '%s' (see --help)", cs_show(arg));
        return CS_ARGS_ERROR;
    }
    const cs_arg_option *o = &a->opts[i];
    if (!o->takes_value && eq) {
        cs_error("option '--%s' takes no value (given '%s')", o->name, cs_show(arg));
        return CS_ARGS_ERROR;
    }
    const char *v = eq ? eq + 1 : "";
    if (o->takes_value && !eq) {
        if (a->next >= a->argc) {
            cs_error("option '--%s' needs a value (see --help)", o->name);
            return CS_ARGS_ERROR;
        }
        v = a->argv[a->next++];
        if (v[0] == '-' && v[1] == '-' && v[2] != '\0') {
            cs_error("option '--%s' needs a value, not the option '%s' (write --%s=%s for a "
                     "value so spelled)", o->name, cs_show(v), o->name, cs_show(v));
            return CS_ARGS_ERROR;
        }
    }
    if (a->first[i] && !o->repeats) {
        if (o->takes_value)
            cs_error("option '--%s' given twice ('%s', then '%s'): give it once", o->name,
                     cs_show(a->first[i]), cs_show(v));
        else
            cs_error("option '--%s' given twice: give it once", o->name);
        return CS_ARGS_ERROR;
    }
    if (!a->first[i])
        a->first[i] = v;
    *value = o->takes_value ? v : NULL;
    return i;
}
