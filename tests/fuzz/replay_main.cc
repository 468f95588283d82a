// A main() for fuzz targets built without libFuzzer: replays inputs through
// LLVMFuzzerTestOneInput once each, so that the corpus and every crash ever
// found stay regression tests in the ordinary build (`make test`).
//
//   <name>_fuzz CORPUS [FOLDER...]
//
// CORPUS must hold at least one input, so that a misspelt path cannot pass by
// testing nothing; the other folders (regressions) may be absent. Inputs run
// in name order, so that a failure is reproduced by the same sequence.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// The regular files in `folder`, sorted; empty when it does not exist.
std::vector<fs::path> InputsIn(const fs::path& folder) {
  std::vector<fs::path> inputs;
  std::error_code error;
  for (const fs::directory_entry& entry :
       fs::directory_iterator(folder, error)) {
    if (entry.is_regular_file()) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

void Replay(const fs::path& input) {
  std::ifstream in(input, std::ios::binary);
  const std::string bytes(std::istreambuf_iterator<char>(in), {});
  // A copy of exactly the input's size, as libFuzzer passes it, so that
  // a read past the end is one the sanitizers (or a crash) can see.
  const std::vector<uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.data(), data.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS [FOLDER...]\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    const std::vector<fs::path> inputs = InputsIn(argv[i]);
    if (i == 1 && inputs.empty()) {
      std::fprintf(stderr, "%s: no inputs in %s\n", argv[0], argv[1]);
      return 1;
    }
    for (const fs::path& input : inputs) {
      std::printf("%s\n", input.c_str());
      std::fflush(stdout);  // the last line names the input that crashed
      Replay(input);
    }
    std::printf("replayed %zu inputs from %s\n", inputs.size(), argv[i]);
  }
  return 0;
}
