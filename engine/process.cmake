# Interruption, deadlines and durations; subprocesses (sh.run) and polling waits (wait.poll).
target_sources(wfcore PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/interrupt.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_interrupt.c
  ${CMAKE_CURRENT_LIST_DIR}/duration.c
  ${CMAKE_CURRENT_LIST_DIR}/process.c
  ${CMAKE_CURRENT_LIST_DIR}/sh.c
  ${CMAKE_CURRENT_LIST_DIR}/wait.c)
