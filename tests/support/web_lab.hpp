#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/api/api_tokens.hpp"
#include "server/config/http_config.hpp"
#include "server/daemon/daemon_config.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/lis_sim_runner.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::testing {

#define HL_REQUIRE_BROWSER_TOOLS()                                                               \
  if (!std::getenv("HEMALINK_WEB_TOOLS"))                                                        \
  GTEST_SKIP() << "HEMALINK_WEB_TOOLS is not set: scripts/dev.sh test installs playwright-core " \
                  "and axe-core and sets it"

/// The people signed in to the page in the browser tests: vera (viewer), tom and anna
/// (technologists, two at once), ada (admin).
struct BrowserTokens {
  api::NewToken viewer = api::make_token();
  api::NewToken technologist = api::make_token();
  api::NewToken second_technologist = api::make_token();
  api::NewToken admin = api::make_token();

  /// As the daemon's configuration lists them (api.tokens).
  std::vector<config::ApiToken> configured() const;
  /// As the browser scripts read them (HEMALINK_TOKEN_VIEWER, _TECHNOLOGIST, _TECHNOLOGIST_2,
  /// _ADMIN).
  std::vector<std::string> environment() const;
};

/// Runs tests/web/`script` (with `mode` as its argument) in Node.js beside the npm packages of
/// HEMALINK_WEB_TOOLS (Node.js resolves a module's imports from where the module is, so the
/// script and web_lab.mjs are copied there), with `environment` added to its own and
/// HEMALINK_ARTIFACTS pointing to ./web-artifacts; its output goes to `log` and then to the test's
/// log. Returns its exit code, -1 when it could not run or did not end within 300 s.
int run_browser_script(const std::string& script, const std::string& mode,
                       const std::filesystem::path& log, std::vector<std::string> environment);

/// A lab whose rules hold a PLT under 100 and a WBC over 11 and release the rest, with a generic
/// HL7 CBC analyzer (bc-1), a Sysmex XN (xn-1) whose WBC is under QC, an EWMA of the patients'
/// WBC, an LIS that orders and takes every message, and a reference lab that refuses every one
/// (so its rows die at the first attempt). With `Example`, the example configuration instead
/// (the shipped rules, QC definitions and LIS table), its LIS the simulated one.
struct WebLab {
  BrowserTokens tokens;
  TempDir dir{"web"};
  LisSimRunner lis_sim{lis_sim_options()};
  LisSimRunner refusing_lis;
  DaemonHarness h;

  WebLab();
  struct Example {};
  explicit WebLab(Example);

  /// `script` in `mode`, told the daemon's HTTP address, bc-1's port, the hemalink binary and
  /// the tokens.
  int browse(const std::string& script, const std::string& mode = "");

 private:
  daemon::DaemonConfig config() const;
  daemon::DaemonConfig example_config() const;
};

}  // namespace hemalink::testing
