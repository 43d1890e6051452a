# Tests of the run state: Lua<->JSON, journal, lock; and the journal parser's fuzz target.
wf_unit_test(test_lua_json ${CMAKE_SOURCE_DIR}/tests/unit/test_lua_json.c)
wf_unit_test(test_journal ${CMAKE_SOURCE_DIR}/tests/unit/test_journal.c)
wf_unit_test(test_lock ${CMAKE_SOURCE_DIR}/tests/unit/test_lock.c)
wf_fuzz_target(fuzz_journal ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_journal.c)
