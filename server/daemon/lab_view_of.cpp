#include "server/daemon/lab_view_of.hpp"
#include "server/validation/postgres_shadow_records.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/api/postgres_lab_records.hpp"
#include "server/config/analyzer_table.hpp"
#include "server/daemon/message_reading.hpp"
#include "server/lis/postgres_outbox_admin.hpp"
#include "server/orders/postgres_order_records.hpp"
#include "server/qc/postgres_qc_records.hpp"
#include "server/review/postgres_review_desk.hpp"

namespace hemalink::daemon {
namespace {

struct Described {
  std::string kind;
  std::string address;
};

Described describe(const config::Transport& t) {
  if (const auto* s = std::get_if<config::TcpServerTransport>(&t))
    return {"tcp-server", fmt::format("{}:{}", s->listen_address, s->port)};
  if (const auto* c = std::get_if<config::TcpClientTransport>(&t))
    return {"tcp-client", fmt::format("{}:{}", c->host, c->port)};
  if (const auto* l = std::get_if<config::SerialTransport>(&t))
    return {"serial", l->device};
  return {"file-drop", std::get<config::FileDropTransport>(t).folder.string()};
}

class LiveDaemonState final : public api::DaemonState {
 public:
  explicit LiveDaemonState(const LiveParts& live) : live_(live) {}

  store::StoreHealth store_health() const override { return live_.store.health(); }
  std::map<std::string, store::AnalyzerMessageCounts> message_counts() const override {
    return live_.store.message_counts();
  }
  std::map<std::string, std::vector<std::string>> connections() const override {
    return live_.registry.peers();
  }
  std::vector<api::LisEntry> lis() const override {
    std::vector<api::LisEntry> out;
    for (const auto& link : live_.lis_links)
      out.push_back({link->name(), config::to_string(link->settings().destination.protocol),
                     link->is_connected(), &link->counters()});
    return out;
  }
  bool is_serving() const override { return live_.is_serving.load(); }
  std::vector<qc::TestGate> qc_gates() const override {
    return live_.quality_control.gates(std::chrono::system_clock::now());
  }
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> qc_excursions()
      const override {
    return live_.quality_control.excursions();
  }
  std::vector<qc::ControlBook::DefinedControl> qc_definitions() const override {
    // The definitions put before a restart; when they cannot be read (logged, and read again
    // next time), the file's are shown all the same.
    (void)live_.quality_control.restore_if_needed();
    return live_.quality_control.definitions();
  }
  void qc_define(const qc::ControlDefinition& definition) override {
    live_.quality_control.override_definition(definition);
  }
  void orders_changed(const std::string& specimen_id) override {
    live_.downloads.orders_arrived({specimen_id});
  }

 private:
  LiveParts live_;
};

class LiveRules final : public api::RulesInForce {
 public:
  LiveRules(const LiveParts& live, std::string dsn) : live_(live), dsn_(std::move(dsn)) {}

  std::shared_ptr<const rules::RuleSet> rule_set() const override {
    return live_.reader.get()->rule_set();
  }
  Result<api::RulesReload, Error> reload(const std::string& actor) override {
    auto done = live_.reload_rules(actor);
    if (!done.is_done)
      return done;
    auto audited = audit_reload(dsn_, actor, done);
    if (!audited)
      return audited.error();
    return done;
  }
  api::RulesReload follow_live() override { return live_.follow_live(); }
  std::map<std::string, std::uint64_t> firings() const override {
    return live_.store.rule_firings();
  }

 private:
  LiveParts live_;
  std::string dsn_;
};

// The view and what it refers to, in one allocation that the view's shared_ptr keeps.
struct ViewParts {
  ViewParts(const DaemonConfig& config, const LiveParts& live)
      : records(config.database_url),
        review(config.database_url, lis_routes_of(config)),
        outbox(config.database_url),
        qc(config.database_url),
        orders(config.database_url),
        rules(live, config.database_url),
        daemon(live),
        shadow(config.database_url),
        view{records,
             review,
             outbox,
             qc,
             orders,
             rules,
             live.versions,
             live.backtests,
             shadow,
             daemon,
             live.events,
             live.timings,
             live.link_tally,
             analyzer_entries(config),
             config.orders.overdue_after} {
    view.comment_codes = config.review.comment_codes;
  }

  static records::LisRoutes lis_routes_of(const DaemonConfig& config) {
    records::LisRoutes routes;
    for (const auto& d : config.lis)
      routes.push_back({d.name, d.analyzers});
    return routes;
  }

  api::PostgresLabRecords records;
  review::PostgresReviewDesk review;
  lis::PostgresOutboxAdmin outbox;
  qc::PostgresQcRecords qc;
  orders::PostgresOrderRecords orders;
  LiveRules rules;
  LiveDaemonState daemon;
  validation::PostgresShadowRecords shadow;
  api::LabView view;
};

}  // namespace

std::vector<api::AnalyzerEntry> analyzer_entries(const DaemonConfig& config) {
  std::vector<api::AnalyzerEntry> out;
  for (std::size_t i = 0; i < config.analyzers.size(); ++i) {
    const auto& a = config.analyzers[i];
    auto [kind, address] = describe(a.transport);
    // A table that does not read was refused at start; here it only leaves codes unnamed.
    const auto table = config::read_analyzer_table(a, i);
    out.push_back(
        {a.name, a.driver, config::to_string(a.protocol), kind, address,
         table ? table->effective().test_names() : decltype(api::AnalyzerEntry::test_names)()});
  }
  return out;
}

std::shared_ptr<const api::LabView> lab_view_of(const DaemonConfig& config, LiveParts live) {
  auto parts = std::make_shared<ViewParts>(config, live);
  return {parts, &parts->view};
}

}  // namespace hemalink::daemon
