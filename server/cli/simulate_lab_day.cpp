#include "server/cli/simulate_lab_day.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <thread>

#include "server/cli/command_arguments.hpp"
#include "server/config/daemon_config.hpp"
#include "server/simulate/lab_day.hpp"
#include "server/simulate/lab_day_messages.hpp"
#include "server/simulate/simulation.hpp"

namespace hemalink::cli {
namespace {

constexpr const char* kUsage =
    "usage: hemalink simulate --lab-day N --config FILE [--profile hospital|outpatient|oncology]\n"
    "         [--seed S] [--truth FILE] [--qc-fail-run K] [--rate R] [--timeout SECONDS]\n"
    "  plays a laboratory day of N tubes (blood with a case mix, analyzer flags, artefacts,\n"
    "  control runs at shift start and every 8 hours) on the analyzers the configuration names,\n"
    "  all at once, each on its own connection to 127.0.0.1 (or its listen address):\n"
    "    hematology   the first sysmex-xn analyzer (ASTM over TCP), a host query before each tube\n"
    "    coagulation  the first sysmex-cs analyzer (ASTM over TCP)\n"
    "    flow         the first generic-hl7 analyzer on loinc-lymphocyte-subsets (HL7 over MLLP)\n"
    "  A bench with no such analyzer is left out (its tubes are neither sent nor in the truth).\n"
    "  hemalink lis-sim --lab-day N with the same --profile and --seed orders the same tubes.\n"
    "  --truth FILE      each tube sent as a JSON line: specimen_id, profile, condition,\n"
    "                    must_review, why (read by hemalink report av)\n"
    "  --qc-fail-run K   the hematology analyzer's control run K (1: the first) fails (1-3s)\n"
    "  --rate R          messages per second per analyzer (0, the default: as fast as answered)\n"
    "  --timeout SECONDS give up after this long (default 1800)\n";

struct Arguments {
  simulate::LabDayPlan plan;
  std::string config_file;
  std::string truth_file;
  double rate = 0;
  std::chrono::milliseconds timeout{1800 * 1000};
};

std::string parse_option(const std::string& flag, const std::string& value, Arguments& a) {
  double seconds = 0;
  if (flag == "--lab-day") {
    if (!parse_number(value, a.plan.specimens) || a.plan.specimens == 0)
      return fmt::format("--lab-day: expected a number of specimens, got \"{}\"", value);
  } else if (flag == "--config") {
    a.config_file = value;
  } else if (flag == "--profile") {
    const auto profile = simulate::lab_profile_from_name(value);
    if (!profile)
      return fmt::format("--profile: expected hospital, outpatient or oncology, got \"{}\"", value);
    a.plan.profile = *profile;
  } else if (flag == "--seed") {
    if (!parse_number(value, a.plan.seed))
      return fmt::format("--seed: expected a number, got \"{}\"", value);
  } else if (flag == "--truth") {
    a.truth_file = value;
  } else if (flag == "--qc-fail-run") {
    if (!parse_number(value, a.plan.qc_fail_run) || a.plan.qc_fail_run == 0)
      return fmt::format("--qc-fail-run: expected a run from 1, got \"{}\"", value);
  } else if (flag == "--rate") {
    if (!parse_number(value, a.rate) || a.rate < 0)
      return fmt::format("--rate: expected messages per second, got \"{}\"", value);
  } else if (flag == "--timeout") {
    if (!parse_number(value, seconds) || seconds <= 0)
      return fmt::format("--timeout: expected seconds, got \"{}\"", value);
    a.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
  } else {
    return fmt::format("unknown option \"{}\"", flag);
  }
  return {};
}

std::string parse(const std::vector<std::string>& args, Arguments& a) {
  for (std::size_t i = 0; i < args.size(); i += 2) {
    if (i + 1 >= args.size())
      return fmt::format("{} needs a value", args[i]);
    if (auto complaint = parse_option(args[i], args[i + 1], a); !complaint.empty())
      return complaint;
  }
  if (a.config_file.empty())
    return "--lab-day needs --config FILE: the analyzers to play are the configuration's";
  return {};
}

// One bench of the lab, played by the configuration's analyzer for it.
struct BenchLine {
  simulate::Bench bench;
  std::string analyzer;
  simulate::SimulationPlan plan;
  simulate::SimulationReport report;
};

const char* name_of(simulate::Bench bench) {
  switch (bench) {
    case simulate::Bench::Hematology:
      return "hematology";
    case simulate::Bench::Coagulation:
      return "coagulation";
    case simulate::Bench::Flow:
      return "flow";
  }
  return "";
}

bool plays(const config::AnalyzerConfig& a, simulate::Bench bench) {
  if (!std::holds_alternative<config::TcpServerTransport>(a.transport))
    return false;
  switch (bench) {
    case simulate::Bench::Hematology:
      return a.driver == "sysmex-xn" && a.protocol == model::WireProtocol::Astm;
    case simulate::Bench::Coagulation:
      return a.driver == "sysmex-cs" && a.protocol == model::WireProtocol::Astm;
    case simulate::Bench::Flow:
      return a.driver == "generic-hl7" && a.base == "loinc-lymphocyte-subsets";
  }
  return false;
}

std::optional<BenchLine> bench_line(const config::DaemonConfig& config, simulate::Bench bench,
                                    const Arguments& a) {
  for (const auto& analyzer : config.analyzers) {
    if (!plays(analyzer, bench))
      continue;
    const auto& tcp = std::get<config::TcpServerTransport>(analyzer.transport);
    BenchLine line{bench, analyzer.name, {}, {}};
    auto& plan = line.plan;
    plan.analyzer.protocol = analyzer.protocol;
    plan.analyzer.link =
        analyzer.link == config::AstmLink::Bare ? astm::LinkMode::Bare : astm::LinkMode::E1381;
    const bool is_any =
        tcp.listen_address.empty() || tcp.listen_address == "0.0.0.0" || tcp.listen_address == "::";
    plan.targets = {{is_any ? "127.0.0.1" : tcp.listen_address, tcp.port}};
    plan.rate = a.rate;
    plan.timeout = a.timeout;
    return line;
  }
  return std::nullopt;
}

bool write_truth(const simulate::LabDay& day, const std::vector<BenchLine>& lines,
                 const std::string& file) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  for (const auto& s : day.specimens) {
    const bool is_sent = std::any_of(lines.begin(), lines.end(),
                                     [&](const BenchLine& l) { return l.bench == s.bench; });
    if (is_sent)
      out << simulate::truth_line(day, s) << '\n';
  }
  return static_cast<bool>(out.flush());
}

// Whether every message of the line was answered; prints its tally.
bool print_line(const BenchLine& line, std::ostream& out) {
  std::size_t answered = 0;
  std::size_t rejected = 0;
  for (const auto& r : line.report.results) {
    answered += r.answer == simulate::Answer::Acknowledged ? 1 : 0;
    rejected += r.answer == simulate::Answer::Rejected ? 1 : 0;
  }
  const auto sent = line.report.results.size();
  fmt::print(out, "  {} on {} ({}:{}): {} messages, {} acknowledged, {} rejected, {} unanswered\n",
             name_of(line.bench), line.analyzer, line.plan.targets.front().first,
             line.plan.targets.front().second, sent, answered, rejected,
             sent - answered - rejected);
  for (const auto& e : line.report.errors)
    fmt::print(out, "    error: {}\n", e);
  return answered == sent && line.report.connected == 1;
}

}  // namespace

