// Results reach the LIS: the daemon on a private PostgreSQL, lis-sim on 127.0.0.1, real
// sockets. Every corpus family field by field, an ASTM LIS, held results released later, reruns
// as corrections, a LIS down for a while, refusals, silence, late ACKs, dead rows and
// retry-dead.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "server/cli/capture_messages.hpp"
#include "server/lis/postgres_outbox_admin.hpp"
#include "server/review/result_release.hpp"
#include "server/simulate/generated_messages.hpp"
#include "server/simulate/simulation.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/lis_sim_runner.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/store_harness.hpp"

namespace hemalink::daemon {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;

constexpr auto kDeliveryLimit = std::chrono::seconds(60);

lis::LisDestination lis_at(std::uint16_t port, WireProtocol protocol = WireProtocol::Hl7) {
  lis::LisDestination d;
  d.name = "lis";
  d.protocol = protocol;
  d.transport = config::TcpClientTransport{"127.0.0.1", port, 100ms, 400ms, std::nullopt};
  d.ack_timeout = 1000ms;
  d.max_attempts = 10;
  d.backoff_min = 100ms;
  d.backoff_max = 400ms;
  return d;
}

// Every patient result released: the rules are not what these tests are about.
std::filesystem::path release_everything(const testing::TempDir& dir) {
  const auto file = dir / "release-all.json";
  std::ofstream(file) << R"({"version": "release-all-test", "rules": [
      {"id": "release-all", "applies_to": ["*"], "when": "not is_qc", "action": "release"}]})";
  return file;
}

daemon::DaemonConfig lab(const lis::LisDestination& lis, const std::filesystem::path& rules) {
  daemon::DaemonConfig c;
  c.analyzers.push_back(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
  c.analyzers.push_back(testing::tcp_analyzer("hl7-1", "generic-hl7", WireProtocol::Hl7));
  if (!rules.empty()) {
    c.rules.files = {rules};
  }
  c.lis.push_back(lis);
  return c;
}

// A Sysmex XN CBC of `specimen` (ASTM records) with three results.
std::string cbc(const std::string& specimen, double wbc) {
  return fmt::format(
      "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
      "P|1|||P-{}|^Doe^Jane||19720101|F\r"
      "O|1||^^        {}^B|^^^^WBC\\^^^^HGB|||||||N||||||||||||||F\r"
      "R|1|^^^^WBC^1|{:.2f}|10*3/uL||N||F||||20261122101500\r"
      "R|2|^^^^HGB^1|13.4|g/dL||N||F||||20261122101500\r"
      "R|3|^^^^PLT^1|250|10*3/uL||N||F||||20261122101500\r"
      "L|1|N\r",
      specimen, specimen, wbc);
}

void send(testing::DaemonHarness& h, const std::string& analyzer, WireProtocol protocol,
          std::vector<std::string> messages) {
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = protocol;
  plan.targets = {{"127.0.0.1", h.port(analyzer)}};
  plan.messages = std::move(messages);
  plan.timeout = 60s;
  const auto report = simulate::run_simulation(plan);
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const auto& r = report.results[i];
    // A host's ACK in the corpus is stored and, being an acknowledgement, not answered; so is a
    // message whose MSH-15/16 ask for no answer on success (the host's RSP^K11: ER/NE).
    const bool is_unanswered =
        protocol == WireProtocol::Hl7 && simulate::expects_no_answer(plan.messages[i]);
    ASSERT_EQ(r.answer, is_unanswered ? simulate::Answer::Written : simulate::Answer::Acknowledged)
        << r.detail;
  }
}

bool nothing_pending(const testing::DaemonHarness& h) {
  return testing::wait_until(
      [&] { return h.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0; },
      kDeliveryLimit);
}

std::map<std::string, simulate::LisSimMessage> by_control_id(const testing::LisSimRunner& lis) {
  std::map<std::string, simulate::LisSimMessage> out;
  for (const auto& m : lis.ledger().messages()) {
    out.emplace(m.control_id, m);  // the first time each came
  }
  return out;
}

