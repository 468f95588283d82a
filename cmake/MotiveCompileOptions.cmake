# Warnings and sanitizers shared by every motive target, through the interface
# target motive_compile_options.

add_library(motive_compile_options INTERFACE)
target_compile_options(motive_compile_options INTERFACE
  -Wall -Wextra -Wpedantic
  $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>)

if(MOTIVE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MOTIVE_FUZZ needs clang (libFuzzer): "
            "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(MOTIVE_SANITIZE)
    message(FATAL_ERROR "MOTIVE_FUZZ brings its own sanitizers; "
            "leave MOTIVE_SANITIZE empty")
  endif()
  # Coverage instrumentation for libFuzzer everywhere; only the fuzzers link
  # its runtime (-fsanitize=fuzzer, tests/fuzz), since it brings main().
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
elseif(MOTIVE_SANITIZE)
  string(REPLACE ";" "," _motive_sanitizers "${MOTIVE_SANITIZE}")
  if(_motive_sanitizers MATCHES "thread" AND _motive_sanitizers MATCHES "address")
    message(FATAL_ERROR "MOTIVE_SANITIZE: thread cannot be combined with address")
  endif()
  message(STATUS "motive: building with -fsanitize=${_motive_sanitizers}")
  # Sanitizers must cover every object, third-party-facing code included, so
  # they are set globally rather than on the interface target.
  add_compile_options(-fsanitize=${_motive_sanitizers} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_motive_sanitizers})
endif()

# Clang's thread-safety analysis over the ABSL_GUARDED_BY annotations (see
# src/base/mutex.h): `make thread-safety` builds the library with it, as
# errors, and CI runs it.
option(MOTIVE_THREAD_SAFETY "Check lock annotations (clang only)" OFF)
if(MOTIVE_THREAD_SAFETY)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "MOTIVE_THREAD_SAFETY needs clang (CXX=clang++)")
  endif()
  target_compile_options(motive_compile_options INTERFACE
    -Wthread-safety -Werror=thread-safety)
endif()
