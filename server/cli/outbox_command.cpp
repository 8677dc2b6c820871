#include "server/cli/outbox_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <optional>

#include "server/cli/command_arguments.hpp"
#include "server/config/daemon_config.hpp"
#include "server/lis/outbox_admin.hpp"

namespace hemalink::cli {
namespace {

constexpr const char* kUsage =
    "usage: hemalink outbox [--db DSN] list [--destination NAME] [--status pending|sent|dead]\n"
    "                                        [--limit N]\n"
    "       hemalink outbox [--db DSN] show ID\n"
    "       hemalink outbox [--db DSN] resend ID\n"
    "       hemalink outbox [--db DSN] retry-dead [--destination NAME]\n"
    "  list        the newest rows (default 100) and what waits per destination\n"
    "  show        one row, with the message built for it\n"
    "  resend      a sent or dead row goes again: the same message, the same control ID\n"
    "  retry-dead  every dead row (of one destination) goes again\n"
    "  DSN defaults to $HEMALINK_DATABASE_URL; changes are audited as user:$USER.\n";

struct Arguments {
  std::optional<std::string> dsn;
  std::string action;
  std::optional<long long> id;
  lis::OutboxFilter filter;
};

std::string parse(const std::vector<std::string>& args, Arguments& a) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    const bool has_value = i + 1 < args.size();
    if (arg == "--db" && has_value) {
      a.dsn = args[++i];
    } else if (arg == "--destination" && has_value) {
      a.filter.destination = args[++i];
    } else if (arg == "--status" && has_value) {
      a.filter.status = args[++i];
      if (*a.filter.status != "pending" && *a.filter.status != "sent" &&
          *a.filter.status != "dead") {
        return fmt::format("--status: expected pending, sent or dead, got \"{}\"", args[i]);
      }
    } else if (arg == "--limit" && has_value) {
      if (!parse_number(args[++i], a.filter.limit) || a.filter.limit == 0) {
        return fmt::format("--limit: expected a number of rows, got \"{}\"", args[i]);
      }
    } else if (arg.starts_with("--")) {
      return fmt::format("unexpected option \"{}\"", arg);
    } else if (a.action.empty()) {
      a.action = arg;
    } else if (!a.id) {
      long long id = 0;
      if (!parse_number(arg, id) || id <= 0) {
        return fmt::format("{}: expected an outbox row ID, got \"{}\"", a.action, arg);
      }
      a.id = id;
    } else {
      return fmt::format("unexpected argument \"{}\"", arg);
    }
  }
  const bool takes_id = a.action == "show" || a.action == "resend";
  if (a.action != "list" && !takes_id && a.action != "retry-dead") {
    return a.action.empty() ? "list, show, resend or retry-dead is required"
                            : fmt::format("unknown action \"{}\"", a.action);
  }
  if (takes_id != a.id.has_value()) {
    return takes_id ? fmt::format("{} needs a row ID", a.action)
                    : fmt::format("{} takes no row ID", a.action);
  }
  return {};
}

std::string actor() {
  const char* user = std::getenv("USER");
  return fmt::format("user:{}", user != nullptr && *user != '\0' ? user : "unknown");
}

// Segments or records one per line, as an operator reads them.
std::string readable(std::string payload) {
  for (auto& c : payload) {
    if (c == '\r') {
      c = '\n';
    }
  }
  return payload;
}

int list(const lis::OutboxAdmin& admin, const Arguments& a, std::ostream& out, std::ostream& err) {
  auto depths = admin.depths();
  auto rows = admin.list(a.filter);
  if (!depths || !rows) {
    fmt::print(err, "hemalink outbox: {}\n", (!depths ? depths.error() : rows.error()).detail);
    return 1;
  }
  for (const auto& d : *depths) {
    fmt::print(out, "{}: {} pending (oldest {:.0f} s), {} dead\n", d.destination, d.pending,
               d.oldest_pending_age_s, d.dead);
  }
  fmt::print(out, "{:>8}  {:<12} {:<16} {:<8} {:>8}  {:<12} {}\n", "id", "destination", "specimen",
             "status", "attempts", "control ID", "last error");
  for (const auto& r : *rows) {
    fmt::print(out, "{:>8}  {:<12} {:<16} {:<8} {:>8}  {:<12} {}\n", r.id, r.destination,
               r.specimen_id, r.status, r.attempts, r.control_id, r.last_error);
  }
  return 0;
}

int show(const lis::OutboxAdmin& admin, long long id, std::ostream& out, std::ostream& err) {
  auto row = admin.show(id);
  if (!row) {
    fmt::print(err, "hemalink outbox: {}\n", row.error().detail);
    return 1;
  }
  if (!*row) {
    fmt::print(err, "hemalink outbox: no outbox row {}\n", id);
    return 2;
  }
  const auto& r = **row;
  fmt::print(out,
             "id: {}\ndestination: {}\nspecimen: {}\nstatus: {}\nattempts: {}\ncontrol ID: {}\n"
             "last error: {}\nclaimed by: {}\ncreated: {}\nnext attempt: {}\nsent: {}\n"
             "results: {}\ncorrections: {}\n",
             r.id, r.destination, r.specimen_id, r.status, r.attempts, r.control_id, r.last_error,
             r.claimed_by, r.created_at, r.next_attempt_at, r.sent_at,
             fmt::join(r.result_ids, ", "), fmt::join(r.corrects, ", "));
  fmt::print(out, "message:\n{}\n",
             r.payload.empty() ? std::string("(not built yet: built at its first claim)")
                               : readable(r.payload));
  return 0;
}

int change(const lis::OutboxAdmin& admin, const Arguments& a, std::ostream& out,
           std::ostream& err) {
  if (a.action == "resend") {
    auto done = admin.resend(*a.id, actor());
    if (!done) {
      fmt::print(err, "hemalink outbox: {}\n", done.error().detail);
      return done.error().code == store::StoreErrc::Conflict ? 2 : 1;
    }
    fmt::print(out, "outbox row {} is pending again (same message, same control ID)\n", *a.id);
    return 0;
  }
  auto revived = admin.retry_dead(a.filter.destination, actor());
  if (!revived) {
    fmt::print(err, "hemalink outbox: {}\n", revived.error().detail);
    return 1;
  }
  fmt::print(out, "{} dead row(s) pending again\n", *revived);
  return 0;
}

}  // namespace

int run_outbox(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    fmt::print(out, "{}", kUsage);
    return 0;
  }
  Arguments a;
  if (auto complaint = parse(args, a); !complaint.empty()) {
    fmt::print(err, "hemalink outbox: {}\n{}", complaint, kUsage);
    return 2;
  }
  if (!a.dsn) {
    a.dsn = config::database_url_from_environment();
    if (!a.dsn) {
      fmt::print(err, "hemalink outbox: no database: give --db DSN or set HEMALINK_DATABASE_URL\n");
      return 2;
    }
  }
  const lis::OutboxAdmin admin(*a.dsn);
  if (a.action == "list") {
    return list(admin, a, out, err);
  }
  if (a.action == "show") {
    return show(admin, *a.id, out, err);
  }
  return change(admin, a, out, err);
}

}  // namespace hemalink::cli
