/* The argv reader every program shares (args.c), cs_show, and the room checks: each
 * misuse refused with one message naming it, values shown escaped. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "args.h"
#include "kernel.h"
#include "message.h"
#include "thread_room.h"

static const cs_arg_option table[] = {
    {"repeat", 1, 0}, {"result-file", 1, 0}, {"quiet", 0, 0}, {"url", 1, 1}, {"n", 1, 0},
};
#define TABLE_SIZE (sizeof table / sizeof table[0])

/* What one scan of argv gave: the last return, the options seen in order, and stderr. */
struct scan {
    int last;
    int ids[16];
    const char *values[16];
    int count;
    char err[2048];
    int err_lines;
};

static void scan_args(int argc, char **argv, struct scan *s)
{
    memset(s, 0, sizeof *s);
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved = dup(STDERR_FILENO);
    dup2(fileno(tmp), STDERR_FILENO);
    cs_args a;
    cs_args_init(&a, argc, argv, table, TABLE_SIZE);
    const char *v;
    int id;
    while ((id = cs_args_next(&a, &v)) >= 0 || id == CS_ARGS_POSITIONAL) {
        if (s->count < 16) {
            s->ids[s->count] = id;
            s->values[s->count++] = v;
        }
    }
    s->last = id;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t got = fread(s->err, 1, sizeof s->err - 1, tmp);
    s->err[got] = '\0';
    fclose(tmp);
    for (char *c = s->err; *c; c++)
        s->err_lines += *c == '\n';
}

#define SCAN(s, ...)                                                                      \
    do {                                                                                  \
        char *argv_[] = {"prog", __VA_ARGS__, NULL};                                      \
        scan_args((int)(sizeof argv_ / sizeof argv_[0]) - 1, argv_, (s));                 \
    } while (0)

static void test_values_both_spellings(void)
{
    struct scan s;
    SCAN(&s, "--repeat", "3", "--n=5", "--result-file=", "--quiet");
    CU_ASSERT_EQUAL(s.last, CS_ARGS_END);
    CU_ASSERT_EQUAL(s.count, 4);
    CU_ASSERT_STRING_EQUAL(s.values[0], "3");
    CU_ASSERT_STRING_EQUAL(s.values[1], "5");
    CU_ASSERT_STRING_EQUAL(s.values[2], "");
    CU_ASSERT_PTR_NULL(s.values[3]);
    CU_ASSERT_EQUAL(s.err_lines, 0);
}

static void test_positional_ends_options(void)
{
    struct scan s;
    SCAN(&s, "--quiet", "file", "--repeat", "3");
    CU_ASSERT_EQUAL(s.last, CS_ARGS_END);
    CU_ASSERT_EQUAL(s.count, 4);
    CU_ASSERT_EQUAL(s.ids[1], CS_ARGS_POSITIONAL);
    CU_ASSERT_EQUAL(s.ids[2], CS_ARGS_POSITIONAL);
    CU_ASSERT_STRING_EQUAL(s.values[2], "--repeat");
    SCAN(&s, "--", "--quiet");
    CU_ASSERT_EQUAL(s.ids[0], CS_ARGS_POSITIONAL);
    CU_ASSERT_STRING_EQUAL(s.values[0], "--quiet");
}

static void test_abbreviation_lists_candidates(void)
{
    struct scan s;
    SCAN(&s, "--re", "2");
    CU_ASSERT_EQUAL(s.last, CS_ARGS_ERROR);
    CU_ASSERT_EQUAL(s.err_lines, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err, "unknown option '--re': options are not abbreviated "
                                         "(did you mean --repeat or --result-file?)"));
}

static void test_unknown_option(void)
{
    struct scan s;
    SCAN(&s, "--bogus=1");
    CU_ASSERT_EQUAL(s.last, CS_ARGS_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err, "unknown option '--bogus=1' (see --help)"));
}

static void test_flag_refuses_value(void)
{
    struct scan s;
    SCAN(&s, "--quiet=1");
    CU_ASSERT_EQUAL(s.last, CS_ARGS_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err, "option '--quiet' takes no value (given '--quiet=1')"));
}

static void test_short_option_names_long_one(void)
{
    struct scan s;
    SCAN(&s, "-n", "5");
    CU_ASSERT_EQUAL(s.last, CS_ARGS_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err, "option '-n': there are no short options, only long "
                                         "ones (did you mean --n?)"));
    SCAN(&s, "-q");
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err, "(did you mean --quiet?)"));
}

