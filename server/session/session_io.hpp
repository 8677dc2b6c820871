#pragma once

#include <functional>
#include <string_view>

#include "server/store/stored_message.hpp"

namespace hemalink::session {

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
};

}  // namespace hemalink::session
