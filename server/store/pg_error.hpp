#pragma once

#include <string_view>

#include "server/store/errc.hpp"

namespace hemalink::store {

/// Maps the exception being handled (libpqxx's or any other) to a StoreError, so no libpqxx type
/// crosses the store's boundary. Call only inside a catch block. `during` names the operation:
/// "writing a batch of 12 messages". Connection failures, server shutdown, serialization
/// failures and deadlocks are Retryable; an interrupted COMMIT is InDoubt; a unique violation is
/// Conflict; a value that is none of its type (a date that does not exist) is BadValue; the rest is
/// Fatal.
StoreError error_from_current_exception(std::string_view during);

}  // namespace hemalink::store
