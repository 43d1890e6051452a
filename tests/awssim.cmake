# awssim's end-to-end tests: tests/e2e/test_awssim_*.sh (and the S3 sync tests,
# test_s3sync_*.sh, which run on it too) become ctests like every e2e
# script (tests/CMakeLists.txt creates them after the fragments run); this adds the
# simulator's path (AWSSIM), the "awssim" label, the skip code 77 (no AWS CLI) and a
# longer timeout to them once they exist, at the end of this directory.
if(TARGET awssim)
  function(wf_awssim_e2e_properties)
    file(GLOB scripts ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_awssim_*.sh
                      ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_s3sync_*.sh)
    foreach(script IN LISTS scripts)
      get_filename_component(base ${script} NAME_WE)
      if(TEST e2e_${base})
        set_property(TEST e2e_${base} APPEND PROPERTY ENVIRONMENT "AWSSIM=$<TARGET_FILE:awssim>")
        set_property(TEST e2e_${base} APPEND PROPERTY LABELS awssim)
        set_property(TEST e2e_${base} PROPERTY SKIP_RETURN_CODE 77)
        # Each AWS CLI call costs a second or two of Python start-up; leave room under load.
        set_property(TEST e2e_${base} PROPERTY TIMEOUT 600)
      endif()
    endforeach()
  endfunction()
  cmake_language(DEFER CALL wf_awssim_e2e_properties)
endif()
