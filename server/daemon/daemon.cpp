#include "server/daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <cstdio>
#include <set>
#include <thread>

#include "server/api/http_server.hpp"
#include "server/api/lab_events.hpp"
#include "server/api/lab_routes.hpp"
#include "server/daemon/analyzer_connection.hpp"
#include "server/daemon/export_file_receipts.hpp"
#include "server/daemon/lab_view_of.hpp"
#include "server/files/file_error.hpp"
#include "server/ingest/committed_results.hpp"
#include "server/ingest/configured_message_reader.hpp"
#include "server/ingest/current_message_reader.hpp"
#include "server/lis/lis_link.hpp"
#include "server/lis/outbox_watch.hpp"
#include "server/orders/order_book.hpp"
#include "server/orders/order_intake.hpp"
#include "server/orders/order_marks.hpp"
#include "server/orders/result_order_matching.hpp"
#include "server/orders/rule_steps.hpp"
#include "server/orders/work_download.hpp"
#include "server/qc/control_book.hpp"
#include "server/qc/control_history.hpp"
#include "server/rules/database_result_archive.hpp"
#include "server/transport/file_drop.hpp"
#include "server/transport/serial_line.hpp"
#include "server/transport/tcp_dialer.hpp"
#include "server/transport/tcp_listener.hpp"
#include "server/transport/tls_context.hpp"

