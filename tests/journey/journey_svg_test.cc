#include "journey/journey_svg.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::journey {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

constexpr int64_t kDayUs = int64_t{86400} * 1000000;
constexpr int64_t kJan1 = int64_t{1735689600} * 1000000;  // 2025-01-01

TEST(JourneySvgTest, EscapesWhatComesFromTheData) {
  EXPECT_EQ(EscapeXml("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  const std::vector<JourneyPoint> points = {
      {kJan1, v1::EXPERIENCE, v1::INTERIM, true, "contact: <script>x</script>"}};
  const std::string svg = CustomerJourneySvg("<script>alert(1)</script>", points);
  EXPECT_THAT(svg, Not(HasSubstr("<script")));
  EXPECT_THAT(svg, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(svg, HasSubstr("contact: &lt;script&gt;x&lt;/script&gt;"));
}

TEST(JourneySvgTest, OneMarkPerEventAndARingPerBadExperience) {
  const std::vector<JourneyPoint> points = {
      {kJan1, v1::CONSIDERATION, v1::ZERO, false, "web_visit"},
      {kJan1 + kDayUs, v1::PURCHASE, v1::FIRST, false, "purchase"},
      {kJan1 + 5 * kDayUs, v1::EXPERIENCE, v1::INTERIM, true, "contact"},
      {kJan1 + 9 * kDayUs, v1::EXPERIENCE, v1::INTERIM, true, "contact"}};
  const std::string svg = CustomerJourneySvg("ana", points);
  EXPECT_THAT(svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(svg, HasSubstr("Journey of ana: 4 events, 2 bad experiences"));
  EXPECT_EQ(Count(svg, "<g class=\"event"), 4u);
  EXPECT_EQ(Count(svg, "<g class=\"event strike\""), 2u);
  EXPECT_EQ(Count(svg, "<g class=\"lane\""), 7u);
  EXPECT_THAT(svg, HasSubstr(">consideration</text>"));
  EXPECT_THAT(svg, HasSubstr("2025-01-01"));
  EXPECT_THAT(svg, HasSubstr("2025-01-10"));
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
}

TEST(JourneySvgTest, AnEmptyJourneySaysSo) {
  const std::string svg = CustomerJourneySvg("nobody", {});
  EXPECT_THAT(svg, HasSubstr("no events"));
  EXPECT_EQ(Count(svg, "<g class=\"event"), 0u);
}

TEST(JourneySvgTest, TheMapShowsStagesFlowsAndBadExperiences) {
  v1::JourneyFigures figures;
  figures.set_customers(10);
  figures.set_events(50);
  figures.set_third_strike(2);
  figures.set_third_strike_came_back(1);
  figures.set_third_strike_left(1);
  (*figures.mutable_stage_customers())["PURCHASE"] = 8;
  (*figures.mutable_stage_customers())["EXPERIENCE"] = 6;
  v1::StageFlow* flow = figures.add_flows();
  flow->set_from(v1::PURCHASE);
  flow->set_to(v1::EXPERIENCE);
  flow->set_count(6);
  v1::HotSpot* spot = figures.add_bad_experiences();
  spot->set_channel(v1::VOICE);
  spot->set_topic("<b>billing</b>");
  spot->set_count(4);
  const std::string svg = JourneyMapSvg(figures);
  EXPECT_THAT(svg, HasSubstr("Journey map: 10 customers, 50 events, 2 reached "
                             "the third strike (1 came back, 1 left)"));
  EXPECT_EQ(Count(svg, "<g class=\"stage\""), 6u);
  EXPECT_EQ(Count(svg, "<g class=\"flow\""), 1u);
  EXPECT_THAT(svg, HasSubstr("purchase to experience: 6"));
  EXPECT_THAT(svg, HasSubstr("voice / &lt;b&gt;billing&lt;/b&gt;"));
  EXPECT_THAT(svg, Not(HasSubstr("<b>")));

  // The title names the segment the figures cover, escaped.
  figures.set_segment("customer.strikes >= 3");
  EXPECT_THAT(JourneyMapSvg(figures),
              HasSubstr("Journey map (segment customer.strikes &gt;= 3): 10 "
                        "customers"));
}

}  // namespace
}  // namespace motive::journey
