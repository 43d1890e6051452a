# SigV4: one ctest per case of the official suite (tests/data/sigv4/v4/<case>), the signer
# and verifier unit tests, and the canonicaliser fuzz target.

# test_sigv4_suite with no argument runs every case; the per-case tests below name one.
wf_unit_test(test_sigv4_suite ${CMAKE_SOURCE_DIR}/tests/unit/test_sigv4_suite.c)
file(GLOB WF_SIGV4_CASES LIST_DIRECTORIES true CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/tests/data/sigv4/v4/*)
list(SORT WF_SIGV4_CASES)
foreach(dir IN LISTS WF_SIGV4_CASES)
  if(IS_DIRECTORY ${dir})
    get_filename_component(case ${dir} NAME)
    add_test(NAME sigv4_${case} COMMAND test_sigv4_suite ${dir})
    set_tests_properties(sigv4_${case} PROPERTIES TIMEOUT 60)
  endif()
endforeach()

wf_unit_test(test_sigv4 ${CMAKE_SOURCE_DIR}/tests/unit/test_sigv4.c)
wf_fuzz_target(fuzz_sigv4_canonical ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_sigv4_canonical.c)
