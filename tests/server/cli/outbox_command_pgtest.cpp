// `hemalink outbox`: what operators see and change, on a real PostgreSQL.
#include <gtest/gtest.h>

#include <sstream>

#include "server/lis/outbox.hpp"
#include "tests/support/command_runs.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/store_requests.hpp"

namespace hemalink::cli {
namespace {

testing::CommandRun outbox(const std::vector<std::string>& args) {
  return testing::run_command_line("outbox", args);
}

void store_released(testing::StoreHarness& h, const std::string& tag) {
  auto r = testing::synthetic("xn-1", tag, 2);
  for (auto& d : r.content->decisions[0]) {
    d.verdict = model::Verdict::Release;
  }
  h.store_all({r});
}

TEST(OutboxCommand, ListShowsTheRowsAndWhatWaitsPerDestination) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h;
  store_released(h, "A");
  store_released(h, "B");
  const auto run = outbox({"--db", h.dsn(), "list"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("lis: 2 pending"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("SA"), std::string::npos);
  EXPECT_NE(run.out.find("SB"), std::string::npos);
  const auto sent_only = outbox({"--db", h.dsn(), "list", "--status", "sent"});
  EXPECT_EQ(sent_only.out.find("SA"), std::string::npos);
}

TEST(OutboxCommand, ShowPrintsTheRowAndItsMessageOnceBuilt) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h;
  store_released(h, "A");
  const auto id = h.query_value("SELECT id FROM outbox");
  auto before = outbox({"--db", h.dsn(), "show", id});
  EXPECT_EQ(before.status, 0) << before.err;
  EXPECT_NE(before.out.find("status: pending"), std::string::npos);
  EXPECT_NE(before.out.find("(not built yet"), std::string::npos);
  lis::OutboxSender sender(h.dsn(), "lis", "hl7", "test");
  auto rows = sender.claim(8, [](const lis::OutboxContent& c) {
    return Result<lis::BuiltMessage, Error>(
        lis::BuiltMessage{"HL" + std::to_string(c.outbox_id), "MSH|^~\\&|x\rOBX|1\r"});
  });
  ASSERT_TRUE(rows && rows->size() == 1);
  ASSERT_TRUE(sender.failed((*rows)[0], {"no ACK within 100 ms", std::chrono::hours(1), 5}));
  const auto after = outbox({"--db", h.dsn(), "show", id});
  EXPECT_NE(after.out.find("last error: no ACK within 100 ms"), std::string::npos) << after.out;
  EXPECT_NE(after.out.find("control ID: HL" + id), std::string::npos);
  EXPECT_NE(after.out.find("MSH|^~\\&|x\nOBX|1"), std::string::npos) << "segments one per line";
  EXPECT_EQ(outbox({"--db", h.dsn(), "show", "999999"}).status, 2);
}

TEST(OutboxCommand, ResendAndRetryDeadChangeRowsAndAuditThem) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h;
  store_released(h, "A");
  store_released(h, "B");
  h.execute("UPDATE outbox SET status = 'dead', last_error = 'refused'");
  const auto revived = outbox({"--db", h.dsn(), "retry-dead", "--destination", "lis"});
  EXPECT_EQ(revived.status, 0) << revived.err;
  EXPECT_NE(revived.out.find("2 dead row(s) pending again"), std::string::npos);
  const auto id = h.query_value("SELECT min(id) FROM outbox");
  const auto refused = outbox({"--db", h.dsn(), "resend", id});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("is pending already"), std::string::npos);
  h.execute("UPDATE outbox SET status = 'sent' WHERE id = " + id);
  EXPECT_EQ(outbox({"--db", h.dsn(), "resend", id}).status, 0);
  EXPECT_EQ(
      h.count("SELECT count(*) FROM audit_log WHERE entity = 'outbox' AND actor LIKE 'user:%'"), 3);
}

TEST(OutboxCommand, UsageErrorsExit2AndSayWhy) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{"--db", "x"}, "outbox: a subcommand is required: list, show, resend, retry-dead"},
      {{"--db", "x", "show"}, "outbox show: ID is required"},
      {{"--db", "x", "resend", "0"}, "outbox resend: ID: expected a whole number from 1"},
      {{"--db", "x", "list", "--status", "lost"}, "outbox list: --status: lost not in"},
      {{"--db", "x", "list", "--limit", "0"}, "outbox list: --limit: expected a whole number"},
      {{"--db", "x", "frobnicate"}, "outbox: The following argument was not expected: frobnicate"},
  };
  for (const auto& [args, complaint] : refused) {
    const auto run = outbox(args);
    EXPECT_EQ(run.status, 2) << complaint;
    EXPECT_NE(run.err.find("hemalink " + complaint), std::string::npos) << run.err;
  }
  EXPECT_EQ(outbox({"--help"}).status, 0);
}

}  // namespace
}  // namespace hemalink::cli
