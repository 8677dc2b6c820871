#include <gtest/gtest.h>

#include "drivers/driver.hpp"
#include "drivers/errc.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/driver_runs.hpp"

namespace hemalink::drivers {
namespace {

using nlohmann::json;
using testing::observation;

const std::string kHeader = "H|\\^&|||XN-1000^00-21^11001^^^^A1234||||||||E1394-97\r";

Result<Translation> translate(const std::string& records, MappingTable mappings = {}) {
  auto message = astm::Lis2Message::parse(kHeader + records + "L|1|N\r");
  EXPECT_TRUE(message.has_value());
  auto driver = make_driver("sysmex-xn", {std::move(mappings), Charset::Latin1, {}});
  return driver->translate(*message);
}

TEST(SysmexXn, TranslatesTheXn550Capture) {
  HL_REQUIRE_CORPUS();
  auto doc = testing::translate_file(*testing::corpus_dir() / "astm/sysmex-xn550-cbc-01.astm",
                                     "sysmex-xn");
  ASSERT_EQ(doc["results"].size(), 1u);
  const auto& set = doc["results"][0];
  EXPECT_EQ(set["specimen_id"], "27") << "O-4 sample number, padding trimmed";
  EXPECT_EQ(set["kind"], "patient");
  EXPECT_EQ(set["analyzer"]["model"], "XN-550");
  EXPECT_EQ(set["analyzer"]["serial"], "22723");
  EXPECT_EQ(set["patient"]["id"], "37182");
  EXPECT_EQ(set["patient"]["sex"], "M");
  EXPECT_EQ(set["comments"], json::array({"POST HD"}));
  EXPECT_EQ(set["observations"].size(), 23u) << "numeric results only";
  auto wbc = observation(doc, "WBC");
  EXPECT_EQ(wbc["value"], "8.13");
  EXPECT_EQ(wbc["numeric"], 8.13);
  EXPECT_EQ(wbc["units"], "10*3/uL");
  EXPECT_EQ(wbc["loinc"], "6690-2");
  EXPECT_EQ(wbc["status"], "final");
  EXPECT_EQ(wbc["unmapped"], false);
  EXPECT_EQ(wbc["measured_at"], "20240627135407");
  EXPECT_EQ(observation(doc, "HCT")["abnormal_flag"], "L");
  EXPECT_EQ(observation(doc, "EO_PCT")["abnormal_flag"], "H");
  EXPECT_EQ(observation(doc, "EO_PCT")["raw_code"], "EO%");
  EXPECT_EQ(observation(doc, "PLT")["numeric"], 99.0);
  for (const auto& o : set["observations"]) {
    EXPECT_EQ(o["unmapped"], false) << o["raw_code"];
  }
}

TEST(SysmexXn, IpMessagesBecomeSpecimenFlagsAndImagesAttachments) {
  HL_REQUIRE_CORPUS();
  auto doc = testing::translate_file(*testing::corpus_dir() / "astm/sysmex-xn550-cbc-01.astm",
                                     "sysmex-xn");
  const auto& flags = doc["results"][0]["specimen_flags"];
  ASSERT_EQ(flags.size(), 14u);
  EXPECT_EQ(flags[0], (json{{"name", "Eosinophilia"}, {"score", nullptr}, {"positive", true}}));
  EXPECT_EQ(flags[2], (json{{"name", "Blasts/Abn_Lympho?"}, {"score", 40.0}, {"positive", false}}));
  EXPECT_EQ(flags[13]["name"], "Positive_Count");
  const auto& attachments = doc["results"][0]["attachments"];
  ASSERT_EQ(attachments.size(), 4u);
  EXPECT_EQ(attachments[0]["code"], "SCAT_WDF");
  EXPECT_EQ(attachments[0]["reference"], "PNG\\20240628\\2024_06_27_13_54_27_WDF.PNG");
  EXPECT_EQ(observation(doc, "SCAT_WDF"), nullptr) << "never a result";
}

TEST(SysmexXn, ReadsTheXp100ToItsPaddedValues) {
  HL_REQUIRE_CORPUS();
  auto doc = testing::translate_file(*testing::corpus_dir() / "astm/sysmex-xp100-cbc-01.astm",
                                     "sysmex-xn");
  EXPECT_EQ(doc["results"][0]["specimen_id"], "113");
  EXPECT_EQ(observation(doc, "WBC")["value"], "5.5");
  EXPECT_EQ(observation(doc, "WBC")["numeric"], 5.5);
  EXPECT_EQ(observation(doc, "HCT")["abnormal_flag"], "L");
}

TEST(SysmexXn, ReadsTheSpecimensPriorityFromO6) {
  auto t = translate(
      "O|1||^^STAT-1^B||S\r"
      "R|1|^^^^WBC^1|6.1|10*3/uL||N||F\r"
      "O|2||^^ROUTINE-2^B||R\r"
      "R|1|^^^^WBC^1|6.1|10*3/uL||N||F\r"
      "O|3||^^NONE-3^B\r"
      "R|1|^^^^WBC^1|6.1|10*3/uL||N||F\r");
  ASSERT_TRUE(t.has_value()) << t.error().describe();
  ASSERT_EQ(t->result_sets.size(), 3u);
  EXPECT_EQ(t->result_sets[0].priority, model::Priority::Stat);
  EXPECT_EQ(t->result_sets[1].priority, model::Priority::Routine);
  EXPECT_EQ(t->result_sets[2].priority, model::Priority::Unknown);
}

TEST(SysmexXn, QcRerunsErrorsAndJudgements) {
  auto t = translate(
      "O|1||1^2^          QC-1234^B||||||||Q\r"
      "R|1|^^^^WBC^1|----|10*3/uL||A||F\r"
      "R|2|^^^^PLT^1|  1234|10*3/uL||>\\W||P||||20260101101500\r"
      "O|2||^^SMP-2^B||||||||A\r"
      "R|1|^^^^XYZ^1|3.3|mmol/l||N||I\r");
  ASSERT_TRUE(t.has_value()) << t.error().describe();
  ASSERT_EQ(t->result_sets.size(), 2u);
  const auto& qc = t->result_sets[0];
  EXPECT_EQ(qc.kind, model::SpecimenKind::QualityControl);
  EXPECT_EQ(qc.specimen_id, "QC-1234");
  EXPECT_EQ(qc.rack, "1");
  EXPECT_EQ(qc.tube_position, "2");
  const auto& error = qc.observations[0];
  EXPECT_EQ(error.status, model::ResultStatus::CannotReport);
  EXPECT_FALSE(error.numeric.has_value());
  EXPECT_EQ(error.abnormal_flag, "A");
  const auto& plt = qc.observations[1];
  EXPECT_EQ(plt.numeric, 1234.0);
  EXPECT_EQ(plt.flags, (std::vector<std::string>{">", "W"}));
  EXPECT_EQ(plt.analyzer_judgement, "rerun_or_reflex");
  const auto& rerun = t->result_sets[1];
  EXPECT_TRUE(rerun.is_rerun);
  EXPECT_EQ(rerun.observations[0].code, "XYZ");
  EXPECT_FALSE(rerun.observations[0].is_mapped) << "unknown codes are kept, marked unmapped";
  EXPECT_EQ(rerun.observations[0].units, "mmol/L");
  EXPECT_EQ(rerun.observations[0].analyzer_judgement, "repeat");
  ASSERT_FALSE(t->warnings.empty());
  EXPECT_NE(t->warnings.back().find("XYZ"), std::string::npos);
}

TEST(SysmexXn, KeepsLongInstrumentFlagsIntact) {
  // Found by fuzzing: flags were read through a view of a destroyed temporary. Flags longer
  // than the small-string buffer make the sanitizer build see it.
  auto t = translate(
      "O|1||^^S1^B\rR|1|^^^^WBC^1|5.0|10*3/uL||A\\LOW_RELIABILITY_WARNING_1\\"
      "LOW_RELIABILITY_WARNING_2\r");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->result_sets[0].observations[0].flags,
            (std::vector<std::string>{"LOW_RELIABILITY_WARNING_1", "LOW_RELIABILITY_WARNING_2"}));
}

TEST(SysmexXn, TheMappingTableCanDeclareFlags) {
  MappingTable mappings;
  mappings.set("Abn_Lympho/Blasts", {CodeRole::Flag, "", "", "", std::nullopt, "", ""});
  auto t = translate("O|1||^^S1^B\rR|1|^^^^Abn_Lympho/Blasts|100|||A||F\r", std::move(mappings));
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->result_sets[0].specimen_flags.size(), 1u);
  EXPECT_TRUE(t->result_sets[0].specimen_flags[0].is_positive);
  EXPECT_EQ(t->result_sets[0].specimen_flags[0].score, 100.0);
  EXPECT_TRUE(t->result_sets[0].observations.empty());
}

TEST(SysmexXn, NamesTheRecordAndFieldOfWhatItCannotRead) {
  auto no_code = translate("O|1||^^S1^B\rR|1|^^^|1.0\r");
  ASSERT_FALSE(no_code.has_value());
  EXPECT_EQ(no_code.error().code, Errc::MalformedField);
  EXPECT_NE(no_code.error().detail.find("record 3 (R), field R-3"), std::string::npos)
      << no_code.error().detail;
  auto no_order = translate("R|1|^^^^WBC^1|1.0\r");
  ASSERT_FALSE(no_order.has_value());
  EXPECT_EQ(no_order.error().code, Errc::MissingRecord);
  auto no_sample = translate("O|1||^^^B\r");
  ASSERT_FALSE(no_sample.has_value());
  EXPECT_NE(no_sample.error().detail.find("O-4"), std::string::npos) << no_sample.error().detail;
}

TEST(SysmexXn, RefusesHl7) {
  auto message = hl7::V2Message::parse("MSH|^~\\&|A\r");
  auto driver = make_driver("sysmex-xn", {});
  auto t = driver->translate(*message);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, Errc::WrongInput);
}

}  // namespace
}  // namespace hemalink::drivers
