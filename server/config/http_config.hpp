#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/transport/transport_settings.hpp"

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::config {

/// What a user of the HTTP API may do. Each role may do what the ones before it may.
enum class ApiRole {
  Viewer,        ///< reads
  Technologist,  ///< also acts on the review queue
  Admin,         ///< also reads raw messages, resends and reloads rules
};

std::string_view to_string(ApiRole role);
std::optional<ApiRole> api_role_named(std::string_view name);

/// One configured API token: only the SHA-256 of the token is kept (`hemalink token` makes both).
struct ApiToken {
  std::string user;
  ApiRole role = ApiRole::Viewer;
  std::string sha256;  ///< 64 lowercase hex digits.
};

/// The HTTP API's listener (`http`) and who may call it (`api.tokens`). Every limit bounds what
/// one client can make the daemon hold.
struct HttpConfig {
  /// ADDRESS:PORT; port 0 is one the system chooses. Empty: no HTTP API.
  std::string listen = "127.0.0.1:8080";
  std::size_t max_connections = 64;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  std::size_t max_target_bytes = 4096;
  /// A request must arrive whole within this; a response must be taken within it.
  std::chrono::milliseconds request_timeout{10000};
  /// A kept-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{60000};
  /// TLS for the API (https, wss): certificate, key, and client_ca to require client
  /// certificates. Without it the API is plain HTTP (keep it on 127.0.0.1 then).
  std::optional<transport::TlsServer> tls;
  /// Live events a WebSocket client may have waiting; past that it fell behind and is dropped.
  std::size_t max_queued_events = 1024;
  /// api.tokens, then those of api.tokens_file (a JSON file {"tokens": [...]}, kept apart from
  /// the configuration, as `scripts/dev.sh up` keeps its development token).
  std::vector<ApiToken> tokens;
  /// api.tokens_file, resolved; a file that does not exist gives no tokens.
  std::filesystem::path tokens_file;
};

/// Reads the configuration's `http` and `api` objects, when present, into `c`; errors go to
/// `top`'s list with their JSON paths.
void read_http_config(files::JsonFields& top, HttpConfig& c, const std::filesystem::path& base);

}  // namespace hemalink::config
