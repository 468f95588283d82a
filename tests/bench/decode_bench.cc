// Decoding: one motive.v1.Event from one line of JSON, the first step of
// every JSONL record and of every JSON Record call.
//
//   Decode/json_event_protobuf   protobuf's JsonStringToMessage with motive's
//                                options: what model::Decode used before
//                                (the baseline).
//   Decode/json_event            model::Decode, which now takes motive's own
//                                decoder (model/event_json.h).
//   Decode/json_simdjson_parse   simdjson's DOM parse of the same lines,
//                                building no event: the floor of a decoder
//                                on simdjson, to tell whether ours should
//                                move to it (issue 16).
//
// Over the data set's JSONL lines. ns/event is the mean cost of one event;
// x_json_event_protobuf is how many times as many events per second as the
// baseline. Before timing, the fast decoder's events are checked against
// protobuf's, line by line.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "model/event_codec.h"
#include "simdjson.h"
#include "tests/bench/bench_support.h"

namespace motive::bench {
namespace {

const std::vector<absl::string_view>& Lines() {
  static const std::vector<absl::string_view>* const lines = [] {
    auto* out = new std::vector<absl::string_view>;
    absl::string_view jsonl = Journeys().jsonl;
    while (!jsonl.empty()) {
      const size_t end = jsonl.find('\n');
      absl::string_view line = jsonl.substr(0, end);
      if (!line.empty()) out->push_back(line);
      if (end == absl::string_view::npos) break;
      jsonl.remove_prefix(end + 1);
    }
    return out;
  }();
  return *lines;
}

bool ProtobufDecode(absl::string_view line, v1::Event* event) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  options.case_insensitive_enum_parsing = true;
  event->Clear();
  return google::protobuf::util::JsonStringToMessage(
             google::protobuf::StringPiece(line.data(), line.size()), event,
             options)
      .ok();
}

bool FastDecode(absl::string_view line, v1::Event* event) {
  return model::Decode(model::WireFormat::kJson, line, event).ok();
}

// Empty when both decoders agree on every line, else the first difference.
std::string Disagreement() {
  v1::Event fast;
  v1::Event reference;
  for (absl::string_view line : Lines()) {
    if (!ProtobufDecode(line, &reference) || !FastDecode(line, &fast) ||
        !google::protobuf::util::MessageDifferencer::Equals(fast, reference)) {
      return absl::StrCat("decoders disagree on ", line);
    }
  }
  return "";
}

void RunDecode(benchmark::State& state, bool fast) {
  const std::vector<absl::string_view>& lines = Lines();
  if (fast) {
    if (std::string diff = Disagreement(); !diff.empty()) {
      state.SkipWithError(diff.c_str());
      return;
    }
  }
  v1::Event event;
  absl::Duration timed;
  uint64_t events = 0;
  for (auto _ : state) {
    absl::Time start = absl::Now();
    for (absl::string_view line : lines) {
      bool ok = fast ? FastDecode(line, &event) : ProtobufDecode(line, &event);
      if (!ok) {
        state.SkipWithError(absl::StrCat("cannot decode ", line).c_str());
        return;
      }
      benchmark::DoNotOptimize(event);
    }
    timed += absl::Now() - start;
    events += lines.size();
  }
  const double seconds = absl::ToDoubleSeconds(timed);
  const double rate = events / seconds;
  state.counters["ns/event"] = seconds * 1e9 / events;
  state.counters["events/s"] = rate;
  if (fast) {
    ReportRatio(state, "json_event_protobuf", rate);
  } else {
    SetBaseline("json_event_protobuf", rate);
  }
}

void BM_SimdjsonParse(benchmark::State& state) {
  const std::vector<absl::string_view>& lines = Lines();
  // simdjson reads up to 64 bytes past the end: padded copies, made once.
  std::vector<simdjson::padded_string> padded;
  padded.reserve(lines.size());
  for (absl::string_view line : lines) {
    padded.emplace_back(line.data(), line.size());
  }
  simdjson::dom::parser parser;
  absl::Duration timed;
  uint64_t events = 0;
  for (auto _ : state) {
    absl::Time start = absl::Now();
    for (const simdjson::padded_string& line : padded) {
      simdjson::dom::element root;
      if (parser.parse(line).get(root) != simdjson::SUCCESS) {
        state.SkipWithError("simdjson cannot parse a line");
        return;
      }
      benchmark::DoNotOptimize(root);
    }
    timed += absl::Now() - start;
    events += lines.size();
  }
  const double seconds = absl::ToDoubleSeconds(timed);
  state.counters["ns/event"] = seconds * 1e9 / events;
  state.counters["events/s"] = events / seconds;
  ReportRatio(state, "json_event_protobuf", events / seconds);
}

void BM_DecodeProtobuf(benchmark::State& state) { RunDecode(state, false); }
void BM_DecodeFast(benchmark::State& state) { RunDecode(state, true); }

// The baseline first: the other reports its ratio to it.
BENCHMARK(BM_DecodeProtobuf)
    ->Name("Decode/json_event_protobuf")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_DecodeFast)
    ->Name("Decode/json_event")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SimdjsonParse)
    ->Name("Decode/json_simdjson_parse")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace motive::bench
