#include "server/config/mapping_json.hpp"

#include <gtest/gtest.h>

#include "server/config/shipped_mappings.hpp"

namespace hemalink::config {
namespace {

TEST(MappingJson, ReadsEntriesAndRoles) {
  auto table = mapping_table_from_json(R"({"codes": {
      "WBC": {"code": "WBC", "loinc": "6690-2", "units": "10*3/uL", "decimals": 2},
      "HB": {"code": "HGB", "name": "Hemoglobin"},
      "PLT_Clumps?": {"role": "flag"},
      "SCAT_WDF": {"role": "attachment", "comment": "image"}}})",
                                       "lab.json");
  ASSERT_TRUE(table.has_value()) << files::describe(table.error(), "\n");
  ASSERT_NE(table->find("WBC"), nullptr);
  EXPECT_EQ(table->find("WBC")->loinc, "6690-2");
  EXPECT_EQ(table->find("WBC")->decimals, 2);
  EXPECT_EQ(table->find("PLT_Clumps?")->role, drivers::CodeRole::Flag);
  EXPECT_EQ(table->find("SCAT_WDF")->role, drivers::CodeRole::Attachment);
  EXPECT_EQ(table->find("HGB"), nullptr);
  EXPECT_EQ(table->test_names(),
            (std::map<std::string, std::string, std::less<>>{{"HGB", "Hemoglobin"}}))
      << "WBC is not named: it goes by its code";
}

TEST(MappingJson, NamesTheJsonPathOfEveryError) {
  auto table = mapping_table_from_json(R"({"codes": {
      "WBC": {"decimals": "x", "role": "maybe"},
      "HGB": {"loinc": 718, "colour": "red"}}})",
                                       "lab.json");
  ASSERT_FALSE(table.has_value());
  const auto detail = files::describe(table.error(), "\n");
  EXPECT_NE(detail.find("lab.json: "), std::string::npos) << detail;
  EXPECT_NE(detail.find(R"(codes["WBC"].decimals: expected an integer 0-9, got "x")"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find(R"(codes["WBC"].role: expected "result", "flag" or "attachment")"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find(R"(codes["HGB"].loinc: expected a string, got 718)"), std::string::npos)
      << detail;
  EXPECT_NE(detail.find(R"(codes["HGB"].colour: unknown key)"), std::string::npos) << detail;
  EXPECT_FALSE(mapping_table_from_json(R"({"codes": {"A": {"decimals": 4294967299}}})", "x.json")
                   .has_value())
      << "2^32 + 3 must not wrap to 3";
  EXPECT_FALSE(mapping_table_from_json("{", "x.json").has_value());
  EXPECT_FALSE(mapping_table_from_json("[]", "x.json").has_value());
}

TEST(MappingJson, LabOverridesReplaceShippedEntries) {
  auto table = load_mappings("sysmex-xn", R"({"codes": {"WBC": {"code": "LEUCO"},
      "NEW_CODE": {"code": "NEW"}}})",
                             "lab.json");
  ASSERT_TRUE(table.has_value()) << files::describe(table.error(), "\n");
  EXPECT_EQ(table->find("WBC")->code, "LEUCO");
  EXPECT_EQ(table->find("NEW_CODE")->code, "NEW");
  EXPECT_EQ(table->find("HGB")->loinc, "718-7") << "entries not overridden stay";
}

TEST(MappingJson, EveryShippedTableReads) {
  const auto names = shipped_table_names();
  EXPECT_EQ(names,
            (std::vector<std::string_view>{"bd-facs", "loinc-cbc", "loinc-coag",
                                           "loinc-lymphocyte-subsets", "sysmex-cs", "sysmex-xn"}));
  for (const auto name : names) {
    auto json = shipped_mapping_json(name);
    ASSERT_TRUE(json.has_value()) << name;
    auto table = mapping_table_from_json(*json, name);
    ASSERT_TRUE(table.has_value()) << name << ": " << files::describe(table.error(), "\n");
    EXPECT_GT(table->size(), 0u) << name;
  }
  EXPECT_FALSE(shipped_mapping_json("no-such-table").has_value());
}

// The drivers of one instrument read its fixed codes: their own table is the default. Generic
// drivers start from nothing, whatever ships.
TEST(MappingJson, OnlyTheInstrumentDriversHaveADefaultBase) {
  EXPECT_EQ(default_mapping_base("sysmex-xn"), "sysmex-xn");
  EXPECT_EQ(default_mapping_base("sysmex-cs"), "sysmex-cs");
  EXPECT_EQ(default_mapping_base("bd-facs"), "bd-facs");
  EXPECT_EQ(default_mapping_base("generic-hl7"), "");
  EXPECT_EQ(default_mapping_base("generic-astm"), "");
  EXPECT_EQ(mapping_base("generic-hl7", std::nullopt), "");
  EXPECT_EQ(mapping_base("generic-hl7", "loinc-cbc"), "loinc-cbc");
  EXPECT_EQ(mapping_base("sysmex-xn", "none"), "") << "an instrument driver may start from nothing";
}

TEST(MappingJson, ATableIsItsBaseAndItsFileAndNothingElse) {
  auto none = load_mappings("", R"({"codes": {"2345-7": {"code": "GLU"}}})", "chem.json");
  ASSERT_TRUE(none.has_value()) << files::describe(none.error(), "\n");
  EXPECT_EQ(none->size(), 1u);
  EXPECT_EQ(none->find("6690-2"), nullptr) << "no LOINC CBC merged in";
  EXPECT_EQ(none->orderable_codes(), std::vector<std::string>{"GLU"});
  EXPECT_EQ(load_mappings("", "", "")->size(), 0u);

  auto cbc =
      load_mappings("loinc-cbc", R"({"codes": {"08001": {"code": "TAKE_MODE"}}})", "bc.json");
  ASSERT_TRUE(cbc.has_value()) << files::describe(cbc.error(), "\n");
  EXPECT_EQ(cbc->find("6690-2")->code, "WBC");
  EXPECT_EQ(cbc->find("08001")->code, "TAKE_MODE");
  EXPECT_EQ(cbc->find("8123-2"), nullptr) << "lymphocyte subsets are a table of their own";
}

TEST(MappingJson, AnUnknownBaseNamesTheKnownOnes) {
  auto table = load_mappings("generic-hl7", "", "");
  ASSERT_FALSE(table.has_value());
  EXPECT_EQ(files::describe(table.error(), "\n"),
            "base: unknown mapping table \"generic-hl7\" (known: bd-facs, loinc-cbc, loinc-coag, "
            "loinc-lymphocyte-subsets, sysmex-cs, sysmex-xn, none)");
}

}  // namespace
}  // namespace hemalink::config
