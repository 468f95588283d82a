// The JSONL record reader (model/record_reader.h); see record_reader_fuzz.h.

#include <cstddef>
#include <cstdint>

#include "tests/fuzz/record_reader_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  motive::fuzz::FuzzRecordReader(motive::model::InputFormat::kJsonl, data,
                                 size);
  return 0;
}
