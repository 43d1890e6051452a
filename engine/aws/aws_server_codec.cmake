# The server side of the AWS protocols (awssim's codec): requests decoded into operation
# and params, results and errors encoded as answers, walking the same model shapes.
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/server_scalar.c
  ${CMAKE_CURRENT_LIST_DIR}/server_decode.c
  ${CMAKE_CURRENT_LIST_DIR}/server_decode_query.c
  ${CMAKE_CURRENT_LIST_DIR}/server_decode_rest.c
  ${CMAKE_CURRENT_LIST_DIR}/server_encode.c
  ${CMAKE_CURRENT_LIST_DIR}/server_encode_rest.c
  ${CMAKE_CURRENT_LIST_DIR}/server_customize.c)
