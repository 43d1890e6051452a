# `wfrun test` end-to-end tests (tests/e2e/test_wfrun_test_*.sh): each runs a whole matrix
# of scenarios on simulators of its own, so they get the skip code 77 (awssim not built),
# the "awssim" label, a longer timeout, and the cost hint that lets ctest -j start them
# first. Set at the end of this directory, once tests/CMakeLists.txt has created them.
if(TARGET awssim)
  function(wf_wfrun_test_e2e_properties)
    file(GLOB scripts ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_wfrun_test_*.sh)
    foreach(script IN LISTS scripts)
      get_filename_component(base ${script} NAME_WE)
      if(TEST e2e_${base})
        set_property(TEST e2e_${base} APPEND PROPERTY ENVIRONMENT "WFRUN_AWSSIM=$<TARGET_FILE:awssim>")
        set_property(TEST e2e_${base} APPEND PROPERTY LABELS awssim)
        set_property(TEST e2e_${base} PROPERTY SKIP_RETURN_CODE 77)
        set_property(TEST e2e_${base} PROPERTY TIMEOUT 900)
        set_property(TEST e2e_${base} PROPERTY COST 100)
      endif()
    endforeach()
  endfunction()
  cmake_language(DEFER CALL wf_wfrun_test_e2e_properties)
endif()
