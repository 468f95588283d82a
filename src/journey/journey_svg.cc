#include "journey/journey_svg.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace motive::journey {
namespace {

// The lanes, top to bottom: the stages in the order a journey goes.
constexpr v1::Stage kLanes[] = {v1::DISCOVERY, v1::CONSIDERATION, v1::PURCHASE,
                                v1::EXPERIENCE, v1::LOYALTY, v1::ADVOCACY,
                                v1::STAGE_UNSPECIFIED};
constexpr int kWidth = 960;
constexpr int kLeft = 130;   // the lanes' labels
constexpr int kRight = 30;
constexpr int kTop = 50;     // the title
constexpr int kLane = 44;
constexpr int kAxis = 40;    // the dates under the lanes
constexpr int kLegend = 40;

const char* MomentColour(v1::Moment moment) {
  switch (moment) {
    case v1::LESS_THAN_ZERO: return "#7f7f7f";
    case v1::ZERO: return "#1f77b4";
    case v1::FIRST: return "#2ca02c";
    case v1::SECOND: return "#17becf";
    case v1::INTERIM: return "#ff7f0e";
    case v1::THIRD: return "#9467bd";
    default: return "#bcbd22";
  }
}

// "EXPERIENCE" as "experience", "LESS_THAN_ZERO" as "less than zero".
std::string Readable(const std::string& enum_name) {
  std::string text = absl::AsciiStrToLower(enum_name);
  std::replace(text.begin(), text.end(), '_', ' ');
  return text;
}

std::string StageName(v1::Stage stage) {
  return stage == v1::STAGE_UNSPECIFIED ? "other"
                                        : Readable(v1::Stage_Name(stage));
}

std::string Date(int64_t us) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixMicros(us),
                          absl::UTCTimeZone());
}

void Header(int height, absl::string_view title, std::string* svg) {
  absl::StrAppendFormat(
      svg,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text class=\"title\" x=\"%d\" y=\"28\" font-size=\"16\" "
      "font-weight=\"bold\">%s</text>\n",
      kWidth, height, kWidth, height, 12, EscapeXml(title));
}

void MomentLegend(int y, std::string* svg) {
  int x = kLeft;
  for (int m = v1::LESS_THAN_ZERO; m <= v1::THIRD; ++m) {
    const auto moment = static_cast<v1::Moment>(m);
    absl::StrAppendFormat(
        svg,
        "<circle cx=\"%d\" cy=\"%d\" r=\"6\" fill=\"%s\"/>"
        "<text x=\"%d\" y=\"%d\">%s</text>\n",
        x, y, MomentColour(moment), x + 10, y + 4,
        Readable(v1::Moment_Name(moment)));
    x += 110;
  }
  absl::StrAppendFormat(
      svg,
      "<circle cx=\"%d\" cy=\"%d\" r=\"9\" fill=\"none\" stroke=\"#d62728\" "
      "stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">bad experience</text>\n",
      x, y, x + 14, y + 4);
}

}  // namespace

