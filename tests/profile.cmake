# --profile: the analysis against closed forms (CUnit), the recorder end to end under every
# CPU driver, the CSV's work_s/span_s, and cs_profile's refusals.
cs_add_cunit(test_span SOURCES ${CS_TEST_DIR}/unit/test_span.c LIBS cs_parallel)

# The recorder under every CPU driver (mpirun on 3 ranks and 2 x 2: oversubscribed on purpose).
cs_parallel_test(profile_recorder ${CS_TEST_DIR}/profile/recorder.sh ${CS_DRIVER_DIR} ${CS_MPIRUN})

# Bad --profile paths: exit 2, the option and the path named, before any work.
cs_expect(profile_unopenable 2 "cpu_serial: --profile '/nonexistent/p.txt': cannot open: No such file or directory" ${CS_SERIAL} --class S --profile /nonexistent/p.txt)
cs_expect(profile_empty 2 "cpu_serial: --profile '': empty, a file name is needed" ${CS_SERIAL} --class S --profile=)
cs_parallel_expect(omp_profile_unopenable 2 "cpu_omp: --profile '/nonexistent/p.txt': cannot open: No such file or directory" ${CS_OMP} --class S --profile /nonexistent/p.txt)
cs_parallel_expect(mpi_profile_unopenable 2 "cpu_mpi: --profile '/nonexistent/p.txt': cannot open: No such file or directory" ${CS_MPI} --class S --profile /nonexistent/p.txt)
cs_parallel_expect(hybrid_profile_unopenable 2 "cpu_hybrid: --profile '/nonexistent/p.txt': cannot open: No such file or directory" ${CS_HYBRID} --class S --profile /nonexistent/p.txt)

