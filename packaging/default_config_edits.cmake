# Shared by the scripts that derive a shipped config from `akasa default-config`
# (make_packaged_config.cmake, make_container_config.cmake): the document stays the server's
# own, with every key and comment, and only the lines that differ are replaced.

# Sets `document` in the caller to the output of `${AKASA} default-config ARGN`.
function(read_default_config)
  execute_process(COMMAND ${AKASA} default-config ${ARGN}
    OUTPUT_VARIABLE output RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${AKASA} default-config ${ARGN} failed (${status})")
  endif()
  set(document "${output}" PARENT_SCOPE)
endfunction()

# Each replacement must match exactly once: a changed default document fails the build here
# instead of shipping a config that still points at ./data or listens where it should not.
function(replace_once from to)
  string(FIND "${document}" "${from}" first)
  string(FIND "${document}" "${from}" last REVERSE)
  if(first EQUAL -1 OR NOT first EQUAL last)
    message(FATAL_ERROR "${CMAKE_SCRIPT_MODE_FILE}: expected \"${from}\" exactly once in the default config")
  endif()
  string(REPLACE "${from}" "${to}" document "${document}")
  set(document "${document}" PARENT_SCOPE)
endfunction()
