#include "server/daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <thread>

#include "server/api/lab_events.hpp"
#include "server/daemon/analyzer_transports.hpp"
#include "server/daemon/backtest_jobs.hpp"
#include "server/daemon/http_api.hpp"
#include "server/daemon/lis_delivery.hpp"
#include "server/daemon/message_reading.hpp"
#include "server/daemon/order_feeds.hpp"
#include "server/ingest/committed_results.hpp"
#include "server/orders/rule_steps.hpp"

namespace hemalink::daemon {
namespace {

namespace asio = boost::asio;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

store::StoreOptions store_options(const DaemonConfig& c,
                                  std::shared_ptr<rules::RecentResults> recent,
                                  std::shared_ptr<api::EventHub> events,
                                  orders::WorkDownload& downloads) {
  store::StoreOptions o;
  o.on_completed.push_back(api::publish_completions(events));
  o.on_committed.push_back(api::publish_quality_control(events));
  o.on_committed.push_back(ingest::remember_committed_results(std::move(recent)));
  if (takes_orders(c)) {
    o.on_committed.push_back(orders::order_rule_steps(c.database_url, downloads));
  }
  o.dsn = c.database_url;
  o.writers = c.store.writers;
  o.max_batch_messages = c.store.max_batch_messages;
  o.max_batch_wait = c.store.max_batch_wait;
  o.spool_dir = c.spool_dir;
  o.ack_budget = c.store.ack_budget;
  for (const auto& d : c.lis) {
    o.lis_routes.push_back({d.name, d.analyzers});
  }
  for (const auto& a : c.analyzers) {
    o.analyzers.emplace_back(a.name, a.driver);
  }
  return o;
}

unsigned thread_count(const DaemonConfig& c) {
  if (c.threads > 0)
    return c.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::optional<DaemonConfig> read_config(const std::filesystem::path& file) {
  auto parsed = read_daemon_config_file(file);
  if (!parsed) {
    for (const auto& e : parsed.error())
      spdlog::error("reload: {}", e.describe());
    return std::nullopt;
  }
  return std::move(*parsed);
}

}  // namespace

// The daemon's parts, one per feature, built in this order and destroyed in reverse:
// - the store (whose last completions post to the pool) before the pool, and the pool (whose
//   pending handlers hold connections) before the registry;
// - the orders' downloads before the store, whose commits they are told of (the host query desk
//   and the order intakes with them: neither uses the store, so that they stop after it is
//   harmless);
// - the LIS links bind before the analyzers' transports, which bind before the HTTP API.
struct Daemon::Parts {
  DaemonConfig config;
  DaemonOptions options;
  bool is_stopping = false;
  std::atomic<bool> is_serving{false};
  MessageReading reading;  ///< Mapping tables, rules and QC.
  std::shared_ptr<metrics::LinkTally> link_tally = std::make_shared<metrics::LinkTally>();
  std::shared_ptr<metrics::MessageTimings> timings = std::make_shared<metrics::MessageTimings>();
  std::shared_ptr<api::EventHub> events = std::make_shared<api::EventHub>();
  ConnectionRegistry registry;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  OrderFeeds orders;
  store::Store store;
  AnalyzerTransports transports;
  LisDelivery lis;
  BacktestJobs backtests;  ///< Stopped after the pool (run()), before the store.
  HttpApi api;
  asio::signal_set signals;

  Parts(DaemonConfig c, DaemonOptions o)
      : config(std::move(c)),
        options(std::move(o)),
        reading(config),
        registry(config.max_connections),
        io(static_cast<int>(thread_count(config))),
        work(io.get_executor()),
        orders(config, reading.reader, registry),
        store(store_options(config, reading.recent, events, orders.downloads),
              [reader = reading.reader](std::span<const records::Receipt* const> receipts) {
                return reader->read(receipts);
              }),
        transports(io),
        lis(config, events),
        backtests(config),
        api{config,
            store,
            registry,
            lis.links(),
            is_serving,
            [this](const std::string& actor) { return reload_rules(actor); },
            [this] { return reading.follow_live(); },
            reading.versions,
            backtests,
            reading.reader,
            reading.quality_control,
            orders.downloads,
            events,
            timings,
            link_tally,
            nullptr},
        signals(io) {
    registry.observe([this](const std::string& analyzer, const std::string& peer,
                            std::uint64_t connection, bool is_open) {
      api::publish_connection(*events, analyzer, peer, is_open);
      if (is_open) {
        orders.downloads.connected(analyzer, connection);
      } else {
        orders.downloads.disconnected(analyzer, connection);
      }
    });
  }

  ConnectionServices services() {
    return {store,
            registry,
            link_tally,
            timings,
            &orders.host_queries,
            &orders.order_marks,
            &orders.downloads};
  }

  // The analyzers' transports, then each LIS's order feed, whose messages go to its intake.
  void add_transports() {
    for (const auto& a : config.analyzers) {
      transports.add(a, services());
    }
    for (std::size_t i = 0; i < config.lis.size(); ++i) {
      const auto& d = config.lis[i];
      if (!d.orders) {
        continue;
      }
      auto& intake = orders.open_intake(d, lis.mapping(i));
      transports.add_order_feed(d,
                                {intake, registry, link_tally, timings, nullptr, nullptr, nullptr});
    }
  }

