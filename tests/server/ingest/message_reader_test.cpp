#include "server/ingest/message_reader.hpp"

#include <gtest/gtest.h>

#include "server/config/mapping_json.hpp"

namespace hemalink::ingest {
namespace {

MessageReader reader() {
  MessageReader i;
  for (const std::string name : {"generic-hl7", "sysmex-xn"}) {
    auto mappings = config::load_mappings(name == "generic-hl7" ? "loinc-cbc" : name, "", "");
    i.add_analyzer(name, drivers::make_driver(name, {*mappings, Charset::Latin1, {}}));
  }
  return i;
}

records::Receipt receipt(std::string analyzer, model::WireProtocol protocol, std::string raw) {
  records::Receipt r;
  r.id = model::MessageId::generate();
  r.analyzer = std::move(analyzer);
  r.protocol = protocol;
  r.raw = std::move(raw);
  return r;
}

const char* kOru =
    "MSH|^~\\&|BC5380|LAB|LIS|HOSP|20261122||ORU^R01|C1|P|2.5\rPID|1||PAT1\rOBR|1||SPEC1\r"
    "OBX|1|NM|WBC||6.1|10*3/uL|||||F\rOBX|2|NM|HGB||13.1|g/dL|||||F\r";

TEST(MessageReader, AcceptedMessagesCarryTheirControlIdAndOneDecisionPerResult) {
  const auto in = reader().read(receipt("generic-hl7", model::WireProtocol::Hl7, kOru));
  EXPECT_EQ(in.status, records::MessageStatus::Accepted);
  EXPECT_EQ(in.control_id, "C1");
  ASSERT_EQ(in.result_sets.size(), 1U);
  ASSERT_EQ(in.decisions.size(), 1U);
  ASSERT_EQ(in.decisions[0].size(), 2U);
  EXPECT_EQ(in.decisions[0][0].verdict, model::Verdict::Hold);
  EXPECT_EQ(in.decisions[0][0].decided_by, "system:no-rules");
}

TEST(MessageReader, AstmControlIdIsH3) {
  const auto in = reader().read(receipt(
      "sysmex-xn", model::WireProtocol::Astm,
      "H|\\^&|CTRL-9||XN-550\rP|1\rO|1||^^SPEC1^B\rR|1|^^^^WBC^1|6.1|10*3/uL||N||F\rL|1|N\r"));
  EXPECT_EQ(in.status, records::MessageStatus::Accepted);
  EXPECT_EQ(in.control_id, "CTRL-9");
}

TEST(MessageReader, AMessageTheDriverRefusesKeepsItsControlIdAndSaysWhere) {
  const auto in = reader().read(receipt("generic-hl7", model::WireProtocol::Hl7,
                                        "MSH|^~\\&|BC5380|LAB|LIS|HOSP|20261122||ORU^R01|C2|P|2.5\r"
                                        "OBX|1|NM|WBC||6.1|10*3/uL|||||F\r"));
  EXPECT_EQ(in.status, records::MessageStatus::Rejected);
  EXPECT_EQ(in.control_id, "C2");
  EXPECT_NE(in.reject_reason.find("observation before any OBR"), std::string::npos)
      << in.reject_reason;
  ASSERT_TRUE(in.error_offset.has_value());
  EXPECT_GT(*in.error_offset, 0);
  EXPECT_TRUE(in.result_sets.empty());
}

TEST(MessageReader, UnparseableAndUnknownAreRejectedWithTheReason) {
  const auto garbage =
      reader().read(receipt("generic-hl7", model::WireProtocol::Hl7, "not a message"));
  EXPECT_EQ(garbage.status, records::MessageStatus::Rejected);
  EXPECT_FALSE(garbage.reject_reason.empty());
  const auto stranger = reader().read(receipt("nobody", model::WireProtocol::Hl7, kOru));
  EXPECT_EQ(stranger.status, records::MessageStatus::Rejected);
  EXPECT_EQ(stranger.reject_reason, "analyzer 'nobody' is not in the configuration");
}

// Frame numbers written into the records (`2P|1`) hide the L record too, so the link ends the
// message at EOT: the reason is the record that is not a record, not the missing terminator.
TEST(MessageReader, ARecordWithStrayDigitsIsNamedRatherThanTheMissingTerminator) {
  auto r = receipt("sysmex-xn", model::WireProtocol::Astm,
                   "H|\\^&|||XN-550\r2P|1\r3O|1||^^SPEC1^B\r4R|1|^^^^WBC^1|6.1\r5L|1|N\r");
  r.link_status = records::MessageStatus::Incomplete;
  r.link_reason = "ended without its L record: EOT before L record";
  const auto in = reader().read(r);
  EXPECT_EQ(in.status, records::MessageStatus::Rejected);
  EXPECT_NE(in.reject_reason.find("record 2: expected a record type letter, found \"2P\""),
            std::string::npos)
      << in.reject_reason;
}

}  // namespace
}  // namespace hemalink::ingest

