#include "model/interactions.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "model/event_validation.h"

namespace motive::model {
namespace {

// The order of an interaction's versions and enrichments.
std::tuple<int64_t, absl::string_view> VersionKey(const v1::Event& event) {
  return {ToUnixMicros(event.has_updated_at() ? event.updated_at()
                                              : event.occurred_at()),
          event.event_id()};
}

struct Interaction {
  int version = -1;
  std::vector<int> enrichments;
};

}  // namespace

void Enrich(const v1::Event& enrichment, v1::Event* version) {
  v1::Event overlay = enrichment;
  // What describes the enrichment itself, not the contact.
  overlay.clear_event_id();
  overlay.clear_customer_id();
  overlay.clear_occurred_at();
  overlay.clear_recorded_at();
  overlay.clear_channel();
  overlay.clear_type();
  overlay.clear_moment();
  overlay.clear_stage();
  overlay.clear_identifiers();
  overlay.clear_interaction_id();
  overlay.clear_updated_at();
  overlay.clear_enrichment();
  version->MergeFrom(overlay);
}

std::vector<v1::Event> EffectiveEvents(std::vector<v1::Event> events) {
  absl::flat_hash_map<absl::string_view, Interaction> interactions;
  for (int i = 0; i < static_cast<int>(events.size()); ++i) {
    const v1::Event& event = events[i];
    if (event.interaction_id().empty()) continue;
    Interaction& interaction = interactions[event.interaction_id()];
    if (event.enrichment()) {
      interaction.enrichments.push_back(i);
    } else if (interaction.version < 0 ||
               VersionKey(events[interaction.version]) < VersionKey(event)) {
      interaction.version = i;
    }
  }
  if (interactions.empty()) return events;
  std::vector<bool> keep(events.size(), true);
  for (auto& [id, interaction] : interactions) {
    for (int i : interaction.enrichments) keep[i] = false;
    if (interaction.version < 0) continue;
    std::sort(interaction.enrichments.begin(), interaction.enrichments.end(),
              [&](int a, int b) {
                return VersionKey(events[a]) < VersionKey(events[b]);
              });
    for (int i : interaction.enrichments) {
      Enrich(events[i], &events[interaction.version]);
    }
  }
  for (int i = 0; i < static_cast<int>(events.size()); ++i) {
    const v1::Event& event = events[i];
    if (!event.interaction_id().empty() && !event.enrichment() &&
        interactions[event.interaction_id()].version != i) {
      keep[i] = false;
    }
  }
  std::vector<v1::Event> effective;
  effective.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (keep[i]) effective.push_back(std::move(events[i]));
  }
  return effective;
}

}  // namespace motive::model
