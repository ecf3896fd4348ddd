# shellcheck shell=bash
# The limits the drivers apply to their options, in one place for every script to check values
# against before any work, so that a value every driver would refuse never starts a sweep.
# Each mirrors the C constant or literal named beside it; tests/sweep/limits_match_drivers.sh
# runs the built drivers at every boundary (the limit accepted, one past it refused), so a
# change on either side fails a test instead of drifting silently.

# drivers/runtime/options.c, handle(): the ranges cs_parse_u64 is given per option.
CS_REPEAT_MIN=1 CS_REPEAT_MAX=1000000            # OPT_REPEAT
CS_WARMUP_MIN=0 CS_WARMUP_MAX=1000000            # OPT_WARMUP
CS_THREADS_MIN=1 CS_THREADS_MAX=4096             # OPT_THREADS (cpu_omp, cpu_hybrid, io_threads)
CS_REQUESTS_MIN=1 CS_REQUESTS_MAX=10000000       # OPT_REQUESTS
CS_DELAY_MS_MIN=0 CS_DELAY_MS_MAX=60000          # OPT_DELAY_MS; fetch_server.h FETCH_SERVER_MAX_DELAY_MS
CS_BYTES_MIN=0 CS_BYTES_MAX=67108864             # OPT_BYTES (64 << 20); FETCH_SERVER_MAX_BYTES
CS_CONCURRENCY_MIN=1 CS_CONCURRENCY_MAX=100000   # OPT_CONCURRENCY (io_async)
CS_TIMEOUT_MS_MIN=1 CS_TIMEOUT_MS_MAX=3600000    # OPT_TIMEOUT_MS, OPT_CONNECT_TIMEOUT_MS

# drivers/cs_profile.c: --workers items and how many of them.
CS_PROFILE_WORKERS_MAX=65536 CS_PROFILE_WORKERS_COUNT_MAX=1024

# kernels/*.c: each kernel's .n_min and .n_max (kernels/registry.c lists them).
CS_KERNELS="product pi primes triad heat heat3d"
CS_N_MIN_product=2 CS_N_MAX_product=1048576              # product.c: 2, PRODUCT_N_MAX (1u << 20)
CS_N_MIN_pi=1 CS_N_MAX_pi=1125899906842624               # pi.c: 1, PI_N_MAX (1ULL << 50)
CS_N_MIN_primes=1 CS_N_MAX_primes=4294967295             # primes.c: 1, PRIMES_N_MAX
CS_N_MIN_triad=1 CS_N_MAX_triad=1099511627776            # triad.c: 1, TRIAD_N_MAX (1ULL << 40)
CS_N_MIN_heat=1 CS_N_MAX_heat=1048576                    # heat.c: 1, shape_2d's n_max (1ULL << 20)
CS_N_MIN_heat3d=1 CS_N_MAX_heat3d=4096                   # heat.c: 1, shape_3d's n_max (1ULL << 12)
CS_CLASSES="S W A B C"                                   # kernel.h: the cs_class letters
CS_STENCIL_KERNELS="heat heat3d"  # kernels with a .stencil: blocks by --decomp, no --schedule

# The scripts' own bounds, where no driver has one: far past any real run, short of what would
# overflow, take hours just to list, or ask Slurm for more than a machine room.
CS_NODES_MAX=65536        # sweep --nodes
CS_ROUNDS_MAX=1000        # sweep --rounds (bench_cpu.sh --rounds too)
CS_POINTS_MAX=100000      # sweep: points in the whole grid, rounds included
CS_TIMEOUT_S_MAX=604800   # sweep --timeout: a week
CS_CORES_MAX=1048576      # plot.sh --cores; --model-to up to 4 times it
