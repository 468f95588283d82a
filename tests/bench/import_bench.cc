// Import: Amazon Connect contact records (CTRs) to events (ingest/), the
// step before durable ingest, whose budget is 100k records/s; the mapping
// itself must leave ingest most of that time.
//
//   Import/ctr_parse       simdjson parsing of each record alone: the floor.
//   Import/ctr_parse_map   parsing and MapConnectCtr: mapping's cost is the
//                          difference from ctr_parse.
//   Import/ctr_jsonl       the whole importer over JSON Lines in memory:
//                          framing, parsing, mapping, handing out records.
//   Import/ctr_firehose    the same over concatenated records, as Kinesis
//                          Data Firehose writes them to S3, in 1 MiB chunks.
//
// Over 100,000 generated CTRs (2,000 with --short) shaped like the contact
// record data model's: voice, chat and task contacts, phone and email
// endpoints, agents with holds, abandoned and transferred contacts, three to
// six contact attributes; about 1.3 KB each.

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "engine/engine.h"
#include "ingest/connect_ctr.h"
#include "ingest/importer.h"
#include "simdjson.h"
#include "tests/bench/bench_support.h"

namespace motive::bench {
namespace {

std::string ContactId(std::mt19937_64& random) {
  const uint64_t a = random(), b = random();
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", a >> 32, a & 0xffff,
                         ((a >> 16) & 0xfff) | 0x4000, b >> 48,
                         b & 0xffffffffffff);
}

std::string Time(int64_t seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(seconds),
                          absl::UTCTimeZone());
}

std::string GenerateCtr(std::mt19937_64& random) {
  static constexpr const char* kChannels[] = {"VOICE", "VOICE", "VOICE", "CHAT",
                                              "TASK"};
  static constexpr const char* kQueues[] = {"Billing", "Support", "Sales",
                                            "Retention"};
  static constexpr const char* kIntents[] = {"billing", "cancel", "upgrade",
                                             "outage", "password"};
  const std::string id = ContactId(random);
  const int64_t start = 1714521600 + random() % (90 * 86400);
  const int64_t queued = start + 5 + random() % 30;
  const int64_t wait = random() % 600;
  const int64_t talk = 60 + random() % 900;
  const bool abandoned = random() % 10 == 0;
  const bool transferred = !abandoned && random() % 8 == 0;
  const int64_t end = queued + wait + (abandoned ? 0 : talk);
  const char* channel = kChannels[random() % 5];
  const uint64_t customer = random() % 1000000;
  const std::string endpoint =
      random() % 4 == 0
          ? absl::StrFormat(
                R"({"Address": "customer%d@example.com", "Type": "EMAIL_ADDRESS"})",
                customer)
          : absl::StrFormat(
                R"({"Address": "+1415%07d", "Type": "TELEPHONE_NUMBER"})",
                customer);
  const std::string agent =
      abandoned
          ? "null"
          : absl::StrFormat(
                R"({"ARN": "arn:aws:connect:us-east-1:123456789012:instance/4c2b/agent/%s", "AfterContactWorkDuration": %d, "AfterContactWorkEndTimestamp": "%s", "AfterContactWorkStartTimestamp": "%s", "AgentInteractionDuration": %d, "ConnectedToAgentTimestamp": "%s", "CustomerHoldDuration": %d, "HierarchyGroups": null, "LongestHoldDuration": %d, "NumberOfHolds": %d, "RoutingProfile": {"ARN": "arn:aws:connect:us-east-1:123456789012:instance/4c2b/routing-profile/77aa", "Name": "Basic Routing Profile"}, "Username": "agent%d"})",
                ContactId(random), 30, Time(end + 30), Time(end), talk,
                Time(queued + wait), random() % 120, random() % 60,
                random() % 3, random() % 500);
  std::string attributes;
  const int count = 3 + random() % 4;
  for (int i = 0; i < count; ++i) {
    absl::StrAppend(&attributes, i ? ", " : "", "\"attr", i, "\": \"",
                    kIntents[random() % 5], "\"");
  }
  return absl::StrFormat(
      R"({"AWSAccountId": "123456789012", "AWSContactTraceRecordFormatVersion": "2017-03-10", "Agent": %s, "AgentConnectionAttempts": 1, "Attributes": {%s}, "Channel": "%s", "ContactId": "%s", "CustomerEndpoint": %s, "DisconnectReason": "%s", "DisconnectTimestamp": "%s", "InitialContactId": null, "InitiationMethod": "INBOUND", "InitiationTimestamp": "%s", "InstanceARN": "arn:aws:connect:us-east-1:123456789012:instance/4c2b", "LastUpdateTimestamp": "%s", "MediaStreams": [{"Type": "AUDIO"}], "NextContactId": null, "PreviousContactId": null, "Queue": {"ARN": "arn:aws:connect:us-east-1:123456789012:instance/4c2b/queue/%d", "DequeueTimestamp": "%s", "Duration": %d, "EnqueueTimestamp": "%s", "Name": "%s"}, "Recording": null, "Recordings": null, "References": [], "SystemEndpoint": {"Address": "+18005550199", "Type": "TELEPHONE_NUMBER"}, "TransferCompletedTimestamp": null, "TransferredToEndpoint": %s})",
      agent, attributes, channel, id, endpoint,
      abandoned ? "CUSTOMER_DISCONNECT" : "AGENT_DISCONNECT", Time(end),
      Time(start), Time(end + 40), random() % 4, Time(queued + wait), wait,
      Time(queued), kQueues[random() % 4],
      transferred ? R"({"Address": "+18005550123", "Type": "TELEPHONE_NUMBER"})"
                  : "null");
}

