// The daemon as a process (SIGTERM mid-load) and on a serial line (a socat pseudo-terminal
// pair).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "server/simulate/generated_messages.hpp"
#include "server/simulate/simulation.hpp"
#include "server/store/migrations.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::daemon {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;

using testing::port_from_log;

TEST(ServeProcess, SigtermMidLoadLosesNoAcknowledgedMessageAndExitsZero) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase database;
  testing::TempDir dir("serve");
  {
    std::ofstream(dir / "hemalink.json") << fmt::format(
        R"({{"database": {{"url": "{}", "migrate_at_start": true}},
            "spool_dir": "spool", "threads": 2, "logging": {{"format": "json"}},
            "http": {{"listen": "127.0.0.1:0"}},
            "analyzers": [{{"name": "hl7-1", "driver": "generic-hl7", "protocol": "hl7",
              "base": "loinc-cbc",
              "transport": {{"type": "tcp-server", "listen_address": "127.0.0.1", "port": 0}}}}]}})",
        database.dsn());
  }
  testing::ChildProcess serve({HEMALINK_BINARY, "serve", "--config", (dir / "hemalink.json")},
                              dir / "serve.log");
  // The daemon binds a port of the system's choosing and says which: no port picked here and
  // handed over, which another process could take in between.
  const auto port = port_from_log(dir / "serve.log", "hl7-1", 60s);
  ASSERT_NE(port, 0) << "the daemon did not start; see " << (dir / "serve.log");
  ASSERT_TRUE(testing::AnalyzerSocket(port).is_connected());
  serve.signal(SIGHUP);  // reloads without dropping anything
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return testing::read_file(dir / "serve.log").find("reload: mapping tables") !=
               std::string::npos;
      },
      20s));

  simulate::SimulationPlan plan;
  plan.analyzer.protocol = WireProtocol::Hl7;
  plan.targets = {{"127.0.0.1", port}};
  plan.messages = simulate::generate(simulate::Panel::Cbc, WireProtocol::Hl7, 4000, 21);
  plan.connections = 10;
  plan.timeout = 120s;
  simulate::SimulationReport report;
  std::thread analyzers([&] { report = simulate::run_simulation(plan); });
  const auto stored = [&] {
    return std::stoll(testing::query_value(database.dsn(), "SELECT count(*) FROM messages"));
  };
  const bool is_loaded = testing::wait_until([&] { return stored() >= 300; }, 60s);
  serve.signal(SIGTERM);
  const auto exit_code = serve.wait(60s);
  analyzers.join();
  ASSERT_TRUE(is_loaded);
  ASSERT_TRUE(exit_code.has_value()) << "still running 60 s after SIGTERM";
  EXPECT_EQ(*exit_code, 0);

  std::set<std::string> kept;
  for (const auto& row : testing::query_rows(database.dsn(), "SELECT control_id FROM messages"))
    kept.insert(row[0]);
  std::size_t acknowledged = 0;
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    if (report.results[i].answer != simulate::Answer::Acknowledged)
      continue;
    ++acknowledged;
    EXPECT_TRUE(kept.contains(fmt::format("M{:08}", i))) << "acknowledged message " << i << " lost";
  }
  EXPECT_GE(acknowledged, 300u);
  EXPECT_LT(acknowledged, plan.messages.size()) << "SIGTERM came mid-load";
  EXPECT_EQ(testing::query_value(database.dsn(), "SELECT count(*) FROM results"),
            std::to_string(30 * kept.size()));
}

TEST(ServeProcess, ASerialAnalyzerIsServedThroughASocatPseudoTerminalPair) {
  HL_REQUIRE_POSTGRES();
  const auto socat = testing::find_program("socat");
  if (!socat) {
    GTEST_SKIP() << "socat not installed (scripts/dev.sh installs it)";
  }
  testing::TempDir dir("serial");
  testing::ChildProcess pair({socat->string(), "pty,raw,echo=0,link=" + (dir / "host").string(),
                              "pty,raw,echo=0,link=" + (dir / "analyzer").string()},
                             dir / "socat.log");
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return std::filesystem::exists(dir / "host") && std::filesystem::exists(dir / "analyzer");
      },
      10s));
  config::AnalyzerConfig a = testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm);
  a.transport = config::SerialTransport{(dir / "host").string(), 9600, 8,
                                        config::Parity::None,    1,    config::FlowControl::None};
  daemon::DaemonConfig c;
  c.analyzers = {a};
  testing::DaemonHarness h(c);
  simulate::SimulationPlan plan;
  plan.endpoint = simulate::Endpoint::Serial;
  plan.device = (dir / "analyzer").string();
  plan.messages = simulate::generate(simulate::Panel::Cbc, WireProtocol::Astm, 5, 8);
  plan.timeout = 60s;
  const auto report = simulate::run_simulation(plan);
  for (const auto& r : report.results)
    EXPECT_EQ(r.answer, simulate::Answer::Acknowledged) << r.detail;
  EXPECT_EQ(h.messages_of("xn-1"), 5);
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), 5 * 30);
}

}  // namespace
}  // namespace hemalink::daemon
