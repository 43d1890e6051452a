# awssim's codec (engine/aws/server_*.c) against the client: round trips for every
# operation of the embedded models, the AWS protocol test suites in reverse, routing and
# error documents.
wf_unit_test(test_server_codec ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_server_codec.c)
