#include "server/daemon/lab_view_of.hpp"

#include <fmt/format.h>

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

}  // namespace

std::vector<api::AnalyzerEntry> analyzer_entries(const DaemonConfig& config) {
  std::vector<api::AnalyzerEntry> out;
  for (const auto& a : config.analyzers) {
    auto [kind, address] = describe(a.transport);
    out.push_back({a.name, a.driver, config::to_string(a.protocol), kind, address});
  }
  return out;
}

}  // namespace hemalink::daemon
