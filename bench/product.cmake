# The product kernel against GMP doing the same loop (needs GMP).
if(CS_HAVE_GMP)
  add_executable(product_vs_gmp ${CMAKE_CURRENT_LIST_DIR}/product_vs_gmp.c)
  target_link_libraries(product_vs_gmp PRIVATE cs_runtime cs_gmp)
endif()
