# bignum beside GMP: mul at 100..50k limbs, the word product loop, decimal conversion (needs GMP).
if(CS_HAVE_GMP)
  add_executable(bignum_vs_gmp ${CMAKE_CURRENT_LIST_DIR}/bignum_vs_gmp.c)
  target_link_libraries(bignum_vs_gmp PRIVATE cs_runtime cs_bignum cs_gmp)
endif()
