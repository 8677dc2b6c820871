// The store against the private PostgreSQL: every corpus message through its driver, idempotent
// replay, duplicates, rejected messages, outbox rows, text PostgreSQL cannot hold, concurrent
// producers, and a spool left behind by a killed daemon.
#include "server/store/batch_writer.hpp"
#include "server/store/store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <future>

#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "protocols/common/hex.hpp"
#include "server/store/batch_rows.hpp"
#include "server/store/spool.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/store_requests.hpp"

namespace hemalink::store {

using records::LisRoutes;
using records::MessageContent;
using records::MessageStatus;
using records::Receipt;

namespace {

using testing::StoreHarness;

using testing::synthetic;

// What the store must answer: Duplicate for an accepted message whose analyzer sent the same
// bytes before (the corpus has captures that repeat a message), Stored otherwise.
std::vector<StoreOutcome> expected_outcomes(const std::vector<StoreRequest>& requests) {
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<StoreOutcome> outcomes;
  for (const auto& r : requests) {
    const bool accepted = r.content->status == MessageStatus::Accepted;
    const bool repeat = accepted && !seen.insert({r.receipt.analyzer, r.receipt.raw}).second;
    outcomes.push_back(repeat ? StoreOutcome::Duplicate : StoreOutcome::Stored);
  }
  return outcomes;
}

bool has_results(const StoreRequest& r, StoreOutcome outcome) {
  return r.content->status == MessageStatus::Accepted && outcome == StoreOutcome::Stored;
}

void expect_all(const std::vector<Completion>& done, StoreOutcome outcome) {
  for (std::size_t i = 0; i < done.size(); ++i) {
    EXPECT_EQ(done[i].outcome, outcome) << "request " << i << ": " << to_string(done[i].outcome)
                                        << " " << done[i].detail << done[i].failure.detail;
  }
}

std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i ? "," : "");
    out += values[i].find_first_of(",\" {}\\") == std::string::npos && !values[i].empty()
               ? values[i]
               : fmt::format("\"{}\"", values[i]);
  }
  return out + "}";
}

TEST(Store, EveryCorpusMessageIsStoredWithItsResultsAndOneDecisionEach) {
  HL_REQUIRE_POSTGRES();
  HL_REQUIRE_CORPUS();
  auto options = testing::test_store_options();
  options.writers = 1;  // one writer: rows come back in submission order
  StoreHarness h(options);
  auto reader = testing::reader_for_every_driver();
  std::vector<StoreRequest> requests;
  for (const auto& sub : {"astm", "hl7"}) {
    for (const auto& file : testing::corpus_files(sub)) {
      auto more = testing::requests_from_capture(file, *reader);
      ASSERT_FALSE(more.empty()) << file;
      for (auto& r : more)
        requests.push_back(std::move(r));
    }
  }
  const auto expected = expected_outcomes(requests);
  const auto done = h.store_all(requests);
  std::size_t result_count = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(done[i].outcome, expected[i])
        << i << ": " << done[i].detail << done[i].failure.detail;
    result_count +=
        has_results(requests[i], expected[i]) ? count_observations(*requests[i].content) : 0;
  }
  EXPECT_EQ(h.count("SELECT count(*) FROM messages"), static_cast<long long>(requests.size()));
  EXPECT_EQ(h.count("SELECT count(*) FROM messages WHERE status = 'duplicate'"),
            std::count(expected.begin(), expected.end(), StoreOutcome::Duplicate));
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), static_cast<long long>(result_count));
  EXPECT_EQ(h.count("SELECT count(*) FROM decisions"), h.count("SELECT count(*) FROM results"));
  EXPECT_EQ(h.count("SELECT count(*) FROM decisions WHERE decision = 'hold' AND decided_by = "
                    "'system:no-rules' AND is_current"),
            h.count("SELECT count(*) FROM results"));
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox"), 0) << "nothing released, nothing to send";

  // Every result, field by field, in order.
  const auto rows = h.query_rows(
      "SELECT specimen_id, code, raw_code, value, units, abnormal_flag, flags::text, status, "
      "coalesce(numeric_value::text, ''), message_id::text FROM results ORDER BY id");
  std::size_t at = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    if (!has_results(r, expected[i]))
      continue;
    for (const auto& set : r.content->result_sets) {
      for (const auto& o : set.observations) {
        ASSERT_LT(at, rows.size());
        const auto& row = rows[at++];
        EXPECT_EQ(row[0], storable(set.specimen_id));
        EXPECT_EQ(row[1], storable(o.code));
        EXPECT_EQ(row[2], storable(o.raw_code));
        EXPECT_EQ(row[3], storable(o.value));
        EXPECT_EQ(row[4], storable(o.units));
        EXPECT_EQ(row[5], storable(o.abnormal_flag));
        EXPECT_EQ(row[6], text_array(o.flags));
        EXPECT_EQ(row[7], model::to_string(o.status));
        if (o.numeric) {
          EXPECT_DOUBLE_EQ(std::stod(row[8]), *o.numeric) << o.code;
        } else {
          EXPECT_EQ(row[8], "");
        }
        EXPECT_EQ(row[9], r.receipt.id.to_string());
      }
    }
  }
  EXPECT_EQ(at, rows.size());

  // The raw bytes are kept exactly, and each message's status is the content's.
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    const auto id = r.receipt.id.to_string();
    EXPECT_EQ(h.query_value(fmt::format(
                  "SELECT encode(raw, 'hex') = encode('\\x{}'::bytea, 'hex') FROM messages "
                  "WHERE id = '{}'",
                  hex_encode(r.receipt.raw, HexCase::Lower), id)),
              "t")
        << id;
    EXPECT_EQ(h.query_value(fmt::format("SELECT status FROM messages WHERE id = '{}'", id)),
              expected[i] == StoreOutcome::Duplicate ? "duplicate" : to_string(r.content->status));
  }
}

