// `hemalink outbox`: what operators see and change, on a real PostgreSQL.
#include "server/cli/outbox_command.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "server/lis/outbox.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/store_requests.hpp"

namespace hemalink::cli {
namespace {

struct Run {
  int status;
  std::string out;
  std::string err;
};

Run outbox(std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_outbox(args, out, err);
  return {status, out.str(), err.str()};
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
    return Result<lis::BuiltMessage, std::string>(
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
  EXPECT_EQ(outbox({}).status, 2);
  const auto bad = outbox({"--db", "x", "show"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("show needs a row ID"), std::string::npos);
  EXPECT_NE(outbox({"--db", "x", "list", "--status", "lost"}).err.find("--status: expected"),
            std::string::npos);
  EXPECT_NE(outbox({"--db", "x", "frobnicate"}).err.find("unknown action \"frobnicate\""),
            std::string::npos);
  EXPECT_EQ(outbox({"--help"}).status, 0);
}

}  // namespace
}  // namespace hemalink::cli
