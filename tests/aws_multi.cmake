# wf_aws_multi (many AWS calls in flight, engine/aws/multi.c) against the scripted server
# of tests/aws_client.cmake.
if(TARGET wf_test_server)
  wf_unit_test(test_aws_multi ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_aws_multi.c)
  target_link_libraries(test_aws_multi PRIVATE wf_test_server)
endif()
