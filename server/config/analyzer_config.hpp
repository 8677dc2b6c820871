#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "drivers/model/wire_protocol.hpp"
#include "protocols/common/charset.hpp"
#include "server/config/transport_config.hpp"
#include "server/files/file_error.hpp"
#include "server/transport/transport_settings.hpp"

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::config {

using model::WireProtocol;
enum class AstmLink { E1381, Bare };

/// The E1381 timers (LIS01-A2 defaults). Shorter values suit tests; longer ones slow analyzers.
struct LinkTimeouts {
  std::chrono::milliseconds establishment{15000};
  std::chrono::milliseconds reply{15000};
  std::chrono::milliseconds receive{30000};
};

/// Deviations from the standards an analyzer needs, each named in the configuration and off
/// unless listed (drivers/README.md says which analyzer needs which and what it risks).
struct Leniencies {
  bool bad_checksum = false;              ///< "bad-checksum"
  bool unpadded_checksum = false;         ///< "unpadded-checksum"
  bool lenient_frame_trailer = false;     ///< "lenient-frame-trailer"
  bool any_frame_number = false;          ///< "any-frame-number"
  bool missing_frame_number = false;      ///< "missing-frame-number"
  bool frames_without_enq = false;        ///< "frames-without-enq"
  bool doubled_repeat_delimiter = false;  ///< "doubled-repeat-delimiter"
};

struct AnalyzerConfig {
  std::string name;
  std::string driver;
  WireProtocol protocol = WireProtocol::Astm;
  AstmLink link = AstmLink::E1381;
  Transport transport;
  /// Peer IP addresses or CIDR blocks allowed to connect (tcp-server); empty allows any.
  std::vector<std::string> allowed_peers;
  std::size_t max_message_bytes = 1024 * 1024;
  /// Connections this analyzer may hold at once (tcp-server): a flood on one port cannot take
  /// the daemon's connections from the other analyzers.
  std::size_t max_connections = 32;
  /// A connection silent this long is closed (the analyzer reconnects).
  std::chrono::seconds idle_timeout{600};
  bool tcp_keepalive = true;
  Charset charset = Charset::Latin1;
  /// The shipped mapping table its table starts from ("base": a shipped table's name, or "none");
  /// nullopt: the driver's own (config::default_mapping_base: none for generic drivers).
  std::optional<std::string> base;
  /// The lab's mapping table of this analyzer (JSON file), its entries over the base's; empty:
  /// none.
  std::filesystem::path mappings_file;
  LinkTimeouts link_timeouts;
  Leniencies leniencies;
  /// Download mode: pending orders for the tests it runs are sent as soon as they arrive (and
  /// what was sent and not acknowledged, again when it connects), rather than only when it asks.
  bool download_orders = false;
};

/// The configuration's `analyzers` (required), each read with its path `analyzers[i]`; errors go to
/// `top`'s list. Files are taken from `base`.
std::vector<AnalyzerConfig> read_analyzers(files::JsonFields& top,
                                           const std::filesystem::path& base);

/// Two analyzers of one name, or two listening on one address and port: each an error naming the
/// second and the first.
void check_analyzers_unique(const std::vector<AnalyzerConfig>& analyzers,
                            files::FileErrors& errors);

using model::to_string;

}  // namespace hemalink::config