// What the LIS must have received for each sent row, from the database: control ID, specimen,
// and per result the code (LOINC, else canonical), the value (SN as comparator^number) and the
// status (C for a correction).
struct ExpectedMessage {
  std::string specimen;
  std::vector<std::string> codes;
  std::vector<std::string> values;
  std::vector<std::string> statuses;
};

std::map<std::string, ExpectedMessage> expected_messages(const testing::DaemonHarness& h) {
  std::map<std::string, ExpectedMessage> out;
  for (const auto& row : h.query_rows(
           "SELECT o.control_id, o.specimen_id,"
           " CASE WHEN r.loinc <> '' THEN r.loinc ELSE r.code END,"
           " CASE WHEN r.comparator <> '' AND r.numeric_value IS NOT NULL"
           "   THEN r.comparator || '^' || ltrim(substr(r.value, length(r.comparator) + 1))"
           "   ELSE r.value END,"
           " CASE WHEN r.status = 'cannot_report' THEN 'X'"
           "   WHEN r.id = ANY (o.corrects) OR r.status = 'corrected' THEN 'C'"
           "   WHEN r.status = 'preliminary' THEN 'P' ELSE 'F' END"
           " FROM outbox o JOIN results r ON r.id = ANY (o.result_ids)"
           " WHERE o.status = 'sent' ORDER BY o.id, r.id")) {
    auto& m = out[row[0]];
    m.specimen = row[1];
    m.codes.push_back(row[2]);
    m.values.push_back(row[3]);
    m.statuses.push_back(row[4]);
  }
  return out;
}

void expect_received_as_stored(const testing::DaemonHarness& h, const testing::LisSimRunner& lis) {
  const auto received = by_control_id(lis);
  const auto expected = expected_messages(h);
  EXPECT_EQ(received.size(), expected.size());
  for (const auto& [control_id, e] : expected) {
    auto it = received.find(control_id);
    ASSERT_NE(it, received.end()) << control_id << " never reached the LIS";
    const auto& r = it->second;
    EXPECT_EQ(r.error, "") << control_id;
    EXPECT_EQ(r.specimen_id, e.specimen) << control_id;
    EXPECT_EQ(r.codes, e.codes) << control_id;
    EXPECT_EQ(r.values, e.values) << control_id;
    EXPECT_EQ(r.statuses, e.statuses) << control_id;
  }
}

// Corpus files by family: the messages of each, as its analyzer sends them.
struct Family {
  std::string analyzer;
  std::string driver;
  WireProtocol protocol;
  std::vector<std::string> messages;
};

std::vector<Family> corpus_families() {
  std::vector<Family> out;
  for (const auto* sub : {"astm", "hl7"}) {
    for (const auto& file : testing::corpus_files(sub)) {
      std::vector<std::string> warnings;
      auto captured = cli::read_messages(testing::read_file(file), {}, warnings);
      if (!captured) {
        continue;
      }
      Family f{file.stem().string(), testing::corpus_driver(file), captured->protocol, {}};
      for (const auto& m : captured->astm) {
        f.messages.push_back(simulate::with_cr_records(m.message.text()));
      }
      for (const auto& m : captured->hl7) {
        f.messages.push_back(simulate::with_cr_records(m.message.text()));
      }
      out.push_back(std::move(f));
    }
  }
  return out;
}

