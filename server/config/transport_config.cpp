#include "server/config/transport_config.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "server/config/tls_config.hpp"
#include "server/files/json_fields.hpp"
#include "server/transport/peer_allow_list.hpp"

namespace hemalink::config {
namespace {

using files::JsonFields;
using nlohmann::json;

constexpr std::int64_t kMaxPort = 65535;

bool is_ip_address(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
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
  t.folder = files::path_from(base, folder);
  t.done_folder = done.empty() ? t.folder / "done" : files::path_from(base, done);
  f.duration("poll_interval_ms", t.poll_interval, 100, 600000);
  return t;
}

}  // namespace

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

void read_name(JsonFields& f, std::string& name) {
  f.text("name", name, true);
  const bool is_name =
      name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
  if (f.has("name") && !name.empty() && !is_name) {
    f.error(
        f.path_of("name"),
        fmt::format("expected letters, digits, '-', '_' or '.' (at most 64), got \"{}\"", name));
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

void read_charset(JsonFields& f, Charset& charset) {
  std::string name;
  f.text("charset", name);
  if (name.empty()) {
    return;
  }
  if (auto c = charset_from_name(name)) {
    charset = *c;
  } else {
    f.error(f.path_of("charset"),
            fmt::format("expected \"ascii\", \"latin1\" or \"utf8\", got \"{}\"", name));
  }
}

}  // namespace hemalink::config
