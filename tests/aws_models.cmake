# The embedded AWS models: integrity and real requests (test_aws_models), and that the
# committed models equal a fresh run of the generator when the full models are at hand
# (../shared/aws-models; the check prints SKIP and passes without them).
wf_unit_test(test_aws_models ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_aws_models.c)
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME aws_model_gen_check
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/aws_model_gen.py --check)
endif()
