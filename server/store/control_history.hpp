#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/store/control_judgement.hpp"
#include "server/store/errc.hpp"

namespace hemalink::store {

/// The stored QC judgements that the QC state is rebuilt from at start-up: each control's last
/// `per_control` (its target, its place in recent runs, the gate of its test), oldest first.
Result<std::vector<StoredJudgement>, StoreError> control_history(const std::string& dsn,
                                                                 std::size_t per_control);

}  // namespace hemalink::store
