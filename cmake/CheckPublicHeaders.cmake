# cmake -DCC=<compiler> -DINCLUDE_DIR=<dir> -P CheckPublicHeaders.cmake
#
# Compiles every <dir>/cachet/*.h and <dir>/cachet/sys/*.h on its own, strictly, so that a public
# header that forgets an #include, or uses an extension, fails.
if(NOT CC OR NOT INCLUDE_DIR)
  message(FATAL_ERROR "usage: cmake -DCC=<cc> -DINCLUDE_DIR=<dir> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
file(GLOB_RECURSE _headers RELATIVE "${INCLUDE_DIR}" "${INCLUDE_DIR}/cachet/*.h")
if(NOT _headers)
  message(FATAL_ERROR "no headers in ${INCLUDE_DIR}/cachet")
endif()
set(_failed)
foreach(_h ${_headers})
  execute_process(
    COMMAND "${CC}" -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only
            -I "${INCLUDE_DIR}" -x c "${INCLUDE_DIR}/${_h}"
    RESULT_VARIABLE _rc
    OUTPUT_VARIABLE _out
    ERROR_VARIABLE _out)
  if(_rc EQUAL 0)
    message(STATUS "ok   ${_h}")
  else()
    message("FAIL ${_h}\n${_out}")
    list(APPEND _failed "${_h}")
  endif()
endforeach()
if(_failed)
  message(FATAL_ERROR "headers that do not compile on their own: ${_failed}")
endif()
