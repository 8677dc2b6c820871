#include "tests/support/web_lab.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "tests/support/child_process.hpp"

namespace hemalink::testing {

using model::WireProtocol;
using namespace std::chrono_literals;

namespace {

lis::LisDestination lis(const std::string& name, std::uint16_t port, int max_attempts) {
  lis::LisDestination d;
  d.name = name;
  d.protocol = WireProtocol::Hl7;
  d.transport = config::TcpClientTransport{"127.0.0.1", port, 100ms, 400ms, std::nullopt};
  d.ack_timeout = 1000ms;
  d.max_attempts = max_attempts;
  d.backoff_min = 100ms;
  d.backoff_max = 400ms;
  return d;
}

simulate::LisSimOptions refusing_every_message() {
  auto o = lis_sim_options();
  o.faults.nack_every = 1;
  return o;
}

}  // namespace

std::vector<config::ApiToken> BrowserTokens::configured() const {
  return {{"vera", config::ApiRole::Viewer, viewer.sha256},
          {"tom", config::ApiRole::Technologist, technologist.sha256},
          {"anna", config::ApiRole::Technologist, second_technologist.sha256},
          {"ada", config::ApiRole::Admin, admin.sha256}};
}

std::vector<std::string> BrowserTokens::environment() const {
  return {"HEMALINK_TOKEN_VIEWER=" + viewer.token,
          "HEMALINK_TOKEN_TECHNOLOGIST=" + technologist.token,
          "HEMALINK_TOKEN_TECHNOLOGIST_2=" + second_technologist.token,
          "HEMALINK_TOKEN_ADMIN=" + admin.token};
}

int run_browser_script(const std::string& script, const std::string& mode,
                       const std::filesystem::path& log, std::vector<std::string> environment) {
  const std::filesystem::path tools = std::getenv("HEMALINK_WEB_TOOLS");
  for (const auto& name : {script, std::string("web_lab.mjs")})
    std::filesystem::copy_file(std::filesystem::path(HEMALINK_SOURCE_DIR) / "tests/web" / name,
                               tools / name, std::filesystem::copy_options::overwrite_existing);
  const auto node = find_program("node");
  if (!node) {
    ADD_FAILURE() << "node is not on PATH";
    return -1;
  }
  environment.push_back("HEMALINK_ARTIFACTS=" +
                        (std::filesystem::current_path() / "web-artifacts").string());
  std::vector<std::string> command{node->string(), (tools / script).string()};
  if (!mode.empty())
    command.push_back(mode);
  ChildProcess browser(command, log, environment);
  const auto code = browser.wait(300s);
  std::ifstream in(log);
  std::cout << in.rdbuf();
  return code.value_or(-1);
}

WebLab::WebLab() : refusing_lis(refusing_every_message()), h(config()) {}

WebLab::WebLab(Example) : refusing_lis(refusing_every_message()), h(example_config()) {}

int WebLab::browse(const std::string& script, const std::string& mode) {
  auto environment = tokens.environment();
  environment.push_back(fmt::format("HEMALINK_URL=http://127.0.0.1:{}", h.daemon().http_port()));
  environment.push_back(std::string("HEMALINK_BINARY=") + HEMALINK_BINARY);
  for (const auto& a : h.config().analyzers) {
    if (a.name == "bc-1")
      environment.push_back(fmt::format("HEMALINK_ANALYZER_PORT={}", h.port("bc-1")));
  }
  return run_browser_script(script, mode, dir / ("browser-" + script + mode + ".log"),
                            std::move(environment));
}

daemon::DaemonConfig WebLab::example_config() const {
  auto c = example_configuration_on_loopback();
  c.lis.at(0).transport =
      config::TcpClientTransport{"127.0.0.1", lis_sim.port(), 100ms, 400ms, std::nullopt};
  c.http.tokens = tokens.configured();
  return c;
}

daemon::DaemonConfig WebLab::config() const {
  daemon::DaemonConfig c;
  c.review.comment_codes = {{".ok", "Reviewed, consistent with previous"},
                            {".smear", "Blood film reviewed"}};
  auto bc = tcp_analyzer("bc-1", "generic-hl7", WireProtocol::Hl7);
  bc.base = "loinc-cbc";
  c.analyzers.push_back(bc);
  c.analyzers.push_back(tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
  const auto rules = dir / "rules.json";
  std::ofstream(rules) << R"({"version": "web-test", "rules": [
      {"id": "plt-low-hold", "applies_to": ["PLT"], "when": "value < 100", "action": "hold",
       "reason": "PLT below 100: look at the smear"},
      {"id": "wbc-high-hold", "applies_to": ["WBC"], "when": "value > 11", "action": "hold",
       "reason": "WBC above 11: look at the smear"},
      {"id": "release-rest", "applies_to": ["*"], "when": "not is_qc", "action": "release"}]})";
  c.rules.files = {rules};
  // The XN's WBC under QC: XN-CHECK levels 1 and 2 by QC sample number, a new lot of level 1.
  std::ofstream(dir / "controls.json") << R"({"controls": [
      {"analyzer": "xn-1", "test": "WBC", "sample": "QC-30610101", "material": "XN-CHECK",
       "level": "1", "lot": "4411", "mean": 3.00, "sd": 0.10},
      {"analyzer": "xn-1", "test": "WBC", "sample": "QC-30620101", "material": "XN-CHECK",
       "level": "1", "lot": "4412", "mean": 3.20, "sd": 0.10},
      {"analyzer": "xn-1", "test": "WBC", "sample": "QC-30610102", "material": "XN-CHECK",
       "level": "2", "lot": "4411", "mean": 7.00, "sd": 0.20}]})";
  c.qc.controls_file = dir / "controls.json";
  qc::AverageSettings wbc;  // and an EWMA of the patients' WBC, beside the XbarM
  wbc.analyzer = "xn-1";
  wbc.test = "WBC";
  wbc.method = qc::AverageMethod::Ewma;
  wbc.lambda = 0.2;
  wbc.every = 10;
  wbc.truncate_below = 1;
  wbc.truncate_above = 30;
  wbc.target = 6.4;
  wbc.low = 5.5;
  wbc.high = 7.3;
  c.qc.policy.averages.push_back(wbc);
  c.lis.push_back(lis("lis", lis_sim.port(), 10));
  // Its orders by canonical codes (order panels only: its results go by LOINC as before).
  std::ofstream(dir / "lis.json")
      << R"({"codes": {}, "order_panels": {"WBC": ["WBC"], "PLT": ["PLT"]}})";
  c.lis.back().mapping_file = dir / "lis.json";
  lis::LisOrderFeed feed;  // the LIS orders too; what it ordered and nobody ran is overdue
  feed.transport = transport::TcpServerTransport{"127.0.0.1", 0, std::nullopt};
  c.lis.back().orders = feed;
  c.orders.hold_specimens_without_order = false;
  c.orders.hold_results_not_ordered = false;
  c.orders.overdue_after = std::chrono::minutes(0);
  c.lis.push_back(lis("reference-lab", refusing_lis.port(), 1));
  c.http.listen = "127.0.0.1:0";
  c.http.tokens = tokens.configured();
  return c;
}

}  // namespace hemalink::testing
