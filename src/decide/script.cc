#include "decide/script.h"

#include <charconv>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "state/context_variables.h"

namespace motive::decide {
namespace {

// `customer.<name>` for a name that is not a built-in key reads the
// attribute of that name; anything else is the expression as written.
std::string Resolve(absl::string_view expression) {
  constexpr absl::string_view kCustomer = "customer.";
  if (!absl::StartsWith(expression, kCustomer)) return std::string(expression);
  const absl::string_view name = expression.substr(kCustomer.size());
  if (name.empty() || !(absl::ascii_isalpha(name[0]) || name[0] == '_')) {
    return std::string(expression);
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_') return std::string(expression);
  }
  if (state::IsCustomerKey(name)) return std::string(expression);
  return absl::StrCat("customer.attributes.", name);
}

}  // namespace

bool AppendForPeople(const expr::Value& value, std::string* out) {
  switch (value.kind()) {
    case expr::ValueKind::kBool:
      out->append(value.bool_value() ? "yes" : "no");
      return true;
    case expr::ValueKind::kInt:
      absl::StrAppend(out, value.int_value());
      return true;
    case expr::ValueKind::kUint:
      absl::StrAppend(out, value.uint_value());
      return true;
    case expr::ValueKind::kDouble: {
      const double d = value.double_value();
      if (!std::isfinite(d)) return false;
      // printf's "%.0f" and "%.2f", digit for digit, without parsing a
      // format on every placeholder. The largest double takes 309 digits.
      char buffer[320];
      const int decimals = d == std::trunc(d) && std::fabs(d) < 1e15 ? 0 : 2;
      const std::to_chars_result written =
          std::to_chars(buffer, buffer + sizeof(buffer), d,
                        std::chars_format::fixed, decimals);
      out->append(buffer, written.ptr);
      return true;
    }
    case expr::ValueKind::kString:
      absl::StrAppend(out, value.text());
      return true;
    case expr::ValueKind::kTimestamp:
      out->append(
          absl::FormatTime("%Y-%m-%d", value.timestamp(), absl::UTCTimeZone()));
      return true;
    default:
      return false;
  }
}

absl::StatusOr<Template> Template::Compile(absl::string_view text,
                                           const expr::Environment& env) {
  Template result;
  Part part;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        part.literal.push_back('}');
        i += 2;
        continue;
      }
      return absl::InvalidArgumentError(absl::StrCat("unmatched '}' at offset ",
                                                     i,
                                                     " (write \"}}\" for a "
                                                     "brace)"));
    }
    if (c != '{') {
      part.literal.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      part.literal.push_back('{');
      i += 2;
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("unmatched '{' at offset ", i));
    }
    absl::string_view inside = text.substr(i + 1, close - i - 1);
    const size_t bar = inside.find('|');
    if (bar != absl::string_view::npos) {
      part.fallback = std::string(inside.substr(bar + 1));
      inside = inside.substr(0, bar);
    }
    inside = absl::StripAsciiWhitespace(inside);
    if (inside.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("empty placeholder at offset ", i));
    }
    absl::StatusOr<std::unique_ptr<expr::Program>> program =
        expr::Program::Compile(Resolve(inside), env);
    if (!program.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "placeholder {", inside, "}: ", program.status().message()));
    }
    part.placeholder = *std::move(program);
    result.parts_.push_back(std::move(part));
    part = Part();
    i = close + 1;
  }
  if (!part.literal.empty()) result.parts_.push_back(std::move(part));
  return result;
}

void Template::ForEachProgram(
    absl::FunctionRef<void(const expr::Program&)> visit) const {
  for (const Part& part : parts_) {
    if (part.placeholder != nullptr) visit(*part.placeholder);
  }
}

void Template::Fill(const expr::Activation& activation, expr::Arena* arena,
                    std::string* out) const {
  for (const Part& part : parts_) {
    out->append(part.literal);
    if (part.placeholder == nullptr) continue;
    const expr::Value value = part.placeholder->Evaluate(activation, arena);
    // An empty string (a contact without a topic) reads as badly as an
    // absent one: "about their  on :".
    const bool empty_text =
        value.kind() == expr::ValueKind::kString && value.text().empty();
    if (empty_text || !AppendForPeople(value, out)) {
      out->append(part.fallback);
    }
  }
}

std::string Template::Fill(const expr::Activation& activation,
                           expr::Arena* arena) const {
  std::string out;
  Fill(activation, arena, &out);
  return out;
}

}  // namespace motive::decide
