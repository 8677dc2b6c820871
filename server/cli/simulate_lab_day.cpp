#include "server/cli/simulate_lab_day.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <thread>

#include "server/daemon/daemon_config.hpp"
#include "server/simulate/lab_day.hpp"
#include "server/simulate/lab_day_messages.hpp"
#include "server/simulate/simulation.hpp"

namespace hemalink::cli {
namespace {

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

std::optional<BenchLine> bench_line(const daemon::DaemonConfig& config, simulate::Bench bench,
                                    const LabDayRun& a) {
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

int play_lab_day(const LabDayRun& a, std::ostream& out, std::ostream& err) {
  auto config = daemon::read_daemon_config_file(a.config_file);
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
