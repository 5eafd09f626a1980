# Warnings and sanitizers shared by every sandan target.
add_library(sandan_options INTERFACE)
target_compile_options(sandan_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                                -Wno-sign-conversion)
# GCC 12 reports std::string concatenation at -O2 and above as overlapping memcpy (GCC bug 105329,
# a false positive in libstdc++'s own headers).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(sandan_options INTERFACE -Wno-restrict)
endif()
if(SANDAN_SANITIZE)
  target_compile_options(sandan_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                  -fno-sanitize-recover=undefined)
  target_link_options(sandan_options INTERFACE -fsanitize=address,undefined)
endif()
# The fuzz build: the engine carries libFuzzer's coverage instrumentation and both sanitizers; the
# harnesses in fuzz/ link libFuzzer itself (-fsanitize=fuzzer).
if(SANDAN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SANDAN_FUZZ needs clang (cmake --preset fuzz)")
  endif()
  target_compile_options(sandan_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                  -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(sandan_options INTERFACE -fsanitize=address,undefined)
endif()

# sandan_module(NAME SOURCES ... DEPENDS ... PRIVATE_DEPENDS ...)
# One engine module: a static library target sandan_NAME whose public dependencies are the lower
# modules it may use. Third-party libraries go in PRIVATE_DEPENDS so their headers stay in the module.
function(sandan_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(sandan_${name} STATIC ${ARG_SOURCES})
  add_library(sandan::${name} ALIAS sandan_${name})
  target_include_directories(sandan_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/engine>)
  target_link_libraries(sandan_${name} PUBLIC ${ARG_DEPENDS} PRIVATE sandan_options ${ARG_PRIVATE_DEPENDS})
  set_target_properties(sandan_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
