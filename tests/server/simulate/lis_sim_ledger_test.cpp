// What lis-sim decides and reads of each message: the faults on the Nth message, and the
// control ID, specimen and results of HL7 and ASTM messages.
#include "server/simulate/lis_sim_ledger.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hemalink::simulate {
namespace {

std::string replies(const LisSimFaults& faults, int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) {
    out += std::string(i == 1 ? "" : " ") + to_string(reply_for(i, faults));
  }
  return out;
}

TEST(LisSimLedger, EachFaultFallsOnEveryNthMessage) {
  EXPECT_EQ(replies({}, 3), "ack ack ack");
  EXPECT_EQ(replies({.nack_every = 3}, 6), "ack ack nack ack ack nack");
  EXPECT_EQ(replies({.silent_every = 2}, 4), "ack silent ack silent");
  EXPECT_EQ(replies({.late_ack_every = 2}, 4), "ack late ack late");
  EXPECT_EQ(replies({.drop_connection_every = 4}, 4), "ack ack ack drop");
  EXPECT_EQ(replies({.ack_every = 3}, 6), "silent silent ack silent silent ack");
  EXPECT_EQ(replies({.nack_every = 2, .silent_every = 2, .drop_connection_every = 4}, 4),
            "ack silent ack drop")
      << "drop wins over silence, silence over refusal";
}

TEST(LisSimLedger, ReadsAnOruAndCountsDuplicatesByControlId) {
  LisSimLedger ledger({}, model::WireProtocol::Hl7, "");
  const std::string oru =
      "MSH|^~\\&|hemalink||LIS||20261128||ORU^R01^ORU_R01|HL7|P|2.5.1\r"
      "OBR|1||SP-1|58410-2^CBC^LN\r"
      "OBX|1|NM|WBC^Leukocytes^L||6.10|10*9/L^^UCUM|||||F\r"
      "OBX|2|SN|DDIMER^^99HLK||<^0.27||||||C\r";
  const auto first = ledger.receive(oru);
  EXPECT_EQ(first.sequence, 1U);
  EXPECT_EQ(first.control_id, "HL7");
  EXPECT_EQ(first.specimen_id, "SP-1");
  EXPECT_EQ(first.codes, (std::vector<std::string>{"WBC", "DDIMER"}));
  EXPECT_EQ(first.values, (std::vector<std::string>{"6.10", "<^0.27"}));
  EXPECT_EQ(first.statuses, (std::vector<std::string>{"F", "C"}));
  EXPECT_FALSE(first.is_duplicate);
  EXPECT_TRUE(ledger.receive(oru).is_duplicate);
  const auto t = ledger.totals();
  EXPECT_EQ(t.received, 2U);
  EXPECT_EQ(t.duplicates, 1U);
  EXPECT_EQ(t.distinct_control_ids, 1U);
  const auto line = nlohmann::json::parse(to_json_line(first));
  EXPECT_EQ(line["control_id"], "HL7");
  EXPECT_EQ(line["codes"][1], "DDIMER");
  EXPECT_EQ(line["reply"], "ack");
}

TEST(LisSimLedger, ReadsAnAstmResultMessage) {
  const auto m = read_lis_message(
      "H|\\^&|HL9||hemalink\rP|1|P-77\rO|1|SP-2||^^^COAG\rR|1|^^^PT^^L|12.1|s||N||F\r"
      "R|2|^^^INR^^L|1.05|||N||C\rL|1|N\r",
      model::WireProtocol::Astm);
  EXPECT_EQ(m.control_id, "HL9");
  EXPECT_EQ(m.specimen_id, "SP-2");
  EXPECT_EQ(m.codes, (std::vector<std::string>{"PT", "INR"}));
  EXPECT_EQ(m.values, (std::vector<std::string>{"12.1", "1.05"}));
  EXPECT_EQ(m.statuses, (std::vector<std::string>{"F", "C"}));
}

TEST(LisSimLedger, AMessageThatDoesNotParseIsRecordedWithWhy) {
  const auto m = read_lis_message("not a message", model::WireProtocol::Hl7);
  EXPECT_FALSE(m.error.empty());
}

}  // namespace
}  // namespace hemalink::simulate
