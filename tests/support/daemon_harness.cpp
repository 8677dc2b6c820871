#include "tests/support/daemon_harness.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "server/store/migrations.hpp"

namespace hemalink::testing {

config::AnalyzerConfig tcp_analyzer(std::string name, std::string driver,
                                    model::WireProtocol protocol, config::AstmLink link) {
  config::AnalyzerConfig a;
  a.name = std::move(name);
  a.driver = std::move(driver);
  a.protocol = protocol;
  a.link = link;
  a.transport = config::TcpServerTransport{"127.0.0.1", 0, std::nullopt};
  a.charset = protocol == model::WireProtocol::Hl7 ? Charset::Utf8 : Charset::Latin1;
  a.leniencies.doubled_repeat_delimiter = true;  // the Horiba captures
  return a;
}

daemon::DaemonConfig example_configuration_on_loopback() {
  auto read = daemon::read_daemon_config_file(std::filesystem::path(HEMALINK_SOURCE_DIR) /
                                              "config/hemalink.example.json");
  if (!read) {
    throw std::runtime_error("config/hemalink.example.json does not load");
  }
  auto config = std::move(*read);
  std::erase_if(config.analyzers, [](const config::AnalyzerConfig& a) {
    return !std::holds_alternative<config::TcpServerTransport>(a.transport);
  });
  for (auto& a : config.analyzers) {
    a.transport = config::TcpServerTransport{"127.0.0.1", 0, std::nullopt};
    a.allowed_peers.clear();
  }
  auto& lis = config.lis.at(0);
  lis.transport = transport::TcpClientTransport{"127.0.0.1", 9, std::chrono::seconds(1),
                                                std::chrono::seconds(1), std::nullopt};
  lis.orders->transport = transport::TcpServerTransport{"127.0.0.1", 0, std::nullopt};
  lis.orders->allowed_peers.clear();
  config.http.listen = "127.0.0.1:0";
  config.http.tokens_file.clear();
  return config;
}

DaemonHarness::DaemonHarness(daemon::DaemonConfig config)
    : spool_("daemon-spool"), config_(std::move(config)) {
  auto migrated = store::migrate(database_.dsn(), store::shipped_migrations());
  if (!migrated) {
    throw std::runtime_error(migrated.error().detail);
  }
  config_.database_url = database_.dsn();
  config_.spool_dir = spool_.path();
  if (config_.threads == 0) {
    config_.threads = 2;
  }
  if (config_.http.listen == config::HttpConfig().listen) {
    config_.http.listen = "127.0.0.1:0";  // the API on a port of its own, beside other tests
  }
  start();
}

void DaemonHarness::start() {
  daemon_ = std::make_unique<daemon::Daemon>(config_, daemon::DaemonOptions{false, {}});
  runner_ = std::thread([this] { exit_code_ = daemon_->run(); });
}

void DaemonHarness::restart() {
  stop();
  daemon_.reset();
  start();
}

DaemonHarness::~DaemonHarness() {
  stop();
}

int DaemonHarness::stop() {
  if (runner_.joinable()) {
    daemon_->stop();
    runner_.join();
  }
  return exit_code_;
}

std::string DaemonHarness::decision_of(const std::string& specimen, const std::string& code,
                                       const std::string& column) const {
  return query_value(
      fmt::format("SELECT {} FROM decisions d JOIN results r ON r.id = d.result_id "
                  "WHERE d.is_current AND r.specimen_id = '{}' AND r.code = '{}'",
                  column, specimen, code));
}

long long DaemonHarness::messages_of(const std::string& analyzer) const {
  return count(
      fmt::format("SELECT count(*) FROM messages m JOIN analyzers a ON a.id = m.analyzer_id "
                  "WHERE a.name = '{}' AND m.direction = 'in'",
                  analyzer));
}

}  // namespace hemalink::testing
