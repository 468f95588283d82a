// The importer of JSON platforms: JsonSplitter frames records, simdjson
// parses each, the platform's mapper maps it.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/errors.h"
#include "ingest/json_splitter.h"
#include "ingest/platforms.h"
#include "simdjson.h"

namespace motive::ingest {
namespace {

static_assert(JsonSplitter::kPadding >= simdjson::SIMDJSON_PADDING);

class JsonImporter final : public model::RecordSource {
 public:
  JsonImporter(const PlatformSpec* spec, model::InputSource input,
               const ImportOptions& options)
      : spec_(spec), options_(options), splitter_(std::move(input)) {}

  bool Next(model::InputRecord* record) override;
  absl::Status status() const override { return status_; }
  uint64_t bytes_read() const override { return splitter_.bytes_read(); }

 private:
  // Parses a framed record into `*root`; false with `record->event` set to
  // why not.
  bool Parse(const JsonSplitter::Piece& piece, simdjson::dom::element* root,
             model::InputRecord* record);
  // Finds spec_ from the first record; false, with status_ set, when none
  // matches.
  bool Sniff(const JsonValue& root, uint64_t number);
  bool Stop(absl::Status status) {
    status_ = std::move(status);
    done_ = true;
    return false;
  }

  const PlatformSpec* spec_;
  const ImportOptions options_;
  JsonSplitter splitter_;
  simdjson::dom::parser parser_;
  absl::Status status_;
  bool done_ = false;

  // Events of the last record not handed out yet.
  std::vector<v1::Event> events_;
  size_t next_event_ = 0;
  uint64_t events_number_ = 0;
};

bool JsonImporter::Next(model::InputRecord* record) {
  if (done_) return false;
  record->skipped = false;
  if (next_event_ < events_.size()) {
    record->number = events_number_;
    record->event = std::move(events_[next_event_++]);
    return true;
  }
  JsonSplitter::Piece piece;
  if (!splitter_.Next(&piece)) return Stop(splitter_.status());
  record->number = piece.number;
  simdjson::dom::element element;
  if (!Parse(piece, &element, record)) return true;
  const JsonValue root = JsonValue::Root(element);
  if (spec_ == nullptr && !Sniff(root, piece.number)) return false;

  events_.clear();
  next_event_ = 0;
  const MapContext context{options_, piece.number};
  absl::Status mapped = spec_->map_json(root, context, &events_);
  if (TakeMapped(std::move(mapped), &events_, record)) {
    events_number_ = piece.number;
    next_event_ = 1;
  }
  return true;
}

bool JsonImporter::Parse(const JsonSplitter::Piece& piece,
                         simdjson::dom::element* root,
                         model::InputRecord* record) {
  if (!piece.error.ok()) {
    record->event = piece.error;
    return false;
  }
  const simdjson::error_code error =
      parser_.parse(piece.text.data(), piece.text.size(), false).get(*root);
  if (error != simdjson::SUCCESS) {
    record->event = base::ParseError(
        "", absl::StrCat("invalid JSON: ", simdjson::error_message(error)));
    return false;
  }
  if (root->type() != simdjson::dom::element_type::OBJECT) {
    record->event = base::FieldError(
        "", absl::StrCat("a record must be a JSON object, got ",
                         JsonFields::TypeName(*root)));
    return false;
  }
  return true;
}

bool JsonImporter::Sniff(const JsonValue& root, uint64_t number) {
  std::vector<std::string> tried;
  for (const PlatformSpec& spec : Platforms()) {
    if (spec.looks_like_json == nullptr) continue;
    if (spec.looks_like_json(root)) {
      spec_ = &spec;
      return true;
    }
    tried.push_back(absl::StrCat(spec.name, " (", spec.sniff_rule, ")"));
  }
  return Stop(absl::InvalidArgumentError(
      absl::StrCat("cannot tell the platform of record ", number,
                   " from its keys; tried ", absl::StrJoin(tried, "; "))));
}

}  // namespace

std::unique_ptr<model::RecordSource> NewJsonImporter(
    const PlatformSpec* spec, model::InputSource input,
    const ImportOptions& options) {
  return std::make_unique<JsonImporter>(spec, std::move(input), options);
}

}  // namespace motive::ingest
