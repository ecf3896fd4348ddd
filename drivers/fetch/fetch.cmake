# I/O-bound fetch drivers and io_server: libcurl clients, a libevent server, shared code in cs_fetch.
set(CS_FETCH_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fetch)
add_library(cs_fetch STATIC
  ${CS_FETCH_DIR}/fetch_body.c
  ${CS_FETCH_DIR}/fetch_easy.c
  ${CS_FETCH_DIR}/fetch_fault.c
  ${CS_FETCH_DIR}/fetch_latency.c
  ${CS_FETCH_DIR}/fetch_nofile.c
  ${CS_FETCH_DIR}/fetch_plan.c
  ${CS_FETCH_DIR}/fetch_run.c
  ${CS_FETCH_DIR}/fetch_server.c
  ${CS_FETCH_DIR}/fetch_urls.c
  ${CS_FETCH_DIR}/server_request.c
  ${CS_FETCH_DIR}/server_spec.c
)
target_include_directories(cs_fetch PUBLIC ${CS_FETCH_DIR})
target_link_libraries(cs_fetch PUBLIC cs_runtime CURL::libcurl cs_event Threads::Threads m)

foreach(driver io_serial io_threads io_async io_server)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${driver}.c)
    add_executable(${driver} ${CMAKE_CURRENT_SOURCE_DIR}/${driver}.c)
    target_link_libraries(${driver} PRIVATE cs_fetch)
  endif()
endforeach()
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/io_mpi.c)
  add_executable(io_mpi ${CMAKE_CURRENT_SOURCE_DIR}/io_mpi.c)
  target_link_libraries(io_mpi PRIVATE cs_fetch MPI::MPI_C)
endif()
