# wf.aws call()'s fast conversion of flat parameter tables (engine/aws/lua_aws_params.c).
wf_unit_test(test_aws_flat_params ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_aws_flat_params.c)
