# awssim, the local AWS simulator: a separate executable on the engine library (models,
# SigV4, the server-side codecs of codec.h, JSON, Lua host) plus libmicrohttpd, with its
# Lua world embedded.
# Included from the top-level CMakeLists.txt when this file exists.
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
find_package(Threads REQUIRED)
include(${CMAKE_CURRENT_LIST_DIR}/embed_sim.cmake)

add_executable(awssim
  ${CMAKE_CURRENT_LIST_DIR}/awssim_main.c
  ${CMAKE_CURRENT_LIST_DIR}/server.c
  ${CMAKE_CURRENT_LIST_DIR}/sim.c
  ${CMAKE_CURRENT_LIST_DIR}/control.c
  ${CMAKE_CURRENT_LIST_DIR}/faults.c
  ${CMAKE_CURRENT_LIST_DIR}/request_log.c
  ${CMAKE_CURRENT_LIST_DIR}/sim_clock.c
  ${CMAKE_CURRENT_LIST_DIR}/lua_sim.c)
target_include_directories(awssim PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(awssim PRIVATE wfcore PkgConfig::MHD Threads::Threads)
wf_sim_embed_lua(awssim ${CMAKE_CURRENT_LIST_DIR}/lua)
set_target_properties(awssim PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
install(TARGETS awssim RUNTIME DESTINATION bin)
