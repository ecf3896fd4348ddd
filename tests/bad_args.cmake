# Malformed command lines across every driver and tool, one a row of tests/e2e/bad_args.tsv:
# each exits 2 with one message naming the option and the value, before any work.
add_test(NAME cli_bad_args
         COMMAND bash ${CS_TEST_DIR}/e2e/bad_args.sh ${CS_DRIVER_DIR} ${CMAKE_BINARY_DIR}/bench
                 ${CS_TEST_DIR}/e2e/bad_args.tsv)
set_tests_properties(cli_bad_args PROPERTIES LABELS "cli;e2e" TIMEOUT 600 SKIP_RETURN_CODE 77)

# The argv reader itself, cs_show and the room checks, one behaviour a test.
cs_add_cunit(test_args SOURCES ${CS_TEST_DIR}/unit/test_args.c LIBS cs_runtime)
