// The CSV record reader (model/record_reader.h); see record_reader_fuzz.h.

#include <cstddef>
#include <cstdint>

#include "tests/fuzz/record_reader_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  motive::fuzz::FuzzRecordReader(motive::model::InputFormat::kCsv, data, size);
  return 0;
}
