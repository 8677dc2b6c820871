// The HL7 ORU^R01 of an outbox row, read back with hemalink's own HL7 parser field by field.
#include "server/lis/oru_message.hpp"

#include <gtest/gtest.h>

#include "protocols/hl7/v2_message.hpp"
#include "tests/server/lis/outbox_content_fixture.hpp"

namespace hemalink::lis {
namespace {

using testing::outbox_content;

std::string at(const hl7::V2Message& m, const char* path) {
  return m.text_at(*hl7::V2Path::parse(path));
}

hl7::V2Message built(const lis::OutboxContent& c, const config::LisMapping& mapping = {}) {
  auto m = build_oru(c, testing::lis_destination(), mapping);
  EXPECT_TRUE(m) << (m ? "" : m.error().detail);
  auto parsed = hl7::V2Message::parse(m->payload);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().describe());
  return std::move(*parsed);
}

TEST(OruMessage, HeaderPatientOrderAndSpecimenCarryTheRow) {
  const auto m = built(outbox_content());
  EXPECT_EQ(at(m, "MSH-3"), "hemalink");
  EXPECT_EQ(at(m, "MSH-4"), "LAB");
  EXPECT_EQ(at(m, "MSH-5"), "LIS");
  EXPECT_EQ(at(m, "MSH-6"), "HOSP");
  EXPECT_EQ(at(m, "MSH-7"), "20261128093000+0000");
  EXPECT_EQ(at(m, "MSH-9"), "ORU^R01^ORU_R01");
  EXPECT_EQ(at(m, "MSH-10"), "HL42");
  EXPECT_EQ(at(m, "MSH-11"), "T");
  EXPECT_EQ(at(m, "MSH-12"), "2.5.1");
  EXPECT_EQ(at(m, "MSH-18"), "UNICODE UTF-8");
  EXPECT_EQ(at(m, "PID-3"), "P-77");
  EXPECT_EQ(at(m, "PID-7"), "19720101");
  EXPECT_EQ(at(m, "PID-8"), "F");
  EXPECT_EQ(at(m, "ORC-1"), "RE");
  EXPECT_EQ(at(m, "ORC-3"), "SP-1");
  EXPECT_EQ(at(m, "OBR-3"), "SP-1");
  EXPECT_EQ(at(m, "OBR-4"), "58410-2^CBC panel - Blood by Automated count^LN");
  EXPECT_EQ(at(m, "OBR-25"), "F");
  EXPECT_EQ(at(m, "NTE-3"), "hemolysed | slightly");
  EXPECT_EQ(at(m, "SPM-2.2"), "SP-1");
  EXPECT_EQ(at(m, "SPM-4"), "Whole blood");
  EXPECT_EQ(m.segment(m.segment_count() - 1).id(), "SPM");
}

TEST(OruMessage, EachResultIsOneObxWithItsTypeCodeUnitsRangeFlagAndAnalyzer) {
  const auto m = built(outbox_content());
  // WBC: LOINC (no LIS code), a number.
  EXPECT_EQ(at(m, "OBX(1)-1"), "1");
  EXPECT_EQ(at(m, "OBX(1)-2"), "NM");
  EXPECT_EQ(at(m, "OBX(1)-3"), "6690-2^^LN");
  EXPECT_EQ(at(m, "OBX(1)-5"), "6.10");
  EXPECT_EQ(at(m, "OBX(1)-6"), "10*3/uL^^UCUM");
  EXPECT_EQ(at(m, "OBX(1)-7"), "4.0-10.0");
  EXPECT_EQ(at(m, "OBX(1)-8"), "N");
  EXPECT_EQ(at(m, "OBX(1)-11"), "F");
  EXPECT_EQ(at(m, "OBX(1)-14"), "20261122101500");
  EXPECT_EQ(at(m, "OBX(1)-18"), "xn-1");
  EXPECT_EQ(at(m, "OBX(1)-19"), "20261122101500");
  // D-dimer below the limit: SN with its comparator.
  EXPECT_EQ(at(m, "OBX(2)-2"), "SN");
  EXPECT_EQ(at(m, "OBX(2)-3"), "DDIMER^^99HLK") << "no LIS code, no LOINC: the canonical code";
  EXPECT_EQ(at(m, "OBX(2)-5"), "<^0.27");
  // Text.
  EXPECT_EQ(at(m, "OBX(3)-2"), "ST");
  EXPECT_EQ(at(m, "OBX(3)-5"), "Negative");
  EXPECT_EQ(at(m, "OBX(3)-6"), "");
  EXPECT_EQ(at(m, "NTE(2)-3"), "checked on smear") << "a result's comment follows its OBX";
}

TEST(OruMessage, TheLisMappingNamesTestsAndConvertsUnits) {
  config::LisMapping mapping;
  mapping.codes["WBC"] = {"LEU", "Leukocytes", "", "10*9/L", 1.0, std::nullopt};
  mapping.codes["HGB"] = {"HB", "Haemoglobin", "99LAB", "g/L", 10.0, 0};
  auto c = outbox_content();
  c.results.push_back(testing::numeric_result(4, "HGB", "13.4", "g/dL", "12.0-16.0"));
  const auto m = built(c, mapping);
  EXPECT_EQ(at(m, "OBX(1)-3"), "LEU^Leukocytes^L");
  EXPECT_EQ(at(m, "OBX(1)-5"), "6.10") << "a factor of 1: the value as measured";
  EXPECT_EQ(at(m, "OBX(1)-6"), "10*9/L^^UCUM");
  EXPECT_EQ(at(m, "OBX(4)-3"), "HB^Haemoglobin^99LAB");
  EXPECT_EQ(at(m, "OBX(4)-5"), "134");
  EXPECT_EQ(at(m, "OBX(4)-6"), "g/L^^UCUM");
  EXPECT_EQ(at(m, "OBX(4)-7"), "120-160");
}

TEST(OruMessage, AResultTheLisHasIsACorrection) {
  auto c = outbox_content();
  c.results[0].is_correction = true;
  const auto m = built(c);
  EXPECT_EQ(at(m, "OBX(1)-11"), "C");
  EXPECT_EQ(at(m, "OBX(2)-11"), "F");
  EXPECT_EQ(at(m, "OBR-25"), "C");
}

TEST(OruMessage, BuiltTwiceItIsTheSameMessage) {
  const auto c = outbox_content();
  const auto a = build_oru(c, testing::lis_destination(), {});
  const auto b = build_oru(c, testing::lis_destination(), {});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->payload, b->payload);
  EXPECT_EQ(a->control_id, "HL42");
}