TEST(LisDelivery, ReleasedResultsOfEveryCorpusFamilyReachTheLisFieldByField) {
  HL_REQUIRE_POSTGRES();
  HL_REQUIRE_CORPUS();
  testing::TempDir dir("lis-corpus");
  testing::LisSimRunner lis(testing::lis_sim_options());
  auto c = lab(lis_at(lis.port()), release_everything(dir));
  const auto families = corpus_families();
  ASSERT_FALSE(families.empty());
  c.analyzers.clear();
  for (const auto& f : families) {
    c.analyzers.push_back(testing::tcp_analyzer(f.analyzer, f.driver, f.protocol));
    if (f.protocol == WireProtocol::Astm) {
      c.analyzers.back().leniencies.doubled_repeat_delimiter = true;  // a publishing artefact
    }
  }
  testing::DaemonHarness h(c);
  for (const auto& f : families) {
    send(h, f.analyzer, f.protocol, f.messages);
  }
  ASSERT_TRUE(nothing_pending(h));
  EXPECT_GT(h.count("SELECT count(*) FROM outbox WHERE status = 'sent'"), 10);
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'dead'"), 0)
      << h.query_value("SELECT string_agg(last_error, '; ') FROM outbox WHERE status = 'dead'");
  EXPECT_EQ(lis.ledger().totals().duplicates, 0U);
  expect_received_as_stored(h, lis);
  EXPECT_EQ(
      h.count("SELECT count(*) FROM messages WHERE destination = 'lis' AND direction = 'out'"),
      h.count("SELECT count(*) FROM outbox WHERE status = 'sent'"))
      << "each ORU sent is kept, with its ACK";
  EXPECT_EQ(h.count("SELECT count(*) FROM messages WHERE destination = 'lis' AND direction = 'in'"),
            h.count("SELECT count(*) FROM outbox WHERE status = 'sent'"));
}

TEST(LisDelivery, AnAstmLisReceivesEachResultMessageOverE1381) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("lis-astm");
  testing::LisSimRunner lis(testing::lis_sim_options(0, WireProtocol::Astm));
  testing::DaemonHarness h(lab(lis_at(lis.port(), WireProtocol::Astm), release_everything(dir)));
  send(h, "xn-1", WireProtocol::Astm,
       simulate::generate(simulate::Panel::Cbc, WireProtocol::Astm, 12, 5));
  ASSERT_TRUE(nothing_pending(h));
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'sent'"), 12);
  const auto received = by_control_id(lis);
  const auto expected = expected_messages(h);
  ASSERT_EQ(received.size(), 12U);
  for (const auto& [control_id, e] : expected) {
    ASSERT_TRUE(received.count(control_id)) << control_id;
    const auto& r = received.at(control_id);
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.specimen_id, e.specimen);
    EXPECT_EQ(r.codes, e.codes);
    EXPECT_EQ(r.statuses, e.statuses);
  }
  EXPECT_EQ(h.count("SELECT count(*) FROM messages WHERE destination = 'lis' AND protocol = "
                    "'astm' AND direction = 'out'"),
            12);
}

TEST(LisDelivery, HeldResultsAreNotSentAndGoOnceWhenReleased) {
  HL_REQUIRE_POSTGRES();
  testing::LisSimRunner lis(testing::lis_sim_options());
  testing::DaemonHarness h(lab(lis_at(lis.port()), ""));  // no rules: everything is held
  send(h, "xn-1", WireProtocol::Astm, {cbc("HOLD-1", 6.1)});
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox"), 0) << "held results do not go";
  const auto ids = h.query_value("SELECT string_agg(id::text, ',') FROM results");
  std::vector<long long> result_ids;
  for (const auto& row : h.query_rows("SELECT id FROM results ORDER BY id")) {
    result_ids.push_back(std::stoll(row[0]));
  }
  auto released = review::release_results(h.dsn(), {{"lis", {}}},
                                          {result_ids, "user:tech", "reviewed the smear"});
  ASSERT_TRUE(released) << released.error().detail;
  ASSERT_TRUE(nothing_pending(h));
  ASSERT_TRUE(testing::wait_until([&] { return lis.ledger().totals().received == 1; }, 10s));
  const auto m = lis.ledger().messages().at(0);
  EXPECT_EQ(m.specimen_id, "HOLD-1");
  EXPECT_EQ(m.codes.size(), 3U);
  EXPECT_EQ(m.statuses, (std::vector<std::string>{"F", "F", "F"}));
  EXPECT_EQ(lis.ledger().totals().received, 1U) << "sent once: " << ids;
}

