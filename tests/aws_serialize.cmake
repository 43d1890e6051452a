# Request serializers, proven by every input case of the AWS protocol test suites.
wf_unit_test(test_protocol_input ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_protocol_input.c)
wf_unit_test(test_xml_writer ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_xml_writer.c)
