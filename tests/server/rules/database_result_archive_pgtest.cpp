#include "server/rules/database_result_archive.hpp"

#include <gtest/gtest.h>

#include "tests/support/store_harness.hpp"
#include "tests/support/store_requests.hpp"

namespace hemalink::rules {
namespace {

using namespace std::chrono_literals;

const std::string kCbc =
    "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
    "P|1|||P-88|^Doe^Jane||19720101|F\r"
    "O|1||^^        AR-1^B|^^^^WBC|||||||N||||||||||||||F\r"
    "R|1|^^^^WBC^1|6.10|10*3/uL||N||F||||20261122101500\r"
    "R|2|^^^^HGB^1|12.7|g/dL||N||F||||20261122101500\r"
    "R|3|^^^^HCT^1|----|%||N||F||||20261122101500\r"
    "L|1|N\r";

TEST(DatabaseResultArchive, ReadsCommittedResultsByPatientAndBySpecimen) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h;
  auto reader = testing::reader_for_every_driver();
  auto r = testing::receipt("sysmex-xn", "sysmex-xn", model::WireProtocol::Astm, kCbc);
  const auto received = r.received_at;
  auto content = reader->read(r);
  ASSERT_EQ(h.store_all({{r, content}})[0].outcome, store::StoreOutcome::Stored);

  DatabaseResultArchive archive(h.dsn());
  const auto hgb = archive.patient_results("P-88", "HGB", received - 1h);
  ASSERT_TRUE(hgb);
  ASSERT_EQ(hgb->size(), 1u);
  EXPECT_EQ((*hgb)[0].specimen_id, "AR-1");
  EXPECT_DOUBLE_EQ((*hgb)[0].value, 12.7);
  EXPECT_LT(std::chrono::abs((*hgb)[0].received_at - received), 1ms);
  EXPECT_TRUE(archive.patient_results("P-88", "HGB", received + 1h)->empty()) << "too old";
  EXPECT_TRUE(archive.patient_results("P-88", "HCT", received - 1h)->empty()) << "not a number";

  const auto specimen = archive.specimen_results("AR-1");
  ASSERT_TRUE(specimen);
  ASSERT_EQ(specimen->size(), 2u);
  EXPECT_EQ((*specimen)[0].code, "WBC");
  EXPECT_EQ((*specimen)[1].code, "HGB");
}

TEST(DatabaseResultArchive, ABatchOfPairsAndSpecimensIsReadInOneGo) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h;
  auto reader = testing::reader_for_every_driver();
  auto first = testing::receipt("sysmex-xn", "sysmex-xn", model::WireProtocol::Astm, kCbc);
  std::string rerun_records = kCbc;
  rerun_records.replace(rerun_records.find("12.7"), 4, "12.9");
  auto rerun = testing::receipt("sysmex-xn", "sysmex-xn", model::WireProtocol::Astm, rerun_records);
  rerun.received_at = first.received_at + 1s;
  const auto stored = h.store_all({{first, reader->read(first)}, {rerun, reader->read(rerun)}});
  ASSERT_EQ(stored[1].outcome, store::StoreOutcome::Stored);

  DatabaseResultArchive archive(h.dsn());
  ResultArchive::HistoryQuery query;
  query.patient_codes = {{"P-88", "HGB"}, {"P-88", "WBC"}, {"P-88", "PLT"}, {"P-99", "HGB"}};
  query.specimen_ids = {"AR-1", "AR-NONE"};
  query.since = first.received_at - 1h;
  const auto found = archive.histories(query);
  ASSERT_TRUE(found);
  const auto& hgb = found->patients.at({"P-88", "HGB"});
  ASSERT_EQ(hgb.size(), 2u);
  EXPECT_DOUBLE_EQ(hgb[0].value, 12.9) << "newest first";
  EXPECT_DOUBLE_EQ(hgb[1].value, 12.7);
  EXPECT_EQ(found->patients.at({"P-88", "WBC"}).size(), 2u);
  EXPECT_FALSE(found->patients.contains({"P-88", "PLT"})) << "a pair without results is absent";
  EXPECT_FALSE(found->patients.contains({"P-99", "HGB"}));
  const auto& specimen = found->specimens.at("AR-1");
  ASSERT_EQ(specimen.size(), 4u) << "both messages' numeric results, oldest first";
  EXPECT_EQ(specimen[1].code, "HGB");
  EXPECT_DOUBLE_EQ(specimen[1].value, 12.7);
  EXPECT_DOUBLE_EQ(specimen[3].value, 12.9);
  EXPECT_FALSE(found->specimens.contains("AR-NONE"));
  EXPECT_EQ(archive.connections(), 1u);
}

// How long each read takes is measured, not asserted: tests/bench/report_bench.cpp
// (archive_read_of_a_locked_table, archive_read_after_a_failure).
TEST(DatabaseResultArchive, AReadLongerThanTheStatementTimeoutIsCannotRead) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h;
  DatabaseResultArchive archive(h.dsn(), 100ms);
  archive.warm_up(2);
  testing::TableLock lock(h.dsn(), "results");
  EXPECT_FALSE(archive.patient_results("P-1", "HGB", {}));
  EXPECT_EQ(archive.connections(), 1u) << "the connection the failed read had is closed";
  EXPECT_FALSE(archive.specimen_results("S-1"));
  EXPECT_EQ(archive.connections(), 1u)
      << "the read within a second of the failure did not try: it would have taken the other "
         "connection and lost it to the statement timeout too";
  lock.release();
}

TEST(DatabaseResultArchive, AWarmUpOpensTheReadersAStartWouldOtherwiseWaitFor) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h;
  DatabaseResultArchive archive(h.dsn());
  archive.warm_up(2);
  EXPECT_EQ(archive.connections(), 2u);
  EXPECT_TRUE(archive.patient_results("P-1", "HGB", {}));
  EXPECT_EQ(archive.connections(), 2u) << "a read takes one of them";
  DatabaseResultArchive unreachable("host=127.0.0.1 port=1 connect_timeout=2");
  unreachable.warm_up(2);
  EXPECT_EQ(unreachable.connections(), 0u) << "left for the first read";
}

TEST(DatabaseResultArchive, AnUnreachableDatabaseIsCannotReadNotNoResults) {
  DatabaseResultArchive archive("host=127.0.0.1 port=1 connect_timeout=2");
  EXPECT_FALSE(archive.patient_results("P-1", "HGB", {}));
  EXPECT_FALSE(archive.specimen_results("S-1"));
}

}  // namespace
}  // namespace hemalink::rules
