# Tests of durations, interruption/deadlines, subprocesses (sh.run) and wait.poll.
wf_unit_test(test_duration ${CMAKE_SOURCE_DIR}/tests/unit/test_duration.c)
wf_unit_test(test_interrupt ${CMAKE_SOURCE_DIR}/tests/unit/test_interrupt.c)
wf_unit_test(test_process ${CMAKE_SOURCE_DIR}/tests/unit/test_process.c)
wf_unit_test(test_sh_lua ${CMAKE_SOURCE_DIR}/tests/unit/test_sh_lua.c)
