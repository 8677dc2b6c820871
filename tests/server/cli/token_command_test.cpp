#include "server/cli/hemalink_command.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server/api/api_tokens.hpp"
#include "tests/support/command_runs.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::cli {
namespace {

using nlohmann::json;

TEST(TokenCommand, PrintsATokenOnceWithTheEntryThatHoldsItsHash) {
  std::ostringstream out, err;
  ASSERT_EQ(run_hemalink({"token", "--user", "ana", "--role", "technologist", "--json"}, out, err),
            0)
      << err.str();
  const auto printed = json::parse(out.str());
  EXPECT_EQ(printed["entry"]["user"], "ana");
  EXPECT_EQ(printed["entry"]["role"], "technologist");
  EXPECT_EQ(printed["entry"]["sha256"], api::sha256_hex(printed["token"].get<std::string>()));
}

TEST(TokenCommand, AddsEachEntryToTheTokensFileReadableByItsOwnerOnly) {
  testing::TempDir dir("token");
  const auto file = dir / "api-tokens.json";
  std::ostringstream out, err;
  ASSERT_EQ(
      run_hemalink({"token", "--user", "a", "--role", "viewer", "--tokens-file", file}, out, err),
      0);
  ASSERT_EQ(
      run_hemalink({"token", "--user", "b", "--role", "admin", "--tokens-file", file}, out, err),
      0);
  std::ifstream in(file);
  const auto doc = json::parse(in);
  ASSERT_EQ(doc["tokens"].size(), 2u);
  EXPECT_EQ(doc["tokens"][1]["role"], "admin");
  const auto perms = std::filesystem::status(file).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_read, std::filesystem::perms::none);
  EXPECT_EQ(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);

  std::ofstream(dir / "other.json") << "[1, 2]";
  EXPECT_EQ(run_hemalink(
                {"token", "--user", "c", "--role", "viewer", "--tokens-file", dir / "other.json"},
                out, err),
            1);
  EXPECT_NE(err.str().find("not a tokens file"), std::string::npos);
}

TEST(TokenCommand, UsageErrorsAreStatus2) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{"--user", "ana"}, "--role is required"},
      {{"--user", "ana", "--role", "root"}, "--role: root not in {viewer,technologist,admin}"},
      {{"--user", "a b", "--role", "viewer"}, "--user: expected up to 64 letters"},
      {{"--colour"}, "The following argument was not expected: --colour"},
  };
  for (const auto& [args, complaint] : refused) {
    const auto run = testing::run_command_line("token", args);
    EXPECT_EQ(run.status, 2) << complaint;
    EXPECT_NE(run.err.find("hemalink token: " + complaint), std::string::npos) << run.err;
    EXPECT_TRUE(run.out.empty()) << "no token is made for a wrong command";
  }
}

}  // namespace
}  // namespace hemalink::cli
