#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "drivers/model/wire_protocol.hpp"
#include "protocols/common/charset.hpp"
#include "protocols/common/result.hpp"
#include "server/config/http_config.hpp"
#include "server/files/file_error.hpp"
#include "server/qc/qc_policy.hpp"
#include "server/transport/transport_settings.hpp"

namespace hemalink::config {

using transport::FileDropTransport;
using transport::FlowControl;
using transport::Parity;
using transport::SerialTransport;
using transport::TcpClientTransport;
using transport::TcpServerTransport;
using transport::Transport;

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

struct StoreConfig {
  std::size_t writers = 2;
  std::size_t max_batch_messages = 256;
  std::chrono::microseconds max_batch_wait{0};
  /// How long a session waits for the commit before the message is spooled and acknowledged.
  std::chrono::milliseconds ack_budget{2000};
};

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

/// The autoverification rules: the files of the rule set (one set, in order), and how many
/// patients' tests and specimens the cache of recent results keeps. Without files every result
/// is held for review.
struct RulesConfig {
  std::vector<std::filesystem::path> files;
  std::size_t recent_results_capacity = 100000;
};

/// How results are matched to the orders from the LIS ("orders"; in force when a LIS has an
/// order feed).
struct OrdersConfig {
  bool hold_results_not_ordered = true;
  bool hold_specimens_without_order = true;
  /// An order with tests still pending this long after it came is listed as overdue.
  std::chrono::minutes overdue_after{240};
};

/// Quality control ("qc"): where the lab's control definitions are (none: every control
/// establishes its own target), how runs are grouped and judged, and which gate statuses hold
/// patient results.
struct QcConfig {
  std::filesystem::path controls_file;
  qc::QcPolicy policy;
  bool hold_out = true;
  bool hold_unknown = true;
};

struct DaemonConfig {
  std::string database_url;
  bool migrate_at_start = true;
  HttpConfig http;
  std::filesystem::path spool_dir = "var/spool";
  std::string log_level = "info";
  bool log_json = false;
  unsigned threads = 0;  ///< 0: one per core.
  std::size_t max_connections = 512;
  /// On SIGTERM, how long connections get to receive the acknowledgements of messages already
  /// handed to the store before they are closed.
  std::chrono::milliseconds shutdown_grace{5000};
  StoreConfig store;
  std::vector<LisDestination> lis;
  OrdersConfig orders;
  RulesConfig rules;
  QcConfig qc;
  std::vector<AnalyzerConfig> analyzers;
};

/// True when a LIS sends orders: results are then matched to them.
bool takes_orders(const DaemonConfig& config);

/// Reads the daemon's configuration from `json_text`. Fails with every error found, each with
/// its JSON path (or its line and column, when the text is not JSON) and no file. Relative paths
/// are taken relative to `base_dir` (the configuration file's folder). When `database_url_override`
/// is set (HEMALINK_DATABASE_URL), it replaces `database.url`.
Result<DaemonConfig, files::FileErrors> parse_daemon_config(
    std::string_view json_text, const std::filesystem::path& base_dir,
    const std::optional<std::string>& database_url_override);

/// The configuration in `file`, as parse_daemon_config reads it, with relative paths taken from
/// the file's folder and HEMALINK_DATABASE_URL applied; its errors name the file. An unreadable
/// file is one error.
Result<DaemonConfig, files::FileErrors> read_daemon_config_file(const std::filesystem::path& file);

/// HEMALINK_DATABASE_URL, which replaces the configured database.url when set.
std::optional<std::string> database_url_from_environment();

using model::to_string;

}  // namespace hemalink::config
