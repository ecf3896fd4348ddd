/* Messages to people: every one names the program, and errors name the bad input. */
#ifndef CS_MESSAGE_H
#define CS_MESSAGE_H

/* Exit codes shared by every driver (DESIGN.md). */
enum { CS_EXIT_OK = 0, CS_EXIT_FAIL = 1, CS_EXIT_USAGE = 2 };

/* Set once in main(); messages start with it. Only rank 0 of an MPI job should
 * print, which cs_message_set_quiet_rank() arranges for warnings and notes. */
void cs_message_init(const char *program);
const char *cs_program(void);
void cs_message_set_silent(int silent); /* suppresses notes and warnings, not errors */

/* text as a message may show it: control bytes (and DEL) as \xNN, never raw, and a value
 * over CS_SHOW_MAX bytes cut there with "...(N bytes)" after it. The result lives in one of
 * a few rotating per-thread buffers: good for the arguments of one message. */
#define CS_SHOW_MAX 240
const char *cs_show(const char *text);

void cs_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cs_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cs_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
