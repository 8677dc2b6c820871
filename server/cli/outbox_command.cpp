#include "server/cli/outbox_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <memory>
#include <optional>

#include "server/cli/shared_options.hpp"
#include "server/lis/postgres_outbox_admin.hpp"
#include "server/store/errc.hpp"

namespace hemalink::cli {
namespace {

struct Arguments {
  std::string dsn;
  long long id = 0;
  lis::OutboxFilter filter;
};

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

int list(const Arguments& a, std::ostream& out, std::ostream& err) {
  const lis::PostgresOutboxAdmin admin(a.dsn);
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

int show(const Arguments& a, std::ostream& out, std::ostream& err) {
  auto row = lis::PostgresOutboxAdmin(a.dsn).show(a.id);
  if (!row) {
    fmt::print(err, "hemalink outbox: {}\n", row.error().detail);
    return 1;
  }
  if (!*row) {
    fmt::print(err, "hemalink outbox: no outbox row {}\n", a.id);
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

int resend(const Arguments& a, std::ostream& out, std::ostream& err) {
  auto done = lis::PostgresOutboxAdmin(a.dsn).resend(a.id, actor());
  if (!done) {
    fmt::print(err, "hemalink outbox: {}\n", done.error().detail);
    return done.error().code == store::StoreErrc::Conflict ? 2 : 1;
  }
  fmt::print(out, "outbox row {} is pending again (same message, same control ID)\n", a.id);
  return 0;
}

int retry_dead(const Arguments& a, std::ostream& out, std::ostream& err) {
  auto revived = lis::PostgresOutboxAdmin(a.dsn).retry_dead(a.filter.destination, actor());
  if (!revived) {
    fmt::print(err, "hemalink outbox: {}\n", revived.error().detail);
    return 1;
  }
  fmt::print(out, "{} dead row(s) pending again\n", *revived);
  return 0;
}

// An outbox subcommand, reading the options `outbox` shares, and its action.
CLI::App* add_action(CLI::App& outbox, CommandActions& actions, const char* name,
                     const char* description, const std::shared_ptr<Arguments>& a,
                     int (*act)(const Arguments&, std::ostream&, std::ostream&)) {
  auto* app = outbox.add_subcommand(name, description);
  app->fallthrough();
  actions[app] = [a, act](std::ostream& out, std::ostream& err) { return act(*a, out, err); };
  return app;
}

}  // namespace

void add_outbox_command(CLI::App& hemalink, CommandActions& actions) {
  auto* outbox =
      hemalink.add_subcommand("outbox", "the LIS outbox: what waits, what was sent, sending again");
  outbox->require_subcommand(0, 1);
  auto a = std::make_shared<Arguments>();
  add_database_option(*outbox, a->dsn);
  auto add_destination = [&a](CLI::App* app) {
    app->add_option("--destination", a->filter.destination, "only this LIS destination's rows")
        ->type_name("NAME");
  };
  auto add_row_id = [&a](CLI::App* app) {
    app->add_option("ID", a->id, "the outbox row")->required()->transform(whole_number(1));
  };
  auto* listing = add_action(*outbox, actions, "list",
                             "the newest rows and what waits per destination", a, list);
  add_destination(listing);
  listing->add_option("--status", a->filter.status, "only rows of this status")
      ->check(CLI::IsMember({"pending", "sent", "dead"}));
  add_whole_number_option(*listing, "--limit", a->filter.limit, "how many rows", 1);
  add_row_id(
      add_action(*outbox, actions, "show", "one row, with the message built for it", a, show));
  add_row_id(add_action(*outbox, actions, "resend",
                        "a sent or dead row goes again: the same message, the same control ID "
                        "(audited as user:$USER)",
                        a, resend));
  add_destination(add_action(
      *outbox, actions, "retry-dead",
      "every dead row (of one destination) goes again (audited as user:$USER)", a, retry_dead));
}

}  // namespace hemalink::cli