TEST(LisDelivery, ARerunOfASpecimenGoesAsACorrectionNeverASecondFinal) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("lis-rerun");
  testing::LisSimRunner lis(testing::lis_sim_options());
  testing::DaemonHarness h(lab(lis_at(lis.port()), release_everything(dir)));
  send(h, "xn-1", WireProtocol::Astm, {cbc("RR-1", 6.1)});
  ASSERT_TRUE(nothing_pending(h));
  send(h, "xn-1", WireProtocol::Astm, {cbc("RR-1", 6.4)});
  ASSERT_TRUE(nothing_pending(h));
  ASSERT_TRUE(testing::wait_until([&] { return lis.ledger().totals().received == 2; }, 10s));
  const auto messages = lis.ledger().messages();
  EXPECT_EQ(messages[0].statuses, (std::vector<std::string>{"F", "F", "F"}));
  EXPECT_EQ(messages[1].statuses, (std::vector<std::string>{"C", "C", "C"}));
  EXPECT_EQ(messages[1].values[0], "6.40");
  EXPECT_NE(messages[0].control_id, messages[1].control_id);
}

TEST(LisDelivery, TheLisDownForAWhileGetsEverythingInOrderPerSpecimenWhenBack) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("lis-down");
  const auto port = testing::unused_port();  // the LIS comes later, on this port
  testing::DaemonHarness h(lab(lis_at(port), release_everything(dir)));
  std::vector<std::string> messages;
  for (int round = 0; round < 3; ++round) {
    for (int s = 0; s < 5; ++s) {
      messages.push_back(cbc(fmt::format("DOWN-{}", s), 5.0 + round));
    }
  }
  send(h, "xn-1", WireProtocol::Astm, messages);
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 0"), 15)
      << "nothing is attempted, nor dropped, while the LIS is away";
  testing::LisSimRunner lis(testing::lis_sim_options(port));
  ASSERT_TRUE(nothing_pending(h));
  ASSERT_TRUE(testing::wait_until([&] { return lis.ledger().totals().received == 15; }, 10s));
  std::map<std::string, std::vector<double>> wbc_by_specimen;
  for (const auto& m : lis.ledger().messages()) {
    wbc_by_specimen[m.specimen_id].push_back(std::stod(m.values.at(0)));
  }
  ASSERT_EQ(wbc_by_specimen.size(), 5U);
  for (const auto& [specimen, values] : wbc_by_specimen) {
    EXPECT_EQ(values, (std::vector<double>{5.0, 6.0, 7.0})) << specimen << " out of order";
  }
}

TEST(LisDelivery, NoQueueLimitDropsARowAndTheThousandAndFirstGoesToo) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("lis-many");
  const auto port = testing::unused_port();  // the LIS comes later, on this port
  testing::DaemonHarness h(lab(lis_at(port), release_everything(dir)));
  send(h, "xn-1", WireProtocol::Astm, {cbc("MANY-0", 6.0)});
  // 1,200 more rows of other specimens while the LIS is away, beside the daemon's own.
  h.execute(
      "INSERT INTO outbox (destination, specimen_row_id, specimen_id, result_ids)"
      " SELECT destination, specimen_row_id, 'MANY-' || n, result_ids FROM outbox,"
      " generate_series(1, 1200) AS n");
  ASSERT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'pending'"), 1201);
  testing::LisSimRunner lis(testing::lis_sim_options(port));
  ASSERT_TRUE(nothing_pending(h));
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'sent'"), 1201);
  EXPECT_EQ(lis.ledger().totals().distinct_control_ids, 1201U);
  EXPECT_EQ(lis.ledger().totals().duplicates, 0U);
}

