#include <gtest/gtest.h>

#include "tests/support/driver_runs.hpp"

namespace hemalink::drivers {
namespace {

using nlohmann::json;
using testing::observation;

const std::filesystem::path kSession =
    std::filesystem::path(HEMALINK_SOURCE_DIR) / "tests/fixtures/astm/cs2500-coag-session.astm";

TEST(SysmexCs, TranslatesACs2500Session) {
  auto doc = testing::translate_file(kSession, "sysmex-cs");
  ASSERT_EQ(doc["results"].size(), 1u);
  const auto& set = doc["results"][0];
  EXPECT_EQ(set["specimen_id"], "4100023456") << "15-character sample number, trimmed";
  EXPECT_EQ(set["rack"], "000012");
  EXPECT_EQ(set["tube_position"], "03");
  EXPECT_EQ(set["analyzer"]["model"], "CS-2500");
  EXPECT_EQ(set["analyzer"]["serial"], "11234");
  auto pt = observation(doc, "PT_SEC");
  EXPECT_EQ(pt["raw_code"], "041");
  EXPECT_EQ(pt["value"], "12.4");
  EXPECT_EQ(pt["numeric"], 12.4);
  EXPECT_EQ(pt["units"], "s");
  EXPECT_EQ(pt["loinc"], "5902-2");
  EXPECT_EQ(pt["dilution"], "100.00");
  EXPECT_EQ(pt["measured_at"], "20260101093000");
  auto inr = observation(doc, "INR");
  EXPECT_EQ(inr["numeric"], 1.12);
  EXPECT_EQ(inr["units"], "{INR}") << "the analyzer sends none; the table's unit fills in";
  auto fib = observation(doc, "FIB_DERIVED");
  EXPECT_EQ(fib["flags"], json::array({">"})) << "above the reportable range";
  EXPECT_EQ(fib["abnormal_flag"], "");
  EXPECT_EQ(observation(doc, "APTT")["abnormal_flag"], "H");
  auto ddimer = observation(doc, "DDIMER");
  EXPECT_EQ(ddimer["units"], "ug/mL{FEU}");
  EXPECT_EQ(ddimer["loinc"], "48065-7");
  EXPECT_EQ(ddimer["dilution"], "50.00");
  EXPECT_EQ(observation(doc, "099")["unmapped"], true);
  EXPECT_EQ(set["traceability"],
            json::array({{{"kind", "calibration"}, {"text", "CAL^041^^7^"}},
                         {{"kind", "reagent_lot"}, {"text", "LOT^040^PT Inn^123456"}}}));
}

TEST(SysmexCs, DdimerUnitsAndLoincFollowTheAnalyzersTable) {
  // The same analyzer code configured for DDU: units and LOINC change with the table.
  auto doc = testing::translate_file(
      kSession, "sysmex-cs",
      R"({"codes": {"091": {"code": "DDIMER", "loinc": "48066-5", "units": "ng/mL{DDU}"},
                    "044": {"code": "INR", "units": "{INR}"}}})");
  auto ddimer = observation(doc, "DDIMER");
  EXPECT_EQ(ddimer["loinc"], "48066-5");
  EXPECT_EQ(ddimer["units"], "ug/mL") << "ng/mL{DDU} contradicts ug/mL: the analyzer's unit stays";
  // Code 044 mapped as INR on this analyzer (a CS-1600 set-up): the override wins over the
  // shipped FIB_DERIVED, and the g/L the analyzer sends is kept, never relabelled {INR}.
  EXPECT_EQ(observation(doc, "FIB_DERIVED"), nullptr);
  json overridden;
  for (const auto& o : doc["results"][0]["observations"]) {
    if (o["raw_code"] == "044") {
      overridden = o;
    }
  }
  EXPECT_EQ(overridden["code"], "INR");
  EXPECT_EQ(overridden["units"], "g/L");
}

}  // namespace
}  // namespace hemalink::drivers
