# Fetch clients and io_server: unit suites and end-to-end runs on loopback (tests/io/).
if(NOT TARGET cs_fetch)
  return()
endif()

cs_add_cunit(io_units SOURCES ${CS_TEST_DIR}/io/test_fetch_units.c LIBS cs_fetch)
cs_add_cunit(io_server_units SOURCES ${CS_TEST_DIR}/io/test_server_request.c LIBS cs_fetch)

add_executable(io_probe ${CS_TEST_DIR}/io/io_probe.c)
target_link_libraries(io_probe PRIVATE CURL::libcurl)

set(CS_IO_E2E_CASES
  counts_serial counts_threads counts_async counts_mpi
  fault_refused fault_unknown-host fault_timeout fault_status fault_short-body fault_bad-body
  faults_mixed bad_urls concurrency connections server_400 server_10k server_signals cli
  fault_bad-length server_413 server_431 server_503_memory server_503_connections server_no_body
  server_vanished server_emfile server_hostile_sigterm server_cli
  server_query server_bare_lf server_half_close)
foreach(c ${CS_IO_E2E_CASES})
  add_test(NAME io_${c}
           COMMAND bash ${CS_TEST_DIR}/io/io_e2e.sh ${c} ${CS_DRIVER_DIR} $<TARGET_FILE:io_probe>)
  set_tests_properties(io_${c} PROPERTIES
    LABELS "e2e;io" TIMEOUT 120 SKIP_RETURN_CODE 77
    ENVIRONMENT "MPIEXEC=${MPIEXEC_EXECUTABLE};OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1")
endforeach()
