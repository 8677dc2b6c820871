// The outbox as the LIS senders use it, against the private PostgreSQL: claims in order per
// specimen, two senders never holding one row, a dead sender's rows taken over with their
// message, back-off and dead rows, delivery kept in messages, corrections, releases by a
// technologist, the operators' resend and retry-dead, and notifications of new rows.
#include "server/lis/outbox.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <mutex>

#include "server/lis/errc.hpp"
#include "server/lis/outbox_watch.hpp"
#include "server/lis/postgres_outbox_admin.hpp"
#include "server/review/result_release.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/store_requests.hpp"

namespace hemalink::lis {

using records::LisRoutes;

namespace {

using namespace std::chrono_literals;
using testing::StoreHarness;

// A message of specimen `specimen` whose results are all released.
store::StoreRequest released(const std::string& tag, const std::string& specimen,
                             std::size_t results, std::size_t first_code = 0) {
  auto r = testing::synthetic("xn-1", tag, results);
  r.content->result_sets[0].specimen_id = specimen;
  for (std::size_t i = 0; i < results; ++i) {
    r.content->result_sets[0].observations[i].code = "T" + std::to_string(first_code + i);
    r.content->decisions[0][i].verdict = model::Verdict::Release;
  }
  return r;
}

// Builds what the test can check: the control ID from the row, the payload from its content.
Result<BuiltMessage, Error> simple_build(const OutboxContent& c) {
  std::string payload = c.specimen.specimen_id;
  for (const auto& r : c.results) {
    payload += "|" + r.code + (r.is_correction ? "(C)" : "");
  }
  return BuiltMessage{"HL" + std::to_string(c.outbox_id), payload};
}

std::vector<std::string> specimens_of(const std::vector<ClaimedRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) {
    out.push_back(r.specimen_id);
  }
  return out;
}

OutboxSender sender(const StoreHarness& h, const std::string& node) {
  return OutboxSender(h.dsn(), "lis", "hl7", node);
}

Delivery delivery_of(const ClaimedRow& row) {
  const auto now = std::chrono::system_clock::now();
  return {row.payload, "MSH|^~\\&|LIS\rMSA|AA|" + row.control_id + "\r", "127.0.0.1:5100", now,
          now};
}

TEST(Outbox, RowsOfOneSpecimenAreClaimedInTheOrderTheyWereWritten) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  h.store_all({released("1", "SA", 2), released("2", "SA", 1), released("3", "SB", 1)});
  auto a = sender(h, "node-a");
  auto first = a.claim(16, simple_build);
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(specimens_of(*first), (std::vector<std::string>{"SA", "SB"}))
      << "SA's second row waits while its first is in flight";
  EXPECT_EQ((*first)[0].control_id, "HL" + std::to_string((*first)[0].id));
  EXPECT_EQ((*first)[0].payload, "SA|T0|T1");
  ASSERT_TRUE(a.delivered((*first)[0], delivery_of((*first)[0])));
  auto next = a.claim(16, simple_build);
  ASSERT_TRUE(next);
  EXPECT_EQ(specimens_of(*next), (std::vector<std::string>{"SA"}));
  EXPECT_GT((*next)[0].id, (*first)[0].id);
}

TEST(Outbox, TwoSendersNeverHoldOneRowAndADeadSendersRowIsTakenOverWithItsMessage) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  h.store_all({released("1", "SA", 1), released("2", "SA", 1), released("3", "SB", 1)});
  auto a = sender(h, "node-a");
  auto b = sender(h, "node-b");
  auto held_by_a = a.claim(1, simple_build);
  ASSERT_TRUE(held_by_a);
  ASSERT_EQ(specimens_of(*held_by_a), (std::vector<std::string>{"SA"}));
  auto held_by_b = b.claim(16, simple_build);
  ASSERT_TRUE(held_by_b);
  EXPECT_EQ(specimens_of(*held_by_b), (std::vector<std::string>{"SB"}))
      << "A's row is held, and SA's next row waits behind it";
  b.release(*held_by_b);

  a.disconnect();  // what a kill -9 of node A does to its session and its advisory locks
  // The server ends A's session (and frees its locks) a moment after the socket closes: B, like
  // a node, claims again until it has A's row.
  std::optional<std::vector<ClaimedRow>> taken_over;
  ASSERT_TRUE(testing::wait_until(
      [&] {
        auto claimed = b.claim(16, simple_build);
        if (claimed && claimed->size() == 2U) {
          taken_over = std::move(*claimed);
          return true;
        }
        if (claimed) {
          b.release(*claimed);
        }
        return false;
      },
      10s));
  EXPECT_EQ((*taken_over)[0].id, (*held_by_a)[0].id);
  EXPECT_EQ((*taken_over)[0].control_id, (*held_by_a)[0].control_id);
  EXPECT_EQ((*taken_over)[0].payload, (*held_by_a)[0].payload) << "the message built once is kept";
  EXPECT_EQ(h.query_value(
                fmt::format("SELECT claimed_by FROM outbox WHERE id = {}", (*taken_over)[0].id)),
            "node-b");
}

