# AWS service models: the trimmed JSON models (tools/aws_model_gen.py) embedded into the
# binary, their loader, and the request serializers that walk them.
include(${CMAKE_SOURCE_DIR}/tools/embed_data.cmake)
file(GLOB WF_AWS_MODEL_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/models/*.json)
list(SORT WF_AWS_MODEL_FILES)
wf_embed_data(TARGET wfcore OUTPUT wf_aws_models.c HEADER aws/models_embedded.h
              TYPE wf_aws_embedded_model TABLE wf_aws_embedded_models
              FILES ${WF_AWS_MODEL_FILES})
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/model_load.c)
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/serialize.c
  ${CMAKE_CURRENT_LIST_DIR}/serialize_util.c
  ${CMAKE_CURRENT_LIST_DIR}/serialize_query.c
  ${CMAKE_CURRENT_LIST_DIR}/serialize_rest_xml.c
  ${CMAKE_CURRENT_LIST_DIR}/serialize_json.c
  ${CMAKE_CURRENT_LIST_DIR}/xml_writer.c)
