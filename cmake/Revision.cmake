# Writes CS_OUT (build_revision.h) with the checkout's revision, at every build:
# rows and headers name the code that ran, not the code cmake last configured.
# "-dirty" is added when tracked files differ from that revision. The file is
# rewritten only when its text changes, so an unchanged revision rebuilds nothing.
# Usage: cmake -DCS_SOURCE=<checkout> -DCS_OUT=<file> -P Revision.cmake
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${CS_SOURCE}
                OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT rev)
  set(rev "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY ${CS_SOURCE}
                  RESULT_VARIABLE dirty ERROR_QUIET)
  if(dirty EQUAL 1)
    set(rev "${rev}-dirty")
  endif()
endif()
set(text "/* Generated at build time by cmake/Revision.cmake. */\n#define CS_REVISION \"${rev}\"\n")
file(WRITE ${CS_OUT}.new "${text}")
configure_file(${CS_OUT}.new ${CS_OUT} COPYONLY)
file(REMOVE ${CS_OUT}.new)