TEST(Outbox, FailedAttemptsBackOffAndTheRowDiesAtMaxAttempts) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  h.store_all({released("1", "SA", 1)});
  auto a = sender(h, "node-a");
  auto rows = a.claim(16, simple_build);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1U);
  auto dead = a.failed((*rows)[0], {"no ACK within 100 ms", 1h, 2});
  ASSERT_TRUE(dead);
  EXPECT_FALSE(*dead);
  EXPECT_TRUE(a.claim(16, simple_build)->empty()) << "backing off for an hour";
  const auto wait = a.until_next_due(10min);
  EXPECT_EQ(wait, 10min) << "due in an hour: at most the limit";

  h.execute("UPDATE outbox SET next_attempt_at = now()");  // the hour has passed
  rows = a.claim(16, simple_build);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1U);
  EXPECT_EQ((*rows)[0].attempts, 1);
  dead = a.failed((*rows)[0], {"the LIS answered AE: unknown test", 0ms, 2});
  ASSERT_TRUE(dead);
  EXPECT_TRUE(*dead);
  EXPECT_EQ(h.query_value("SELECT status || ' ' || attempts || ' ' || last_error FROM outbox"),
            "dead 2 the LIS answered AE: unknown test");
}

TEST(Outbox, ADeliveredRowKeepsTheMessageAndTheAcknowledgement) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  h.store_all({released("1", "SA", 1)});
  auto a = sender(h, "node-a");
  auto rows = a.claim(16, simple_build);
  ASSERT_TRUE(rows);
  ASSERT_TRUE(a.delivered((*rows)[0], delivery_of((*rows)[0])));
  EXPECT_EQ(h.query_value("SELECT status || ' ' || attempts FROM outbox"), "sent 1");
  const auto kept = h.query_rows(
      "SELECT direction, destination, protocol, control_id, convert_from(raw, 'UTF8'),"
      " analyzer_id IS NULL, outbox_id = (SELECT id FROM outbox) FROM messages"
      " WHERE destination IS NOT NULL ORDER BY direction DESC");
  ASSERT_EQ(kept.size(), 2U);
  EXPECT_EQ(kept[0], (std::vector<std::string>{"out", "lis", "hl7", (*rows)[0].control_id, "SA|T0",
                                               "t", "t"}));
  EXPECT_EQ(kept[1][0], "in");
  EXPECT_EQ(kept[1][4], "MSH|^~\\&|LIS\rMSA|AA|" + (*rows)[0].control_id + "\r");
}

TEST(Outbox, ARowThatCannotBeBuiltIsDeadWithTheReason) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  h.store_all({released("1", "SA", 1), released("2", "SB", 1)});
  auto a = sender(h, "node-a");
  auto rows = a.claim(16, [](const OutboxContent& c) -> Result<BuiltMessage, Error> {
    if (c.specimen.specimen_id == "SA") {
      return Error{Errc::Unconvertible, "result 1 (T0): reference range \"x\" is not LOW-HIGH"};
    }
    return simple_build(c);
  });
  ASSERT_TRUE(rows);
  EXPECT_EQ(specimens_of(*rows), (std::vector<std::string>{"SB"}));
  EXPECT_EQ(
      h.query_value("SELECT status || ': ' || last_error FROM outbox WHERE specimen_id = 'SA'"),
      "dead: the message cannot be built: result 1 (T0): reference range \"x\" is not "
      "LOW-HIGH");
}

TEST(Outbox, TestsTheLisAlreadyHasForTheSpecimenGoAsCorrections) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  h.store_all({released("1", "SA", 2)});
  auto a = sender(h, "node-a");
  auto first = a.claim(16, simple_build);
  ASSERT_TRUE(first);
  ASSERT_TRUE(a.delivered((*first)[0], delivery_of((*first)[0])));
  h.store_all({released("2", "SA", 2, 1)});  // a rerun: T1 again, and T2 new
  auto rerun = a.claim(16, simple_build);
  ASSERT_TRUE(rerun);
  ASSERT_EQ(rerun->size(), 1U);
  EXPECT_EQ((*rerun)[0].payload, "SA|T1(C)|T2");
  EXPECT_EQ((*rerun)[0].corrects.size(), 1U);
  ASSERT_TRUE(a.delivered((*rerun)[0], delivery_of((*rerun)[0])));
  EXPECT_EQ(h.count("SELECT cardinality(corrects) FROM outbox WHERE id = " +
                    std::to_string((*rerun)[0].id)),
            1)
      << "kept with the row";
}

