# Embeds data files into the binary as a C table {name, bytes, length}, like embed.cmake
# does for Lua sources. The name of an entry is the file name without its extension:
# engine/aws/models/ec2.json -> "ec2". The table's element type must be a struct whose
# first three fields are (const char *name, const char *bytes, size_t length), declared
# in HEADER; the table ends with an all-zero entry.
#
#   wf_embed_data(TARGET wfcore OUTPUT wf_aws_models.c HEADER aws/models_embedded.h
#                 TYPE wf_aws_embedded_model TABLE wf_aws_embedded_models FILES a.json ...)

function(wf_embed_data)
  cmake_parse_arguments(E "" "TARGET;OUTPUT;HEADER;TYPE;TABLE" "FILES" ${ARGN})
  set(out ${CMAKE_BINARY_DIR}/generated/${E_OUTPUT})
  set(script ${CMAKE_SOURCE_DIR}/tools/embed_data_run.cmake)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} "-DFILES=${E_FILES}" -DOUT=${out} -DHEADER=${E_HEADER}
            -DTYPE=${E_TYPE} -DTABLE=${E_TABLE} -P ${script}
    DEPENDS ${E_FILES} ${script}
    COMMENT "Embedding ${E_TABLE}"
    VERBATIM)
  target_sources(${E_TARGET} PRIVATE ${out})
endfunction()
