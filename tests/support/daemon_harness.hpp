#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/daemon/daemon.hpp"
#include "server/daemon/daemon_config.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

namespace hemalink::testing {

/// An analyzer listening on 127.0.0.1, on a port the system chooses.
config::AnalyzerConfig tcp_analyzer(std::string name, std::string driver,
                                    model::WireProtocol protocol,
                                    config::AstmLink link = config::AstmLink::E1381);

/// config/hemalink.example.json as the quick start runs it, on 127.0.0.1 ports the system
/// chooses: its analyzers on TCP (the FACS export folder left out), its LIS's order feed, its
/// LIS at port 9 (nobody answers: results wait in the outbox), no tokens file.
daemon::DaemonConfig example_configuration_on_loopback();

/// A daemon over a fresh migrated test database and spool directory, running on its own
/// thread (no signal handling) until the harness goes away.
class DaemonHarness {
 public:
  explicit DaemonHarness(daemon::DaemonConfig config);
  ~DaemonHarness();

  daemon::Daemon& daemon() { return *daemon_; }
  std::uint16_t port(const std::string& analyzer) const { return daemon_->port_of(analyzer); }
  const std::string& dsn() const { return database_.dsn(); }
  const daemon::DaemonConfig& config() const { return config_; }

  std::string query_value(const std::string& sql) const { return testing::query_value(dsn(), sql); }
  long long count(const std::string& sql) const { return std::stoll(query_value(sql)); }
  void execute(const std::string& sql) const { testing::execute(dsn(), sql); }
  std::vector<std::vector<std::string>> query_rows(const std::string& sql) const {
    return testing::query_rows(dsn(), sql);
  }
  /// A column of the current decision on result `code` of `specimen` ("" when there is none).
  std::string decision_of(const std::string& specimen, const std::string& code,
                          const std::string& column = "d.decision") const;
  /// Messages stored for `analyzer` (received, not sent).
  long long messages_of(const std::string& analyzer) const;

  /// Stops the daemon (as SIGTERM would) and returns its exit code.
  int stop();
  /// Stops the daemon and starts another on the same database and spool: a restart. Its
  /// analyzers listen on new ports.
  void restart();

 private:
  void start();

  TestDatabase database_;
  TempDir spool_;
  daemon::DaemonConfig config_;
  std::unique_ptr<daemon::Daemon> daemon_;
  std::thread runner_;
  int exit_code_ = -1;
};

}  // namespace hemalink::testing
