// What decision tests compare: the ranked action ids, and each dropped
// candidate as "action/stage".

#ifndef MOTIVE_TESTS_TESTING_DECISION_TESTING_H_
#define MOTIVE_TESTS_TESTING_DECISION_TESTING_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "motive/v1/ruleset.pb.h"

namespace motive::testing {

inline std::vector<std::string> Ranked(const v1::Decision& decision) {
  std::vector<std::string> ids;
  for (const v1::RankedAction& a : decision.actions()) ids.push_back(a.action());
  return ids;
}

inline std::vector<std::string> Dropped(const v1::Decision& decision) {
  std::vector<std::string> out;
  for (const v1::DroppedCandidate& c : decision.dropped()) {
    out.push_back(absl::StrCat(c.action(), "/", c.stage()));
  }
  return out;
}

}  // namespace motive::testing

#endif  // MOTIVE_TESTS_TESTING_DECISION_TESTING_H_
