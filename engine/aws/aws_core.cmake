# AWS layer basics: HTTP message types and the service model.
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/http_message.c
  ${CMAKE_CURRENT_LIST_DIR}/model.c
  ${CMAKE_CURRENT_LIST_DIR}/model_members.c)
