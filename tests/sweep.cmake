# Sweeps and plots (scripts/sweep.sh, scripts/plot.sh): end-to-end checks in scratch directories.
set(CS_SWEEP_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/sweep)

# The class S sweep takes whichever CPU drivers this tree builds (cpu_serial always) and one
# fetch driver, so it checks every driver as it lands.
set(cs_sweep_cpu_drivers cpu_serial)
foreach(d cpu_omp cpu_mpi cpu_hybrid)
  if(TARGET ${d})
    string(APPEND cs_sweep_cpu_drivers ",${d}")
  endif()
endforeach()
set(cs_sweep_fetch_driver "")
if(TARGET io_async)
  set(cs_sweep_fetch_driver io_async)
endif()

add_test(NAME sweep_class_s_rows
         COMMAND bash ${CS_SWEEP_TESTS}/sweep_rows.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}
                 ${cs_sweep_cpu_drivers} ${cs_sweep_fetch_driver})
add_test(NAME sweep_failed_point_recorded
         COMMAND bash ${CS_SWEEP_TESTS}/sweep_failures.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
add_test(NAME sweep_bad_options
         COMMAND bash ${CS_SWEEP_TESTS}/sweep_options.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
add_test(NAME sweep_weak_scaling
         COMMAND bash ${CS_SWEEP_TESTS}/sweep_weak.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
add_test(NAME compare_synthetic_runs
         COMMAND bash ${CS_SWEEP_TESTS}/compare_runs.sh ${CMAKE_SOURCE_DIR})
add_test(NAME plot_canned_sweep
         COMMAND bash ${CS_SWEEP_TESTS}/plot_canned.sh ${CMAKE_SOURCE_DIR})
add_test(NAME plot_clock_weak_intervals
         COMMAND bash ${CS_SWEEP_TESTS}/plot_clock_weak.sh ${CMAKE_SOURCE_DIR})
add_test(NAME plot_bad_input
         COMMAND bash ${CS_SWEEP_TESTS}/plot_options.sh ${CMAKE_SOURCE_DIR})
# Every script's malformed invocations (bad_options.tsv): exit 2, one message, no work started.
add_test(NAME scripts_bad_options
         COMMAND bash ${CS_SWEEP_TESTS}/bad_options.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
# The limits the scripts check (scripts/lib/limits.sh) against the drivers', at each boundary.
add_test(NAME scripts_limits_match_drivers
         COMMAND bash ${CS_SWEEP_TESTS}/limits_match_drivers.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
set_tests_properties(sweep_class_s_rows sweep_failed_point_recorded sweep_bad_options sweep_weak_scaling compare_synthetic_runs plot_clock_weak_intervals
                     plot_canned_sweep plot_bad_input scripts_bad_options scripts_limits_match_drivers
                     PROPERTIES LABELS "e2e;sweep" TIMEOUT 300)
