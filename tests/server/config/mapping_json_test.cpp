#include "server/config/mapping_json.hpp"

#include <gtest/gtest.h>

#include "server/config/shipped_mappings.hpp"

namespace hemalink::config {
namespace {

TEST(MappingJson, ReadsEntriesAndRoles) {
  auto table = mapping_table_from_json(R"({"codes": {
      "WBC": {"code": "WBC", "loinc": "6690-2", "units": "10*3/uL", "decimals": 2},
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
  for (const char* driver : {"sysmex-xn", "sysmex-cs", "bd-facs", "generic-hl7", "generic-astm"}) {
    auto json = shipped_mapping_json(driver);
    ASSERT_TRUE(json.has_value()) << driver;
    auto table = mapping_table_from_json(*json, driver);
    EXPECT_TRUE(table.has_value()) << driver << ": " << files::describe(table.error(), "\n");
  }
  EXPECT_FALSE(shipped_mapping_json("no-such-driver").has_value());
}

}  // namespace
}  // namespace hemalink::config
