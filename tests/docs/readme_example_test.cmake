# Fails when the first README.md block fenced as FENCE (c, textproto, ...) is
# not EXAMPLE verbatim, so that the README shows what the tests build, run or
# load. Usage: cmake -DREADME=... -DEXAMPLE=... -DFENCE=c -P ...
file(READ ${README} readme)
file(READ ${EXAMPLE} example)
set(opening "```${FENCE}\n")
string(FIND "${readme}" "${opening}" start)
if(start EQUAL -1)
  message(FATAL_ERROR "README.md has no ```${FENCE} block")
endif()
string(LENGTH "${opening}" opening_length)
math(EXPR start "${start} + ${opening_length}")
string(SUBSTRING "${readme}" ${start} -1 rest)
string(FIND "${rest}" "```" end)
string(SUBSTRING "${rest}" 0 ${end} block)
if(NOT block STREQUAL example)
  message(FATAL_ERROR "The ${FENCE} example in README.md differs from ${EXAMPLE}; "
                      "copy the file into the README")
endif()
message(STATUS "README.md shows ${EXAMPLE} verbatim")
