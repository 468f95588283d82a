// What the reliability harnesses share (crash_test, soak_test): they drive
// an engine through the C ABI only, as a vendor's process would, read
// their flags, and fail by exiting with a message.

#ifndef MOTIVE_TESTS_RELIABILITY_HARNESS_H_
#define MOTIVE_TESTS_RELIABILITY_HARNESS_H_

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <string>

#include "motive/motive.h"

namespace motive::harness {

// Names the program in messages; main sets it first.
inline const char* program = "harness";

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program, what.c_str());
  std::exit(1);
}

// The bytes a call put in `out` (disposed of here); dies, naming `what`,
// when the call did not return MOT_OK.
inline std::string Take(int rc, mot_buf* out, const std::string& what) {
  if (rc != MOT_OK) Die(what + ": " + mot_error_last());
  std::string text(reinterpret_cast<const char*>(out->data), out->size);
  mot_buf_dispose(out);
  return text;
}

// Hands each "--name value" of argv to `flag`, and each "--name" listed in
// `switches` with an empty value; dies with `usage` on a flag that `flag`
// does not know (it returns false) or one without its value.
inline void ParseFlags(
    int argc, char** argv, std::initializer_list<std::string> switches,
    const std::function<bool(const std::string& name,
                             const std::string& value)>& flag,
    const std::string& usage) {
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    bool is_switch = false;
    for (const std::string& s : switches) is_switch |= s == name;
    std::string value;
    if (!is_switch) {
      if (i + 1 >= argc) Die(name + " needs a value; usage: " + usage);
      value = argv[++i];
    }
    if (!flag(name, value)) {
      Die("unknown argument " + name + "; usage: " + usage);
    }
  }
}

}  // namespace motive::harness

#endif  // MOTIVE_TESTS_RELIABILITY_HARNESS_H_
