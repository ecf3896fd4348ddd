# The machine's own STREAM-style triad, the reference for the triad kernel (scripts/bench_cpu.sh).
add_executable(stream_triad ${CMAKE_CURRENT_LIST_DIR}/stream_triad.c)
target_link_libraries(stream_triad PRIVATE cs_runtime cs_hwloc OpenMP::OpenMP_C)
