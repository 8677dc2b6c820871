#pragma once

#include <memory>
#include <mutex>

#include "server/ingest/receipt_interpreter.hpp"

namespace hemalink::ingest {

/// The interpreter in force: what sessions and the spool's replay use for each message. SIGHUP
/// replaces it (new mapping tables, new rules) while connections stay up; a message already being
/// interpreted finishes with the one it started with.
class CurrentInterpreter {
 public:
  explicit CurrentInterpreter(std::shared_ptr<const ReceiptInterpreter> interpreter)
      : interpreter_(std::move(interpreter)) {}

  std::shared_ptr<const ReceiptInterpreter> get() const {
    std::lock_guard lock(mutex_);
    return interpreter_;
  }

  void replace(std::shared_ptr<const ReceiptInterpreter> interpreter) {
    std::lock_guard lock(mutex_);
    interpreter_ = std::move(interpreter);
  }

  store::Interpretation interpret(const store::Receipt& receipt) const {
    return get()->interpret(receipt);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ReceiptInterpreter> interpreter_;
};

}  // namespace hemalink::ingest
