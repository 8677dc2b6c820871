#pragma once

#include <filesystem>
#include <optional>

#include "server/transport/transport_settings.hpp"

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::config {

/// The `tls` object of `parent`, when present: certificate and key (required, PEM), client_ca
/// (optional), each resolved from `base` and readable now, else an error at its JSON path.
std::optional<transport::TlsServer> read_tls_server(files::JsonFields& parent,
                                                    const std::filesystem::path& base);

/// The `tls` object of a tcp-client `parent`, when present: ca, server_name, and certificate with
/// key (each optional, the last two together), files resolved from `base` and readable now.
std::optional<transport::TlsClient> read_tls_client(files::JsonFields& parent,
                                                    const std::filesystem::path& base);

}  // namespace hemalink::config
