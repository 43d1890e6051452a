# Tests of the core: parameter parsing.
wf_unit_test(test_args ${CMAKE_SOURCE_DIR}/tests/unit/test_args.c)
wf_fuzz_target(fuzz_params ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_params.c)