int run_simulate_lab_day(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err) {
  if (std::find(args.begin(), args.end(), "--help") != args.end()) {
    out << kUsage;
    return 0;
  }
  Arguments a;
  if (auto complaint = parse(args, a); !complaint.empty()) {
    fmt::print(err, "hemalink simulate: {}\n{}", complaint, kUsage);
    return 2;
  }
  auto config = config::read_daemon_config_file(a.config_file);
  if (!config) {
    for (const auto& e : config.error())
      fmt::print(err, "hemalink simulate: {}\n", e.describe());
    return 2;
  }
  const auto day = simulate::generate_lab_day(a.plan);
  const auto day_start = std::chrono::system_clock::now() - std::chrono::hours(24);
  std::vector<BenchLine> lines;
  for (auto bench :
       {simulate::Bench::Hematology, simulate::Bench::Coagulation, simulate::Bench::Flow}) {
    if (auto line = bench_line(*config, bench, a)) {
      line->plan.messages =
          simulate::bench_traffic(day, bench, day_start, bench == simulate::Bench::Hematology);
      lines.push_back(std::move(*line));
    } else {
      fmt::print(out, "  {}: no analyzer in {} plays it: its tubes are left out\n", name_of(bench),
                 a.config_file);
    }
  }
  if (!a.truth_file.empty() && !write_truth(day, lines, a.truth_file)) {
    fmt::print(err, "hemalink simulate: cannot write the truth file {}\n", a.truth_file);
    return 2;
  }
  std::vector<std::thread> threads;
  for (auto& line : lines)
    threads.emplace_back([&line] { line.report = simulate::run_simulation(line.plan); });
  for (auto& t : threads)
    t.join();
  fmt::print(out, "hemalink simulate: lab day of {} tubes ({} profile, seed {})\n",
             day.specimens.size(), simulate::name_of(a.plan.profile), a.plan.seed);
  bool is_complete = true;
  for (const auto& line : lines)
    is_complete = print_line(line, out) && is_complete;
  return is_complete ? 0 : 1;
}

}  // namespace hemalink::cli
