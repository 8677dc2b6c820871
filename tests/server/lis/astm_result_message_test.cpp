// The ASTM E1394 result message of an outbox row, read back with hemalink's own record parser,
// and carried whole through the E1381 link's sender and receiver.
#include "server/lis/astm_result_message.hpp"

#include <gtest/gtest.h>

#include "protocols/astm/e1381_link.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "tests/server/lis/outbox_content_fixture.hpp"
#include "tests/support/link_recorder.hpp"

namespace hemalink::lis {
namespace {

std::string built_text(const lis::OutboxContent& c) {
  auto m = build_astm_results(c, testing::lis_destination(model::WireProtocol::Astm), {});
  EXPECT_TRUE(m) << (m ? "" : m.error().detail);
  return m ? m->payload : std::string();
}

// Field `n` as LIS02-A2 numbers it (the record type is field 1).
std::string field(const astm::Lis2Message& m, char type, std::size_t occurrence, std::size_t n) {
  for (std::size_t i = 0; i < m.record_count(); ++i) {
    if (m.record(i).type() == type && --occurrence == 0) {
      return std::string(m.record(i).field(n - 1));
    }
  }
  return "(no such record)";
}

TEST(AstmResultMessage, RecordsCarryTheRowFieldByField) {
  auto parsed = astm::Lis2Message::parse(built_text(testing::outbox_content()));
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const auto& m = *parsed;
  EXPECT_TRUE(m.is_terminated());
  EXPECT_EQ(field(m, 'H', 1, 3), "HL42");
  EXPECT_EQ(field(m, 'H', 1, 5), "hemalink^LAB");
  EXPECT_EQ(field(m, 'H', 1, 10), "LIS^HOSP");
  EXPECT_EQ(field(m, 'H', 1, 12), "T");
  EXPECT_EQ(field(m, 'H', 1, 13), "LIS2-A2");
  EXPECT_EQ(field(m, 'H', 1, 14), "20261128093000");
  EXPECT_EQ(field(m, 'P', 1, 3), "P-77");
  EXPECT_EQ(field(m, 'P', 1, 8), "19720101");
  EXPECT_EQ(field(m, 'P', 1, 9), "F");
  EXPECT_EQ(field(m, 'O', 1, 3), "SP-1");
  EXPECT_EQ(field(m, 'O', 1, 5), "^^^58410-2^CBC panel - Blood by Automated count^LN");
  EXPECT_EQ(field(m, 'O', 1, 26), "F");
  EXPECT_EQ(field(m, 'C', 1, 4), "hemolysed &F& slightly") << "the delimiter escaped";
  EXPECT_EQ(field(m, 'R', 1, 3), "^^^6690-2^^LN");
  EXPECT_EQ(field(m, 'R', 1, 4), "6.10");
  EXPECT_EQ(field(m, 'R', 1, 5), "10*3/uL");
  EXPECT_EQ(field(m, 'R', 1, 6), "4.0-10.0");
  EXPECT_EQ(field(m, 'R', 1, 7), "N");
  EXPECT_EQ(field(m, 'R', 1, 9), "F");
  EXPECT_EQ(field(m, 'R', 1, 13), "20261122101500");
  EXPECT_EQ(field(m, 'R', 1, 14), "xn-1");
  EXPECT_EQ(field(m, 'R', 2, 3), "^^^DDIMER^^99HLK");
  EXPECT_EQ(field(m, 'R', 2, 4), "<0.27");
  EXPECT_EQ(field(m, 'R', 3, 4), "Negative");
  EXPECT_EQ(field(m, 'C', 2, 4), "checked on smear");
  EXPECT_EQ(field(m, 'L', 1, 3), "N");
}

TEST(AstmResultMessage, ACorrectionIsMarkedOnTheResultAndTheOrder) {
  auto c = testing::outbox_content();
  c.results[1].is_correction = true;
  auto parsed = astm::Lis2Message::parse(built_text(c));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(field(*parsed, 'R', 1, 9), "F");
  EXPECT_EQ(field(*parsed, 'R', 2, 9), "C");
  EXPECT_EQ(field(*parsed, 'O', 1, 26), "C");
}

// An O record per order that asked (O-3 its placer number, O-5 the code the LIS ordered), the
// results no order asked under the specimen; result numbers start again under each.
TEST(AstmResultMessage, ResultsGoBackUnderTheOrderThatAskedForThem) {
  auto c = testing::outbox_content();
  ASSERT_GE(c.results.size(), 2u);
  for (std::size_t i = 0; i + 1 < c.results.size(); ++i) {
    c.results[i].placer_number = "PL-9";
    c.results[i].ordered_code = "FBC";
  }
  auto parsed = astm::Lis2Message::parse(built_text(c));
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(field(*parsed, 'O', 1, 3), "PL-9");
  EXPECT_EQ(field(*parsed, 'O', 1, 5), "^^^FBC^^LN");
  EXPECT_EQ(field(*parsed, 'O', 2, 2), "2");
  EXPECT_EQ(field(*parsed, 'O', 2, 3), "SP-1") << "the last result was not ordered";
  EXPECT_EQ(field(*parsed, 'O', 2, 5), "^^^58410-2^CBC panel - Blood by Automated count^LN");
  std::string layout;
  for (std::size_t i = 0; i < parsed->record_count(); ++i) {
    const auto r = parsed->record(i);
    if (r.type() == 'O' || r.type() == 'R')
      layout += std::string(1, r.type()) + std::string(r.field(1)) + " ";
  }
  EXPECT_EQ(layout, "O1 R1 R2 O2 R1 ");
}

// What the LIS's link receives is what was built: sender and receiver links wired together.
TEST(AstmResultMessage, TheE1381LinkCarriesItWhole) {
  const auto text = built_text(testing::outbox_content());
  testing::LinkRecorder to_lis;
  testing::LinkRecorder at_lis;
  astm::E1381Link sender({}, to_lis);
  astm::E1381Link receiver({}, at_lis);
  sender.send(text);
  for (int turn = 0; turn < 100 && to_lis.sent.empty(); ++turn) {
    receiver.feed(as_bytes(std::exchange(to_lis.written, std::string())));
    sender.feed(as_bytes(std::exchange(at_lis.written, std::string())));
  }
  ASSERT_EQ(to_lis.sent.size(), 1U);
  EXPECT_FALSE(to_lis.sent[0].second) << "every frame acknowledged";
  ASSERT_EQ(at_lis.messages.size(), 1U);
  EXPECT_EQ(at_lis.messages[0], text);
}

}  // namespace
}  // namespace hemalink::lis
