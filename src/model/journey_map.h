// JourneyMap infers an event's moment of truth and journey stage from its
// type and channel, for callers that leave them out.
//
// The built-in map (kDefaultJourneyMapText, below in journey_map.cc) follows
// the moments of truth in ARCHITECTURE.md:
//
//   less-than-zero  word_of_mouth, churn                 discovery / loyalty
//   zero            web_visit, help_search, review,      consideration
//                   social_mention; web, social and
//                   review-site channels
//   first           purchase, signup, store channel      purchase
//   second          delivery, activation, product_usage, experience
//                   return
//   interim         contact; voice, chat, email, SMS     experience
//   third           survey, feedback, renewal, offer     loyalty
//                   referral                             advocacy
//
// A deployment replaces it with its own map in protobuf text format
// (motive.v1.JourneyMap), passed to the engine when it opens.
//
// Immutable after construction; safe to share between threads.

#ifndef MOTIVE_MODEL_JOURNEY_MAP_H_
#define MOTIVE_MODEL_JOURNEY_MAP_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "motive/v1/event.pb.h"
#include "motive/v1/journey_map.pb.h"

namespace motive::model {

class JourneyMap {
 public:
  // The built-in map.
  static const JourneyMap& Default();

  // Parses a map in protobuf text format. Errors give the line and column.
  static absl::StatusOr<JourneyMap> FromText(absl::string_view text);

  // Checks the rules (known enum values, lower-case types) and builds a map.
  static absl::StatusOr<JourneyMap> FromProto(v1::JourneyMap proto);

  // Fills the event's moment and stage where they are unspecified, from the
  // first rule that matches and sets them. Leaves them unspecified when no
  // rule does.
  void Infer(v1::Event* event) const;

  const v1::JourneyMap& proto() const { return proto_; }

 private:
  explicit JourneyMap(v1::JourneyMap proto) : proto_(std::move(proto)) {}

  v1::JourneyMap proto_;
};

}  // namespace motive::model

#endif  // MOTIVE_MODEL_JOURNEY_MAP_H_
