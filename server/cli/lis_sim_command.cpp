#include "server/cli/lis_sim_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <optional>

#include "server/cli/command_arguments.hpp"
#include "server/simulate/lis_simulator.hpp"

namespace hemalink::cli {
namespace {

constexpr const char* kUsage =
    "usage: hemalink lis-sim --listen HOST:PORT --protocol hl7|astm\n"
    "         [--ack-every N] [--nack-every N] [--silent-every N] [--late-ack-every N]\n"
    "         [--drop-connection-every N] [--delay-ms D] [--record FILE] [--duration SECONDS]\n"
    "         [--tls-certificate PEM --tls-key PEM [--tls-client-ca PEM]]\n"
    "  a LIS: receives HL7 ORU over MLLP (or ASTM over E1381) and acknowledges each message;\n"
    "  the Nth-message options inject faults, counted over all connections from 1:\n"
    "  --ack-every N             acknowledge only every Nth message, stay silent on the others\n"
    "  --nack-every N            refuse every Nth (HL7 AE; ASTM: no ACK of its last frame)\n"
    "  --silent-every N          no answer to every Nth: the sender times out\n"
    "  --late-ack-every N        withhold every Nth ACK and send it before the next reply\n"
    "                            (HL7; for ASTM it is silence)\n"
    "  --drop-connection-every N close the connection on every Nth, unanswered\n"
    "  --delay-ms D              wait D ms before each answer\n"
    "  --record FILE             each message received as a JSON line (control ID, specimen,\n"
    "                            codes, values, statuses, reply, duplicate)\n"
    "  --duration SECONDS        stop by itself after this long\n"
    "  --tls-certificate, --tls-key  TLS on every connection, with this certificate and key;\n"
    "  --tls-client-ca PEM       and a client certificate this CA signed required of each\n"
    "  On SIGTERM or SIGINT it prints its totals, duplicates by control ID included.\n";

struct Arguments {
  simulate::LisSimOptions options;
  std::optional<double> duration_s;
};

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
    if (flag == "--listen") {
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
  auto totals = simulate::run_lis_simulator(a.options, duration, [&](std::uint16_t port) {
    fmt::print(out, "lis-sim: listening on {}:{} ({}{})\n", a.options.host, port,
               a.options.protocol == model::WireProtocol::Astm ? "ASTM E1381" : "HL7 MLLP",
               a.options.tls ? " over TLS" : "");
    out.flush();
  });
  if (!totals) {
    fmt::print(err, "hemalink {}\n", totals.error());
    return 1;
  }
  print_totals(out, *totals);
  return 0;
}

}  // namespace hemalink::cli