namespace hemalink::daemon {
namespace {

namespace asio = boost::asio;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

std::shared_ptr<ingest::MessageReader> build_message_reader(
    const config::DaemonConfig& c, std::shared_ptr<rules::RecentResults> recent,
    std::shared_ptr<qc::ControlBook> qc) {
  auto built = ingest::configured_message_reader(c, std::move(recent), std::move(qc));
  if (!built) {
    throw std::runtime_error(files::describe(built.error(), "; "));  // a start-up failure
  }
  orders::match_results_with_order_book(**built, c);
  return *built;
}

// Every analyzer's QC, rebuilt from the stored judgements before the first message is read (on
// a store writer, so a database still starting holds results rather than stopping the start).
std::shared_ptr<qc::ControlBook> control_book(const config::DaemonConfig& c) {
  auto book = std::make_shared<qc::ControlBook>(qc::ControlDefinitions{}, c.qc.policy);
  book->set_history([dsn = c.database_url](std::string& error) -> std::optional<qc::QcHistory> {
    auto history = qc::control_history(dsn, qc::kMaxEstablishRuns);
    if (!history) {
      error = history.error().detail;
      spdlog::error("QC: cannot read the stored judgements: {}", error);
      return std::nullopt;
    }
    spdlog::info("QC: {} stored judgement(s) and {} patient average(s) resumed",
                 history->judgements.size(), history->averages.size());
    return std::move(*history);
  });
  return book;
}

// A download goes on one of the analyzer's live connections.
orders::DownloadDelivery delivery_through(ConnectionRegistry& registry) {
  return {[&registry](const std::string& analyzer) {
            return registry.newest_of(analyzer).second != nullptr;
          },
          [&registry](const std::string& analyzer,
                      session::WorkToSend work) -> std::optional<std::uint64_t> {
            auto [number, connection] = registry.newest_of(analyzer);
            if (!connection) {
              return std::nullopt;
            }
            connection->send_work(std::move(work));
            return number;
          }};
}

std::set<std::string, std::less<>> downloading_analyzers(const config::DaemonConfig& c) {
  std::set<std::string, std::less<>> out;
  for (const auto& a : c.analyzers) {
    if (a.download_orders) {
      out.insert(a.name);
    }
  }
  return out;
}

store::StoreOptions store_options(const config::DaemonConfig& c,
                                  std::shared_ptr<rules::RecentResults> recent,
                                  std::shared_ptr<api::EventHub> events,
                                  orders::WorkDownload& downloads) {
  store::StoreOptions o;
  o.on_completed.push_back(api::publish_completions(events));
  o.on_committed.push_back(api::publish_quality_control(events));
  o.on_committed.push_back(ingest::remember_committed_results(std::move(recent)));
  if (config::takes_orders(c)) {
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

// This process as outbox.claimed_by names it.
std::string node_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) {
    std::snprintf(host, sizeof host, "unknown");
  }
  return fmt::format("{}:{}", host, static_cast<long>(getpid()));
}

std::vector<std::shared_ptr<lis::LisLink>> make_lis_links(const config::DaemonConfig& c,
                                                          std::shared_ptr<api::EventHub> events) {
  auto mappings = config::load_lis_mappings(c.lis);
  if (!mappings) {
    throw std::runtime_error(files::describe(mappings.error(), "; "));  // a start-up failure
  }
  std::vector<std::shared_ptr<lis::LisLink>> links;
  const auto node = node_name();
  for (std::size_t i = 0; i < c.lis.size(); ++i) {
    lis::LisLinkSettings settings;
    settings.destination = c.lis[i];
    settings.mapping = std::move((*mappings)[i]);
    settings.dsn = c.database_url;
    settings.node = node;
    settings.on_row_settled = [events, name = c.lis[i].name](const lis::ClaimedRow& row,
                                                             bool is_delivered) {
      api::publish_settled(*events, name, row, is_delivered);
    };
    links.push_back(std::make_shared<lis::LisLink>(std::move(settings)));
    links.back()->bind();
  }
  return links;
}

unsigned thread_count(const config::DaemonConfig& c) {
  if (c.threads > 0)
    return c.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::optional<config::DaemonConfig> read_config(const std::filesystem::path& file) {
  auto parsed = config::read_daemon_config_file(file);
  if (!parsed) {
    for (const auto& e : parsed.error())
      spdlog::error("reload: {}", e.describe());
    return std::nullopt;
  }
  return std::move(*parsed);
}

// A LIS's order feed runs on the analyzers' connections: the same transports, sessions and
// acknowledgement after commit; its messages go to the LIS's order intake instead of the store.
config::AnalyzerConfig order_feed_peer(const config::LisDestination& d) {
  const auto& feed = *d.orders;
  config::AnalyzerConfig a;
  a.name = d.name;
  a.driver = "lis-orders";
  a.protocol = feed.protocol;
  a.link = feed.link;
  a.transport = feed.transport;
  a.allowed_peers = feed.allowed_peers;
  a.tcp_keepalive = feed.tcp_keepalive;
  a.max_message_bytes = feed.max_message_bytes;
  a.charset = feed.charset;
  a.max_connections = 4;
  a.idle_timeout = std::chrono::hours(24);  // a LIS keeps its connection open between orders
  return a;
}

// What the log line of an analyzer's listener says is served there.
std::string served(const config::AnalyzerConfig& a) {
  const char* link = a.protocol == model::WireProtocol::Hl7 ? "MLLP"
                     : a.link == config::AstmLink::E1381    ? "E1381"
                                                            : "bare";
  const auto* t = std::get_if<config::TcpServerTransport>(&a.transport);
  return fmt::format("{} {}{}, driver {}", config::to_string(a.protocol), link,
                     t && t->tls ? " over TLS" : "", a.driver);
}

}  // namespace

struct Daemon::Parts {
  config::DaemonConfig config;
  DaemonOptions options;
  std::shared_ptr<rules::RecentResults> recent;
  std::shared_ptr<qc::ControlBook> quality_control;  ///< Lives across reloads.
  std::shared_ptr<ingest::CurrentMessageReader> reader;
  std::shared_ptr<metrics::LinkTally> link_tally = std::make_shared<metrics::LinkTally>();
  std::shared_ptr<metrics::MessageTimings> timings = std::make_shared<metrics::MessageTimings>();
  std::shared_ptr<api::EventHub> events = std::make_shared<api::EventHub>();
  // Destroyed in reverse: the store (whose last completions post to the pool) before the pool,
  // and the pool (whose pending handlers hold connections) before the registry.
  ConnectionRegistry registry;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  orders::OrderMarks order_marks;
  orders::WorkDownload downloads;  ///< Before the store, whose commits it is told of.
  store::Store store;
  orders::HostQueryDesk host_queries;
  std::vector<std::unique_ptr<orders::OrderIntake>> order_intakes;
  std::map<std::string, std::size_t, std::less<>> order_feed_listeners;  ///< LIS -> listeners[i]
  std::vector<std::unique_ptr<transport::TcpListener>> listeners;
  std::vector<std::unique_ptr<transport::TcpDialer>> dialers;
  std::vector<std::unique_ptr<transport::SerialLine>> serial_lines;
  std::vector<std::unique_ptr<transport::FileDrop>> file_drops;
  std::vector<std::shared_ptr<lis::LisLink>> lis_links;
  std::unique_ptr<lis::OutboxWatch> outbox_watch;
  std::unique_ptr<api::HttpServer> http;
  asio::signal_set signals;
  bool is_stopping = false;
  std::atomic<bool> is_serving{false};

