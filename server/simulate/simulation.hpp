#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "server/simulate/simulated_analyzer.hpp"

namespace hemalink::simulate {

/// Where the simulated analyzer meets the host.
enum class Endpoint {
  Connect,  ///< The analyzer dials the host (`--to`): the host is a tcp-server.
  Listen,   ///< The analyzer is the TCP server (`--listen`): the host dials it.
  Serial,   ///< An RS-232 device (`--serial`).
};

struct SimulationPlan {
  AnalyzerSettings analyzer;
  Endpoint endpoint = Endpoint::Connect;
  /// Connect: the hosts to dial, connection k going to targets[k mod n] (several analyzers'
  /// ports at once). Listen: the one address to listen on.
  std::vector<std::pair<std::string, std::uint16_t>> targets;
  std::string device;
  unsigned baud = 9600;
  std::vector<std::string> messages;
  /// Messages per second over all connections; 0: each connection sends as fast as it is
  /// acknowledged.
  double rate = 0;
  std::size_t connections = 1;
  /// Consecutive messages that go on one connection together: with 2, messages 2k and 2k+1 go
  /// on connection k mod K (a host query and the results of its specimen).
  std::size_t group = 1;
  /// Keep the connections open this long after the last answer (idle connections: with no
  /// messages, just hold them).
  std::chrono::milliseconds hold{0};
  /// Download mode: the analyzer waits for work from the host until this many specimens have
  /// been sent to it (over all connections), and answers each with results for exactly the
  /// tests ordered (results_for_work), after its own messages.
  std::size_t downloads = 0;
  /// The whole run stops after this, and what is unanswered counts as unacknowledged.
  std::chrono::milliseconds timeout{300000};
};

struct MessageResult {
  Answer answer = Answer::Unacknowledged;
  std::chrono::microseconds latency{0};  ///< Last byte sent to answer.
  std::string detail;
};

struct SimulationReport {
  std::vector<MessageResult> results;     ///< In plan order, then the downloads' results.
  AnalyzerCounts counts;                  ///< Summed over connections.
  std::size_t connected = 0;              ///< Connections that were made.
  std::vector<std::string> errors;        ///< Connections that could not be made or broke.
  std::vector<std::string> host_replies;  ///< What the host sent (query replies), as received.
  std::size_t downloaded = 0;             ///< Specimens the host sent work for (download mode).
  std::chrono::microseconds elapsed{0};
};

/// Runs the plan: opens the connections, sends each connection's share of the messages (message
/// i goes on connection i mod K, in order) and collects how each was answered.
SimulationReport run_simulation(const SimulationPlan& plan);

}  // namespace hemalink::simulate
