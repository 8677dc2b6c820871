#pragma once

#include <string>
#include <system_error>

#include "protocols/common/error.hpp"

namespace hemalink::store {

/// Failures of the store, as its callers see them (they never see a libpqxx type).
enum class StoreErrc {
  /// The connection broke, or serialization failed or deadlocked: try again.
  Retryable = 1,
  /// A commit whose outcome is unknown (the connection broke during COMMIT): reconcile before any
  /// retry.
  InDoubt,
  /// A unique constraint refused the row: usually a duplicate message, so idempotent.
  Conflict,
  /// Anything else: a bug, a schema mismatch, or a database refusing us.
  Fatal,
  /// A value the caller gave is not one of its type (no such date, not a number): the database
  /// refused it and wrote nothing. The caller's to correct; trying again fails the same way.
  BadValue,
  /// An applied migration's text changed since it was applied.
  MigrationChanged,
  /// The database has migrations this binary does not know (a newer hemalink migrated it).
  SchemaTooNew,
};

const std::error_category& error_category();
std::error_code make_error_code(StoreErrc e);

/// An error of the store: its code (a StoreErrc) and what happened, naming the operation.
using StoreError = hemalink::Error;

}  // namespace hemalink::store

template <>
struct std::is_error_code_enum<hemalink::store::StoreErrc> : std::true_type {};
