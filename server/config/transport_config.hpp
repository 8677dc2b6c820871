#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "protocols/common/charset.hpp"
#include "server/transport/transport_settings.hpp"

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::config {

using transport::FileDropTransport;
using transport::FlowControl;
using transport::Parity;
using transport::SerialTransport;
using transport::TcpClientTransport;
using transport::TcpServerTransport;
using transport::Transport;

/// The readers of what every link of the configuration has, an analyzer's as a LIS's: its name,
/// its transport, the peers it allows and its character set. Each reads from the object `f` is
/// reading and reports its errors there, with their JSON paths.

/// `name` (required): letters, digits, '-', '_' or '.', at most 64.
void read_name(files::JsonFields& f, std::string& name);

/// `transport` (required): a tcp-server, tcp-client, serial or file-drop transport, its files
/// taken from `base`.
Transport read_transport(files::JsonFields& parent, const std::filesystem::path& base);

/// `allowed_peers`: IP addresses or CIDR blocks.
void read_allowed_peers(files::JsonFields& f, std::vector<std::string>& peers);

/// `charset`: "ascii", "latin1" or "utf8"; `charset` keeps its default when absent.
void read_charset(files::JsonFields& f, Charset& charset);

/// PREFIX_min_ms and PREFIX_max_ms (each within its bounds), the max at least the min.
void read_wait_range(files::JsonFields& f, const std::string& prefix,
                     std::pair<std::int64_t, std::int64_t> min_bounds,
                     std::pair<std::int64_t, std::int64_t> max_bounds,
                     std::chrono::milliseconds& min, std::chrono::milliseconds& max);

}  // namespace hemalink::config
