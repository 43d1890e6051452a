# Tests of the AWS call pipeline (configuration, endpoints, retries, HTTP, credentials,
# wf_aws_call), against a scripted libmicrohttpd server on 127.0.0.1: never the network.
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
find_package(Threads REQUIRED)
add_library(wf_test_server STATIC ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_server.c)
target_link_libraries(wf_test_server PUBLIC wfcore PkgConfig::MHD Threads::Threads)
target_include_directories(wf_test_server PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/unit)
foreach(t test_aws_config test_aws_http test_aws_credentials test_aws_call)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/unit/${t}.c)
    wf_unit_test(${t} ${CMAKE_CURRENT_SOURCE_DIR}/unit/${t}.c)
    target_link_libraries(${t} PRIVATE wf_test_server)
  endif()
endforeach()
