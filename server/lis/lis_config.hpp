#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/model/wire_protocol.hpp"
#include "protocols/common/charset.hpp"
#include "protocols/common/result.hpp"
#include "server/config/analyzer_config.hpp"
#include "server/config/lis_mapping.hpp"
#include "server/files/file_error.hpp"
#include "server/transport/transport_settings.hpp"

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::lis {

using config::AstmLink;
using model::WireProtocol;
using transport::Transport;

/// MSH-11 of what hemalink sends a LIS: production, training or debugging.
enum class ProcessingId { Production, Training, Debugging };

/// How a LIS sends hemalink its orders ("lis"[].orders): HL7 OML/ORM over MLLP, or ASTM O
/// records, on a transport of its own (the example listens on 5101).
struct LisOrderFeed {
  WireProtocol protocol = WireProtocol::Hl7;  ///< The destination's, unless given.
  AstmLink link = AstmLink::E1381;
  Transport transport;  ///< tcp-server, tcp-client or serial.
  std::vector<std::string> allowed_peers;
  bool tcp_keepalive = true;
  Charset charset = Charset::Utf8;  ///< Of ASTM text; HL7 declares its own in MSH-18.
  std::size_t max_message_bytes = 1024 * 1024;
};

/// One LIS that released results go to ("lis" in the configuration is a list of them).
struct LisDestination {
  std::string name;
  WireProtocol protocol = WireProtocol::Hl7;  ///< Hl7 or Astm.
  Transport transport;                        ///< tcp-client, tcp-server or serial.
  /// Peer IP addresses or CIDR blocks allowed to connect (tcp-server); empty allows any.
  std::vector<std::string> allowed_peers;
  bool tcp_keepalive = true;
  /// The LIS's own test codes per canonical code (JSON, see lis_mapping.hpp); empty: none.
  std::filesystem::path mapping_file;
  /// The analyzers whose results go there; empty: every analyzer.
  std::vector<std::string> analyzers;
  std::string sending_application = "hemalink";
  std::string sending_facility;
  std::string receiving_application;
  std::string receiving_facility;
  ProcessingId processing_id = ProcessingId::Production;
  /// How long the LIS has to acknowledge a message (HL7: the ACK; ASTM: each frame's ACK).
  std::chrono::milliseconds ack_timeout{10000};
  /// Attempts of one message before its row is dead.
  int max_attempts = 10;
  /// The wait before attempt n+1 doubles from min up to max.
  std::chrono::milliseconds backoff_min{1000};
  std::chrono::milliseconds backoff_max{300000};
  /// Where the LIS's orders come in; none: this LIS sends no orders.
  std::optional<LisOrderFeed> orders;

  /// True when `analyzer`'s results go to this destination.
  bool takes(std::string_view analyzer) const;
};

char processing_id_code(ProcessingId id);

/// Reads the configuration's `lis` (a list of destinations, each with its path `lis[i]`), when
/// present; errors go to `top`'s list with their JSON paths. The analyzers a destination takes
/// must be among `analyzers`; files are taken from `base`.
std::vector<LisDestination> read_lis_config(files::JsonFields& top,
                                            const std::filesystem::path& base,
                                            const std::vector<config::AnalyzerConfig>& analyzers);

/// True when one of `destinations` sends orders: results are then matched to them.
bool takes_orders(const std::vector<LisDestination>& destinations);

/// The mapping tables of the LIS destinations, in order (an empty table where none is named). A
/// file that cannot be read is an error at `lis[i].mapping`; errors inside a file name that file
/// and their JSON path.
Result<std::vector<config::LisMapping>, files::FileErrors> load_lis_mappings(
    const std::vector<LisDestination>& destinations);

}  // namespace hemalink::lis