TEST(Store, StoringTheSameMessagesAgainStoresThemOnce) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  std::vector<StoreRequest> requests;
  for (int i = 0; i < 20; ++i) {
    requests.push_back(synthetic("xn-1", std::to_string(i), 5));
  }
  expect_all(h.store_all(requests), StoreOutcome::Stored);
  expect_all(h.store_all(requests), StoreOutcome::AlreadyStored);
  // The same ID twice in one batch, too.
  auto again = std::vector<StoreRequest>{requests[0], requests[0]};
  expect_all(h.store_all(again), StoreOutcome::AlreadyStored);
  EXPECT_EQ(h.count("SELECT count(*) FROM messages"), 20);
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), 100);
  EXPECT_EQ(h.count("SELECT count(*) FROM decisions"), 100);
}

// A small batch is one statement with JSON rows, a large one COPY: both store the same rows.
TEST(BatchWriter, OneStatementAndCopyStoreTheSameRows) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h;
  const LisRoutes routes = {{"lis", {}}};
  BatchWriter writer(h.dsn(), routes);
  auto write = [&](const std::string& prefix, std::size_t count, std::size_t per_batch) {
    std::vector<StoreRequest> requests;
    for (std::size_t i = 0; i < count; ++i) {
      auto r = synthetic("xn-1", fmt::format("{}{}", prefix, i), 4);
      r.content->decisions[0][1].verdict = model::Verdict::Release;
      r.content->result_sets[0].observations[2].flags = {"W", "a\"b"};
      r.content->result_sets[0].observations[3].comments = {"tab\there", std::string("nul\0x", 5)};
      r.content->shadow_decisions = r.content->decisions;
      r.content->shadow_decisions[0][1].verdict =
          model::Verdict::Hold;  // shadow holds, live releases
      r.content->shadow_decisions[0][1].rule_set_version = "shadow-1";
      requests.push_back(std::move(r));
    }
    requests.push_back(requests.front());  // the same ID twice in a batch: stored once
    for (std::size_t at = 0; at < requests.size(); at += per_batch) {
      std::vector<const StoreRequest*> batch;
      for (std::size_t i = at; i < std::min(requests.size(), at + per_batch); ++i) {
        batch.push_back(&requests[i]);
      }
      auto written = writer.write(batch);
      ASSERT_TRUE(written) << written.error().detail;
    }
  };
  write("ONE", 10, 1);
  write("COPY", 10, 11);
  // Everything each message stored, its own tag taken out.
  const auto rows_of = [&](const std::string& prefix) {
    return h.query_rows(fmt::format(
        "SELECT m.status, replace(encode(m.raw, 'escape'), '{0}', ''), s.kind, s.patient_id = "
        "'P' || substr(s.specimen_id, 2), r.code, r.value, r.numeric_value, r.flags::text, "
        "r.comments::text, d.decision, d.reason, (SELECT count(*) FROM outbox o WHERE "
        "o.specimen_row_id = s.id AND r.id = ANY(o.result_ids)), sd.decision, sd.rule_set_version"
        " FROM messages m JOIN specimens s ON s.message_id = m.id JOIN results r"
        " ON r.specimen_row_id = s.id JOIN decisions d ON d.result_id = r.id"
        " JOIN shadow_decisions sd ON sd.result_id = r.id"
        " WHERE s.specimen_id LIKE 'S{0}%' ORDER BY s.specimen_id, r.code",
        prefix));
  };
  const auto one = rows_of("ONE");
  ASSERT_EQ(one.size(), 40U);
  EXPECT_EQ(one, rows_of("COPY"));
  EXPECT_EQ(one[1][9], "release");
  EXPECT_EQ(one[1][11], "1") << "released results go to the outbox";
  EXPECT_EQ(one[1][12], "hold") << "beside it, what the set in shadow would have done";
  EXPECT_EQ(one[1][13], "shadow-1");
  EXPECT_EQ(one[2][7], R"({W,"a\"b"})");
}

