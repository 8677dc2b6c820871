#include "server/store/errc.hpp"

#include "protocols/common/error_category.hpp"

namespace hemalink::store {
namespace {

const char* describe(StoreErrc e) {
  switch (e) {
    case StoreErrc::Retryable:
      return "database temporarily unavailable";
    case StoreErrc::InDoubt:
      return "commit outcome unknown";
    case StoreErrc::Conflict:
      return "duplicate row";
    case StoreErrc::Fatal:
      return "database error";
    case StoreErrc::BadValue:
      return "a value the database cannot read";
    case StoreErrc::MigrationChanged:
      return "an applied migration was changed";
    case StoreErrc::SchemaTooNew:
      return "database schema is newer than this hemalink";
  }
  return "unknown store error";
}

}  // namespace

const std::error_category& error_category() {
  static const ErrorCategory<StoreErrc> category("store", describe);
  return category;
}

std::error_code make_error_code(StoreErrc e) {
  return {static_cast<int>(e), error_category()};
}

}  // namespace hemalink::store
