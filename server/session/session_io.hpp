#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <vector>

#include "server/store/store_request.hpp"

namespace hemalink::session {

/// What a session sends an analyzer for its host query: the reply (ASTM records, or the HL7
/// RSP^K11) and, for HL7, the work order that follows it (LAB-28 OML^O33), with the order tests
/// they send. An empty reply: the session answers on its own (ASTM "no information", HL7 a plain
/// ACK).
struct HostReply {
  std::string reply;
  std::string follow_up;
  std::vector<long long> test_ids;
};

/// What a session asks of the connection it runs on. The I/O shell (Asio, or a test) implements
/// it; every call comes from, and every callback must run on, the session's own thread.
class SessionIo {
 public:
  virtual ~SessionIo() = default;
  /// Bytes for the analyzer, in order.
  virtual void write(std::string_view bytes) = 0;
  /// Hands `request` to the store. `done` runs once, on the session's thread, with the store's
  /// completion (Failed when the store refused it, e.g. a full queue).
  virtual void submit(store::StoreRequest request,
                      std::function<void(const store::Completion&)> done) = 0;
  /// Works out the reply to the host query `message` (the pending orders of the specimens it
  /// names); `done` runs once, on the session's thread. The default has no orders to consult.
  virtual void answer_host_query(std::string message, std::function<void(HostReply)> done) {
    (void)message;
    done({});
  }
  /// The analyzer took the work that carried these order tests (a query answer or a download).
  virtual void work_acknowledged(std::vector<long long> test_ids) { (void)test_ids; }
};

}  // namespace hemalink::session
