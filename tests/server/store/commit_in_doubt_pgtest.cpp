// A commit whose outcome the store cannot know (the connection cut in the middle of COMMIT, by
// a proxy between the store and PostgreSQL): the store asks the database by message ID before
// anything else, and every message ends up stored exactly once, acknowledged as durable.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>

#include "server/store/store.hpp"
#include "tests/support/commit_cutter.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/store_requests.hpp"

namespace hemalink::store {

using records::Receipt;

namespace {

using Cut = testing::CommitCutter::Cut;

std::filesystem::path cluster_socket(const std::string& dsn) {
  std::smatch host;
  std::regex_search(dsn, host, std::regex(R"(host=(\S+))"));
  return std::filesystem::path(host[1].str()) / ".s.PGSQL.5432";
}

StoreRequest cbc(const ingest::MessageReader& reader, const std::string& tag) {
  auto receipt = testing::receipt(
      "generic-hl7", "generic-hl7", model::WireProtocol::Hl7,
      fmt::format("MSH|^~\\&|LAB|A|LIS|B|20261122||ORU^R01|{0}|P|2.5\rPID|1||PAT{0}\r"
                  "OBR|1||SPEC{0}\rOBX|1|NM|WBC||6.1|10*3/uL|||||F\r"
                  "OBX|2|NM|HGB||13.9|g/dL|||||F\r",
                  tag));
  auto content = reader.read(receipt);
  return {std::move(receipt), std::move(content)};
}

class CommitInDoubt : public ::testing::TestWithParam<Cut> {};

TEST_P(CommitInDoubt, IsSettledByMessageIdAndTheMessageStoredOnce) {
  HL_REQUIRE_POSTGRES();
  auto reader = testing::reader_for_every_driver();
  testing::StoreHarness h(testing::test_store_options(),
                          [reader](const Receipt& r) { return reader->read(r); });
  testing::CommitCutter cutter(cluster_socket(h.dsn()));
  h.restart_store_through(cutter.through(h.dsn()));
  // The analyzer's row is written in a transaction of its own: settled first, so that the
  // cut falls on the batch's COMMIT.
  ASSERT_EQ(h.store_all({cbc(*reader, "warm-up")})[0].outcome, StoreOutcome::Stored);

  cutter.arm(GetParam());
  const auto request = cbc(*reader, "in-doubt");
  const auto done = h.store_all({request});
  EXPECT_EQ(cutter.cuts(), 1);
  EXPECT_EQ(done[0].outcome, StoreOutcome::Stored) << done[0].detail;
  EXPECT_EQ(h.store().health().commits_in_doubt, 1u);
  EXPECT_EQ(h.store().health().spooled_pending, 0u);
  EXPECT_EQ(h.count(fmt::format("SELECT count(*) FROM messages WHERE id = '{}'",
                                request.receipt.id.to_string())),
            1);
  EXPECT_EQ(h.count("SELECT count(*) FROM results WHERE specimen_id = 'SPECin-doubt'"), 2);
}

INSTANTIATE_TEST_SUITE_P(Store, CommitInDoubt,
                         ::testing::Values(Cut::AfterTheServerCommits, Cut::BeforeTheServerSeesIt),
                         [](const auto& info) {
                           return info.param == Cut::AfterTheServerCommits ? "CommitHappened"
                                                                           : "CommitDidNotHappen";
                         });

}  // namespace
}  // namespace hemalink::store