static void test_missing_value(void)
{
    struct scan s;
    SCAN(&s, "--repeat");
    CU_ASSERT_EQUAL(s.last, CS_ARGS_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err, "option '--repeat' needs a value (see --help)"));
    SCAN(&s, "--result-file", "--quiet");
    CU_ASSERT_EQUAL(s.last, CS_ARGS_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err, "option '--result-file' needs a value, not the option "
                                         "'--quiet'"));
    SCAN(&s, "--result-file=--quiet"); /* spelled out, it is a value */
    CU_ASSERT_EQUAL(s.last, CS_ARGS_END);
}

static void test_repeated_option_refused(void)
{
    struct scan s;
    SCAN(&s, "--repeat", "2", "--repeat=3");
    CU_ASSERT_EQUAL(s.last, CS_ARGS_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err, "option '--repeat' given twice ('2', then '3'): give "
                                         "it once"));
    SCAN(&s, "--quiet", "--quiet");
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err, "option '--quiet' given twice: give it once"));
    SCAN(&s, "--url", "a", "--url", "b"); /* this table lets --url repeat */
    CU_ASSERT_EQUAL(s.last, CS_ARGS_END);
    CU_ASSERT_EQUAL(s.count, 2);
}

static void test_show_escapes_control_bytes(void)
{
    CU_ASSERT_STRING_EQUAL(cs_show("a\x01" "b\x1b[31m\x7f"), "a\\x01b\\x1B[31m\\x7F");
    CU_ASSERT_STRING_EQUAL(cs_show("plain ascii, and UTF-8: \xc3\xa9"), "plain ascii, and UTF-8: \xc3\xa9");
    struct scan s;
    SCAN(&s, "--bo\x1bgus");
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err, "'--bo\\x1Bgus'"));
    CU_ASSERT_PTR_NULL(strchr(s.err, '\x1b'));
}

static void test_show_cuts_long_values(void)
{
    char longer[CS_SHOW_MAX + 11];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    const char *shown = cs_show(longer);
    CU_ASSERT_EQUAL(strlen(shown), CS_SHOW_MAX + strlen("...(250 bytes)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(shown, "...(250 bytes)"));
}

static void test_show_buffers_rotate(void)
{
    const char *a = cs_show("first"), *b = cs_show("second");
    CU_ASSERT_STRING_EQUAL(a, "first"); /* two values in one message both survive */
    CU_ASSERT_STRING_EQUAL(b, "second");
}

static void test_thread_room_gives_a_few(void)
{
    char why[256];
    CU_ASSERT_EQUAL(cs_thread_room(8, why, sizeof why), 8);
    CU_ASSERT_STRING_EQUAL(why, "");
}

/* Under ulimit -v the room is what is left below the limit, and the text says so. ASan
 * reserves terabytes of address space, so the check cannot run under it. */
static void test_memory_room_respects_ulimit_v(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return;
#else
    struct rlimit old;
    CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_AS, &old), 0);
    char what[160];
    double free_room = cs_memory_room(what, sizeof what);
    struct rlimit low = {(rlim_t)4 << 30, old.rlim_max};
    if (old.rlim_max != RLIM_INFINITY && old.rlim_max < low.rlim_cur)
        low.rlim_cur = old.rlim_max;
    CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_AS, &low), 0);
    double room = cs_memory_room(what, sizeof what);
    setrlimit(RLIMIT_AS, &old);
    CU_ASSERT(room <= (double)low.rlim_cur);
    CU_ASSERT(room > 0);
    if (free_room > (double)low.rlim_cur)
        CU_ASSERT_PTR_NOT_NULL(strstr(what, "ulimit -v"));
#endif
}

int main(void)
{
    cs_message_init("test_args");
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("args", NULL, NULL);
    CU_add_test(s, "a value follows or comes after =", test_values_both_spellings);
    CU_add_test(s, "the first positional argument ends the options", test_positional_ends_options);
    CU_add_test(s, "an abbreviation is refused, listing the options it begins",
                test_abbreviation_lists_candidates);
    CU_add_test(s, "an unknown option is named whole", test_unknown_option);
    CU_add_test(s, "an option that takes no value refuses =value", test_flag_refuses_value);
    CU_add_test(s, "a short option names the long one", test_short_option_names_long_one);
    CU_add_test(s, "a missing value, or an option in its place, is refused", test_missing_value);
    CU_add_test(s, "a repeated option is refused unless its row says it repeats",
                test_repeated_option_refused);
    CU_add_test(s, "cs_show escapes control bytes", test_show_escapes_control_bytes);
    CU_add_test(s, "cs_show cuts a long value and says its length", test_show_cuts_long_values);
    CU_add_test(s, "cs_show's buffers serve several values in one message", test_show_buffers_rotate);
    CU_add_test(s, "cs_thread_room starts a few threads", test_thread_room_gives_a_few);
    CU_add_test(s, "cs_memory_room respects ulimit -v", test_memory_room_respects_ulimit_v);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