// A message handed over without its content is read by the writer; a reader that throws on one
// message (a bug) rejects that one only, kept raw with the reason.
TEST(Store, TheWriterReadsEachMessageAndOneThatCannotBeReadIsKeptRejected) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h(testing::test_store_options(), [](const Receipt& r) {
    if (r.raw.find("BOOM") != std::string::npos) {
      throw std::runtime_error("a driver bug");
    }
    MessageContent content;
    content.control_id = "C-" + r.raw.substr(r.raw.size() - 2, 1);
    return content;
  });
  std::vector<StoreRequest> requests;
  for (const auto* raw : {"MSH|^~\\&|1\r", "MSH|^~\\&|BOOM|2\r", "MSH|^~\\&|3\r"}) {
    requests.push_back(
        {testing::receipt("xn-1", "generic-hl7", model::WireProtocol::Hl7, raw), {}});
  }
  const auto done = h.store_all(requests);
  ASSERT_EQ(done.size(), 3U);
  for (const auto& c : done) {
    EXPECT_EQ(c.outcome, StoreOutcome::Stored);
    ASSERT_TRUE(c.content) << "what was read comes back with the completion";
    EXPECT_NE(c.read_at, Completion::Clock::time_point{});
    EXPECT_LE(c.read_at, c.committed_at);
  }
  EXPECT_EQ(done[0].content->status, MessageStatus::Accepted);
  EXPECT_EQ(done[1].content->status, MessageStatus::Rejected);
  EXPECT_EQ(done[1].content->reason, "could not be read: a driver bug");
  EXPECT_EQ(done[2].content->status, MessageStatus::Accepted);
  EXPECT_EQ(
      h.query_rows("SELECT status, coalesce(reject_reason, ''), control_id FROM messages "
                   "ORDER BY received_at"),
      (std::vector<std::vector<std::string>>{{"accepted", "", "C-1"},
                                             {"rejected", "could not be read: a driver bug", ""},
                                             {"accepted", "", "C-3"}}));
}

TEST(Store, TheConfiguredAnalyzersHaveTheirRowsBeforeTheirFirstMessage) {
  HL_REQUIRE_POSTGRES();
  auto options = testing::test_store_options();
  options.analyzers = {{"xn-9", "sysmex-xn"}, {"cs-9", "sysmex-cs"}};
  testing::StoreHarness h(options);
  EXPECT_TRUE(testing::wait_until(
      [&] { return h.count("SELECT count(*) FROM analyzers WHERE name IN ('xn-9', 'cs-9')") == 2; },
      std::chrono::seconds(10)))
      << "made when the writers connect, not by a message";
  EXPECT_EQ(h.query_value("SELECT driver FROM analyzers WHERE name = 'cs-9'"), "sysmex-cs");
}

TEST(Store, AnAnalyzerSendingTheSameBytesAgainIsKeptAsADuplicate) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  auto first = synthetic("xn-1", "A", 3);
  expect_all(h.store_all({first}), StoreOutcome::Stored);
  auto resent = first;
  resent.receipt.id = model::MessageId::generate();
  auto resent_twice_in_a_batch = resent;
  resent_twice_in_a_batch.receipt.id = model::MessageId::generate();
  const auto done = h.store_all({resent, resent_twice_in_a_batch});
  expect_all(done, StoreOutcome::Duplicate);
  EXPECT_EQ(h.count("SELECT count(*) FROM messages WHERE status = 'duplicate'"), 2);
  EXPECT_EQ(h.count(fmt::format("SELECT count(*) FROM messages WHERE id = '{}' AND duplicate_of "
                                "= '{}'",
                                resent.receipt.id.to_string(), first.receipt.id.to_string())),
            1);
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), 3) << "results stored once";
  // Another analyzer sending the same bytes is not a duplicate.
  auto other = first;
  other.receipt.id = model::MessageId::generate();
  other.receipt.analyzer = "xn-2";
  expect_all(h.store_all({other}), StoreOutcome::Stored);
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), 6);
}