  Parts(config::DaemonConfig c, DaemonOptions o, std::shared_ptr<rules::RecentResults> r,
        std::shared_ptr<qc::ControlBook> q, std::shared_ptr<ingest::CurrentMessageReader> i)
      : config(std::move(c)),
        options(std::move(o)),
        recent(std::move(r)),
        quality_control(std::move(q)),
        reader(std::move(i)),
        registry(config.max_connections),
        io(static_cast<int>(thread_count(config))),
        work(io.get_executor()),
        order_marks(config.database_url),
        downloads(config.database_url, reader, downloading_analyzers(config),
                  delivery_through(registry)),
        store(store_options(config, recent, events, downloads),
              [reader = reader](std::span<const records::Receipt* const> receipts) {
                return reader->read(receipts);
              }),
        host_queries(config.database_url, reader, order_marks),
        lis_links(make_lis_links(config, events)),
        signals(io) {
    registry.observe([this](const std::string& analyzer, const std::string& peer,
                            std::uint64_t connection, bool is_open) {
      api::publish_connection(*events, analyzer, peer, is_open);
      if (is_open) {
        downloads.connected(analyzer, connection);
      } else {
        downloads.disconnected(analyzer, connection);
      }
    });
  }

  void start_lis_links() {
    for (auto& link : lis_links) {
      link->start();
    }
    if (lis_links.empty()) {
      spdlog::info("no LIS destination configured: released results are stored and go nowhere");
      return;
    }
    outbox_watch = std::make_unique<lis::OutboxWatch>(
        config.database_url, [this](const std::string& destination) {
          for (auto& link : lis_links) {
            if (destination.empty() || link->name() == destination) {
              link->notice_rows();
            }
          }
        });
  }

  ConnectionServices services() {
    return {store, registry, link_tally, timings, &host_queries, &order_marks, &downloads};
  }

  std::shared_ptr<const api::LabView> lab_view() {
    return lab_view_of(
        config, {store, registry, lis_links, is_serving, *reader, *quality_control, downloads,
                 [this] { return reload_rules(); }, *events, *timings, *link_tally});
  }

  // Puts the mapping tables and rules of `c` in force; the errors when it cannot (the running
  // ones stay).
  std::vector<std::string> reload(const config::DaemonConfig& c) {
    auto built = ingest::configured_message_reader(c, recent, quality_control);
    if (!built) {
      std::vector<std::string> errors;
      for (const auto& e : built.error()) {
        spdlog::error("reload: {} (the previous configuration stays in force)", e.describe());
        errors.push_back(e.describe());
      }
      return errors;
    }
    orders::match_results_with_order_book(**built, c);
    reader->replace(*built);
    spdlog::info(
        "reload: mapping tables and rules of {} analyzer(s) in force (transport changes "
        "need a restart)",
        c.analyzers.size());
    return {};
  }

