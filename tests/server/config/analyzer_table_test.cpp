#include "server/config/analyzer_table.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace hemalink::config {
namespace {

AnalyzerConfig analyzer(std::string driver, std::optional<std::string> base = std::nullopt,
                        std::filesystem::path file = {}) {
  AnalyzerConfig a;
  a.name = "a";
  a.driver = std::move(driver);
  a.base = std::move(base);
  a.mappings_file = std::move(file);
  return a;
}

TEST(AnalyzerTable, AGenericAnalyzerHasOnlyWhatItNames) {
  auto bare = read_analyzer_table(analyzer("generic-hl7"), 0);
  ASSERT_TRUE(bare.has_value()) << files::describe(bare.error(), "\n");
  EXPECT_EQ(bare->base, "");
  EXPECT_EQ(bare->effective().size(), 0u) << "no implicit table";
  EXPECT_TRUE(bare->effective().orderable_codes().empty()) << "it runs nothing";
  EXPECT_EQ(read_analyzer_table(analyzer("generic-astm"), 0)->effective().size(), 0u);

  testing::TempDir dir{"analyzer-table"};
  std::ofstream(dir / "bc.json") << R"({"codes": {
      "6690-2": {"code": "WBC", "units": "10*9/L"}, "08001": {"code": "TAKE_MODE"}}})";
  auto bc = read_analyzer_table(analyzer("generic-hl7", "loinc-cbc", dir / "bc.json"), 0);
  ASSERT_TRUE(bc.has_value()) << files::describe(bc.error(), "\n");
  EXPECT_EQ(bc->base, "loinc-cbc");
  const auto table = bc->effective();
  EXPECT_EQ(table.size(), bc->from_base.size() + 1) << "08001 added, 6690-2 replaced";
  EXPECT_EQ(table.find("6690-2")->units, "10*9/L") << "the file's entry replaces the base's";
  EXPECT_EQ(table.find("718-7")->code, "HGB") << "the base's others stay";
}

TEST(AnalyzerTable, AnInstrumentDriverStartsFromItsOwnTableUnlessItSaysNone) {
  auto xn = read_analyzer_table(analyzer("sysmex-xn"), 0);
  ASSERT_TRUE(xn.has_value());
  EXPECT_EQ(xn->base, "sysmex-xn");
  EXPECT_EQ(xn->effective().find("WBC")->loinc, "6690-2");
  auto none = read_analyzer_table(analyzer("sysmex-xn", "none"), 0);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->base, "");
  EXPECT_EQ(none->effective().size(), 0u);
}

TEST(AnalyzerTable, ErrorsNameTheAnalyzersJsonPath) {
  auto unknown = read_analyzer_table(analyzer("generic-hl7", "loinc"), 2);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(
      files::describe(unknown.error(), "\n"),
      "analyzers[2].base: unknown mapping table \"loinc\" (known: bd-facs, loinc-cbc, loinc-coag, "
      "loinc-lymphocyte-subsets, sysmex-cs, sysmex-xn, none)");
  auto unreadable =
      read_analyzer_table(analyzer("generic-hl7", std::nullopt, "/nonexistent/chem.json"), 1);
  ASSERT_FALSE(unreadable.has_value());
  EXPECT_EQ(files::describe(unreadable.error(), "\n"),
            "analyzers[1].mappings: cannot read /nonexistent/chem.json");
}

}  // namespace
}  // namespace hemalink::config
