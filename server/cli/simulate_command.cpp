#include "server/cli/simulate_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server/cli/capture_messages.hpp"
#include "server/cli/errc.hpp"
#include "server/cli/shared_options.hpp"
#include "server/cli/simulate_lab_day.hpp"
#include "server/files/text_file.hpp"
#include "server/simulate/generated_messages.hpp"
#include "server/simulate/host_queries.hpp"
#include "server/simulate/lab_day_messages.hpp"
#include "server/simulate/qc_traffic.hpp"
#include "server/simulate/simulation.hpp"

namespace hemalink::cli {
namespace {

struct Arguments {
  simulate::SimulationPlan plan;
  std::string protocol;  ///< astm or hl7; empty: not given.
  std::vector<std::string> to;
  std::string listen;
  std::optional<std::string> serial;
  std::vector<std::string> files;
  std::optional<simulate::Panel> panel;
  bool is_lab_day_traffic = false;
  std::size_t count = 100;
  std::uint32_t seed = 1;
  bool as_json = false;
  bool query_first = false;
  std::optional<std::size_t> qc_every;
  std::size_t qc_fail_run = 0;
  double mcv_shift_pct = 0;
  std::optional<double> timeout_s;
  bool is_lab_day = false;  ///< --lab-day: the other mode.
  LabDayRun lab_day;
};

// What the QC options need: a CBC over ASTM, the order kept (one connection).
Result<void, Error> check_qc_options(const Arguments& a) {
  if (!a.qc_every) {
    if (a.qc_fail_run > 0) {
      return Error{Errc::BadOptions, "--qc-fail-run needs --qc-every (or --lab-day)"};
    }
    return {};
  }
  if (a.panel != simulate::Panel::Cbc || a.is_lab_day_traffic ||
      a.plan.analyzer.protocol != model::WireProtocol::Astm) {
    return Error{Errc::BadOptions,
                 "--qc-every: the simulated XN sends its QC with --generate cbc --protocol astm"};
  }
  if (a.plan.connections != 1) {
    return Error{Errc::BadOptions,
                 "--qc-every: one connection, so controls and patients arrive in order"};
  }
  if (a.qc_fail_run > 1 + a.count / *a.qc_every) {
    return Error{Errc::BadOptions, fmt::format("--qc-fail-run: there are {} control runs",
                                               1 + a.count / *a.qc_every)};
  }
  return {};
}

// Where the analyzer's connections go, from --to, --listen or --serial; false without one.
bool settle_endpoint(Arguments& a) {
  auto& plan = a.plan;
  if (!a.to.empty()) {
    plan.endpoint = simulate::Endpoint::Connect;
    for (const auto& target : a.to) {
      plan.targets.push_back(host_port_of(target).value());
    }
  } else if (!a.listen.empty()) {
    plan.endpoint = simulate::Endpoint::Listen;
    plan.targets = {host_port_of(a.listen).value()};
  } else if (a.serial) {
    plan.endpoint = simulate::Endpoint::Serial;
    plan.device = *a.serial;
  } else {
    return false;
  }
  return true;
}

// What CLI11 cannot tell of an analyzer's run: the plan completed from the options, or the
// complaint.
Result<void, Error> settle(Arguments& a) {
  auto& plan = a.plan;
  if (a.protocol.empty()) {
    return Error{Errc::BadOptions, "--protocol astm or --protocol hl7 is required"};
  }
  plan.analyzer.protocol =
      a.protocol == "hl7" ? model::WireProtocol::Hl7 : model::WireProtocol::Astm;
  if (!settle_endpoint(a)) {
    return Error{Errc::BadOptions, "one of --to, --listen or --serial is required"};
  }
  if (plan.endpoint == simulate::Endpoint::Serial && plan.connections != 1) {
    return Error{Errc::BadOptions, "--serial: a serial line is one connection"};
  }
  if (a.files.empty() && !a.panel && plan.hold.count() == 0 && plan.downloads == 0) {
    return Error{Errc::BadOptions,
                 "--file, --generate or --download is required (or --hold alone, to keep idle "
                 "connections open)"};
  }
  if (a.timeout_s) {
    plan.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*a.timeout_s * 1000));
  }
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
Result<void, Error> load_files(Arguments& a) {
  const bool wants_hl7 = a.plan.analyzer.protocol == model::WireProtocol::Hl7;
  for (const auto& file : a.files) {
    auto content = files::read_text_file(file);
    if (!content)
      return Error{Errc::UnusableFile, fmt::format("{}: cannot read the file", file)};
    std::vector<std::string> warnings;
    auto captured = read_messages(std::move(*content), {}, warnings);
    if (!captured)
      return Error{Errc::UnusableFile, fmt::format("{}: {}", file, captured.error().describe())};
    if ((captured->protocol == WireProtocol::Hl7) != wants_hl7)
      return Error{
          Errc::UnusableFile,
          fmt::format("{}: holds {} messages, not {}", file,
                      captured->protocol == WireProtocol::Hl7 ? "HL7" : "ASTM", a.protocol)};
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

// The lab day of --lab-day, with the options both modes have.
int play(const Arguments& a, const CLI::App& command, std::ostream& out, std::ostream& err) {
  auto run = a.lab_day;
  run.plan.seed = a.seed;
  run.plan.qc_fail_run = a.qc_fail_run;
  run.rate = a.plan.rate;
  if (a.timeout_s) {
    if (*a.timeout_s <= 0) {
      return refuse(err, command, "--timeout: a lab day needs more than 0 seconds");
    }
    run.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*a.timeout_s * 1000));
  }
  return play_lab_day(run, out, err);
}

// An analyzer's run: the messages sent, the answers counted.
int send(Arguments& a, const CLI::App& command, std::ostream& out, std::ostream& err) {
  if (auto settled = settle(a); !settled) {
    return refuse(err, command, settled.error().detail);
  }
  if (a.panel) {
    a.plan.messages = generated_messages(a);
  } else if (auto loaded = load_files(a); !loaded) {
    fmt::print(err, "hemalink simulate: {}\n", loaded.error().detail);
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

// Where an analyzer's connections go, and how.
std::vector<CLI::Option*> add_link_options(CLI::App& app, Arguments& a) {
  auto& plan = a.plan;
  std::vector<CLI::Option*> options;
  options.push_back(app.add_option_function<std::string>(
                           "--protocol", [&a](const std::string& name) { a.protocol = name; },
                           "ASTM (LIS02-A2 records) or HL7 (ORU^R01 over MLLP); required")
                        ->check(CLI::IsMember({"astm", "hl7"})));
  options.push_back(
      app.add_option_function<std::string>(
             "--link",
             [&plan](const std::string& name) {
               plan.analyzer.link = name == "bare" ? astm::LinkMode::Bare : astm::LinkMode::E1381;
             },
             "ASTM: E1381 frames, each acknowledged, or bare records (no acknowledgements)")
          ->default_str("e1381")
          ->check(CLI::IsMember({"e1381", "bare"})));
  auto* to = app.add_option("--to", a.to,
                            "dial the host; may be repeated: connection k dials the (k mod n)th "
                            "address")
                 ->type_name("HOST:PORT")
                 ->allow_extra_args(false)
                 ->check(host_port());
  auto* listen = app.add_option("--listen", a.listen, "wait for the host to dial this address")
                     ->type_name("HOST:PORT")
                     ->check(host_port())
                     ->excludes(to);
  auto* serial = app.add_option("--serial", a.serial, "send over this serial line")
                     ->type_name("DEVICE")
                     ->excludes(to)
                     ->excludes(listen);
  options.insert(options.end(), {to, listen, serial});
  options.push_back(add_whole_number_option(app, "--baud", plan.baud, "the serial line's speed", 1)
                        ->needs(serial));
  options.push_back(add_whole_number_option(app, "--connections", plan.connections,
                                            "message i goes on connection i mod K", 1)
                        ->type_name("K"));
  options.push_back(add_whole_number_option(app, "--corrupt-every", plan.analyzer.corrupt_every,
                                            "damage the checksum of every Nth E1381 frame once "
                                            "(the host NAKs it); 0: none"));
  options.push_back(
      app.add_option_function<double>(
             "--hold",
             [&plan](double seconds) {
               plan.hold = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
             },
             "keep the connections open this long after the last message (alone: idle "
             "connections)")
          ->type_name("SECONDS")
          ->check(number_from(0)));
  return options;
}

// What the analyzer sends: capture files, generated messages, or the host's work.
std::vector<CLI::Option*> add_message_options(CLI::App& app, Arguments& a) {
  auto* files =
      app.add_option("--file", a.files, "send the messages of this capture file; may be repeated")
          ->type_name("FILE")
          ->allow_extra_args(false);
  auto* generate =
      app.add_option_function<std::string>(
             "--generate",
             [&a](const std::string& name) {
               a.is_lab_day_traffic = name == "lab-day";
               a.panel = a.is_lab_day_traffic ? simulate::Panel::Cbc
                                              : simulate::panel_from_name(name).value();
             },
             "send generated messages. lab-day: the hematology tubes of a hospital lab day "
             "(blood, not numbers: see --lab-day), as the Sysmex XN sends them (astm) or as "
             "ORU^R01 in LOINC (hl7); cbc: 30 results drawn each on its own, for codec and load "
             "tests; coag, flow: the Sysmex CS's and the BD FACS's panels")
          ->check(CLI::IsMember({"cbc", "lab-day", "coag", "flow"}))
          ->excludes(files);
  auto* query_first =
      app.add_flag("--query-first", a.query_first,
                   "before each message, ask the host what to run on its specimen (ASTM Q "
                   "record; HL7 QBP^Q11, IHE LAW LAB-27) and wait for the answer; the "
                   "query-to-answer latency is reported apart");
  auto* qc_every = app.add_option("--qc-every", a.qc_every,
                                  "with --generate cbc over ASTM: a Sysmex XN with its QC. A "
                                  "control run (XN-CHECK levels 1 and 2, lot 4411, as "
                                  "config/qc/controls.json defines them) before the first "
                                  "patient and after every N patients (--count); the controls "
                                  "read within 1.5 SD of their targets")
                       ->type_name("N")
                       ->transform(whole_number(1))
                       ->needs(generate);
  return {
      files,
      generate,
      add_whole_number_option(app, "--count", a.count, "how many messages to generate")
          ->needs(generate),
      query_first,
      app.add_option("--download", a.plan.downloads,
                     "download mode: wait until the host has sent work for N specimens (ASTM O "
                     "records, HL7 OML^O33) and send results for exactly the tests of each "
                     "(--file/--generate optional: sent first)")
          ->type_name("N")
          ->transform(whole_number(1))
          ->excludes(query_first),
      qc_every,
      app.add_option("--mcv-shift", a.mcv_shift_pct,
                     "from the middle patient on, MCV and MCH read PCT % higher (an RBC drift "
                     "the XbarM sees)")
          ->type_name("PCT")
          ->check(number_above(-50, 100))
          ->needs(qc_every),
      app.add_flag("--json", a.as_json, "print the report as one JSON object"),
  };
}

// --lab-day and the options only it reads.
CLI::Option* add_lab_day_options(CLI::App& app, LabDayRun& run, bool& is_lab_day) {
  auto* config = app.add_option("--config", run.config_file,
                                "the daemon configuration whose analyzers play the day")
                     ->type_name("FILE");
  auto* lab_day =
      app.add_option_function<std::size_t>(
             "--lab-day",
             [&run, &is_lab_day](std::size_t tubes) {
               is_lab_day = true;
               run.plan.specimens = tubes;
             },
             "play a laboratory day of N tubes (blood with a case mix, analyzer flags, "
             "artefacts, control runs at shift start and every 8 hours) on the analyzers the "
             "configuration names, all at once, each on its own connection to 127.0.0.1 (or its "
             "listen address): hematology on the first sysmex-xn analyzer (ASTM over TCP), a "
             "host query before each tube; coagulation on the first sysmex-cs analyzer (ASTM "
             "over TCP); flow on the first generic-hl7 analyzer on loinc-lymphocyte-subsets (HL7 "
             "over MLLP). A bench with no such analyzer is left out (its tubes are neither sent "
             "nor in the truth). hemalink lis-sim --lab-day N with the same --profile and --seed "
             "orders the same tubes")
          ->type_name("N")
          ->transform(whole_number(1))
          ->needs(config);
  config->needs(lab_day);
  auto* profile = add_lab_profile_option(app, run.plan.profile)->needs(lab_day);
  auto* truth = app.add_option("--truth", run.truth_file,
                               "each tube sent as a JSON line: specimen_id, profile, condition, "
                               "must_review, why (read by hemalink report av)")
                    ->type_name("FILE")
                    ->needs(lab_day);
  for (auto* o : {lab_day, config, profile, truth}) {
    o->group("Lab day (--lab-day N --config FILE: none of the analyzer's options)");
  }
  return lab_day;
}

// The options of both modes.
void add_common_options(CLI::App& app, Arguments& a) {
  add_whole_number_option(app, "--seed", a.seed, "the generator's seed (--generate, --lab-day)")
      ->type_name("S");
  app.add_option("--rate", a.plan.rate,
                 "messages per second over all connections (per analyzer with --lab-day); 0: as "
                 "fast as acknowledged")
      ->type_name("R")
      ->capture_default_str()
      ->check(number_from(0));
  app.add_option("--timeout", a.timeout_s, "give up after this long (default 300; --lab-day: 1800)")
      ->type_name("SECONDS")
      ->check(number_from(0));
  app.add_option("--qc-fail-run", a.qc_fail_run,
                 "control run K (1: the first) reads +3.5 SD on level 1: a 1-3s rejection, the "
                 "tests out until the next run (--qc-every; with --lab-day the hematology "
                 "analyzer's run)")
      ->type_name("K")
      ->transform(whole_number(1));
}

void declare_options(CLI::App& app, Arguments& a) {
  add_common_options(app, a);
  auto analyzer_only = add_link_options(app, a);
  const auto messages = add_message_options(app, a);
  analyzer_only.insert(analyzer_only.end(), messages.begin(), messages.end());
  auto* lab_day = add_lab_day_options(app, a.lab_day, a.is_lab_day);
  for (auto* o : analyzer_only) {
    o->group("Analyzer (without --lab-day)")->excludes(lab_day);
  }
}

// An analyzer's run, or a lab day's.
int act(Arguments& a, const CLI::App& command, std::ostream& out, std::ostream& err) {
  return a.is_lab_day ? play(a, command, out, err) : send(a, command, out, err);
}

}  // namespace

void add_simulate_command(CLI::App& hemalink, CommandActions& actions) {
  add_command<Arguments>(
      hemalink, actions, "simulate",
      "be an analyzer: send messages with the full link layer (E1381 or bare ASTM, or MLLP), "
      "check every acknowledgement, print counts and latencies; exit 1 when a message was not "
      "acknowledged. Or, with --lab-day N --config FILE, play a generated laboratory day on the "
      "configuration's analyzers, its truth to --truth FILE",
      declare_options, act);
}

}  // namespace hemalink::cli
