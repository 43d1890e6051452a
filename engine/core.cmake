# Core of the engine: errors, Lua host, command line.
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/error.c)
