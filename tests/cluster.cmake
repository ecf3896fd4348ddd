# A cluster on this machine (scripts/cluster): Slurm and MPI across hosts that are network
# namespaces. cluster_start starts one of three nodes for the label's tests, cluster_stop removes
# it after them, also when they failed (a CTest fixture). Where no cluster can run (not root,
# no namespaces, Slurm or munge missing), each says why in one line and is skipped. The tests
# take turns on the cluster (one lock): one of them limits the links' rate for a while.
set(CS_CLUSTER_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/cluster)
set(CS_CLUSTER_STATE ${CMAKE_BINARY_DIR}/cluster-state)

add_test(NAME cluster_start
         COMMAND bash ${CS_CLUSTER_TESTS}/setup.sh ${CMAKE_SOURCE_DIR} ${CS_CLUSTER_STATE})
set_tests_properties(cluster_start PROPERTIES FIXTURES_SETUP cluster)
add_test(NAME cluster_stop
         COMMAND bash ${CS_CLUSTER_TESTS}/teardown.sh ${CMAKE_SOURCE_DIR} ${CS_CLUSTER_STATE})
set_tests_properties(cluster_stop PROPERTIES FIXTURES_CLEANUP cluster)

# cs_cluster_test(NAME SCRIPT): tests/cluster/SCRIPT against the shared cluster.
function(cs_cluster_test name script)
  add_test(NAME ${name} COMMAND bash ${CS_CLUSTER_TESTS}/${script}
                                ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR} ${CS_CLUSTER_STATE})
  set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED cluster)
endfunction()
cs_cluster_test(cluster_mpi_digests mpi_digests.sh)
cs_cluster_test(cluster_rank_faults faults.sh)
cs_cluster_test(cluster_io_hosts io_hosts.sh)
cs_cluster_test(cluster_rate_limit rate_limit.sh)
cs_cluster_test(cluster_sweep_hosts sweep_hosts.sh)
cs_cluster_test(cluster_sbatch_jobs sbatch_jobs.sh)

set_tests_properties(cluster_start cluster_stop cluster_mpi_digests cluster_rank_faults
                     cluster_io_hosts cluster_rate_limit cluster_sweep_hosts cluster_sbatch_jobs
                     PROPERTIES LABELS cluster RESOURCE_LOCK cluster SKIP_RETURN_CODE 77 TIMEOUT 300)
