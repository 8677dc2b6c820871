#include "server/qc/qc_config.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"

namespace hemalink::qc {
namespace {

struct Read {
  QcConfig qc;
  std::vector<std::string> errors;
};

// The `qc` section of `document`, as the daemon's configuration reads it.
Read read(const std::string& document) {
  Read r;
  files::FileErrors errors;
  const auto json = nlohmann::json::parse(document);
  {
    files::JsonFields top(json, "", errors);
    read_qc_config(top, r.qc, "/etc/hemalink");
  }
  for (const auto& e : errors)
    r.errors.push_back(e.describe());
  return r;
}

// How many points in a row outside make an alarm: two XbarM batches unless the lab says, one
// moving-average point unless it says; out of range is named by its path.
TEST(QcConfig, TheAveragesSayHowManyPointsOutsideMakeAnAlarm) {
  const auto defaults = read("{}");
  EXPECT_TRUE(defaults.errors.empty()) << ::testing::PrintToString(defaults.errors);
  EXPECT_EQ(defaults.qc.policy.xbarm.confirm_batches, 2U);
  const auto c = read(R"({"qc": {"xbarm": {"confirm_batches": 3},
      "moving_averages": [{"analyzer": "xn-1", "test": "PLT", "method": "ewma", "target": 250,
                           "low": 235, "high": 265},
                          {"analyzer": "xn-1", "test": "WBC", "method": "ma", "target": 7,
                           "low": 6, "high": 8, "confirm_points": 2}]}})");
  EXPECT_TRUE(c.errors.empty()) << ::testing::PrintToString(c.errors);
  EXPECT_EQ(c.qc.policy.average_of("xn-1", "MCV")->confirm, 3U);
  EXPECT_EQ(c.qc.policy.average_of("xn-1", "PLT")->confirm, 1U);
  EXPECT_EQ(c.qc.policy.average_of("xn-1", "WBC")->confirm, 2U);
  EXPECT_EQ(
      read(R"({"qc": {"xbarm": {"confirm_batches": 0}}})").errors,
      (std::vector<std::string>{"qc.xbarm.confirm_batches: expected an integer 1-10, got 0"}));
}

// The averages are a list of objects: each element is read at its path, and one that is not an
// object is named there.
TEST(QcConfig, EachAverageIsReadAtItsPath) {
  const auto c = read(R"({"qc": {"controls_file": "qc/controls.json", "moving_averages": [
      {"analyzer": "xn-1", "test": "PLT", "method": "ewma", "target": 250, "low": 235, "high": 265},
      {"analyzer": "xn-1", "test": "WBC", "method": "median", "target": 7, "low": 8, "high": 9}]}})");
  EXPECT_EQ(c.qc.controls_file, std::filesystem::path("/etc/hemalink/qc/controls.json"));
  EXPECT_EQ(c.errors, (std::vector<std::string>{
                          "qc.moving_averages[1].method: expected \"xbarm\", \"ma\" or \"ewma\", "
                          "got \"median\"",
                          "qc.moving_averages[1]: expected low < target < high"}));
}

}  // namespace
}  // namespace hemalink::qc