TEST(Store, AnHl7MessageResentWithANewSendTimeIsADuplicateAndANewMessageIsNot) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  auto reader = testing::reader_for_every_driver();
  auto request = [&](const std::string& time, const std::string& value) {
    auto r = testing::receipt("generic-hl7", "generic-hl7", model::WireProtocol::Hl7,
                              "MSH|^~\\&|BC5380|LAB|LIS|HOSP|" + time +
                                  "||ORU^R01|C77|P|2.5\rPID|1||PAT1\rOBR|1||SPEC77\r"
                                  "OBX|1|NM|WBC||" +
                                  value + "|10*3/uL|||||F\r");
    return StoreRequest{r, reader->read(r)};
  };
  expect_all(h.store_all({request("20261122101500", "6.1")}), StoreOutcome::Stored);
  expect_all(h.store_all({request("20261122101531", "6.1")}), StoreOutcome::Duplicate);
  // The same control ID with other content is another message (an analyzer whose counter
  // restarted): stored, never dropped.
  expect_all(h.store_all({request("20261122101600", "7.4")}), StoreOutcome::Stored);
  EXPECT_EQ(h.count("SELECT count(*) FROM messages"), 3);
  EXPECT_EQ(h.query_value("SELECT string_agg(value, ',' ORDER BY id) FROM results"), "6.1,7.4");
}

TEST(Store, MalformedMessagesAreKeptRawWithTheReason) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  auto reader = testing::reader_for_every_driver();
  auto r = testing::receipt("generic-hl7", "generic-hl7", model::WireProtocol::Hl7,
                            "this is not HL7\rPID|1\r");
  StoreRequest request{r, reader->read(r)};
  ASSERT_EQ(request.content->status, MessageStatus::Rejected);
  expect_all(h.store_all({request}), StoreOutcome::Stored);
  const auto row = h.query_rows(
      fmt::format("SELECT status, reject_reason, convert_from(raw, 'UTF8') FROM messages WHERE "
                  "id = '{}'",
                  r.id.to_string()));
  ASSERT_EQ(row.size(), 1U);
  EXPECT_EQ(row[0][0], "rejected");
  EXPECT_EQ(row[0][1], request.content->reject_reason);
  EXPECT_FALSE(row[0][1].empty());
  EXPECT_EQ(row[0][2], r.raw);
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), 0);
}

TEST(Store, AnIncompleteMessageKeepsItsResultsHeldAndSendsNothing) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  auto release_all = [](model::ResultSet& set, const records::Receipt&,
                        const records::TestStatuses*) {
    model::Decision d;
    d.verdict = model::Verdict::Release;
    d.decided_by = "rules:test";
    return std::vector<model::Decision>(set.observations.size(), d);
  };
  auto reader = testing::reader_for_every_driver(release_all);
  auto r = testing::receipt("sysmex-xn", "sysmex-xn", model::WireProtocol::Astm,
                            "H|\\^&|||XN-550\rP|1\rO|1||^^SPEC-7^B\r"
                            "R|1|^^^^WBC^1|6.10|10*3/uL||N||F||||20261122101500\r");
  r.link_status = MessageStatus::Incomplete;
  r.link_reason = "ended without its L record: EOT";
  StoreRequest request{r, reader->read(r)};
  expect_all(h.store_all({request}), StoreOutcome::Stored);
  EXPECT_EQ(h.query_value("SELECT status || ': ' || reject_reason FROM messages"),
            "incomplete: ended without its L record: EOT");
  EXPECT_EQ(h.query_value("SELECT code FROM results"), "WBC");
  EXPECT_EQ(h.query_value("SELECT decision || ' by ' || decided_by FROM decisions"),
            "hold by system:incomplete-message");
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox"), 0);
}

