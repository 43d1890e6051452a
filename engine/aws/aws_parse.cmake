# AWS response parsers: the XML reader and one parser per protocol, walking the model.
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/xml_reader.c
  ${CMAKE_CURRENT_LIST_DIR}/parse.c
  ${CMAKE_CURRENT_LIST_DIR}/parse_scalar.c
  ${CMAKE_CURRENT_LIST_DIR}/parse_xml.c
  ${CMAKE_CURRENT_LIST_DIR}/parse_query.c
  ${CMAKE_CURRENT_LIST_DIR}/parse_rest_xml.c
  ${CMAKE_CURRENT_LIST_DIR}/parse_json.c
  ${CMAKE_CURRENT_LIST_DIR}/parse_error.c
  ${CMAKE_CURRENT_LIST_DIR}/parse_customize.c)
