# Parallel CPU drivers: items and the tree under threads, pinning, and every kernel under
# every driver against cpu_serial; bad input and failing ranks. The whole set takes about a
# minute on two cores (mpirun starts dominate).
#
# Races: gcc's libgomp is not built for ThreadSanitizer, so a -fsanitize=thread build with gcc
# reports every hand-over between OpenMP threads as a race. Build with clang (libomp) instead,
# CC=clang cmake -DCMAKE_C_FLAGS=-fsanitize=thread -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread,
# and run with OMP_TOOL_LIBRARIES=/usr/lib/llvm-14/lib/libarcher.so (Archer tells ThreadSanitizer
# what OpenMP synchronizes) and TSAN_OPTIONS=ignore_noninstrumented_modules=1.
cs_add_cunit(test_items_tree SOURCES ${CS_TEST_DIR}/parallel/test_items_tree.c LIBS cs_parallel)
cs_add_cunit(test_pin SOURCES ${CS_TEST_DIR}/parallel/test_pin.c LIBS cs_parallel)
cs_add_cunit(test_kernels SOURCES ${CS_TEST_DIR}/parallel/test_kernels.c LIBS cs_runtime)
cs_add_cunit(test_heat SOURCES ${CS_TEST_DIR}/parallel/test_heat.c LIBS cs_runtime)

# Open MPI refuses root and more ranks than cores unless told; 4 workers on 2 cores are
# oversubscribed on purpose here and must still give the right answer.
set(CS_MPI_TEST_ENV OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
                    OMPI_MCA_rmaps_base_oversubscribe=1)
find_program(CS_MPIRUN NAMES mpirun mpiexec HINTS ${MPI_C_COMPILER_DIR} REQUIRED)

# cs_parallel_test(NAME COMMAND...): an end-to-end check with the MPI settings.
function(cs_parallel_test name)
  add_test(NAME ${name} COMMAND ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS parallel ENVIRONMENT "${CS_MPI_TEST_ENV}"
                                          TIMEOUT 300)
endfunction()

foreach(kernel product pi primes triad)
  cs_parallel_test(parallel_same_digests_${kernel}
                   ${CS_TEST_DIR}/parallel/same_digests.sh ${CS_DRIVER_DIR} ${kernel})
endforeach()
# Class W's top products (up to 51,000 limbs) are transform products, so the threads' helped
# combines at the root (omp_team, and a hybrid rank's team at the nodes that span ranks) run here.
cs_parallel_test(parallel_same_digests_product_W
                 ${CS_TEST_DIR}/parallel/same_digests.sh ${CS_DRIVER_DIR} product W)
# The nodes that span ranks are products shared by those ranks (columns, blocks, exchanges):
# uneven groups too, 5 to 7 ranks (oversubscribed), bit-identical to cpu_serial.
cs_parallel_test(parallel_same_digests_product_W_uneven_ranks
                 ${CS_TEST_DIR}/parallel/same_digests.sh ${CS_DRIVER_DIR} product W "5 6 7")
cs_parallel_test(parallel_failing_ranks ${CS_TEST_DIR}/parallel/faults.sh ${CS_DRIVER_DIR})
cs_parallel_test(parallel_outputs ${CS_TEST_DIR}/parallel/outputs.sh ${CS_DRIVER_DIR})
# The heat stencils: every driver, decomposition and overlap, halos across ranks included.
cs_parallel_test(parallel_heat_digests ${CS_TEST_DIR}/parallel/heat_digests.sh ${CS_DRIVER_DIR})
cs_parallel_test(parallel_heat3d_digests ${CS_TEST_DIR}/parallel/heat_digests.sh ${CS_DRIVER_DIR} heat3d)

# Bad input: exit 2, one message from rank 0 (one_message.sh counts the lines), nothing on stdout.
set(CS_OMP ${CS_DRIVER_DIR}/cpu_omp)
set(CS_MPI ${CS_MPIRUN} -q -np 3 --bind-to none ${CS_DRIVER_DIR}/cpu_mpi)
set(CS_HYBRID ${CS_MPIRUN} -q -np 2 --bind-to none ${CS_DRIVER_DIR}/cpu_hybrid)
function(cs_parallel_expect name code message)
  cs_parallel_test(cli_${name} ${CS_TEST_DIR}/parallel/one_message.sh ${code} ${message} -- ${ARGN})
