# Fuzz targets (tests/fuzz/fuzz_*.c). With CS_FUZZ (a clang build, scripts/fuzz.sh) each is a
# libFuzzer fuzzer, fuzz_NAME. In every build each is also a replayer, fuzz_NAME_replay, that runs
# the seed corpus (corpus/NAME) and every input that once broke it (found/NAME) as a unit test:
# so each finding stays a regression test, under gcc, Release and ASan alike.
set(CS_FUZZ_DIR ${CS_TEST_DIR}/fuzz)
set(CS_FUZZ_TARGETS options profile request unpack urls)
set(CS_FUZZ_LIBS_options cs_runtime)
set(CS_FUZZ_LIBS_profile cs_runtime)
set(CS_FUZZ_LIBS_request cs_fetch)
set(CS_FUZZ_LIBS_unpack cs_kernels)
set(CS_FUZZ_LIBS_urls cs_fetch)

# common.c is compiled into each target, not taken from a library: libFuzzer asks for
# LLVMFuzzerInitialize only weakly, which would not pull it out of an archive.
add_library(cs_fuzz_common INTERFACE)
target_sources(cs_fuzz_common INTERFACE ${CS_FUZZ_DIR}/common.c)
target_include_directories(cs_fuzz_common INTERFACE ${CS_FUZZ_DIR})
target_link_libraries(cs_fuzz_common INTERFACE cs_runtime)

foreach(t ${CS_FUZZ_TARGETS})
  if(CS_FUZZ)
    add_executable(fuzz_${t} ${CS_FUZZ_DIR}/fuzz_${t}.c)
    target_link_libraries(fuzz_${t} PRIVATE cs_fuzz_common ${CS_FUZZ_LIBS_${t}})
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
  endif()
  add_executable(fuzz_${t}_replay ${CS_FUZZ_DIR}/fuzz_${t}.c ${CS_FUZZ_DIR}/replay_main.c)
  target_link_libraries(fuzz_${t}_replay PRIVATE cs_fuzz_common ${CS_FUZZ_LIBS_${t}})
  set(inputs ${CS_FUZZ_DIR}/corpus/${t})
  if(EXISTS ${CS_FUZZ_DIR}/found/${t})
    list(APPEND inputs ${CS_FUZZ_DIR}/found/${t})
  endif()
  add_test(NAME fuzz_${t}_inputs COMMAND fuzz_${t}_replay ${inputs})
  set_tests_properties(fuzz_${t}_inputs PROPERTIES LABELS "unit;fuzz")
endforeach()
