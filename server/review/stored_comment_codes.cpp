#include "server/review/stored_comment_codes.hpp"

#include <pqxx/pqxx>

#include "server/store/thread_connection.hpp"

namespace hemalink::review {

using store::on_thread_connection;
using store::StoreError;

namespace {

constexpr const char* kColumns =
    "code, text, changed_by,"
    " to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

StoredCommentCode read_row(const pqxx::row& r) {
  StoredCommentCode c;
  c.code = r[0].as<std::string>();
  if (!r[1].is_null())
    c.text = r[1].as<std::string>();
  c.changed_by = r[2].as<std::string>();
  c.changed_at = r[3].as<std::string>();
  return c;
}

}  // namespace

Result<std::vector<StoredCommentCode>, StoreError> stored_comment_codes(const std::string& dsn) {
  return on_thread_connection(
      dsn, "reading the comment codes stored through the API",
      [&](pqxx::connection& c) -> Result<std::vector<StoredCommentCode>, StoreError> {
        pqxx::read_transaction tx(c);
        std::vector<StoredCommentCode> out;
        for (const auto& row :
             tx.exec(std::string("SELECT ") + kColumns + " FROM comment_codes ORDER BY code")) {
          out.push_back(read_row(row));
        }
        return out;
      });
}

Result<StoredCommentCode, StoreError> store_comment_code(const std::string& dsn,
                                                         const StoredCommentCode& code) {
  return on_thread_connection(
      dsn, "storing comment code " + code.code,
      [&](pqxx::connection& c) -> Result<StoredCommentCode, StoreError> {
        pqxx::work tx(c);
        const auto row = tx.exec_params1(
            std::string("INSERT INTO comment_codes (code, text, changed_by) VALUES ($1, $2, $3)"
                        " ON CONFLICT (code) DO UPDATE SET text = EXCLUDED.text,"
                        " changed_by = EXCLUDED.changed_by, changed_at = now() RETURNING ") +
                kColumns,
            code.code, code.text, code.changed_by);
        tx.commit();
        return read_row(row);
      });
}

}  // namespace hemalink::review
