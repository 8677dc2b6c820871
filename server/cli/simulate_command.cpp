#include "server/cli/simulate_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server/cli/capture_messages.hpp"
#include "server/cli/command_arguments.hpp"
#include "server/cli/simulate_lab_day.hpp"
#include "server/files/text_file.hpp"
#include "server/simulate/generated_messages.hpp"
#include "server/simulate/host_queries.hpp"
#include "server/simulate/lab_day_messages.hpp"
#include "server/simulate/qc_traffic.hpp"
#include "server/simulate/simulation.hpp"

namespace hemalink::cli {
namespace {

constexpr const char* kUsage =
    "usage: hemalink simulate --protocol astm|hl7 [--link e1381|bare]\n"
    "         (--to HOST:PORT | --listen HOST:PORT | --serial DEVICE [--baud N])\n"
    "         (--file F [--file F...] | --generate cbc|lab-day|coag|flow [--count N] [--seed S])\n"
    "         [--rate R] [--connections K] [--corrupt-every N] [--hold SECONDS]\n"
    "         [--timeout SECONDS] [--query-first | --download N] [--json]\n"
    "         [--qc-every N [--qc-fail-run K] [--mcv-shift PCT]]\n"
    "   or: hemalink simulate --lab-day N --config FILE ... (simulate --lab-day --help)\n"
    "  --generate lab-day  the hematology tubes of a hospital lab day (blood, not numbers: see\n"
    "                    --lab-day), as the Sysmex XN sends them (astm) or as ORU^R01 in LOINC\n"
    "                    (hl7); cbc: 30 results drawn each on its own, for codec and load tests\n"
    "  --rate R          messages per second over all connections (0: as fast as acknowledged)\n"
    "  --to              may be repeated: connection k dials the (k mod n)th address\n"
    "  --connections K   message i goes on connection i mod K\n"
    "  --corrupt-every N damage the checksum of every Nth E1381 frame once (the host NAKs it)\n"
    "  --hold SECONDS    keep the connections open this long after the last message\n"
    "  --timeout SECONDS give up after this long (default 300)\n"
    "  --query-first     before each message, ask the host what to run on its specimen (ASTM Q\n"
    "                    record; HL7 QBP^Q11, IHE LAW LAB-27) and wait for the answer; the\n"
    "                    query-to-answer latency is reported apart\n"
    "  --download N      download mode: wait until the host has sent work for N specimens\n"
    "                    (ASTM O records, HL7 OML^O33) and send results for exactly the tests\n"
    "                    of each (--file/--generate optional: sent first)\n"
    "  --qc-every N      with --generate cbc over ASTM: a Sysmex XN with its QC. A control run\n"
    "                    (XN-CHECK levels 1 and 2, lot 4411, as config/qc/controls.json defines\n"
    "                    them) before the first patient and after every N patients (--count);\n"
    "                    the controls read within 1.5 SD of their targets\n"
    "  --qc-fail-run K   control run K (1: the first) reads +3.5 SD on level 1: a 1-3s rejection,\n"
    "                    the tests out until the next run\n"
    "  --mcv-shift PCT   from the middle patient on, MCV and MCH read PCT % higher (an RBC\n"
    "                    drift the XbarM sees)\n"
    "  --json            print the report as one JSON object\n";

struct Arguments {
  simulate::SimulationPlan plan;
  std::optional<std::string> protocol;
  std::vector<std::string> files;
  std::optional<simulate::Panel> panel;
  std::size_t count = 100;
  std::uint32_t seed = 1;
  bool as_json = false;
  bool query_first = false;
  bool is_lab_day_traffic = false;
  std::optional<std::size_t> qc_every;
  std::size_t qc_fail_run = 0;
  double mcv_shift_pct = 0;
};

// The QC options: true when `flag` is one (its complaint, if any, in `complaint`).
bool parse_qc_option(const std::string& flag, const std::string& value, Arguments& a,
                     std::string& complaint) {
  if (flag == "--qc-every") {
    std::size_t every = 0;
    if (!parse_number(value, every) || every == 0)
      complaint = fmt::format("--qc-every: expected a number of patients, got \"{}\"", value);
    a.qc_every = every;
  } else if (flag == "--qc-fail-run") {
    if (!parse_number(value, a.qc_fail_run) || a.qc_fail_run == 0)
      complaint = fmt::format("--qc-fail-run: expected a run from 1, got \"{}\"", value);
  } else if (flag == "--mcv-shift") {
    if (!parse_number(value, a.mcv_shift_pct) || a.mcv_shift_pct <= -50 || a.mcv_shift_pct > 100)
      complaint = fmt::format("--mcv-shift: expected a per cent above -50, got \"{}\"", value);
  } else {
    return false;
  }
  return true;
}

// What the QC options need: a CBC over ASTM, the order kept (one connection).
std::string check_qc_options(const Arguments& a) {
  if (!a.qc_every) {
    return a.qc_fail_run > 0 || a.mcv_shift_pct != 0
               ? "--qc-fail-run and --mcv-shift need --qc-every"
               : "";
  }
  if (a.panel != simulate::Panel::Cbc || a.is_lab_day_traffic ||
      a.plan.analyzer.protocol != model::WireProtocol::Astm)
    return "--qc-every: the simulated XN sends its QC with --generate cbc --protocol astm";
  if (a.plan.connections != 1)
    return "--qc-every: one connection, so controls and patients arrive in order";
  if (a.qc_fail_run > 1 + a.count / *a.qc_every)
    return fmt::format("--qc-fail-run: there are {} control runs", 1 + a.count / *a.qc_every);
  return {};
}

bool add_target(const std::string& text,
                std::vector<std::pair<std::string, std::uint16_t>>& targets) {
  std::pair<std::string, std::uint16_t> target;
  if (!parse_host_port(text, target))
    return false;
  targets.push_back(std::move(target));
  return true;
}

// Reads the options; returns the complaint, or "" when they make sense.
std::string parse(const std::vector<std::string>& args, Arguments& a) {
  auto& plan = a.plan;
  bool has_endpoint = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& flag = args[i];
    if (flag == "--query-first") {
      a.query_first = true;
      continue;
    }
    if (flag == "--json") {
      a.as_json = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      return fmt::format("{} needs a value", flag);
    }
    const auto& value = args[++i];
    double seconds = 0;
    std::string complaint;
    if (parse_qc_option(flag, value, a, complaint)) {
      if (!complaint.empty())
        return complaint;
    } else if (flag == "--protocol") {
      a.protocol = value;
    } else if (flag == "--link") {
      if (value != "e1381" && value != "bare")
        return fmt::format("--link: expected e1381 or bare, got \"{}\"", value);
      plan.analyzer.link = value == "bare" ? astm::LinkMode::Bare : astm::LinkMode::E1381;
    } else if (flag == "--to" || flag == "--listen") {
      if (!add_target(value, plan.targets))
        return fmt::format("{}: expected HOST:PORT, got \"{}\"", flag, value);
      plan.endpoint = flag == "--to" ? simulate::Endpoint::Connect : simulate::Endpoint::Listen;
      has_endpoint = true;
    } else if (flag == "--serial") {
      plan.device = value;
      plan.endpoint = simulate::Endpoint::Serial;
      has_endpoint = true;
    } else if (flag == "--baud") {
      if (!parse_number(value, plan.baud))
        return fmt::format("--baud: expected a number, got \"{}\"", value);
    } else if (flag == "--file") {
      a.files.push_back(value);
    } else if (flag == "--generate") {
      a.is_lab_day_traffic = value == "lab-day";
      a.panel = a.is_lab_day_traffic ? simulate::Panel::Cbc : simulate::panel_from_name(value);
      if (!a.panel)
        return fmt::format("--generate: expected cbc, lab-day, coag or flow, got \"{}\"", value);
    } else if (flag == "--download") {
      if (!parse_number(value, plan.downloads) || plan.downloads == 0)
        return fmt::format("--download: expected a number of specimens, got \"{}\"", value);
    } else if (flag == "--count") {
      if (!parse_number(value, a.count))
        return fmt::format("--count: expected a number, got \"{}\"", value);
    } else if (flag == "--seed") {
      if (!parse_number(value, a.seed))
        return fmt::format("--seed: expected a number, got \"{}\"", value);
    } else if (flag == "--rate") {
      if (!parse_number(value, plan.rate) || plan.rate < 0)
        return fmt::format("--rate: expected messages per second, got \"{}\"", value);
    } else if (flag == "--connections") {
      if (!parse_number(value, plan.connections) || plan.connections == 0)
        return fmt::format("--connections: expected at least 1, got \"{}\"", value);
    } else if (flag == "--corrupt-every") {
      if (!parse_number(value, plan.analyzer.corrupt_every))
        return fmt::format("--corrupt-every: expected a number, got \"{}\"", value);
    } else if (flag == "--hold" || flag == "--timeout") {
      if (!parse_number(value, seconds) || seconds < 0)
        return fmt::format("{}: expected seconds, got \"{}\"", flag, value);
      auto& target = flag == "--hold" ? plan.hold : plan.timeout;
      target = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
    } else {
      return fmt::format("unknown option \"{}\"", flag);
    }
  }
  if (!a.protocol || (*a.protocol != "astm" && *a.protocol != "hl7"))
    return "--protocol astm or --protocol hl7 is required";
  plan.analyzer.protocol =
      *a.protocol == "hl7" ? model::WireProtocol::Hl7 : model::WireProtocol::Astm;
  if (!has_endpoint)
    return "one of --to, --listen or --serial is required";
  if (plan.endpoint == simulate::Endpoint::Listen && plan.targets.size() != 1)
    return "--listen: one address";
  if (plan.endpoint == simulate::Endpoint::Serial && plan.connections != 1)
    return "--serial: a serial line is one connection";
  if (!a.files.empty() && a.panel)
    return "--file and --generate exclude each other";
  if (a.query_first && plan.downloads > 0)
    return "--query-first and --download exclude each other";
  if (a.files.empty() && !a.panel && plan.hold.count() == 0 && plan.downloads == 0)
    return "--file, --generate or --download is required (or --hold alone, to keep idle "
           "connections open)";
  return check_qc_options(a);
}

std::vector<std::string> generated_messages(const Arguments& a) {
  if (a.is_lab_day_traffic) {
    return simulate::lab_day_cbc_messages(a.plan.analyzer.protocol, a.count, a.seed);
  }
  if (!a.qc_every) {
    return simulate::generate(*a.panel, a.plan.analyzer.protocol, a.count, a.seed);
  }
  simulate::QcTraffic traffic;
  traffic.patients = a.count;
  traffic.qc_every = *a.qc_every;
  traffic.fail_run = a.qc_fail_run;
  traffic.mcv_shift_pct = a.mcv_shift_pct;
  traffic.seed = a.seed;
  traffic.last_measured = std::chrono::system_clock::now();
  return simulate::qc_traffic_messages(traffic);
}

// The messages of capture files, as the analyzer sends them: record terminators made CR.
std::string load_files(Arguments& a) {
  const bool wants_hl7 = a.plan.analyzer.protocol == model::WireProtocol::Hl7;
  for (const auto& file : a.files) {
    auto content = files::read_text_file(file);
    if (!content)
      return fmt::format("{}: cannot read the file", file);
    std::vector<std::string> warnings;
    auto captured = read_messages(std::move(*content), {}, warnings);
    if (!captured)
      return fmt::format("{}: {}", file, captured.error().describe());
    if ((captured->protocol == WireProtocol::Hl7) != wants_hl7)
      return fmt::format("{}: holds {} messages, not {}", file,
                         captured->protocol == WireProtocol::Hl7 ? "HL7" : "ASTM", *a.protocol);
    for (const auto& m : captured->astm)
      a.plan.messages.push_back(simulate::with_cr_records(m.message.text()));
    for (const auto& m : captured->hl7)
      a.plan.messages.push_back(simulate::with_cr_records(m.message.text()));
  }
  return {};
}

double percentile(std::vector<double> values, double p) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(at, values.size() - 1)];
}

