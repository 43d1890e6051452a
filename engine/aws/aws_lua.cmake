# The Lua face of AWS: module "wf.aws" (configure, call, model, services).
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/lua_aws.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_aws_params.c)
