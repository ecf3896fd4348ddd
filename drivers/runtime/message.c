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

const char *cs_show(const char *text)
{
    /* four buffers: a message may show a few values at once */
    static _Thread_local char bufs[4][CS_SHOW_MAX * 4 + 48]; /* 4 bytes a shown byte, the length */
    static _Thread_local unsigned turn;
    char *out = bufs[turn++ % 4];
    size_t at = 0, len = 0;
    if (!text)
        return "(null)";
    for (const unsigned char *c = (const unsigned char *)text; *c; c++, len++) {
        if (len >= CS_SHOW_MAX)
            continue; /* count the rest */
        if (*c < 0x20 || *c == 0x7f)
            at += (size_t)sprintf(out + at, "\\x%02X", *c);
        else
            out[at++] = (char)*c;
    }
    out[at] = '\0';
    if (len > CS_SHOW_MAX)
        sprintf(out + at, "...(%zu bytes)", len);
    return out;
}

static void say(const char *kind, const char *fmt, va_list ap)
{
    /* One buffer, one fputs: lines from concurrent ranks do not interleave. */
    char line[4096];
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