TEST(LisDelivery, RefusalsOnEveryThirdMessageAreRetriedUntilDelivered) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("lis-nack");
  auto options = testing::lis_sim_options();
  options.faults.nack_every = 3;
  testing::LisSimRunner lis(options);
  testing::DaemonHarness h(lab(lis_at(lis.port()), release_everything(dir)));
  std::vector<std::string> messages;
  for (int s = 0; s < 12; ++s) {
    messages.push_back(cbc(fmt::format("NACK-{}", s), 6.0));
  }
  send(h, "xn-1", WireProtocol::Astm, messages);
  ASSERT_TRUE(nothing_pending(h));
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'sent'"), 12);
  const auto t = lis.ledger().totals();
  EXPECT_GE(t.refused, 4U);
  EXPECT_EQ(t.distinct_control_ids, 12U);
  EXPECT_EQ(t.duplicates, t.refused) << "each refused message came again, with its control ID";
  EXPECT_EQ(h.count("SELECT sum(attempts) FROM outbox"), static_cast<long long>(t.received));
}

TEST(LisDelivery, NoAckTimesOutAndTheSameControlIdGoesAgain) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("lis-silent");
  auto options = testing::lis_sim_options();
  options.faults.silent_every = 2;
  testing::LisSimRunner lis(options);
  auto destination = lis_at(lis.port());
  destination.ack_timeout = 300ms;
  testing::DaemonHarness h(lab(destination, release_everything(dir)));
  send(h, "xn-1", WireProtocol::Astm, {cbc("SIL-1", 6.0), cbc("SIL-2", 6.0)});
  ASSERT_TRUE(nothing_pending(h));
  const auto messages = lis.ledger().messages();
  ASSERT_GE(messages.size(), 3U);
  EXPECT_EQ(messages[1].reply, "silent");
  EXPECT_EQ(messages[2].control_id, messages[1].control_id)
      << "after the timeout, the same message again with the same control ID";
  EXPECT_GE(h.daemon().lis_counters("lis")->timeouts.load(), 1U);
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'sent'"), 2);
}

using testing::LogCapture;

TEST(LisDelivery, ALateAckForAnEarlierMessageIsNotCreditedToTheOneInFlight) {
  HL_REQUIRE_POSTGRES();
  LogCapture log;
  testing::TempDir dir("lis-late");
  auto options = testing::lis_sim_options();
  options.faults.late_ack_every = 2;
  testing::LisSimRunner lis(options);
  auto destination = lis_at(lis.port());
  destination.ack_timeout = 300ms;
  destination.backoff_min = 1500ms;  // the late message waits while the next one goes
  destination.backoff_max = 1500ms;
  testing::DaemonHarness h(lab(destination, release_everything(dir)));
  send(h, "xn-1", WireProtocol::Astm, {cbc("LATE-1", 6.0), cbc("LATE-2", 6.0), cbc("LATE-3", 6.0)});
  ASSERT_TRUE(nothing_pending(h));
  const auto rows = h.query_rows(
      "SELECT o.specimen_id, o.attempts, o.control_id, convert_from(m.raw, 'UTF8') FROM outbox o"
      " JOIN messages m ON m.outbox_id = o.id AND m.direction = 'in' ORDER BY o.id");
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[1][0], "LATE-2");
  EXPECT_GE(std::stoi(rows[1][1]), 2) << "its late ACK came while LATE-3 was in flight";
  for (const auto& row : rows) {
    EXPECT_NE(row[3].find("MSA|AA|" + row[2] + "\r"), std::string::npos)
        << row[0] << ": the ACK kept names its own control ID";
  }
  EXPECT_GE(h.daemon().lis_counters("lis")->ignored_replies.load(), 1U);
  EXPECT_NE(log.text().find("an ACK for \"HL2\" while HL3 is in flight: ignored; the bytes were: "
                            "MSH|^~\\&|lis-sim"),
            std::string::npos)
      << "the late ACK is logged with its raw bytes";
  EXPECT_NE(log.text().find("MSA|AA|HL2<CR>"), std::string::npos);
}