struct Tally {
  std::size_t acknowledged = 0, rejected = 0, written = 0, unacknowledged = 0;
  std::vector<double> latencies_ms;
  std::vector<double> query_latencies_ms;  ///< With --query-first: query to the host's answer.
};

// Each message preceded by the host query for its specimen, both on one connection.
void put_queries_first(simulate::SimulationPlan& plan) {
  std::vector<std::string> paired;
  for (std::size_t i = 0; i < plan.messages.size(); ++i) {
    paired.push_back(simulate::query_for(plan.messages[i], plan.analyzer.protocol, i));
    paired.push_back(std::move(plan.messages[i]));
  }
  plan.messages = std::move(paired);
  plan.group = 2;
}

Tally tally(const simulate::SimulationReport& report, bool query_first) {
  Tally t;
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const auto& r = report.results[i];
    if (query_first && i % 2 == 0) {
      if (r.answer == simulate::Answer::Acknowledged)
        t.query_latencies_ms.push_back(static_cast<double>(r.latency.count()) / 1000.0);
    }
    switch (r.answer) {
      case simulate::Answer::Acknowledged:
        ++t.acknowledged;
        break;
      case simulate::Answer::Rejected:
        ++t.rejected;
        break;
      case simulate::Answer::Written:
        ++t.written;
        break;
      case simulate::Answer::Unacknowledged:
        ++t.unacknowledged;
        break;
    }
    if ((r.answer == simulate::Answer::Acknowledged || r.answer == simulate::Answer::Rejected) &&
        !(query_first && i % 2 == 0)) {
      t.latencies_ms.push_back(static_cast<double>(r.latency.count()) / 1000.0);
    }
  }
  return t;
}

