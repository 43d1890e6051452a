# The install tests (tests/e2e/test_install*.sh) install the build, or build and extract
# its .deb, then migrate the demo environment on the simulator: label "install", skip
# code 77 (no man/groff, no cpack/dpkg-deb, no awssim), and room for cpack under load.
function(wf_install_e2e_properties)
  foreach(name IN ITEMS e2e_test_install e2e_test_install_deb)
    if(TEST ${name})
      set_property(TEST ${name} APPEND PROPERTY LABELS install)
      set_property(TEST ${name} PROPERTY SKIP_RETURN_CODE 77)
      set_property(TEST ${name} PROPERTY TIMEOUT 900)
    endif()
  endforeach()
endfunction()
cmake_language(DEFER CALL wf_install_e2e_properties)
