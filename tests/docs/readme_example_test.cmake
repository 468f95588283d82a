# Fails when the C example in README.md is not examples/c/quickstart.c verbatim,
# so that the README shows code that the tests build and run.
# Usage: cmake -DREADME=... -DEXAMPLE=... -P readme_example_test.cmake
file(READ ${README} readme)
file(READ ${EXAMPLE} example)
string(FIND "${readme}" "```c\n" start)
if(start EQUAL -1)
  message(FATAL_ERROR "README.md has no ```c block")
endif()
math(EXPR start "${start} + 5")
string(SUBSTRING "${readme}" ${start} -1 rest)
string(FIND "${rest}" "```" end)
string(SUBSTRING "${rest}" 0 ${end} block)
if(NOT block STREQUAL example)
  message(FATAL_ERROR "The C example in README.md differs from ${EXAMPLE}; "
                      "copy the file into the README")
endif()
message(STATUS "README.md shows ${EXAMPLE} verbatim")
