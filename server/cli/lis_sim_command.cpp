#include "server/cli/lis_sim_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "server/cli/command_arguments.hpp"
#include "server/simulate/generated_orders.hpp"
#include "server/simulate/lab_day.hpp"
#include "server/simulate/lab_day_messages.hpp"
#include "server/simulate/lis_sim_run.hpp"
#include "server/simulate/simulation.hpp"

namespace hemalink::cli {
namespace {

constexpr const char* kUsage =
    "usage: hemalink lis-sim --listen HOST:PORT --protocol hl7|astm\n"
    "         [--ack-every N] [--nack-every N] [--silent-every N] [--late-ack-every N]\n"
    "         [--drop-connection-every N] [--delay-ms D] [--record FILE] [--duration SECONDS]\n"
    "         [--tls-certificate PEM --tls-key PEM [--tls-client-ca PEM]]\n"
    "         [--send-orders HOST:PORT (--orders FILE | --generate-orders N |\n"
    "          --lab-day N [--profile hospital|outpatient|oncology] [--seed S])]\n"
    "  a LIS: receives HL7 ORU over MLLP (or ASTM over E1381) and acknowledges each message;\n"
    "  with --send-orders it first connects to hemalink's order feed there and sends its orders\n"
    "  (in --protocol), each answered before the next:\n"
    "  --orders FILE             the messages of FILE (each HL7 message starts with MSH, each\n"
    "                            ASTM message with H; blank lines between them)\n"
    "  --generate-orders N       N OML^O21 orders: a full blood count and a differential on\n"
    "                            specimens SMP00000000.. (those simulate --generate cbc sends)\n"
    "  --lab-day N               the orders of the lab day simulate --lab-day N plays with the\n"
    "                            same --profile (default hospital) and --seed (default 1): each\n"
    "                            tube with its patient (sex, birth date, location, priority)\n"
    "  the Nth-message options inject faults, counted over all connections from 1:\n"
    "  --ack-every N             acknowledge only every Nth message, stay silent on the others\n"
    "  --nack-every N            refuse every Nth (HL7 AE; ASTM: no ACK of its last frame)\n"
    "  --silent-every N          no answer to every Nth: the sender times out\n"
    "  --late-ack-every N        withhold every Nth ACK and send it before the next reply\n"
    "                            (HL7; for ASTM it is silence)\n"
    "  --drop-connection-every N close the connection on every Nth, unanswered\n"
    "  --delay-ms D              wait D ms before each answer\n"
    "  --record FILE             each message received as a JSON line (control ID, specimen,\n"
    "                            placer numbers, codes, values, statuses, reply, duplicate)\n"
    "  --duration SECONDS        stop by itself after this long\n"
    "  --tls-certificate, --tls-key  TLS on every connection, with this certificate and key;\n"
    "  --tls-client-ca PEM       and a client certificate this CA signed required of each\n"
    "  On SIGTERM or SIGINT it prints its totals, duplicates by control ID included.\n";

struct Arguments {
  simulate::LisSimOptions options;
  std::optional<double> duration_s;
  std::optional<std::pair<std::string, std::uint16_t>> send_orders_to;
  std::filesystem::path orders_file;
  std::optional<unsigned> generated_orders;
  std::optional<simulate::LabDayPlan> lab_day;
};

// --lab-day and its --profile and --seed: true when `flag` is one of them.
bool parse_lab_day_option(const std::string& flag, const std::string& value, Arguments& a,
                          std::string& complaint) {
  if (flag != "--lab-day" && flag != "--profile" && flag != "--seed") {
    return false;
  }
  if (!a.lab_day) {
    a.lab_day.emplace().specimens = 0;  // until --lab-day says how many
  }
  auto& plan = *a.lab_day;
  if (flag == "--lab-day") {
    if (!parse_number(value, plan.specimens) || plan.specimens == 0) {
      complaint = fmt::format("--lab-day: expected a number of specimens, got \"{}\"", value);
    }
  } else if (flag == "--profile") {
    const auto profile = simulate::lab_profile_from_name(value);
    if (!profile) {
      complaint =
          fmt::format("--profile: expected hospital, outpatient or oncology, got \"{}\"", value);
    }
    plan.profile = profile.value_or(plan.profile);
  } else if (!parse_number(value, plan.seed)) {
    complaint = fmt::format("--seed: expected a number, got \"{}\"", value);
  }
  return true;
}

std::string parse_count(const std::string& flag, const std::string& value, unsigned& out) {
  if (!parse_number(value, out)) {
    return fmt::format("{}: expected a whole number, got \"{}\"", flag, value);
  }
  return {};
}

std::string parse(const std::vector<std::string>& args, Arguments& a) {
  bool has_listen = false;
  bool has_protocol = false;
  auto& o = a.options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& flag = args[i];
    if (i + 1 >= args.size()) {
      return fmt::format("{} needs a value", flag);
    }
    const auto& value = args[++i];
    std::string complaint;
    if (parse_lab_day_option(flag, value, a, complaint)) {
    } else if (flag == "--listen") {
      std::pair<std::string, std::uint16_t> where;
      if (!parse_host_port(value, where)) {
        return fmt::format("--listen: expected HOST:PORT, got \"{}\"", value);
      }
      o.host = where.first;
      o.port = where.second;
      has_listen = true;
    } else if (flag == "--protocol") {
      if (value != "hl7" && value != "astm") {
        return fmt::format("--protocol: expected hl7 or astm, got \"{}\"", value);
      }
      o.protocol = value == "astm" ? model::WireProtocol::Astm : model::WireProtocol::Hl7;
      has_protocol = true;
    } else if (flag == "--ack-every") {
      complaint = parse_count(flag, value, o.faults.ack_every);
      if (complaint.empty() && o.faults.ack_every == 0) {
        complaint = "--ack-every: expected at least 1";
      }
    } else if (flag == "--nack-every") {
      complaint = parse_count(flag, value, o.faults.nack_every);
    } else if (flag == "--silent-every") {
      complaint = parse_count(flag, value, o.faults.silent_every);
    } else if (flag == "--late-ack-every") {
      complaint = parse_count(flag, value, o.faults.late_ack_every);
    } else if (flag == "--drop-connection-every") {
      complaint = parse_count(flag, value, o.faults.drop_connection_every);
    } else if (flag == "--delay-ms") {
      unsigned ms = 0;
      complaint = parse_count(flag, value, ms);
      o.delay = std::chrono::milliseconds(ms);
    } else if (flag == "--record") {
      o.record_file = value;
    } else if (flag == "--tls-certificate" || flag == "--tls-key" || flag == "--tls-client-ca") {
      auto& tls = o.tls ? *o.tls : o.tls.emplace();
      (flag == "--tls-certificate" ? tls.certificate
       : flag == "--tls-key"       ? tls.key
                                   : tls.client_ca) = value;
    } else if (flag == "--send-orders") {
      std::pair<std::string, std::uint16_t> where;
      if (!parse_host_port(value, where)) {
        return fmt::format("--send-orders: expected HOST:PORT, got \"{}\"", value);
      }
      a.send_orders_to = where;
    } else if (flag == "--orders") {
      a.orders_file = value;
    } else if (flag == "--generate-orders") {
      unsigned n = 0;
      complaint = parse_count(flag, value, n);
      a.generated_orders = n;
    } else if (flag == "--duration") {
      double seconds = 0;
      if (!parse_number(value, seconds) || seconds <= 0) {
        return fmt::format("--duration: expected seconds, got \"{}\"", value);
      }
      a.duration_s = seconds;
    } else {
      return fmt::format("unknown option \"{}\"", flag);
    }
    if (!complaint.empty()) {
      return complaint;
    }
  }
  if (!has_listen) {
    return "--listen HOST:PORT is required";
  }
  if (!has_protocol) {
    return "--protocol hl7 or --protocol astm is required";
  }
  if (o.tls && (o.tls->certificate.empty() || o.tls->key.empty())) {
    return "TLS needs both --tls-certificate and --tls-key";
  }
  const int sources =
      (a.orders_file.empty() ? 0 : 1) + (a.generated_orders ? 1 : 0) + (a.lab_day ? 1 : 0);
  if (a.send_orders_to.has_value() != (sources > 0) || sources > 1) {
    return "--send-orders HOST:PORT goes with one of --orders FILE, --generate-orders N or "
           "--lab-day N";
  }
  if (a.lab_day && a.lab_day->specimens == 0) {
    return "--profile and --seed go with --lab-day N";
  }
  return {};
}

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
Result<std::vector<std::string>, std::string> orders_of(const Arguments& a) {
  if (a.generated_orders) {
    return simulate::generate_orders(*a.generated_orders);
  }
  if (a.lab_day) {
    const auto day = simulate::generate_lab_day(*a.lab_day);
    const auto day_start = std::chrono::system_clock::now() - std::chrono::hours(24);
    std::vector<std::string> orders;
    for (const auto& s : day.specimens) {
      orders.push_back(simulate::lis_order(day, s, day_start));
    }
    return orders;
  }
  std::ifstream in(a.orders_file, std::ios::binary);
  if (!in) {
    return fmt::format("lis-sim: cannot read {}", a.orders_file.string());
  }
  std::stringstream text;
  text << in.rdbuf();
  auto messages = simulate::split_order_file(text.str());
  if (messages.empty()) {
    return fmt::format("lis-sim: {} holds no message", a.orders_file.string());
  }
  return messages;
}

// The LIS's side of the order feed: one connection, each order answered before the next.
void send_orders(const Arguments& a, std::vector<std::string> orders, std::ostream& out) {
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = a.options.protocol;
  plan.targets = {*a.send_orders_to};
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
             report.results.size(), a.send_orders_to->first, a.send_orders_to->second, acknowledged,
             rejected, report.results.size() - acknowledged - rejected);
  for (const auto& e : report.errors) {
    fmt::print(out, "lis-sim: order feed: {}\n", e);
  }
  out.flush();
}

}  // namespace