endfunction()
cs_parallel_expect(omp_threads_zero 2 "cpu_omp: --threads '0': too small (at least 1)" ${CS_OMP} --threads 0)
cs_parallel_expect(omp_threads_not_a_number 2 "cpu_omp: --threads 'two': not a whole number" ${CS_OMP} --threads two)
cs_parallel_expect(omp_schedule_unknown 2 "cpu_omp: --schedule 'fair': must be one of static, dynamic, guided" ${CS_OMP} --schedule fair)
cs_parallel_expect(omp_bind_unknown 2 "cpu_omp: --bind 'socket': must be one of core, pu, none" ${CS_OMP} --bind socket)
cs_parallel_expect(omp_class_unknown 2 "cpu_omp: --class 'D': must be one of S, W, A, B, C, auto" ${CS_OMP} --class D)
cs_parallel_expect(omp_n_too_big 2 "cpu_omp: --n 1000000000000: three arrays of..." ${CS_OMP} --kernel triad --n 1000000000000 --threads 3)
cs_parallel_expect(omp_chunks_beyond 2 "cpu_omp: --chunks 20: n=10 has only 10 numbers to cut into items" ${CS_OMP} --kernel primes --n 10 --chunks 20)
cs_parallel_expect(mpi_threads_not_taken 2 "cpu_mpi: unknown option '--threads' (see --help)" ${CS_MPI} --threads 2)
cs_parallel_expect(mpi_schedule_unknown 2 "cpu_mpi: --schedule 'fair': must be one of static, dynamic, guided" ${CS_MPI} --schedule fair)
cs_parallel_expect(mpi_bind_unknown 2 "cpu_mpi: --bind 'socket': must be one of core, pu, none" ${CS_MPI} --bind socket)
cs_parallel_expect(mpi_class_unknown 2 "cpu_mpi: --class 'D': must be one of S, W, A, B, C, auto" ${CS_MPI} --class D)
cs_parallel_expect(mpi_repeat_not_a_number 2 "cpu_mpi: --repeat 'x': not a whole number" ${CS_MPI} --repeat x)
cs_parallel_expect(mpi_n_too_big 2 "cpu_mpi: --n 5000: the result has about..." ${CS_MPI} --n 5000)
cs_parallel_expect(mpi_csv_unopenable 2 "cpu_mpi: --csv '/nonexistent/rows.csv': cannot open: No such file or directory" ${CS_MPI} --class S --csv /nonexistent/rows.csv)
cs_parallel_expect(mpi_help 0 SILENT ${CS_MPI} --help)
cs_parallel_expect(omp_class_c_checked 2 "cpu_omp: --chunks 30000000: n=300 has only 26730899 iterations to cut into items" ${CS_OMP} --class C --chunks 30000000)
cs_parallel_expect(mpi_class_c_checked 2 "cpu_mpi: --chunks 900000000: n=800000000 has only 800000000 elements to cut into items" ${CS_MPI} --kernel triad --class C --chunks 900000000)
cs_parallel_expect(hybrid_class_unknown 2 "cpu_hybrid: --class 'D': must be one of S, W, A, B, C, auto" ${CS_HYBRID} --class D)
cs_parallel_expect(hybrid_class_c_checked 2 "cpu_hybrid: --chunks 200000000: n=134217728 has only 134217728 numbers to cut into items" ${CS_HYBRID} --kernel primes --class C --chunks 200000000)
cs_parallel_expect(hybrid_threads_zero 2 "cpu_hybrid: --threads '0': too small (at least 1)" ${CS_HYBRID} --threads 0)
cs_parallel_expect(hybrid_threads_not_a_number 2 "cpu_hybrid: --threads '1e3': not a whole number" ${CS_HYBRID} --threads 1e3)
cs_parallel_expect(hybrid_kernel_unknown 2 "cpu_hybrid: --kernel 'fft': unknown kernel (known: ..." ${CS_HYBRID} --kernel fft)
# The cross-rank tree itself, under owner maps the hand-out makes and worse, with the root
# shared by its two owners (split, join) and failures on either side of it.
add_executable(test_mpi_tree ${CS_TEST_DIR}/parallel/test_mpi_tree.c)
target_link_libraries(test_mpi_tree PRIVATE cs_mpi_runtime)
foreach(ranks 3 4)
  cs_parallel_test(parallel_mpi_tree_np${ranks}
                   ${CS_MPIRUN} -q -np ${ranks} --bind-to none $<TARGET_FILE:test_mpi_tree>)
endforeach()