TEST(LisDelivery, ARowRefusedMaxAttemptsTimesIsDeadUntilRetryDead) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("lis-dead");
  auto options = testing::lis_sim_options();
  options.faults.nack_every = 1;
  auto refusing = std::make_unique<testing::LisSimRunner>(options);
  const auto port = refusing->port();
  auto destination = lis_at(port);
  destination.max_attempts = 3;
  testing::DaemonHarness h(lab(destination, release_everything(dir)));
  send(h, "xn-1", WireProtocol::Astm, {cbc("DEAD-1", 6.0)});
  ASSERT_TRUE(nothing_pending(h));
  EXPECT_EQ(h.query_value("SELECT status || ' ' || attempts FROM outbox"), "dead 3");
  EXPECT_NE(h.query_value("SELECT last_error FROM outbox").find("the LIS answered AE"),
            std::string::npos);
  const auto refused = refusing->ledger().messages();
  ASSERT_EQ(refused.size(), 3U);
  // A refusing LIS is not flooded: each attempt waits its back-off (100 ms, then 200 ms).
  EXPECT_GE(refused[1].at_ms - refused[0].at_ms, 100.0);
  EXPECT_GE(refused[2].at_ms - refused[1].at_ms, 200.0);
  refusing.reset();

  testing::LisSimRunner accepting(testing::lis_sim_options(port));
  auto revived = lis::PostgresOutboxAdmin(h.dsn()).retry_dead(std::nullopt, "user:op");
  ASSERT_TRUE(revived);
  EXPECT_EQ(*revived, 1);
  ASSERT_TRUE(testing::wait_until(
      [&] { return h.count("SELECT count(*) FROM outbox WHERE status = 'sent'") == 1; },
      kDeliveryLimit));
  EXPECT_EQ(accepting.ledger().totals().received, 1U);
}

// Connections cut again and again while the next rows are claimed in the background: rows that
// a closing connection had claimed but not attempted are let go, never left claimed by a node
// that is alive (where no connection would send them).
TEST(LisDelivery, RowsClaimedByAConnectionThatBreaksAreSentByTheNext) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("lis-drops");
  auto options = testing::lis_sim_options();
  options.faults.drop_connection_every = 3;
  testing::LisSimRunner lis(options);
  testing::DaemonHarness h(lab(lis_at(lis.port()), release_everything(dir)));
  std::vector<std::string> messages;
  for (int i = 0; i < 40; ++i)
    messages.push_back(cbc(fmt::format("DROPS-{}", i), 6.0));
  send(h, "xn-1", WireProtocol::Astm, messages);
  ASSERT_TRUE(nothing_pending(h)) << h.query_value(
      "SELECT string_agg(specimen_id || ' claimed by ' || claimed_by, ', ') FROM outbox "
      "WHERE status = 'pending'");
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'sent'"), 40);
  EXPECT_EQ(lis.ledger().totals().distinct_control_ids, 40U);
}

TEST(LisDelivery, ABrokenConnectionCountsAnAttemptAndTheSameMessageGoesAgain) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("lis-drop");
  auto options = testing::lis_sim_options();
  options.faults.drop_connection_every = 2;
  testing::LisSimRunner lis(options);
  testing::DaemonHarness h(lab(lis_at(lis.port()), release_everything(dir)));
  send(h, "xn-1", WireProtocol::Astm, {cbc("DROP-1", 6.0), cbc("DROP-2", 6.0), cbc("DROP-3", 6.0)});
  ASSERT_TRUE(nothing_pending(h));
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'sent'"), 3);
  const auto t = lis.ledger().totals();
  EXPECT_GE(t.dropped, 1U);
  EXPECT_EQ(t.distinct_control_ids, 3U);
  EXPECT_EQ(t.duplicates, t.dropped) << "each message cut off came again with its control ID";
  EXPECT_GE(t.connections, 2U) << "the daemon dialed again";
}

