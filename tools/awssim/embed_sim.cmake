# Embeds the simulator's Lua sources (tools/awssim/lua/**.lua) into a target as the C
# table wf_sim_embedded_files (sim_embedded.h). Same scheme as tools/embed.cmake, with its
# own table so awssim and wfrun each carry only their own sources. Module names are the
# path under lua/ without ".lua", slashes as dots: services/s3.lua -> "services.s3".

function(wf_sim_embed_lua target lua_dir)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS RELATIVE ${lua_dir} ${lua_dir}/*.lua)
  list(SORT files)
  set(deps "")
  foreach(f IN LISTS files)
    list(APPEND deps ${lua_dir}/${f})
  endforeach()
  set(out ${CMAKE_BINARY_DIR}/generated/awssim_embedded.c)
  set(script ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/embed_sim_run.cmake)
  # A CMake list would become separate words on the command line: pass it joined.
  string(REPLACE ";" "," files_arg "${files}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DROOT=${lua_dir} "-DFILES=${files_arg}" -DOUT=${out}
            -P ${script}
    DEPENDS ${deps} ${script}
    COMMENT "Embedding awssim's Lua sources"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
