#include <gtest/gtest.h>

#include "drivers/driver.hpp"
#include "drivers/errc.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/driver_runs.hpp"

namespace hemalink::drivers {
namespace {

using nlohmann::json;
using testing::observation;

TEST(GenericHl7, TranslatesAMindrayOruR01) {
  HL_REQUIRE_CORPUS();
  auto doc = testing::translate_file(*testing::corpus_dir() / "hl7/mindray-bc5380-cbc-01.hl7",
                                     "generic-hl7", "", "loinc-cbc");
  ASSERT_EQ(doc["results"].size(), 1u) << "both OBRs name the same sample";
  const auto& set = doc["results"][0];
  EXPECT_EQ(set["specimen_id"], "20071207011") << "OBR-3";
  EXPECT_EQ(set["analyzer"]["model"], "BC-5380");
  EXPECT_EQ(set["patient"]["id"], "7393670");
  auto wbc = observation(doc, "WBC");
  EXPECT_EQ(wbc["raw_code"], "6690-2");
  EXPECT_EQ(wbc["loinc"], "6690-2");
  EXPECT_EQ(wbc["numeric"], 9.81);
  EXPECT_EQ(wbc["units"], "10*9/L");
  EXPECT_EQ(wbc["reference_range"], "4.00-10.00");
  EXPECT_EQ(wbc["abnormal_flag"], "N");
  EXPECT_EQ(observation(doc, "BASO_ABS")["value"], "") << "empty results are kept";
  EXPECT_EQ(set["attachments"].size(), 4u) << "ED histograms";
  auto mode = observation(doc, "08001");  // 08001^Take Mode^99MRC
  EXPECT_EQ(mode["value"], "O") << "unmapped, kept by its raw code";
  EXPECT_EQ(mode["unmapped"], true);
}

// Mindray BC sends its flags as IS results valued T or F (the BC-5380 manual's example).
TEST(GenericHl7, PutsAMindrayBcsFlagsInTheSpecimenFlags) {
  HL_REQUIRE_CORPUS();
  auto doc = testing::translate_file(*testing::corpus_dir() / "hl7/mindray-bc5380-cbc-01.hl7",
                                     "generic-hl7", "", "loinc-cbc");
  const auto& set = doc["results"][0];
  EXPECT_EQ(set["specimen_flags"],
            json::array({json{{"name", "Anemia"}, {"score", nullptr}, {"positive", true}},
                         json{{"name", "Hypochromia"}, {"score", nullptr}, {"positive", true}}}))
      << "12014^Anemia^99MRC = T, 15180-3^Hypochromia^LN = T";
  EXPECT_EQ(observation(doc, "12014"), nullptr) << "a flag, not a result";
  EXPECT_EQ(observation(doc, "Hypochromia"), nullptr);
}

// An XN over HL7 names its IP message in OBX-3, its Q-flag score in OBX-5 and marks a positive
// one with OBX-8 A, as in the R record over ASTM.
TEST(GenericHl7, PutsAnXnsIpMessagesInTheSpecimenFlagsPositiveWhenMarkedA) {
  auto doc = testing::translate_file(
      std::filesystem::path(HEMALINK_SOURCE_DIR) / "tests/fixtures/hl7/xn-oru-r01-ip-messages.hl7",
      "generic-hl7", "", "loinc-cbc");
  ASSERT_EQ(doc["results"].size(), 2u);
  EXPECT_EQ(doc["results"][0]["specimen_flags"],
            json::array({json{{"name", "Blasts?"}, {"score", 190.0}, {"positive", true}},
                         json{{"name", "Left_Shift?"}, {"score", 0.0}, {"positive", false}},
                         json{{"name", "Leukocytosis"}, {"score", nullptr}, {"positive", true}}}));
  EXPECT_EQ(doc["results"][1]["specimen_flags"],
            json::array({json{{"name", "Blasts?"}, {"score", 30.0}, {"positive", false}}}))
      << "a score below the XN's threshold comes without A";
  EXPECT_EQ(doc["results"][1]["observations"].size(), 2u) << "WBC and PLT only";
}

TEST(GenericHl7, ReadsAFlagsAnswerFromItsValue) {
  const auto flag_of = [](const std::string& obx) {
    auto message =
        hl7::V2Message::parse("MSH|^~\\&|X||||||ORU^R01|1|P|2.5\rOBR|1||S1\r" + obx + "\r");
    DriverSettings settings;
    CodeMapping flag;
    flag.role = CodeRole::Flag;
    settings.mappings.set("FLAG", flag);
    auto t = make_driver("generic-hl7", std::move(settings))->translate(*message);
    EXPECT_TRUE(t.has_value()) << t.error().describe();
    EXPECT_EQ(t->result_sets[0].specimen_flags.size(), 1u) << obx;
    return t->result_sets[0].specimen_flags.at(0);
  };
  for (const auto* yes : {"T", "Y", "POS", "1", "positive", "t"}) {
    EXPECT_TRUE(flag_of(std::string("OBX|1|IS|FLAG||") + yes).is_positive) << yes;
  }
  for (const auto* no : {"F", "N", "NEG", "0", "negative", "f"}) {
    EXPECT_FALSE(flag_of(std::string("OBX|1|IS|FLAG||") + no).is_positive) << no;
  }
  EXPECT_TRUE(flag_of("OBX|1|ST|FLAG||Suspected").is_positive) << "unknown answer: shown";
  EXPECT_TRUE(flag_of("OBX|1|ST|FLAG||").is_positive) << "no answer: shown";
  EXPECT_FALSE(flag_of("OBX|1|NM|FLAG||80").is_positive) << "a score without A";
  EXPECT_FALSE(flag_of("OBX|1|NM|FLAG||1").is_positive) << "a score of 1 without A";
  EXPECT_EQ(flag_of("OBX|1|NM|FLAG||80").score, 80.0);
  EXPECT_TRUE(flag_of("OBX|1|NM|FLAG||120|||A").is_positive) << "OBX-8 A";
  EXPECT_TRUE(flag_of("OBX|1|IS|FLAG||F|||A").is_positive) << "A wins over F: shown";
}

TEST(GenericHl7, TranslatesALawOulR22BySpecimen) {
  HL_REQUIRE_CORPUS();
  auto doc = testing::translate_file(*testing::corpus_dir() / "hl7/biosystems-ba400-oul-r22-01.hl7",
                                     "generic-hl7");
  ASSERT_EQ(doc["results"].size(), 1u);
  const auto& set = doc["results"][0];
  EXPECT_EQ(set["specimen_id"], "XXXXX33005259") << "SPM-2";
  EXPECT_EQ(set["sample_type"], "SER");
  EXPECT_EQ(set["observations"].size(), 3u);
  auto hdl = observation(doc, "CHOL HDL DIRECT");
  EXPECT_EQ(hdl["numeric"], 48.2886429);
  EXPECT_EQ(hdl["units"], "mg/dL");
  EXPECT_EQ(hdl["measured_at"], "20230512152741") << "OBX-19";
  EXPECT_EQ(hdl["flags"], json::array({"025"}));
}

TEST(GenericHl7, KeepsTextResultsAndTheirComments) {
  HL_REQUIRE_CORPUS();
  auto doc = testing::translate_file(
      *testing::corpus_dir() / "hl7/siemens-clinitek-status-oru-qc-01.hl7", "generic-hl7");
  const auto& set = doc["results"][0];
  EXPECT_EQ(set["specimen_id"], "184");
  EXPECT_EQ(set["observations"].size(), 10u);
  auto glu = observation(doc, "GLU");
  EXPECT_EQ(glu["value"], "Negative");
  EXPECT_EQ(glu["numeric"], nullptr);
  EXPECT_EQ(glu["comments"], json::array({"QCRResult:P"}));
  EXPECT_EQ(set["comments"][0], "QCName:CHEKSTIX");
}

TEST(GenericHl7, ReadsStructuredNumerics) {
  auto message = hl7::V2Message::parse(
      "MSH|^~\\&|X||||||ORU^R01|1|P|2.5\rOBR|1||S1\r"
      "OBX|1|SN|1554-5^GLUCOSE^LN||^182|mg/dl|70_105|H|||F\r"
      "OBX|2|SN|CRP^CRP||<^0.5|mg/L||N|||F\r"
      "OBX|3|SN|RATIO^Ratio||^1^:^40|||||F\r"
      "SPM|1|ignored-after-OBR\r");
  ASSERT_TRUE(message.has_value());
  auto t = make_driver("generic-hl7", {})->translate(*message);
  ASSERT_TRUE(t.has_value()) << t.error().describe();
  const auto& obs = t->result_sets[0].observations;
  EXPECT_EQ(obs[0].numeric, 182.0);
  EXPECT_EQ(obs[0].units, "mg/dL");
  EXPECT_EQ(obs[0].loinc, "1554-5");
  EXPECT_EQ(obs[0].code, "GLUCOSE");
  EXPECT_EQ(obs[1].comparator, model::Comparator::Less);
  EXPECT_EQ(obs[1].numeric, 0.5);
  EXPECT_EQ(obs[2].value, "1:40");
  EXPECT_FALSE(obs[2].numeric.has_value());
}

TEST(GenericHl7, ReadsThePriorityFromTq1Obr27OrObr5) {
  const auto priority_of = [](const std::string& segments) {
    auto message =
        hl7::V2Message::parse("MSH|^~\\&|X||||||ORU^R01|1|P|2.5\r" + segments + "OBX|1|NM|A||1\r");
    auto t = make_driver("generic-hl7", {})->translate(*message);
    EXPECT_TRUE(t.has_value()) << t.error().describe();
    return t.has_value() ? t->result_sets[0].priority : model::Priority::Unknown;
  };
  EXPECT_EQ(priority_of("OBR|1||S1|CBC|S\r"), model::Priority::Stat) << "OBR-5";
  EXPECT_EQ(priority_of("OBR|1||S1|CBC" + std::string(23, '|') + "^^^^^A\r"), model::Priority::Asap)
      << "OBR-27.6";
  EXPECT_EQ(priority_of("OBR|1||S1|CBC\rTQ1|1||||||||S\r"), model::Priority::Stat) << "TQ1-9";
  EXPECT_EQ(priority_of("OBR|1||S1|CBC|R\r"), model::Priority::Routine);
  EXPECT_EQ(priority_of("OBR|1||S1|CBC\r"), model::Priority::Unknown);
  EXPECT_EQ(priority_of("SPM|1|S1\rOBR|1|||CBC|S\r"), model::Priority::Stat)
      << "LAW: the SPM's specimen";
}

TEST(GenericHl7, NamesTheSegmentWithoutASpecimen) {
  auto message = hl7::V2Message::parse("MSH|^~\\&|X\rOBR|1|\"\"|\rOBX|1|NM|A||1\r");
  auto t = make_driver("generic-hl7", {})->translate(*message);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, Errc::MalformedField);
  EXPECT_NE(t.error().detail.find("segment 2 (OBR), field OBR-3"), std::string::npos)
      << t.error().detail;
}

// Some analyzers ask for work with ORM^O01 and ORC-1 RF (HL7 Table 0119 "refill order request",
// used as "send me my orders"): refused naming what it is, not read as results.
TEST(GenericHl7, RefusesAnOrmWorkRequestNamingWhatItIs) {
  auto message = hl7::V2Message::parse(
      "MSH|^~\\&|AN|LAB|HOST||20261207||ORM^O01|W1|P|2.3.1\rPID|1\rORC|RF|||||||20261207\r"
      "OBR|1||S-77|^^^ALL\r");
  ASSERT_TRUE(message);
  auto t = make_driver("generic-hl7", {})->translate(*message);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, Errc::WrongInput);
  EXPECT_NE(t.error().detail.find("message type 'ORM^O01' (ORC-1 'RF') is a request for work"),
            std::string::npos)
      << t.error().detail;
  EXPECT_NE(t.error().detail.find("QBP^Q11"), std::string::npos);
  EXPECT_EQ(t.error().detail.find("OBX"), std::string::npos) << "no error about something else";
}

TEST(GenericHl7, ReadsPlaceholdersInPidAsNoValue) {
  auto message = hl7::V2Message::parse(
      "MSH|^~\\&|AN|LAB\rPID|1||MRN77||X^Y||DOB|SEX\rOBR|1||S1|CBC\rOBX|1|NM|WBC||6.1\r");
  auto t = make_driver("generic-hl7", {})->translate(*message);
  ASSERT_TRUE(t.has_value()) << t.error().describe();
  ASSERT_TRUE(t->result_sets[0].patient);
  EXPECT_EQ(t->result_sets[0].patient->sex, "");
  EXPECT_EQ(t->result_sets[0].patient->birth_date, "");
  EXPECT_EQ(t->result_sets[0].patient->id, "MRN77");
}

}  // namespace
}  // namespace hemalink::drivers
