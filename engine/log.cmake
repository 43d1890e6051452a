# Logging: the UTF-8 sanitiser, the log and its three sinks, the "wf.log" Lua module.
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/utf8.c
  ${CMAKE_CURRENT_LIST_DIR}/log.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_log.c)
