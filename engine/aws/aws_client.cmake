# AWS call pipeline: HTTP over libcurl, configuration files, credentials, endpoints,
# retries, and wf_aws_call tying them to the serializers, signer and parsers.
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/http_client.c
  ${CMAKE_CURRENT_LIST_DIR}/aws_config.c
  ${CMAKE_CURRENT_LIST_DIR}/credentials.c
  ${CMAKE_CURRENT_LIST_DIR}/endpoints.c
  ${CMAKE_CURRENT_LIST_DIR}/retry.c
  ${CMAKE_CURRENT_LIST_DIR}/call.c)
