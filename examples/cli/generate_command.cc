// motive generate: synthetic customer journeys as JSON Lines.

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "command_line.h"
#include "commands.h"
#include "datagen/journey_generator.h"
#include "engine_util.h"
#include "fmt/format.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "generate";
constexpr size_t kFlushBytes = size_t{1} << 20;

// Writes every customer's journey to `out`. False when writing failed (see
// errno).
bool WriteJourneys(datagen::JourneyGenerator& generator, std::FILE* out) {
  std::string chunk;
  chunk.reserve(2 * kFlushBytes);
  bool more = true;
  while (more) {
    more = generator.NextCustomer(&chunk);
    if (chunk.size() >= kFlushBytes || !more) {
      if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
        return false;
      }
      chunk.clear();
    }
  }
  return std::fflush(out) == 0;
}

// motive refuses events more than a day ahead of the clock.
void WarnIfFuture(const datagen::GeneratorOptions& options) {
  const int64_t end = options.start_unix_s + int64_t{options.days} * 86400;
  if (end > static_cast<int64_t>(std::time(nullptr))) {
    fmt::print(stderr,
               "motive generate: warning: the window reaches past today; "
               "motive rejects events more than a day in the future\n");
  }
}

}  // namespace

int RunGenerate(int argc, char** argv) {
  datagen::GeneratorOptions options;
  uint64_t days = options.days;
  std::string out_path;
  CommandLine cl(kCommand, "[options]",
                 "Writes synthetic customer journeys, one motive.v1.Event per "
                 "line in JSON,\nfrom 2025-01-01 on. The same options give the "
                 "same output.");
  cl.Add(
      {.name = "customers", .value_name = "N", .help = "number of customers"},
      &options.customers);
  cl.Add({.name = "seed", .value_name = "S", .help = "random seed"},
         &options.seed);
  cl.Add({.name = "days",
          .value_name = "D",
          .help = "length of the time window in days",
          .min = 1,
          .max = 36500},
         &days);
  cl.Add({.name = "mean-events",
          .value_name = "M",
          .help = "mean number of events per customer (skewed: most have "
                  "few, some thousands)",
          .min = 1,
          .max = static_cast<double>(datagen::kMaxEventsPerCustomer)},
         &options.events_per_customer);
  cl.Add({.name = "out",
          .value_name = "FILE",
          .help = "write to FILE instead of standard output"},
         &out_path);
  bool json = false;
  AddJsonFlag(cl,
              "what was written (to standard error when the events go to "
              "standard output)",
              &json);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  options.days = static_cast<int>(days);
  WarnIfFuture(options);

  std::FILE* out = stdout;
  if (!out_path.empty()) {
    out = std::fopen(out_path.c_str(), "wb");
    if (out == nullptr) {
      fmt::print(stderr, "motive {}: cannot write {}: {}\n", kCommand, out_path,
                 std::strerror(errno));
      return kExitFailure;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  datagen::JourneyGenerator generator(options);
  bool ok = WriteJourneys(generator, out);
  int error = ok ? 0 : errno;
  if (out != stdout && std::fclose(out) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (!ok) {
    fmt::print(stderr, "motive {}: cannot write {}: {}\n", kCommand,
               out_path.empty() ? "to standard output" : out_path,
               std::strerror(error));
    return kExitFailure;
  }
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  if (json) {
    // Standard output carries the events unless they went to a file.
    fmt::print(out_path.empty() ? stderr : stdout,
               "{{\"events\":{},\"customers\":{},\"seed\":{},"
               "\"seconds\":{:.3f},\"out\":{}}}\n",
               generator.events_written(), generator.customers_written(),
               options.seed, elapsed.count(),
               out_path.empty() ? "null" : JsonQuote(out_path));
    return kExitOk;
  }
  fmt::print(stderr,
             "generated {} events for {} customers (seed {}) in {:.2f} s{}\n",
             Grouped(generator.events_written()),
             Grouped(generator.customers_written()), options.seed,
             elapsed.count(), out_path.empty() ? "" : " into " + out_path);
  return kExitOk;
}

}  // namespace motive::cli
