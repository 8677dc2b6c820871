#include <gtest/gtest.h>

#include "drivers/driver.hpp"
#include "drivers/errc.hpp"
#include "server/config/mapping_json.hpp"
#include "tests/support/driver_runs.hpp"

namespace hemalink::drivers {
namespace {

using nlohmann::json;
using testing::observation;

const std::filesystem::path kExports =
    std::filesystem::path(HEMALINK_SOURCE_DIR) / "tests/fixtures/exports";

TEST(BdFacs, ReadsAMultisetExportWithAveragedColumns) {
  auto doc = testing::translate_file(kExports / "multiset-cd4-average.txt", "bd-facs");
  EXPECT_FALSE(doc.contains("messages")) << "export files are not messages";
  ASSERT_EQ(doc["results"].size(), 2u);
  const auto& first = doc["results"][0];
  EXPECT_EQ(first["specimen_id"], "HIV-0001");
  EXPECT_EQ(first["patient"]["id"], "C-77");
  EXPECT_EQ(first["patient"]["sex"], "F");
  EXPECT_EQ(first["patient"]["age_years"], 34.0);
  auto cd4 = observation(doc, "CD4_ABS");
  EXPECT_EQ(cd4["raw_code"], "CD3+CD4+ Abs Cnt");
  EXPECT_EQ(cd4["numeric"], 672.0);
  EXPECT_EQ(cd4["units"], "/uL");
  EXPECT_EQ(cd4["loinc"], "24467-3");
  EXPECT_EQ(cd4["measured_at"], "2026-01-05 10:12");
  EXPECT_EQ(observation(doc, "CD4_PCT")["numeric"], 31.5);
  EXPECT_EQ(observation(doc, "CD4_PCT")["units"], "%");
  EXPECT_EQ(observation(doc, "CD8_ABS")["numeric"], 786.0);
  EXPECT_EQ(observation(doc, "CD4_CD8_RATIO")["numeric"], 0.86);
  EXPECT_EQ(observation(doc, "CD4_CD8_RATIO", 1)["numeric"], 0.18);
  EXPECT_EQ(first["observations"].size(), 8u) << "Operator and Panel Name are not results";
}

TEST(BdFacs, StripsPanelNamePrefixesAndKeepsUnknownStatistics) {
  auto doc = testing::translate_file(kExports / "facscanto-panel-prefix.txt", "bd-facs");
  ASSERT_EQ(doc["results"].size(), 1u);
  EXPECT_EQ(observation(doc, "CD19_ABS")["numeric"], 265.0);
  EXPECT_EQ(observation(doc, "CD16_56_PCT")["numeric"], 14.1);
  auto unknown = observation(doc, "CD3+CD20+ %Lymph");
  EXPECT_EQ(unknown["unmapped"], true);
  EXPECT_EQ(unknown["numeric"], 0.5);
}

Result<Translation> read_export(std::string_view content) {
  auto mappings = config::load_mappings("bd-facs", "", "");
  return make_driver("bd-facs", {std::move(*mappings), Charset::Latin1, {}})
      ->translate_export(content);
}

TEST(BdFacs, MergesRowsOfOneSampleAndToleratesCrLfAndBom) {
  auto t = read_export(
      "\xEF\xBB\xBFSample ID\t(Average) CD3+ Abs Cnt\t(Average) CD19+ Abs Cnt\r\n"
      "S1\t1000\t\r\nS1\t\t200\r\n\r\n");
  ASSERT_TRUE(t.has_value()) << t.error().describe();
  ASSERT_EQ(t->result_sets.size(), 1u);
  EXPECT_EQ(t->result_sets[0].observations.size(), 2u) << "empty cells are not results";
}

TEST(BdFacs, NamesTheLineOfAMalformedExport) {
  auto no_id = read_export("Name\tCD3+ Abs Cnt\nS1\t5\n");
  ASSERT_FALSE(no_id.has_value());
  EXPECT_EQ(no_id.error().code, Errc::MalformedExport);
  EXPECT_NE(no_id.error().detail.find("line 1: no \"Sample ID\" column"), std::string::npos);
  auto wide = read_export("Sample ID\tCD3+ Abs Cnt\nS1\t5\t6\n");
  ASSERT_FALSE(wide.has_value());
  EXPECT_NE(wide.error().detail.find("line 2: 3 cells where the header has 2 columns"),
            std::string::npos)
      << wide.error().detail;
  auto blank = read_export("Sample ID\tCD3+ Abs Cnt\n\t5\n");
  ASSERT_FALSE(blank.has_value());
  EXPECT_NE(blank.error().detail.find("line 2: the Sample ID cell is empty"), std::string::npos);
  EXPECT_FALSE(read_export("").has_value());
}

}  // namespace
}  // namespace hemalink::drivers
