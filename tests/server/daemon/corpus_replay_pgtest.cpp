// Every corpus file replayed by the simulator into a running daemon, over E1381 and bare ASTM
// and over MLLP, lands in the database with the results its driver reads from it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "protocols/common/hex.hpp"
#include "server/cli/capture_messages.hpp"
#include "server/ingest/configured_message_reader.hpp"
#include "server/simulate/simulation.hpp"
#include "server/store/batch_rows.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/store_harness.hpp"

namespace hemalink::daemon {
namespace {

using config::AstmLink;
using model::WireProtocol;

struct Replay {
  std::filesystem::path file;
  std::string analyzer;
  WireProtocol protocol;
  AstmLink link;
  std::vector<std::string> messages;  // as the simulator sends them
  std::vector<bool> is_terminated;    // ASTM: ends with its L record
};

std::vector<Replay> replays() {
  std::vector<Replay> out;
  for (const auto* sub : {"astm", "hl7"}) {
    for (const auto& file : testing::corpus_files(sub)) {
      std::vector<std::string> warnings;
      auto captured = cli::read_messages(testing::read_file(file), {}, warnings);
      EXPECT_TRUE(captured) << file;
      if (!captured)
        continue;
      Replay r{file, "", captured->protocol, AstmLink::E1381, {}, {}};
      for (const auto& m : captured->astm) {
        r.messages.push_back(simulate::with_cr_records(m.message.text()));
        r.is_terminated.push_back(m.message.is_terminated());
      }
      for (const auto& m : captured->hl7) {
        r.messages.push_back(simulate::with_cr_records(m.message.text()));
        r.is_terminated.push_back(true);
      }
      const auto stem = file.stem().string();
      if (r.protocol == WireProtocol::Hl7) {
        r.analyzer = stem;
        out.push_back(r);
        continue;
      }
      for (auto link : {AstmLink::E1381, AstmLink::Bare}) {
        r.link = link;
        r.analyzer = stem + (link == AstmLink::E1381 ? "-e1381" : "-bare");
        out.push_back(r);
      }
    }
  }
  return out;
}

struct Expected {
  std::string raw;
  std::string status;
  std::vector<std::vector<std::string>> results;  // code, value, units
};

std::string status_of(const records::MessageContent& i, bool is_repeat) {
  return is_repeat ? "duplicate" : records::to_string(i.status);
}

// What the database must hold for one replay: every message but one the bare link could not
// end (the last, without its L record, cut by the connection closing).
std::vector<Expected> expected_rows(const Replay& r, const ingest::MessageReader& reader,
                                    const std::string& driver) {
  std::vector<Expected> rows;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < r.messages.size(); ++i) {
    const bool is_last = i + 1 == r.messages.size();
    if (r.protocol == WireProtocol::Astm && r.link == AstmLink::Bare && is_last &&
        !r.is_terminated[i]) {
      continue;
    }
    records::Receipt receipt;
    receipt.analyzer = r.analyzer;
    receipt.driver = driver;
    receipt.protocol = r.protocol;
    receipt.raw = r.messages[i];
    if (!r.is_terminated[i]) {
      receipt.link_status = records::MessageStatus::Incomplete;
    }
    const auto content = reader.read(receipt);
    const bool is_accepted = content.status == records::MessageStatus::Accepted;
    const bool is_repeat = is_accepted && !seen.insert(receipt.raw).second;
    Expected e{receipt.raw, status_of(content, is_repeat), {}};
    const bool keeps_results =
        !is_repeat && (is_accepted || content.status == records::MessageStatus::Incomplete);
    for (const auto& set : content.result_sets) {
      for (const auto& o : set.observations) {
        if (keeps_results)
          e.results.push_back(
              {store::storable(o.code), store::storable(o.value), store::storable(o.units)});
      }
    }
    rows.push_back(std::move(e));
  }
  // As PostgreSQL orders bytea: byte by byte, unsigned.
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::lexicographical_compare(
        a.raw.begin(), a.raw.end(), b.raw.begin(), b.raw.end(), [](char x, char y) {
          return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
        });
  });
  return rows;
}

TEST(DaemonCorpus, EveryCorpusFileReplayedBySimulateLandsWithItsResults) {
  HL_REQUIRE_POSTGRES();
  HL_REQUIRE_CORPUS();
  const auto all = replays();
  daemon::DaemonConfig c;
  for (const auto& r : all) {
    c.analyzers.push_back(
        testing::tcp_analyzer(r.analyzer, testing::corpus_driver(r.file), r.protocol, r.link));
  }
  testing::DaemonHarness h(c);
  auto built =
      ingest::configured_message_reader(h.config().analyzers, h.config().rules, h.config().qc);
  ASSERT_TRUE(built) << files::describe(built.error(), "\n");
  const auto& reader = **built;

  for (const auto& r : all) {
    SCOPED_TRACE(r.analyzer);
    simulate::SimulationPlan plan;
    plan.analyzer.protocol = r.protocol;
    plan.analyzer.link = r.link == AstmLink::Bare ? astm::LinkMode::Bare : astm::LinkMode::E1381;
    plan.targets = {{"127.0.0.1", h.port(r.analyzer)}};
    plan.messages = r.messages;
    plan.timeout = std::chrono::seconds(60);
    const auto report = simulate::run_simulation(plan);
    for (const auto& e : report.errors)
      ADD_FAILURE() << e;
    const auto expected = expected_rows(r, reader, testing::corpus_driver(r.file));
    for (std::size_t i = 0; i < report.results.size(); ++i) {
      const auto answer = report.results[i].answer;
      if (r.link == AstmLink::Bare && r.protocol == WireProtocol::Astm) {
        EXPECT_EQ(answer, simulate::Answer::Written);
      } else {
        // A host's acknowledgement in the corpus is stored and, being one, not acknowledged; so
        // is a message whose MSH-15/16 ask for no answer on success (the host's RSP^K11: ER/NE).
        EXPECT_TRUE(
            answer == simulate::Answer::Acknowledged || answer == simulate::Answer::Rejected ||
            (answer == simulate::Answer::Written && simulate::expects_no_answer(r.messages[i])))
            << "message " << i << ": " << simulate::to_string(answer) << " "
            << report.results[i].detail;
      }
    }
    // Bare ASTM has no acknowledgement to wait for: wait for the rows instead.
    ASSERT_TRUE(testing::wait_until(
        [&] { return h.messages_of(r.analyzer) == static_cast<long long>(expected.size()); },
        std::chrono::seconds(20)))
        << h.messages_of(r.analyzer) << " of " << expected.size();
    const auto rows = h.query_rows(fmt::format(
        "SELECT encode(m.raw, 'hex'), m.status, m.id::text FROM messages m JOIN analyzers a ON "
        "a.id = m.analyzer_id WHERE a.name = '{}' AND m.direction = 'in' ORDER BY m.raw",
        r.analyzer));
    ASSERT_EQ(rows.size(), expected.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i][0], hex_encode(expected[i].raw, HexCase::Lower)) << i;
      EXPECT_EQ(rows[i][1], expected[i].status) << i;
      const auto results = h.query_rows(
          fmt::format("SELECT code, value, units FROM results WHERE message_id = '{}' ORDER BY id",
                      rows[i][2]));
      EXPECT_EQ(results, expected[i].results) << "message " << i;
    }
  }
}

}  // namespace
}  // namespace hemalink::daemon
