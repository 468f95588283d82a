// The snapshot reader (state/snapshot.h) on damaged files: it loads them or
// refuses them, never crashes, and what it loads answers queries and folds
// new events like a state built from the log. The identity graph inside
// (IdentityGraph::Parse) is refused or answers and takes observations.
//
// A snapshot is checked against a checksum and the context configuration's
// fingerprint before anything else, which random mutations would almost
// never get past. So the target writes both in for the fuzzer, as a PNG
// fuzzer fixes up CRCs: the input is a snapshot file without its last 8
// bytes (the checksum); its fingerprint is overwritten with kConfig's. The
// seeds are snapshots written under kConfig (tests/fuzz/README.md).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "base/text_proto.h"
#include "identity/identity_graph.h"
#include "model/event_id.h"
#include "motive/v1/context.pb.h"
#include "state/customer_state.h"
#include "state/snapshot.h"
#include "state/state_store.h"
#include "tests/fuzz/journey.h"

namespace motive::fuzz {
namespace {

// examples/context.textproto: metrics of two kinds, so that their samples
// are in the snapshots too.
constexpr absl::string_view kConfig = R"pb(
  signals { window_days: 60 repeat_window_days: 3 }
  metrics {
    name: "angry_calls"
    aggregation: COUNT
    window: "30d"
    filter: "event.channel == 'voice' && event.sentiment < -0.3"
  }
  metrics { name: "spend_90d" aggregation: SUM field: "value" window: "90d" }
)pb";

// Where the fingerprint sits: after the magic and the format version.
constexpr size_t kFingerprintAt = 8 + 4;

// state/snapshot.cc's checksum: MurmurHash3 (seed "snap") of the hashes of
// each 1 MiB slice.
uint64_t SnapshotChecksum(absl::string_view data) {
  constexpr uint32_t kSeed = 0x736e6170;
  constexpr size_t kSlice = size_t{1} << 20;
  std::string hashes;
  for (size_t at = 0; at < data.size(); at += kSlice) {
    const uint64_t h =
        model::Murmur3x64_128(data.substr(at, kSlice), kSeed).low;
    hashes.append(reinterpret_cast<const char*>(&h), sizeof(h));
  }
  return model::Murmur3x64_128(hashes, kSeed).low;
}

}  // namespace
}  // namespace motive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fuzz = motive::fuzz;
  namespace state = motive::state;
  static const motive::v1::ContextConfig* const proto = [] {
    auto* proto = new motive::v1::ContextConfig;
    MOTIVE_FUZZ_CHECK(
        motive::base::ParseTextProto(fuzz::kConfig, "config", proto).ok(),
        "the configuration does not parse");
    return proto;
  }();
  static const uint64_t fingerprint = state::ConfigFingerprint(*proto);
  // Built once: compiling the metrics' filters costs more than a read.
  static const state::StateConfig* const config = [] {
    absl::StatusOr<state::StateConfig> config =
        state::StateConfig::FromProto(*proto);
    MOTIVE_FUZZ_CHECK(config.ok(), "the configuration does not load");
    return new state::StateConfig(*std::move(config));
  }();
  static const fuzz::ScratchFile file("snapshot");

  std::string bytes(fuzz::AsText(data, size));
  if (bytes.size() >= fuzz::kFingerprintAt + sizeof(fingerprint)) {
    std::memcpy(&bytes[fuzz::kFingerprintAt], &fingerprint,
                sizeof(fingerprint));
  }
  const uint64_t checksum = fuzz::SnapshotChecksum(bytes);
  bytes.append(reinterpret_cast<const char*>(&checksum), sizeof(checksum));
  file.Write(bytes);

  state::StateStore store(*config);
  std::string graph_bytes;
  if (!state::ReadSnapshot(file.path(), fingerprint, &store,
                           motive::base::FileIo::Default(), &graph_bytes)
           .ok()) {
    return 0;
  }
  // The identity graph's bytes: refused, or a graph that answers and grows.
  absl::StatusOr<std::unique_ptr<motive::identity::IdentityGraph>> graph =
      motive::identity::IdentityGraph::Parse(graph_bytes,
                                             motive::identity::IdentityRules{});
  std::vector<std::string> customers;
  store.ForEach([&](const std::string& id, const state::CustomerState&) {
    customers.push_back(id);
  });
  for (const std::string& id : customers) {
    if (graph.ok()) {
      const std::string profile = (*graph)->ProfileOf(id);
      (void)(*graph)->Anchors(profile);
      (void)(*graph)->Identifiers(profile);
      (*graph)->Observe(id, 0, {{"email", "fuzz@example.com"}});
    }
    state::Summary summary;
    (void)store.Summarize(id, INT64_MAX, &summary);
    motive::v1::Context context;
    (void)store.Describe(id, INT64_MAX, &context);
    motive::v1::Event event = fuzz::Journey().front();
    event.set_customer_id(id);
    store.Apply(event);
  }
  return 0;
}
