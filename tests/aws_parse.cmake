# Tests of the AWS response parsers: every output case of the AWS protocol test suites,
# the XML reader, the parser's own behaviours, and a fuzz target over XML bodies.
wf_unit_test(test_protocol_output ${CMAKE_SOURCE_DIR}/tests/unit/test_protocol_output.c)
wf_unit_test(test_xml_reader ${CMAKE_SOURCE_DIR}/tests/unit/test_xml_reader.c)
wf_unit_test(test_aws_parse ${CMAKE_SOURCE_DIR}/tests/unit/test_aws_parse.c)
wf_fuzz_target(fuzz_xml_to_table ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_xml_to_table.c)
