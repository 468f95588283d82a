// Versions and enrichments of one interaction (see interaction_id in
// motive/v1/event.proto): what of a customer's events counts.
//
// Every reader of a customer's history (the state's folds, the timeline,
// as-of replays) goes through EffectiveEvents, so that an interaction counts
// once, as its latest version with its enrichments laid over it, whatever
// order its events arrived in.

#ifndef MOTIVE_MODEL_INTERACTIONS_H_
#define MOTIVE_MODEL_INTERACTIONS_H_

#include <vector>

#include "motive/v1/event.pb.h"

namespace motive::model {

// `events` (one customer's, in the order to keep) with each interaction
// reduced to one event: its latest version (by updated_at, or occurred_at
// when unset; ties by event_id) where it stood, with the fields its
// enrichments set laid over it in the same order, except their type,
// channel, moment, stage, times, ids and identifiers. An interaction
// without a version (enrichments only) is left out; events without an
// interaction_id stay as they are.
std::vector<v1::Event> EffectiveEvents(std::vector<v1::Event> events);

// Lays the fields `enrichment` sets over `version` (see above).
void Enrich(const v1::Event& enrichment, v1::Event* version);

}  // namespace motive::model

#endif  // MOTIVE_MODEL_INTERACTIONS_H_
