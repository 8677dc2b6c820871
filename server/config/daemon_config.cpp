#include "server/config/daemon_config.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <cstdlib>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "drivers/driver.hpp"
#include "server/config/mapping_json.hpp"
#include "server/config/shipped_mappings.hpp"
#include "server/config/tls_config.hpp"
#include "server/files/json_fields.hpp"
#include "server/files/json_text_positions.hpp"
#include "server/files/text_file.hpp"
#include "server/transport/peer_allow_list.hpp"

namespace hemalink::config {
namespace {

using files::JsonFields;
using files::read_text_file;
using nlohmann::json;

constexpr std::int64_t kMaxPort = 65535;

bool is_ip_address(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool is_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& path) {
  if (path.empty())
    return {};
  const std::filesystem::path p(path);
  return p.is_absolute() ? p : base / p;
}

TcpServerTransport read_tcp_server(JsonFields& f, const std::filesystem::path& base) {
  TcpServerTransport t;
  t.tls = read_tls_server(f, base);
  f.text("listen_address", t.listen_address);
  if (f.has("listen_address") && !is_ip_address(t.listen_address)) {
    f.error(f.path_of("listen_address"),
            fmt::format("expected an IP address (0.0.0.0 for every interface), got \"{}\"",
                        t.listen_address));
  }
  // 0: a port the system chooses, named in the log line "NAME: listening on ADDRESS:PORT".
  f.integer("port", t.port, 0, kMaxPort, true);
  return t;
}

// PREFIX_min_ms and PREFIX_max_ms (each within its bounds), the max at least the min.
void read_wait_range(JsonFields& f, const std::string& prefix,
                     std::pair<std::int64_t, std::int64_t> min_bounds,
                     std::pair<std::int64_t, std::int64_t> max_bounds,
                     std::chrono::milliseconds& min, std::chrono::milliseconds& max) {
  const auto min_key = prefix + "_min_ms";
  const auto max_key = prefix + "_max_ms";
  std::int64_t min_ms = min.count();
  std::int64_t max_ms = max.count();
  f.integer(min_key.c_str(), min_ms, min_bounds.first, min_bounds.second);
  f.integer(max_key.c_str(), max_ms, max_bounds.first, max_bounds.second);
  if (max_ms < min_ms) {
    f.error(f.path_of(max_key.c_str()),
            fmt::format("expected at least {} ({}), got {}", min_key, min_ms, max_ms));
  }
  min = std::chrono::milliseconds(min_ms);
  max = std::chrono::milliseconds(max_ms);
}

TcpClientTransport read_tcp_client(JsonFields& f, const std::filesystem::path& base) {
  TcpClientTransport t;
  t.tls = read_tls_client(f, base);
  f.text("host", t.host, true);
  f.integer("port", t.port, 1, kMaxPort, true);
  read_wait_range(f, "reconnect", {100, 600000}, {100, 3600000}, t.reconnect_min, t.reconnect_max);
  return t;
}

SerialTransport read_serial(JsonFields& f) {
  SerialTransport t;
  f.text("device", t.device, true);
  static constexpr std::int64_t kBauds[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
  if (f.has("baud")) {
    std::int64_t baud = 0;
    f.integer("baud", baud, 0, 1000000);
    if (std::find(std::begin(kBauds), std::end(kBauds), baud) == std::end(kBauds)) {
      f.error(f.path_of("baud"),
              fmt::format("expected one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, "
                          "115200, got {}",
                          baud));
    } else {
      t.baud = static_cast<unsigned>(baud);
    }
  }
  f.integer("data_bits", t.data_bits, 7, 8);
  f.integer("stop_bits", t.stop_bits, 1, 2);
  if (auto parity = f.choice("parity", {"none", "even", "odd"})) {
    t.parity = static_cast<Parity>(*parity);
  }
  if (auto flow = f.choice("flow_control", {"none", "software", "hardware"})) {
    t.flow_control = static_cast<FlowControl>(*flow);
  }
  return t;
}

FileDropTransport read_file_drop(JsonFields& f, const std::filesystem::path& base) {
  FileDropTransport t;
  std::string folder;
  std::string done;
  f.text("folder", folder, true);
  f.text("done_folder", done);
  t.folder = resolve(base, folder);
  t.done_folder = done.empty() ? t.folder / "done" : resolve(base, done);
  std::int64_t poll = t.poll_interval.count();
  f.integer("poll_interval_ms", poll, 100, 600000);
  t.poll_interval = std::chrono::milliseconds(poll);
  return t;
}

Transport read_transport(JsonFields& parent, const std::filesystem::path& base) {
  const json* node = parent.object("transport", true);
  if (node == nullptr)
    return TcpServerTransport{};
  JsonFields f(*node, parent.path_of("transport"), parent.errors());
  switch (f.choice("type", {"tcp-server", "tcp-client", "serial", "file-drop"}, true).value_or(9)) {
    case 0:
      return read_tcp_server(f, base);
    case 1:
      return read_tcp_client(f, base);
    case 2:
      return read_serial(f);
    case 3:
      return read_file_drop(f, base);
    default:
      f.ignore_other_keys();  // the type is wrong: the other keys cannot be judged
      return TcpServerTransport{};
  }
}

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
  auto read = [&](const char* key, std::chrono::milliseconds& out) {
    std::int64_t ms = out.count();
    f.integer(key, ms, 100, 600000);
    out = std::chrono::milliseconds(ms);
  };
  read("establishment", a.link_timeouts.establishment);
  read("reply", a.link_timeouts.reply);
  read("receive", a.link_timeouts.receive);
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

AnalyzerConfig read_analyzer(const json& node, const std::string& path,
                             const std::filesystem::path& base, files::FileErrors& errors) {
  JsonFields f(node, path, errors);
  AnalyzerConfig a;
  f.text("name", a.name, true);
  if (f.has("name") && !a.name.empty() && !is_name(a.name)) {
    f.error(
        f.path_of("name"),
        fmt::format("expected letters, digits, '-', '_' or '.' (at most 64), got \"{}\"", a.name));
  }
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
  f.text_list("allowed_peers", a.allowed_peers);
  for (std::size_t i = 0; i < a.allowed_peers.size(); ++i) {
    if (!transport::PeerAllowList::parse({a.allowed_peers[i]})) {
      f.error(fmt::format("{}[{}]", f.path_of("allowed_peers"), i),
              fmt::format("expected an IP address or CIDR block, got \"{}\"", a.allowed_peers[i]));
    }
  }
  f.integer("max_message_bytes", a.max_message_bytes, 1024, 64 * 1024 * 1024);
  f.integer("max_connections", a.max_connections, 1, 10000);
  std::int64_t idle = a.idle_timeout.count();
  f.integer("idle_timeout_s", idle, 10, 86400);
  a.idle_timeout = std::chrono::seconds(idle);
  f.boolean("tcp_keepalive", a.tcp_keepalive);
  std::string charset;
  f.text("charset", charset);
  if (!charset.empty()) {
    if (auto c = charset_from_name(charset)) {
      a.charset = *c;
    } else {
      f.error(f.path_of("charset"),
              fmt::format("expected \"ascii\", \"latin1\" or \"utf8\", got \"{}\"", charset));
    }
  }
  read_mapping_base(f, a);
  std::string mappings;
  f.text("mappings", mappings);
  a.mappings_file = resolve(base, mappings);
  read_link_timeouts(f, a);
  read_leniencies(f, a);
  f.boolean("download_orders", a.download_orders);
  if (protocol && !a.driver.empty()) {
    check_driver(f, a);
  }
  return a;
}

void check_unique(const std::vector<AnalyzerConfig>& analyzers, files::FileErrors& errors) {
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

void read_xbarm(const json& node, const std::string& path, files::FileErrors& errors,
                qc::QcPolicy::Xbarm& x) {
  JsonFields f(node, path, errors);
  f.boolean("enabled", x.is_enabled);
  f.integer("batch", x.batch, 2, 1000);
  f.number("limit_pct", x.limit_pct, 0.1, 50);
  f.integer("confirm_batches", x.confirm_batches, 1, 10);
  if (const json* targets = f.object("targets")) {
    x.targets.clear();
    for (const auto& [test, target] : targets->items()) {
      if (!target.is_number() || target.get<double>() <= 0) {
        f.error(fmt::format("{}.targets.{}", path, test),
                fmt::format("expected a target above 0, got {}", files::describe(target)));
        continue;
      }
      x.targets[test] = target.get<double>();
    }
  }
  f.boolean("acts_on_gate", x.acts_on_gate);
}

qc::AverageSettings read_average(const json& node, const std::string& path,
                                 files::FileErrors& errors) {
  JsonFields f(node, path, errors);
  qc::AverageSettings a;
  f.text("analyzer", a.analyzer, true);
  f.text("test", a.test, true);
  if (auto m = f.choice("method", {"xbarm", "ma", "ewma"}, true)) {
    a.method = *m == 0   ? qc::AverageMethod::XbarM
               : *m == 1 ? qc::AverageMethod::MovingAverage
                         : qc::AverageMethod::Ewma;
  }
  f.integer("block", a.block, 2, 1000);
  f.number("lambda", a.lambda, 0.001, 1);
  f.integer("every", a.every, 1, 1000);
  double below = -1e300;
  double above = 1e300;
  f.number("truncate_below", below, -1e12, 1e12);
  f.number("truncate_above", above, -1e12, 1e12);
  if (f.has("truncate_below"))
    a.truncate_below = below;
  if (f.has("truncate_above"))
    a.truncate_above = above;
  f.number("target", a.target, -1e12, 1e12, true);
  f.number("low", a.low, -1e12, 1e12, true);
  f.number("high", a.high, -1e12, 1e12, true);
  if (!(a.low < a.target && a.target < a.high)) {
    f.error(path, "expected low < target < high");
  }
  f.integer("confirm_points", a.confirm, 1, 100);
  f.boolean("acts_on_gate", a.acts_on_gate);
  return a;
}

void read_qc(const json& node, const std::filesystem::path& base, files::FileErrors& errors,
             QcConfig& qc) {
  JsonFields f(node, "qc", errors);
  std::string controls;
  f.text("controls_file", controls);
  if (!controls.empty()) {
    qc.controls_file = resolve(base, controls);
  }
  f.integer("establish_runs", qc.policy.establish_runs, 2, 100);
  std::int64_t window = qc.policy.run_window.count();
  f.integer("run_window_min", window, 1, 24 * 60);
  qc.policy.run_window = std::chrono::minutes(window);
  std::int64_t interval = qc.policy.interval.count() / 60;
  f.integer("interval_hours", interval, 1, 24 * 31);
  qc.policy.interval = std::chrono::hours(interval);
  if (const json* xbarm = f.object("xbarm")) {
    read_xbarm(*xbarm, f.path_of("xbarm"), errors, qc.policy.xbarm);
  }
  if (const json* averages = f.array("moving_averages")) {
    for (std::size_t i = 0; i < averages->size(); ++i) {
      qc.policy.averages.push_back(read_average(
          (*averages)[i], fmt::format("{}[{}]", f.path_of("moving_averages"), i), errors));
    }
  }
  if (f.has("gate_holds")) {
    std::vector<std::string> holds;
    f.text_list("gate_holds", holds);
    qc.hold_out = qc.hold_unknown = false;
    for (std::size_t i = 0; i < holds.size(); ++i) {
      if (holds[i] == "out") {
        qc.hold_out = true;
      } else if (holds[i] == "unknown") {
        qc.hold_unknown = true;
      } else {
        f.error(fmt::format("{}[{}]", f.path_of("gate_holds"), i),
                fmt::format("expected \"out\" or \"unknown\", got \"{}\"", holds[i]));
      }
    }
  }
}

void read_sections(JsonFields& top, DaemonConfig& c, const std::filesystem::path& base) {
  if (const json* db = top.object("database", true)) {
    JsonFields f(*db, "database", top.errors());
    f.text("url", c.database_url);
    f.boolean("migrate_at_start", c.migrate_at_start);
  }
  read_http_config(top, c.http, base);
  std::string spool;
  top.text("spool_dir", spool);
  if (!spool.empty())
    c.spool_dir = spool;
  c.spool_dir = resolve(base, c.spool_dir.string());
  if (const json* logging = top.object("logging")) {
    JsonFields f(*logging, "logging", top.errors());
    static constexpr const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
    if (auto level = f.choice("level", {"trace", "debug", "info", "warn", "error"})) {
      c.log_level = kLevels[*level];
    }
    if (auto format = f.choice("format", {"text", "json"})) {
      c.log_json = *format == 1;
    }
  }
  top.integer("threads", c.threads, 0, 256);
  top.integer("max_connections", c.max_connections, 1, 100000);
  std::int64_t grace = c.shutdown_grace.count();
  top.integer("shutdown_grace_ms", grace, 0, 60000);
  c.shutdown_grace = std::chrono::milliseconds(grace);
  if (const json* orders = top.object("orders")) {
    JsonFields f(*orders, "orders", top.errors());
    f.boolean("hold_results_not_ordered", c.orders.hold_results_not_ordered);
    f.boolean("hold_specimens_without_order", c.orders.hold_specimens_without_order);
    std::int64_t overdue = c.orders.overdue_after.count();
    f.integer("overdue_after_min", overdue, 1, 60 * 24 * 60);
    c.orders.overdue_after = std::chrono::minutes(overdue);
  }
  if (const json* qc = top.object("qc")) {
    read_qc(*qc, base, top.errors(), c.qc);
  }
  if (const json* rules = top.object("rules")) {
    JsonFields f(*rules, "rules", top.errors());
    std::vector<std::string> files;
    f.text_list("files", files);
    for (const auto& file : files)
      c.rules.files.push_back(resolve(base, file));
    f.integer("recent_results_capacity", c.rules.recent_results_capacity, 100, 10000000);
  }
  if (const json* store = top.object("store")) {
    JsonFields f(*store, "store", top.errors());
    f.integer("writers", c.store.writers, 1, 32);
    f.integer("max_batch_messages", c.store.max_batch_messages, 1, 10000);
    std::int64_t wait = c.store.max_batch_wait.count();
    f.integer("max_batch_wait_us", wait, 0, 100000);
    c.store.max_batch_wait = std::chrono::microseconds(wait);
    std::int64_t budget = c.store.ack_budget.count();
    f.integer("ack_budget_ms", budget, 100, 10000);
    c.store.ack_budget = std::chrono::milliseconds(budget);
  }
}

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

void read_allowed_peers(JsonFields& f, std::vector<std::string>& peers) {
  f.text_list("allowed_peers", peers);
  for (std::size_t i = 0; i < peers.size(); ++i) {
    if (!transport::PeerAllowList::parse({peers[i]})) {
      f.error(fmt::format("{}[{}]", f.path_of("allowed_peers"), i),
              fmt::format("expected an IP address or CIDR block, got \"{}\"", peers[i]));
    }
  }
}

LisOrderFeed read_order_feed(const json& node, const std::string& path,
                             const std::filesystem::path& base, WireProtocol protocol,
                             files::FileErrors& errors) {
  JsonFields f(node, path, errors);
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
  std::string charset;
  f.text("charset", charset);
  if (!charset.empty()) {
    if (auto c = charset_from_name(charset)) {
      o.charset = *c;
    } else {
      f.error(f.path_of("charset"),
              fmt::format("expected \"ascii\", \"latin1\" or \"utf8\", got \"{}\"", charset));
    }
  }
  return o;
}

LisDestination read_lis_destination(const json& node, const std::string& path,
                                    const std::filesystem::path& base,
                                    const std::vector<AnalyzerConfig>& analyzers,
                                    files::FileErrors& errors) {
  JsonFields f(node, path, errors);
  LisDestination d;
  f.text("name", d.name, true);
  if (f.has("name") && !d.name.empty() && !is_name(d.name)) {
    f.error(
        f.path_of("name"),
        fmt::format("expected letters, digits, '-', '_' or '.' (at most 64), got \"{}\"", d.name));
  }
  const auto protocol = f.choice("protocol", {"hl7", "astm"}, true);
  d.protocol = protocol.value_or(0) == 1 ? WireProtocol::Astm : WireProtocol::Hl7;
  d.transport = read_transport(f, base);
  if (std::holds_alternative<FileDropTransport>(d.transport)) {
    f.error(f.path_of("transport") + ".type",
            "a LIS is reached over \"tcp-client\", \"tcp-server\" or \"serial\"");
  }
  f.text_list("allowed_peers", d.allowed_peers);
  for (std::size_t i = 0; i < d.allowed_peers.size(); ++i) {
    if (!transport::PeerAllowList::parse({d.allowed_peers[i]})) {
      f.error(fmt::format("{}[{}]", f.path_of("allowed_peers"), i),
              fmt::format("expected an IP address or CIDR block, got \"{}\"", d.allowed_peers[i]));
    }
  }
  f.boolean("tcp_keepalive", d.tcp_keepalive);
  std::string mapping;
  f.text("mapping", mapping);
  d.mapping_file = resolve(base, mapping);
  f.text_list("analyzers", d.analyzers);
  check_lis_analyzers(f, d, analyzers);
  f.text("sending_application", d.sending_application);
  f.text("sending_facility", d.sending_facility);
  f.text("receiving_application", d.receiving_application);
  f.text("receiving_facility", d.receiving_facility);
  if (auto id = f.choice("processing_id", {"P", "T", "D"})) {
    d.processing_id = static_cast<ProcessingId>(*id);
  }
  std::int64_t timeout = d.ack_timeout.count();
  f.integer("ack_timeout_ms", timeout, 100, 600000);
  d.ack_timeout = std::chrono::milliseconds(timeout);
  f.integer("max_attempts", d.max_attempts, 1, 1000);
  read_wait_range(f, "backoff", {10, 3600000}, {10, 86400000}, d.backoff_min, d.backoff_max);
  if (const json* orders = f.object("orders")) {
    d.orders = read_order_feed(*orders, f.path_of("orders"), base, d.protocol, errors);
  }
  return d;
}

void read_lis(JsonFields& top, DaemonConfig& c, const std::filesystem::path& base) {
  if (!top.has("lis")) {
    return;
  }
  if (const json* lis = top.any("lis"); lis->is_object()) {
    top.error("lis",
              "expected a list of destinations: [{\"name\": \"lis\", \"protocol\": \"hl7\", "
              "\"transport\": {\"type\": \"tcp-client\", \"host\": ..., \"port\": ...}}] (one "
              "{\"host\", \"port\"} object was the form before destinations)");
    return;
  }
  const json* list = top.array("lis");
  if (list == nullptr) {
    return;
  }
  std::map<std::string, std::size_t> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto path = fmt::format("lis[{}]", i);
    c.lis.push_back(read_lis_destination((*list)[i], path, base, c.analyzers, top.errors()));
    const auto& name = c.lis.back().name;
    if (!name.empty() && !names.emplace(name, i).second) {
      top.error(path + ".name",
                fmt::format("\"{}\" is already the name of lis[{}]", name, names[name]));
    }
  }
}

}  // namespace

Result<DaemonConfig, files::FileErrors> parse_daemon_config(
    std::string_view json_text, const std::filesystem::path& base_dir,
    const std::optional<std::string>& database_url_override) {
  auto parsed = files::parse_json(json_text, "");
  if (!parsed) {
    return files::FileErrors{parsed.error()};
  }
  const json& document = *parsed;
  files::FileErrors errors;
  DaemonConfig c;
  {
    JsonFields top(document, "", errors);
    read_sections(top, c, base_dir);
    if (const json* list = top.array("analyzers", true)) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        c.analyzers.push_back(
            read_analyzer((*list)[i], fmt::format("analyzers[{}]", i), base_dir, errors));
      }
    }
    read_lis(top, c, base_dir);
  }
  check_unique(c.analyzers, errors);
  if (database_url_override && !database_url_override->empty()) {
    c.database_url = *database_url_override;
  } else if (c.database_url.empty() && document.is_object() && document.contains("database")) {
    errors.push_back({"", std::nullopt, "database.url",
                      "required (or set HEMALINK_DATABASE_URL in the environment)",
                      files::Errc::Missing});
  }
  if (!errors.empty()) {
    return errors;
  }
  return c;
}

bool takes_orders(const DaemonConfig& config) {
  return std::any_of(config.lis.begin(), config.lis.end(),
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

std::optional<std::string> database_url_from_environment() {
  const char* url = std::getenv("HEMALINK_DATABASE_URL");
  if (url == nullptr || *url == '\0')
    return std::nullopt;
  return std::string(url);
}

Result<DaemonConfig, files::FileErrors> read_daemon_config_file(const std::filesystem::path& file) {
  const auto text = read_text_file(file);
  if (!text) {
    return files::FileErrors{
        {file.string(), std::nullopt, "", "cannot read the file", files::Errc::Unreadable}};
  }
  auto parsed = parse_daemon_config(*text, file.parent_path(), database_url_from_environment());
  if (!parsed) {
    return files::in_file(parsed.error(), file.string());
  }
  return parsed;
}

}  // namespace hemalink::config
