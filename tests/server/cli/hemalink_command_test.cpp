// The command line of every subcommand, read by CLI11: `--help` prints its usage and options and
// exits 0; an unknown option, a missing value, a bad number or a missing required option is
// refused on stderr, naming the option, with exit status 2.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "tests/support/command_runs.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::cli {
namespace {

using testing::CommandRun;

CommandRun hemalink(const std::vector<std::string>& args) {
  return testing::run_command_line(args);
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words) {
    text += (text.empty() ? "" : " ") + w;
  }
  return text;
}

struct Subcommand {
  std::vector<std::string> path;
  std::vector<std::string> options;  ///< And positionals, and the subcommands under it.
};

const std::vector<Subcommand> kSubcommands = {
    {{"decode"},
     {"FILE", "--protocol", "--strict", "--charset", "--driver", "--base", "--mappings"}},
    {{"check-config"}, {"FILE", "--explain"}},
    {{"serve"}, {"--config"}},
    {{"simulate"}, {"--protocol",      "--link",    "--to",       "--listen",
                    "--serial",        "--baud",    "--file",     "--generate",
                    "--count",         "--seed",    "--rate",     "--connections",
                    "--corrupt-every", "--hold",    "--timeout",  "--query-first",
                    "--download",      "--json",    "--qc-every", "--qc-fail-run",
                    "--mcv-shift",     "--lab-day", "--config",   "--profile",
                    "--truth"}},
    {{"rules"}, {"test", "explain", "yield", "backtest", "versions", "diff", "promote"}},
    {{"rules", "test"}, {"--rules", "CASES"}},
    {{"rules", "explain"}, {"--rules", "CASES", "--case"}},
    {{"rules", "yield"}, {"--rules", "--profile", "--seeds", "--specimens"}},
    {{"rules", "backtest"},
     {"--candidate", "--from", "--to", "--analyzer", "--config", "--format", "--db"}},
    {{"rules", "versions"}, {"--db"}},
    {{"rules", "diff"}, {"A", "B", "--db", "--format"}},
    {{"rules", "promote"}, {"--db", "VERSION", "--backtest", "--comment", "--to"}},
    {{"lis-sim"},
     {"--listen", "--protocol", "--ack-every", "--nack-every", "--silent-every", "--late-ack-every",
      "--drop-connection-every", "--delay-ms", "--record", "--duration", "--tls-certificate",
      "--tls-key", "--tls-client-ca", "--send-orders", "--orders", "--generate-orders", "--lab-day",
      "--profile", "--seed"}},
    {{"outbox"}, {"--db", "list", "show", "resend", "retry-dead"}},
    {{"outbox", "list"}, {"--destination", "--status", "--limit"}},
    {{"outbox", "show"}, {"ID"}},
    {{"outbox", "resend"}, {"ID"}},
    {{"outbox", "retry-dead"}, {"--destination"}},
    {{"report"}, {"av"}},
    {{"report", "av"}, {"--truth", "--since", "--db", "--json", "--top"}},
    {{"token"}, {"--user", "--role", "--json", "--tokens-file"}},
    {{"migrate"}, {"--db"}},
    {{"help"}, {}},
    {{"version"}, {}},
};

// The subcommands a help text lists: the first word of each line under "Subcommands:".
std::vector<std::string> listed_subcommands(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream lines(help.substr(help.find("Subcommands:\n") + 13));
  for (std::string line; std::getline(lines, line) && !line.empty();) {
    if (line.starts_with("  ") && line[2] != ' ') {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
  }
  return names;
}

TEST(HemalinkCommand, EverySubcommandIsCheckedHere) {
  std::vector<std::string> known;
  for (const auto& s : kSubcommands) {
    known.push_back(joined(s.path));
  }
  std::vector<std::string> listed;
  for (const auto& parent :
       std::vector<std::vector<std::string>>{{}, {"rules"}, {"outbox"}, {"report"}}) {
    auto args = parent;
    args.push_back("--help");
    for (const auto& name : listed_subcommands(hemalink(args).out)) {
      auto path = parent;
      path.push_back(name);
      listed.push_back(joined(path));
    }
  }
  std::sort(known.begin(), known.end());
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, known) << "a subcommand the help lists is missing from kSubcommands";
}

TEST(HemalinkCommand, HelpPrintsTheUsageAndEveryOptionAndExitsZero) {
  const auto top = hemalink({"--help"});
  EXPECT_EQ(top.status, 0);
  EXPECT_EQ(top.out.find("Usage: hemalink [OPTIONS] [SUBCOMMAND]"), top.out.find("Usage:"));
  EXPECT_EQ(hemalink({"help"}).out, top.out);
  for (const auto& s : kSubcommands) {
    auto args = s.path;
    args.push_back("--help");
    const auto run = hemalink(args);
    EXPECT_EQ(run.status, 0) << joined(args) << ": " << run.err;
    EXPECT_EQ(run.err, "") << joined(args);
    EXPECT_NE(run.out.find("Usage: hemalink " + joined(s.path) + " [OPTIONS]"), std::string::npos)
        << run.out;
    for (const auto& option : s.options) {
      EXPECT_NE(run.out.find("  " + option + " "), std::string::npos)
          << joined(s.path) << " --help does not tell " << option << ":\n"
          << run.out;
    }
  }
}

