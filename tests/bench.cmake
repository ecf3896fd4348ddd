# bench/bignum_parallel, one huge product serial, helped and beside the machine's ceiling: its
# command line and outputs (never its figures: no test judges a timing).
if(TARGET bignum_parallel)
  set(CS_BIGNUM_PARALLEL ${CMAKE_BINARY_DIR}/bench/bignum_parallel)
  add_test(NAME bignum_parallel_outputs
           COMMAND ${CS_TEST_DIR}/bench/bignum_parallel.sh ${CS_BIGNUM_PARALLEL})
  set_tests_properties(bignum_parallel_outputs PROPERTIES LABELS "cli;e2e")
  # its bad options are rows of tests/e2e/bad_args.tsv, with every other program's
endif()
# bench/bignum_group, one product shared by MPI ranks both ways beside rank 0 alone: its outputs.
if(TARGET bignum_group)
  find_program(CS_MPIRUN NAMES mpirun mpiexec HINTS ${MPI_C_COMPILER_DIR} REQUIRED)
  add_test(NAME bignum_group_outputs
           COMMAND ${CS_TEST_DIR}/bench/bignum_group.sh ${CS_MPIRUN} ${CMAKE_BINARY_DIR}/bench/bignum_group)
  set_tests_properties(bignum_group_outputs PROPERTIES LABELS "cli;e2e;parallel"
                       ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1")
endif()
# bench/mpi_pingpong, what a message costs between two ranks: its rows, the cs_profile options it
# prints (which cs_profile takes), its refusals.
if(TARGET mpi_pingpong)
  find_program(CS_MPIRUN NAMES mpirun mpiexec HINTS ${MPI_C_COMPILER_DIR} REQUIRED)
  add_test(NAME mpi_pingpong_outputs
           COMMAND ${CS_TEST_DIR}/bench/mpi_pingpong.sh ${CS_MPIRUN} ${CMAKE_BINARY_DIR}/bench/mpi_pingpong
                   ${CMAKE_BINARY_DIR}/drivers/cs_profile ${CS_TEST_DIR}/profile/two-ranks.txt)
  set_tests_properties(mpi_pingpong_outputs PROPERTIES LABELS "cli;e2e;parallel"
                       ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1")
endif()
