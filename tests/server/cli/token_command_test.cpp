#include "server/cli/token_command.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server/api/api_tokens.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::cli {
namespace {

using nlohmann::json;

TEST(TokenCommand, PrintsATokenOnceWithTheEntryThatHoldsItsHash) {
  std::ostringstream out, err;
  ASSERT_EQ(run_token({"--user", "ana", "--role", "technologist", "--json"}, out, err), 0)
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
  ASSERT_EQ(run_token({"--user", "a", "--role", "viewer", "--tokens-file", file}, out, err), 0);
  ASSERT_EQ(run_token({"--user", "b", "--role", "admin", "--tokens-file", file}, out, err), 0);
  std::ifstream in(file);
  const auto doc = json::parse(in);
  ASSERT_EQ(doc["tokens"].size(), 2u);
  EXPECT_EQ(doc["tokens"][1]["role"], "admin");
  const auto perms = std::filesystem::status(file).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_read, std::filesystem::perms::none);
  EXPECT_EQ(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);

  std::ofstream(dir / "other.json") << "[1, 2]";
  EXPECT_EQ(
      run_token({"--user", "c", "--role", "viewer", "--tokens-file", dir / "other.json"}, out, err),
      1);
  EXPECT_NE(err.str().find("not a tokens file"), std::string::npos);
}

TEST(TokenCommand, UsageErrorsAreStatus2) {
  std::ostringstream out, err;
  EXPECT_EQ(run_token({"--user", "ana"}, out, err), 2);
  EXPECT_EQ(run_token({"--user", "ana", "--role", "root"}, out, err), 2);
  EXPECT_EQ(run_token({"--user", "a b", "--role", "viewer"}, out, err), 2);
  EXPECT_EQ(run_token({"--colour"}, out, err), 2);
  EXPECT_TRUE(out.str().empty()) << "no token is made for a wrong command";
}

}  // namespace
}  // namespace hemalink::cli