TEST(Outbox, ReleasingHeldResultsQueuesThemOnceAndAuditsIt) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  h.store_all({testing::synthetic("xn-1", "H", 3)});
  ASSERT_EQ(h.count("SELECT count(*) FROM outbox"), 0) << "held results are not sent";
  const auto ids = h.query_rows("SELECT id FROM results ORDER BY id LIMIT 2");
  const LisRoutes routes = {{"lis", {}}, {"other-lis", {"cs-1"}}};
  auto done = review::release_results(
      h.dsn(), routes, {{std::stoll(ids[0][0]), std::stoll(ids[1][0])}, "user:ana", "ok"});
  ASSERT_TRUE(done) << done.error().detail;
  EXPECT_EQ(done->size(), 2U);
  EXPECT_EQ(h.query_value("SELECT destination || ' ' || specimen_id || ' ' || "
                          "cardinality(result_ids) FROM outbox"),
            "lis SH 2")
      << "one row for the destination that takes xn-1, none for the one that does not";
  EXPECT_EQ(h.count("SELECT count(*) FROM decisions WHERE is_current AND decision = 'release'"
                    " AND decided_by = 'user:ana' AND reason = 'ok'"),
            2);
  EXPECT_EQ(h.count("SELECT count(*) FROM decisions WHERE NOT is_current AND decision = 'hold'"),
            2);
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE action = 'release' AND actor = "
                    "'user:ana' AND before->>'decision' = 'hold'"),
            2);
  auto again =
      review::release_results(h.dsn(), routes, {{std::stoll(ids[0][0])}, "user:ana", "twice"});
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty()) << "released already: nothing to do";
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox"), 1);
}

TEST(Outbox, OperatorsResendAndRetryDeadRowsWithAnAuditTrail) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  h.store_all({released("1", "SA", 1), released("2", "SB", 1)});
  h.execute("UPDATE outbox SET status = 'dead', attempts = 10, last_error = 'refused'");
  const PostgresOutboxAdmin admin(h.dsn());
  auto depths = admin.depths();
  ASSERT_TRUE(depths);
  ASSERT_EQ(depths->size(), 1U);
  EXPECT_EQ((*depths)[0].dead, 2);
  auto revived = admin.retry_dead(std::string("lis"), "user:op");
  ASSERT_TRUE(revived) << revived.error().detail;
  EXPECT_EQ(*revived, 2);
  EXPECT_EQ(h.query_value("SELECT string_agg(status || attempts, ',') FROM outbox"),
            "pending0,pending0");
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE action = 'retry_dead' AND "
                    "before->>'status' = 'dead' AND after->>'status' = 'pending'"),
            2);
  const auto id = std::stoll(h.query_value("SELECT min(id) FROM outbox"));
  auto refused = admin.resend(id, "user:op");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, store::StoreErrc::Conflict);
  EXPECT_NE(refused.error().detail.find("is pending already"), std::string::npos);

  auto a = sender(h, "node-a");
  auto rows = a.claim(16, simple_build);
  ASSERT_TRUE(rows);
  ASSERT_TRUE(a.delivered((*rows)[0], delivery_of((*rows)[0])));
  ASSERT_TRUE(admin.resend((*rows)[0].id, "user:op"));
  auto shown = admin.show((*rows)[0].id);
  ASSERT_TRUE(shown && *shown);
  EXPECT_EQ((*shown)->status, "pending");
  EXPECT_EQ((*shown)->control_id, (*rows)[0].control_id) << "the same control ID goes again";
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE action = 'resend'"), 1);
}

TEST(Outbox, TheApisListingIsTheRowsWithoutTheirPayloadsNewestFirstFiltered) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  h.store_all({released("1", "SA", 1), released("2", "SB", 1)});
  h.execute("UPDATE outbox SET status = 'dead' WHERE specimen_id = 'SA'");
  const PostgresOutboxAdmin admin(h.dsn());
  const auto all = admin.list_json({});
  ASSERT_TRUE(all) << all.error().detail;
  const auto rows = nlohmann::json::parse(*all);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["specimen_id"], "SB") << "newest first";
  EXPECT_EQ(rows[0]["destination"], "lis");
  EXPECT_FALSE(rows[0].contains("payload"));
  const auto dead = nlohmann::json::parse(admin.list_json({std::nullopt, "dead", 10}).value());
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0]["specimen_id"], "SA");
  EXPECT_EQ(admin.list_json({"elsewhere", std::nullopt, 10}).value(), "[]");
}

TEST(Outbox, NewRowsAreNotifiedWithTheirDestination) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  std::mutex mutex;
  std::vector<std::string> heard;
  OutboxWatch watch(h.dsn(), [&](const std::string& destination) {
    std::lock_guard lock(mutex);
    heard.push_back(destination);
  });
  ASSERT_TRUE(testing::wait_until(
      [&] {
        std::lock_guard lock(mutex);
        return !heard.empty();
      },
      10s))
      << "it says it listens (an empty destination: look at every one)";
  h.store_all({released("1", "SA", 1)});
  const auto hears = [&](const std::string& destination) {
    return testing::wait_until(
        [&] {
          std::lock_guard lock(mutex);
          return std::find(heard.begin(), heard.end(), destination) != heard.end();
        },
        10s);
  };
  EXPECT_TRUE(hears("lis")) << "the store's writer announces its rows after the commit";
  // Any other writer of outbox rows is announced by the trigger, within its own commit.
  h.execute(
      "INSERT INTO outbox (destination, specimen_row_id, specimen_id, result_ids) "
      "SELECT 'lis-2', specimen_row_id, specimen_id, result_ids FROM outbox LIMIT 1");
  EXPECT_TRUE(hears("lis-2"));
}

}  // namespace
}  // namespace hemalink::lis
