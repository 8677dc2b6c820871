#pragma once

#include "server/daemon/connection_services.hpp"
#include "server/transport/receive_file.hpp"

namespace hemalink::config {
struct AnalyzerConfig;
}

namespace hemalink::daemon {

/// What the daemon does with each complete export file of a file-drop analyzer: a receipt from
/// the file, read (decoded, translated, decided) and handed to the store; the drop is told it is
/// durable once the store says so, and the message is logged like any analyzer's.
transport::ReceiveFile receive_export_files(const config::AnalyzerConfig& analyzer,
                                            ConnectionServices services);

}  // namespace hemalink::daemon