void print_text(const Arguments& a, const simulate::SimulationReport& report, const Tally& t,
                std::ostream& out) {
  const double seconds = static_cast<double>(report.elapsed.count()) / 1e6;
  const auto n = report.results.size();
  fmt::print(out,
             "hemalink simulate: {} messages on {} of {} connection(s) in {:.2f} s ({:.1f} "
             "messages/s)\n",
             n, report.connected, a.plan.connections, seconds,
             seconds > 0 ? static_cast<double>(n) / seconds : 0.0);
  if (t.written > 0) {
    fmt::print(out, "  written {} (a bare ASTM link has no acknowledgements)\n", t.written);
  }
  fmt::print(out, "  sent {}, acknowledged {}, rejected (AE) {}, unacknowledged {}\n", n,
             t.acknowledged, t.rejected, t.unacknowledged);
  fmt::print(out, "  frames NAKed and sent again {} (damaged on purpose {}); HL7 resends {}\n",
             report.counts.frames_sent_again, report.counts.corrupted, report.counts.resends);
  if (!t.latencies_ms.empty()) {
    fmt::print(out,
               "  latency, last byte sent to acknowledgement: p50 {:.2f} ms, p99 {:.2f} ms, "
               "max {:.2f} ms\n",
               percentile(t.latencies_ms, 0.5), percentile(t.latencies_ms, 0.99),
               percentile(t.latencies_ms, 1.0));
  }
  if (a.plan.downloads > 0) {
    fmt::print(out,
               "  work downloaded by the host for {} of {} specimen(s), results sent for each\n",
               report.downloaded, a.plan.downloads);
  }
  if (a.query_first) {
    fmt::print(out,
               "  host queries answered {} of {}: query to answer p50 {:.2f} ms, p99 {:.2f} ms, "
               "max {:.2f} ms\n",
               t.query_latencies_ms.size(), n / 2, percentile(t.query_latencies_ms, 0.5),
               percentile(t.query_latencies_ms, 0.99), percentile(t.query_latencies_ms, 1.0));
  }
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    if (report.results[i].answer == simulate::Answer::Unacknowledged) {
      fmt::print(out, "  message {} unacknowledged{}{}\n", i + 1,
                 report.results[i].detail.empty() ? "" : ": ", report.results[i].detail);
    }
  }
  for (const auto& e : report.errors) {
    fmt::print(out, "  error: {}\n", e);
  }
}