TEST(OruMessage, WithoutAPatientThereIsNoPid) {
  auto c = outbox_content();
  c.specimen.patient_id.clear();
  const auto m = built(c);
  EXPECT_FALSE(m.find("PID"));
  EXPECT_EQ(at(m, "OBR-3"), "SP-1");
}

TEST(OruMessage, AValueThatCannotBeConvertedRefusesTheMessage) {
  config::LisMapping mapping;
  mapping.codes["WBC"] = {"LEU", "", "", "10*9/L", 1000.0, std::nullopt};
  auto c = outbox_content();
  c.results[0].reference_range = "see report";
  const auto m = build_oru(c, testing::lis_destination(), mapping);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::Unconvertible);
  EXPECT_NE(m.error().detail.find("result 1 (WBC): reference range \"see report\" is not LOW-HIGH"),
            std::string::npos)
      << m.error().detail;
}

}  // namespace
}  // namespace hemalink::lis

namespace hemalink::lis {
namespace {

// Results go back under the order that asked for them; what no order asked stays under the
// specimen, in a group of its own.
TEST(OruMessage, ResultsGoBackUnderTheOrderThatAskedForThem) {
  auto c = testing::outbox_content();
  ASSERT_GE(c.results.size(), 2u);
  for (std::size_t i = 0; i + 1 < c.results.size(); ++i) {
    c.results[i].placer_number = "PL-9";
    c.results[i].filler_number = "FL-9";
    c.results[i].ordered_code = "FBC";
  }
  auto m = build_oru(c, testing::lis_destination(), {});
  ASSERT_TRUE(m) << m.error().detail;
  auto parsed = hl7::V2Message::parse(m->payload);
  ASSERT_TRUE(parsed);
  auto at = [&](const char* path) { return parsed->text_at(*hl7::V2Path::parse(path)); };
  EXPECT_EQ(at("ORC(1)-2"), "PL-9");
  EXPECT_EQ(at("ORC(1)-3"), "FL-9");
  EXPECT_EQ(at("OBR(1)-2"), "PL-9");
  EXPECT_EQ(at("OBR(1)-3"), "FL-9");
  EXPECT_EQ(at("OBR(1)-4.1"), "FBC");
  EXPECT_EQ(at("ORC(2)-2"), "") << "the last result was not ordered";
  EXPECT_EQ(at("ORC(2)-3"), "SP-1");
  EXPECT_EQ(at("OBR(2)-1"), "2");
  std::string layout;
  for (std::size_t i = 0; i < parsed->segment_count(); ++i) {
    const auto id = parsed->segment(i).id();
    if (id == "ORC" || id == "OBR" || id == "OBX")
      layout +=
          std::string(id) + (id == "OBX" ? std::string(parsed->segment(i).field(1)) : "") + " ";
  }
  EXPECT_EQ(layout, "ORC OBR OBX1 OBX2 ORC OBR OBX3 ") << "OBX set IDs run on across the groups";
}

}  // namespace
}  // namespace hemalink::lis