  // The API's reload: the configuration file read again when there is one (as SIGHUP does).
  api::RulesReload reload_rules() {
    api::RulesReload r;
    const auto before = reader->get()->rule_set();
    r.previous_version = before ? before->version() : "";
    auto c = config;
    if (!options.config_file.empty()) {
      auto parsed = config::read_daemon_config_file(options.config_file);
      if (!parsed) {
        for (const auto& e : parsed.error())
          r.errors.push_back(e.describe());
        return r;
      }
      c = std::move(*parsed);
    }
    r.errors = reload(c);
    r.is_done = r.errors.empty();
    const auto after = reader->get()->rule_set();
    r.version = after ? after->version() : "";
    return r;
  }

  void add_http() {
    if (config.http.listen.empty()) {
      spdlog::info("no HTTP API (http.listen is empty)");
      return;
    }
    std::error_code ignored;
    if (!config.http.tokens_file.empty() &&
        !std::filesystem::exists(config.http.tokens_file, ignored)) {
      spdlog::warn("api.tokens_file {} does not exist: no tokens from it",
                   config.http.tokens_file.string());
    }
    if (config.http.tokens.empty()) {
      spdlog::warn(
          "api.tokens is empty: every /api/v1 call will be refused (hemalink token "
          "makes one)");
    }
    auto router = std::make_shared<api::Router>(
        api::lab_router(lab_view(), api::TokenBook(config.http.tokens)));
    http = std::make_unique<api::HttpServer>(io, config.http, std::move(router), events);
  }

  // Tests stored with a code the table did not know become their canonical tests once the table
  // knows it (the integrator fixed it and restarted): the unmapped codes panel empties and the
  // work reaches the analyzers. A database not there yet only delays it to the next start.
  void learn_mapped_codes(const std::string& source, const config::LisMapping& mapping) {
    auto learned = orders::remap_unmapped_tests(
        config.database_url, source,
        [&mapping](std::string_view code) { return mapping.ordered_tests(code); });
    if (!learned) {
      spdlog::warn("{}: the open tests with unknown codes were not mapped again: {}", source,
                   learned.error().detail);
    } else if (!learned->empty()) {
      spdlog::info("{}: {} open test(s) whose code the mapping table now knows ordered as mapped",
                   source, learned->size());
    }
  }

  void add_order_feeds() {
    for (std::size_t i = 0; i < config.lis.size(); ++i) {
      const auto& d = config.lis[i];
      if (!d.orders) {
        continue;
      }
      orders::OrderIntakeSettings settings;
      settings.dsn = config.database_url;
      settings.source = d.name;
      settings.mapping = lis_links[i]->settings().mapping;
      settings.charset = d.orders->charset;
      settings.on_stored = [this](const records::OrderReceipt& orders,
                                  const records::OrderChanges& changes) {
        if (orders.refusal || changes.refusal) {
          return;
        }
        std::vector<std::string> specimens;
        for (const auto& o : orders.orders) {
          specimens.push_back(o.order.specimen_id);
        }
        downloads.orders_arrived(std::move(specimens));
      };
      learn_mapped_codes(d.name, settings.mapping);
      order_intakes.push_back(std::make_unique<orders::OrderIntake>(std::move(settings)));
      if (std::holds_alternative<config::TcpServerTransport>(d.orders->transport)) {
        order_feed_listeners[d.name] = listeners.size();
      }
      add_transport(order_feed_peer(d), {*order_intakes.back(), registry, link_tally, timings,
                                         nullptr, nullptr, nullptr});
    }
  }

  void add_transports() {
    for (const auto& a : config.analyzers) {
      add_transport(a, services());
    }
    add_order_feeds();
  }

