# Core of the engine: errors, Lua host, command-line words, OS helpers.
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/error.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_host.c
  ${CMAKE_CURRENT_LIST_DIR}/args.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_args.c
  ${CMAKE_CURRENT_LIST_DIR}/sys.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_re.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_http.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_sources.c)
