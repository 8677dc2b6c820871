#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "server/simulate/lis_sim_ledger.hpp"
#include "server/transport/transport_settings.hpp"

// `hemalink lis-sim` run on its own, without Asio in the header: the command line's view of
// server/simulate/lis_simulator.hpp.
namespace hemalink::simulate {

struct LisSimOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0: a port the system chooses (see port()).
  model::WireProtocol protocol = model::WireProtocol::Hl7;
  LisSimFaults faults;
  /// Before each reply.
  std::chrono::milliseconds delay{0};
  std::filesystem::path record_file;
  /// TLS on every connection (certificate, key, and the CA clients' certificates must carry).
  std::optional<transport::TlsServer> tls;
};

/// Runs a LisSimulator on its own until SIGTERM or SIGINT, or `duration`; calls `on_listening`
/// with the port once it listens. Returns the totals; throws (a start-up failure) when it cannot
/// listen or open its record file.
LisSimTotals run_lis_simulator(const LisSimOptions& options,
                               std::optional<std::chrono::milliseconds> duration,
                               const std::function<void(std::uint16_t)>& on_listening);

}  // namespace hemalink::simulate
