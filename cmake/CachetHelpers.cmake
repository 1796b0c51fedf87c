# Helpers for the top-level CMakeLists.txt.

# cachet_add_test(<name> <command> [args...])
#
# Registers a ctest test that runs <command> in a fresh, empty directory
# <build>/test-work/<name> (wiped at the start of every run), with:
#   CACHET_SRC    the source root (fixtures: $CACHET_SRC/tests/fixtures,
#                 examples: $CACHET_SRC/examples)
#   CACHET_BUILD  the build directory
#   CACHET        the built cachet binary (when the CLI is built)
function(cachet_add_test name)
  set(_dir "${PROJECT_BINARY_DIR}/test-work/${name}")
  add_test(NAME ${name}
    COMMAND bash "${PROJECT_SOURCE_DIR}/cmake/in-fresh-dir.sh" "${_dir}" ${ARGN})
  set(_env "CACHET_SRC=${PROJECT_SOURCE_DIR}" "CACHET_BUILD=${PROJECT_BINARY_DIR}")
  if(TARGET cachet)
    list(APPEND _env "CACHET=$<TARGET_FILE:cachet>")
  endif()
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${_env}" TIMEOUT 600)
endfunction()

# cachet_header_check_target(<target> <dir>)
#
# For every header under <dir> (cachet/*.h and the implementer headers
# cachet/sys/*.h), generates at configure time a .c that includes only
# that header, twice (to exercise the include guard), and compiles them all
# in the OBJECT library <target>, built by default with the project's
# warnings.
function(cachet_header_check_target target dir)
  file(GLOB_RECURSE _headers RELATIVE "${dir}" CONFIGURE_DEPENDS "${dir}/*.h")
  set(_sources)
  foreach(_file ${_headers})
    string(REGEX REPLACE "\\.h$" "" _stem "${_file}")
    string(MAKE_C_IDENTIFIER "${_stem}" _id)
    set(_c "${PROJECT_BINARY_DIR}/header-check/${_id}_h.c")
    file(CONFIGURE OUTPUT "${_c}" CONTENT
"/* generated: cachet/${_file} must compile on its own */
#include \"cachet/${_file}\"
#include \"cachet/${_file}\"
typedef int cachet_header_check_${_id};
" @ONLY)
    list(APPEND _sources "${_c}")
  endforeach()
  # drop files generated for headers that have since been removed
  file(GLOB _stale "${PROJECT_BINARY_DIR}/header-check/*.c")
  foreach(_c ${_stale})
    if(NOT _c IN_LIST _sources)
      file(REMOVE "${_c}")
    endif()
  endforeach()
  if(_sources)
    add_library(${target} OBJECT ${_sources})
    target_include_directories(${target} PRIVATE "${PROJECT_SOURCE_DIR}/include")
  endif()
endfunction()

# cachet_install_pkgconfig(<template>)
#
# Installs cachet.pc into <libdir>/pkgconfig. The file is generated at
# install time, so that `cmake --install <build> --prefix <p>` writes the
# prefix actually used. Template variables: @CACHET_PC_PREFIX@,
# @CACHET_PC_libdir@, @CACHET_PC_includedir@, @CACHET_PC_VERSION@,
# @CACHET_PC_REQUIRES_PRIVATE@, @CACHET_PC_LIBS_PRIVATE@.
function(cachet_install_pkgconfig template)
  list(JOIN CACHET_PC_REQUIRES_PRIVATE ", " _req)
  list(JOIN CACHET_PC_LIBS_PRIVATE " " _libs)
  set(_out "${PROJECT_BINARY_DIR}/pkgconfig/cachet.pc")
  install(CODE "
set(_cachet_pc_template \"${template}\")
set(_cachet_pc_out \"${_out}\")
set(CACHET_PC_VERSION \"${PROJECT_VERSION}\")
set(CACHET_PC_REQUIRES_PRIVATE \"${_req}\")
set(CACHET_PC_LIBS_PRIVATE \"${_libs}\")
set(_cachet_pc_libdir \"${CMAKE_INSTALL_LIBDIR}\")
set(_cachet_pc_includedir \"${CMAKE_INSTALL_INCLUDEDIR}\")
")
  install(CODE [[
set(CACHET_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
foreach(_d libdir includedir)
  if(IS_ABSOLUTE "${_cachet_pc_${_d}}")
    set(CACHET_PC_${_d} "${_cachet_pc_${_d}}")
  else()
    set(CACHET_PC_${_d} "\${prefix}/${_cachet_pc_${_d}}")
  endif()
endforeach()
configure_file("${_cachet_pc_template}" "${_cachet_pc_out}" @ONLY)
]])
  install(FILES "${_out}" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endfunction()
