# --json FILE beside --csv: the same rows as JSON Lines, checked field by field against the CSV
# for a CPU driver, a fetch driver and the Python peers; the refusals of a bad --json.
add_test(NAME json_rows_equal_csv
         COMMAND bash ${CS_TEST_DIR}/e2e/json_rows.sh ${CS_DRIVER_DIR})
set_tests_properties(json_rows_equal_csv PROPERTIES LABELS e2e TIMEOUT 300)
if(CS_PYTHON)
  cs_expect(py_serial_json_empty 2 "py_serial: --json '': empty, a file name is needed" ${CS_DRIVER_DIR}/py_serial --json=)
  cs_expect(py_fetch_serial_json_foreign 2 "py_fetch_serial: --json '${CMAKE_SOURCE_DIR}/README.md': the file exists and is not corescale's JSON rows (one object a line)" ${CS_DRIVER_DIR}/py_fetch_serial --json ${CMAKE_SOURCE_DIR}/README.md)
  cs_expect(py_serial_json_csv_same 2 "py_serial: --csv '/tmp/corescale-json-same' and --json '/tmp/corescale-json-same' name the same file: give each its own" ${CS_DRIVER_DIR}/py_serial --csv /tmp/corescale-json-same --json /tmp/corescale-json-same)
endif()
