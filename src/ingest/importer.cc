#include "ingest/importer.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ingest/platforms.h"

namespace motive::ingest {
namespace {

constexpr absl::string_view kAutoName = "auto";

bool IsLeadingByte(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || u == 0xEF ||
         u == 0xBB || u == 0xBF;
}

// kAuto, and a platform that reads both framings: reads up to the first
// byte that is neither whitespace nor a byte order mark, picks JSON ('{' or
// '[') or CSV (anything else) from it, then hands the whole input, what it
// read included, to the importer of that framing, for `spec_` or, without
// one, to find the platform from the first record or the header. Chunks
// holding only such leading bytes are kept, as CSV reads them as data: so
// the chunking never changes the result.
class FramingSniffer final : public model::RecordSource {
 public:
  FramingSniffer(const PlatformSpec* spec, model::InputSource input,
                 const ImportOptions& options)
      : spec_(spec), input_(std::move(input)), options_(options) {}

  bool Next(model::InputRecord* record) override {
    if (inner_ == nullptr && !Start()) return false;
    return inner_->Next(record);
  }
  absl::Status status() const override {
    return inner_ == nullptr ? status_ : inner_->status();
  }
  uint64_t bytes_read() const override {
    return inner_ == nullptr ? leading_.size() : inner_->bytes_read();
  }

 private:
  bool Start() {
    if (!status_.ok()) return false;
    absl::string_view first;
    std::optional<char> lead;  // none: the input has ended
    while (true) {
      absl::StatusOr<absl::string_view> chunk = input_();
      if (!chunk.ok()) {
        status_ = chunk.status();
        return false;
      }
      if (chunk->empty()) break;
      size_t i = 0;
      while (i < chunk->size() && IsLeadingByte((*chunk)[i])) ++i;
      if (i < chunk->size()) {
        first = *chunk;
        lead = first[i];
        break;
      }
      leading_.append(chunk->data(), chunk->size());
    }
    // Replays what was read here, then goes on with the input, unless it
    // has ended (no chunk held a lead byte): it is not called again.
    model::InputSource replay =
        [leading = absl::string_view(leading_), first, ended = !lead,
         input =
             std::move(input_)]() mutable -> absl::StatusOr<absl::string_view> {
      if (!leading.empty()) return std::exchange(leading, absl::string_view());
      if (!first.empty()) return std::exchange(first, absl::string_view());
      if (ended) return absl::string_view();
      return input();
    };
    // An empty input is an empty JSON one: no records, no error.
    inner_ = !lead || *lead == '{' || *lead == '['
                 ? NewJsonImporter(spec_, std::move(replay), options_)
                 : NewCsvImporter(spec_, std::move(replay), options_);
    return true;
  }

  const PlatformSpec* const spec_;  // null: kAuto
  model::InputSource input_;
  const ImportOptions options_;
  absl::Status status_;
  std::string leading_;  // chunks of leading bytes only
  std::unique_ptr<model::RecordSource> inner_;
};

std::string AcceptedNames() {
  std::vector<absl::string_view> names = {kAutoName};
  for (const PlatformSpec& spec : Platforms()) names.push_back(spec.name);
  return absl::StrJoin(names, ", ");
}

}  // namespace

absl::StatusOr<Platform> PlatformFromName(absl::string_view name) {
  if (absl::EqualsIgnoreCase(name, kAutoName)) return Platform::kAuto;
  for (const PlatformSpec& spec : Platforms()) {
    if (absl::EqualsIgnoreCase(name, spec.name)) return spec.platform;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown platform \"", absl::CEscape(name),
                   "\"; expected one of ", AcceptedNames()));
}

absl::string_view PlatformName(Platform platform) {
  const PlatformSpec* spec = FindPlatform(platform);
  return spec == nullptr ? kAutoName : spec->name;
}

std::unique_ptr<model::RecordSource> NewImporter(Platform platform,
                                                 model::InputSource input,
                                                 const ImportOptions& options) {
  const PlatformSpec* spec = FindPlatform(platform);
  if (spec == nullptr ||
      (spec->map_json != nullptr && spec->map_csv != nullptr)) {
    return std::make_unique<FramingSniffer>(spec, std::move(input), options);
  }
  if (spec->map_json != nullptr) {
    return NewJsonImporter(spec, std::move(input), options);
  }
  return NewCsvImporter(spec, std::move(input), options);
}

}  // namespace motive::ingest