TEST(HemalinkCommand, AnUnknownOptionIsNamedWithStatusTwo) {
  for (const auto& s : kSubcommands) {
    auto args = s.path;
    args.push_back("--no-such-option");
    const auto run = hemalink(args);
    EXPECT_EQ(run.status, 2) << joined(args);
    EXPECT_EQ(run.out, "") << joined(args);
    EXPECT_EQ(run.err.find("hemalink " + joined(s.path) +
                           ": The following argument was not expected: --no-such-option\n"),
              0u)
        << run.err;
  }
  const auto unknown = hemalink({"frobnicate"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("not expected: frobnicate"), std::string::npos) << unknown.err;
  EXPECT_EQ(hemalink({}).status, 2);
}

TEST(HemalinkCommand, AnUnknownOptionIsToldBeforeWhatIsMissing) {
  const auto run = hemalink({"token", "--usr", "ana", "--role", "viewer"});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err.find("hemalink token: The following arguments were not expected: --usr ana\n"),
            0u)
      << run.err << "not \"--user is required\"";
}

// The refusal of each option given a value that is not its kind of number.
TEST(HemalinkCommand, ABadNumberIsNamedWithStatusTwo) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{"simulate", "--count", "abc"}, "simulate: --count: expected a whole number, got \"abc\""},
      {{"simulate", "--lab-day", "12.5"}, "simulate: --lab-day: expected a whole number from 1"},
      {{"simulate", "--rate", "fast"}, "simulate: --rate: expected a number from 0, got \"fast\""},
      {{"simulate", "--timeout", "nan"}, "simulate: --timeout: expected a number from 0"},
      {{"simulate", "--seed", "4294967296"}, "simulate: Could not convert: --seed = 4294967296"},
      {{"lis-sim", "--ack-every", "0"}, "lis-sim: --ack-every: expected a whole number from 1"},
      {{"lis-sim", "--delay-ms", "-5"}, "lis-sim: --delay-ms: expected a whole number, got"},
      {{"lis-sim", "--duration", "0"}, "lis-sim: --duration: expected a number above 0"},
      {{"lis-sim", "--listen", "127.0.0.1:70000"}, "lis-sim: --listen: expected HOST:PORT"},
      {{"rules", "yield", "--specimens", "1e3"}, "rules yield: --specimens: expected a whole"},
      {{"rules", "yield", "--seeds", "a-b"}, "rules yield: --seeds: expected A-B or A"},
      {{"outbox", "--db", "x", "list", "--limit", "many"}, "outbox list: --limit: expected a"},
      {{"outbox", "--db", "x", "show", "12a"}, "outbox show: ID: expected a whole number from 1"},
      {{"report", "av", "--truth", "t", "--db", "x", "--top", "1.5"}, "report av: --top: expected"},
  };
  for (const auto& [args, complaint] : refused) {
    const auto run = hemalink(args);
    EXPECT_EQ(run.status, 2) << joined(args);
    EXPECT_EQ(run.err.find("hemalink " + complaint), 0u) << run.err;
  }
}

TEST(HemalinkCommand, AMissingValueOrRequiredOptionIsNamedWithStatusTwo) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{"serve"}, "serve: --config is required"},
      {{"serve", "--config"}, "serve: --config: 1 required FILE missing"},
      {{"simulate", "--count"}, "simulate: --count: 1 required N missing"},
      {{"lis-sim", "--protocol", "hl7"}, "lis-sim: --listen is required"},
      {{"rules", "test", "cases.json"}, "rules test: --rules is required"},
      {{"token", "--role", "viewer"}, "token: --user is required"},
      {{"outbox", "list"}, "outbox list: --db is required"},
  };
  const char* database = std::getenv("HEMALINK_DATABASE_URL");
  const std::optional<std::string> kept =
      database ? std::optional<std::string>(database) : std::nullopt;
  unsetenv("HEMALINK_DATABASE_URL");  // --db's default
  for (const auto& [args, complaint] : refused) {
    const auto run = hemalink(args);
    EXPECT_EQ(run.status, 2) << joined(args);
    EXPECT_EQ(run.err.find("hemalink " + complaint), 0u) << run.err;
  }
  if (kept) {
    setenv("HEMALINK_DATABASE_URL", kept->c_str(), 1);
  }
}

TEST(HemalinkCommand, WholeNumbersAreDecimalWhateverTheirLeadingZeros) {
  const auto rules = std::filesystem::path(HEMALINK_SOURCE_DIR) / "config" / "rules";
  const auto run = hemalink({"rules", "yield", "--rules", (rules / "cbc.json").string(), "--rules",
                             (rules / "coag.json").string(), "--rules",
                             (rules / "flow.json").string(), "--seeds", "1", "--specimens", "010"});
  EXPECT_NE(run.out.find("lab days 1-1 of 10 tubes"), std::string::npos)
      << run.out << run.err << "(CLI11 alone reads 010 as octal 8)";
}

// The binary itself: its exit status and what it prints where.
CommandRun run_binary(const std::string& args) {
  testing::TempDir dir("hemalink-binary");
  const auto command = std::string(HEMALINK_BINARY) + " " + args + " >" + (dir / "out").string() +
                       " 2>" + (dir / "err").string();
  const int raw = std::system(command.c_str());
  auto read = [](const std::filesystem::path& file) {
    std::ostringstream text;
    text << std::ifstream(file).rdbuf();
    return text.str();
  };
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read(dir / "out"), read(dir / "err")};
}

TEST(HemalinkBinary, HelpGoesToStdoutWithZeroAndRefusalsToStderrWithTwo) {
  const auto help = run_binary("simulate --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("--qc-every"), std::string::npos);
  const auto bad = run_binary("simulate --count abc");
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.out, "");
  EXPECT_EQ(bad.err.find("hemalink simulate: --count: expected a whole number, got \"abc\""), 0u)
      << bad.err;
  const auto version = run_binary("--version");
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out.rfind("hemalink ", 0), 0u) << version.out;
}

}  // namespace
}  // namespace hemalink::cli