struct CtrSet {
  std::vector<std::string> records;
  std::string jsonl;
  std::string firehose;
};

const CtrSet& Ctrs() {
  static const CtrSet* const set = [] {
    auto* s = new CtrSet;
    std::mt19937_64 random(11);
    const size_t n = ShortMode() ? 2000 : 100000;
    for (size_t i = 0; i < n; ++i) {
      s->records.push_back(GenerateCtr(random));
      absl::StrAppend(&s->jsonl, s->records.back(), "\n");
      absl::StrAppend(&s->firehose, s->records.back());
    }
    return s;
  }();
  return *set;
}

void Report(benchmark::State& state, uint64_t records, uint64_t bytes,
            absl::Duration timed) {
  const double seconds = absl::ToDoubleSeconds(timed);
  state.counters["records/s"] = records / seconds;
  state.counters["ns/record"] = seconds * 1e9 / records;
  state.counters["MB/s"] = bytes / seconds / 1e6;
}

void BM_Parse(benchmark::State& state, bool map) {
  const CtrSet& set = Ctrs();
  simdjson::dom::parser parser;
  const ingest::ImportOptions options;
  std::vector<v1::Event> events;
  absl::Duration timed;
  uint64_t records = 0, bytes = 0;
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    for (const std::string& record : set.records) {
      simdjson::dom::element root;
      if (parser.parse(record).get(root) != simdjson::SUCCESS) {
        state.SkipWithError("a generated CTR does not parse");
        return;
      }
      if (map) {
        events.clear();
        const ingest::MapContext context{options, records};
        if (!ingest::MapConnectCtr(ingest::JsonValue::Root(root), context,
                                   &events)
                 .ok()) {
          state.SkipWithError("a generated CTR does not map");
          return;
        }
        benchmark::DoNotOptimize(events.data());
      }
      benchmark::DoNotOptimize(root);
    }
    timed += absl::Now() - start;
    records += set.records.size();
    bytes += set.jsonl.size();
  }
  Report(state, records, bytes, timed);
}

void BM_Importer(benchmark::State& state, bool firehose) {
  const std::string& input = firehose ? Ctrs().firehose : Ctrs().jsonl;
  absl::Duration timed;
  uint64_t records = 0;
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    auto source = ingest::NewImporter(ingest::Platform::kConnectCtr,
                                      MiBChunks(input), ingest::ImportOptions());
    model::InputRecord record;
    uint64_t n = 0;
    while (source->Next(&record)) {
      if (!record.event.ok()) {
        state.SkipWithError(record.event.status().ToString().c_str());
        return;
      }
      ++n;
    }
    timed += absl::Now() - start;
    if (n != Ctrs().records.size()) {
      state.SkipWithError("records went missing");
      return;
    }
    records += n;
  }
  Report(state, records, records * (input.size() / Ctrs().records.size()),
         timed);
  // The yardstick of the other platforms' importers
  // (platform_import_bench.cc).
  if (!firehose) {
    SetBaseline("ctr_jsonl", records / absl::ToDoubleSeconds(timed));
  }
}

// The budget's figure: CTRs from JSON Lines into a database on disk, each
// batch (of the default size) synced before the next (durability FULL),
// identities resolved, through Engine::Ingest as mot_ingest_file does it.
void BM_Durable(benchmark::State& state) {
  const std::string& input = Ctrs().jsonl;
  const std::string path = ScratchDir() + "/import.db";
  absl::Duration timed;
  uint64_t records = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm", "-lock", "-snapshot"}) {
      std::remove((path + suffix).c_str());
    }
    engine::EngineOptions options;
    options.log.durability = store::Durability::kFull;
    options.clock = Clock;
    auto engine = engine::Engine::Open(path, std::move(options));
    if (!engine.ok()) {
      state.SkipWithError(engine.status().ToString().c_str());
      return;
    }
    auto source =
        ingest::NewImporter(ingest::Platform::kConnectCtr,
                            model::WholeBuffer(input), ingest::ImportOptions());
    engine::IngestCounts counts;
    engine::IngestOptions ingest;
    std::string first_reject;
    ingest.on_reject = [&](uint64_t record, const std::string& field,
                           const std::string& reason) {
      if (first_reject.empty()) {
        first_reject =
            absl::StrCat("record ", record, ": ", field, ": ", reason);
      }
    };
    state.ResumeTiming();
    const absl::Time start = absl::Now();
    const absl::Status status = (*engine)->Ingest(*source, ingest, &counts);
    timed += absl::Now() - start;
    state.PauseTiming();
    if (!status.ok() || counts.rejected > 0 ||
        counts.records != Ctrs().records.size()) {
      state.SkipWithError(absl::StrCat("import: ", status.ToString(), ", ",
                                       counts.rejected, " rejected of ",
                                       counts.records, "; ", first_reject)
                              .c_str());
      return;
    }
    records += counts.records;
    engine->reset();
    state.ResumeTiming();
  }
  const double rate =
      static_cast<double>(records) / absl::ToDoubleSeconds(timed);
  state.counters["records/s"] = rate;
  ReportRatio(state, "sqlite_durable", rate);
  Note("7 import", absl::StrFormat("connect-ctr import, durable: %.0f "
                                   "records/s (budget 100,000)",
                                   rate));
}

BENCHMARK_CAPTURE(BM_Parse, ctr_parse, false)
    ->Name("Import/ctr_parse")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Parse, ctr_parse_map, true)
    ->Name("Import/ctr_parse_map")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Importer, ctr_jsonl, false)
    ->Name("Import/ctr_jsonl")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Importer, ctr_firehose, true)
    ->Name("Import/ctr_firehose")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Durable)
    ->Name("Import/ctr_durable")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace motive::bench
