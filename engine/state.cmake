# Run state: Lua<->JSON, the run journal and the run lock, each with its Lua module.
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/lua_json.c
  ${CMAKE_CURRENT_LIST_DIR}/journal.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_journal.c
  ${CMAKE_CURRENT_LIST_DIR}/lock.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_lock.c)