# cs_profile: bad options exit 2 naming the option; a malformed file exits 1 naming the line.
set(CS_PROFILE_TOOL ${CS_DRIVER_DIR}/cs_profile)
set(CS_PROFILE_FIXTURES ${CS_TEST_DIR}/profile)
cs_expect(cs_profile_help 0 SILENT ${CS_PROFILE_TOOL} --help)
cs_expect(cs_profile_good 0 SILENT ${CS_PROFILE_TOOL} --workers 1,2,3 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_workers_zero 2 "cs_profile: --workers '0': too small (at least 1)" ${CS_PROFILE_TOOL} --workers 0 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_workers_empty_item 2 "cs_profile: --workers '2,,4': empty item in the list" ${CS_PROFILE_TOOL} --workers 2,,4 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_option_unknown 2 "cs_profile: unknown option '--threads' (see --help)" ${CS_PROFILE_TOOL} --threads 2 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_no_file 2 "cs_profile: no profile file given (see --help)" ${CS_PROFILE_TOOL})
cs_expect(cs_profile_unopenable 2 "cs_profile: '/nonexistent/p.txt': cannot open: No such file or directory" ${CS_PROFILE_TOOL} /nonexistent/p.txt)
cs_expect(cs_profile_directory 2 "cs_profile: '${CS_PROFILE_FIXTURES}': cannot open: Is a directory" ${CS_PROFILE_TOOL} ${CS_PROFILE_FIXTURES})
cs_expect(cs_profile_workers_too_many 2 "cs_profile: --workers '65537': too large (at most 65536)" ${CS_PROFILE_TOOL} --workers 65537 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_latency_not_number 2 "cs_profile: --latency 'abc': not a number of seconds from 0 to 1" ${CS_PROFILE_TOOL} --latency abc ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_latency_too_large 2 "cs_profile: --latency '2': not a number of seconds from 0 to 1" ${CS_PROFILE_TOOL} --latency 2 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_latency_negative 2 "cs_profile: --latency '-1e-6': not a number of seconds from 0 to 1" ${CS_PROFILE_TOOL} --latency -1e-6 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_bandwidth_zero 2 "cs_profile: --bandwidth '0': not a number of bytes per second above 0 (at most 1e15)" ${CS_PROFILE_TOOL} --bandwidth 0 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_bandwidth_nan 2 "cs_profile: --bandwidth 'nan': not a number of bytes per second above 0 (at most 1e15)" ${CS_PROFILE_TOOL} --bandwidth nan ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_bandwidth_trailing 2 "cs_profile: --bandwidth '5e9x': not a number of bytes per second above 0 (at most 1e15)" ${CS_PROFILE_TOOL} --bandwidth 5e9x ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_layout_no_ranks 2 "cs_profile: --workers '0x4': a layout is RANKSxTHREADS, 1 to 65536 workers in all" ${CS_PROFILE_TOOL} --workers 0x4 ${CS_PROFILE_FIXTURES}/two-ranks.txt)
cs_expect(cs_profile_layout_no_threads 2 "cs_profile: --workers '4x': a layout is RANKSxTHREADS, 1 to 65536 workers in all" ${CS_PROFILE_TOOL} --workers 2,4x ${CS_PROFILE_FIXTURES}/two-ranks.txt)
cs_expect(cs_profile_layout_too_many 2 "cs_profile: --workers '300x300': a layout is RANKSxTHREADS, 1 to 65536 workers in all" ${CS_PROFILE_TOOL} --workers 300x300 ${CS_PROFILE_FIXTURES}/two-ranks.txt)
cs_expect(cs_profile_layout_one_process 2 "cs_profile: --workers '2x2': block 1 is cpu_serial's, one process\; a layout of ranks needs a cpu_mpi or cpu_hybrid profile" ${CS_PROFILE_TOOL} --workers 1x4,2x2 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_layout_one_rank 0 SILENT ${CS_PROFILE_TOOL} --workers 1x4 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_serial_zero 2 "cs_profile: --serial '0': not a number of seconds above 0" ${CS_PROFILE_TOOL} --serial 0 ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_serial_not_number 2 "cs_profile: --serial '2s': not a number of seconds above 0" ${CS_PROFILE_TOOL} --serial 2s ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(cs_profile_serial_two_cases 2 "cs_profile: --serial: block 2 is product n=3, block 1 product n=2\; a serial time is one case's, so give a profile of one case" ${CS_PROFILE_TOOL} --serial 0.003 ${CS_PROFILE_FIXTURES}/two-cases.txt)
cs_expect(cs_profile_group_cost_one_rank 2 "cs_profile: --group-cost '1:2': an item is RANKS:FACTOR, ranks from 2 to 65536, a factor from 0.1 to 100" ${CS_PROFILE_TOOL} --group-cost 1:2 ${CS_PROFILE_FIXTURES}/two-ranks.txt)
cs_expect(cs_profile_group_cost_no_factor 2 "cs_profile: --group-cost '4:': an item is RANKS:FACTOR, ranks from 2 to 65536, a factor from 0.1 to 100" ${CS_PROFILE_TOOL} --group-cost 2:1.5,4: ${CS_PROFILE_FIXTURES}/two-ranks.txt)
cs_expect(cs_profile_group_cost_empty_item 2 "cs_profile: --group-cost '2:1.5,': empty item in the list" ${CS_PROFILE_TOOL} --group-cost 2:1.5, ${CS_PROFILE_FIXTURES}/two-ranks.txt)
cs_expect(cs_profile_group_cost_spaced 2 "cs_profile: --group-cost '2: 1.5': an item is RANKS:FACTOR, ranks from 2 to 65536, a factor from 0.1 to 100" ${CS_PROFILE_TOOL} "--group-cost=2: 1.5" ${CS_PROFILE_FIXTURES}/two-ranks.txt)
cs_expect(cs_profile_group_cost_falling 2 "cs_profile: --group-cost '4:2,2:1.5': ranks must rise from item to item" ${CS_PROFILE_TOOL} --group-cost 4:2,2:1.5 ${CS_PROFILE_FIXTURES}/two-ranks.txt)
# --workers RANKSxTHREADS, --serial and --group-cost on two-rank and one-rank profiles.
add_test(NAME cs_profile_layouts COMMAND ${CS_TEST_DIR}/profile/layouts.sh ${CS_PROFILE_TOOL} ${CS_PROFILE_FIXTURES})
set_tests_properties(cs_profile_layouts PROPERTIES LABELS cli)
# --latency and --bandwidth cost a two-rank profile's message as given.
add_test(NAME cs_profile_given_model COMMAND ${CS_TEST_DIR}/profile/given_model.sh ${CS_PROFILE_TOOL} ${CS_PROFILE_FIXTURES}/two-ranks.txt)
set_tests_properties(cs_profile_given_model PROPERTIES LABELS cli)
cs_expect(cs_profile_bad_dependency 1 "cs_profile: '${CS_PROFILE_FIXTURES}/bad-dependency.txt': line 6: dependency '9': not the id of an earlier task" ${CS_PROFILE_TOOL} ${CS_PROFILE_FIXTURES}/bad-dependency.txt)
cs_expect(cs_profile_bad_rank 1 "cs_profile: '${CS_PROFILE_FIXTURES}/bad-rank.txt': line 5: rank 1: the block's header says ranks=1" ${CS_PROFILE_TOOL} ${CS_PROFILE_FIXTURES}/bad-rank.txt)
cs_expect(cs_profile_bad_thread 1 "cs_profile: '${CS_PROFILE_FIXTURES}/bad-thread.txt': line 5: thread 3: the block's header says threads=1" ${CS_PROFILE_TOOL} ${CS_PROFILE_FIXTURES}/bad-thread.txt)
cs_expect(cs_profile_short_line 1 "cs_profile: '${CS_PROFILE_FIXTURES}/short-line.txt': line 5: 5 fields, expected 8 (id kind rank thread start_s end_s bytes deps)" ${CS_PROFILE_TOOL} ${CS_PROFILE_FIXTURES}/short-line.txt)
cs_expect(cs_profile_not_a_profile 1 "cs_profile: '${CS_TEST_DIR}/profile.cmake': line 3: a task before any '# block' header" ${CS_PROFILE_TOOL} ${CS_TEST_DIR}/profile.cmake)

# scripts/predict.sh: its refusals, and a plot from a canned profile beside a canned sweep.
set(CS_PREDICT ${CMAKE_SOURCE_DIR}/scripts/predict.sh)
cs_expect(predict_help 0 SILENT ${CS_PREDICT} --help)
cs_expect(predict_no_profile 2 "predict: no profile given (see --help)" ${CS_PREDICT})
cs_expect(predict_bad_workers 2 "predict: --workers '2,x': not a comma list of whole numbers" ${CS_PREDICT} --workers 2,x ${CS_PROFILE_FIXTURES}/good.txt)
cs_expect(predict_no_results 2 "predict: '/nonexistent': no such directory" ${CS_PREDICT} ${CS_PROFILE_FIXTURES}/good.txt /nonexistent)
add_test(NAME predict_plots COMMAND ${CS_TEST_DIR}/profile/predict_plots.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
# A stencil's blocks (heat): work, span and halo exchange summed from its steps, exit 0.
add_test(NAME cs_profile_stencil COMMAND sh -c
  "${CS_PROFILE_TOOL} ${CS_PROFILE_FIXTURES}/stencil.txt | grep -qF 'work 0.600000 s, span 0.060000 s (parallelism 10.0), halo exchange 0.030000 s over 3 steps'")
set_tests_properties(cs_profile_stencil PROPERTIES LABELS "cli;e2e")
