#include "server/lis/lis_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <variant>

#include "server/config/transport_config.hpp"
#include "server/files/json_fields.hpp"
#include "server/files/text_file.hpp"

namespace hemalink::lis {
namespace {

using config::AnalyzerConfig;
using config::read_allowed_peers;
using config::read_charset;
using config::read_name;
using config::read_transport;
using config::read_wait_range;
using files::JsonFields;
using nlohmann::json;
using transport::FileDropTransport;

void check_lis_analyzers(JsonFields& f, const LisDestination& d,
                         const std::vector<AnalyzerConfig>& analyzers) {
  for (std::size_t i = 0; i < d.analyzers.size(); ++i) {
    const bool known = std::any_of(analyzers.begin(), analyzers.end(),
                                   [&](const auto& a) { return a.name == d.analyzers[i]; });
    if (!known) {
      f.error(fmt::format("{}[{}]", f.path_of("analyzers"), i),
              fmt::format("no analyzer is named \"{}\"", d.analyzers[i]));
    }
  }
}

LisOrderFeed read_order_feed(JsonFields& f, const std::filesystem::path& base,
                             WireProtocol protocol) {
  LisOrderFeed o;
  o.protocol = protocol;
  if (auto p = f.choice("protocol", {"hl7", "astm"})) {
    o.protocol = *p == 1 ? WireProtocol::Astm : WireProtocol::Hl7;
  }
  if (auto link = f.choice("link", {"e1381", "bare"})) {
    o.link = static_cast<AstmLink>(*link);
  }
  o.transport = read_transport(f, base);
  if (std::holds_alternative<FileDropTransport>(o.transport)) {
    f.error(f.path_of("transport") + ".type",
            "orders come over \"tcp-server\", \"tcp-client\" or \"serial\"");
  }
  read_allowed_peers(f, o.allowed_peers);
  f.boolean("tcp_keepalive", o.tcp_keepalive);
  f.integer("max_message_bytes", o.max_message_bytes, 1024, 64 * 1024 * 1024);
  read_charset(f, o.charset);
  return o;
}

LisDestination read_destination(JsonFields& f, const std::filesystem::path& base,
                                const std::vector<AnalyzerConfig>& analyzers) {
  LisDestination d;
  read_name(f, d.name);
  const auto protocol = f.choice("protocol", {"hl7", "astm"}, true);
  d.protocol = protocol.value_or(0) == 1 ? WireProtocol::Astm : WireProtocol::Hl7;
  d.transport = read_transport(f, base);
  if (std::holds_alternative<FileDropTransport>(d.transport)) {
    f.error(f.path_of("transport") + ".type",
            "a LIS is reached over \"tcp-client\", \"tcp-server\" or \"serial\"");
  }
  read_allowed_peers(f, d.allowed_peers);
  f.boolean("tcp_keepalive", d.tcp_keepalive);
  std::string mapping;
  f.text("mapping", mapping);
  d.mapping_file = files::path_from(base, mapping);
  f.text_list("analyzers", d.analyzers);
  check_lis_analyzers(f, d, analyzers);
  f.text("sending_application", d.sending_application);
  f.text("sending_facility", d.sending_facility);
  f.text("receiving_application", d.receiving_application);
  f.text("receiving_facility", d.receiving_facility);
  if (auto id = f.choice("processing_id", {"P", "T", "D"})) {
    d.processing_id = static_cast<ProcessingId>(*id);
  }
  f.duration("ack_timeout_ms", d.ack_timeout, 100, 600000);
  f.integer("max_attempts", d.max_attempts, 1, 1000);
  read_wait_range(f, "backoff", {10, 3600000}, {10, 86400000}, d.backoff_min, d.backoff_max);
  if (const json* orders = f.object("orders")) {
    JsonFields o(*orders, f.path_of("orders"), f.errors());
    d.orders = read_order_feed(o, base, d.protocol);
  }
  return d;
}

}  // namespace

std::vector<LisDestination> read_lis_config(JsonFields& top, const std::filesystem::path& base,
                                            const std::vector<AnalyzerConfig>& analyzers) {
  std::vector<LisDestination> destinations;
  if (!top.has("lis")) {
    return destinations;
  }
  if (const json* lis = top.any("lis"); lis->is_object()) {
    top.error(files::Errc::WrongType, "lis",
              "expected a list of destinations: [{\"name\": \"lis\", \"protocol\": \"hl7\", "
              "\"transport\": {\"type\": \"tcp-client\", \"host\": ..., \"port\": ...}}] (one "
              "{\"host\", \"port\"} object was the form before destinations)");
    return destinations;
  }
  top.each_object(
      "lis", [&](JsonFields& f) { destinations.push_back(read_destination(f, base, analyzers)); });
  std::map<std::string, std::size_t> names;
  for (std::size_t i = 0; i < destinations.size(); ++i) {
    const auto& name = destinations[i].name;
    if (!name.empty() && !names.emplace(name, i).second) {
      top.error(fmt::format("{}[{}].name", top.path_of("lis"), i),
                fmt::format("\"{}\" is already the name of lis[{}]", name, names[name]));
    }
  }
  return destinations;
}

bool takes_orders(const std::vector<LisDestination>& destinations) {
  return std::any_of(destinations.begin(), destinations.end(),
                     [](const LisDestination& d) { return d.orders.has_value(); });
}

bool LisDestination::takes(std::string_view analyzer) const {
  return analyzers.empty() ||
         std::find(analyzers.begin(), analyzers.end(), analyzer) != analyzers.end();
}

char processing_id_code(ProcessingId id) {
  switch (id) {
    case ProcessingId::Training:
      return 'T';
    case ProcessingId::Debugging:
      return 'D';
    default:
      return 'P';
  }
}

Result<std::vector<config::LisMapping>, files::FileErrors> load_lis_mappings(
    const std::vector<LisDestination>& destinations) {
  std::vector<config::LisMapping> mappings;
  files::FileErrors errors;
  for (std::size_t i = 0; i < destinations.size(); ++i) {
    const auto& file = destinations[i].mapping_file;
    mappings.emplace_back();
    if (file.empty()) {
      continue;
    }
    const auto text = files::read_text_file(file);
    if (!text) {
      errors.push_back({"", std::nullopt, fmt::format("lis[{}].mapping", i),
                        fmt::format("cannot read {}", file.string()), files::Errc::Unreadable});
      continue;
    }
    auto mapping = config::lis_mapping_from_json(*text, file.string());
    if (!mapping) {
      errors.insert(errors.end(), mapping.error().begin(), mapping.error().end());
      continue;
    }
    mappings.back() = std::move(*mapping);
  }
  if (!errors.empty()) {
    return errors;
  }
  return mappings;
}

}  // namespace hemalink::lis
