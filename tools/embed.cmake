# Embeds Lua sources into the binary as a C table {name, bytes, length}, the way
# premake embeds its scripts: wfrun then works from any directory after install.
# Module names are the path without ".lua", slashes as dots: dsl/plan.lua -> "dsl.plan".

function(wf_embed_lua target root)
  set(files "")
  foreach(dir IN LISTS ARGN)
    file(GLOB_RECURSE found CONFIGURE_DEPENDS RELATIVE ${root} ${root}/${dir}/*.lua)
    list(APPEND files ${found})
  endforeach()
  list(SORT files)
  set(out ${CMAKE_BINARY_DIR}/generated/wf_embedded.c)
  set(deps "")
  foreach(f IN LISTS files)
    list(APPEND deps ${root}/${f})
  endforeach()
  # A CMake list would be split into separate words on the command line: pass it joined.
  string(REPLACE ";" "," files_arg "${files}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DROOT=${root} "-DFILES=${files_arg}" -DOUT=${out}
            -P ${root}/tools/embed_run.cmake
    DEPENDS ${deps} ${root}/tools/embed_run.cmake
    COMMENT "Embedding Lua sources"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