namespace hemalink::ingest {
namespace {

// The history of a whole batch is prefetched once, before any of it is decided.
TEST(MessageReader, ABatchPrefetchesItsSpecimensHistoryOnceBeforeDeciding) {
  std::vector<std::size_t> prefetched;
  std::size_t decided_before_prefetch = 0;
  std::size_t decided = 0;
  MessageReader batch_reader(
      [&](model::ResultSet& set, const records::Receipt&, const records::TestStatuses*) {
        ++decided;
        decided_before_prefetch += prefetched.empty() ? 1 : 0;
        return hold_everything(set, {}, nullptr);
      },
      [&](std::span<const model::ResultSet* const> specimens,
          std::chrono::system_clock::time_point) { prefetched.push_back(specimens.size()); });
  auto mappings = config::load_mappings("loinc-cbc", "", "");
  batch_reader.add_analyzer("generic-hl7",
                            drivers::make_driver("generic-hl7", {*mappings, Charset::Latin1, {}}));
  const auto a = receipt("generic-hl7", model::WireProtocol::Hl7, kOru);
  const auto b = receipt("generic-hl7", model::WireProtocol::Hl7, kOru);
  const auto bad = receipt("generic-hl7", model::WireProtocol::Hl7, "not HL7");
  const records::Receipt* batch[] = {&a, &bad, &b};
  const auto contents = batch_reader.read(batch);
  ASSERT_EQ(contents.size(), 3U);
  EXPECT_EQ(contents[1].status, records::MessageStatus::Rejected);
  EXPECT_EQ(prefetched, (std::vector<std::size_t>{2})) << "one prefetch, both specimens";
  EXPECT_EQ(decided, 2U);
  EXPECT_EQ(decided_before_prefetch, 0U);
}

}  // namespace
}  // namespace hemalink::ingest

namespace hemalink::ingest {
namespace {

std::vector<model::Decision> every(model::Verdict verdict, const model::ResultSet& set,
                                   const std::string& by) {
  model::Decision d;
  d.verdict = verdict;
  d.decided_by = by;
  return std::vector<model::Decision>(set.observations.size(), d);
}

TEST(MessageReader, ASetInShadowDecidesBesideTheRulesInForceAndChangesNothing) {
  MessageReader r([](model::ResultSet& set, const records::Receipt&, const records::TestStatuses*) {
    return every(model::Verdict::Release, set, "rules:live");
  });
  auto mappings = config::load_mappings("loinc-cbc", "", "");
  r.add_analyzer("generic-hl7",
                 drivers::make_driver("generic-hl7", {*mappings, Charset::Latin1, {}}));
  const auto without = r.read(receipt("generic-hl7", model::WireProtocol::Hl7, kOru));
  EXPECT_TRUE(without.shadow_decisions.empty()) << "no set in shadow, no shadow decisions";

  r.set_shadow(
      nullptr, [](model::ResultSet& set, const records::Receipt&, const records::TestStatuses*) {
        set.observations.push_back({});  // a calculation of its own is not stored: not decided here
        return every(model::Verdict::Hold, set, "rules:shadow");
      });
  const auto in = r.read(receipt("generic-hl7", model::WireProtocol::Hl7, kOru));
  ASSERT_EQ(in.result_sets[0].observations.size(), 2U) << "the stored results are the live set's";
  ASSERT_EQ(in.decisions[0].size(), 2U);
  ASSERT_EQ(in.shadow_decisions.size(), 1U);
  ASSERT_EQ(in.shadow_decisions[0].size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(in.decisions[0][i].verdict, model::Verdict::Release);
    EXPECT_EQ(in.shadow_decisions[0][i].verdict, model::Verdict::Hold);
    EXPECT_EQ(in.shadow_decisions[0][i].decided_by, "rules:shadow");
  }

  auto cut = receipt("generic-hl7", model::WireProtocol::Hl7, kOru);
  cut.link_status = records::MessageStatus::Incomplete;
  r.set_shadow(nullptr,
               [](model::ResultSet& set, const records::Receipt&, const records::TestStatuses*) {
                 return every(model::Verdict::Release, set, "rules:shadow");
               });
  const auto incomplete = r.read(cut);
  EXPECT_EQ(incomplete.shadow_decisions[0][0].verdict, model::Verdict::Hold)
      << "an incomplete message releases nothing, in shadow too";
}

}  // namespace
}  // namespace hemalink::ingest
