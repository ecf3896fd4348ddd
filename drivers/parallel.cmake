# Parallel CPU drivers: OpenMP threads, MPI ranks and both, pinned with hwloc.
# cs_parallel: pinning and OpenMP teams; cs_mpi_runtime: ranks, hand-out and the cross-rank tree.
add_library(cs_parallel STATIC
  runtime/pin.c
  runtime/omp_team.c
  runtime/omp_steps.c
)
target_link_libraries(cs_parallel PUBLIC cs_runtime cs_hwloc OpenMP::OpenMP_C)

add_executable(cpu_omp cpu_omp.c)
target_link_libraries(cpu_omp PRIVATE cs_parallel)

# The clock under load: W pinned workers run the multiply chain at once (scripts/sweep.sh's probe).
add_executable(cs_clock cs_clock.c)
target_link_libraries(cs_clock PRIVATE cs_parallel m)

if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/runtime/mpi_exec.c)
  add_library(cs_mpi_runtime STATIC
    runtime/mpi_exec.c
    runtime/mpi_handout.c
    runtime/mpi_tree.c
    runtime/mpi_halo.c
    runtime/mpi_check.c
  )
  target_link_libraries(cs_mpi_runtime PUBLIC cs_parallel MPI::MPI_C)

  add_executable(cpu_mpi cpu_mpi.c)
  target_link_libraries(cpu_mpi PRIVATE cs_mpi_runtime)

  add_executable(cpu_hybrid cpu_hybrid.c)
  target_link_libraries(cpu_hybrid PRIVATE cs_mpi_runtime)
endif()