TEST(Store, ReleasedPatientResultsGoToTheOutboxAndQualityControlNever) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  auto patient = synthetic("xn-1", "P", 3);
  patient.content->decisions[0][0].verdict = model::Verdict::Release;
  patient.content->decisions[0][2].verdict = model::Verdict::Release;
  auto qc = synthetic("xn-1", "Q", 2, model::SpecimenKind::QualityControl);
  qc.content->decisions[0][0].verdict = model::Verdict::Release;
  auto held = synthetic("xn-1", "H", 2);
  expect_all(h.store_all({patient, qc, held}), StoreOutcome::Stored);
  const auto outbox = h.query_rows(
      "SELECT s.specimen_id, array(SELECT r.code FROM results r WHERE r.id = ANY(o.result_ids) "
      "ORDER BY r.code)::text, o.status FROM outbox o JOIN specimens s ON s.id = "
      "o.specimen_row_id");
  ASSERT_EQ(outbox.size(), 1U);
  EXPECT_EQ(outbox[0][0], "SP");
  EXPECT_EQ(outbox[0][1], "{T0,T2}");
  EXPECT_EQ(outbox[0][2], "pending");
  EXPECT_EQ(h.count("SELECT count(*) FROM results WHERE is_qc"), 2);
  EXPECT_EQ(h.count("SELECT count(*) FROM decisions WHERE decision = 'release'"), 3);
}

TEST(Store, TextPostgresCannotHoldIsStoredReadablyAndRawKeepsEveryByte) {
  HL_REQUIRE_POSTGRES();
  StoreHarness h;
  auto r = synthetic("xn-1", "T", 1);
  auto& o = r.content->result_sets[0].observations[0];
  o.value = std::string("a\0b\tc\\d\ne\xB5", 10);
  o.flags = {"W", "a\"b", "c,d", "{x}", ""};
  o.comments = {"line 1\nline 2"};
  r.content->result_sets[0].comments = {std::string("nul\0here", 8)};
  r.receipt.raw = std::string("MSH|\0\xFF\r", 7);
  expect_all(h.store_all({r}), StoreOutcome::Stored);
  EXPECT_EQ(h.query_value("SELECT value FROM results"), storable(o.value));
  EXPECT_EQ(h.query_value("SELECT flags[2] || '|' || flags[3] || '|' || flags[4] || '|' || "
                          "flags[5] FROM results"),
            "a\"b|c,d|{x}|");
  EXPECT_EQ(h.query_value("SELECT comments[1] FROM results"), "line 1\nline 2");
  EXPECT_EQ(h.query_value("SELECT comments->>0 FROM specimens"),
            storable(std::string_view("nul\0here", 8)));
  EXPECT_EQ(h.query_value("SELECT encode(raw, 'hex') FROM messages"), "4d53487c00ff0d");
}

TEST(Store, ConcurrentProducersLoseNothingAndDuplicateNothing) {
  HL_REQUIRE_POSTGRES();
  auto options = testing::test_store_options();
  options.writers = 2;
  options.max_batch_messages = 64;
  StoreHarness h(options);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  constexpr std::size_t kResults = 12;
  std::vector<std::vector<StoreRequest>> work(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      work[t].push_back(
          synthetic(fmt::format("an-{}", t % 5), fmt::format("{}-{}", t, i), kResults));
    }
  }
  std::vector<std::vector<Completion>> done(kThreads);
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] { done[t] = h.store_all(work[t]); });
  }
  for (auto& p : producers)
    p.join();
  for (const auto& d : done)
    expect_all(d, StoreOutcome::Stored);
  const long long messages = kThreads * kPerThread;
  EXPECT_EQ(h.count("SELECT count(*) FROM messages"), messages);
  EXPECT_EQ(h.count("SELECT count(DISTINCT id) FROM messages"), messages);
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), messages * static_cast<long long>(kResults));
  EXPECT_EQ(h.count("SELECT count(*) FROM (SELECT message_id, code FROM results GROUP BY 1, 2 "
                    "HAVING count(*) > 1) d"),
            0);
  EXPECT_EQ(h.count("SELECT count(*) FROM specimens"), messages);
  EXPECT_EQ(h.count("SELECT count(*) FROM analyzers"), 5);
  // Each analyzer's messages were stored in the order they were received (one writer each).
  // (A producer's messages of one analyzer: received in order, committed in order.)
  EXPECT_EQ(h.count("SELECT count(*) FROM (SELECT stored_at, lag(stored_at) OVER (PARTITION BY "
                    "analyzer_id, split_part(split_part(convert_from(raw, 'UTF8'), '|', 3), "
                    "'-', 1) ORDER BY received_at) AS before FROM messages) m "
                    "WHERE before > stored_at"),
            0);
}