// A LIS played byte by byte: its first reply is bytes outside any MLLP frame, its second a frame
// without MSA, its third the real ACK.
TEST(LisDelivery, RepliesThatAcknowledgeNothingAreLoggedWithTheirBytesAndIgnored) {
  HL_REQUIRE_POSTGRES();
  LogCapture log;
  testing::TempDir dir("lis-junk");
  testing::TestListener listener;
  testing::DaemonHarness h(lab(lis_at(listener.port()), release_everything(dir)));
  send(h, "xn-1", WireProtocol::Astm, {cbc("JUNK-1", 6.0)});
  auto lis = listener.accept(30s);
  ASSERT_TRUE(lis) << "the daemon did not dial";
  std::string oru;
  while (auto c = lis->read_byte(10000ms)) {
    oru.push_back(*c);
    if (oru.size() >= 2 && oru[oru.size() - 2] == '\x1c' && oru.back() == '\r') {
      break;
    }
  }
  std::smatch m;
  ASSERT_TRUE(std::regex_search(oru, m, std::regex(R"(\|ORU\^R01\^ORU_R01\|(HL[0-9]+)\|)"))) << oru;
  const std::string control_id = m[1].str();
  ASSERT_TRUE(lis->send("not a frame\r"));
  ASSERT_TRUE(lis->send("\x0bMSH|^~\\&|LIS||hemalink||20261128||ACK|X1|P|2.5.1\r\x1c\r"));
  ASSERT_TRUE(lis->send("\x0bMSH|^~\\&|LIS||hemalink||20261128||ACK|X2|P|2.5.1\rMSA|AA|" +
                        control_id + "\r\x1c\r"));
  ASSERT_TRUE(nothing_pending(h));
  EXPECT_EQ(h.query_value("SELECT status || ' ' || attempts FROM outbox"), "sent 1");
  EXPECT_EQ(h.daemon().lis_counters("lis")->ignored_replies.load(), 2U);
  const auto text = log.text();
  EXPECT_NE(text.find("bytes outside any frame"), std::string::npos) << text;
  EXPECT_NE(text.find("the bytes were: not a frame<CR>"), std::string::npos) << text;
  EXPECT_NE(text.find("a reply without MSA: ignored; the bytes were: MSH|^~\\&|LIS||hemalink"),
            std::string::npos)
      << text;
}

TEST(LisDelivery, ASerialLisGetsItsResultsOverTheLine) {
  HL_REQUIRE_POSTGRES();
  const auto socat = testing::find_program("socat");
  if (!socat) {
    GTEST_SKIP() << "socat not installed (scripts/dev.sh installs it)";
  }
  testing::TempDir dir("lis-serial");
  testing::LisSimRunner lis(testing::lis_sim_options(0, WireProtocol::Astm));
  // The daemon's end of the line is a pseudo-terminal; socat carries it to lis-sim's port.
  testing::ChildProcess line({socat->string(), "pty,raw,echo=0,link=" + (dir / "lis").string(),
                              fmt::format("tcp:127.0.0.1:{}", lis.port())},
                             dir / "socat.log");
  ASSERT_TRUE(testing::wait_until([&] { return std::filesystem::exists(dir / "lis"); }, 10s));
  auto destination = lis_at(0, WireProtocol::Astm);
  destination.transport = config::SerialTransport{
      (dir / "lis").string(), 9600, 8, config::Parity::None, 1, config::FlowControl::None};
  testing::DaemonHarness h(lab(destination, release_everything(dir)));
  send(h, "xn-1", WireProtocol::Astm, {cbc("SER-1", 6.0), cbc("SER-2", 7.0)});
  ASSERT_TRUE(nothing_pending(h));
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'sent'"), 2);
  ASSERT_TRUE(testing::wait_until([&] { return lis.ledger().totals().received == 2; }, 10s));
  EXPECT_EQ(lis.ledger().messages()[1].specimen_id, "SER-2");
}

}  // namespace
}  // namespace hemalink::daemon
