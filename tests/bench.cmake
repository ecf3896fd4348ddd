# bench/bignum_parallel, one huge product serial, helped and beside the machine's ceiling: its
# command line and outputs (never its figures: no test judges a timing).
if(TARGET bignum_parallel)
  set(CS_BIGNUM_PARALLEL ${CMAKE_BINARY_DIR}/bench/bignum_parallel)
  add_test(NAME bignum_parallel_outputs
           COMMAND ${CS_TEST_DIR}/bench/bignum_parallel.sh ${CS_BIGNUM_PARALLEL})
  set_tests_properties(bignum_parallel_outputs PROPERTIES LABELS "cli;e2e")
  cs_expect(bignum_parallel_reps_zero 2
            "bignum_parallel: --reps '0': expected a whole number from 1 to 1000"
            ${CS_BIGNUM_PARALLEL} --reps 0)
  cs_expect(bignum_parallel_bits_small 2
            "bignum_parallel: --bits '100': expected a whole number from 38400 to 17179869184"
            ${CS_BIGNUM_PARALLEL} --bits 100)
  cs_expect(bignum_parallel_extra 2 "bignum_parallel: 'x': takes no arguments (see --help)"
            ${CS_BIGNUM_PARALLEL} x)
endif()
