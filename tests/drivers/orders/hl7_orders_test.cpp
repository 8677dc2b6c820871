#include "drivers/orders/hl7_orders.hpp"

#include <gtest/gtest.h>

#include "drivers/errc.hpp"

namespace hemalink::drivers {
namespace {

model::OrderMessage read(const std::string& text) {
  auto message = hl7::V2Message::parse(text);
  EXPECT_TRUE(message) << (message ? "" : message.error().describe());
  auto orders = read_hl7_orders(*message);
  EXPECT_TRUE(orders) << (orders ? "" : orders.error().describe());
  return orders ? *orders : model::OrderMessage{};
}

ParseError refusal(const std::string& text) {
  auto message = hl7::V2Message::parse(text);
  EXPECT_TRUE(message);
  auto orders = read_hl7_orders(*message);
  EXPECT_FALSE(orders);
  return orders ? ParseError{} : orders.error();
}

// Written from HL7 v2.5.1 chapter 4 (OML^O21: ORC, TQ1, OBR, then SPM).
const std::string kOmlO21 =
    "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128101500||OML^O21^OML_O21|ORD0001|P|2.5.1\r"
    "PID|1||P12345^^^HOSP^MR||Doe^Jane||19500704|F\r"
    "PV1|1|I|WARD7^12^B\r"
    "ORC|NW|PL-1|FL-1||||||20261128101400\r"
    "TQ1|1||||||||S\r"
    "OBR|1|PL-1|FL-1|FBC^Full blood count^L|||20261128093000\r"
    "SPM|1|S-1001&HOSP^S-1001&LAB||BLD|||||||P||||||20261128092500\r"
    "ORC|NW|PL-2|FL-2\r"
    "OBR|1|PL-2|FL-2|COAG^Coagulation screen^L\r"
    "SPM|1|S-1002||PLAS\r";

TEST(Hl7Orders, ReadsAnOmlO21WithItsPatientSpecimensAndPriority) {
  auto m = read(kOmlO21);
  EXPECT_EQ(m.message_type, "OML^O21");
  EXPECT_EQ(m.control_id, "ORD0001");
  ASSERT_EQ(m.orders.size(), 2u);
  const auto& first = m.orders[0];
  EXPECT_EQ(first.control, model::OrderControl::New);
  EXPECT_EQ(first.placer_number, "PL-1");
  EXPECT_EQ(first.filler_number, "FL-1");
  EXPECT_EQ(first.specimen_id, "S-1001") << "SPM-2's placer part, after the OBR";
  ASSERT_TRUE(first.patient);
  EXPECT_EQ(first.patient->id, "P12345");
  EXPECT_EQ(first.patient->sex, "F");
  EXPECT_EQ(first.patient->birth_date, "19500704");
  EXPECT_EQ(first.location, "WARD7");
  EXPECT_EQ(first.priority, model::Priority::Stat) << "TQ1-9";
  EXPECT_EQ(first.collected_at, "20261128092500") << "SPM-17 over OBR-7";
  ASSERT_EQ(first.tests.size(), 1u);
  EXPECT_EQ(first.tests[0].code, "FBC");
  EXPECT_EQ(first.tests[0].text, "Full blood count");
  EXPECT_EQ(m.orders[1].specimen_id, "S-1002");
  EXPECT_EQ(m.orders[1].priority, model::Priority::Unknown);
  EXPECT_EQ(m.orders[1].tests[0].code, "COAG");
}

// IHE LAW LAB-28: the specimen and its container come before the ORC/OBR groups.
TEST(Hl7Orders, ReadsAnOmlO33WhereTheSpecimenComesFirst) {
  auto m = read(
      "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128101500||OML^O33^OML_O33|ORD0002|P|2.5.1\r"
      "PID|1||P9^^^HOSP^MR||Roe^Rick||DOB|M\r"
      "SPM|1|||BLD|||||||P\r"
      "SAC|||C-77\r"
      "ORC|NW||\r"
      "TQ1|1||||||||R\r"
      "OBR|1|||WBC^Leukocytes^L\r"
      "ORC|NW||\r"
      "OBR|1|||HGB^Haemoglobin^L\r"
      "SPM|2|S-88||BLD\r"
      "ORC|NW|PL-9\r"
      "OBR|1|PL-9||PLT\r");
  ASSERT_EQ(m.orders.size(), 2u) << "two ORCs without a placer number on one tube are one order, "
                                    "as the order book keys them (specimen, placer number)";
  EXPECT_EQ(m.orders[0].specimen_id, "C-77") << "SAC-3 when SPM-2 is empty";
  EXPECT_EQ(m.orders[0].priority, model::Priority::Routine);
  ASSERT_EQ(m.orders[0].tests.size(), 2u);
  EXPECT_EQ(m.orders[0].tests[1].code, "HGB");
  EXPECT_EQ(m.orders[0].tests[1].request, 2u);
  EXPECT_EQ(m.orders[1].specimen_id, "S-88");
  EXPECT_EQ(m.orders[1].placer_number, "PL-9");
  EXPECT_EQ(m.orders[0].patient->birth_date, "") << "PID-7 placeholder text is no date";
}

TEST(Hl7Orders, ReadsAnOrmO01CancellationWithItsReason) {
  auto m = read(
      "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128101500||ORM^O01|ORD0003|P|2.3.1\n"
      "PID|1||P12345\n"
      "ORC|CA|PL-1|FL-1|||||||||||||^Wrong patient\n"
      "OBR|1|PL-1|FL-1|FBC|S\n");
  ASSERT_EQ(m.orders.size(), 1u);
  EXPECT_EQ(m.orders[0].control, model::OrderControl::Cancel);
  EXPECT_EQ(m.orders[0].reason, "Wrong patient");
  EXPECT_EQ(m.orders[0].specimen_id, "FL-1") << "OBR-3 without an SPM";
  EXPECT_EQ(m.orders[0].priority, model::Priority::Stat) << "OBR-5";
}

TEST(Hl7Orders, ReadsSeveralObrUnderOneOrcAsOneOrder) {
  auto m = read(
      "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128101500||ORM^O01|ORD0004|P|2.3.1\r"
      "ORC|NW|PL-5|||||^^^^^A\r"
      "OBR|1|PL-5|S-5|PT\r"
      "OBR|1|PL-5|S-5|APTT\r");
  ASSERT_EQ(m.orders.size(), 1u);
  ASSERT_EQ(m.orders[0].tests.size(), 2u);
  EXPECT_EQ(m.orders[0].tests[1].code, "APTT");
  EXPECT_EQ(m.orders[0].priority, model::Priority::Asap) << "ORC-7.6";
  EXPECT_FALSE(m.orders[0].patient) << "no PID";
}

// A LIS that puts two requests under one ORC, each with its own SPM: both specimens are kept
// (the second used to replace the first).
TEST(Hl7Orders, EachRequestUnderOneOrcKeepsItsOwnSpecimen) {
  auto m = read(
      "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128101500||OML^O21|ORD0005|P|2.5.1\r"
      "PID|1||P1\r"
      "ORC|NW|PL-9\r"
      "OBR|1|PL-9||FBC\r"
      "SPM|1|S-BLOOD||BLD\r"
      "OBR|2|PL-9||UA\r"
      "SPM|2|S-URINE||UR\r");
  ASSERT_EQ(m.orders.size(), 2u);
  EXPECT_EQ(m.orders[0].specimen_id, "S-BLOOD");
  EXPECT_EQ(m.orders[0].tests[0].code, "FBC");
  EXPECT_EQ(m.orders[0].specimen_type.code, "BLD");
  EXPECT_EQ(m.orders[1].specimen_id, "S-URINE");
  EXPECT_EQ(m.orders[1].tests[0].code, "UA");
  EXPECT_EQ(m.orders[1].tests[0].request, 2u) << "the second OBR, for the acknowledgement's ERR";
  EXPECT_EQ(m.orders[1].specimen_type.code, "UR");
}

// OML^O33 whose second specimen's OBR comes without its ORC: ordered on that specimen, not on the
// first; and a note on an ask-at-order-entry observation is not the order's.
TEST(Hl7Orders, AnObrAfterANewSpecimenIsOnThatSpecimen) {
  auto m = read(
      "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128101500||OML^O33^OML_O33|ORD0006|P|2.5.1\r"
      "PID|1||P1\r"
      "SPM|1|S-A||BLD\r"
      "ORC|NW|PL-A\r"
      "OBR|1|PL-A||FBC\r"
      "OBX|1|NM|HEIGHT^Body height||170|cm\r"
      "NTE|1|L|measured today\r"
      "SPM|2|S-B||UR\r"
      "OBR|2|PL-B||UA\r");
  ASSERT_EQ(m.orders.size(), 2u);
  EXPECT_EQ(m.orders[0].specimen_id, "S-A");
  EXPECT_EQ(m.orders[0].comment, "") << "the NTE notes the OBX";
  EXPECT_EQ(m.orders[1].specimen_id, "S-B");
  EXPECT_EQ(m.orders[1].placer_number, "PL-B");
  ASSERT_EQ(m.orders[1].tests.size(), 1u);
  EXPECT_EQ(m.orders[1].tests[0].code, "UA");
}

TEST(Hl7Orders, ReadsAPatientUpdate) {
  auto m = read(
      "MSH|^~\\&|ADT|HOSP|HEMALINK|LAB|20261128101500||ADT^A08|ADT1|P|2.5.1\r"
      "EVN|A08|20261128101500\r"
      "PID|1||P12345^^^HOSP^MR||Doe^Jane||19500704|F\r");
  EXPECT_TRUE(m.orders.empty());
  ASSERT_TRUE(m.patient_update);
  EXPECT_EQ(m.patient_update->id, "P12345");
  EXPECT_EQ(m.patient_update->sex, "F");
}

TEST(Hl7Orders, RefusesWhatItCannotActOnNamingTheSegmentAndField) {
  auto wrong_type = refusal("MSH|^~\\&|A|B|C|D|20261128||ORU^R01|1|P|2.5.1\rOBR|1||S|WBC\r");
  EXPECT_EQ(wrong_type.code, make_error_code(Errc::WrongInput));
  EXPECT_NE(wrong_type.detail.find("MSH-9"), std::string::npos) << wrong_type.detail;

  auto control = refusal("MSH|^~\\&|A|B|C|D|20261128||ORM^O01|1|P|2.3\rORC|CD:1234|PL\r");
  EXPECT_NE(control.detail.find("segment 2 (ORC), field ORC-1"), std::string::npos)
      << control.detail;
  EXPECT_NE(control.detail.find("CD:1234"), std::string::npos);

  auto no_test = refusal("MSH|^~\\&|A|B|C|D|20261128||ORM^O01|1|P|2.3\rORC|NW|PL\rOBR|1|PL|S\r");
  EXPECT_NE(no_test.detail.find("no test"), std::string::npos) << no_test.detail;

  auto no_specimen = refusal("MSH|^~\\&|A|B|C|D|20261128||OML^O21|1|P|2.5\rORC|NW\rOBR|1|||WBC\r");
  EXPECT_NE(no_specimen.detail.find("no specimen ID"), std::string::npos) << no_specimen.detail;

  auto nothing = refusal("MSH|^~\\&|A|B|C|D|20261128||OML^O21|1|P|2.5\rPID|1||P1\r");
  EXPECT_EQ(nothing.code, make_error_code(Errc::MissingRecord));
}

}  // namespace
}  // namespace hemalink::drivers
