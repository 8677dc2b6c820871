// hemalink: instrument middleware for clinical laboratories. The composition root: it reads the
// subcommand and hands over to it.
#include <iostream>
#include <string>
#include <vector>

#include "server/cli/check_config_command.hpp"
#include "server/cli/decode_command.hpp"
#include "server/cli/lis_sim_command.hpp"
#include "server/cli/migrate_command.hpp"
#include "server/cli/outbox_command.hpp"
#include "server/cli/report_command.hpp"
#include "server/cli/rules_command.hpp"
#include "server/cli/serve_command.hpp"
#include "server/cli/simulate_command.hpp"
#include "server/cli/token_command.hpp"

namespace {

constexpr const char* kUsage =
    "usage: hemalink <command> [options]\n"
    "commands:\n"
    "  decode [--protocol astm|hl7|auto] [--strict] [--charset NAME]\n"
    "         [--driver NAME [--base TABLE] [--mappings FILE]] FILE\n"
    "                 print an analyzer capture (E1381 frames, bare ASTM records, MLLP or bare\n"
    "                 HL7, or with --driver bd-facs an export file) as JSON, and with --driver\n"
    "                 the canonical results (drivers: sysmex-xn, sysmex-cs, bd-facs,\n"
    "                 generic-astm, generic-hl7)\n"
    "  check-config [--explain] FILE\n"
    "                 validate a daemon configuration and the mapping files it names; every\n"
    "                 error is reported with its JSON path; --explain prints each analyzer's\n"
    "                 mapping table and where each entry comes from\n"
    "  serve --config FILE\n"
    "                 run the daemon: every configured analyzer's transport, the store and the\n"
    "                 rules, until SIGTERM or SIGINT (SIGHUP reloads mappings and rules)\n"
    "  simulate --protocol astm|hl7 [--link e1381|bare]\n"
    "           (--to HOST:PORT | --listen HOST:PORT | --serial DEVICE)\n"
    "           (--file F... | --generate cbc|coag|flow [--count N] [--seed S])\n"
    "           [--rate R] [--connections K]\n"
    "                 be an analyzer: send messages with the full link layer, check every\n"
    "                 acknowledgement, print counts and latencies (see simulate --help)\n"
    "  simulate --lab-day N --config FILE [--profile hospital|outpatient|oncology] [--seed S]\n"
    "           [--truth FILE]\n"
    "                 play a generated laboratory day on the configuration's analyzers, its\n"
    "                 truth to FILE (see simulate --lab-day --help)\n"
    "  rules test --rules FILE [--rules FILE...] CASES.json\n"
    "                 run a rule set on test cases: each case pass/FAIL with the rules that\n"
    "                 fired; exit 1 on any mismatch\n"
    "  rules explain --rules FILE [--rules FILE...] CASES.json [--case NAME]\n"
    "                 for one case, every rule evaluated on each result, what it read, and\n"
    "                 why it fired or not\n"
    "  rules yield --rules FILE [--rules FILE...] [--profile P] [--seeds A-B] [--specimens N]\n"
    "                 a rule set on generated lab days in process: released without a person,\n"
    "                 false negatives, needless holds by rule; exit 1 on a false negative\n"
    "  lis-sim --listen HOST:PORT --protocol hl7|astm [--ack-every N] [--nack-every N]\n"
    "          [--silent-every N] [--late-ack-every N] [--drop-connection-every N]\n"
    "          [--delay-ms D] [--record FILE] [--duration SECONDS]\n"
    "          [--send-orders HOST:PORT (--orders F | --generate-orders N | --lab-day N ...)]\n"
    "                 be a LIS: acknowledge what arrives, inject faults on demand, record each\n"
    "                 message as a JSON line, print totals (see lis-sim --help)\n"
    "  outbox [--db DSN] list|show ID|resend ID|retry-dead [--destination NAME]\n"
    "                 the LIS outbox: what waits, what was sent, sending again\n"
    "  report av --truth FILE [--since TIME] [--db DSN] [--json FILE] [--top N]\n"
    "                 the autoverification yield of a lab day's specimens against its truth\n"
    "                 file: released without a person, held and why, false negatives\n"
    "  token --user NAME --role viewer|technologist|admin [--json] [--tokens-file F]\n"
    "                 make an HTTP API token: printed once, with the api.tokens entry that\n"
    "                 holds its hash (added to the tokens file F when given)\n"
    "  migrate [--db DSN]\n"
    "                 apply the missing schema migrations (default DSN: $HEMALINK_DATABASE_URL)\n"
    "  version        print the version\n"
    "  help           print this text\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "version" || command == "--version") {
    std::cout << "hemalink " << HEMALINK_VERSION << "\n";
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "decode") {
    return hemalink::cli::run_decode(args, std::cout, std::cerr);
  }
  if (command == "check-config") {
    return hemalink::cli::run_check_config(args, std::cout, std::cerr);
  }
  if (command == "serve") {
    return hemalink::cli::run_serve(args, std::cerr);
  }
  if (command == "simulate") {
    return hemalink::cli::run_simulate(args, std::cout, std::cerr);
  }
  if (command == "lis-sim") {
    return hemalink::cli::run_lis_sim(args, std::cout, std::cerr);
  }
  if (command == "outbox") {
    return hemalink::cli::run_outbox(args, std::cout, std::cerr);
  }
  if (command == "rules") {
    return hemalink::cli::run_rules(args, std::cout, std::cerr);
  }
  if (command == "report") {
    return hemalink::cli::run_report(args, std::cout, std::cerr);
  }
  if (command == "token") {
    return hemalink::cli::run_token(args, std::cout, std::cerr);
  }
  if (command == "migrate") {
    return hemalink::cli::run_migrate(args, std::cout, std::cerr);
  }
  std::cerr << "hemalink: unknown command \"" << command << "\"\n" << kUsage;
  return 2;
}
