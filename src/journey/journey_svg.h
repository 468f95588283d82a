// Journey pictures, drawn as SVG text: one customer's journey (events on a
// time axis, a lane per stage, moments of truth by colour, bad experiences
// ringed in red), and the journey map of many (JourneyFigures: how
// customers flow between stages, where bad experiences happen).
//
// Every string that comes from the data is escaped, so a customer named
// "<script>" stays text. Pure functions; thread-safe.

#ifndef MOTIVE_JOURNEY_JOURNEY_SVG_H_
#define MOTIVE_JOURNEY_JOURNEY_SVG_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "motive/v1/event.pb.h"
#include "motive/v1/ruleset.pb.h"

namespace motive::journey {

// `text` with &, <, >, " and ' as XML entities.
std::string EscapeXml(absl::string_view text);

// One event of a customer's journey, as the picture shows it.
struct JourneyPoint {
  int64_t occurred_us = 0;
  v1::Stage stage = v1::STAGE_UNSPECIFIED;
  v1::Moment moment = v1::MOMENT_UNSPECIFIED;
  bool strike = false;  // a bad experience
  std::string label;    // its tooltip: "contact (voice): billing, unresolved"
};

// The picture of `customer_id`'s journey; `points` in time order (none
// gives a picture that says so).
std::string CustomerJourneySvg(absl::string_view customer_id,
                               absl::Span<const JourneyPoint> points);

// The journey map of many customers.
std::string JourneyMapSvg(const v1::JourneyFigures& figures);

// "contact (voice): billing, unresolved": what a point's tooltip says.
std::string DescribeEvent(const v1::Event& event);

}  // namespace motive::journey

#endif  // MOTIVE_JOURNEY_JOURNEY_SVG_H_
