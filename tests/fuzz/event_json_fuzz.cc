// The JSON event decoder (model/event_json.h) on any bytes: it decodes or
// refuses, never crashes. What it decodes goes on through validation, and
// must survive a round trip through the JSON encoder unchanged.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/util/field_comparator.h"
#include "google/protobuf/util/message_differencer.h"
#include "model/event_codec.h"
#include "model/event_json.h"
#include "model/event_validation.h"
#include "model/journey_map.h"
#include "tests/fuzz/fuzz_support.h"

namespace motive::fuzz {
namespace {

bool SameEvent(const v1::Event& a, const v1::Event& b) {
  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  return differencer.Compare(a, b);
}

void RoundTrip(const v1::Event& event) {
  std::string json;
  MOTIVE_FUZZ_CHECK(model::Encode(model::WireFormat::kJson, event, &json).ok(),
                    "a decoded event does not encode");
  v1::Event again;
  MOTIVE_FUZZ_CHECK(model::DecodeEventJson(json, &again).ok(),
                    "the encoder's JSON does not decode");
  MOTIVE_FUZZ_CHECK(SameEvent(event, again), "the round trip changed it");
}

}  // namespace
}  // namespace motive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace model = motive::model;
  const absl::string_view json = motive::fuzz::AsText(data, size);
  motive::v1::Event event;
  if (model::DecodeEventJson(json, &event).ok()) {
    motive::fuzz::RoundTrip(event);
    (void)model::PrepareEvent(&event, model::JourneyMap::Default(),
                              motive::fuzz::kNow);
  }
  motive::v1::EventBatch batch;
  (void)model::DecodeEventBatchJson(json, &batch);
  return 0;
}
