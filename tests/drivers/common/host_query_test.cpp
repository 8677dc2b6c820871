#include "drivers/common/host_query.hpp"

#include <gtest/gtest.h>

#include "drivers/orders/astm_orders.hpp"

namespace hemalink::drivers {
namespace {

const QueryLayout kSysmexXn{.specimen_component = 3,
                            .test_code_component = 5,
                            .no_order_as_report_type_y = true,
                            .patient_id_in_p5 = true,
                            .echoes_query_specimen = true};
const QueryLayout kGeneric{.specimen_component = 0, .test_code_component = 4};

model::HostQuery read(const std::string& text, const QueryLayout& layout) {
  auto message = astm::Lis2Message::parse(text);
  EXPECT_TRUE(message);
  auto query = read_host_query(*message, layout, Charset::Latin1);
  EXPECT_TRUE(query) << (query ? "" : query.error().describe());
  return query ? *query : model::HostQuery{};
}

TEST(HostQuery, ReadsTheSysmexSampleNumberAndKeepsTheFieldToEcho) {
  auto q = read("H|\\^&\rQ|1|1^2^       ABC123^B||||20261128||||||N\rL|1|N\r", kSysmexXn);
  ASSERT_EQ(q.specimens.size(), 1u);
  EXPECT_EQ(q.specimens[0].specimen_id, "ABC123");
  EXPECT_EQ(q.specimens[0].echo, "1^2^       ABC123^B");
  EXPECT_FALSE(q.is_cancel);
}

TEST(HostQuery, ReadsVendorShapesOfTheStandardQuery) {
  EXPECT_EQ(read("H|\\^&\rQ|1|^S-1||ALL||||||||O\rL|1|N\r", kGeneric).specimens[0].specimen_id,
            "S-1")
      << "Ortho VITROS: component 2";
  auto cobas = read("H|\\^&\rQ|1|^^S-2^192^0^5^^S1^SC||ALL\rL|1|N\r", kGeneric);
  EXPECT_EQ(cobas.specimens[0].specimen_id, "S-2") << "cobas: component 3";
  auto erba = read("H|`^&\rQ|1|^S-3`^S-4||ALL||S\rL|1|N\r", kGeneric);
  ASSERT_EQ(erba.specimens.size(), 2u) << "Erba: several specimens as repeats";
  EXPECT_EQ(erba.specimens[1].specimen_id, "S-4");
  auto cancel = read("H|\\^&\rQ|1|^S-5||ALL||||||||A\rL|1|N\r", kGeneric);
  EXPECT_TRUE(cancel.is_cancel);
}

TEST(HostQuery, RefusesAQueryThatNamesNoSpecimen) {
  auto message = astm::Lis2Message::parse("H|\\^&\rQ|1|^^||ALL\rL|1|N\r");
  auto query = read_host_query(*message, kGeneric, Charset::Latin1);
  ASSERT_FALSE(query);
  EXPECT_NE(query.error().detail.find("Q-3"), std::string::npos) << query.error().detail;
}

// cobas: a tube whose barcode was not read is asked about by `@` and its sequence number. There
// is nothing to say about it (LIS02-A2 L-3 I, host_query_pgtest), and the query is no error.
TEST(HostQuery, ATubeWithoutBarcodeIsReadAsNoSpecimenNotRefused) {
  auto q = read(
      "H|\\^&|||cobas-e411^1|||||host|TSREQ^REAL|P|1\r"
      "Q|1|^^@192^192^0^2^^S1^SC||ALL||||||||O\rL|1|N\r",
      kGeneric);
  EXPECT_TRUE(q.specimens.empty());
  EXPECT_FALSE(q.is_cancel);
  auto mixed = read("H|\\^&\rQ|1|^^@193\\^^S-7||ALL||||||||O\rL|1|N\r", kGeneric);
  ASSERT_EQ(mixed.specimens.size(), 1u) << "the tube with a barcode is answered";
  EXPECT_EQ(mixed.specimens[0].specimen_id, "S-7");
}

TEST(HostQuery, TheAnswerReadsBackWithHemalinksOwnStrictParser) {
  model::WorkOrder w;
  w.specimen = {"S-1", "1^2^       S-1^B"};
  w.patient = model::Patient{"P|1", "F", "19500704", std::nullopt};
  w.priority = model::Priority::Stat;
  w.codes = {"WBC", "RDW-CV"};
  const auto text = write_query_answer({w}, kGeneric, "20261128101500");
  auto message = astm::Lis2Message::parse(text);
  ASSERT_TRUE(message) << message.error().describe();
  EXPECT_TRUE(message->is_terminated());
  auto orders = read_astm_orders(*message, Charset::Latin1);
  ASSERT_TRUE(orders) << orders.error().describe();
  ASSERT_EQ(orders->orders.size(), 1u);
  const auto& o = orders->orders[0];
  EXPECT_EQ(o.tests.size(), 2u);
  EXPECT_EQ(o.tests[1].code, "RDW-CV");
  EXPECT_EQ(o.priority, model::Priority::Stat);
  EXPECT_EQ(o.patient->id, "P|1") << "a delimiter in a value is escaped";
}

// LIS02-A2 8.4: O-3 is the specimen ID, O-16 the specimen descriptor (type ^ source). An
// Erba-like query names two tubes in one Q-3, the first with an empty patient ID component.
TEST(HostQuery, AGenericAnswerHasEveryTubesSpecimenIdInO3Component1) {
  const auto q = read(
      "H|`^&||||||||||P|E 1394-97|20261207080000\r"
      "Q|1|^SP-101`SP^102||||S|||||||O\rL|1|N\r",
      kGeneric);
  ASSERT_EQ(q.specimens.size(), 2u);
  EXPECT_EQ(q.specimens[0].echo, "^SP-101");
  std::vector<model::WorkOrder> work(2);
  for (std::size_t i = 0; i < 2; ++i) {
    work[i].specimen = q.specimens[i];
    work[i].codes = {"GLU"};
  }
  work[1].specimen.specimen_id = "SP^102";  // a delimiter in an ID the lab uses
  work[1].specimen_type = "SER";
  auto message = astm::Lis2Message::parse(write_query_answer(work, kGeneric, "20261207080001"));
  ASSERT_TRUE(message) << message.error().describe();
  std::vector<std::string> o3;
  std::vector<std::string> o16;
  for (std::size_t i = 0; i < message->record_count(); ++i) {
    if (message->record(i).type() == 'O') {
      o3.emplace_back(message->record(i).field(2));
      o16.emplace_back(message->record(i).field(15));
    }
  }
  EXPECT_EQ(o3, (std::vector<std::string>{"SP-101", "SP&S&102"}))
      << "each tube alike, whatever shape its repeat of Q-3 had";
  EXPECT_EQ(o16, (std::vector<std::string>{"", "SER"})) << "O-16 only when the order says";
  model::WorkOrder sysmex;
  sysmex.specimen = {"S-1", "1^2^       S-1^B"};
  sysmex.codes = {"WBC"};
  EXPECT_NE(write_query_answer({sysmex}, kSysmexXn, "20261207").find("\rO|1|1^2^       S-1^B|"),
            std::string::npos)
      << "Sysmex: Q-3 echoed as received";
}

TEST(HostQuery, NothingPendingIsNoInformationOrSysmexReportTypeY) {
  model::WorkOrder none;
  none.specimen = {"S-9", "^^S-9^B"};
  EXPECT_EQ(write_query_answer({none}, kGeneric, "20261128"),
            "H|\\^&|||hemalink|||||||P|LIS2-A2|20261128\rL|1|I\r");
  EXPECT_EQ(write_query_answer({none}, kSysmexXn, "20261128"),
            "H|\\^&|||hemalink|||||||P|LIS2-A2|20261128\rP|1\rO|1|^^S-9^B|||||||||||||||||||||||Y\r"
            "L|1|N\r");
}

TEST(HostQuery, ADownloadIsAnOrderWithTheSpecimenWhereTheLayoutReadsIt) {
  EXPECT_EQ(specimen_field("S-1", kSysmexXn), "^^S-1") << "Sysmex: rack and tube left blank";
  EXPECT_EQ(specimen_field("S|1", kGeneric), "S&F&1") << "LIS02-A2: the ID, escaped";
  model::WorkOrder w;
  w.specimen = {"S-1", specimen_field("S-1", kSysmexXn)};
  w.codes = {"WBC", "PLT"};
  model::WorkOrder none;
  none.specimen = {"S-2", specimen_field("S-2", kSysmexXn)};
  const auto text = write_work_download({w, none}, kSysmexXn, "20261128101500");
  EXPECT_EQ(text,
            "H|\\^&|||hemalink|||||||P|LIS2-A2|20261128101500\rP|1\r"
            "O|1|^^S-1||^^^^WBC\\^^^^PLT|R|20261128101500|||||N||||||||||||||O\r"
            "L|1|N\r")
      << "O-26 O, and no record for a specimen without work";
  w.specimen = {"S-1", specimen_field("S-1", kGeneric)};
  w.specimen_type = "WB";
  auto message = astm::Lis2Message::parse(write_work_download({w}, kGeneric, "20261128101500"));
  ASSERT_TRUE(message) << message.error().describe();
  EXPECT_EQ(message->record(2).field(15), "WB") << "O-16, the specimen type";
  auto orders = read_astm_orders(*message, Charset::Latin1);
  ASSERT_TRUE(orders) << orders.error().describe();
  EXPECT_EQ(orders->orders[0].specimen_id, "S-1");
  EXPECT_EQ(orders->orders[0].tests.size(), 2u);
  EXPECT_EQ(write_work_download({none}, kSysmexXn, "20261128101500"), "")
      << "nothing to download: no message";
}

// LIS02-A2 C records after an O record are its comments: a blood bank's donor unit travels to the
// analyzer that crossmatches, one C record per line of the LIS's notes, read back as the order's.
TEST(HostQuery, TheOrdersNotesFollowItsORecordAsCommentRecords) {
  model::WorkOrder w;
  w.specimen = {"BB-1", specimen_field("BB-1", kGeneric)};
  w.codes = {"XM"};
  w.comment = "Donor unit W0000 26 123456 A|E0291V00\nanti-K";
  const auto text = write_query_answer({w}, kGeneric, "20261207094500");
  EXPECT_NE(text.find("\rC|1|L|Donor unit W0000 26 123456 A&F&E0291V00|G\rC|2|L|anti-K|G\rL|1|N\r"),
            std::string::npos)
      << text;
  auto message = astm::Lis2Message::parse(text);
  ASSERT_TRUE(message) << message.error().describe();
  auto orders = read_astm_orders(*message, Charset::Latin1);
  ASSERT_TRUE(orders) << orders.error().describe();
  EXPECT_EQ(orders->orders[0].comment, "Donor unit W0000 26 123456 A|E0291V00\nanti-K");
  model::WorkOrder none = w;
  none.codes.clear();
  EXPECT_EQ(write_query_answer({none}, kGeneric, "20261207094500").find("\rC|"), std::string::npos)
      << "no work, no notes";
}

TEST(HostQuery, ATerminatedReplyIsOurHeaderAndTheCode) {
  EXPECT_EQ(terminated_reply("Q", "20261128"),
            "H|\\^&|||hemalink|||||||P|LIS2-A2|20261128\rL|1|Q\r");
}

}  // namespace
}  // namespace hemalink::drivers
