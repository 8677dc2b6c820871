#pragma once

#include <optional>
#include <string>

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"

struct pg_conn;

namespace hemalink::lis {

/// Marks delivered outbox rows on a libpq connection of its own, one mark in flight: hand()
/// writes the statement whole to PostgreSQL's socket and returns; settle() waits for its result.
/// A mark handed over is run by PostgreSQL even if this process dies at once (the statement is
/// whole in its socket, and an autocommit statement commits whether or not its answer can be
/// read), which is what lets the next message go to the LIS while the answer is on its way.
class DeliveredMarks {
 public:
  DeliveredMarks(std::string dsn, const char* statement, int parameter_count);
  ~DeliveredMarks();
  DeliveredMarks(const DeliveredMarks&) = delete;
  DeliveredMarks& operator=(const DeliveredMarks&) = delete;

  /// Hands over the statement with `values` (text, or binary where `is_binary`); `what` names
  /// the mark in errors. Settles the mark before it first.
  Result<void, store::StoreError> hand(const std::string* values, const bool* is_binary,
                                       std::string what);
  /// Waits for the mark in flight, if any.
  Result<void, store::StoreError> settle();
  bool has_pending() const { return pending_.has_value(); }

 private:
  Result<void, store::StoreError> connect();
  store::StoreError failure(const std::string& during);
  void drop();

  std::string dsn_;
  const char* statement_;
  int parameter_count_;
  pg_conn* connection_ = nullptr;
  std::optional<std::string> pending_;
};

}  // namespace hemalink::lis
