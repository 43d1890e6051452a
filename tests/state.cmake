# Tests of the run state: Lua<->JSON, journal, lock; and the journal parser's fuzz target.
wf_unit_test(test_lua_json ${CMAKE_SOURCE_DIR}/tests/unit/test_lua_json.c)
wf_unit_test(test_journal ${CMAKE_SOURCE_DIR}/tests/unit/test_journal.c)
wf_unit_test(test_lock ${CMAKE_SOURCE_DIR}/tests/unit/test_lock.c)
wf_fuzz_target(fuzz_journal ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_journal.c)

# The shared-state e2e tests (and resume's kept AWS settings) run against awssim with the
# AWS CLI: the simulator's path, the skip code 77 (no AWS CLI) and room for the CLI's
# start-up, once the tests exist.
if(TARGET awssim)
  function(wf_state_e2e_properties)
    foreach(base test_state_s3 test_unlock test_resume_settings)
      if(TEST e2e_${base})
        set_tests_properties(e2e_${base} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
        set_property(TEST e2e_${base} APPEND PROPERTY ENVIRONMENT "AWSSIM=$<TARGET_FILE:awssim>")
      endif()
    endforeach()
  endfunction()
  cmake_language(DEFER CALL wf_state_e2e_properties)
endif()