std::string EscapeXml(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string DescribeEvent(const v1::Event& event) {
  std::string text = event.type();
  if (event.channel() != v1::CHANNEL_UNSPECIFIED) {
    absl::StrAppend(&text, " (", Readable(v1::Channel_Name(event.channel())),
                    ")");
  }
  std::vector<std::string> details;
  if (!event.topic().empty()) details.push_back(event.topic());
  if (event.outcome() != v1::OUTCOME_UNSPECIFIED) {
    details.push_back(Readable(v1::Outcome_Name(event.outcome())));
  }
  if (event.transfers() > 0) {
    details.push_back(absl::StrCat(event.transfers(), " transfers"));
  }
  if (event.has_nps()) details.push_back(absl::StrCat("NPS ", event.nps()));
  if (event.has_csat()) details.push_back(absl::StrCat("CSAT ", event.csat()));
  if (event.has_sentiment()) {
    details.push_back(absl::StrFormat("sentiment %.1f", event.sentiment()));
  }
  for (size_t i = 0; i < details.size(); ++i) {
    absl::StrAppend(&text, i == 0 ? ": " : ", ", details[i]);
  }
  return text;
}

std::string CustomerJourneySvg(absl::string_view customer_id,
                               absl::Span<const JourneyPoint> points) {
  constexpr int kLanes_ = static_cast<int>(std::size(kLanes));
  const int height = kTop + kLanes_ * kLane + kAxis + kLegend;
  std::string svg;
  size_t strikes = 0;
  for (const JourneyPoint& p : points) strikes += p.strike;
  Header(height,
         absl::StrCat("Journey of ", customer_id, ": ", points.size(),
                      points.size() == 1 ? " event" : " events", ", ", strikes,
                      strikes == 1 ? " bad experience" : " bad experiences"),
         &svg);
  for (int lane = 0; lane < kLanes_; ++lane) {
    const int y = kTop + lane * kLane;
    absl::StrAppendFormat(
        &svg,
        "<g class=\"lane\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
        "fill=\"%s\"/><text x=\"12\" y=\"%d\">%s</text></g>\n",
        kLeft, y, kWidth - kLeft - kRight, kLane,
        lane % 2 ? "#ffffff" : "#f4f6f8", y + kLane / 2 + 4,
        StageName(kLanes[lane]));
  }
  const int axis_y = kTop + kLanes_ * kLane;
  if (points.empty()) {
    absl::StrAppendFormat(&svg,
                          "<text x=\"%d\" y=\"%d\">no events</text>\n",
                          kLeft + 10, kTop + kLane / 2 + 4);
  } else {
    const int64_t first = points.front().occurred_us;
    const int64_t last = std::max(points.back().occurred_us, first + 1);
    const double span = static_cast<double>(last - first);
    auto x_of = [&](int64_t us) {
      return kLeft + 12 +
             (kWidth - kLeft - kRight - 24) * (us - first) / span;
    };
    for (const JourneyPoint& p : points) {
      const int lane = static_cast<int>(
          std::find(std::begin(kLanes), std::end(kLanes), p.stage) -
          std::begin(kLanes));
      const double x = x_of(p.occurred_us);
      const int y = kTop + std::min(lane, kLanes_ - 1) * kLane + kLane / 2;
      absl::StrAppendFormat(
          &svg,
          "<g class=\"event%s\"><title>%s %s</title>"
          "<circle cx=\"%.1f\" cy=\"%d\" r=\"6\" fill=\"%s\"/>",
          p.strike ? " strike" : "", Date(p.occurred_us), EscapeXml(p.label),
          x, y, MomentColour(p.moment));
      if (p.strike) {
        absl::StrAppendFormat(&svg,
                              "<circle cx=\"%.1f\" cy=\"%d\" r=\"9\" "
                              "fill=\"none\" stroke=\"#d62728\" "
                              "stroke-width=\"3\"/>",
                              x, y);
      }
      svg += "</g>\n";
    }
    for (int tick = 0; tick <= 4; ++tick) {
      const int64_t us = first + static_cast<int64_t>(span * tick / 4);
      absl::StrAppendFormat(
          &svg,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
          "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
          x_of(us), axis_y, x_of(us), axis_y + 6, x_of(us), axis_y + 20,
          Date(us));
    }
  }
  MomentLegend(axis_y + kAxis + 10, &svg);
  svg += "</svg>\n";
  return svg;
}

std::string JourneyMapSvg(const v1::JourneyFigures& figures) {
  // Columns of stages, left to right, each a box as tall as its customers;
  // the moves between stages as arcs as thick as their counts, forward ones
  // above the boxes and backward ones below; under them the bad experiences
  // by channel and topic as bars.
  constexpr int kColumns = 6;
  constexpr int kLabels = 60;     // the stages' names
  constexpr int kForward = 150;   // where forward arcs meet the columns
  constexpr int kBoxTop = 160;
  constexpr int kBoxMax = 200;
  constexpr int kBackward = kBoxTop + kBoxMax + 30;
  constexpr int kBoxWidth = 110;
  const int spots = std::min(figures.bad_experiences_size(), 10);
  const int bars_top = kBackward + 110;
  const int height = bars_top + 24 * spots + 40;
  std::string svg;
  Header(height,
         absl::StrCat("Journey map",
                      figures.segment().empty()
                          ? ""
                          : absl::StrCat(" (segment ", figures.segment(), ")"),
                      ": ", figures.customers(), " customers, ",
                      figures.events(), " events, ", figures.third_strike(),
                      " reached the third strike (",
                      figures.third_strike_came_back(), " came back, ",
                      figures.third_strike_left(), " left)"),
         &svg);
  uint64_t most = 1;
  for (const auto& [stage, count] : figures.stage_customers()) {
    most = std::max(most, count);
  }
  auto column_x = [&](v1::Stage stage) {
    return 20 + (static_cast<int>(stage) - 1) *
                    ((kWidth - 40 - kBoxWidth) / (kColumns - 1));
  };
  for (int s = v1::DISCOVERY; s <= v1::ADVOCACY; ++s) {
    const auto stage = static_cast<v1::Stage>(s);
    auto it = figures.stage_customers().find(v1::Stage_Name(stage));
    const uint64_t count =
        it == figures.stage_customers().end() ? 0 : it->second;
    const int h = std::max<int>(4, static_cast<int>(kBoxMax * count / most));
    absl::StrAppendFormat(
        &svg,
        "<g class=\"stage\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
        "fill=\"#4e79a7\" opacity=\"0.8\"/><text x=\"%d\" y=\"%d\" "
        "font-weight=\"bold\">%s</text><text class=\"count\" x=\"%d\" "
        "y=\"%d\">%d customers</text></g>\n",
        column_x(stage), kBoxTop + kBoxMax - h, kBoxWidth, h, column_x(stage),
        kLabels, StageName(stage), column_x(stage), kLabels + 16, count);
  }
  uint64_t widest = 1;
  for (const v1::StageFlow& flow : figures.flows()) {
    widest = std::max(widest, flow.count());
  }
  for (const v1::StageFlow& flow : figures.flows()) {
    if (flow.from() == v1::STAGE_UNSPECIFIED ||
        flow.to() == v1::STAGE_UNSPECIFIED) {
      continue;
    }
    const int x1 = column_x(flow.from()) + kBoxWidth / 2;
    const int x2 = column_x(flow.to()) + kBoxWidth / 2;
    const bool forward = flow.to() > flow.from();
    const int distance = std::abs(static_cast<int>(flow.to()) -
                                  static_cast<int>(flow.from()));
    const int y = forward ? kForward : kBackward;
    const int bend = (forward ? -1 : 1) * (12 + 14 * distance);
    absl::StrAppendFormat(
        &svg,
        "<g class=\"flow\"><title>%s to %s: %d</title><path d=\"M %d %d Q %d "
        "%d %d %d\" fill=\"none\" stroke=\"%s\" stroke-opacity=\"0.45\" "
        "stroke-width=\"%.1f\"/></g>\n",
        StageName(flow.from()), StageName(flow.to()), flow.count(), x1, y,
        (x1 + x2) / 2, y + 2 * bend, x2, y, forward ? "#59a14f" : "#e15759",
        1.0 + 12.0 * flow.count() / widest);
  }
  absl::StrAppendFormat(
      &svg,
      "<text x=\"20\" y=\"%d\" fill=\"#59a14f\">forward moves above the "
      "stages, backward ones below; thicker is more</text>\n",
      kBackward + 95);
  int y = bars_top;
  absl::StrAppendFormat(&svg,
                        "<text x=\"20\" y=\"%d\" font-weight=\"bold\">Bad "
                        "experiences by channel and topic</text>\n",
                        y);
  uint64_t top = 1;
  for (int i = 0; i < spots; ++i) {
    top = std::max(top, figures.bad_experiences(i).count());
  }
  for (int i = 0; i < spots; ++i) {
    const v1::HotSpot& spot = figures.bad_experiences(i);
    y += 24;
    const std::string where = absl::StrCat(
        Readable(v1::Channel_Name(spot.channel())),
        spot.topic().empty() ? "" : " / ", spot.topic());
    absl::StrAppendFormat(
        &svg,
        "<g class=\"bad\"><text x=\"20\" y=\"%d\">%s</text><rect x=\"260\" "
        "y=\"%d\" width=\"%d\" height=\"16\" fill=\"#d62728\"/>"
        "<text x=\"%d\" y=\"%d\">%d</text></g>\n",
        y, EscapeXml(where), y - 12,
        static_cast<int>(500 * spot.count() / top), 270 +
        static_cast<int>(500 * spot.count() / top), y, spot.count());
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace motive::journey
