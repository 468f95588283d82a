#include "model/event_codec.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver.h"
#include "google/protobuf/util/type_resolver_util.h"
#include "model/event_json.h"
#include "model/proto_log.h"
#include "motive/v1/event.pb.h"

namespace motive::model {

using base::ParseError;

namespace {

// The field the JSON parser names at the start of its message, or "":
// "(csat): invalid value ..." for a bad value, "colour: Cannot find field."
// for an unknown one.
std::string FieldFromParserMessage(absl::string_view message) {
  bool parenthesised = absl::ConsumePrefix(&message, "(");
  size_t end = message.find(parenthesised ? "):" : ":");
  if (end == absl::string_view::npos || end == 0) return "";
  absl::string_view path = message.substr(0, end);
  for (char c : path) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.') return "";
  }
  return std::string(path);
}

}  // namespace

absl::Status Decode(WireFormat format, absl::string_view data,
                    google::protobuf::Message* message) {
  message->Clear();
  if (format == WireFormat::kProtobuf) {
    ProtobufLogCapture log;
    if (!message->ParseFromArray(data.data(), static_cast<int>(data.size()))) {
      return ParseError(
          "",
          absl::StrCat("not a valid ", message->GetDescriptor()->full_name(),
                       " in protobuf binary format",
                       log.text().empty() ? "" : ": ", log.text()));
    }
    return absl::OkStatus();
  }
  // Events and batches, which motive reads in bulk, go to its own decoder
  // (model/event_json.h says where it is stricter than protobuf's); other
  // messages to protobuf's parser.
  if (auto* event =
          google::protobuf::DynamicCastToGenerated<v1::Event>(message)) {
    return DecodeEventJson(data, event);
  }
  if (auto* batch =
          google::protobuf::DynamicCastToGenerated<v1::EventBatch>(message)) {
    return DecodeEventBatchJson(data, batch);
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  options.case_insensitive_enum_parsing = true;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(data.data(), data.size()), message,
      options);
  if (!status.ok()) {
    std::string text(status.message().data(), status.message().size());
    return ParseError(FieldFromParserMessage(text),
                      absl::StrCat("invalid JSON: ", text));
  }
  return absl::OkStatus();
}

absl::Status Encode(WireFormat format, const google::protobuf::Message& message,
                    std::string* out, bool pretty) {
  // Deterministic bytes: map entries sorted by key, so that the same message
  // encodes the same way in every process (protobuf's maps iterate in an
  // order of their own), and outputs can be compared and diffed.
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(
        format == WireFormat::kProtobuf ? out : &bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!message.SerializeToCodedStream(&coded)) {
      return absl::InternalError("protobuf serialization failed");
    }
  }
  if (format == WireFormat::kProtobuf) return absl::OkStatus();
  // JSON from those bytes, as MessageToJsonString does from its own
  // (non-deterministic) ones.
  static const char kTypeUrlPrefix[] = "type.googleapis.com";
  static google::protobuf::util::TypeResolver* const generated =
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          kTypeUrlPrefix, google::protobuf::DescriptorPool::generated_pool());
  const google::protobuf::DescriptorPool* pool =
      message.GetDescriptor()->file()->pool();
  std::unique_ptr<google::protobuf::util::TypeResolver> own;
  google::protobuf::util::TypeResolver* resolver = generated;
  if (pool != google::protobuf::DescriptorPool::generated_pool()) {
    own.reset(google::protobuf::util::NewTypeResolverForDescriptorPool(
        kTypeUrlPrefix, pool));
    resolver = own.get();
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = pretty;
  std::string json;
  auto status = google::protobuf::util::BinaryToJsonString(
      resolver,
      absl::StrCat(kTypeUrlPrefix, "/", message.GetDescriptor()->full_name()),
      bytes, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat(
        "JSON serialization failed: ",
        absl::string_view(status.message().data(), status.message().size())));
  }
  // The printer ends pretty output with a newline; keep one form.
  while (!json.empty() && json.back() == '\n') json.pop_back();
  out->append(json);
  return absl::OkStatus();
}

}  // namespace motive::model
