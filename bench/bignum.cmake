# Random operands that the bignum benchmarks share.
add_library(cs_bench_operands STATIC ${CMAKE_CURRENT_LIST_DIR}/operands.c)
target_include_directories(cs_bench_operands PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(cs_bench_operands PUBLIC cs_bignum)

# bignum beside GMP: mul at 100..50k limbs, the word product loop, decimal conversion (needs GMP).
if(CS_HAVE_GMP)
  add_executable(bignum_vs_gmp ${CMAKE_CURRENT_LIST_DIR}/bignum_vs_gmp.c)
  target_link_libraries(bignum_vs_gmp PRIVATE cs_runtime cs_bench_operands cs_gmp)
endif()
# One 70-million-bit product: serial, helped by 1..T OpenMP threads, GMP; its work/span profile.
add_executable(bignum_parallel ${CMAKE_CURRENT_LIST_DIR}/bignum_parallel.c
               ${CMAKE_CURRENT_LIST_DIR}/ceiling.c)
target_link_libraries(bignum_parallel PRIVATE cs_runtime cs_bench_operands OpenMP::OpenMP_C)
if(CS_HAVE_GMP)
  target_link_libraries(bignum_parallel PRIVATE cs_gmp)
  target_compile_definitions(bignum_parallel PRIVATE CS_BENCH_HAVE_GMP)
endif()
# One 70-million-bit product shared by MPI ranks (bignum_mul_group) beside rank 0 alone.
if(TARGET cs_mpi_runtime)
  # What a message costs between two ranks: the latency and bandwidth cs_profile predicts with.
  add_executable(mpi_pingpong ${CMAKE_CURRENT_LIST_DIR}/mpi_pingpong.c)
  target_link_libraries(mpi_pingpong PRIVATE cs_mpi_runtime)
  add_executable(bignum_group ${CMAKE_CURRENT_LIST_DIR}/bignum_group.c)
  target_link_libraries(bignum_group PRIVATE cs_mpi_runtime cs_bench_operands)
endif()
