// Template: an agent script or a reason with placeholders, compiled once when
// the ruleset loads and filled from the customer's context at decision time.
//
// "Hello {customer.first_name}, you spent {metrics.spend_365d} this year."
// Each placeholder is an expression of the rule language, checked against
// the ruleset's environment at load. Two conveniences keep scripts readable:
// - `customer.<name>`, alone in a placeholder, where <name> is not a
//   built-in customer key, reads customer.attributes.<name> (attributes such
//   as first_name come from the customer's events);
// - `{expr|text}` writes `text` when the expression has no value (an absent
//   key, an error) or its value is an empty string; without it the
//   placeholder writes nothing.
// "{{" and "}}" are literal braces.
//
// Values are written for people: integers in decimal, doubles with two
// decimals (money reads "199.90"), a whole number without any, timestamps as
// YYYY-MM-DD (UTC), strings as they are, booleans as "yes" or "no". Lists and
// maps are not written (the fallback applies).
//
// Immutable after Compile; Fill may run on many threads at once.

#ifndef MOTIVE_DECIDE_SCRIPT_H_
#define MOTIVE_DECIDE_SCRIPT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "expr/environment.h"
#include "expr/program.h"
#include "expr/value.h"

namespace motive::decide {

class Template {
 public:
  Template() = default;

  // Errors: InvalidArgument for an unmatched brace, an empty placeholder, or
  // an expression that does not compile (with its position inside the
  // placeholder).
  static absl::StatusOr<Template> Compile(absl::string_view text,
                                          const expr::Environment& env);

  bool empty() const { return parts_.empty(); }

  // Appends the text with every placeholder filled to `out`.
  void Fill(const expr::Activation& activation, expr::Arena* arena,
            std::string* out) const;
  std::string Fill(const expr::Activation& activation,
                   expr::Arena* arena) const;

  // Calls `visit` with each placeholder's program.
  void ForEachProgram(
      absl::FunctionRef<void(const expr::Program&)> visit) const;

 private:
  struct Part {
    std::string literal;  // written before the placeholder
    std::shared_ptr<const expr::Program> placeholder;  // null: none
    std::string fallback;
  };
  std::vector<Part> parts_;
};

// Writes `value` as a template writes it (see above); false when the value
// has no written form (an error, null, a list or a map).
bool AppendForPeople(const expr::Value& value, std::string* out);

}  // namespace motive::decide

#endif  // MOTIVE_DECIDE_SCRIPT_H_
