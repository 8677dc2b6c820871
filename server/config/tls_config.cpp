#include "server/config/tls_config.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"
#include "server/files/text_file.hpp"

namespace hemalink::config {
namespace {

using files::JsonFields;

// A file the TLS object names: resolved, and readable now.
std::filesystem::path tls_file(JsonFields& f, const char* key, const std::filesystem::path& base,
                               bool required) {
  std::string name;
  f.text(key, name, required);
  if (name.empty())
    return {};
  const auto path = files::path_from(base, name);
  if (!files::read_text_file(path))
    f.error(files::Errc::Unreadable, f.path_of(key), fmt::format("cannot read {}", path.string()));
  return path;
}

}  // namespace

std::optional<transport::TlsServer> read_tls_server(JsonFields& parent,
                                                    const std::filesystem::path& base) {
  const nlohmann::json* node = parent.object("tls");
  if (!node)
    return std::nullopt;
  JsonFields f(*node, parent.path_of("tls"), parent.errors());
  transport::TlsServer tls;
  tls.certificate = tls_file(f, "certificate", base, true);
  tls.key = tls_file(f, "key", base, true);
  tls.client_ca = tls_file(f, "client_ca", base, false);
  return tls;
}

std::optional<transport::TlsClient> read_tls_client(JsonFields& parent,
                                                    const std::filesystem::path& base) {
  const nlohmann::json* node = parent.object("tls");
  if (!node)
    return std::nullopt;
  JsonFields f(*node, parent.path_of("tls"), parent.errors());
  transport::TlsClient tls;
  tls.ca = tls_file(f, "ca", base, false);
  f.text("server_name", tls.server_name);
  tls.certificate = tls_file(f, "certificate", base, false);
  tls.key = tls_file(f, "key", base, false);
  if (tls.certificate.empty() != tls.key.empty()) {
    f.error(f.path_of(tls.key.empty() ? "key" : "certificate"),
            "a client certificate needs both \"certificate\" and \"key\"");
  }
  return tls;
}

}  // namespace hemalink::config
