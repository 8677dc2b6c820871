#pragma once

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::store {

/// Where a connection hands what it received: the analyzers' store, or a LIS's order intake.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  /// Queues `request`; `done` is called exactly once, later, on another thread, after the
  /// message is durable (or could not be made so). Refuses (Retryable, `done` never called)
  /// when the sink cannot take it now.
  virtual Result<void, StoreError> submit(StoreRequest request, CompletionHandler done) = 0;
};

}  // namespace hemalink::store
