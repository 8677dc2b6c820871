#pragma once

// Inside the store only: includes libpqxx.

#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "protocols/common/result.hpp"
#include "server/store/pg_error.hpp"

namespace hemalink::store {

/// `dsn` with a connect timeout of `seconds`, unless it names one itself.
std::string with_connect_timeout(const std::string& dsn, int seconds);

/// The calling thread's connection to `dsn`: opened on first use (2 s connect timeout, 5 s
/// statement timeout), kept for the thread's next call, and opened again after it broke. For
/// the API's database threads, which each serve one request at a time.
pqxx::connection& thread_connection(const std::string& dsn);
/// Forgets the calling thread's connection to `dsn` (after an error that may have broken it).
void drop_thread_connection(const std::string& dsn);

/// Runs `work` on the thread's connection; a database error comes back as a StoreError naming
/// `during`, and a connection it leaves broken is dropped.
template <typename Work>
auto on_thread_connection(const std::string& dsn, std::string_view during, Work work)
    -> decltype(work(std::declval<pqxx::connection&>())) {
  try {
    return work(thread_connection(dsn));
  } catch (...) {
    auto error = error_from_current_exception(during);
    drop_thread_connection(dsn);
    return error;
  }
}

}  // namespace hemalink::store
