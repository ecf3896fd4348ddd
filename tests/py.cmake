# The Python peers (drivers/py): their command lines as the C drivers', their product digests
# equal to cpu_serial's, their fetches checked against io_server.
if(NOT CS_PYTHON)
  return()
endif()
set(PY ${CS_DRIVER_DIR})

# Bad command lines: exit 2 and the C drivers' message, nothing started.
cs_expect(py_serial_repeat_zero 2 "py_serial: --repeat '0': too small (at least 1)" ${PY}/py_serial --repeat 0)
cs_expect(py_serial_class_unknown 2 "py_serial: --class 'Q': must be one of S, W, A, B, C, auto" ${PY}/py_serial --class Q)
cs_expect(py_serial_n_and_class 2 "py_serial: --n '5' and --class 'S' both choose sizes: give one" ${PY}/py_serial --n 5 --class S)
cs_expect(py_serial_n_too_small 2 "py_serial: --n '1': too small (at least 2)" ${PY}/py_serial --n 1)
cs_expect(py_serial_n_negative 2 "py_serial: --n '-3': must not be negative" ${PY}/py_serial --n -3)
cs_expect(py_serial_chunks_too_many 2 "py_serial: --chunks 100: n=5 has only 64 iterations to cut into items" ${PY}/py_serial --class S --chunks 100)
cs_expect(py_serial_unknown_option 2 "py_serial: unknown option '--threads' (see --help)" ${PY}/py_serial --threads 2)
cs_expect(py_serial_argument 2 "py_serial: unexpected argument 'extra' (see --help)" ${PY}/py_serial extra)
cs_expect(py_serial_value_missing 2 "py_serial: option '--repeat' needs a value (see --help)" ${PY}/py_serial --repeat)
cs_expect(py_serial_python_missing 2 "py_serial: --python '/nonexistent/python': not an executable interpreter" ${PY}/py_serial --python /nonexistent/python)
cs_expect(py_threads_too_many 2 "py_threads: --threads '5000': too large (at most 4096)" ${PY}/py_threads --threads 5000)
cs_expect(py_processes_zero 2 "py_processes: --workers '0': too small (at least 1)" ${PY}/py_processes --workers 0)
cs_expect(py_threads_tasks_no_chunks 2 "py_threads_tasks: unknown option '--chunks' (see --help)" ${PY}/py_threads_tasks --chunks 4)
cs_expect(py_fetch_async_concurrency_zero 2 "py_fetch_async: --concurrency '0': too small (at least 1)" ${PY}/py_fetch_async --concurrency 0)
cs_expect(py_fetch_serial_scheme 2 "py_fetch_serial: --url 'ftp://x': scheme 'ftp' is not http or https" ${PY}/py_fetch_serial --url ftp://x)
cs_expect(py_fetch_threads_delay 2 "py_fetch_threads: --delay-ms '60001': too large (at most 60000)" ${PY}/py_fetch_threads --delay-ms 60001)
cs_expect(py_fetch_serial_csv_foreign 2 "py_fetch_serial: --csv '${CMAKE_SOURCE_DIR}/README.md': the file exists and its first line is not corescale's header" ${PY}/py_fetch_serial --csv ${CMAKE_SOURCE_DIR}/README.md)
cs_expect(py_serial_help 0 SILENT ${PY}/py_serial --help)
cs_expect(py_fetch_async_help 0 SILENT ${PY}/py_fetch_async --help)
# Nothing listens on port 1: every request refused, exit 1 with the count by kind.
cs_expect(py_fetch_serial_refused 1 "py_fetch_serial: 4 of 4 requests failed (refused 4)" ${PY}/py_fetch_serial --url http://127.0.0.1:1/ --requests 2 --repeat 1 --quiet)

add_test(NAME py_digests_match_cpu_serial
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/py/digests_match.sh ${CMAKE_BINARY_DIR})
add_test(NAME py_fetch_against_io_server
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/py/fetch_rows.sh ${CMAKE_BINARY_DIR})
set_tests_properties(py_digests_match_cpu_serial py_fetch_against_io_server
                     PROPERTIES LABELS "e2e;py" TIMEOUT 300)
add_test(NAME py_sweep_and_plot_lesson
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/py/sweep_lesson.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
set_tests_properties(py_sweep_and_plot_lesson PROPERTIES LABELS "e2e;py;sweep" TIMEOUT 300)
