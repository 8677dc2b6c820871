#include "server/daemon/analyzer_transports.hpp"

#include <fmt/format.h>

#include <variant>

#include "server/daemon/analyzer_connection.hpp"
#include "server/daemon/export_file_receipts.hpp"
#include "server/transport/peer_allow_list.hpp"
#include "server/transport/tls_context.hpp"

namespace hemalink::daemon {
namespace {

// A LIS's order feed runs on the analyzers' connections: the same transports, sessions and
// acknowledgement after commit; its messages go to the LIS's order intake instead of the store.
config::AnalyzerConfig order_feed_peer(const lis::LisDestination& d) {
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

std::uint16_t port_in(const std::map<std::string, std::size_t, std::less<>>& listener_of,
                      std::string_view name,
                      const std::vector<std::unique_ptr<transport::TcpListener>>& listeners) {
  const auto it = listener_of.find(name);
  return it == listener_of.end() ? 0 : listeners[it->second]->port();
}

}  // namespace

void AnalyzerTransports::add(const config::AnalyzerConfig& analyzer, ConnectionServices services) {
  if (auto listener = open(analyzer, services)) {
    analyzer_listeners_.emplace(analyzer.name, *listener);
  }
}

void AnalyzerTransports::add_order_feed(const lis::LisDestination& lis,
                                        ConnectionServices services) {
  if (auto listener = open(order_feed_peer(lis), services)) {
    order_feed_listeners_.emplace(lis.name, *listener);
  }
}

std::optional<std::size_t> AnalyzerTransports::open(const config::AnalyzerConfig& a,
                                                    ConnectionServices services) {
  if (const auto* t = std::get_if<config::TcpServerTransport>(&a.transport)) {
    auto connect = t->tls ? open_tls_analyzer(a, services, a.max_connections,
                                              transport::server_tls_context(*t->tls))
                          : open_tcp_analyzer(a, services, a.max_connections);
    listeners_.push_back(std::make_unique<transport::TcpListener>(
        io_, a.name, served(a), *t, *transport::PeerAllowList::parse(a.allowed_peers),
        a.tcp_keepalive, std::move(connect)));
    return listeners_.size() - 1;
  }
  if (const auto* t = std::get_if<config::TcpClientTransport>(&a.transport)) {
    auto connect = t->tls
                       ? open_tls_analyzer(a, services, 1, transport::client_tls_context(*t->tls))
                       : open_tcp_analyzer(a, services, 1);
    dialers_.push_back(std::make_unique<transport::TcpDialer>(io_, a.name, *t, a.tcp_keepalive,
                                                              std::move(connect)));
  } else if (const auto* t = std::get_if<config::SerialTransport>(&a.transport)) {
    serial_lines_.push_back(std::make_unique<transport::SerialLine>(
        io_, a.name, *t, open_serial_analyzer(a, services)));
  } else {
    file_drops_.push_back(std::make_unique<transport::FileDrop>(
        io_, a.name, std::get<config::FileDropTransport>(a.transport),
        receive_export_files(a, services)));
  }
  return std::nullopt;
}

template <typename F>
void AnalyzerTransports::each(F f) {
  for (auto& t : listeners_)
    f(*t);
  for (auto& t : dialers_)
    f(*t);
  for (auto& t : serial_lines_)
    f(*t);
  for (auto& t : file_drops_)
    f(*t);
}

void AnalyzerTransports::start() {
  each([](auto& t) { t.start(); });
}

void AnalyzerTransports::stop() {
  each([](auto& t) { t.stop(); });
}

std::uint16_t AnalyzerTransports::port_of(std::string_view analyzer) const {
  return port_in(analyzer_listeners_, analyzer, listeners_);
}

std::uint16_t AnalyzerTransports::order_feed_port(std::string_view lis) const {
  return port_in(order_feed_listeners_, lis, listeners_);
}

}  // namespace hemalink::daemon
