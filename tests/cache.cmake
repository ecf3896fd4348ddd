# Sizes that fit the machine: triad against the last-level cache (drivers/runtime/cache.c), with
# hwloc's synthetic topologies standing in for machines with given caches.
cs_add_cunit(test_cache SOURCES ${CS_TEST_DIR}/unit/test_cache.c LIBS cs_runtime)
set(CS_SERIAL_BIN ${CS_DRIVER_DIR}/cpu_serial)
cs_expect(triad_in_cache_warns 0 "cpu_serial: warning: triad n=1000000: each array is 8.0 MB, under 4x the last-level cache (1 x 61 MiB L3, hwloc): the bandwidth measured is partly the cache's..."
          env "HWLOC_SYNTHETIC=pack:1 l3:1(size=64MB) core:2 pu:1" ${CS_SERIAL_BIN} --kernel triad --class S --repeat 1 --warmup 0 --quiet)
cs_expect(triad_out_of_cache_silent 0 SILENT
          env "HWLOC_SYNTHETIC=pack:1 l3:1(size=1MB) core:2 pu:1" ${CS_SERIAL_BIN} --kernel triad --n 4000000 --repeat 1 --warmup 0 --quiet)
# --class auto says what it chose; the unopenable --csv then stops it before any work.
cs_expect(triad_class_auto_300mb 2 "cpu_serial: note: --class auto: class B for triad, the smallest whose arrays are at least 4x the last-level cache (1 x 286 MiB L3, hwloc)"
          env "HWLOC_SYNTHETIC=pack:1 l3:1(size=300MB) core:2 pu:1" ${CS_SERIAL_BIN} --kernel triad --class auto --csv /nonexistent/rows.csv)
cs_expect(pi_class_auto 2 "cpu_serial: note: --class auto: class W for pi (no arrays for the cache to hold)"
          ${CS_SERIAL_BIN} --kernel pi --class auto --csv /nonexistent/rows.csv)
