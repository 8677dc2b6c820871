#include <gtest/gtest.h>

#include "drivers/driver.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/driver_runs.hpp"

namespace hemalink::drivers {
namespace {

using nlohmann::json;
using testing::observation;

TEST(GenericAstm, MergesStagoOrdersOfOneSpecimen) {
  HL_REQUIRE_CORPUS();
  auto doc = testing::translate_file(
      *testing::corpus_dir() / "astm/stago-sta-satellite-max-coag-01.decoded.astm", "generic-astm",
      R"({"codes": {"SPT": {"code": "PT_SEC", "loinc": "5902-2"},
                                    "SINR": {"code": "INR", "units": "{INR}"}}})");
  ASSERT_EQ(doc["results"].size(), 1u);
  const auto& set = doc["results"][0];
  EXPECT_EQ(set["specimen_id"], "000004782");
  EXPECT_EQ(set["analyzer"]["model"], "STA_Satlellite_Max");
  EXPECT_EQ(set["observations"].size(), 6u);
  EXPECT_EQ(set["traceability"].size(), 6u) << "M records name the reagent lots";
  auto pt = observation(doc, "PT_SEC");
  EXPECT_EQ(pt["raw_code"], "SPT");
  EXPECT_EQ(pt["numeric"], 14.02);
  EXPECT_EQ(pt["units"], "s");
  EXPECT_EQ(pt["loinc"], "5902-2");
  EXPECT_EQ(pt["comments"][0], "36^Test Co 24 controls are invalid.");
  auto inr = observation(doc, "INR");
  EXPECT_EQ(inr["units"], "INR ISI") << "the analyzer's unit is kept, never replaced";
  EXPECT_EQ(observation(doc, "SAPTT")["unmapped"], true);
}

TEST(GenericAstm, ReadsTheOtherVendorsCaptures) {
  HL_REQUIRE_CORPUS();
  const auto dir = *testing::corpus_dir() / "astm";
  auto e411 = testing::translate_file(dir / "roche-cobas-e411-immuno-01.astm", "generic-astm");
  EXPECT_EQ(e411["results"][0]["specimen_id"], "pragya");
  EXPECT_EQ(observation(e411, "5/1/not")["value"], "-1^0.325");
  EXPECT_EQ(observation(e411, "5/1/not")["numeric"], nullptr);

  auto phadia = testing::translate_file(dir / "phadia-prime-allergy-01.astm", "generic-astm");
  ASSERT_EQ(phadia["results"].size(), 1u) << "three O records, one specimen";
  EXPECT_EQ(phadia["results"][0]["specimen_id"], "B7650020");
  EXPECT_EQ(observation(phadia, "t2")["numeric"], nullptr) << "9.34^^^^ is not a bare number";
  EXPECT_EQ(observation(phadia, "t3")["value"], "Examine^^^^");

  auto architect = testing::translate_file(dir / "abbott-architect-immuno-01.astm", "generic-astm");
  auto hcg = architect["results"][0]["observations"][0];
  EXPECT_EQ(hcg["raw_code"], "0021");
  EXPECT_EQ(hcg["comparator"], "<");
  EXPECT_EQ(hcg["numeric"], 1.2);
  EXPECT_EQ(hcg["units"], "m[IU]/mL");
  EXPECT_EQ(hcg["raw_units"], "mIU/mL");

  auto vitros = testing::translate_file(dir / "ortho-vitros-3600-immuno-02.astm", "generic-astm");
  std::size_t no_result = 0;
  for (const auto& o : vitros["results"][0]["observations"]) {
    if (o["value"] == "No Result") {
      ++no_result;
      EXPECT_EQ(o["numeric"], nullptr);
    }
  }
  EXPECT_EQ(no_result, 3u) << "text results are kept as text";
  EXPECT_EQ(vitros["results"][0]["observations"].size(), 8u);

  auto pentra = testing::translate_file(dir / "horiba-pentra-xlr-cbc-01.astm", "generic-astm");
  EXPECT_EQ(pentra["results"][0]["specimen_id"], "AUTO_SID1");
  auto bas = observation(pentra, "BAS#");
  EXPECT_EQ(bas["value"], "-----");
  EXPECT_EQ(bas["status"], "cannot_report") << "R-9 X";
  EXPECT_EQ(bas["abnormal_flag"], "HH");
}

TEST(GenericAstm, RecognisesHoribaControlRuns) {
  HL_REQUIRE_CORPUS();
  const auto dir = *testing::corpus_dir() / "astm";
  auto h500 = testing::translate_file(dir / "horiba-yumizen-h500-ctrl-01.astm", "generic-astm");
  const auto& set = h500["results"][0];
  EXPECT_EQ(set["kind"], "qc");
  EXPECT_EQ(set["qc"]["level"], "CTRL MEDIUM");
  EXPECT_EQ(set["specimen_id"], "PX440N");
  EXPECT_EQ(set["observations"].size(), 21u);
  EXPECT_EQ(set["traceability"].size(), 4u) << "histograms, matrix and reagent M records";
  EXPECT_EQ(observation(h500, "MCV")["units"], "fL") << "um3";
  EXPECT_EQ(observation(h500, "MCV")["reference_range"], "84.0 - 94.0") << "R-6 component 1";
  auto h550 = testing::translate_file(dir / "horiba-yumizen-h550-ctrl-01.astm", "generic-astm");
  EXPECT_EQ(h550["results"][0]["kind"], "qc");
  EXPECT_EQ(h550["results"][0]["qc"]["level"], "CTRLLOW");
  auto patient = testing::translate_file(dir / "roche-cobas-c111-chem-01.astm", "generic-astm");
  EXPECT_EQ(patient["results"][0]["kind"], "patient");
}

TEST(GenericAstm, TakesSpecimenAndCodeFromTheConfiguredLayout) {
  auto message =
      astm::Lis2Message::parse("H|\\^&\rO|1||^^  S-9^B\rR|1|^^^^WBC^1|5.0|10*3/uL\rL|1|N\r");
  ASSERT_TRUE(message.has_value());
  DriverSettings settings;
  settings.astm_layout = {4, 3, 5};
  auto t = make_driver("generic-astm", std::move(settings))->translate(*message);
  ASSERT_TRUE(t.has_value()) << t.error().describe();
  EXPECT_EQ(t->result_sets[0].specimen_id, "S-9");
  EXPECT_EQ(t->result_sets[0].observations[0].raw_code, "WBC");
}

}  // namespace
}  // namespace hemalink::drivers