  void add_transport(const config::AnalyzerConfig& a, ConnectionServices services) {
    {
      if (const auto* t = std::get_if<config::TcpServerTransport>(&a.transport)) {
        auto open = t->tls ? open_tls_analyzer(a, services, a.max_connections,
                                               transport::server_tls_context(*t->tls))
                           : open_tcp_analyzer(a, services, a.max_connections);
        listeners.push_back(std::make_unique<transport::TcpListener>(
            io, a.name, served(a), *t, *transport::PeerAllowList::parse(a.allowed_peers),
            a.tcp_keepalive, std::move(open)));
      } else if (const auto* t = std::get_if<config::TcpClientTransport>(&a.transport)) {
        auto open = t->tls
                        ? open_tls_analyzer(a, services, 1, transport::client_tls_context(*t->tls))
                        : open_tcp_analyzer(a, services, 1);
        dialers.push_back(std::make_unique<transport::TcpDialer>(io, a.name, *t, a.tcp_keepalive,
                                                                 std::move(open)));
      } else if (const auto* t = std::get_if<config::SerialTransport>(&a.transport)) {
        serial_lines.push_back(std::make_unique<transport::SerialLine>(
            io, a.name, *t, open_serial_analyzer(a, services)));
      } else {
        file_drops.push_back(std::make_unique<transport::FileDrop>(
            io, a.name, std::get<config::FileDropTransport>(a.transport),
            receive_export_files(a, services)));
      }
    }
  }

  template <typename F>
  void each_transport(F f) {
    for (auto& t : listeners)
      f(*t);
    for (auto& t : dialers)
      f(*t);
    for (auto& t : serial_lines)
      f(*t);
    for (auto& t : file_drops)
      f(*t);
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

  asio::awaitable<void> shut_down() {
    is_serving = false;
    if (http)
      http->stop();
    each_transport([](auto& t) { t.stop(); });
    for (auto& link : lis_links) {
      link->stop();
    }
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

Daemon::Daemon(config::DaemonConfig config, DaemonOptions options) {
  auto archive = std::make_shared<rules::DatabaseResultArchive>(config.database_url);
  if (!config.rules.files.empty()) {
    archive->warm_up(config.store.writers);  // one history reader per store writer
  }
  auto recent =
      std::make_shared<rules::RecentResults>(archive, config.rules.recent_results_capacity);
  auto quality_control = control_book(config);
  auto reader = std::make_shared<ingest::CurrentMessageReader>(
      build_message_reader(config, recent, quality_control));
  parts_ = std::make_unique<Parts>(std::move(config), std::move(options), std::move(recent),
                                   std::move(quality_control), std::move(reader));
  if (parts_->options.handle_signals) {
    // Before any port is bound: once an analyzer (or a test) can connect, a SIGTERM or SIGHUP
    // must be ours to handle, not the default action.
    parts_->signals.add(SIGTERM);
    parts_->signals.add(SIGINT);
    parts_->signals.add(SIGHUP);
  }
  parts_->add_transports();
  parts_->add_http();
}

Daemon::~Daemon() = default;

int Daemon::run() {
  auto& p = *parts_;
  if (p.options.handle_signals) {
    asio::co_spawn(p.io, p.handle_signals(*this), asio::detached);
  }
  p.each_transport([](auto& t) { t.start(); });
  if (p.http)
    p.http->start();
  p.is_serving = true;
  p.start_lis_links();
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
  if (p.outbox_watch) {
    p.outbox_watch->stop();
  }
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

bool Daemon::reload(const config::DaemonConfig& config) {
  return parts_->reload(config).empty();
}

std::uint16_t Daemon::http_port() const {
  return parts_->http ? parts_->http->port() : 0;
}

std::uint16_t Daemon::port_of(std::string_view analyzer) const {
  auto& p = *parts_;
  for (const auto& link : p.lis_links) {
    if (link->name() == analyzer) {
      return link->port();
    }
  }
  std::size_t at = 0;
  for (const auto& a : p.config.analyzers) {
    if (std::holds_alternative<config::TcpServerTransport>(a.transport)) {
      if (a.name == analyzer)
        return p.listeners[at]->port();
      ++at;
    }
  }
  return 0;
}

std::uint16_t Daemon::order_feed_port(std::string_view lis) const {
  const auto& p = *parts_;
  const auto it = p.order_feed_listeners.find(lis);
  return it == p.order_feed_listeners.end() ? 0 : p.listeners[it->second]->port();
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
  for (const auto& link : parts_->lis_links) {
    if (link->name() == destination) {
      return &link->counters();
    }
  }
  return nullptr;
}

std::size_t Daemon::connection_count() const {
  return parts_->registry.size();
}

}  // namespace hemalink::daemon
