# bench/bignum_parallel, one huge product serial, helped and beside the machine's ceiling: its
# command line and outputs (never its figures: no test judges a timing).
if(TARGET bignum_parallel)
  set(CS_BIGNUM_PARALLEL ${CMAKE_BINARY_DIR}/bench/bignum_parallel)
  add_test(NAME bignum_parallel_outputs
           COMMAND ${CS_TEST_DIR}/bench/bignum_parallel.sh ${CS_BIGNUM_PARALLEL})
  set_tests_properties(bignum_parallel_outputs PROPERTIES LABELS "cli;e2e")
  # its bad options are rows of tests/e2e/bad_args.tsv, with every other program's
endif()
