# Many AWS requests in flight (libcurl multi) and its Lua module "wf.aws_batch", which the
# S3 sync engine (stdlib/s3sync*.lua) drives.
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/multi.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_aws_batch.c)