  // The API's reload: the configuration file read again when there is one (as SIGHUP does).
  api::RulesReload reload_rules(const std::string& actor) {
    auto c = config;
    if (!options.config_file.empty()) {
      auto parsed = read_daemon_config_file(options.config_file);
      if (!parsed) {
        api::RulesReload r;
        const auto before = reading.reader->get()->rule_set();
        r.previous_version = before ? before->version() : "";
        for (const auto& e : parsed.error())
          r.errors.push_back(e.describe());
        return r;
      }
      c = std::move(*parsed);
    }
    return reading.reload(c, actor);
  }

  asio::awaitable<void> handle_signals(Daemon& daemon) {
    for (;;) {
      auto [error, number] = co_await signals.async_wait(kAwait);
      if (error) {
        co_return;
      }
      if (number == SIGHUP) {
        spdlog::info("SIGHUP: reloading {}", options.config_file.string());
        if (auto c = read_config(options.config_file)) {
          daemon.reload(*c);
        }
        continue;
      }
      spdlog::info("{}: stopping", number == SIGTERM ? "SIGTERM" : "SIGINT");
      daemon.stop();
      co_return;
    }
  }

  // Nothing new comes in (the API, the transports, the LIS links stop), then the connections
  // write the acknowledgements of what the store has, for up to shutdown_grace, and close; then
  // the pool stops. The outbox watch and the store stop after the pool (run()).
  asio::awaitable<void> shut_down() {
    is_serving = false;
    api.stop();
    transports.stop();
    lis.stop_links();
    boost::system::error_code ignored;
    signals.cancel(ignored);
    spdlog::info("draining {} connection(s) for up to {} ms", registry.size(),
                 config.shutdown_grace.count());
    registry.drain_all();
    asio::steady_timer tick(io);
    const auto deadline = std::chrono::steady_clock::now() + config.shutdown_grace;
    while (registry.size() > 0 && std::chrono::steady_clock::now() < deadline) {
      tick.expires_after(std::chrono::milliseconds(10));
      co_await tick.async_wait(kAwait);
    }
    if (registry.size() > 0) {
      spdlog::warn("closing {} connection(s) still waiting for the store", registry.size());
      registry.close_all();
    }
    work.reset();
    // Let the closes run, then stop the pool.
    tick.expires_after(std::chrono::milliseconds(10));
    co_await tick.async_wait(kAwait);
    io.stop();
  }
};

Daemon::Daemon(DaemonConfig config, DaemonOptions options)
    : parts_(std::make_unique<Parts>(std::move(config), std::move(options))) {
  if (parts_->options.handle_signals) {
    // Before any port is bound: once an analyzer (or a test) can connect, a SIGTERM or SIGHUP
    // must be ours to handle, not the default action.
    parts_->signals.add(SIGTERM);
    parts_->signals.add(SIGINT);
    parts_->signals.add(SIGHUP);
  }
  parts_->add_transports();
  parts_->api.open(parts_->io);
}

Daemon::~Daemon() = default;

int Daemon::run() {
  auto& p = *parts_;
  if (p.options.handle_signals) {
    asio::co_spawn(p.io, p.handle_signals(*this), asio::detached);
  }
  p.transports.start();
  p.api.start();
  p.is_serving = true;
  p.lis.start();
  const unsigned n = thread_count(p.config);
  spdlog::info("hemalink serving {} analyzer(s) on {} thread(s), at most {} connections",
               p.config.analyzers.size(), n, p.config.max_connections);
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < n; ++i) {
    pool.emplace_back([&p] { p.io.run(); });
  }
  p.io.run();
  for (auto& t : pool) {
    t.join();
  }
  p.backtests.stop();
  p.lis.stop_watch();
  spdlog::info("flushing the store");
  p.store.stop();
  const auto health = p.store.health();
  spdlog::info("stopped{}", health.spooled_pending > 0
                                ? fmt::format(" ({} receipts in the spool, replayed at next start)",
                                              health.spooled_pending)
                                : std::string());
  return 0;
}

void Daemon::stop() {
  auto& p = *parts_;
  asio::post(p.io, [&p] {
    if (p.is_stopping) {
      return;
    }
    p.is_stopping = true;
    asio::co_spawn(p.io, p.shut_down(), asio::detached);
  });
}

bool Daemon::reload(const DaemonConfig& config) {
  const auto done = parts_->reading.reload(config, "system:reload");
  if (done.is_done) {
    audit_reload(config.database_url, "system:reload", done);
  }
  return done.is_done;
}

std::uint16_t Daemon::http_port() const {
  return parts_->api.port();
}

std::uint16_t Daemon::port_of(std::string_view analyzer) const {
  if (auto port = parts_->lis.port_of(analyzer)) {
    return *port;
  }
  return parts_->transports.port_of(analyzer);
}

std::uint16_t Daemon::order_feed_port(std::string_view lis) const {
  return parts_->transports.order_feed_port(lis);
}

store::StoreHealth Daemon::health() const {
  return parts_->store.health();
}

api::EventHub& Daemon::events() const {
  return *parts_->events;
}

const metrics::MessageTimings& Daemon::message_timings() const {
  return *parts_->timings;
}

const metrics::LinkTally& Daemon::link_tally() const {
  return *parts_->link_tally;
}

const lis::LisCounters* Daemon::lis_counters(std::string_view destination) const {
  return parts_->lis.counters(destination);
}

std::size_t Daemon::connection_count() const {
  return parts_->registry.size();
}

}  // namespace hemalink::daemon
