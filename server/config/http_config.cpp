#include "server/config/http_config.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "protocols/common/hex.hpp"
#include "server/config/tls_config.hpp"
#include "server/files/json_fields.hpp"
#include "server/files/text_file.hpp"

namespace hemalink::config {
namespace {

using files::JsonFields;
using nlohmann::json;

constexpr std::string_view kRoleNames[] = {"viewer", "technologist", "admin"};

bool is_listen_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size() || text.size() - colon > 6)
    return false;
  const auto port = text.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stol(port) > 65535)
    return false;
  auto host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

bool is_sha256_hex(const std::string& text) {
  const auto digest = hex_decode(text);
  return digest && digest->size() == 32 &&
         std::none_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'F'; });
}

void read_limits(JsonFields& f, HttpConfig& c) {
  f.integer("max_connections", c.max_connections, 1, 10000);
  f.integer("max_body_bytes", c.max_body_bytes, 1024, 64 << 20);
  f.integer("max_header_bytes", c.max_header_bytes, 1024, 1 << 20);
  f.integer("max_target_bytes", c.max_target_bytes, 256, 65536);
  f.integer("max_queued_events", c.max_queued_events, 1, 1000000);
  f.duration("request_timeout_ms", c.request_timeout, 100, 600000);
  f.duration("idle_timeout_ms", c.idle_timeout, 100, 3600000);
}

ApiToken read_token(const json& node, const std::string& path, files::FileErrors& errors) {
  JsonFields f(node, path, errors);
  ApiToken t;
  f.text("user", t.user, true);
  if (auto role = f.choice("role", {"viewer", "technologist", "admin"}, true))
    t.role = static_cast<ApiRole>(*role);
  f.text("sha256", t.sha256, true);
  if (f.has("sha256") && !is_sha256_hex(t.sha256)) {
    f.error(f.path_of("sha256"),
            "expected the token's SHA-256 as 64 lowercase hex digits (hemalink token prints it)");
  }
  return t;
}

void read_tokens(JsonFields& api, HttpConfig& c, std::set<std::string>& hashes) {
  const json* tokens = api.array("tokens");
  if (!tokens)
    return;
  for (std::size_t i = 0; i < tokens->size(); ++i) {
    const auto path = fmt::format("{}[{}]", api.path_of("tokens"), i);
    if (!(*tokens)[i].is_object()) {
      api.error(path, "expected an object with user, role and sha256");
      continue;
    }
    c.tokens.push_back(read_token((*tokens)[i], path, api.errors()));
    if (!c.tokens.back().sha256.empty() && !hashes.insert(c.tokens.back().sha256).second) {
      api.error(path + ".sha256", "the same token is configured twice");
    }
  }
}

// The tokens of api.tokens_file; its errors name the file.
void read_tokens_file(JsonFields& api, HttpConfig& c, const std::filesystem::path& base,
                      std::set<std::string>& hashes) {
  std::string name;
  api.text("tokens_file", name);
  if (name.empty())
    return;
  const auto path = files::path_from(base, name);
  c.tokens_file = path;
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored))
    return;  // no tokens from it (every call refused): the daemon says so when it starts
  const auto text = files::read_text_file(path);
  if (!text) {
    api.error(files::Errc::Unreadable, api.path_of("tokens_file"),
              fmt::format("cannot read {}", path.string()));
    return;
  }
  auto parsed = files::parse_json(*text, path.string());
  if (!parsed || !parsed->is_object()) {
    api.error(api.path_of("tokens_file"),
              parsed ? path.string() + ": expected a JSON object {\"tokens\": [...]}"
                     : parsed.error().describe());
    return;
  }
  files::FileErrors errors;
  {
    JsonFields f(*parsed, "", errors);
    read_tokens(f, c, hashes);
  }
  for (auto& e : errors) {
    e.file = path.string();
    api.errors().push_back(std::move(e));
  }
}

}  // namespace

std::string_view to_string(ApiRole role) {
  return kRoleNames[static_cast<int>(role)];
}

std::optional<ApiRole> api_role_named(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kRoleNames); ++i) {
    if (kRoleNames[i] == name)
      return static_cast<ApiRole>(i);
  }
  return std::nullopt;
}

void read_http_config(JsonFields& top, HttpConfig& c, const std::filesystem::path& base) {
  if (const json* http = top.object("http")) {
    JsonFields f(*http, "http", top.errors());
    f.text("listen", c.listen);
    if (f.has("listen") && !c.listen.empty() && !is_listen_address(c.listen)) {
      f.error(f.path_of("listen"),
              fmt::format("expected ADDRESS:PORT (127.0.0.1:8080, [::1]:8080), or \"\" for no "
                          "HTTP API, got \"{}\"",
                          c.listen));
    }
    read_limits(f, c);
    c.tls = read_tls_server(f, base);
  }
  if (const json* api = top.object("api")) {
    JsonFields f(*api, "api", top.errors());
    std::set<std::string> hashes;
    read_tokens(f, c, hashes);
    read_tokens_file(f, c, base, hashes);
  }
}

}  // namespace hemalink::config
