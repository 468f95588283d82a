// Regular expressions for CEL's matches(), compiled once and shared.
//
// matches() finds its compiled pattern in a process-wide cache (bounded,
// with a small per-thread memo in front, so that a hit takes no lock). A
// planner that sees a constant pattern can do better: compile it once with
// CompileRegex when it plans the program, keep the pointer, and call
// MatchRegex when it runs.
//
// Thread-safe: compiled patterns are immutable and may be shared.

#ifndef MOTIVE_EXPR_STD_STRINGS_H_
#define MOTIVE_EXPR_STD_STRINGS_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "expr/functions.h"
#include "expr/value.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace motive::expr {

// The compiled `pattern` (RE2 syntax), shared with the cache; never null.
// A pattern that does not compile is returned too, with ok() false, so
// that MatchRegex reports why each time it is used.
std::shared_ptr<const re2::RE2> CompileRegex(absl::string_view pattern);

// CEL's matches(): whether `re` matches anywhere in `text`, or an error
// Value when `re` did not compile.
Value MatchRegex(const re2::RE2& re, absl::string_view text,
                 EvalContext& context);

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_STD_STRINGS_H_
