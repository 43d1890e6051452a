# Tests of the logging module: the UTF-8 sanitiser, the three sinks, and a fuzz target.
wf_unit_test(test_utf8 ${CMAKE_SOURCE_DIR}/tests/unit/test_utf8.c)
wf_unit_test(test_log ${CMAKE_SOURCE_DIR}/tests/unit/test_log.c)
wf_fuzz_target(fuzz_utf8 ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_utf8.c)
