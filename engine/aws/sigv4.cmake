# AWS Signature Version 4: URI encoding, the signer and the verifier awssim uses.
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/uri_encode.c
  ${CMAKE_CURRENT_LIST_DIR}/sigv4.c
  ${CMAKE_CURRENT_LIST_DIR}/sigv4_key.c
  ${CMAKE_CURRENT_LIST_DIR}/sigv4_verify.c)
