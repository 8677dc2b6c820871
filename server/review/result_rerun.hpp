#pragma once

#include <string>
#include <string_view>

namespace pqxx {
class transaction_base;
}

namespace hemalink::review {

/// A rerun decided on a stored result becomes an order step, in the decision's transaction: the
/// test of that result on its specimen's orders is ordered again (when it was sent, acknowledged
/// or resulted), audited with `actor`, its reason `rerun: <why>`. Returns the specimen when a
/// test was ordered again (the analyzer is then sent it by query answer or download), else "".
std::string order_result_again(pqxx::transaction_base& tx, long long result_id,
                               std::string_view actor, std::string_view why);

}  // namespace hemalink::review
