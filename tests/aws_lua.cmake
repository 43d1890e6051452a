# The Lua face of AWS: Lua-level tests run in wfrun's own host (tests/data/aws/test_*.lua
# through test_aws_lua), the registry's generator check, and the check that
# docs/primitives.md matches the registry and the models.
add_executable(test_aws_lua ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_aws_lua.c)
target_link_libraries(test_aws_lua PRIVATE wfcore)

file(GLOB WF_AWS_LUA_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/data/aws/test_*.lua)
list(SORT WF_AWS_LUA_TESTS)
foreach(script IN LISTS WF_AWS_LUA_TESTS)
  get_filename_component(base ${script} NAME_WE)
  add_test(NAME aws_lua_${base} COMMAND test_aws_lua ${script})
  set_tests_properties(aws_lua_${base} PROPERTIES
    ENVIRONMENT "WF_SOURCE_DIR=${CMAKE_SOURCE_DIR};WF_BUILD_DIR=${CMAKE_BINARY_DIR}"
    TIMEOUT 120)
endforeach()

add_test(NAME aws_primitives_doc_check
         COMMAND test_aws_lua ${CMAKE_SOURCE_DIR}/tools/gen_primitives_doc.lua
                 --check ${CMAKE_SOURCE_DIR}/docs/primitives.md)
set_tests_properties(aws_primitives_doc_check PROPERTIES
  ENVIRONMENT "WF_SOURCE_DIR=${CMAKE_SOURCE_DIR}" TIMEOUT 60)

find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME aws_registry_gen_check
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/gen_aws_registry.py --check)
endif()
