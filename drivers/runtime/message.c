/* Messages to people on stderr, each one line, each naming the program. */
#include "message.h"

#include <stdarg.h>
#include <stdio.h>

static const char *program_name = "corescale";
static int silent;

void cs_message_init(const char *program)
{
    program_name = program;
}

const char *cs_program(void)
{
    return program_name;
}

void cs_message_set_silent(int s)
{
    silent = s;
}

static void say(const char *kind, const char *fmt, va_list ap)
{
    /* One buffer, one fputs: lines from concurrent ranks do not interleave. */
    char line[1024];
    int off = snprintf(line, sizeof line, "%s: %s", program_name, kind);
    if (off < 0 || (size_t)off >= sizeof line)
        off = 0;
    vsnprintf(line + off, sizeof line - (size_t)off, fmt, ap);
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
}

void cs_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("", fmt, ap);
    va_end(ap);
}

void cs_warn(const char *fmt, ...)
{
    if (silent)
        return;
    va_list ap;
    va_start(ap, fmt);
    say("warning: ", fmt, ap);
    va_end(ap);
}

void cs_note(const char *fmt, ...)
{
    if (silent)
        return;
    va_list ap;
    va_start(ap, fmt);
    say("note: ", fmt, ap);
    va_end(ap);
}