TEST(Store, ACommitSlowerThanTheBudgetIsSpooledAndAcknowledgedStoredOnce) {
  HL_REQUIRE_POSTGRES();
  auto options = testing::test_store_options();
  options.writers = 1;
  // The budget runs out only when the test says so (spool_overdue_for_test): the watchdog,
  // checking every tenth of an hour, never sees it on its own, however slow the machine.
  options.ack_budget = std::chrono::hours(1);
  StoreHarness h(options);
  expect_all(h.store_all({synthetic("xn-1", "warm-up", 2)}), StoreOutcome::Stored);
  // Another session holds the messages table: the next commit cannot finish.
  pqxx::connection blocker(h.dsn());
  pqxx::work lock(blocker);
  lock.exec("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE");
  const auto slow = synthetic("xn-1", "slow", 3);
  std::promise<Completion> completed;
  ASSERT_TRUE(h.store().submit(slow, [&](const Completion& c) { completed.set_value(c); }));
  // The writer has it in a commit, waiting for the lock.
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return h.count(
                   "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                   "AND datname = current_database()") > 0;
      },
      std::chrono::seconds(30)));
  h.store().spool_overdue_for_test(std::chrono::steady_clock::now() + std::chrono::hours(2));
  EXPECT_EQ(completed.get_future().get().outcome, StoreOutcome::Spooled);
  EXPECT_EQ(h.store().health().spooled_over_budget, 1u);
  lock.abort();  // the held commit goes through; the replay finds it stored
  ASSERT_TRUE(testing::wait_until(
      [&] {
        const auto health = h.store().health();
        return health.spooled_pending == 0 && !health.is_degraded;
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(h.count(fmt::format("SELECT count(*) FROM messages WHERE id = '{}'",
                                slow.receipt.id.to_string())),
            1);
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), 5);
}

TEST(Store, ASpoolLeftByAKilledDaemonIsReplayedAtStart) {
  HL_REQUIRE_POSTGRES();
  auto reader = testing::reader_for_every_driver();
  auto options = testing::test_store_options();
  options.writers = 1;
  StoreHarness h(options, [reader](const Receipt& r) { return reader->read(r); });
  h.stop_store();
  std::vector<Receipt> receipts;
  for (int i = 0; i < 30; ++i) {
    receipts.push_back(testing::receipt(
        "generic-hl7", "generic-hl7", model::WireProtocol::Hl7,
        fmt::format("MSH|^~\\&|LAB|A|LIS|B|20261122||ORU^R01|C{}|P|2.5\r"
                    "PID|1||PAT{}\rOBR|1||SPEC{}\rOBX|1|NM|WBC||{}.1|10*3/uL|||||F\r",
                    i, i, i, i)));
  }
  {
    auto spool = Spool::open(h.spool_dir() / "spool-0.hls");
    ASSERT_TRUE(spool);
    std::vector<const Receipt*> pointers;
    for (const auto& r : receipts)
      pointers.push_back(&r);
    ASSERT_TRUE(spool->append(pointers));
  }
  // A spool from a run with more writers is replayed too.
  {
    auto spool = Spool::open(h.spool_dir() / "spool-3.hls");
    ASSERT_TRUE(spool);
    const Receipt* first = &receipts[0];  // already in spool-0: stored once all the same
    ASSERT_TRUE(spool->append(std::span(&first, 1)));
  }
  h.start_store();
  ASSERT_TRUE(testing::wait_until(
      [&] {
        const auto health = h.store().health();
        return health.spooled_pending == 0 && !health.is_degraded;
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(h.count("SELECT count(*) FROM messages"), 30);
  EXPECT_EQ(h.count("SELECT count(*) FROM results WHERE code = 'WBC'"), 30);
  EXPECT_EQ(std::filesystem::file_size(h.spool_dir() / "spool-0.hls"), 0U);
  EXPECT_FALSE(std::filesystem::exists(h.spool_dir() / "spool-3.hls"));
  for (const auto& r : receipts) {
    EXPECT_EQ(
        h.count(fmt::format("SELECT count(*) FROM messages WHERE id = '{}'", r.id.to_string())), 1);
  }
}

}  // namespace
}  // namespace hemalink::store
