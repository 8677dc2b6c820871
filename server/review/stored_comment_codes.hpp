#pragma once

#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/review/comment_codes.hpp"
#include "server/store/errc.hpp"

namespace hemalink::review {

/// Every comment code stored through the API (added, changed or removed), by code.
Result<std::vector<StoredCommentCode>, store::StoreError> stored_comment_codes(
    const std::string& dsn);

/// Stores `code`: its text (a new code, or a change of the configuration's or a stored one) or
/// its removal, audited in the same transaction (audit_log entity comment_code). The row as
/// stored.
Result<StoredCommentCode, store::StoreError> store_comment_code(const std::string& dsn,
                                                                const StoredCommentCode& code);

}  // namespace hemalink::review
