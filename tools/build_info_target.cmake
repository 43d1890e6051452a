# The target wf_build_info keeps generated/wf_build_info.h (version and git commit) up to
# date at every build; executables that print --version depend on it. Outside git,
# -DWFRUN_GIT_COMMIT=<id> says which commit the sources are.
set(WFRUN_GIT_COMMIT "" CACHE STRING "commit of a source tree without .git (for --version)")
add_custom_target(wf_build_info
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DVERSION=${PROJECT_VERSION} "-DCOMMIT=${WFRUN_GIT_COMMIT}"
          -DOUT=${CMAKE_BINARY_DIR}/generated/wf_build_info.h -P ${CMAKE_SOURCE_DIR}/tools/build_info.cmake
  BYPRODUCTS ${CMAKE_BINARY_DIR}/generated/wf_build_info.h
  COMMENT "Recording the version and git commit"
  VERBATIM)
