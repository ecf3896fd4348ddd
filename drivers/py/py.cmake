# The Python peers (drivers/py): copied into build/drivers/ beside the C drivers, so that
# build/drivers/py_serial runs like cpu_serial. Their shebang is CS_PYTHON: the system's
# python3 by default, the one scripts/deps.sh installs python3-requests and python3-aiohttp for.
if(NOT CS_PYTHON)
  if(EXISTS /usr/bin/python3)
    set(CS_PYTHON /usr/bin/python3)
  else()
    find_program(CS_PYTHON_FOUND python3)
    set(CS_PYTHON ${CS_PYTHON_FOUND})
  endif()
endif()
set(CS_PYTHON ${CS_PYTHON} CACHE FILEPATH "the interpreter the Python peers run on")
if(NOT CS_PYTHON)
  message(STATUS "corescale: no python3, the Python peers (py_*) are not installed")
  return()
endif()

set(CS_PY_DIR ${CMAKE_CURRENT_SOURCE_DIR}/py)
set(CS_PY_OUT ${CMAKE_BINARY_DIR}/drivers)
file(GLOB cs_py_modules ${CS_PY_DIR}/cspy_*.py)
foreach(module ${cs_py_modules})
  get_filename_component(name ${module} NAME)
  configure_file(${module} ${CS_PY_OUT}/${name} COPYONLY)
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/generated/cspy_build.py.in
     "\"\"\"Written by CMake (drivers/py/py.cmake): the corescale version the peers report.\"\"\"\nVERSION = \"@PROJECT_VERSION@\"\n")
configure_file(${CMAKE_BINARY_DIR}/generated/cspy_build.py.in ${CS_PY_OUT}/cspy_build.py @ONLY)

set(CS_PY_PEERS py_serial py_threads py_processes py_serial_tasks py_threads_tasks
                py_processes_tasks py_fetch_serial py_fetch_threads py_fetch_async)
foreach(peer ${CS_PY_PEERS})
  if(EXISTS ${CS_PY_DIR}/${peer}.in)
    configure_file(${CS_PY_DIR}/${peer}.in ${CS_PY_OUT}/${peer} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endif()
endforeach()
