# Warnings and sanitizers shared by every motive target, through the interface
# target motive_compile_options.

add_library(motive_compile_options INTERFACE)
target_compile_options(motive_compile_options INTERFACE
  -Wall -Wextra -Wpedantic
  $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>)

if(MOTIVE_SANITIZE)
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
