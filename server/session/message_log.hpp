#pragma once

#include <string>

#include "server/metrics/message_timings.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::session {

/// One info line per message once it is answered: analyzer, peer, message ID, what was read of
/// it (specimen IDs, result count, decisions: no patient names or birth dates), the store's
/// outcome and how long it took from its last byte to its acknowledgement; at debug level, also
/// how long each stage took (read, commit, answer).
void log_message(const std::string& analyzer, const std::string& peer, const std::string& id,
                 const store::Completion& completion, const metrics::MessageTimes& times);

}  // namespace hemalink::session
