// How the CLI shows events and their fields to people: the event table of
// `timeline` and `context`, and the small formatters they share.

#ifndef MOTIVE_EXAMPLES_CLI_EVENT_TABLE_H_
#define MOTIVE_EXAMPLES_CLI_EVENT_TABLE_H_

#include <cstdint>
#include <string>

#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "motive/v1/event.pb.h"

namespace motive::cli {

// An enum value as the JSON mapping accepts it ("less_than_zero"), or "-"
// for the unspecified zero value.
std::string EnumText(int value, const std::string& name);

// "2025-03-01 10:00", in UTC.
std::string MinuteText(const google::protobuf::Timestamp& ts);

// 95000 ms as "1m35s".
std::string DurationText(int64_t ms);

// What the event says beyond its type: topic, outcome, sentiment, money,
// survey scores, transfers and hold.
std::string DetailsText(const v1::Event& e);

// Prints `events` as a table with a header row: time, moment, stage,
// channel, type and details, columns aligned.
void PrintEventTable(
    const google::protobuf::RepeatedPtrField<v1::Event>& events);

}  // namespace motive::cli

#endif  // MOTIVE_EXAMPLES_CLI_EVENT_TABLE_H_
