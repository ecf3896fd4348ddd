# Finds every library corescale uses and fails early naming the Debian package
# to install (scripts/deps.sh installs them all). GMP is optional: an oracle
# for tests and a peer for benchmarks.
find_package(PkgConfig)

function(cs_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "corescale needs ${what}: install the Debian package '${package}' "
                        "(scripts/deps.sh installs everything)")
  endif()
endfunction()

find_package(OpenMP COMPONENTS C)
cs_require(OpenMP_C_FOUND "OpenMP for C" "libgomp1 (comes with gcc)")

find_package(MPI COMPONENTS C)
cs_require(MPI_C_FOUND "MPI" "libopenmpi-dev openmpi-bin")

find_path(HWLOC_INCLUDE_DIR hwloc.h)
find_library(HWLOC_LIBRARY hwloc)
cs_require(HWLOC_LIBRARY "hwloc" "libhwloc-dev")
add_library(cs_hwloc INTERFACE)
target_include_directories(cs_hwloc INTERFACE ${HWLOC_INCLUDE_DIR})
target_link_libraries(cs_hwloc INTERFACE ${HWLOC_LIBRARY})

find_path(CUNIT_INCLUDE_DIR CUnit/CUnit.h)
find_library(CUNIT_LIBRARY cunit)
cs_require(CUNIT_LIBRARY "CUnit" "libcunit1-dev")
add_library(cs_cunit INTERFACE)
target_include_directories(cs_cunit INTERFACE ${CUNIT_INCLUDE_DIR})
target_link_libraries(cs_cunit INTERFACE ${CUNIT_LIBRARY})

find_package(CURL)
cs_require(CURL_FOUND "libcurl" "libcurl4-openssl-dev")

find_path(EVENT_INCLUDE_DIR event2/event.h)
find_library(EVENT_LIBRARY event)
find_library(EVENT_PTHREADS_LIBRARY event_pthreads)
cs_require(EVENT_LIBRARY "libevent" "libevent-dev")
add_library(cs_event INTERFACE)
target_include_directories(cs_event INTERFACE ${EVENT_INCLUDE_DIR})
target_link_libraries(cs_event INTERFACE ${EVENT_LIBRARY} ${EVENT_PTHREADS_LIBRARY})

find_path(GMP_INCLUDE_DIR gmp.h)
find_library(GMP_LIBRARY gmp)
if(GMP_LIBRARY AND GMP_INCLUDE_DIR)
  set(CS_HAVE_GMP ON)
  add_library(cs_gmp INTERFACE)
  target_include_directories(cs_gmp INTERFACE ${GMP_INCLUDE_DIR})
  target_link_libraries(cs_gmp INTERFACE ${GMP_LIBRARY})
  message(STATUS "GMP found: tests use it as an oracle, benchmarks as a peer")
else()
  set(CS_HAVE_GMP OFF)
  message(STATUS "GMP not found (libgmp-dev): GMP oracle tests and benchmarks are skipped")
endif()

find_package(Threads REQUIRED)
