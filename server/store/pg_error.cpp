#include "server/store/pg_error.hpp"

#include <fmt/format.h>

#include <exception>
#include <pqxx/pqxx>
#include <string>

namespace hemalink::store {
namespace {

StoreErrc classify(const std::string& sqlstate) {
  // 08: connection exception; 57P: operator intervention (shutdown); 53: insufficient resources;
  // 40: transaction rollback (serialization failure, deadlock).
  if (sqlstate.starts_with("08") || sqlstate.starts_with("57P") || sqlstate.starts_with("53") ||
      sqlstate.starts_with("40")) {
    return StoreErrc::Retryable;
  }
  if (sqlstate == "23505") {
    return StoreErrc::Conflict;
  }
  // 22007 invalid_datetime_format, 22008 datetime_field_overflow, 22009
  // invalid_time_zone_displacement_value, 22P02 invalid_text_representation: a value given to a
  // cast ($1::timestamptz, $1::uuid) that is none of its type.
  if (sqlstate == "22007" || sqlstate == "22008" || sqlstate == "22009" || sqlstate == "22P02") {
    return StoreErrc::BadValue;
  }
  return StoreErrc::Fatal;
}

std::string first_line(const char* what) {
  std::string text(what);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

StoreError make(StoreErrc code, std::string_view during, const char* what) {
  return StoreError{make_error_code(code), fmt::format("{}: {}", during, first_line(what))};
}

}  // namespace

StoreError error_from_current_exception(std::string_view during) {
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    return make(StoreErrc::InDoubt, during, e.what());
  } catch (const pqxx::statement_completion_unknown& e) {
    // Before transaction_rollback and sql_error, which it derives from in libpqxx 6.4: the
    // statement may or may not have taken effect.
    return make(StoreErrc::InDoubt, during, e.what());
  } catch (const pqxx::broken_connection& e) {
    return make(StoreErrc::Retryable, during, e.what());
  } catch (const pqxx::sql_error& e) {
    return make(classify(e.sqlstate()), during, e.what());
  } catch (const pqxx::transaction_rollback& e) {
    return make(StoreErrc::Retryable, during, e.what());
  } catch (const std::exception& e) {
    return make(StoreErrc::Fatal, during, e.what());
  } catch (...) {
    return make(StoreErrc::Fatal, during, "unknown exception");
  }
}

}  // namespace hemalink::store
