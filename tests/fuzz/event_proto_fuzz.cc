// The binary decoding of events and batches (model/event_codec.h) on any
// bytes, and validation of whatever decodes: a caller of mot_event_record()
// may send anything, and the log's bodies come back through the same path.

#include <cstddef>
#include <cstdint>

#include "model/event_codec.h"
#include "model/event_validation.h"
#include "model/journey_map.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace model = motive::model;
  const absl::string_view bytes = motive::fuzz::AsText(data, size);
  motive::v1::Event event;
  if (model::Decode(model::WireFormat::kProtobuf, bytes, &event).ok()) {
    (void)model::PrepareEvent(&event, model::JourneyMap::Default(),
                              motive::fuzz::kNow);
  }
  motive::v1::EventBatch batch;
  if (model::Decode(model::WireFormat::kProtobuf, bytes, &batch).ok()) {
    for (motive::v1::Event& e : *batch.mutable_events()) {
      (void)model::PrepareEvent(&e, model::JourneyMap::Default(),
                                motive::fuzz::kNow);
    }
  }
  return 0;
}