void print_json(const simulate::SimulationReport& report, const Tally& t, std::ostream& out) {
  nlohmann::json answers = nlohmann::json::array();
  for (const auto& r : report.results)
    answers.push_back(simulate::to_string(r.answer));
  nlohmann::json j = {
      {"messages", report.results.size()},
      {"connected", report.connected},
      {"acknowledged", t.acknowledged},
      {"rejected", t.rejected},
      {"written", t.written},
      {"unacknowledged", t.unacknowledged},
      {"frames_sent_again", report.counts.frames_sent_again},
      {"frames_damaged", report.counts.corrupted},
      {"hl7_resends", report.counts.resends},
      {"host_messages", report.counts.host_messages},
      {"elapsed_s", static_cast<double>(report.elapsed.count()) / 1e6},
      {"latency_p50_ms", percentile(t.latencies_ms, 0.5)},
      {"latency_p99_ms", percentile(t.latencies_ms, 0.99)},
      {"queries_answered", t.query_latencies_ms.size()},
      {"query_latency_p50_ms", percentile(t.query_latencies_ms, 0.5)},
      {"query_latency_p99_ms", percentile(t.query_latencies_ms, 0.99)},
      {"downloaded", report.downloaded},
      {"answers", answers},
      {"errors", report.errors},
  };
  out << j.dump() << "\n";
}

}  // namespace

int run_simulate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    out << kUsage;
    return 0;
  }
  if (std::find(args.begin(), args.end(), "--lab-day") != args.end()) {
    return run_simulate_lab_day(args, out, err);
  }
  Arguments a;
  auto complaint = parse(args, a);
  if (complaint.empty()) {
    if (a.panel) {
      a.plan.messages = generated_messages(a);
    } else {
      complaint = load_files(a);
    }
  }
  if (!complaint.empty()) {
    fmt::print(err, "hemalink simulate: {}\n{}", complaint, kUsage);
    return 2;
  }
  if (a.query_first) {
    put_queries_first(a.plan);
  }
  const auto report = simulate::run_simulation(a.plan);
  const auto t = tally(report, a.query_first);
  if (a.as_json) {
    print_json(report, t, out);
  } else {
    print_text(a, report, t, out);
  }
  const bool is_complete = t.unacknowledged == 0 && report.connected == a.plan.connections &&
                           report.downloaded >= a.plan.downloads;
  return is_complete ? 0 : 1;
}

}  // namespace hemalink::cli
