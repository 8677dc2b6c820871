#include "server/config/analyzer_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <variant>

#include "drivers/driver.hpp"
#include "server/config/mapping_json.hpp"
#include "server/config/shipped_mappings.hpp"
#include "server/config/transport_config.hpp"
#include "server/files/json_fields.hpp"

namespace hemalink::config {
namespace {

using files::JsonFields;
using nlohmann::json;

void check_driver(JsonFields& f, const AnalyzerConfig& a) {
  const auto& names = drivers::driver_names();
  if (std::find(names.begin(), names.end(), a.driver) == names.end()) {
    std::string known;
    for (auto n : names)
      known += (known.empty() ? "" : ", ") + std::string(n);
    f.error(f.path_of("driver"), fmt::format("unknown driver \"{}\" (known: {})", a.driver, known));
    return;
  }
  const auto driver = drivers::make_driver(a.driver, {});
  const bool is_file = std::holds_alternative<FileDropTransport>(a.transport);
  const auto input = driver->input();
  if (input == model::WireProtocol::Export && (!is_file || a.protocol != WireProtocol::Export)) {
    f.error(f.path_of("driver"), fmt::format("{} reads export files: use protocol \"export\" "
                                             "with a file-drop transport",
                                             a.driver));
  } else if (input == model::WireProtocol::Astm && a.protocol != WireProtocol::Astm) {
    f.error(f.path_of("protocol"), fmt::format("{} reads ASTM: expected \"astm\"", a.driver));
  } else if (input == model::WireProtocol::Hl7 && a.protocol != WireProtocol::Hl7) {
    f.error(f.path_of("protocol"), fmt::format("{} reads HL7: expected \"hl7\"", a.driver));
  }
  if (is_file && a.protocol != WireProtocol::Export) {
    f.error(f.path_of("transport"), "a file-drop transport carries export files only");
  }
  const bool can_download =
      input == model::WireProtocol::Hl7 ||
      (input == model::WireProtocol::Astm && driver->query_layout() != nullptr);
  if (a.download_orders && (!can_download || is_file)) {
    f.error(f.path_of("download_orders"),
            fmt::format("{} analyzers cannot be sent orders: its driver has no order layout",
                        a.driver));
  }
}

void read_mapping_base(JsonFields& f, AnalyzerConfig& a) {
  if (!f.has("base")) {
    return;
  }
  std::string base;
  const auto reported = f.errors().size();
  f.text("base", base);
  if (f.errors().size() == reported && base != "none" && !shipped_mapping_json(base)) {
    f.error(f.path_of("base"), unknown_base_message(base));
  }
  a.base = std::move(base);
}

void read_link_timeouts(JsonFields& parent, AnalyzerConfig& a) {
  const json* node = parent.object("link_timeouts_ms");
  if (node == nullptr)
    return;
  if (a.protocol != WireProtocol::Astm || a.link != AstmLink::E1381) {
    parent.error(parent.path_of("link_timeouts_ms"), "only E1381 links have link timers");
  }
  JsonFields f(*node, parent.path_of("link_timeouts_ms"), parent.errors());
  f.duration("establishment", a.link_timeouts.establishment, 100, 600000);
  f.duration("reply", a.link_timeouts.reply, 100, 600000);
  f.duration("receive", a.link_timeouts.receive, 100, 600000);
}

void read_leniencies(JsonFields& f, AnalyzerConfig& a) {
  std::vector<std::string> names;
  f.text_list("leniencies", names);
  Leniencies& l = a.leniencies;
  const std::pair<const char*, bool*> known[] = {
      {"bad-checksum", &l.bad_checksum},
      {"unpadded-checksum", &l.unpadded_checksum},
      {"lenient-frame-trailer", &l.lenient_frame_trailer},
      {"any-frame-number", &l.any_frame_number},
      {"missing-frame-number", &l.missing_frame_number},
      {"frames-without-enq", &l.frames_without_enq},
      {"doubled-repeat-delimiter", &l.doubled_repeat_delimiter},
  };
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto it = std::find_if(std::begin(known), std::end(known),
                           [&](const auto& k) { return names[i] == k.first; });
    if (it == std::end(known)) {
      std::string list;
      for (const auto& k : known)
        list.append(list.empty() ? "" : ", ").append(k.first);
      f.error(fmt::format("{}[{}]", f.path_of("leniencies"), i),
              fmt::format("expected one of {}, got \"{}\"", list, names[i]));
    } else {
      *it->second = true;
    }
  }
  if (!names.empty() && a.protocol != WireProtocol::Astm) {
    f.error(f.path_of("leniencies"), "only ASTM analyzers have leniencies");
  }
}

AnalyzerConfig read_analyzer(JsonFields& f, const std::filesystem::path& base) {
  AnalyzerConfig a;
  read_name(f, a.name);
  f.text("driver", a.driver, true);
  const auto protocol = f.choice("protocol", {"astm", "hl7", "export"}, true);
  a.protocol = static_cast<WireProtocol>(protocol.value_or(0));
  if (auto link = f.choice("link", {"e1381", "bare"})) {
    a.link = static_cast<AstmLink>(*link);
    if (a.protocol != WireProtocol::Astm) {
      f.error(f.path_of("link"), "only ASTM analyzers have a link mode");
    }
  }
  a.transport = read_transport(f, base);
  read_allowed_peers(f, a.allowed_peers);
  f.integer("max_message_bytes", a.max_message_bytes, 1024, 64 * 1024 * 1024);
  f.integer("max_connections", a.max_connections, 1, 10000);
  f.duration("idle_timeout_s", a.idle_timeout, 10, 86400);
  f.boolean("tcp_keepalive", a.tcp_keepalive);
  read_charset(f, a.charset);
  read_mapping_base(f, a);
  std::string mappings;
  f.text("mappings", mappings);
  a.mappings_file = files::path_from(base, mappings);
  read_link_timeouts(f, a);
  read_leniencies(f, a);
  f.boolean("download_orders", a.download_orders);
  if (protocol && !a.driver.empty()) {
    check_driver(f, a);
  }
  return a;
}

}  // namespace

std::vector<AnalyzerConfig> read_analyzers(JsonFields& top, const std::filesystem::path& base) {
  std::vector<AnalyzerConfig> analyzers;
  top.each_object(
      "analyzers", [&](JsonFields& f) { analyzers.push_back(read_analyzer(f, base)); }, true);
  return analyzers;
}

void check_analyzers_unique(const std::vector<AnalyzerConfig>& analyzers,
                            files::FileErrors& errors) {
  std::map<std::string, std::size_t> names;
  std::map<std::pair<std::string, int>, std::size_t> ports;
  for (std::size_t i = 0; i < analyzers.size(); ++i) {
    const auto& a = analyzers[i];
    if (!a.name.empty() && !names.emplace(a.name, i).second) {
      errors.push_back(
          {"", std::nullopt, fmt::format("analyzers[{}].name", i),
           fmt::format("\"{}\" is already the name of analyzers[{}]", a.name, names[a.name])});
    }
    if (const auto* t = std::get_if<TcpServerTransport>(&a.transport); t && t->port != 0) {
      const auto key = std::pair{t->listen_address, static_cast<int>(t->port)};
      if (!ports.emplace(key, i).second) {
        errors.push_back({"", std::nullopt, fmt::format("analyzers[{}].transport.port", i),
                          fmt::format("{} is already used by analyzers[{}]", t->port, ports[key])});
      }
    }
  }
}
}  // namespace hemalink::config
