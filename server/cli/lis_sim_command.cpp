#include "server/cli/lis_sim_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "server/cli/errc.hpp"
#include "server/cli/shared_options.hpp"
#include "server/simulate/generated_orders.hpp"
#include "server/simulate/lab_day.hpp"
#include "server/simulate/lab_day_messages.hpp"
#include "server/simulate/lis_sim_run.hpp"
#include "server/simulate/simulation.hpp"

namespace hemalink::cli {
namespace {

struct Arguments {
  simulate::LisSimOptions options;
  std::string listen;
  std::optional<double> duration_s;
  transport::TlsServer tls;
  std::string send_orders;
  std::filesystem::path orders_file;
  std::optional<unsigned> generated_orders;
  bool is_lab_day = false;
  simulate::LabDayPlan lab_day;
};

void print_totals(std::ostream& out, const simulate::LisSimTotals& t) {
  fmt::print(
      out,
      "lis-sim: received {} message(s) on {} connection(s): {} acknowledged, {} refused, {} "
      "unanswered, {} answered late, {} connection(s) dropped; {} distinct control ID(s), {} "
      "duplicate(s)\n",
      t.received, t.connections, t.acknowledged, t.refused, t.silent, t.late, t.dropped,
      t.distinct_control_ids, t.duplicates);
}

// The orders to send: the file's messages, or generated ones; why not, when the file is unusable.
Result<std::vector<std::string>, Error> orders_of(const Arguments& a) {
  if (a.generated_orders) {
    return simulate::generate_orders(*a.generated_orders);
  }
  if (a.is_lab_day) {
    const auto day = simulate::generate_lab_day(a.lab_day);
    const auto day_start = std::chrono::system_clock::now() - std::chrono::hours(24);
    std::vector<std::string> orders;
    for (const auto& s : day.specimens) {
      orders.push_back(simulate::lis_order(day, s, day_start));
    }
    return orders;
  }
  std::ifstream in(a.orders_file, std::ios::binary);
  if (!in) {
    return Error{Errc::UnusableFile,
                 fmt::format("lis-sim: cannot read {}", a.orders_file.string())};
  }
  std::stringstream text;
  text << in.rdbuf();
  auto messages = simulate::split_order_file(text.str());
  if (messages.empty()) {
    return Error{Errc::UnusableFile,
                 fmt::format("lis-sim: {} holds no message", a.orders_file.string())};
  }
  return messages;
}

// The LIS's side of the order feed: one connection, each order answered before the next.
void send_orders(const Arguments& a, std::vector<std::string> orders, std::ostream& out) {
  const auto to = host_port_of(a.send_orders).value();
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = a.options.protocol;
  plan.targets = {to};
  plan.messages = std::move(orders);
  plan.timeout = std::chrono::minutes(10);
  const auto report = simulate::run_simulation(plan);
  std::size_t acknowledged = 0;
  std::size_t rejected = 0;
  for (const auto& r : report.results) {
    acknowledged += r.answer == simulate::Answer::Acknowledged ? 1 : 0;
    rejected += r.answer == simulate::Answer::Rejected ? 1 : 0;
  }
  fmt::print(out,
             "lis-sim: sent {} order message(s) to {}:{}: {} acknowledged, {} rejected, {} "
             "unanswered\n",
             report.results.size(), to.first, to.second, acknowledged, rejected,
             report.results.size() - acknowledged - rejected);
  for (const auto& e : report.errors) {
    fmt::print(out, "lis-sim: order feed: {}\n", e);
  }
  out.flush();
}

int lis_sim(Arguments& a, const CLI::App& command, std::ostream& out, std::ostream& err) {
  const bool has_orders = !a.orders_file.empty() || a.generated_orders || a.is_lab_day;
  if (!a.send_orders.empty() && !has_orders) {
    return refuse(err, command,
                  "--send-orders HOST:PORT needs one of --orders FILE, --generate-orders N or "
                  "--lab-day N");
  }
  std::tie(a.options.host, a.options.port) = host_port_of(a.listen).value();
  if (!a.tls.certificate.empty()) {
    a.options.tls = a.tls;
  }
  std::optional<std::chrono::milliseconds> duration;
  if (a.duration_s) {
    duration = std::chrono::milliseconds(static_cast<long long>(*a.duration_s * 1000));
  }
  std::vector<std::string> orders;
  if (has_orders) {
    auto read = orders_of(a);
    if (!read) {
      fmt::print(err, "hemalink {}\n", read.error().detail);
      return 2;
    }
    orders = std::move(*read);
  }
  std::thread sender;
  const auto listening = [&](std::uint16_t port) {
    fmt::print(out, "lis-sim: listening on {}:{} ({}{})\n", a.options.host, port,
               a.options.protocol == model::WireProtocol::Astm ? "ASTM E1381" : "HL7 MLLP",
               a.options.tls ? " over TLS" : "");
    out.flush();
    if (has_orders) {
      sender = std::thread([&a, &out, orders = std::move(orders)]() mutable {
        send_orders(a, std::move(orders), out);
      });
    }
  };
  simulate::LisSimTotals totals;
  try {
    totals = simulate::run_lis_simulator(a.options, duration, listening);
  } catch (const std::exception& e) {  // a start-up failure: it cannot listen, or record
    fmt::print(err, "hemalink {}\n", e.what());
    return 1;
  }
  if (sender.joinable()) {
    sender.join();
  }
  print_totals(out, totals);
  return 0;
}

// The faults counted over every message received, from 1.
void add_fault_options(CLI::App& app, simulate::LisSimFaults& faults) {
  const auto every = [&app](const char* name, unsigned& n, std::uint64_t least, const char* what) {
    add_whole_number_option(app, name, n, what, least);
  };
  every("--ack-every", faults.ack_every, 1,
        "acknowledge only every Nth message, stay silent on the others");
  every("--nack-every", faults.nack_every, 0,
        "refuse every Nth (HL7 AE; ASTM: no ACK of its last frame); 0: none");
  every("--silent-every", faults.silent_every, 0, "no answer to every Nth: the sender times out");
  every("--late-ack-every", faults.late_ack_every, 0,
        "withhold every Nth ACK and send it before the next reply (HL7; for ASTM it is silence)");
  every("--drop-connection-every", faults.drop_connection_every, 0,
        "close the connection on every Nth, unanswered");
}

void add_tls_options(CLI::App& app, transport::TlsServer& tls) {
  auto* certificate =
      app.add_option("--tls-certificate", tls.certificate,
                     "TLS on every connection, with this certificate (PEM) and --tls-key")
          ->type_name("PEM");
  auto* key = app.add_option("--tls-key", tls.key, "the certificate's private key (PEM)")
                  ->type_name("PEM")
                  ->needs(certificate);
  certificate->needs(key);
  app.add_option("--tls-client-ca", tls.client_ca,
                 "and a client certificate this CA signed required of each connection")
      ->type_name("PEM")
      ->needs(certificate);
}

// --send-orders and what to send: a file's orders, generated ones, or a lab day's.
void add_order_options(CLI::App& app, Arguments& a) {
  auto* to = app.add_option("--send-orders", a.send_orders,
                            "first connect to hemalink's order feed there and send the orders "
                            "(in --protocol), each answered before the next")
                 ->type_name("HOST:PORT")
                 ->check(host_port());
  auto* file = app.add_option("--orders", a.orders_file,
                              "the messages of FILE (each HL7 message starts with MSH, each ASTM "
                              "message with H; blank lines between them)")
                   ->type_name("FILE")
                   ->needs(to);
  auto* generated = app.add_option("--generate-orders", a.generated_orders,
                                   "N OML^O21 orders: a full blood count and a differential on "
                                   "specimens SMP00000000.. (those simulate --generate cbc sends)")
                        ->type_name("N")
                        ->transform(whole_number())
                        ->needs(to)
                        ->excludes(file);
  auto* lab_day = app.add_option_function<std::size_t>(
                         "--lab-day",
                         [&a](std::size_t tubes) {
                           a.is_lab_day = true;
                           a.lab_day.specimens = tubes;
                         },
                         "the orders of the lab day simulate --lab-day N plays with the same "
                         "--profile and --seed: each tube with its patient (sex, birth date, "
                         "location, priority)")
                      ->type_name("N")
                      ->transform(whole_number(1))
                      ->needs(to)
                      ->excludes(file)
                      ->excludes(generated);
  add_lab_profile_option(app, a.lab_day.profile)->needs(lab_day);
  add_whole_number_option(app, "--seed", a.lab_day.seed, "the lab day's seed")
      ->type_name("S")
      ->needs(lab_day);
}

void declare_options(CLI::App& app, Arguments& a) {
  app.footer("The Nth-message options inject faults, counted over all connections from 1.");
  app.add_option("--listen", a.listen, "where to listen (port 0: one the system chooses)")
      ->type_name("HOST:PORT")
      ->required()
      ->check(host_port());
  app.add_option_function<std::string>(
         "--protocol",
         [&a](const std::string& name) {
           a.options.protocol =
               name == "astm" ? model::WireProtocol::Astm : model::WireProtocol::Hl7;
         },
         "HL7 over MLLP or ASTM over E1381")
      ->required()
      ->check(CLI::IsMember({"hl7", "astm"}));
  add_fault_options(app, a.options.faults);
  app.add_option_function<unsigned>(
         "--delay-ms", [&a](unsigned ms) { a.options.delay = std::chrono::milliseconds(ms); },
         "wait D ms before each answer")
      ->type_name("D")
      ->transform(whole_number());
  app.add_option("--record", a.options.record_file,
                 "each message received as a JSON line (control ID, specimen, placer numbers, "
                 "codes, values, statuses, reply, duplicate)")
      ->type_name("FILE");
  app.add_option("--duration", a.duration_s, "stop by itself after this long")
      ->type_name("SECONDS")
      ->check(number_above(0));
  add_tls_options(app, a.tls);
  add_order_options(app, a);
}

}  // namespace

void add_lis_sim_command(CLI::App& hemalink, CommandActions& actions) {
  add_command<Arguments>(
      hemalink, actions, "lis-sim",
      "be a LIS: receive HL7 ORU over MLLP (or ASTM over E1381) and acknowledge each message, "
      "inject faults on demand, record each message as a JSON line, print the totals on SIGTERM "
      "or SIGINT (duplicates by control ID included)",
      declare_options, lis_sim);
}

}  // namespace hemalink::cli
