#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"
#include "server/store/thread_connection.hpp"

namespace hemalink::store {

// Reads whose SQL builds the whole JSON document the API serves (json_build_object, json_agg):
// one document, or none when the query finds no row.

template <typename... Args>
Result<std::string, StoreError> one_document(const std::string& dsn, std::string_view during,
                                             const char* sql, const Args&... args) {
  return on_thread_connection(dsn, during,
                              [&](pqxx::connection& c) -> Result<std::string, StoreError> {
                                pqxx::read_transaction tx(c);
                                return tx.exec_params1(sql, args...)[0].template as<std::string>();
                              });
}

template <typename... Args>
Result<std::optional<std::string>, StoreError> maybe_document(const std::string& dsn,
                                                              std::string_view during,
                                                              const char* sql,
                                                              const Args&... args) {
  return on_thread_connection(
      dsn, during, [&](pqxx::connection& c) -> Result<std::optional<std::string>, StoreError> {
        pqxx::read_transaction tx(c);
        const auto rows = tx.exec_params(sql, args...);
        if (rows.empty())
          return std::optional<std::string>();
        return std::optional(rows[0][0].template as<std::string>());
      });
}

}  // namespace hemalink::store