int run_lis_sim(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    fmt::print(out, "{}", kUsage);
    return 0;
  }
  Arguments a;
  if (auto complaint = parse(args, a); !complaint.empty()) {
    fmt::print(err, "hemalink lis-sim: {}\n{}", complaint, kUsage);
    return 2;
  }
  std::optional<std::chrono::milliseconds> duration;
  if (a.duration_s) {
    duration = std::chrono::milliseconds(static_cast<long long>(*a.duration_s * 1000));
  }
  std::vector<std::string> orders;
  if (a.send_orders_to) {
    auto read = orders_of(a);
    if (!read) {
      fmt::print(err, "hemalink {}\n", read.error());
      return 2;
    }
    orders = std::move(*read);
  }
  std::thread sender;
  auto totals = simulate::run_lis_simulator(a.options, duration, [&](std::uint16_t port) {
    fmt::print(out, "lis-sim: listening on {}:{} ({}{})\n", a.options.host, port,
               a.options.protocol == model::WireProtocol::Astm ? "ASTM E1381" : "HL7 MLLP",
               a.options.tls ? " over TLS" : "");
    out.flush();
    if (a.send_orders_to) {
      sender = std::thread([&a, &out, orders = std::move(orders)]() mutable {
        send_orders(a, std::move(orders), out);
      });
    }
  });
  if (sender.joinable()) {
    sender.join();
  }
  if (!totals) {
    fmt::print(err, "hemalink {}\n", totals.error());
    return 1;
  }
  print_totals(out, *totals);
  return 0;
}

}  // namespace hemalink::cli
