# Fuzz targets: tests/fuzz/fuzz_<name>.c, each defining
# LLVMFuzzerTestOneInput (and maybe LLVMFuzzerInitialize). Each is built
# one of two ways:
#
#   CACHET_FUZZ=ON (with clang): fuzz_<name> in <build>/fuzz, linked with
#     libFuzzer, everything instrumented for coverage and built with ASan
#     and UBSan. `make fuzz` builds these (target fuzz_all) and runs them.
#
#   otherwise, with BUILD_TESTING: fuzz_replay_<name>, linked with
#     tests/fuzz/replay_main.c instead of libFuzzer, registered as the
#     ctest test fuzz_replay_<name>, which feeds every file of the seed
#     corpus tests/fuzz/corpus/<name>/ to the target once (under the
#     sanitizers when CACHET_SANITIZE is on).
#
# A target that needs parts of the CLI says so in its first lines:
#   /* fuzz: cli */            link the CLI's sources (not main.c)
#   /* fuzz: cli-include X.c */ ... except src/cli/X.c, which the target
#                               #includes itself to reach its static
#                               functions
# Everything in tests/fuzz/lib/*.c (the helpers of fuzz.h) is linked into
# every target.

option(CACHET_FUZZ "Build the libFuzzer targets of tests/fuzz (needs clang)" OFF)

set(_cachet_fuzz_dir "${PROJECT_SOURCE_DIR}/tests/fuzz")

if(CACHET_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CACHET_FUZZ needs clang (cmake -DCMAKE_C_COMPILER=clang)")
  endif()
  if(CACHET_SANITIZE)
    message(FATAL_ERROR "CACHET_FUZZ brings its own sanitizers; leave CACHET_SANITIZE off")
  endif()
  # Coverage instrumentation for the library too, or libFuzzer is blind.
  set(_cachet_fuzz_san -fsanitize=address,undefined -fno-sanitize-recover=all
                       -fno-omit-frame-pointer -g)
  add_compile_options(-fsanitize=fuzzer-no-link ${_cachet_fuzz_san})
  add_link_options(${_cachet_fuzz_san})
endif()

# cachet_add_fuzz_targets(): called from CMakeLists.txt once the library
# and the CLI sources are known (CACHET_CLI_SOURCES).
function(cachet_add_fuzz_targets)
  if(NOT CACHET_FUZZ AND NOT BUILD_TESTING)
    return()
  endif()
  file(GLOB _targets CONFIGURE_DEPENDS "${_cachet_fuzz_dir}/fuzz_*.c")
  file(GLOB _support CONFIGURE_DEPENDS "${_cachet_fuzz_dir}/lib/*.c")
  set(_all)
  foreach(_src ${_targets})
    get_filename_component(_name "${_src}" NAME_WE)
    string(REGEX REPLACE "^fuzz_" "" _name "${_name}")
    file(STRINGS "${_src}" _marks REGEX "^/\\* fuzz: ")
    set(_cli_sources)
    foreach(_mark ${_marks})
      if(_mark MATCHES "^/\\* fuzz: cli(-include ([a-z_]+\\.c))? \\*/")
        set(_cli_sources ${CACHET_CLI_SOURCES})
        list(FILTER _cli_sources EXCLUDE REGEX "/main\\.c$")
        if(CMAKE_MATCH_2)
          list(FILTER _cli_sources EXCLUDE REGEX "/${CMAKE_MATCH_2}$")
        endif()
      endif()
    endforeach()
    if(CACHET_FUZZ)
      set(_exe fuzz_${_name})
      add_executable(${_exe} "${_src}" ${_support} ${_cli_sources})
      target_link_options(${_exe} PRIVATE -fsanitize=fuzzer)
      set_target_properties(${_exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/fuzz")
    else()
      set(_exe fuzz_replay_${_name})
      add_executable(${_exe} "${_src}" "${_cachet_fuzz_dir}/replay_main.c" ${_support}
                     ${_cli_sources})
      set_target_properties(${_exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/tests")
      cachet_add_test(${_exe} $<TARGET_FILE:${_exe}> "${_cachet_fuzz_dir}/corpus/${_name}")
    endif()
    target_link_libraries(${_exe} PRIVATE cachet_internal)
    target_include_directories(${_exe} PRIVATE "${_cachet_fuzz_dir}" "${PROJECT_SOURCE_DIR}/src/cli")
    list(APPEND _all ${_exe})
  endforeach()
  if(CACHET_FUZZ AND _all)
    add_custom_target(fuzz_all DEPENDS ${_all})
  endif()
endfunction()
