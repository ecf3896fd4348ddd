# bignum against GMP, and the leak-checking allocator other suites can reuse.
find_package(Threads REQUIRED)

# The test allocator calls bignum_set_allocator: link it before a bignum library.
add_library(cs_test_alloc STATIC ${CS_TEST_DIR}/unit/test_alloc.c)
target_include_directories(cs_test_alloc PUBLIC ${CS_TEST_DIR}/unit ${CMAKE_SOURCE_DIR}/kernels/bignum)
target_link_libraries(cs_test_alloc PUBLIC Threads::Threads)

if(CS_HAVE_GMP)
  cs_add_cunit(test_bignum SOURCES ${CS_TEST_DIR}/unit/test_bignum.c
               LIBS cs_test_alloc cs_bignum cs_gmp m)

  # The same suite against bignum built with tiny thresholds, so that small,
  # fast operands run every algorithm through deep recursions, and a transform
  # product of a few hundred points is cut into parts of 8-16 points at every
  # step (blocks of 16, groups of at most 4 stages, ranges of tables and CRT),
  # alone as well as helped (only transforms of 32 points or fewer are one block),
  # groups of 2-8 rows in place and of 16 gathered; a group's trades gather their
  # copies for a member's threads in lists of 8 parts of at most 64 limbs.
  get_target_property(CS_BIGNUM_SOURCES cs_bignum SOURCES)
  get_target_property(CS_BIGNUM_DIR cs_bignum SOURCE_DIR)
  list(TRANSFORM CS_BIGNUM_SOURCES PREPEND ${CS_BIGNUM_DIR}/)
  add_library(cs_bignum_tiny_thresholds STATIC ${CS_BIGNUM_SOURCES})
  target_include_directories(cs_bignum_tiny_thresholds PUBLIC ${CS_BIGNUM_DIR})
  target_compile_definitions(cs_bignum_tiny_thresholds PUBLIC
    BN_KARATSUBA_THRESHOLD=2 BN_TOOM3_THRESHOLD=6 BN_NTT_THRESHOLD=24
    BN_SQR_KARATSUBA_THRESHOLD=2 BN_SQR_TOOM3_THRESHOLD=6 BN_SQR_NTT_THRESHOLD=24
    BN_DECIMAL_DC_THRESHOLD=2 BN_FROM_DECIMAL_DC_THRESHOLD=2 BN_NTT_MAX_COEFFS=2000
    BN_NTT_SUB_POINTS=16 BN_NTT_RANGE=16 BN_NTT_TABLE_RANGE=8 BN_NTT_CRT_RANGE=8
    BN_NTT_GROUP_STAGES=4 BN_NTT_WHOLE_ALONE=32 BN_NTT_STREAM_POINTS=64 BN_NTT_IN_PLACE_ROWS=8
    BN_GROUP_COPIES=8 BN_GROUP_COPY_PART=64)
  # Release builds drop asserts; this one keeps them, so that every carry and
  # bound the code asserts is checked through those deep recursions.
  target_compile_options(cs_bignum_tiny_thresholds PRIVATE -UNDEBUG)
  cs_add_cunit(test_bignum_tiny_thresholds SOURCES ${CS_TEST_DIR}/unit/test_bignum.c
               LIBS cs_test_alloc cs_bignum_tiny_thresholds cs_gmp m)

  # bignum_mul_helped with runners that run its steps out of order, on three
  # threads, and in other floating point modes; against both builds of bignum.
  cs_add_cunit(test_bignum_helped SOURCES ${CS_TEST_DIR}/unit/test_bignum_helped.c
               LIBS cs_test_alloc cs_bignum cs_gmp m Threads::Threads)
  cs_add_cunit(test_bignum_helped_tiny_thresholds SOURCES ${CS_TEST_DIR}/unit/test_bignum_helped.c
               LIBS cs_test_alloc cs_bignum_tiny_thresholds cs_gmp m Threads::Threads)
  # a product whose size arithmetic wraps could loop: fail rather than hang
  set_tests_properties(test_bignum_helped test_bignum_helped_tiny_thresholds
                       PROPERTIES TIMEOUT 120)

  # bignum_mul_group: members as threads trading through a hub, against GMP,
  # in both builds (the tiny one splits small transforms at every step).
  cs_add_cunit(test_bignum_group SOURCES ${CS_TEST_DIR}/unit/test_bignum_group.c
               LIBS cs_test_alloc cs_bignum cs_gmp Threads::Threads)
  cs_add_cunit(test_bignum_group_tiny_thresholds SOURCES ${CS_TEST_DIR}/unit/test_bignum_group.c
               LIBS cs_test_alloc cs_bignum_tiny_thresholds cs_gmp Threads::Threads)

  # Threads whose first bignum calls race (a process of its own, so that
  # they are the first); build with -fsanitize=thread to look for data races.
  cs_add_cunit(test_bignum_threads SOURCES ${CS_TEST_DIR}/unit/test_bignum_threads.c
               LIBS cs_test_alloc cs_bignum cs_gmp)
else()
  foreach(name test_bignum test_bignum_tiny_thresholds test_bignum_threads
                test_bignum_helped test_bignum_helped_tiny_thresholds
                test_bignum_group test_bignum_group_tiny_thresholds)
    add_test(NAME ${name} COMMAND sh -c
      "echo '${name}: skipped: GMP (libgmp-dev) not found; it is the oracle these tests compare against'; exit 77")
    set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS unit)
  endforeach()
endif()
